<?php
// Stand-in database: a JSON file (named by $dbhost in config_db.php) holding glpi_configs rows.
class DBmysql
{
    public $dbhost = '';
    public $connected = false;
    public $error = 0;

    public function __construct()
    {
        $this->connected = is_file($this->dbhost) && !file_exists($this->dbhost . '.down');
        $this->error = $this->connected ? 0 : 1;
    }

    private function rows(): array
    {
        $rows = json_decode((string) file_get_contents($this->dbhost), true);
        return is_array($rows) ? $rows : [];
    }

    public function configRows(string $context): array
    {
        return array_values(array_filter($this->rows(), function ($row) use ($context) {
            return $row['context'] === $context;
        }));
    }

    public function setConfigRow(string $context, string $name, string $value): void
    {
        $rows = $this->rows();
        $found = false;
        foreach ($rows as &$row) {
            if ($row['context'] === $context && $row['name'] === $name) {
                $row['value'] = $value;
                $found = true;
            }
        }
        unset($row);
        if (!$found) {
            $rows[] = ['context' => $context, 'name' => $name, 'value' => $value];
        }
        $tmp = $this->dbhost . '.tmp';
        file_put_contents($tmp, json_encode($rows, JSON_PRETTY_PRINT) . "\n");
        rename($tmp, $this->dbhost);
    }
}
