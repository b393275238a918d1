# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by the role glpiops.glpi.agent through ansible.builtin.script. The plan (JSON, base64) is computed on the controller:
#   version, install (bool), source (URL or path), msi_path, checksum ("sha256:<hex>"), msiexec_arguments (list),
#   registry ({key: value} under HKLM\SOFTWARE\GLPI-Agent), manage_service, run_mode.
# The role embeds the plan in a copy of this script (it may hold the agent's password: never a command-line argument,
# which every local user can read); -Plan serves manual runs.
# Prints one JSON object: {changed, messages}. With -CheckMode it reads only.
param(
    [string]$Plan = '',
    [switch]$CheckMode
)
$ErrorActionPreference = 'Stop'
if (-not $Plan) { $Plan = '@GLPIOPS_EMBEDDED_PLAN@' }
$plan = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Plan)) | ConvertFrom-Json
$changed = $false
$messages = @()

function Get-InstalledVersion {
    $keys = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*'
    $entry = Get-ItemProperty -Path $keys -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName -like 'GLPI Agent*' } | Select-Object -First 1
    if ($entry) { return [string]$entry.DisplayVersion }
    return ''
}

$installed = Get-InstalledVersion
# The MSI's DisplayVersion carries a build number (1.11.0.x): compare the leading parts.
$wanted = [string]$plan.version
if ($plan.install -and -not ($installed -eq $wanted -or $installed.StartsWith($wanted + '.'))) {
    $changed = $true
    $messages += "GLPI Agent $wanted installed (was: $(if ($installed) { $installed } else { 'none' }))"
    if (-not $CheckMode) {
        $algorithm, $expected = ([string]$plan.checksum).Split(':', 2)
        if ($plan.source -match '^https?://') {
            [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
            Invoke-WebRequest -Uri $plan.source -OutFile $plan.msi_path -UseBasicParsing
        } else {
            Copy-Item -LiteralPath $plan.source -Destination $plan.msi_path -Force
        }
        $actual = (Get-FileHash -LiteralPath $plan.msi_path -Algorithm $algorithm.ToUpper()).Hash
        if ($actual -ne $expected.ToUpper()) {
            Remove-Item -LiteralPath $plan.msi_path -Force
            throw "$($plan.source) has checksum $($algorithm):$($actual.ToLower()), not $($plan.checksum)"
        }
        $process = Start-Process -FilePath msiexec.exe -ArgumentList $plan.msiexec_arguments -Wait -PassThru
        if ($process.ExitCode -ne 0 -and $process.ExitCode -ne 3010) {
            throw "msiexec failed with exit code $($process.ExitCode); log: $($plan.msi_path).log"
        }
    }
}

$registryPath = 'HKLM:\SOFTWARE\GLPI-Agent'
if (-not (Test-Path $registryPath)) {
    $changed = $true
    if (-not $CheckMode) { New-Item -Path $registryPath -Force | Out-Null }
}
$registryChanged = $false
foreach ($property in $plan.registry.PSObject.Properties) {
    $current = (Get-ItemProperty -Path $registryPath -Name $property.Name -ErrorAction SilentlyContinue).($property.Name)
    if ([string]$current -ne [string]$property.Value) {
        $registryChanged = $true
        $messages += "registry value $($property.Name) set"
        if (-not $CheckMode) {
            New-ItemProperty -Path $registryPath -Name $property.Name -Value ([string]$property.Value) -PropertyType String -Force | Out-Null
        }
    }
}
if ($registryChanged) {
    $changed = $true
    $service = Get-Service -Name glpi-agent -ErrorAction SilentlyContinue
    if ($plan.manage_service -and $plan.run_mode -eq 'service' -and $service -and -not $CheckMode) {
        Restart-Service -Name glpi-agent
        $messages += 'service glpi-agent restarted'
    }
}
if ($plan.manage_service -and $plan.run_mode -eq 'service') {
    $service = Get-Service -Name glpi-agent -ErrorAction SilentlyContinue
    if ($service -and $service.Status -ne 'Running') {
        $changed = $true
        $messages += 'service glpi-agent started'
        if (-not $CheckMode) { Start-Service -Name glpi-agent }
    }
}
@{ changed = $changed; messages = $messages } | ConvertTo-Json -Compress
