<?php
// Stand-in for GLPI's GLPINetwork. GLPI Network's answer is read from files/_stand_in/glpinetwork-answer.
class GLPINetwork
{
    public static function getRegistrationKey(): string
    {
        global $CFG_GLPI;
        return (string) (new GLPIKey())->decrypt($CFG_GLPI['glpinetwork_registration_key'] ?? '');
    }

    private static function answer(): string
    {
        $answer = @file_get_contents(GLPI_ROOT . '/files/_stand_in/glpinetwork-answer');
        return $answer === false ? 'valid' : trim($answer);
    }

    private static function record(string $what): void
    {
        @file_put_contents(GLPI_ROOT . '/files/_stand_in/glpinetwork-requests.log', $what . "\n", FILE_APPEND | LOCK_EX);
    }

    public static function getRegistrationInformations(bool $force_refresh = false): array
    {
        global $GLPI_CACHE;
        $registration_key = self::getRegistrationKey();
        $lang = preg_replace('/^([a-z]+)_.+$/', '$1', $_SESSION['glpilanguage']);
        $cache_key = sprintf('registration_%s_%s_informations', sha1($registration_key), $lang);
        $cache_file = GLPI_VAR_DIR . '/_cache/' . $cache_key . '.json';
        if (!$force_refresh && is_file($cache_file)) {
            return json_decode(file_get_contents($cache_file), true);
        }
        $informations = ['is_valid' => false, 'validation_message' => null, 'owner' => null, 'subscription' => null];
        if ($registration_key === '') {
            return $informations;
        }
        self::record('GET ' . GLPI_NETWORK_REGISTRATION_API_URL . 'info key-sha1=' . sha1($registration_key));
        $answer = self::answer();
        if ($answer === 'unreachable') {
            $informations['validation_message'] = 'Unable to fetch registration information.';
            trigger_error(
                "Unable to fetch registration information.\nError message:Connection failed: Could not resolve host: services.glpi-network.com\nResponse:\n",
                E_USER_WARNING
            );
            return $informations;
        }
        if ($answer === 'invalid') {
            $data = ['is_valid' => false, 'validation_message' => 'The registration key is invalid.', 'owner' => null, 'subscription' => null];
        } else {
            $data = [
                'is_valid' => true,
                'owner' => ['name' => 'Stand-in Owner'],
                'subscription' => ['title' => 'GLPI Network Basic', 'is_running' => $answer !== 'terminated', 'offer_reference' => 'basic'],
            ];
        }
        $informations['is_valid'] = $data['is_valid'];
        if (isset($data['validation_message'])) {
            $informations['validation_message'] = $data['validation_message'];
        } elseif (!$data['subscription']['is_running']) {
            $informations['validation_message'] = 'The registration key refers to a terminated subscription.';
        } else {
            $informations['validation_message'] = 'The registration key is valid.';
        }
        $informations['owner'] = $data['owner'];
        $informations['subscription'] = $data['subscription'];
        @mkdir(dirname($cache_file), 0700, true);
        file_put_contents($cache_file, json_encode($informations));
        if (isset($GLPI_CACHE)) {
            $GLPI_CACHE->set($cache_key, $informations);
        }
        return $informations;
    }

    public static function isRegistered(): bool
    {
        return self::getRegistrationInformations()['is_valid'];
    }

    public static function isServicesAvailable(&$curl_error = null): bool
    {
        self::record('GET ' . GLPI_NETWORK_REGISTRATION_API_URL);
        if (self::answer() === 'unreachable') {
            $curl_error = 'Could not resolve host: services.glpi-network.com';
            return false;
        }
        return true;
    }
}
