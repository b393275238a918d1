<?php
// Stand-in for GLPI's DBConnection (GLPI 11 asks it whether the database is there).
class DBConnection
{
    public static function isDbAvailable(): bool
    {
        global $DB;
        return $DB instanceof DBmysql && $DB->connected;
    }
}
