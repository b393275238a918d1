# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shape what the Windows collector returned into GLPI inventory sections.

Private to the glpiops.glpi collection: no compatibility promise.

``SECTION_BUILDERS`` maps a section name to ``func(sources)``, like the Linux
builders of ``inventory/_document.py``; ``sources`` is the collector's ``sources``
object (see ``plugin_utils/windows/_collector.py``): ``{"wmi": {class: instances},
"registry": {name: dump}, "powercfg": xml, "appx": [...], "monitors": [...],
"timezone": {...}, "logged_users": [...], "is64bit": bool}``.  The readers under
``plugin_utils/windows/`` (``_system``, ``_storage``, ``_network``, ``_software``,
``_licenses``, ``_devices``, ``_accounts``, ``_virtualmachines``, all over
``_values``) give GLPI Agent's values; ``glpi_entry`` then does what the agent's
JSON form does before sending (dates to ``YYYY-MM-DD``, renamed and typed keys,
unknown keys dropped), so every section validates against both GLPI schemas.
"""

from __future__ import annotations

import base64
import binascii
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _edid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows import (
    _accounts, _devices, _licenses, _network, _software, _storage, _system, _values, _virtualmachines,
)

# The keys GLPI 10's strict schema knows per section (a single unknown key makes it refuse the document).
SCHEMA_KEYS = {
    "antivirus": ("company", "enabled", "guid", "name", "uptodate", "version", "expiration", "base_creation", "base_version"),
    "batteries": ("capacity", "real_capacity", "date", "chemistry", "manufacturer", "name", "serial", "voltage"),
    "bios": ("assettag", "bdate", "bmanufacturer", "bversion", "mmanufacturer", "mmodel", "msn", "skunumber",
             "smanufacturer", "smodel", "ssn", "biosserial", "enclosureserial", "secure_boot"),
    "cpus": ("arch", "core", "corecount", "description", "external_clock", "familyname", "familynumber", "id",
             "manufacturer", "model", "name", "serial", "speed", "stepping", "thread", "cache"),
    "drives": ("description", "letter", "systemdrive", "filesystem", "free", "serial", "total", "type", "volumn",
               "createdate", "label", "encrypt_name", "encrypt_algo", "encrypt_status", "encrypt_type"),
    "firewalls": ("description", "ipaddress", "ipaddress6", "profile", "status"),
    "hardware": ("chassis_type", "datelastloggeduser", "defaultgateway", "dns", "lastloggeduser", "memory", "name",
                 "swap", "uuid", "vmsystem", "workgroup", "type", "description", "winprodid", "winowner", "winprodkey",
                 "wincompany", "winlang"),
    "licenseinfos": ("name", "fullname", "key", "components", "trial", "update", "activation_date", "productid"),
    "local_groups": ("id", "members", "name"),
    "local_users": ("home", "id", "login", "name", "shell"),
    "memories": ("capacity", "caption", "description", "manufacturer", "memorycorrection", "numslots", "serialnumber",
                 "model", "speed", "type", "formfactor", "purpose", "removable"),
    "monitors": ("base64", "caption", "description", "manufacturer", "serial", "altserial", "port", "uuencode", "name", "type"),
    "networks": ("description", "management", "ipaddress", "ipaddress6", "ipdhcp", "ipgateway", "ipmask", "ipmask6",
                 "ipsubnet", "ipsubnet6", "mac", "pciid", "pnpdeviceid", "speed", "status", "type", "virtualdev",
                 "manufacturer", "model", "wwn", "driver", "firmware", "pcislot", "mtu", "slaves", "base", "wifi_ssid",
                 "wifi_bssid", "wifi_mode", "wifi_version"),
    "operatingsystem": ("arch", "boot_time", "dns_domain", "fqdn", "full_name", "hostid", "install_date", "kernel_name",
                        "kernel_version", "name", "ssh_key", "service_pack", "timezone", "version"),
    "softwares": ("arch", "comments", "filesize", "from", "guid", "install_date", "name", "publisher", "system_category",
                  "uninstall_string", "url_info_about", "version", "folder", "helplink", "no_remove", "release_type",
                  "version_minor", "version_major", "username", "userid"),
    "sounds": ("caption", "description", "manufacturer", "name"),
    "storages": ("description", "disksize", "firmware", "interface", "manufacturer", "model", "name", "scsi_coid",
                 "scsi_lun", "scsi_unid", "scsi_chid", "serial", "type", "wwn", "encrypt_name", "encrypt_algo",
                 "encrypt_status", "encrypt_type"),
    "usbdevices": ("caption", "class", "manufacturer", "name", "productid", "subclass", "vendorid", "serial"),
    "users": ("domain", "login"),
    "videos": ("name", "chipset", "memory", "resolution", "pcislot"),
    "virtualmachines": ("image", "ipaddress", "memory", "name", "operatingsystem", "status", "subsystem", "uuid", "vcpu",
                        "vmtype", "mac", "comment", "owner", "serial"),
}
_INTEGERS = {"capacity", "real_capacity", "voltage", "core", "corecount", "external_clock", "speed", "stepping", "thread",
             "free", "total", "memory", "swap", "numslots", "mtu", "disksize", "filesize", "vcpu"}
_BOOLEANS = {"systemdrive", "removable", "virtualdev", "management", "no_remove", "enabled", "uptodate", "trial"}
# Strings in the schema although they look like numbers.
_STRINGS = {("memories", "speed"), ("networks", "speed"), ("cpus", "familynumber"), ("cpus", "model"),
            ("softwares", "version_major"), ("softwares", "version_minor")}
_RENAMES = {"installdate": "install_date", "macaddr": "mac", "serialnumber": "serial"}
_NETWORK_STATUSES = ("up", "down", "dormant", "notpresent", "lowerlayerdown", "unknown", "testing")


def _iso_from_dmy(value):
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value or "")
    if match and 1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(1)) <= 31:
        return "%s-%02d-%02d" % (match.group(3), int(match.group(2)), int(match.group(1)))
    return value if re.match(r"^\d{4}-\d{2}-\d{2}$", value or "") else None


def glpi_entry(section, entry):
    """One entry as GLPI Agent's JSON form sends it: keys renamed and limited to the schema, values typed, dates
    as ``YYYY-MM-DD``; ``None`` for an entry that keeps nothing."""
    if not isinstance(entry, dict):
        return None
    allowed = SCHEMA_KEYS.get(section)
    out = {}
    for key, value in entry.items():
        if key.startswith("_") or value is None or value == "":
            continue
        if key in _RENAMES and not (section == "memories" and key == "serialnumber"):
            key = _RENAMES[key]
        if allowed is not None and key not in allowed:
            continue
        if (section, key) in _STRINGS:
            value = str(value) if not isinstance(value, bool) else None
        elif key in _BOOLEANS:
            value = value if isinstance(value, bool) else (bool(_values.integer(value)) if _values.integer(value) is not None else None)
        elif key in _INTEGERS:
            value = _values.integer(value)
        elif key in ("install_date", "date") or (section == "bios" and key == "bdate"):
            value = _iso_from_dmy(value) if key != "bdate" else _bios_iso(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and key != "members":
            value = str(value)
        if (section, key) in (("storages", "interface"),) and isinstance(value, str):
            value = value.upper()
        elif (section, key) in (("virtualmachines", "vmtype"), ("virtualmachines", "status")) and isinstance(value, str):
            value = value.lower()
        if section == "networks" and key == "status":
            value = value.lower() if isinstance(value, str) and value.lower() in _NETWORK_STATUSES else None
        if value is None or value == "":
            continue
        out[key] = value
    return out or None


def _bios_iso(value):
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value or "")
    if match:
        return "%s-%02d-%02d" % (match.group(3), int(match.group(1)), int(match.group(2)))
    return None


def glpi_section(section, value):
    """A parser's result (entry or list of entries) as the section GLPI takes; ``None`` when empty."""
    if isinstance(value, dict):
        return glpi_entry(section, value)
    entries = [glpi_entry(section, entry) for entry in value or []]
    return [entry for entry in entries if entry] or None


