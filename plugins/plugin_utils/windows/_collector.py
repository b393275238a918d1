# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The PowerShell collector run on Windows targets, and how to run it.

Private to the glpiops.glpi collection: no compatibility promise.

The script is kept here as text (not as a ``.ps1`` module: those need pwsh for
``ansible-test sanity``).  The action plugin runs it in one execution over the
task's ``winrm`` or ``psrp`` connection: ``collector_command(shell)`` is a short
command, encoded by the connection's PowerShell shell plugin, that reads the script
from its input, and ``collector_script(...)`` is that input.  The script prints one
JSON document (ASCII only, so no code page can garble it)::

    {"raw_format": 1, "os_family": "windows", "deviceid": ..., "deviceid_source": "read|created|unsaved",
     "changed": bool, "sources": {"wmi": {class: [instance, ...]}, "registry": {name: {"keys": [...]}},
     "powercfg": xml, "appx": [...], "monitors": [...], "timezone": {...}, "logged_users": [...],
     "is64bit": bool, "clock": epoch}, "errors": {source: message}}

``sources`` mirrors the GLPI Agent corpus's ``.wmi.json``/``.reg.json`` dumps, so
``_windows``'s parsers read both.  Every source is one PowerShell function named
in ``SOURCE_FUNCTIONS``, run under ``try``/``catch`` with a per-query CIM timeout and
a time budget for the whole run: a failing or slow source costs itself only.
"""

from __future__ import annotations

import json
import re

RAW_FORMAT = 1

# The collector's sources, in the order they run: each is a PowerShell function of COLLECTOR_SCRIPT.
SOURCE_FUNCTIONS = (
    "Get-ComputerSystem", "Get-Bios", "Get-OperatingSystem", "Get-Processors", "Get-Memory", "Get-Disks",
    "Get-Volumes", "Get-Network", "Get-Video", "Get-Sound", "Get-Batteries", "Get-Monitors", "Get-UsbDevices",
    "Get-Softwares", "Get-Hotfixes", "Get-Antivirus", "Get-Accounts", "Get-Licenses", "Get-Firewall", "Get-HyperV",
)

# The error of a source the script did not run because its time budget was used up (see COLLECTOR_SCRIPT):
# the controller reports such a source as cut short, like the POSIX collectors' ``incomplete``.
BUDGET_SKIPPED = "skipped: the collector used up its time budget"

# Reads the script from the input (winrm: stdin; psrp: pipeline input, one line each) and runs it.
READER_SCRIPT = "$ProgressPreference = 'SilentlyContinue'; $s = [string]::Join(\"`n\", @($input)); & ([ScriptBlock]::Create($s))"

COLLECTOR_SCRIPT = r"""
# glpiops.glpi Windows collector: raw CIM instances and registry values as ONE JSON document on stdout.
# No shaping here: the controller parses everything (plugins/plugin_utils/windows/_*.py).
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$Started = [DateTime]::UtcNow
$Result = [ordered]@{ raw_format = 1; os_family = 'windows'; changed = $false
    sources = [ordered]@{ wmi = [ordered]@{}; registry = [ordered]@{} }; errors = [ordered]@{} }
$Wmi = $Result.sources.wmi
$Registry = $Result.sources.registry

# --- helpers ---------------------------------------------------------------------------------------------

# A CIM or registry value as plain JSON: datetimes ISO, byte arrays hex, nested instances as text.
function ConvertTo-Plain($Value) {
    if ($null -eq $Value) { return $null }
    if ($Value -is [DateTime]) { return $Value.ToString('yyyy-MM-ddTHH:mm:ss') }
    if ($Value -is [byte[]]) { return (($Value | ForEach-Object { $_.ToString('x2') }) -join '') }
    if ($Value -is [Array]) { return ,@($Value | ForEach-Object { ConvertTo-Plain $_ }) }
    if ($Value -is [Microsoft.Management.Infrastructure.CimInstance]) { return $Value.ToString() }
    return $Value
}

# The instances of a CIM class as a list of {Property: value}; empty when the class or namespace is absent.
function Get-Instances([string]$Class, [string]$Namespace = 'root/cimv2', [string]$Filter) {
    $params = @{ ClassName = $Class; Namespace = $Namespace; OperationTimeoutSec = $CimTimeout; ErrorAction = 'Stop' }
    if ($Filter) { $params.Filter = $Filter }
    $list = New-Object System.Collections.ArrayList
    foreach ($obj in @(Get-CimInstance @params)) {
        $item = [ordered]@{}
        foreach ($p in $obj.CimInstanceProperties) { $item[$p.Name] = ConvertTo-Plain $p.Value }
        [void]$list.Add($item)
    }
    return ,$list
}

