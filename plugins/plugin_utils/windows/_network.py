# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of the network: interfaces (``networks``), their media type, and ``firewalls``.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    clean,
    instances,
    integer,
    registry_tree,
    string_list,
    text,
    value_of,
)


# --- interfaces ----------------------------------------------------------------------------------------------------

_INTERFACE_TYPES = {6: "ethernet", 7: "ethernet", 56: "fiberchannel", 62: "ethernet", 71: "wifi", 117: "ethernet",
                    169: "ethernet"}


def _ipv4_subnet(address, mask):
    try:
        addr = [int(part) for part in address.split(".")]
        bits = [int(part) for part in mask.split(".")]
        if len(addr) != 4 or len(bits) != 4:
            return None
        return ".".join(str(a & b) for a, b in zip(addr, bits))
    except (ValueError, AttributeError):
        return None


def _ipv6_mask(prefix):
    length = integer(prefix)
    if length is None or not 0 <= length <= 128:
        return None
    value = (((1 << length) - 1) << (128 - length)) if length else 0
    return str(ipaddress.IPv6Address(value))


def _ipv6_subnet(address, mask):
    try:
        return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address(address)) & int(ipaddress.IPv6Address(mask))))
    except (ValueError, TypeError):
        return None


def _pciid(pnp):
    match = re.search(r"PCI\\VEN_(\w{4})&DEV_(\w{4})&SUBSYS_(\w{4})(\w{4})", pnp or "")
    return ":".join(match.groups()) if match else None


def interfaces(configurations, adapters=None, net_adapters=None):
    """GLPI Agent's network interfaces (``Tools::Win32::getInterfaces``) from
    ``Win32_NetworkAdapterConfiguration`` and ``MSFT_NetAdapter`` (preferred) or ``Win32_NetworkAdapter``:
    one entry per address, or one for an adapter with a MAC (or a VPN) and no address.

    Entries keep the agent's ``macaddr``/``guid``/``dns``/``dnsdomain`` keys; ``networks`` shapes them for GLPI.
    """
    configs = {}
    for obj in instances(configurations):
        index = integer(obj.get("InterfaceIndex")) if obj.get("InterfaceIndex") is not None else integer(obj.get("Index"))
        if index is None:
            continue
        config = {
            "description": text(obj.get("Description")),
            "status": "Up" if re.match(r"^(?:1|true)$", text(obj.get("IPEnabled")) or "", re.IGNORECASE) else "Down",
            "ipdhcp": text(obj.get("DHCPServer")),
            "macaddr": text(obj.get("MACAddress")),
            "mtu": integer(obj.get("MTU")),
            "guid": text(obj.get("SettingID")),
            "dnsdomain": text(obj.get("DNSDomain")),
            "ipgateway": (string_list(obj.get("DefaultIPGateway")) or [None])[0],
            "dns": (string_list(obj.get("DNSServerSearchOrder")) or [None])[0],
        }
        addresses = obj.get("IPAddress")
        if isinstance(addresses, list):
            subnets = string_list(obj.get("IPSubnet"))
            config["addresses"] = [(text(address), subnets[i] if i < len(subnets) else None)
                                   for i, address in enumerate(addresses) if text(address)]
        configs[index] = config
    result = []
    for adapter in instances(net_adapters) or instances(adapters):
        index = integer(adapter.get("InterfaceIndex")) if adapter.get("InterfaceIndex") is not None else integer(adapter.get("Index"))
        config = configs.get(index)
        pnp = text(adapter.get("PnPDeviceID")) or text(adapter.get("PNPDeviceID"))
        if config is None or not pnp:
            continue
        description = text(adapter.get("InterfaceDescription")) or config["description"]
        if "addresses" not in config and not config["macaddr"] and not re.search(r"vpn", description or "", re.IGNORECASE):
            continue
        physical = adapter.get("HardwareInterface") if adapter.get("HardwareInterface") is not None else adapter.get("PhysicalAdapter")
        if pnp.upper().startswith("ROOT"):
            virtual = True
        elif physical is not None:
            virtual = not re.match(r"^(?:1|true)", text(physical) or "", re.IGNORECASE)
        else:
            virtual = bool(description and "RAS" in description and re.search("adapter", description, re.IGNORECASE))
        base = {
            "pnpdeviceid": pnp,
            "macaddr": config["macaddr"],
            "description": description,
            "status": config["status"],
            "mtu": config["mtu"],
            "dns": config["dns"],
            "virtualdev": virtual,
            "pciid": _pciid(pnp),
            "guid": text(adapter.get("InterfaceGuid")) or text(adapter.get("GUID")),
            "dnsdomain": config["dnsdomain"],
        }
        speed = integer(adapter.get("Speed"))
        if speed:
            base["speed"] = speed // 1000000
        if integer(adapter.get("InterfaceType")) in _INTERFACE_TYPES:
            base["type"] = _INTERFACE_TYPES[integer(adapter.get("InterfaceType"))]
        if "addresses" not in config:
            result.append(clean(base))
            continue
        for address, prefix in config["addresses"]:
            entry = dict(base)
            if re.match(r"^\d{1,3}(?:\.\d{1,3}){3}$", address):
                entry.update(ipaddress=address, ipmask=prefix, ipsubnet=_ipv4_subnet(address, prefix or ""),
                             ipdhcp=config["ipdhcp"], ipgateway=config["ipgateway"])
            else:
                address = re.sub(r"%\d+$", "", address)
                mask = _ipv6_mask(prefix)
                entry.update(ipaddress6=address, ipmask6=mask, ipsubnet6=_ipv6_subnet(address, mask) if mask else None)
            result.append(clean(entry))
    return result


