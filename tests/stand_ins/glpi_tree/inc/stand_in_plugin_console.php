<?php
// Stand-in for GLPI's plugin:* and marketplace:* console commands, as the lab transcript recorded them
// (tests/fixtures/reference/glpi/plugin-console-transcript.txt): same words, same exit codes, same rows after.

const STAND_IN_USERS = ['glpi', 'tech', 'normal', 'post-only'];
const STAND_IN_KEY_MESSAGE = 'The GLPI Network registration key is missing or invalid';

function stand_in_error_block(string $message): void
{
    $blank = str_repeat(' ', strlen($message) + 4);
    fwrite(STDERR, "\n$blank\n  $message  \n$blank\n\n");
}

function stand_in_plugin_command(string $command, array $directories, array $values, array $flags, int $major): int
{
    $plugin = new Plugin();
    $force = isset($flags['-f']) || isset($flags['--force']);
    if ($command === 'plugin:install') {
        $username = $values['username'] ?? null;
        if ($major < 11 && !in_array($username, STAND_IN_USERS, true)) {
            stand_in_error_block('User name defined by --username option is invalid.');
            fwrite(STDERR, "plugin:install [-a|--all] [-p|--param [PARAM]] [-u|--username USERNAME] [-f|--force] [--] [<directory>...]\n\n");
            return 1;
        }
        if (isset($flags['-a']) || isset($flags['--all'])) {
            foreach (PLUGINS_DIRECTORIES as $base) {
                foreach (is_dir($base) ? scandir($base) : [] as $key) {
                    if ($key[0] !== '.' && is_file("$base/$key/setup.php") && !$plugin->isInstalled($key)) {
                        $directories[] = $key;
                    }
                }
            }
        }
    }
    if ($command === 'plugin:uninstall') {
        echo "This action will permanently delete data\n";
        if (!isset($flags['-n']) && !isset($flags['--no-interaction']) && strtolower(trim((string) fgets(STDIN)))[0] !== 'y') {
            return 0;
        }
    }
    $failed = false;
    foreach (array_unique($directories) as $key) {
        echo "Processing plugin \"$key\"...\n";
        if (!$plugin->isLoadable($key)) {
            echo "Invalid plugin directory \"$key\".\n";
            $failed = true;
            continue;
        }
        switch ($command) {
            case 'plugin:install':
                $plugin->checkPluginState($key);
                if ($plugin->isInstalled($key) && !$force) {
                    echo "Plugin \"$key\" is already installed. Use --force option to force reinstallation.\n";
                    $failed = true;
                    break;
                }
                $state = $plugin->install($key, $values['param'] ?? []);
                echo $state === Plugin::NOTACTIVATED
                    ? "Plugin \"$key\" has been installed and can be activated.\n"
                    : "Plugin \"$key\" has been installed and must be configured.\n";
                break;
            case 'plugin:activate':
                if ($plugin->isActivated($key)) {
                    echo "Plugin \"$key\" is already active.\n";
                    $failed = true;
                } elseif (!$plugin->isInstalled($key)) {
                    echo "Plugin \"$key\" is not installed.\n";
                    $failed = true;
                } elseif (!$plugin->activate($key)) {
                    echo "Plugin \"$key\" could not be activated.\n";
                    $failed = true;
                } else {
                    echo "Plugin \"$key\" has been activated.\n";
                }
                break;
            case 'plugin:deactivate':
                if (!$plugin->isActivated($key)) {
                    echo "Plugin \"$key\" is already inactive.\n";
                    $failed = true;
                } else {
                    $plugin->unactivate($key);
                    echo "Plugin \"$key\" has been deactivated.\n";
                }
                break;
            case 'plugin:uninstall':
                if (!$plugin->isInstalled($key)) {
                    echo "Plugin \"$key\" is not installed.\n";
                    $failed = true;
                } else {
                    $plugin->uninstall($key);
                    echo "Plugin \"$key\" has been uninstalled.\n";
                }
                break;
        }
    }
    return $failed ? 1 : 0;
}

function stand_in_plugin_list(array $values): int
{
    $list = [];
    $labels = [0 => 'New', 1 => 'Enabled', 2 => 'Not installed', 3 => 'Installed / not configured', 4 => 'Installed / not activated', 6 => 'To update'];
    foreach ((new Plugin())->getList() as $row) {
        $dir = Plugin::getPhpDir($row['directory']);
        $list[] = ['key' => $row['directory'], 'name' => $row['name'], 'version' => $row['version'],
                   'state' => $labels[$row['state']] ?? 'Error / to clean',
                   'install_method' => $dir !== null && strpos($dir, GLPI_MARKETPLACE_DIR . '/') === 0 ? 'Installed from marketplace' : 'Manually installed'];
    }
    if (($values['format'] ?? 'table') === 'json') {
        echo json_encode($list) . "\n";
    } else {
        foreach ($list as $item) {
            echo implode(' | ', $item) . "\n";
        }
    }
    return 0;
}

