<?php
// Stand-in for GLPI 11's composer autoloader (which also defines GLPI_VERSION and the GLPI_* constants).
require_once dirname(__DIR__) . '/inc/stand_in_bootstrap.php';
