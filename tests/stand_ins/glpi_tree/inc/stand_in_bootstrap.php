<?php
// Shared by the stand-in's 9.5/10.0 bootstrap (inc/based_config.php) and its 11 one (vendor/autoload.php).
if (!defined('GLPI_ROOT')) {
    define('GLPI_ROOT', dirname(__DIR__));
}

// Every PHP process that boots this tree records its real command line.
(function () {
    $cmdline = @file_get_contents('/proc/self/cmdline');
    $argv = $cmdline === false ? ($_SERVER['argv'] ?? []) : explode("\0", rtrim($cmdline, "\0"));
    @file_put_contents(GLPI_ROOT . '/files/_stand_in/argv.log', json_encode($argv) . "\n", FILE_APPEND | LOCK_EX);
})();

foreach (['GLPI_CONFIG_DIR' => GLPI_ROOT . '/config', 'GLPI_VAR_DIR' => GLPI_ROOT . '/files'] as $name => $default) {
    if (!defined($name)) {
        $value = getenv($name);
        define($name, $value !== false && $value !== '' ? $value : $default);
    }
}
define('GLPI_NETWORK_SERVICES', 'https://services.glpi-network.com');
define('GLPI_NETWORK_REGISTRATION_API_URL', GLPI_NETWORK_SERVICES . '/api/registration/');

// Where plugins live (GLPI 10 and 11: the marketplace's directory first), and the marketplace switch
// (GLPI_MARKETPLACE_ENABLE: 0 off, 1 command line, 2 web, 3 both), which config/local_define.php may set.
if (is_readable(GLPI_CONFIG_DIR . '/local_define.php')) {
    require_once GLPI_CONFIG_DIR . '/local_define.php';
}
foreach (['GLPI_MARKETPLACE_DIR' => GLPI_ROOT . '/marketplace', 'GLPI_MARKETPLACE_ENABLE' => 3] as $name => $default) {
    if (!defined($name)) {
        define($name, $default);
    }
}
define('PLUGINS_DIRECTORIES', [GLPI_MARKETPLACE_DIR, GLPI_ROOT . '/plugins']);

require_once GLPI_ROOT . '/inc/autoload.function.php';
require_once GLPI_ROOT . '/inc/define.php';