# Stores a class's instances under sources.wmi[Class]; a failure is recorded under errors, never thrown.
function Add-Wmi([string]$Class, [string]$Namespace = 'root/cimv2', [string]$Filter) {
    try { $Wmi[$Class] = Get-Instances $Class $Namespace $Filter }
    catch { $Result.errors["wmi:$Class"] = $_.Exception.Message }
}

$RegTypes = @{ String = 'REG_SZ'; ExpandString = 'REG_EXPAND_SZ'; Binary = 'REG_BINARY'; DWord = 'REG_DWORD'
    QWord = 'REG_QWORD'; MultiString = 'REG_MULTI_SZ'; None = 'REG_NONE'; Unknown = 'REG_UNKNOWN' }

function Open-RegKey([string]$Hive, [string]$Path) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey($Hive, [Microsoft.Win32.RegistryView]::Registry64)
    if (-not $Path) { return $base }
    return $base.OpenSubKey($Path)
}

# Appends a key and its subkeys (down to $Depth levels) as {path, values: {name: {type, data}}}: the .reg.json form.
function Add-RegTree($Keys, $Key, [int]$Depth) {
    if ($null -eq $Key) { return }
    $values = [ordered]@{}
    foreach ($name in $Key.GetValueNames()) {
        try {
            $kind = [string]$Key.GetValueKind($name)
            $data = $Key.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
            if ($kind -eq 'DWord') { $data = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$data), 0) }
            elseif ($kind -eq 'QWord') { $data = [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]$data), 0) }
            else { $data = ConvertTo-Plain $data }
            $type = $RegTypes[$kind]; if (-not $type) { $type = 'REG_UNKNOWN' }
            $values[$name] = [ordered]@{ type = $type; data = $data }
        } catch { }
    }
    [void]$Keys.Add([ordered]@{ path = $Key.Name; values = $values })
    if ($Depth -le 0) { return }
    foreach ($sub in $Key.GetSubKeyNames()) {
        try { Add-RegTree $Keys $Key.OpenSubKey($sub) ($Depth - 1) } catch { }
    }
}

# Stores registry keys (HKLM paths, each with its subkeys to $Depth) as one dump under sources.registry[Name].
function Add-Registry([string]$Name, [string[]]$Paths, [int]$Depth = 0, [string]$Hive = 'LocalMachine') {
    try {
        $keys = New-Object System.Collections.ArrayList
        foreach ($path in $Paths) { Add-RegTree $keys (Open-RegKey $Hive $path) $Depth }
        if ($keys.Count) { $Registry[$Name] = [ordered]@{ keys = $keys } }
    } catch { $Result.errors["registry:$Name"] = $_.Exception.Message }
}

# --- one function per source -----------------------------------------------------------------------------

function Get-ComputerSystem {
    Add-Wmi Win32_ComputerSystem
    Add-Wmi Win32_ComputerSystemProduct
}

function Get-Bios {
    Add-Wmi Win32_BIOS
    Add-Wmi Win32_SystemEnclosure
    Add-Wmi Win32_BaseBoard
}

function Get-OperatingSystem {
    Add-Wmi Win32_OperatingSystem
    Add-Wmi Win32_PageFileUsage
    Add-Registry CurrentVersion @('SOFTWARE\Microsoft\Windows NT\CurrentVersion')
    Add-Registry lanmanserver @('SYSTEM\CurrentControlSet\Services\lanmanserver\Parameters')
    $zone = [TimeZoneInfo]::Local
    $minutes = [int]$zone.GetUtcOffset([DateTime]::Now).TotalMinutes
    $sign = '+'; if ($minutes -lt 0) { $sign = '-' }
    $abs = [Math]::Abs($minutes)
    $Result.sources.timezone = [ordered]@{ name = $zone.Id; offset_minutes = $minutes
        offset = ('{0}{1:00}{2:00}' -f $sign, [Math]::Floor($abs / 60), ($abs % 60)) }
    $Result.sources.is64bit = [Environment]::Is64BitOperatingSystem
    $Result.sources.clock = [int64](([DateTime]::UtcNow - [DateTime]'1970-01-01').TotalSeconds)
}

function Get-Processors {
    Add-Wmi Win32_Processor
    Add-Registry CentralProcessor @('HARDWARE\DESCRIPTION\System\CentralProcessor') 1
}

