<?php
// Stand-in autoloader: class Foo lives in inc/foo.class.php (as in GLPI 9.5), Glpi\Kernel\Kernel in src/.
spl_autoload_register(function ($class) {
    $file = strpos($class, 'Glpi\\') === 0
        ? GLPI_ROOT . '/src/' . str_replace('\\', '/', $class) . '.php'
        : GLPI_ROOT . '/inc/' . strtolower($class) . '.class.php';
    if (is_file($file)) {
        require_once $file;
    }
});
