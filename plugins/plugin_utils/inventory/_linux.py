# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sections of a Linux target's inventory, from what ``module_utils/_collector_linux`` returned.

Private to the glpiops.glpi collection: no compatibility promise.  Pure functions, no I/O: each builder
reads the raw sources it needs through the parsers in ``parsers/`` and returns the section in GLPI's
inventory format, or ``None`` when it has nothing to say.  ``SECTION_BUILDERS`` is what
``_document.build_inventory`` runs for ``os_family == "linux"``.
"""

from __future__ import annotations

import base64
import functools
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _accounts
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _batteries
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _cpus
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode_devices
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _drives
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _edid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _linux as parsers
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _lvm
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _packages
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _pci
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _processes
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _remote_mgmt
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _storages
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _usb
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _virtualmachines
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _wifi
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._common import (
    clean,
    dmidecode_tables,
    format_target_time,
    from_dmidecode,
    integer,
    short_hostname,
    target_clock,
    text_of,
)

_NETWORK_STATUSES = ("up", "down", "dormant", "notpresent", "lowerlayerdown", "unknown", "testing")


def build_hardware(sources, connection_user=None):
    meminfo = parsers.parse_meminfo(text_of(sources, "meminfo"))
    dmi = (sources.get("dmi") or {}).get("attributes", {})
    routes = parsers.default_routes(text_of(sources, "ipv4_routes"), text_of(sources, "ip_route_default"))
    uuid = dmi.get("product_uuid")
    hardware = {
        "name": short_hostname(sources),
        "uuid": uuid.upper() if uuid else None,
        "memory": meminfo["MemTotal"] // 1024 if "MemTotal" in meminfo else None,
        "swap": meminfo["SwapTotal"] // 1024 if "SwapTotal" in meminfo else None,
        "dns": "/".join(parsers.parse_resolv_conf(text_of(sources, "resolv_conf"))),
        "defaultgateway": routes[0][1] if routes else None,
    }
    tables = dmidecode_tables(sources)
    if tables:
        from_dmi = _dmidecode.hardware_from_dmidecode(tables)
        hardware["chassis_type"] = from_dmi.get("chassis_type")
        if not hardware["uuid"] and from_dmi.get("uuid"):
            hardware["uuid"] = from_dmi["uuid"].upper()
    login, when = _accounts.last_logged_user(text_of(sources, "last"), connection_user)
    hardware.update(lastloggeduser=login, datelastloggeduser=when)
    return clean(hardware)


def _bios_date(value):
    """``MM/DD/YYYY`` (DMI's form) to GLPI's ``YYYY-MM-DD``; other forms are dropped."""
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value or "")
    if match:
        return "%s-%02d-%02d" % (match.group(3), int(match.group(1)), int(match.group(2)))
    return value if re.match(r"^\d{4}-\d{2}-\d{2}$", value or "") else None


def build_bios(sources):
    """dmidecode's BIOS when usable, completed by /sys/class/dmi/id; /sys alone otherwise (as GLPI Agent does)."""
    from_sysfs = _bios_from_sysfs(sources) or {}
    tables = dmidecode_tables(sources)
    if not tables:
        return from_sysfs or None
    bios = _dmidecode.bios_from_dmidecode(tables)
    for key, value in from_sysfs.items():
        bios.setdefault(key, value)
    return clean(bios) or None


def _bios_from_sysfs(sources):
    dmi = (sources.get("dmi") or {}).get("attributes")
    if not isinstance(dmi, dict) or not dmi:
        return None
    dmi = {key: value for key, value in dmi.items() if isinstance(value, str) and not _dmidecode.is_placeholder(value)}
    bios = {
        "bdate": _bios_date(dmi.get("bios_date")),
        "bmanufacturer": dmi.get("bios_vendor"),
        "bversion": dmi.get("bios_version"),
        "smanufacturer": dmi.get("sys_vendor"),
        "smodel": dmi.get("product_name"),
        "ssn": dmi.get("product_serial"),
        "skunumber": dmi.get("product_sku"),
        "mmanufacturer": dmi.get("board_vendor"),
        "mmodel": dmi.get("board_name"),
        "msn": dmi.get("board_serial"),
        "assettag": dmi.get("chassis_asset_tag"),
        "enclosureserial": dmi.get("chassis_serial"),
    }
    # GLPI Agent: product_version is the better model name of Lenovo's Think/Idea/Yoga/... machines.
    version = dmi.get("product_version") or ""
    if re.match(r"^LENOVO$", bios["smanufacturer"] or "", re.IGNORECASE) and \
            re.match(r"^(Think|Idea|Yoga|Netfinity|Netvista|Intelli)", version, re.IGNORECASE):
        bios["smodel"] = version
    return clean(bios) or None


def build_operatingsystem(sources):
    uname = sources.get("uname") or {}
    fqdn = text_of(sources, "hostname_fqdn").strip().splitlines()
    fqdn = fqdn[0].strip() if fqdn else short_hostname(sources)
    domain = fqdn.split(".", 1)[1] if "." in fqdn else None
    release = parsers.parse_os_release(
        text_of(sources, "os_release"),
        debian_version=sources.get("debian_version"),
        centos_release=sources.get("centos_release"),
    )
    timezone = sources.get("timezone") or {}
    system = {
        "name": release.get("name"),
        "version": release.get("version"),
        "full_name": release.get("full_name"),
        "kernel_name": (uname.get("sysname") or "").lower() or None,
        "kernel_version": uname.get("release"),
        "arch": uname.get("machine"),
        "fqdn": fqdn,
        "dns_domain": domain,
        "boot_time": format_target_time(parsers.parse_boot_epoch(text_of(sources, "proc_stat")), sources),
        "install_date": format_target_time(parsers.install_epoch(sources.get("install_epochs")), sources),
        "hostid": parsers.parse_hostid(text_of(sources, "hostid")),
        "ssh_key": parsers.ssh_host_key(sources.get("ssh_host_keys")),
    }
    if re.match(r"^[+-]\d{4}$", timezone.get("offset") or ""):
        system["timezone"] = {"name": timezone.get("abbreviation") or timezone.get("zone") or "", "offset": timezone["offset"]}
    return clean(system)


def build_cpus(sources):
    """As GLPI Agent's Linux CPU modules: one entry per package on x86, per processor elsewhere (see ``_cpus``)."""
    machine = (sources.get("uname") or {}).get("machine")
    tables = dmidecode_tables(sources)
    return _cpus.cpus_from_cpuinfo(text_of(sources, "cpuinfo"), machine,
                                   dmidecode_cpus=_dmidecode_devices.cpus_from_dmidecode(tables) if tables else None)


def _uevent(text):
    return parsers.parse_key_value_lines(text or "")


def _interface_properties(name, sysfs, ip_info):
    attrs = sysfs.get("attributes") or {}
    physical = bool(sysfs.get("physical"))
    flags = ip_info.get("flags") or []
    status = "up" if "UP" in flags else (attrs.get("operstate") if not ip_info else "down")
    base = {
        "description": name,
        "mac": ip_info.get("mac") or (attrs.get("address") or "").lower() or None,
        "status": status if status in _NETWORK_STATUSES else None,
        "virtualdev": not physical,
        "mtu": ip_info.get("mtu") or integer(attrs.get("mtu")),
    }
    if physical:
        uevent = _uevent(sysfs.get("device_uevent"))
        base["driver"] = uevent.get("DRIVER")
        base["pcislot"] = uevent.get("PCI_SLOT_NAME")
        if uevent.get("PCI_ID") and uevent.get("PCI_SUBSYS_ID"):
            base["pciid"] = "%s:%s" % (uevent["PCI_ID"], uevent["PCI_SUBSYS_ID"])
        if sysfs.get("wireless"):
            base["type"] = "wifi"
        elif sysfs.get("infiniband_mode"):
            base["type"] = "infiniband"
        else:
            base["type"] = "ethernet"
    elif name == "lo" or attrs.get("type") == "772":
        base["type"] = "loopback"
    elif name.startswith("ppp"):
        base["type"] = "dialup"
    elif re.match(r"^[\w\d]+[:.]\d+$", name):
        base["type"] = "alias"
        base["base"] = re.split(r"[:.]", name)[0]
    if sysfs.get("bridge"):
        base["type"] = "bridge"
    if sysfs.get("bonding"):
        base["type"] = "aggregate"
    speed = integer(attrs.get("speed"))
    base["speed"] = str(speed) if status == "up" and speed and speed > 0 else "0"
    return base


def build_networks(sources):
    """One entry per address, plus one for an interface without any, like GLPI Agent."""
    sysfs_all = sources.get("net_interfaces") or {}
    ip_all = parsers.parse_ip_addr(text_of(sources, "ip_addr"))
    gateways = {}
    for iface, gateway in parsers.default_routes(text_of(sources, "ipv4_routes"), text_of(sources, "ip_route_default")):
        gateways.setdefault(iface, gateway)
    radios = _wifi.wifi_by_interface(sources.get("wireless"))
    networks = []
    # ``ip``'s order (the kernel's interface index), then interfaces only sysfs knows.
    names = list(ip_all) + sorted(name for name in sysfs_all if name not in ip_all)
    for name in names:
        if name not in ip_all and any(other.split("@", 1)[0] == name for other in ip_all):
            continue  # ``ip`` shows it as ``name@parent``: reported under that name
        ip_info = ip_all.get(name, {})
        kernel_name = name.split("@", 1)[0]
        base = _interface_properties(kernel_name, sysfs_all.get(kernel_name) or {}, ip_info)
        base["description"] = name
        if base.get("type") == "wifi" and kernel_name in radios:
            radio = dict(radios[kernel_name])
            bitrate = radio.pop("bitrate", None)
            base.update(radio)
            if bitrate and base.get("status") == "up" and base.get("speed") == "0":
                base["speed"] = str(bitrate)  # GLPI Agent: a wireless link's speed is its bit rate
        entries = []
        for address, prefix, label in ip_info.get("ipv4", []):
            mask, subnet = parsers.ipv4_mask_and_subnet(address, prefix)
            entry = dict(base, ipaddress=address, ipmask=mask, ipsubnet=subnet, ipgateway=gateways.get(kernel_name))
            if label:
                entry["description"] = label
            if label and label != kernel_name:
                entry.update(type="alias", base=kernel_name)
            entries.append(entry)
        for address, prefix, _scope in ip_info.get("ipv6", []):
            mask, subnet = parsers.ipv6_mask_and_subnet(address, prefix)
            entries.append(dict(base, ipaddress6=address, ipmask6=mask, ipsubnet6=subnet))
        # Like GLPI Agent: the interface gets an entry of its own unless one of its addresses carries its name
        # (addresses all on aliases such as eth0:0, or none at all).
        if not any(entry["description"] == name for entry in entries):
            entries.insert(0, base)
        networks.extend(clean(entry) for entry in entries)
    return networks


def build_drives(sources):
    return _drives.drives(text_of(sources, "df"), sources.get("disk_links"))


def build_local_users(sources):
    return _accounts.local_users(text_of(sources, "passwd"))


def build_local_groups(sources):
    return _accounts.local_groups(text_of(sources, "passwd"), text_of(sources, "group"))


def build_users(sources):
    return _accounts.logged_users(text_of(sources, "who"))


def build_firewalls(sources):
    return parsers.firewall_status(sources.get("firewall"))


def build_processes(sources):
    now = target_clock(sources)
    started = (lambda seconds: format_target_time(now - seconds, sources)) if now else None
    ps = sources.get("ps")
    processes = _processes.parse_ps(ps, started)
    if not processes and isinstance(ps, dict) and len(str(ps.get("text") or "").strip().splitlines()) > 1:
        # Lines, none of them read: a listing in other columns than its format's, never an empty section unsaid.
        raise ValueError("no line of the %s ps listing could be read" % ps.get("format"))
    return processes


def build_envs(sources):
    return _processes.environment_variables(sources.get("environment"))


def _mapping(value):
    return value if isinstance(value, dict) else {}


def build_softwares(sources):
    """Every package manager the target has, each parsed as GLPI Agent parses it."""
    publisher = _packages.distributor_id(text_of(sources, "lsb_release"), text_of(sources, "os_release"))
    timezone = sources.get("timezone")
    snap, flatpak = _mapping(sources.get("snap")), _mapping(sources.get("flatpak"))
    softwares = []
    softwares += _packages.parse_dpkg(text_of(sources, "dpkg"), publisher=publisher)
    softwares += _packages.parse_rpm(text_of(sources, "rpm"), timezone=timezone)
    softwares += _packages.parse_pacman(text_of(sources, "pacman"))
    softwares += _packages.parse_apk(text_of(sources, "apk"), publisher=publisher)
    softwares += _packages.parse_slackware(text_of(sources, "slackware"))
    softwares += _packages.parse_equery(text_of(sources, "equery"))
    softwares += _packages.parse_nix(text_of(sources, "nix"))
    if snap:
        softwares += _packages.parse_snap(snap.get("list"), snap.get("infos"), snap.get("yamls"), snap.get("epochs"), timezone)
    if flatpak:
        softwares += _packages.parse_flatpak(flatpak.get("list"), flatpak.get("infos"))
    return softwares


@functools.lru_cache(maxsize=4)
def _pci_ids_of(text):
    return _pci.parse_pci_ids(text)


def _pci_ids(sources):
    text = sources.get("pci_ids")
    return _pci_ids_of(text) if isinstance(text, str) and text else None


def pci_devices(sources):
    """lspci's devices when the target has lspci, else sysfs's (names from the target's pci.ids)."""
    text = sources.get("lspci")
    if isinstance(text, str) and text.strip():
        return _pci.parse_lspci(text)
    return _pci.devices_from_sysfs(sources.get("pci_devices"), _pci_ids(sources))


def build_controllers(sources):
    return _pci.build_controllers(pci_devices(sources), _pci_ids(sources))


def build_videos(sources):
    return _pci.build_videos(pci_devices(sources), _pci_ids(sources))


def build_sounds(sources):
    return _pci.build_sounds(pci_devices(sources))


def build_modems(sources):
    return _pci.build_modems(pci_devices(sources))


def build_monitors(sources):
    edids = []
    for connector, encoded in sorted(_mapping(sources.get("edids")).items()):
        try:
            edids.append((connector, base64.b64decode(encoded)))
        except (TypeError, ValueError):
            continue
    pnp_ids = _edid.parse_pnp_ids(sources["pnp_ids"]) if isinstance(sources.get("pnp_ids"), str) else None
    return _edid.monitors_from_edids(edids, pnp_ids)


def build_usbdevices(sources):
    return _usb.usb_devices(sources.get("usb_devices"))


def build_storages(sources):
    return _storages.storages_from_sources(sources.get("storages"))


def build_batteries(sources):
    """dmidecode's batteries (root only), merged with /sys/class/power_supply's as GLPI Agent merges them."""
    tables = dmidecode_tables(sources)
    return _batteries.batteries(_dmidecode_devices.batteries_from_dmidecode(tables) if tables else [], sources.get("power_supplies"))


def build_physical_volumes(sources):
    return _lvm.physical_volumes(_mapping(sources.get("lvm")).get("pvs"))


def build_volume_groups(sources):
    return _lvm.volume_groups(_mapping(sources.get("lvm")).get("vgs"))


def build_logical_volumes(sources):
    return _lvm.logical_volumes(_mapping(sources.get("lvm")).get("lvs"))


def build_virtualmachines(sources):
    raw = {tool: sources.get(tool) for tool in ("docker", "podman", "libvirt", "lxc")}
    return _virtualmachines.virtual_machines(raw, text_of(sources, "cpuinfo"))


def build_remote_mgmt(sources):
    return _remote_mgmt.remote_mgmt({tool: sources.get(tool) for tool in _remote_mgmt.TOOLS})


SECTION_BUILDERS = {
    "hardware": build_hardware,
    "controllers": build_controllers,
    "videos": build_videos,
    "sounds": build_sounds,
    "modems": build_modems,
    "monitors": build_monitors,
    "usbdevices": build_usbdevices,
    "bios": build_bios,
    "operatingsystem": build_operatingsystem,
    "cpus": build_cpus,
    "drives": build_drives,
    "envs": build_envs,
    "firewalls": build_firewalls,
    "local_groups": build_local_groups,
    "local_users": build_local_users,
    "networks": build_networks,
    "processes": build_processes,
    "memories": from_dmidecode(_dmidecode_devices.memories_from_dmidecode),
    "ports": from_dmidecode(_dmidecode_devices.ports_from_dmidecode),
    "slots": from_dmidecode(_dmidecode_devices.slots_from_dmidecode),
    "batteries": build_batteries,
    "physical_volumes": build_physical_volumes,
    "volume_groups": build_volume_groups,
    "logical_volumes": build_logical_volumes,
    "virtualmachines": build_virtualmachines,
    "remote_mgmt": build_remote_mgmt,
    "powersupplies": from_dmidecode(_dmidecode_devices.powersupplies_from_dmidecode),
    "softwares": build_softwares,
    "storages": build_storages,
    "users": build_users,
}