def media_type(pnp_device_id, network_class):
    """GLPI Agent's interface type from the network class registry key ({4D36E972-...}: ``<guid>\\Connection``)."""
    if not pnp_device_id:
        return None
    subtype = None
    for parts, values in registry_tree(network_class).items():
        if len(parts) != 2 or parts[1] != "connection":
            continue
        instance = text(value_of(values, "PnpInstanceID"))
        if instance and instance.replace("\\\\", "\\").lower() == pnp_device_id.lower():
            subtype = value_of(values, "MediaSubType")
            break
    subtype = integer(subtype)
    return {1: "ethernet", 2: "wifi", 7: "bluetooth"}.get(subtype) if subtype is not None else None


# --- firewall ------------------------------------------------------------------------------------------------------

_PROFILES = (("domain", "DomainProfile"), ("public", "PublicProfile"), ("standard", "StandardProfile"))
_CATEGORIES = ("public", "standard", "domain")


def firewall_profiles(profile_dumps):
    """``{"domain"|"public"|"standard": {"profile", "status"}}`` from the ``FirewallPolicy\\<X>Profile`` dumps."""
    profile_dumps = profile_dumps if isinstance(profile_dumps, dict) else {}
    result = {}
    for short, name in _PROFILES:
        enabled = integer(value_of(registry_tree(profile_dumps.get(name)).get((), {}), "EnableFirewall"))
        result[short] = {"profile": name, "status": "on" if enabled else "off"}
    return result


def firewalls(profile_dumps, network_list=None, dns_registered_adapters=None, interface_entries=None):
    """GLPI Agent's ``firewalls``: one entry per profile, or one per address of an up interface in that profile."""
    profiles = firewall_profiles(profile_dumps)
    tree = registry_tree(network_list)
    adapters = registry_tree(dns_registered_adapters)
    if network_list is not None and dns_registered_adapters is not None:
        network_profiles = {parts[1]: values for parts, values in tree.items() if len(parts) == 2 and parts[0] == "profiles"}
        signatures = [values for parts, values in tree.items()
                      if len(parts) == 3 and parts[0] == "signatures" and parts[1] in ("managed", "unmanaged")]
        for interface in instances(interface_entries):
            if interface.get("status") != "Up":
                continue
            profile = None
            settings = adapters.get(((interface.get("guid") or "").lower(),)) if interface.get("guid") else None
            if settings is not None:
                wanted = text(value_of(settings, "PrimaryDomainName"))
                profile = next((values for values in network_profiles.values()
                                if wanted and text(value_of(values, "ProfileName")) == wanted), None)
            elif interface.get("dnsdomain"):
                guid = next((text(value_of(values, "ProfileGuid")) for values in signatures
                             if text(value_of(values, "FirstNetwork")) == interface["dnsdomain"]), None)
                profile = network_profiles.get(guid.lower()) if guid else None
            category = integer(value_of(profile, "Category")) if profile else None
            if category is None or not 0 <= category < len(_CATEGORIES):
                continue
            connection = {"description": interface.get("description")}
            for key in ("ipaddress", "ipaddress6"):
                if interface.get(key):
                    connection[key] = interface[key]
            profiles[_CATEGORIES[category]].setdefault("connections", []).append(connection)
    result = []
    for short in sorted(profiles):
        profile = profiles[short]
        connections = profile.pop("connections", None)
        if connections:
            result.extend(clean(dict(profile, **connection)) for connection in connections)
        else:
            result.append(profile)
    return result
