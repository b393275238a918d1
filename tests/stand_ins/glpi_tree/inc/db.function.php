<?php
// Stand-in for GLPI's inc/db.function.php (the read helper includes it; nothing here is needed).
function getTableForItemType($itemtype)
{
    return 'glpi_' . strtolower($itemtype) . 's';
}
