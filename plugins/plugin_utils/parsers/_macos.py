# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""macOS (and BSD) command outputs other than system_profiler and ioreg, shaped as GLPI Agent shapes them.

Private to the glpiops.glpi collection: no compatibility promise.

``sysctl``, ``ifconfig -a`` with ``networksetup -listallhardwareports`` and the
``netstat`` default route (``networks``), ``sw_vers``, ``kern.boottime``, and
``df``/``mount`` (``drives``).  ``system_profiler`` is read by
``_system_profiler``/``_system_profiler_apps``, ``ioreg`` by ``_ioreg``.

Pure functions, no I/O, none raises: given garbage they return what could be
read (an empty dict or list at worst).
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    as_dict,
    as_str,
    integer_field,
    perl_true,
    text_lines,
    without_empty,
)

_IPV4_RE = re.compile(r"inet ((?:\d{1,3}\.){3}\d{1,3})", re.ASCII)
_MAC_RE = r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}"


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def parse_sysctl(text):
    """``sysctl`` lines (``name: value`` or ``name = value``) -> ``{name: value}``."""
    values = {}
    for line in text_lines(text):
        match = re.match(r"^([^:=\s][^:=]*?)\s*[:=]\s(.*)$", line)
        if match:
            values[match.group(1).strip()] = match.group(2).strip()
    return values


# --- ifconfig, networksetup --------------------------------------------------------------------------------


def parse_networksetup(text):
    """``networksetup -listallhardwareports`` -> ``{device: {"description": port, "macaddr": mac}}``."""
    ports = {}
    current = None
    for line in text_lines(text):
        if re.match(r"^Hardware Port: (.+)$", line):
            current = {"description": line[len("Hardware Port: "):]}
        elif re.match(r"^Device: (.+)$", line) and current is not None:
            ports[line[len("Device: "):]] = current
        elif re.match(r"^Ethernet Address: (.+)$", line) and current is not None:
            current["macaddr"] = line[len("Ethernet Address: "):]
        elif line.startswith("VLAN Configurations"):
            break
    return ports


def _hex_mask(value):
    try:
        number = int(value, 16)
    except ValueError:
        return None
    return ".".join(str((number >> shift) & 255) for shift in (24, 16, 8, 0))


def subnet(address, mask):
    """The IPv4 network address of ``address`` under the dotted ``mask`` (``None`` when either is not IPv4)."""
    try:
        parts = [int(a) & int(m) for a, m in zip(address.split("."), mask.split("."))]
    except ValueError:
        return None
    return ".".join(str(part) for part in parts) if len(parts) == 4 and all(0 <= p < 256 for p in parts) else None


def _port_type(description):
    for pattern, kind in ((r"^lo\d+$", "loopback"), (r"bridge", "bridge"), (r"wi-?fi", "wifi"), (r"bluetooth", "bluetooth"),
                          (r"phone", "dialup"), (r"ethernet|thunderbolt|usb.*lan", "ethernet")):
        if re.search(pattern, description, re.IGNORECASE):
            return kind
    return None


def interfaces(ifconfig_text, ports=None):
    """``ifconfig -a`` (macOS/BSD) -> the agent's interface entries (agent's strings: ``Up``/``Down``, ``1``/``0``)."""
    ports = ports if isinstance(ports, dict) else {}
    found = []
    current = None
    for line in text_lines(ifconfig_text):
        match = re.match(r"^(\S+):", line)
        if match:
            if current is not None:
                found.append(current)
            name = match.group(1)
            port = as_dict(ports.get(name))
            description = as_str(port.get("description")) if port else name
            current = {"status": "Down", "description": description or name, "virtualdev": 0 if port else 1}
            if port and perl_true(port.get("macaddr")):
                current["macaddr"] = port["macaddr"]
            kind = _port_type(current["description"])
            if kind:
                current["type"] = kind
        if current is None:
            continue
        match = _IPV4_RE.search(line)
        if match:
            current["ipaddress"] = match.group(1)
        match = re.search(r"inet6 (\S+)", line)
        if match:
            current["ipaddress6"] = match.group(1).split("%", 1)[0]
        match = re.search(r"netmask 0x([0-9a-fA-F]{8})", line)
        if match:
            current["ipmask"] = _hex_mask(match.group(1))
        match = re.search(r"(?:address:|ether|lladdr) (" + _MAC_RE + ")", line)
        if match:
            current["macaddr"] = match.group(1)
        match = re.search(r"mtu (\S+)", line)
        if match:
            current["mtu"] = match.group(1)
        match = re.search(r"media (\S+)", line)
        if match and not current.get("type"):
            current["type"] = match.group(1)
        match = re.search(r"media: \S+ \((\d+)baseTX <.*>\)", line)
        if match:
            current["speed"] = match.group(1)
        if re.search(r"status:\s+active", line, re.IGNORECASE):
            current["status"] = "Up"
        if re.search(r"supported\smedia:", line):
            current["virtualdev"] = 0
    if current is not None:
        found.append(current)
    for entry in found:
        if entry.get("ipaddress") and entry.get("ipmask"):
            network_address = subnet(entry["ipaddress"], entry["ipmask"])
            if network_address:
                entry["ipsubnet"] = network_address
    return found