function Get-Memory {
    Add-Wmi Win32_PhysicalMemory
    Add-Wmi Win32_PhysicalMemoryArray
}

function Get-Disks {
    Add-Wmi MSFT_PhysicalDisk 'root/Microsoft/Windows/Storage'
    if (-not $Wmi['MSFT_PhysicalDisk'] -or $Wmi['MSFT_PhysicalDisk'].Count -eq 0) { Add-Wmi Win32_DiskDrive }
    Add-Wmi Win32_CDROMDrive
}

function Get-Volumes {
    Add-Wmi Win32_LogicalDisk
    Add-Wmi Win32_Volume
    Add-Wmi Win32_EncryptableVolume 'root/CIMV2/Security/MicrosoftVolumeEncryption'   # administrators only
}

function Get-Network {
    Add-Wmi Win32_NetworkAdapterConfiguration
    Add-Wmi MSFT_NetAdapter 'root/StandardCimv2'
    if (-not $Wmi['MSFT_NetAdapter'] -or $Wmi['MSFT_NetAdapter'].Count -eq 0) { Add-Wmi Win32_NetworkAdapter }
}

function Get-Video {
    Add-Wmi Win32_VideoController
    Add-Registry '{4d36e968-e325-11ce-bfc1-08002be10318}' @('SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}') 1
}

function Get-Sound { Add-Wmi Win32_SoundDevice }

function Get-Batteries {
    Add-Wmi Win32_Battery
    if (-not $Wmi['Win32_Battery'] -or $Wmi['Win32_Battery'].Count -eq 0) { return }
    $file = Join-Path ([IO.Path]::GetTempPath()) ('glpiops-battery-' + [Guid]::NewGuid().ToString() + '.xml')
    try {
        $null = & powercfg.exe /batteryreport /xml /output $file 2>&1
        if (Test-Path -LiteralPath $file) { $Result.sources.powercfg = [IO.File]::ReadAllText($file) }
    } finally { Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue }
}

function Get-Monitors {
    Add-Wmi WmiMonitorID 'root/wmi'
    $monitors = New-Object System.Collections.ArrayList
    foreach ($id in @($Wmi['WmiMonitorID'])) {
        if ($null -eq $id) { continue }
        $instance = $id['InstanceName'] -replace '_\d+$', ''
        try {
            $key = Open-RegKey LocalMachine ("SYSTEM\CurrentControlSet\Enum\$instance\Device Parameters")
            $edid = $null; if ($key) { $edid = $key.GetValue('EDID') }
            if ($edid) { [void]$monitors.Add([ordered]@{ instance = $instance; edid = [Convert]::ToBase64String($edid) }) }
        } catch { }
    }
    $Result.sources.monitors = $monitors
}

function Get-UsbDevices { Add-Wmi CIM_LogicalDevice -Filter "DeviceID LIKE 'USB%'" }

