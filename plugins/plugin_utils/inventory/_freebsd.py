# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sections of a FreeBSD target's inventory, from what ``_collector_freebsd`` returned.

Private to the glpiops.glpi collection: no compatibility promise.

``SECTION_BUILDERS`` maps a section name to ``func(sources) -> list | dict | None``;
``_document.build_inventory`` runs them for ``os_family == "freebsd"``.  Pure functions.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _common
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._common import text_of
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode_devices
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _freebsd as freebsd_parsers
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _linux
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _macos
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _packages


def _sysctl(sources):
    return freebsd_parsers.parse_sysctl(text_of(sources, "sysctl"))


def _gateway(sources):
    return freebsd_parsers.default_gateway(text_of(sources, "netstat_routes"))


def build_hardware(sources):
    sysctl = _sysctl(sources)
    uuid = sysctl.get("kern.hostuuid") or None
    tables = _common.dmidecode_tables(sources)
    hardware = {
        "name": _common.short_hostname(sources),
        "uuid": uuid.upper() if uuid and not uuid.startswith("00000000-0000-0000-0000-000000000000") else None,
        "memory": freebsd_parsers.memory_mb(sysctl),
        "swap": freebsd_parsers.swap_mb(text_of(sources, "swapctl")),
        "dns": "/".join(_linux.parse_resolv_conf(text_of(sources, "resolv_conf"))),
        "defaultgateway": _gateway(sources),
    }
    if tables:
        from_dmi = _dmidecode.hardware_from_dmidecode(tables)
        hardware["chassis_type"] = from_dmi.get("chassis_type")
        if not hardware["uuid"] and from_dmi.get("uuid"):
            hardware["uuid"] = from_dmi["uuid"].upper()
    return {key: value for key, value in hardware.items() if value is not None and value != ""}


def build_bios(sources):
    tables = _common.dmidecode_tables(sources)
    if not tables:
        return None
    return {key: value for key, value in _dmidecode.bios_from_dmidecode(tables).items() if value is not None and value != ""} or None


def build_operatingsystem(sources):
    """FreeBSD's name and release (``freebsd-version``, else ``uname -r``), kernel, boot time, host names, time zone."""
    uname = sources.get("uname") if isinstance(sources.get("uname"), dict) else {}
    release = _linux.parse_os_release(text_of(sources, "os_release"))
    version = (text_of(sources, "freebsd_version").strip().splitlines() or [None])[0] or release.get("version") or uname.get("release")
    fqdn = text_of(sources, "hostname_fqdn").strip().splitlines()
    fqdn = fqdn[0].strip() if fqdn else _common.short_hostname(sources)
    name = uname.get("sysname") or "FreeBSD"
    system = {
        "name": name,
        "version": version,
        "full_name": release.get("full_name") or ("%s %s" % (name, version) if version else name),
        "kernel_name": name.lower(),
        "kernel_version": uname.get("release"),
        "arch": uname.get("machine"),
        "fqdn": fqdn,
        "dns_domain": fqdn.split(".", 1)[1] if "." in fqdn else None,
        "boot_time": _common.format_target_time(_macos.boot_epoch(_sysctl(sources).get("kern.boottime", "")), sources),
    }
    timezone = sources.get("timezone") if isinstance(sources.get("timezone"), dict) else {}
    if re.match(r"^[+-]\d{4}$", timezone.get("offset") or ""):
        system["timezone"] = {"name": timezone.get("abbreviation") or timezone.get("zone") or "", "offset": timezone["offset"]}
    return {key: value for key, value in system.items() if value is not None and value != ""}


def build_cpus(sources):
    tables = _common.dmidecode_tables(sources)
    return freebsd_parsers.cpus(_sysctl(sources), _dmidecode_devices.cpus_from_dmidecode(tables) if tables else None)


def build_memories(sources):
    tables = _common.dmidecode_tables(sources)
    return _dmidecode_devices.memories_from_dmidecode(tables) if tables else None


def build_networks(sources):
    return freebsd_parsers.networks(text_of(sources, "ifconfig"), _gateway(sources))


def build_drives(sources):
    return freebsd_parsers.drives(text_of(sources, "df"))


def build_softwares(sources):
    return _packages.parse_pkg_info(text_of(sources, "pkg_info"))


def build_storages(sources):
    storages = freebsd_parsers.storages(text_of(sources, "geom_confxml"), text_of(sources, "dmesg"))
    return storages + freebsd_parsers.storages_from_mfiutil(text_of(sources, "mfiutil"))


SECTION_BUILDERS = {
    "hardware": build_hardware,
    "bios": build_bios,
    "operatingsystem": build_operatingsystem,
    "cpus": build_cpus,
    "drives": build_drives,
    "memories": build_memories,
    "networks": build_networks,
    "softwares": build_softwares,
    "storages": build_storages,
    "ports": _common.from_dmidecode(_dmidecode_devices.ports_from_dmidecode),
    "slots": _common.from_dmidecode(_dmidecode_devices.slots_from_dmidecode),
    "batteries": _common.from_dmidecode(_dmidecode_devices.batteries_from_dmidecode),
    "powersupplies": _common.from_dmidecode(_dmidecode_devices.powersupplies_from_dmidecode),
}