def networks(ifconfig_text, networksetup_text=None, gateway=None):
    """GLPI ``networks`` (schema types: lower-case status, boolean virtualdev, integer mtu, ``mac``)."""
    entries = []
    for entry in interfaces(ifconfig_text, parse_networksetup(networksetup_text)):
        network = dict(entry)
        network["status"] = entry["status"].lower()
        network["virtualdev"] = bool(entry["virtualdev"])
        network["mtu"] = integer_field(entry.get("mtu"))
        network["mac"] = network.pop("macaddr", None)
        if gateway and network.get("ipaddress") and network.get("ipmask") and \
                subnet(gateway, network["ipmask"]) == network.get("ipsubnet"):
            network["ipgateway"] = gateway
        entries.append(without_empty(network))
    return entries


def default_gateway(netstat_text):
    """The IPv4 default route of ``netstat -rn -f inet`` (or ``route -n get default``)."""
    for line in text_lines(netstat_text):
        fields = line.split()
        if len(fields) >= 2 and fields[0] in ("default", "0.0.0.0") and re.match(r"^\d+\.\d+\.\d+\.\d+$", fields[1]):
            return fields[1]
        match = re.match(r"^\s*gateway:\s*(\d+\.\d+\.\d+\.\d+)\s*$", line)
        if match:
            return match.group(1)
    return None


def parse_sw_vers(text):
    """``sw_vers`` -> ``{"ProductName": ..., "ProductVersion": ..., "BuildVersion": ...}``."""
    values = {}
    for line in text_lines(text):
        match = re.match(r"^\s*(\w+):\s*(.*?)\s*$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def boot_epoch(text):
    """``sysctl -n kern.boottime`` (``{ sec = 1700000000, usec = 0 } ...``) -> epoch seconds."""
    match = re.search(r"sec = (\d+)", _text(text)) or re.match(r"^\s*(\d+)\s*$", _text(text))
    return int(match.group(1)) if match else None


def parse_df(text):
    """``df -P -k`` -> ``[{volumn, total, free, type}]`` (MB; ``type`` is the mount point, GLPI's odd naming)."""
    lines = text_lines(text)
    drives = []
    for line in lines[1:] if lines and lines[0].startswith("Filesystem") else []:
        match = re.match(r"^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(/.*)$", line)
        if not match:
            continue
        total, free = int(match.group(2)), int(match.group(4))
        if not total:
            continue
        drives.append({"volumn": match.group(1), "total": total // 1024, "free": free // 1024, "type": match.group(5)})
    return drives


def parse_mount(text):
    """``mount`` (``/dev/disk1s1 on / (apfs, local, journaled)``) -> ``{mount point: filesystem}``."""
    types = {}
    for line in text_lines(text):
        match = re.match(r"^(.+?) on (.+) \(([^,)]+)", line)
        if match:
            types[match.group(2)] = match.group(3)
    return types


_PSEUDO_FILESYSTEMS = frozenset(("devfs", "autofs", "map", "nullfs", "fdescfs", "procfs", "linprocfs", "linsysfs", "tmpfs"))


def drives(df_text, mount_text=None):
    """GLPI ``drives`` from ``df -P -k`` and ``mount`` (pseudo filesystems left out)."""
    types = parse_mount(mount_text)
    section = []
    for drive in parse_df(df_text):
        filesystem = types.get(drive["type"])
        if filesystem in _PSEUDO_FILESYSTEMS or drive["volumn"] in ("devfs", "map auto_home") or drive["volumn"].startswith("map "):
            continue
        if filesystem:
            drive["filesystem"] = filesystem
        section.append(drive)
    return section