# --- builders -------------------------------------------------------------------------------------------------------

def _wmi(sources):
    value = sources.get("wmi")
    return value if isinstance(value, dict) else {}


def _registry(sources, name):
    registry = sources.get("registry")
    if not isinstance(registry, dict):
        return None
    for key, value in registry.items():
        if key.lower() == name.lower():
            return value
    return None


def _arch(sources):
    return "x86_64" if sources.get("is64bit") else "i586"


def build_hardware(sources):
    section = _system.hardware(_wmi(sources), _registry(sources, "CurrentVersion"), _registry(sources, "lanmanserver"))
    user = build_last_user(sources)
    if user:
        section["lastloggeduser"] = user["login"]
    configurations = _wmi(sources).get("Win32_NetworkAdapterConfiguration")
    dns, gateway = [], None
    for obj in _values.instances(configurations):
        if _values.boolean(obj.get("IPEnabled")):
            dns += [server for server in _values.string_list(obj.get("DNSServerSearchOrder")) if server not in dns]
            gateway = gateway or (_values.string_list(obj.get("DefaultIPGateway")) or [None])[0]
    section.update(dns="/".join(dns) or None, defaultgateway=gateway, vmsystem=vmsystem(sources))
    return glpi_section("hardware", section)


_VM_MODELS = (
    (r"VMware", "VMware"), (r"VirtualBox", "VirtualBox"), (r"Virtual Machine", "Hyper-V"), (r"KVM|QEMU|Standard PC", "QEMU"),
    (r"Xen|HVM domU", "Xen"), (r"Parallels", "Parallels"), (r"BHYVE", "bhyve"),
)


