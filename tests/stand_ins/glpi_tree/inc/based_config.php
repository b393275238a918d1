<?php
// Stand-in for GLPI 9.5/10.0's inc/based_config.php: constants, autoloader, version.
require_once dirname(__DIR__) . '/inc/stand_in_bootstrap.php';
