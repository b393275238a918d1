<?php
// Stand-in for GLPI's Config: legacy configuration loading and secured writes.
class Config
{
    public static function loadLegacyConfiguration($older_to_latest = true)
    {
        global $CFG_GLPI, $DB;
        if (!$DB->connected) {
            return false;
        }
        foreach ($DB->configRows('core') as $row) {
            $CFG_GLPI[$row['name']] = $row['value'];
        }
        return true;
    }

    public static function setConfigurationValues($context, array $values = [])
    {
        global $DB;
        $glpikey = new GLPIKey();
        foreach ($values as $name => $value) {
            // Secured values are encrypted, an empty value is stored as is (GLPI does the same).
            if (!empty($value) && $glpikey->isConfigSecured($context, $name)) {
                $value = $glpikey->encrypt($value);
            }
            $DB->setConfigRow($context, $name, (string) $value);
        }
    }

    public static function getUuid($type)
    {
        return 'stand-in-' . $type . '-uuid';
    }
}
