<?php
// Stand-in for GLPI 11's Symfony kernel: boot() connects the database and loads the configuration.
namespace Glpi\Kernel;

final class Kernel
{
    public function __construct(?string $env = null)
    {
    }

    public function boot(): void
    {
        global $DB, $CFG_GLPI, $GLPI_CACHE;
        $CFG_GLPI = $CFG_GLPI ?? [];
        if (is_readable(GLPI_CONFIG_DIR . '/config_db.php')) {
            require_once GLPI_CONFIG_DIR . '/config_db.php';
            $DB = new \DB();
            if ($DB->connected) {
                \Config::loadLegacyConfiguration();
            }
        }
        $GLPI_CACHE = new class {
            private $items = [];
            public function get($key, $default = null)
            {
                return $this->items[$key] ?? $default;
            }
            public function set($key, $value, $ttl = null)
            {
                $this->items[$key] = $value;
                return true;
            }
        };
    }
}
