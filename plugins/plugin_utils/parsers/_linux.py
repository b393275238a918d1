# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parsers for the raw outputs a Linux target returns: pure functions, text in, data out.

Private to the glpiops.glpi collection: no compatibility promise.

Every parser accepts any text (garbage or truncated included) without raising:
what it cannot understand it leaves out.  The section builders in
``_inventory`` turn these results into GLPI's format.
"""

from __future__ import annotations

import ipaddress
import re


def parse_key_value_lines(text, separator="="):
    """``KEY=value`` lines (os-release style); quotes and comments handled."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or separator not in line:
            continue
        key, value = line.split(separator, 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def parse_os_release(text, debian_version=None, centos_release=None):
    """GLPI's name/version/full name of a Linux distribution.

    Like GLPI Agent: ``VERSION`` from os-release, replaced by the complete
    ``/etc/debian_version`` on Debian ("12.11" rather than "12 (bookworm)") and by
    the number in ``/etc/centos-release`` when CentOS' own ``VERSION`` is vague.
    """
    fields = parse_key_value_lines(text)
    result = {}
    if fields.get("NAME"):
        result["name"] = fields["NAME"]
    version = fields.get("VERSION") or fields.get("VERSION_ID")
    if fields.get("PRETTY_NAME"):
        result["full_name"] = fields["PRETTY_NAME"]
    if debian_version:
        first = debian_version.strip().splitlines()[0].strip() if debian_version.strip() else ""
        if first[:1].isdigit():
            version = first
    if centos_release and (not version or re.match(r"^\d+ ", version)):
        match = re.match(r"^CentOS .* ([0-9.]+.*)$", centos_release.strip().splitlines()[0] if centos_release.strip() else "")
        version = match.group(1) if match else version
    if version:
        result["version"] = version
    return result


def parse_meminfo(text):
    """``/proc/meminfo`` as a dict of kB integers."""
    values = {}
    for line in text.splitlines():
        match = re.match(r"^(\w+(?:\(\w+\))?):\s+(\d+)", line)
        if match:
            values[match.group(1)] = int(match.group(2))
    return values


def parse_boot_epoch(proc_stat):
    """The ``btime`` line of ``/proc/stat``: boot time in seconds since the epoch."""
    match = re.search(r"^btime\s+(\d+)\s*$", proc_stat, re.MULTILINE)
    return int(match.group(1)) if match else None


def parse_resolv_conf(text):
    """Name servers of ``/etc/resolv.conf``, in order, without duplicates."""
    servers = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver" and fields[1] not in servers:
            servers.append(fields[1])
    return servers


def parse_proc_net_route(text):
    """Default IPv4 routes of ``/proc/net/route``: ``[(interface, gateway)]``, lowest metric first."""
    routes = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8:
            continue
        iface, destination, gateway, flags, metric, mask = fields[0], fields[1], fields[2], fields[3], fields[6], fields[7]
        try:
            if int(destination, 16) != 0 or int(mask, 16) != 0 or not int(flags, 16) & 0x2:
                continue
            # The kernel prints the address as a little-endian hex word.
            octets = bytes.fromhex(gateway)[::-1]
            routes.append((int(metric), iface, str(ipaddress.IPv4Address(octets))))
        except ValueError:
            continue
    return [(iface, gw) for _metric, iface, gw in sorted(routes)]


def parse_ip_default_routes(text):
    """``ip -o route list default`` -> ``[(interface, gateway)]``, lowest metric first (the agent takes the first)."""
    routes = []
    for order, line in enumerate((text or "").splitlines()):
        match = re.match(r"^default\s+via\s+(\S+)(?:.*?\sdev\s+(\S+))?", line)
        if not match:
            continue
        metric = re.search(r"\smetric\s+(\d+)", line)
        routes.append((int(metric.group(1)) if metric else 0, order, match.group(2), match.group(1)))
    return [(iface, gateway) for _metric, _order, iface, gateway in sorted(routes)]


def default_routes(ipv4_routes_text, ip_route_text=None):
    """Default IPv4 routes from ``/proc/net/route``, or from ``ip route`` where that file could not be read."""
    if ipv4_routes_text:
        return parse_proc_net_route(ipv4_routes_text)
    return parse_ip_default_routes(ip_route_text)


_IP_LINK_RE = re.compile(r"^\d+:\s+(\S+?):\s+<([^>]*)>(.*)$")


def parse_ip_addr(text):
    """``ip addr show`` output as ``{interface: {"flags", "mac", "mtu", "state", "ipv4", "ipv6"}}``.

    Interface names are kept as ``ip`` prints them, ``macvlan0@eth0`` included,
    as GLPI Agent reports them.  Addresses are lists of ``(address, prefixlen,
    label)``: an IPv4 peer address (``inet A peer B/32``) has no usable prefix and
    gets ``None``; ``label`` is the IPv4 label (``eth0``, or an alias such as
    ``eth0:srv``), which GLPI Agent reports as the entry's description.
    """
    interfaces = {}
    current = None
    current_name = None
    for line in text.splitlines():
        match = _IP_LINK_RE.match(line)
        if match:
            current_name, flags, rest = match.groups()
            current = interfaces.setdefault(current_name, {"flags": flags.split(","), "ipv4": [], "ipv6": []})
            mtu = re.search(r"\bmtu (\d+)", rest)
            state = re.search(r"\bstate (\S+)", rest)
            if mtu:
                current["mtu"] = int(mtu.group(1))
            if state:
                current["state"] = state.group(1)
            continue
        if current is None:
            continue
        fields = line.split()
        if len(fields) < 2:
            continue
        if fields[0].startswith("link/"):
            if re.match(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5,19}$", fields[1]):
                current["mac"] = fields[1].lower()
        elif fields[0] in ("inet", "inet6"):
            address, _slash, prefix = fields[1].partition("/")
            if "peer" in fields:
                prefix = ""
            try:
                ipaddress.ip_address(address)
            except ValueError:
                continue
            # ``ip`` ends an inet line with its label: the kernel name, or an alias such as eth0:srv.
            kernel_name = current_name.split("@", 1)[0]
            label = fields[-1] if fields[0] == "inet" and fields[-1].split(":", 1)[0] == kernel_name else None
            current["ipv4" if fields[0] == "inet" else "ipv6"].append(
                (address, int(prefix) if prefix.isdecimal() else None, label)
            )
    return interfaces


def ipv4_mask_and_subnet(address, prefixlen):
    """``("255.255.255.0", "192.168.0.0")`` for ``("192.168.0.10", 24)``; ``(None, None)`` when unknown."""
    if prefixlen is None:
        return None, None
    try:
        network = ipaddress.IPv4Network("%s/%s" % (address, prefixlen), strict=False)
    except ValueError:
        return None, None
    return str(network.netmask), str(network.network_address)


def ipv6_mask_and_subnet(address, prefixlen):
    """``("ffff:ffff:ffff:ffff::", "fe80::")`` for ``("fe80::1", 64)``; ``(None, None)`` when unknown."""
    if prefixlen is None:
        return None, None
    try:
        network = ipaddress.IPv6Network("%s/%s" % (address.split("%", 1)[0], prefixlen), strict=False)
    except ValueError:
        return None, None
    return str(network.netmask), str(network.network_address)


def parse_hostid(text):
    """``hostid`` output: 8 hex digits, or ``None``."""
    line = (text or "").strip().splitlines()
    return line[0].strip() if line and re.match(r"^[0-9a-fA-F]{8}$", line[0].strip()) else None


def parse_epoch(text):
    """A positive epoch from ``stat -c %W`` or rpm's ``%{INSTALLTIME}``; 0, ``-`` and garbage are unknown."""
    line = (text or "").strip().splitlines()
    if not line or not line[0].strip().isdigit():
        return None
    value = int(line[0].strip())
    return value if value > 0 else None


def install_epoch(epochs):
    """The installation date as GLPI Agent looks for it: rpm's basesystem, dpkg's base-files, the root filesystem.

    Where none of them is known (a filesystem without birth times, where the agent reports 1970-01-01), the oldest
    modification time of the installation's markers (installer logs, ``/etc/machine-id``), else ``None``.
    """
    epochs = epochs if isinstance(epochs, dict) else {}
    for name in ("rpm_basesystem", "base_files_list", "root"):
        value = parse_epoch(epochs.get(name))
        if value:
            return value
    markers = epochs.get("markers")
    dates = [parse_epoch(text) for text in markers.values() if isinstance(text, str)] if isinstance(markers, dict) else []
    dates = [date for date in dates if date]
    return min(dates) if dates else None


def ssh_host_key(public_key_files):
    """The first, in sorted order, of the host's ``ssh-*`` public keys as ``<type> <base64>`` (what the agent reports)."""
    keys = []
    for text in (public_key_files or {}).values():
        for line in (text or "").splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0].startswith("ssh"):
                keys.append("%s %s" % (fields[0], fields[1]))
    return sorted(keys)[0] if keys else None


_FIREWALLD_ACTIVE = re.compile(r"^\s*Loaded: loaded [^;]+firewalld[^;]*; [^;]*;[^\n]*\n\s*Active: active \(running\)", re.MULTILINE)


def firewall_status(outputs):
    """``[{"description": "ufw"|"firewalld", "status": "on"|"off"}]`` from ``ufw status`` or ``systemctl status``."""
    outputs = outputs or {}
    if "ufw" in outputs:
        active = re.search(r"^Status:\s*active\s*$", outputs["ufw"] or "", re.MULTILINE)
        return [{"description": "ufw", "status": "on" if active else "off"}]
    if "firewalld" in outputs:
        return [{"description": "firewalld", "status": "on" if _FIREWALLD_ACTIVE.search(outputs["firewalld"] or "") else "off"}]
    return []
