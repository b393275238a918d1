# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""FreeBSD sources shaped as GLPI Agent shapes them: GEOM's disk tree, dmesg, mfiutil, sysctl, ifconfig, df, swapctl.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O, none raises.  Installed packages (``pkg info``) are read by
``_packages.parse_pkg_info``, DMI tables (``dmidecode``) by ``_dmidecode``.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _drives
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _macos
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import perl_number, text_lines

# Makers the agent recognises at the head of a dmesg model string (moved to ``manufacturer``).
_DMESG_MAKERS_RE = re.compile(
    r"^(SGI|SONY|WDC|ASUS|LG|TEAC|SAMSUNG|PHILIPS|PIONEER|MAXTOR|PLEXTOR|SEAGATE|IBM|SUN|DEC|FUJITSU|TOSHIBA|YAMAHA|HITACHI|VERITAS)\s*",
    re.IGNORECASE)
_VIRTUAL_INTERFACES_RE = re.compile(r"^(lo|vboxnet|vmnet|vtnet|sit|tun|pflog|pfsync|enc|strip|plip|sl|ppp|faith)")
_PSEUDO_FILESYSTEMS = frozenset(("fdesc", "devfs", "procfs", "linprocfs", "linsysfs", "tmpfs", "fdescfs", "nullfs", "autofs"))


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def _child_text(node, *path):
    for name in path:
        node = node.find(name) if node is not None else None
    return node.text.strip() if node is not None and node.text is not None else None


def geom_disks(confxml):
    """``sysctl -n kern.geom.confxml`` (the ``kern.geom.confxml:`` prefix allowed) -> the DISK class's disks.

    ``[{"name", "description", "mediasize"}]`` (``mediasize`` in bytes), in GEOM's order.
    """
    text = re.sub(r"^\s*kern\.geom\.confxml:\s*", "", _text(confxml))
    try:
        mesh = ElementTree.fromstring(text.strip().encode("utf-8"))
    except (ElementTree.ParseError, ValueError, RecursionError):
        return []
    disks = []
    for klass in mesh.findall("class"):
        if _child_text(klass, "name") != "DISK":
            continue
        for geom in klass.findall("geom"):
            disk = {"name": _child_text(geom, "name"), "description": _child_text(geom, "provider", "config", "descr"),
                    "mediasize": _child_text(geom, "provider", "mediasize")}
            disks.append({key: value for key, value in disk.items() if value})
    return disks


def _device_type(name):
    if name is None:
        return "unknown"
    if name.startswith(("da", "ada", "nvd", "nda")):
        return "disk"
    if name.startswith("cd"):
        return "cdrom"
    return "unknown"


def _first_match(lines, pattern):
    for line in lines:
        match = pattern.match(line)
        if match:
            return match.group(1)
    return None


def storages(confxml, dmesg=None):
    """GLPI ``storages`` from GEOM's disks, completed by the boot messages (model, description, serial).

    ``disksize`` is in MB (10^6 bytes) as GLPI wants it; GLPI Agent sends GEOM's byte count unchanged.
    """
    lines = text_lines(_text(dmesg))
    entries = []
    for disk in geom_disks(confxml):
        name = disk.get("name")
        entry = {"name": name, "description": disk.get("description"), "type": _device_type(name)}
        size = perl_number(disk.get("mediasize") or "")
        if disk.get("mediasize") and re.match(r"^\d+$", disk["mediasize"]):
            entry["disksize"] = int(size) // 1000000
        if name:
            quoted = re.escape(name)
            model = _first_match(lines, re.compile(r"^" + quoted + r".*<(.*)>")) or ""
            description = _first_match(lines, re.compile(r"^" + quoted + r": (.*<.*>.*)$"))
            if description:
                entry["description"] = description
            entry["serial"] = _first_match(lines, re.compile(r"^" + quoted + r": Serial Number (.*)$"))
            if model:
                maker = _DMESG_MAKERS_RE.match(model)
                if maker:
                    entry["manufacturer"] = maker.group(1)
                    model = model[maker.end():]
                model = re.sub(r"^[\s,]*", "", model)
                model = re.sub(r"[\s,]*$", "", model)
            entry["model"] = model
        entries.append({key: value for key, value in entry.items() if value is not None and value != ""})
    return entries


