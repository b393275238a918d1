<?php
// Stand-in for GLPI's Plugin: rows of the glpi_plugins "table" (a JSON file beside the database file), plugin
// files under marketplace/ then plugins/ (setup.php with plugin_version_<key>(), hook.php), GLPI's state numbers.
class Plugin
{
    const ANEW = 0;
    const ACTIVATED = 1;
    const NOTINSTALLED = 2;
    const TOBECONFIGURED = 3;
    const NOTACTIVATED = 4;
    const TOBECLEANED = 5;
    const NOTUPDATED = 6;
    const REPLACED = 7;

    public $fields = [];

    private static function table(): string
    {
        global $DB;
        return dirname($DB->dbhost) . '/glpi_plugins.json';
    }

    private static function rows(): array
    {
        $rows = is_file(self::table()) ? json_decode((string) file_get_contents(self::table()), true) : [];
        return is_array($rows) ? $rows : [];
    }

    private static function save(array $rows): void
    {
        $tmp = self::table() . '.tmp';
        file_put_contents($tmp, json_encode(array_values($rows), JSON_PRETTY_PRINT) . "\n");
        rename($tmp, self::table());
    }

    public function getList(array $fields = [], array $order = ['name', 'directory']): array
    {
        $rows = self::rows();
        usort($rows, function ($a, $b) {
            return [$a['name'], $a['directory']] <=> [$b['name'], $b['directory']];
        });
        return $rows;
    }

    public function getFromDBbyDir(string $dir): bool
    {
        foreach (self::rows() as $row) {
            if ($row['directory'] === $dir) {
                $this->fields = $row;
                return true;
            }
        }
        $this->fields = [];
        return false;
    }

    public function update(array $input): void
    {
        $rows = self::rows();
        foreach ($rows as &$row) {
            if ($row['id'] === $input['id']) {
                $row = array_merge($row, array_intersect_key($input, $row));
            }
        }
        unset($row);
        self::save($rows);
        $this->getFromDBbyDir($input['directory'] ?? $this->fields['directory']);
    }

    public function add(array $input): void
    {
        $rows = self::rows();
        $id = 1 + array_reduce($rows, function ($max, $row) {
            return max($max, $row['id']);
        }, 0);
        $rows[] = ['id' => $id, 'directory' => $input['directory'], 'name' => (string) ($input['name'] ?? $input['directory']),
                   'version' => (string) ($input['version'] ?? ''), 'state' => $input['state']];
        self::save($rows);
    }

    public static function getPhpDir(string $key): ?string
    {
        foreach (PLUGINS_DIRECTORIES as $base) {
            if (is_file("$base/$key/setup.php")) {
                return "$base/$key";
            }
        }
        return null;
    }

    public function loadPluginSetupFile(string $key): bool
    {
        $dir = self::getPhpDir($key);
        if ($dir === null) {
            return false;
        }
        include_once "$dir/setup.php";
        return function_exists('plugin_version_' . $key);
    }

    public function getInformationsFromDirectory($directory, bool $with_lang = true): array
    {
        return $this->loadPluginSetupFile($directory) ? call_user_func('plugin_version_' . $directory) : [];
    }

    public function isLoadable($directory): bool
    {
        return !empty($this->getInformationsFromDirectory($directory));
    }

    public function isInstalled($directory): bool
    {
        return $this->getFromDBbyDir($directory) && $this->isLoadable($directory)
            && in_array($this->fields['state'], [self::ACTIVATED, self::TOBECONFIGURED, self::NOTACTIVATED], true);
    }

    public function isActivated($directory): bool
    {
        return $this->getFromDBbyDir($directory) && $this->fields['state'] === self::ACTIVATED;
    }

    /** GLPI's refresh of one plugin's state from its files (new row, version change, files gone). */
    public function checkPluginState($key): void
    {
        $known = $this->getFromDBbyDir($key);
        $informations = $this->getInformationsFromDirectory($key);
        if (empty($informations)) {
            if ($known && in_array($this->fields['state'], [self::ACTIVATED, self::TOBECONFIGURED, self::NOTACTIVATED], true)) {
                $this->update(['id' => $this->fields['id'], 'state' => self::TOBECLEANED]);
            }
            return;
        }
        if (!$known) {
            $this->add(array_merge($informations, ['directory' => $key, 'state' => self::NOTINSTALLED]));
            return;
        }
        if ((string) $informations['version'] !== $this->fields['version']) {
            $input = ['id' => $this->fields['id'], 'version' => (string) $informations['version'], 'name' => (string) $informations['name']];
            if (!in_array($this->fields['state'], [self::ANEW, self::NOTINSTALLED, self::NOTUPDATED], true)) {
                $input['state'] = self::NOTUPDATED;
            }
            $this->update($input);
        }
    }

    private function hook(string $key, string $what, ...$args)
    {
        include_once self::getPhpDir($key) . '/hook.php';
        $function = "plugin_{$key}_{$what}";
        return function_exists($function) ? $function(...$args) : true;
    }

    public function install(string $key, array $params = []): int
    {
        $this->getFromDBbyDir($key);
        $this->hook($key, 'install', $params);
        $configured = $this->hook($key, 'check_config');
        $this->update(['id' => $this->fields['id'], 'state' => $configured ? self::NOTACTIVATED : self::TOBECONFIGURED,
                       'version' => (string) $this->getInformationsFromDirectory($key)['version']]);
        return $this->fields['state'];
    }

    public function activate(string $key): bool
    {
        $this->getFromDBbyDir($key);
        if (!$this->hook($key, 'check_prerequisites') || !$this->hook($key, 'check_config')) {
            return false;
        }
        $this->update(['id' => $this->fields['id'], 'state' => self::ACTIVATED]);
        return true;
    }

    public function unactivate(string $key): void
    {
        $this->getFromDBbyDir($key);
        $this->update(['id' => $this->fields['id'], 'state' => self::NOTACTIVATED]);
    }

    public function uninstall(string $key): void
    {
        $this->getFromDBbyDir($key);
        $this->hook($key, 'uninstall');
        $this->update(['id' => $this->fields['id'], 'state' => self::NOTINSTALLED]);
    }
}