/** GLPI Network as the marketplace sees it: 'valid', or why not ('unreachable', 'invalid'). */
function stand_in_network_state(): string
{
    $answer = trim((string) @file_get_contents(GLPI_VAR_DIR . '/_stand_in/glpinetwork-answer')) ?: 'valid';
    if ($answer === 'unreachable') {
        return 'unreachable';
    }
    return GLPINetwork::getRegistrationKey() !== '' && in_array($answer, ['valid', 'terminated'], true) ? 'valid' : 'invalid';
}

function stand_in_unreachable_warnings(): void
{
    $error = 'Connection failed. If you use a proxy, please configure it. (Could not resolve host: services.glpi-network.com)';
    echo "PHP User Warning (512): $error in " . GLPI_ROOT . "/src/Toolbox.php at line 1543\n";
    echo "PHP User Warning (512): Unable to fetch registration information.\nError message:$error\nResponse:\n in " . GLPI_ROOT . "/src/GLPINetwork.php at line 244\n";
    fwrite(STDERR, "PHP Warning:  $error in " . GLPI_ROOT . "/src/Toolbox.php on line 1543\n");
    fwrite(STDERR, "PHP Warning:  Unable to fetch registration information.\nError message:$error\nResponse:\n in " . GLPI_ROOT . "/src/GLPINetwork.php on line 244\n");
}

function stand_in_marketplace_command(string $command, array $keys, array $flags, int $major): int
{
    $network = stand_in_network_state();
    if ($network === 'unreachable' && $major < 11) {
        stand_in_unreachable_warnings();
    }
    if ($network !== 'valid') {
        echo STAND_IN_KEY_MESSAGE . "\n";
        if ($command === 'marketplace:download') {
            foreach ($keys as $key) {
                echo "Plugin \"$key\" cannot be downloaded\n";
            }
        }
        return 1;
    }
    $store = GLPI_VAR_DIR . '/_stand_in/marketplace-store';
    if ($command !== 'marketplace:download') {
        foreach (is_dir($store) ? array_diff(scandir($store), ['.', '..']) : [] as $key) {
            echo "$key\n";
        }
        return 0;
    }
    $rc = 0;
    foreach ($keys as $key) {
        $target = GLPI_MARKETPLACE_DIR . "/$key";
        if (is_dir($target) && !isset($flags['-f']) && !isset($flags['--force'])) {
            echo "Plugin \"$key\" is already downloaded. Use --force to force it to download again.\n";
            continue;
        }
        if (!is_dir("$store/$key") || !is_writable(GLPI_MARKETPLACE_DIR)) {
            echo "Plugin \"$key\" could not be downloaded\n";
            continue;  // exit code 0, as GLPI's code does for this case
        }
        exec('cp -r ' . escapeshellarg("$store/$key") . ' ' . escapeshellarg($target), $unused, $copy_rc);
        echo $copy_rc === 0 ? "Plugin \"$key\" has been downloaded.\n" : "Plugin \"$key\" could not be downloaded\n";
    }
    return $rc;
}

function stand_in_list_namespace(string $namespace, int $major): int
{
    $descriptions = [
        'plugin:activate' => 'Activate plugin(s)',
        'plugin:deactivate' => 'Deactivate plugin(s)',
        'plugin:install' => 'Run plugin(s) installation script',
        'plugin:uninstall' => 'Run plugin(s) uninstallation script',
        'marketplace:download' => 'Download plugin from the GLPI marketplace',
        'marketplace:info' => 'Get information about a plugin',
        'marketplace:search' => 'Search GLPI marketplace',
    ];
    if ($major >= 11) {
        $descriptions += [
            'plugin:list' => 'List all plugins present in the plugins directory or from the marketplace',
            'plugin:resume_execution' => 'Resume execution of all active plugins',
            'plugin:suspend_execution' => 'Suspend execution of all active plugins',
            'marketplace:upgrade' => 'Download all plugins to their latest compatible versions, update all active plugins and reactivate those that were active.',
        ];
    }
    $names = array_filter(array_keys($descriptions), function ($name) use ($namespace) {
        return strpos($name, "$namespace:") === 0;
    });
    sort($names);
    $width = max(array_map('strlen', $names)) + 3;
    foreach ($names as $name) {
        echo str_pad($name, $width) . $descriptions[$name] . "\n";
    }
    return 0;
}
