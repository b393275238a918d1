# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's computers as Ansible hosts: names, ``glpi_`` variables, ``ansible_host``, default groups.  Pure.

Private to the glpiops.glpi collection: no compatibility promise.

A *computer* is a dict with the keys of ``COMPUTER_FIELDS`` (whatever API it came from: ``_legacy_search`` maps the
legacy search rows to it).  ``inventory_hosts(computers, ...)`` gives ``[(host name, {variable: value}, [group, ...])]``
in GLPI's id order; the inventory plugin only adds them.
"""

from __future__ import annotations

import ipaddress
import re

COMPUTER_FIELDS = ("id", "name", "serial", "uuid", "entity", "location", "state", "os_name", "os_version",
                   "manufacturer", "model", "type", "groups", "last_inventory", "agent_deviceid", "ip_addresses")
ADDRESS_KINDS = ("ipv4", "ipv6")
GROUP_BY = ("entity", "location", "state", "os")
_UNSAFE = re.compile(r"[^a-z0-9_]+")


def safe_group_name(text):
    """An Ansible group name of ``text``: lower case, every run of other characters one ``_``."""
    return _UNSAFE.sub("_", str(text).lower()).strip("_")


def _parsed(address):
    try:
        return ipaddress.ip_address(str(address).split("%", 1)[0])
    except ValueError:
        return None


def _qualifies(parsed, nets):
    """Without ``nets``: an address a controller can reach a host on (not loopback, link-local, unspecified or
    multicast).  With ``nets``: an address inside one of them (loopback or link-local only when a network names it)."""
    if parsed is None or parsed.is_unspecified or parsed.is_multicast:
        return False
    if nets:
        return any(parsed.version == net.version and parsed in net for net in nets)
    return not (parsed.is_loopback or parsed.is_link_local)


def choose_address(addresses, preference=ADDRESS_KINDS, networks=()):
    """The address for ``ansible_host``: the first usable one of the first kind of ``preference`` that has one.

    ``networks`` (CIDR strings): when given, only addresses inside one of them count.  ``None`` when none fits.
    """
    nets = [ipaddress.ip_network(network, strict=False) for network in networks or ()]
    usable = [parsed for parsed in (_parsed(address) for address in addresses or ()) if _qualifies(parsed, nets)]
    for kind in preference:
        version = 4 if kind == "ipv4" else 6
        for parsed in usable:
            if parsed.version == version:
                return str(parsed)
    return None


def host_vars(computer, prefix="glpi_"):
    """The host variables of a computer: every field of ``COMPUTER_FIELDS``, named ``<prefix><field>``."""
    variables = {}
    for field in COMPUTER_FIELDS:
        value = computer.get(field)
        if field in ("groups", "ip_addresses"):
            value = list(value or [])
        variables[prefix + field] = value
    return variables


def default_groups(computer, group_by=GROUP_BY, prefix="glpi_"):
    """The default groups of a computer: ``<prefix>entity_<entity>``, ``..location_..``, ``..state_..``, ``..os_..``."""
    groups = []
    for key in group_by:
        value = computer.get("os_name" if key == "os" else key)
        name = safe_group_name(value) if value else ""
        if name:
            groups.append("%s%s_%s" % (prefix, key, name))
    return groups


def host_names(computers):
    """``{computer id: host name}``: the computer's name; ``glpi-computer-<id>`` without one; a name two computers
    share gets ``_<id>`` on every computer but the first (by id), so that no host silently hides another."""
    names, taken = {}, set()
    for computer in sorted(computers, key=lambda item: item["id"]):
        name = (computer.get("name") or "").strip() or "glpi-computer-%d" % computer["id"]
        if name in taken:
            name = "%s_%d" % (name, computer["id"])
        taken.add(name)
        names[computer["id"]] = name
    return names


def inventory_hosts(computers, preference=ADDRESS_KINDS, networks=(), group_by=GROUP_BY, prefix="glpi_"):
    """``[(host name, variables, groups)]`` of ``computers``, in id order; ``ansible_host`` when an address fits."""
    seen, unique = set(), []
    for computer in sorted(computers, key=lambda item: item["id"]):
        if computer["id"] not in seen:
            seen.add(computer["id"])
            unique.append(computer)
    names = host_names(unique)
    hosts = []
    for computer in unique:
        variables = host_vars(computer, prefix=prefix)
        address = choose_address(computer.get("ip_addresses"), preference=preference, networks=networks)
        if address:
            variables["ansible_host"] = address
        hosts.append((names[computer["id"]], variables, default_groups(computer, group_by=group_by, prefix=prefix)))
    return hosts