def storages_from_mfiutil(text):
    """``mfiutil show drives`` (LSI MegaRAID) -> GLPI ``storages`` (``disksize`` in MB of 2^20 bytes, as the agent)."""
    entries = []
    pattern = re.compile(r"^[^(]*\(\s+(\d+\w+)\)\s+\S+\s+<(\S+)\s+(\S+)\s+\S+\s+serial=(\S+)>\s+(\S+)\s+.*$")
    for line in text_lines(_text(text)):
        match = pattern.match(line)
        if not match:
            continue
        size, vendor, model, serial, kind = match.groups()
        disksize = None
        giga, tera = re.search(r"(\d+)G", size), re.search(r"(\d+)T", size)
        if giga:
            disksize = int(giga.group(1)) * 1024
        elif tera:
            disksize = int(tera.group(1)) * 1024 * 1024
        entry = {"name": "%s %s" % (vendor, model), "description": kind, "type": "disk", "disksize": disksize, "serial": serial}
        entries.append({key: value for key, value in entry.items() if value is not None})
    return entries


def networks(ifconfig_text, gateway=None):
    """GLPI ``networks`` from FreeBSD's ``ifconfig -a``: one entry per interface, virtual ones as the agent names them."""
    entries = []
    for entry in _macos.interfaces(ifconfig_text):
        name = entry["description"]
        network = {
            "description": name,
            "status": entry["status"].lower(),
            "mac": entry.get("macaddr"),
            "mtu": int(entry["mtu"]) if re.match(r"^\d+$", entry.get("mtu") or "") else None,
            "ipaddress": entry.get("ipaddress"),
            "ipmask": entry.get("ipmask"),
            "ipsubnet": entry.get("ipsubnet"),
            "ipaddress6": entry.get("ipaddress6"),
            "speed": entry.get("speed"),
            "type": entry.get("type") if entry.get("type") in ("ethernet", "wifi", "bridge", "bluetooth") else None,
        }
        if _VIRTUAL_INTERFACES_RE.match(name):
            network["virtualdev"] = True
            if name.startswith("lo"):
                network["type"] = "loopback"
            if name.startswith("ppp"):
                network["type"] = "dialup"
        else:
            network["virtualdev"] = False
        if gateway and network["ipaddress"] and network["ipmask"] and \
                _macos.subnet(gateway, network["ipmask"]) == network["ipsubnet"]:
            network["ipgateway"] = gateway
        entries.append({key: value for key, value in network.items() if value is not None and value != ""})
    return entries


def parse_sysctl(text):
    """``sysctl hw.model hw.ncpu ...`` (``name: value``) -> ``{name: value}``."""
    return _macos.parse_sysctl(text)


def memory_mb(sysctl):
    """``hw.physmem`` (bytes) -> MB."""
    value = (sysctl or {}).get("hw.physmem") or ""
    return int(value) // (1024 * 1024) if re.match(r"^\d+$", value) else None


def swap_mb(text):
    """``swapctl -s -k`` (``Total:  2097152  0``) or ``swapinfo -k``'s last line -> MB."""
    for line in text_lines(_text(text)):
        match = re.match(r"^total:?\s*(\d+)", line.strip(), re.IGNORECASE)
        if match:
            return int(match.group(1)) // 1024
    return None


def cpu_speed(model):
    """MHz from ``hw.model`` (``... @ 2.40GHz``), as the agent reads it."""
    match = re.search(r"([.\d]+)GHz", model or "")
    if not match:
        return None
    try:
        return int(round(float(match.group(1)) * 1000))
    except ValueError:
        return None


def cpus(sysctl, dmidecode_cpus=None):
    """GLPI ``cpus``: dmidecode's processors with ``hw.model``'s speed (the agent's way), else one per ``hw.ncpu``."""
    sysctl = sysctl or {}
    model = sysctl.get("hw.model") or ""
    speed = cpu_speed(model)
    if dmidecode_cpus:
        found = []
        for cpu in dmidecode_cpus:
            cpu = dict(cpu)
            if speed:
                cpu["speed"] = speed
            else:
                cpu.pop("speed", None)
            found.append(cpu)
        return found
    count = sysctl.get("hw.ncpu") or ""
    if not model or not re.match(r"^\d+$", count):
        return []
    manufacturer = next((vendor for pattern, vendor in (("Intel", "Intel"), ("AMD", "AMD")) if re.search(pattern, model, re.IGNORECASE)),
                        None)
    cpu = {"name": re.sub(r"\s+", " ", model).strip(), "manufacturer": manufacturer, "speed": speed,
           "arch": sysctl.get("hw.machine_arch") or None}
    cpu = {key: value for key, value in cpu.items() if value}
    return [dict(cpu) for _unused_index in range(min(int(count), 1024))]


def drives(df_text):
    """GLPI ``drives`` from ``df -P -T -k``, FreeBSD's pseudo filesystems left out (as the agent)."""
    return [drive for drive in _drives.drives(df_text) if drive.get("filesystem") not in _PSEUDO_FILESYSTEMS]


def default_gateway(netstat_text):
    """The IPv4 default route of ``netstat -rn -f inet``."""
    return _macos.default_gateway(netstat_text)
