# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sections of a macOS target's inventory, from what ``_collector_darwin`` returned.

Private to the glpiops.glpi collection: no compatibility promise.

``SECTION_BUILDERS`` maps a section name to ``func(sources) -> list | dict | None``;
``_document.build_inventory`` runs them for ``os_family == "darwin"``.  Pure functions.
"""

from __future__ import annotations

import functools
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _common
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._common import text_of
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _ioreg
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _linux
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _macos
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _system_profiler
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _system_profiler_apps


def _mapping(sources, name):
    value = sources.get(name)
    return value if isinstance(value, dict) else {}


@functools.lru_cache(maxsize=4)
def _tree_of(text):
    return _system_profiler.parse_system_profiler(text)


def profile(sources):
    """The parsed text ``system_profiler`` run (hardware, software, memory, displays, power)."""
    return _tree_of(text_of(sources, "system_profiler"))


def _sysctl(sources):
    return _macos.parse_sysctl(text_of(sources, "sysctl"))


def _platform_devices(sources):
    return _ioreg.parse_ioreg(text_of(sources, "ioreg_platform"), "IOPlatformExpertDevice")


def _gateway(sources):
    return _macos.default_gateway(text_of(sources, "netstat_routes"))


def _swap_mb(value):
    match = re.search(r"total = ([\d.]+)([KMG])", value or "")
    if not match:
        return None
    factor = {"K": 1.0 / 1024, "M": 1, "G": 1024}[match.group(2)]
    return int(float(match.group(1)) * factor)


def build_hardware(sources):
    sysctl = _sysctl(sources)
    memory = _system_profiler.memory_size(profile(sources))
    if memory is None and re.match(r"^\d+$", sysctl.get("hw.memsize") or ""):
        memory = int(sysctl["hw.memsize"]) // (1024 * 1024)
    hardware = {
        "name": _common.short_hostname(sources),
        "uuid": _system_profiler.hardware_uuid(profile(sources), _platform_devices(sources)),
        "memory": memory,
        "swap": _swap_mb(sysctl.get("vm.swapusage")),
        "dns": "/".join(_linux.parse_resolv_conf(text_of(sources, "resolv_conf"))),
        "defaultgateway": _gateway(sources),
    }
    return {key: value for key, value in hardware.items() if value is not None and value != ""}


def build_bios(sources):
    return _system_profiler.bios(profile(sources), _platform_devices(sources)) or None


def build_operatingsystem(sources):
    """As GLPI Agent's ``MacOS::OS``: name ``MacOSX``, full name and version from ``System Version`` (else ``sw_vers``)."""
    uname = sources.get("uname") if isinstance(sources.get("uname"), dict) else {}
    version_line = _system_profiler.system_version(profile(sources))
    match = re.match(r"^(.*?)\s+(\d+.*)", version_line) if version_line else None
    sw_vers = _macos.parse_sw_vers(text_of(sources, "sw_vers"))
    fqdn = text_of(sources, "hostname_fqdn").strip().splitlines()
    fqdn = fqdn[0].strip() if fqdn else _common.short_hostname(sources)
    system = {
        "name": "MacOSX",
        "full_name": match.group(1) if match else sw_vers.get("ProductName"),
        "version": match.group(2) if match else " ".join(filter(None, (sw_vers.get("ProductVersion"),
                                                                       "(%s)" % sw_vers["BuildVersion"] if sw_vers.get("BuildVersion") else None))),
        "kernel_name": "darwin",
        "kernel_version": uname.get("release"),
        "arch": uname.get("machine"),
        "fqdn": fqdn,
        "dns_domain": fqdn.split(".", 1)[1] if "." in fqdn else None,
        "boot_time": _common.format_target_time(_macos.boot_epoch(_sysctl(sources).get("kern.boottime", "")), sources),
    }
    timezone = _mapping(sources, "timezone")
    if re.match(r"^[+-]\d{4}$", timezone.get("offset") or ""):
        system["timezone"] = {"name": timezone.get("abbreviation") or timezone.get("zone") or "", "offset": timezone["offset"]}
    return {key: value for key, value in system.items() if value is not None and value != ""}


def build_cpus(sources):
    return _system_profiler.cpus(profile(sources), text_of(sources, "sysctl_cpu"))


def build_memories(sources):
    return _system_profiler.memories(profile(sources))


def build_videos(sources):
    return _system_profiler.videos(profile(sources))


def build_batteries(sources):
    battery = _system_profiler.battery(profile(sources))
    return [battery] if battery else []


def build_powersupplies(sources):
    charger = _system_profiler.power_supply(profile(sources))
    return [charger] if charger else []


def build_storages(sources):
    outputs = _mapping(sources, "system_profiler_storages")
    storages = []
    for data_type in _system_profiler.STORAGE_DATA_TYPES:
        if isinstance(outputs.get(data_type), str):
            storages += _system_profiler.storages(outputs[data_type], data_type)
    return storages


def build_softwares(sources):
    apps = _system_profiler_apps.applications_from_xml(text_of(sources, "system_profiler_applications"), _common.target_offset_seconds(sources))
    return _system_profiler_apps.softwares(apps)


def build_networks(sources):
    return _macos.networks(text_of(sources, "ifconfig"), text_of(sources, "networksetup"), _gateway(sources))


def build_drives(sources):
    return _macos.drives(text_of(sources, "df"), text_of(sources, "mount"))


def build_usbdevices(sources):
    """Every USB device ioreg lists, one entry per serial number (as GLPI Agent)."""
    devices, seen = [], set()
    for class_name, text in sorted(_mapping(sources, "ioreg_usb").items()):
        for device in _ioreg.usb_devices(_ioreg.parse_ioreg(text, class_name)):
            serial = device.get("serial")
            if serial and serial in seen:
                continue
            seen.add(serial)
            devices.append(device)
    return devices


def build_monitors(sources):
    screens = []
    displays = _mapping(sources, "ioreg_displays")
    for class_name in ("AppleBacklightDisplay", "AppleDisplay", "AppleCLCD2"):
        if isinstance(displays.get(class_name), str):
            screens += _ioreg.screens(_ioreg.parse_ioreg(displays[class_name], class_name))
    return _ioreg.monitors(screens)


SECTION_BUILDERS = {
    "hardware": build_hardware,
    "bios": build_bios,
    "operatingsystem": build_operatingsystem,
    "batteries": build_batteries,
    "cpus": build_cpus,
    "drives": build_drives,
    "memories": build_memories,
    "monitors": build_monitors,
    "networks": build_networks,
    "powersupplies": build_powersupplies,
    "softwares": build_softwares,
    "storages": build_storages,
    "usbdevices": build_usbdevices,
    "videos": build_videos,
}