def vmsystem(sources):
    """``Physical`` or the hypervisor, from the model, the maker and the BIOS (as GLPI Agent's Win32 modules)."""
    wmi = _wmi(sources)
    computer = _values.first_instance(wmi.get("Win32_ComputerSystem"))
    bios = _values.first_instance(wmi.get("Win32_Bios") or wmi.get("Win32_BIOS"))
    if not computer and not bios:
        return None
    values = (computer.get("Model"), computer.get("Manufacturer"), bios.get("Manufacturer"), bios.get("SMBIOSBIOSVersion"),
              bios.get("SerialNumber"))
    haystack = " ".join(_values.text(value) or "" for value in values)
    if re.search(r"Microsoft Corporation", haystack) and re.search(r"Virtual", haystack):
        return "Hyper-V"
    for pattern, name in _VM_MODELS:
        if re.search(pattern, haystack, re.IGNORECASE):
            return name
    return "Physical"


def build_bios(sources):
    return glpi_section("bios", _system.bios(_wmi(sources)))


def build_operatingsystem(sources):
    return glpi_section("operatingsystem", _system.operating_system(_wmi(sources), _registry(sources, "CurrentVersion"),
                                                                    sources.get("timezone")))


def build_cpus(sources):
    return glpi_section("cpus", _system.cpus(_wmi(sources).get("Win32_Processor"), _registry(sources, "CentralProcessor")))


def build_memories(sources):
    wmi = _wmi(sources)
    return glpi_section("memories", _system.memories(wmi.get("Win32_PhysicalMemory"), wmi.get("Win32_PhysicalMemoryArray")))


def build_storages(sources):
    wmi = _wmi(sources)
    disks = _storage.storages(wmi.get("MSFT_PhysicalDisk")) or _storage.storages(wmi.get("Win32_DiskDrive"))
    return glpi_section("storages", disks + _storage.storages(wmi.get("Win32_CDROMDrive")))


def build_drives(sources):
    wmi = _wmi(sources)
    return glpi_section("drives", _storage.drives(wmi.get("Win32_LogicalDisk"), wmi.get("Win32_Volume"),
                                                  wmi.get("Win32_EncryptableVolume"), wmi.get("Win32_OperatingSystem")))


def interface_entries(sources):
    wmi = _wmi(sources)
    return _network.interfaces(wmi.get("Win32_NetworkAdapterConfiguration"), wmi.get("Win32_NetworkAdapter"), wmi.get("MSFT_NetAdapter"))


def build_networks(sources):
    return glpi_section("networks", interface_entries(sources))


def build_videos(sources):
    return glpi_section("videos", _devices.videos(_wmi(sources).get("Win32_VideoController"),
                                                  _registry(sources, "{4d36e968-e325-11ce-bfc1-08002be10318}")))


def build_sounds(sources):
    return glpi_section("sounds", _devices.sounds(_wmi(sources).get("Win32_SoundDevice")))


def build_batteries(sources):
    found = _devices.powercfg_batteries(sources.get("powercfg")) if sources.get("powercfg") else []
    return glpi_section("batteries", found or _devices.wmi_batteries(_wmi(sources).get("Win32_Battery")))