function Get-Softwares {
    $uninstall = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
    $paths = @($uninstall, 'SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall')
    Add-Registry Uninstall $paths 1
    # Per-user software of the loaded user hives (users logged on, services' accounts).
    $users = Open-RegKey Users ''
    $keys = New-Object System.Collections.ArrayList
    foreach ($sid in $users.GetSubKeyNames()) {
        if ($sid -notmatch '^S-1-(5-21|12-1)-[\d-]+$') { continue }
        try { Add-RegTree $keys $users.OpenSubKey("$sid\$uninstall") 1 } catch { }
    }
    if ($keys.Count) {
        if (-not $Registry['Uninstall']) { $Registry['Uninstall'] = [ordered]@{ keys = New-Object System.Collections.ArrayList } }
        foreach ($k in $keys) { [void]$Registry['Uninstall'].keys.Add($k) }
    }
    # SQL Server editions (to name the engine as GLPI Agent does).
    Add-Registry SQL @('SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL')
    $sql = Open-RegKey LocalMachine 'SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL'
    if ($sql) {
        $setups = @($sql.GetValueNames() | ForEach-Object { 'SOFTWARE\Microsoft\Microsoft SQL Server\' + $sql.GetValue($_) + '\Setup' })
        Add-Registry Setup $setups
    }
    # UWP packages: all users' when allowed (administrators), else the login's own.
    $packages = $null
    try { $packages = @(Get-AppxPackage -AllUsers -ErrorAction Stop) }
    catch { try { $packages = @(Get-AppxPackage -ErrorAction Stop) } catch { $Result.errors['appx'] = $_.Exception.Message } }
    $appx = New-Object System.Collections.ArrayList
    foreach ($p in @($packages)) {
        if ($null -eq $p -or $p.IsFramework -or $p.IsResourcePackage) { continue }
        $installed = $null
        $invariant = [Globalization.CultureInfo]::InvariantCulture
        try { $installed = (Get-Item -LiteralPath $p.InstallLocation -ErrorAction Stop).CreationTime.ToString('MM/dd/yyyy', $invariant) } catch { }
        [void]$appx.Add([ordered]@{ NAME = $p.Name; PUBLISHER = ($p.Publisher -replace '^CN=([^,]+).*$', '$1'); PUBID = $p.PublisherId
            ARCH = ([string]$p.Architecture).ToLowerInvariant(); VERSION = [string]$p.Version; FOLDER = $p.InstallLocation
            INSTALLDATE = $installed; SYSTEM_CATEGORY = ([string]$p.SignatureKind).ToLowerInvariant() })
    }
    $Result.sources.appx = $appx
}

function Get-Hotfixes { Add-Wmi Win32_QuickFixEngineering }

function Get-Antivirus {
    Add-Wmi AntiVirusProduct 'root/SecurityCenter2'                  # workstations only
    Add-Wmi MSFT_MpComputerStatus 'root/Microsoft/Windows/Defender'   # Defender, servers included
}

function Get-Accounts {
    Add-Wmi Win32_UserAccount -Filter "LocalAccount=True"
    Add-Wmi Win32_Group -Filter "LocalAccount=True"
    foreach ($group in @($Wmi['Win32_Group'])) {
        if ($null -eq $group) { continue }
        try { $group['Members'] = @(Get-LocalGroupMember -SID $group['SID'] -ErrorAction Stop | ForEach-Object { [string]$_.Name }) } catch { }
    }
    $owners = New-Object System.Collections.ArrayList
    try {
        foreach ($p in @(Get-CimInstance Win32_Process -Filter "Name='explorer.exe'" -OperationTimeoutSec $CimTimeout)) {
            $o = Invoke-CimMethod -InputObject $p -MethodName GetOwner -OperationTimeoutSec $CimTimeout
            if ($o.User) { [void]$owners.Add([ordered]@{ User = $o.User; Domain = $o.Domain }) }
        }
    } catch { $Result.errors['logged_users'] = $_.Exception.Message }
    $Result.sources.logged_users = $owners
    Add-Registry LogonUI @('SOFTWARE\Microsoft\Windows\CurrentVersion\Authentication\LogonUI')
    Add-Registry Winlogon @('SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon')
    $logon = Open-RegKey LocalMachine 'SOFTWARE\Microsoft\Windows\CurrentVersion\Authentication\LogonUI'
    $sid = $null; if ($logon) { $sid = $logon.GetValue('LastLoggedOnUserSID') }
    if ($sid) { Add-Registry IdentityStore @("SOFTWARE\Microsoft\IdentityStore\Cache\$sid\IdentityCache\$sid") }
}

function Get-Licenses {
    foreach ($pair in @(@('Office', 'SOFTWARE\Microsoft\Office'), @('Office32', 'SOFTWARE\Wow6432Node\Microsoft\Office'))) {
        $root = Open-RegKey LocalMachine $pair[1]
        if (-not $root) { continue }
        $keys = New-Object System.Collections.ArrayList
        Add-RegTree $keys $root 0
        foreach ($version in $root.GetSubKeyNames()) {
            $registration = $root.OpenSubKey("$version\Registration")
            if ($registration) { foreach ($guid in $registration.GetSubKeyNames()) { Add-RegTree $keys $registration.OpenSubKey($guid) 0 } }
        }
        $Registry[$pair[0]] = [ordered]@{ keys = $keys }
    }
    Add-Wmi SoftwareLicensingProduct -Filter "PartialProductKey IS NOT NULL"
}

function Get-Firewall {
    $policy = 'SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy'
    foreach ($profile in 'DomainProfile', 'StandardProfile', 'PublicProfile') { Add-Registry $profile @("$policy\$profile") }
    $list = 'SOFTWARE\Microsoft\Windows NT\CurrentVersion\NetworkList'
    $keys = New-Object System.Collections.ArrayList
    Add-RegTree $keys (Open-RegKey LocalMachine $list) 0
    Add-RegTree $keys (Open-RegKey LocalMachine "$list\Profiles") 1
    Add-RegTree $keys (Open-RegKey LocalMachine "$list\Signatures") 2
    if ($keys.Count) { $Registry['NetworkList'] = [ordered]@{ keys = $keys } }
    Add-Registry DNSRegisteredAdapters @('SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\DNSRegisteredAdapters') 1
}

function Get-HyperV {
    if (-not (Get-CimInstance -Namespace root -ClassName __Namespace -Filter "Name='virtualization'" -OperationTimeoutSec $CimTimeout)) { return }
    foreach ($class in 'Msvm_ComputerSystem', 'Msvm_MemorySettingData', 'Msvm_ProcessorSettingData', 'Msvm_VirtualSystemSettingData') {
        Add-Wmi $class 'root/virtualization/v2'
    }
}

# GLPI Agent's remote inventory keeps the deviceid here: reuse it, or create it (written unless in check mode).
function Get-DeviceId {
    $path = 'SOFTWARE\GLPI-Agent\Remote'
    $key = Open-RegKey LocalMachine $path
    $stored = $null; if ($key) { $stored = $key.GetValue('deviceid') }
    if ($stored -and $stored -match '^\S+$') { $Result.deviceid = $stored; $Result.deviceid_source = 'read'; return }
    $name = $env:COMPUTERNAME; if (-not $name) { $name = 'windows' }
    $Result.deviceid = $name.ToLowerInvariant() + '-' + (Get-Date).ToString('yyyy-MM-dd-HH-mm-ss')
    $Result.deviceid_source = 'unsaved'
    if ($CheckMode -or -not $StoreDeviceId) { return }
    try {
        $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', [Microsoft.Win32.RegistryView]::Registry64)
        $w = $base.CreateSubKey($path)
        $w.SetValue('deviceid', $Result.deviceid, [Microsoft.Win32.RegistryValueKind]::String)
        $Result.deviceid_source = 'created'; $Result.changed = $true
    } catch { $Result.errors['deviceid'] = 'not stored (administrators only): ' + $_.Exception.Message }
}

# --- run every source, each guarded and within the time budget --------------------------------------------

$SourceFunctions = @(@SOURCE_FUNCTIONS@)
try { Get-DeviceId } catch { $Result.errors['deviceid'] = $_.Exception.Message }
foreach ($source in $SourceFunctions) {
    if (([DateTime]::UtcNow - $Started).TotalSeconds -gt $TimeBudget) {
        $Result.errors[$source] = 'skipped: the collector used up its time budget'
        continue
    }
    try { & $source } catch { $Result.errors[$source] = $_.Exception.Message }
}

# One JSON document, non-ASCII characters escaped so that no console code page can change them.
$json = ConvertTo-Json -InputObject $Result -Depth 12 -Compress
[regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
"""


def _ps_bool(value):
    return "$true" if value else "$false"


def collector_script(check_mode=False, cim_timeout=30, time_budget=300, store_deviceid=True):
    """The script to send as the input of ``collector_command``: settings first, then ``COLLECTOR_SCRIPT``.

    ``store_deviceid`` false (the task gives its own deviceid) leaves the registry as it is.
    """
    header = "$CheckMode = %s\n$CimTimeout = %d\n$TimeBudget = %d\n$StoreDeviceId = %s\n" % (
        _ps_bool(check_mode), int(cim_timeout), int(time_budget), _ps_bool(store_deviceid))
    names = ", ".join("'%s'" % name for name in SOURCE_FUNCTIONS)
    return header + COLLECTOR_SCRIPT.replace("@SOURCE_FUNCTIONS@", names)


def collector_command(shell):
    """The command that runs the script given as input, encoded by the connection's PowerShell ``shell`` plugin."""
    # pylint: disable-next=protected-access
    return shell._encode_script(READER_SCRIPT, strict_mode=False, preserve_rc=False)


def parse_collector_output(stdout):
    """The collector's JSON document from its output (text around it, such as CLIXML progress, ignored).

    Returns ``(document, error)``: ``error`` is ``None`` when a document was found.
    """
    if isinstance(stdout, bytes):
        stdout = stdout.decode("utf-8", "replace")
    if not isinstance(stdout, str):
        return None, "the collector printed nothing"
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{\"raw_format\"", stdout):
        try:
            document, _end = decoder.raw_decode(stdout, match.start())
        except ValueError:
            continue
        if isinstance(document, dict):
            return document, None
    return None, "the collector's output holds no JSON document: %s" % stdout.strip()[:200]