def build_monitors(sources):
    edids = []
    for monitor in sources.get("monitors") or [] if isinstance(sources.get("monitors"), list) else []:
        if not isinstance(monitor, dict) or not isinstance(monitor.get("edid"), str):
            continue
        try:
            edids.append((monitor.get("instance"), base64.b64decode(monitor["edid"])))
        except (binascii.Error, ValueError):
            continue
    found = _edid.monitors_from_edids(edids) if edids else []
    return glpi_section("monitors", found or _devices.monitors_from_wmi(_wmi(sources).get("WmiMonitorID")))


def build_softwares(sources):
    found = _software.softwares(_registry(sources, "Uninstall"), _arch(sources), _registry(sources, "SQL"), _registry(sources, "Setup"))
    found += _software.hotfixes(_wmi(sources).get("Win32_QuickFixEngineering"), _arch(sources))
    found += _software.appx_packages(sources.get("appx"))
    seen, unique = set(), []
    for entry in found:  # the agent's de-duplication: one entry per name, arch and version
        key = (entry.get("name"), entry.get("arch"), entry.get("version") or "_undef_")
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return glpi_section("softwares", unique)


def build_antivirus(sources):
    wmi = _wmi(sources)
    return glpi_section("antivirus", _software.antivirus(wmi.get("AntiVirusProduct"), wmi.get("MSFT_MpComputerStatus")))


def build_last_user(sources):
    wmi = _wmi(sources)
    return _accounts.last_user(wmi.get("Win32_ComputerSystem"), _registry(sources, "LogonUI"), _registry(sources, "Winlogon"),
                               wmi.get("Win32_UserAccount"), _registry(sources, "IdentityStore"))


def build_users(sources):
    users, seen = [], set()
    last = build_last_user(sources)
    for user in ([last] if last else []) + _accounts.logged_users(sources.get("logged_users")):
        key = ("%s@%s" % (user.get("login"), user.get("domain"))).lower()
        if key not in seen:
            seen.add(key)
            users.append(user)
    return glpi_section("users", users)


def build_local_users(sources):
    return glpi_section("local_users", _accounts.local_users(_wmi(sources).get("Win32_UserAccount")))


def build_local_groups(sources):
    return glpi_section("local_groups", _accounts.local_groups(_wmi(sources).get("Win32_Group")))


def build_firewalls(sources):
    registry = sources.get("registry") if isinstance(sources.get("registry"), dict) else {}
    profiles = {name: registry.get(name) for name in ("DomainProfile", "PublicProfile", "StandardProfile")}
    if not any(profiles.values()):
        return None
    return glpi_section("firewalls", _network.firewalls(profiles, _registry(sources, "NetworkList"),
                                                        _registry(sources, "DNSRegisteredAdapters"), interface_entries(sources)))


def build_licenseinfos(sources):
    registry = sources.get("registry") if isinstance(sources.get("registry"), dict) else {}
    office = [dump for name, dump in sorted(registry.items()) if name.lower().startswith("office")]
    return glpi_section("licenseinfos", _licenses.licenses(office, _wmi(sources).get("SoftwareLicensingProduct")))


def build_usbdevices(sources):
    return glpi_section("usbdevices", _devices.usb_devices(_wmi(sources).get("CIM_LogicalDevice")))


def build_virtualmachines(sources):
    wmi = _wmi(sources)
    return glpi_section("virtualmachines", _virtualmachines.virtual_machines(
        wmi.get("Msvm_ComputerSystem") or wmi.get("MSVM_ComputerSystem"),
        wmi.get("Msvm_MemorySettingData") or wmi.get("MSVM_MemorySettingData"),
        wmi.get("Msvm_ProcessorSettingData") or wmi.get("MSVM_ProcessorSettingData"),
        wmi.get("Msvm_VirtualSystemSettingData") or wmi.get("MSVM_VirtualSystemSettingData")))


SECTION_BUILDERS = {
    "hardware": build_hardware,
    "bios": build_bios,
    "operatingsystem": build_operatingsystem,
    "antivirus": build_antivirus,
    "batteries": build_batteries,
    "cpus": build_cpus,
    "drives": build_drives,
    "firewalls": build_firewalls,
    "licenseinfos": build_licenseinfos,
    "local_groups": build_local_groups,
    "local_users": build_local_users,
    "memories": build_memories,
    "monitors": build_monitors,
    "networks": build_networks,
    "softwares": build_softwares,
    "sounds": build_sounds,
    "storages": build_storages,
    "usbdevices": build_usbdevices,
    "users": build_users,
    "videos": build_videos,
    "virtualmachines": build_virtualmachines,
}
