# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shape what the collector returned into a GLPI inventory document.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O: ``build_inventory(collected, ...)`` takes the target
module's result and returns ``(document, warnings)``.  Each section builder reads
the raw sources it needs through the parsers in ``_linux_parsers`` and returns
the section in GLPI's inventory format (lower-case keys, the units of the schema),
or ``None`` when it has nothing to say.  A section that fails becomes a warning,
never an exception: the document must always go out and always validate against
both GLPI schemas (GLPI 10 refuses a document with a single unknown key).
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable
from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION
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
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _vmsystem
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _wifi
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._collector import BUDGET_SKIPPED

VERSIONCLIENT = "GLPI-Ansible-glpiops.glpi_v%s" % COLLECTION_VERSION

# Single-object sections first, then lists; the order of a written document.
SECTION_ORDER = (
    "accesslog", "hardware", "bios", "operatingsystem", "versionprovider",
    "antivirus", "batteries", "controllers", "cpus", "drives", "envs", "firewalls", "licenseinfos", "local_groups",
    "local_users", "physical_volumes", "volume_groups", "logical_volumes", "memories", "modems",
    "monitors", "networks", "ports", "powersupplies", "processes", "remote_mgmt",
    "slots", "softwares", "sounds", "storages", "usbdevices", "users", "videos", "virtualmachines",
)
# What GLPI's schemas require of a list entry: an entry without it would make GLPI refuse the whole document.
REQUIRED_FIELDS = {
    "envs": ("key", "val"), "firewalls": ("status",), "local_groups": ("id", "name"), "local_users": ("id",),
    "physical_volumes": ("device", "format", "free", "pv_pe_count", "pv_uuid", "size"),
    "volume_groups": ("free", "lv_count", "pv_count", "size", "vg_extent_size", "vg_name", "vg_uuid"),
    "logical_volumes": ("lv_name", "lv_uuid", "size"), "networks": ("description",), "ports": ("type",),
    "printers": ("name",), "processes": ("cmd", "pid", "user"), "remote_mgmt": ("id", "type"), "slots": ("name",),
    "softwares": ("name",), "virtualmachines": ("name",),
}

# Sections that change on every run without the machine changing: not a reason to rewrite or resend a document.
VOLATILE_SECTIONS = ("accesslog", "versionprovider")
# ``processes`` change on every run too, but a user who asks for them asks for every run's list.
# The last login moves with the inventory's own ssh login (when it gets a terminal): no change of the machine.
VOLATILE_HARDWARE_FIELDS = ("lastloggeduser", "datelastloggeduser")
# Free space moves with every write on the machine, the inventory's own file included: no change of the machine.
VOLATILE_ENTRY_FIELDS = {"drives": ("free",)}

_NETWORK_STATUSES = ("up", "down", "dormant", "notpresent", "lowerlayerdown", "unknown", "testing")


def _text(sources, name):
    value = sources.get(name)
    return value if isinstance(value, str) else ""


def _int(value):
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def _clean(section):
    """Drop empty values: GLPI's schemas type every field, and ``None`` is no string."""
    return {key: value for key, value in section.items() if value is not None and value != ""}


def short_hostname(sources):
    name = _text(sources, "hostname").strip() or (sources.get("uname") or {}).get("nodename", "")
    return name.split(".", 1)[0] if name and not re.match(r"^[\d.]+$", name) else name


def target_offset_seconds(sources):
    """The target's UTC offset (``+0200`` -> 7200), 0 when unknown."""
    offset = (sources.get("timezone") or {}).get("offset") or ""
    match = re.match(r"^([+-])(\d{2})(\d{2})$", offset)
    if not match:
        return 0
    seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
    return -seconds if match.group(1) == "-" else seconds


def format_target_time(epoch, sources):
    """An epoch as ``YYYY-MM-DD HH:MM:SS`` in the target's local time (GLPI's datetime)."""
    if epoch is None:
        return None
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    moment += datetime.timedelta(seconds=target_offset_seconds(sources))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@functools.lru_cache(maxsize=4)
def _dmidecode_tables_of(text):
    tables = _dmidecode.parse_dmidecode(text)
    return tables if _dmidecode.dmidecode_is_usable(tables) else None


def dmidecode_tables(sources):
    """The parsed ``dmidecode`` dump when the target gave a usable one (root), else ``None``."""
    text = sources.get("dmidecode")
    return _dmidecode_tables_of(text) if isinstance(text, str) and text else None


def build_hardware(sources, connection_user=None):
    meminfo = parsers.parse_meminfo(_text(sources, "meminfo"))
    dmi = (sources.get("dmi") or {}).get("attributes", {})
    routes = parsers.default_routes(_text(sources, "ipv4_routes"), _text(sources, "ip_route_default"))
    uuid = dmi.get("product_uuid")
    hardware = {
        "name": short_hostname(sources),
        "uuid": uuid.upper() if uuid else None,
        "memory": meminfo["MemTotal"] // 1024 if "MemTotal" in meminfo else None,
        "swap": meminfo["SwapTotal"] // 1024 if "SwapTotal" in meminfo else None,
        "dns": "/".join(parsers.parse_resolv_conf(_text(sources, "resolv_conf"))),
        "defaultgateway": routes[0][1] if routes else None,
    }
    tables = dmidecode_tables(sources)
    if tables:
        from_dmi = _dmidecode.hardware_from_dmidecode(tables)
        hardware["chassis_type"] = from_dmi.get("chassis_type")
        if not hardware["uuid"] and from_dmi.get("uuid"):
            hardware["uuid"] = from_dmi["uuid"].upper()
    login, when = _accounts.last_logged_user(_text(sources, "last"), connection_user)
    hardware.update(lastloggeduser=login, datelastloggeduser=when)
    return _clean(hardware)


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
    return _clean(bios) or None


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
    return _clean(bios) or None


def build_operatingsystem(sources):
    uname = sources.get("uname") or {}
    fqdn = _text(sources, "hostname_fqdn").strip().splitlines()
    fqdn = fqdn[0].strip() if fqdn else short_hostname(sources)
    domain = fqdn.split(".", 1)[1] if "." in fqdn else None
    release = parsers.parse_os_release(
        _text(sources, "os_release"),
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
        "boot_time": format_target_time(parsers.parse_boot_epoch(_text(sources, "proc_stat")), sources),
        "install_date": format_target_time(parsers.install_epoch(sources.get("install_epochs")), sources),
        "hostid": parsers.parse_hostid(_text(sources, "hostid")),
        "ssh_key": parsers.ssh_host_key(sources.get("ssh_host_keys")),
    }
    if re.match(r"^[+-]\d{4}$", timezone.get("offset") or ""):
        system["timezone"] = {"name": timezone.get("abbreviation") or timezone.get("zone") or "", "offset": timezone["offset"]}
    return _clean(system)


def build_cpus(sources):
    """As GLPI Agent's Linux CPU modules: one entry per package on x86, per processor elsewhere (see ``_cpus``)."""
    machine = (sources.get("uname") or {}).get("machine")
    tables = dmidecode_tables(sources)
    return _cpus.cpus_from_cpuinfo(_text(sources, "cpuinfo"), machine,
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
        "mtu": ip_info.get("mtu") or _int(attrs.get("mtu")),
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
    speed = _int(attrs.get("speed"))
    base["speed"] = str(speed) if status == "up" and speed and speed > 0 else "0"
    return base


def build_networks(sources):
    """One entry per address, plus one for an interface without any, like GLPI Agent."""
    sysfs_all = sources.get("net_interfaces") or {}
    ip_all = parsers.parse_ip_addr(_text(sources, "ip_addr"))
    gateways = {}
    for iface, gateway in parsers.default_routes(_text(sources, "ipv4_routes"), _text(sources, "ip_route_default")):
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
        networks.extend(_clean(entry) for entry in entries)
    return networks


def build_drives(sources):
    return _drives.drives(_text(sources, "df"), sources.get("disk_links"))


def build_local_users(sources):
    return _accounts.local_users(_text(sources, "passwd"))


def build_local_groups(sources):
    return _accounts.local_groups(_text(sources, "passwd"), _text(sources, "group"))


def build_users(sources):
    return _accounts.logged_users(_text(sources, "who"))


def build_firewalls(sources):
    return parsers.firewall_status(sources.get("firewall"))


def target_clock(sources, default=None):
    """The target's own clock when the collector read it (epoch), else ``default``."""
    clock = sources.get("clock")
    return clock if isinstance(clock, (int, float)) and not isinstance(clock, bool) and clock > 0 else default


def build_processes(sources):
    now = target_clock(sources)
    started = (lambda seconds: format_target_time(now - seconds, sources)) if now else None
    return _processes.parse_ps(sources.get("ps"), started)


def build_envs(sources):
    return _processes.environment_variables(sources.get("environment"))


def _mapping(value):
    return value if isinstance(value, dict) else {}


def build_softwares(sources):
    """Every package manager the target has, each parsed as GLPI Agent parses it."""
    publisher = _packages.distributor_id(_text(sources, "lsb_release"), _text(sources, "os_release"))
    timezone = sources.get("timezone")
    snap, flatpak = _mapping(sources.get("snap")), _mapping(sources.get("flatpak"))
    softwares = []
    softwares += _packages.parse_dpkg(_text(sources, "dpkg"), publisher=publisher)
    softwares += _packages.parse_rpm(_text(sources, "rpm"), timezone=timezone)
    softwares += _packages.parse_pacman(_text(sources, "pacman"))
    softwares += _packages.parse_apk(_text(sources, "apk"), publisher=publisher)
    softwares += _packages.parse_slackware(_text(sources, "slackware"))
    softwares += _packages.parse_equery(_text(sources, "equery"))
    softwares += _packages.parse_nix(_text(sources, "nix"))
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
    return _virtualmachines.virtual_machines(raw, _text(sources, "cpuinfo"))


def build_remote_mgmt(sources):
    return _remote_mgmt.remote_mgmt({tool: sources.get(tool) for tool in _remote_mgmt.TOOLS})


def _from_dmidecode(builder):
    def build(sources):
        tables = dmidecode_tables(sources)
        return builder(tables) if tables else None
    build.__doc__ = "The section from the target's dmidecode dump (root only)."
    return build


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
    "memories": _from_dmidecode(_dmidecode_devices.memories_from_dmidecode),
    "ports": _from_dmidecode(_dmidecode_devices.ports_from_dmidecode),
    "slots": _from_dmidecode(_dmidecode_devices.slots_from_dmidecode),
    "batteries": build_batteries,
    "physical_volumes": build_physical_volumes,
    "volume_groups": build_volume_groups,
    "logical_volumes": build_logical_volumes,
    "virtualmachines": build_virtualmachines,
    "remote_mgmt": build_remote_mgmt,
    "powersupplies": _from_dmidecode(_dmidecode_devices.powersupplies_from_dmidecode),
    "softwares": build_softwares,
    "storages": build_storages,
    "users": build_users,
}


def build_accesslog(sources, now):
    """When the inventory was taken, in the target's local time."""
    return {"logdate": format_target_time(now, sources)} if now is not None else None


def build_versionprovider(provider, incomplete=None):
    """Who produced the document: this collection, and the Ansible that ran it.

    ``incomplete`` (``{source: reason}``) adds one ``incomplete: <source>: <reason>`` comment per source cut short:
    the comments are the one free text both GLPI schemas accept (GLPI 10 refuses unknown keys), so the document
    itself says it lacks something, wherever it is read (a ``local_path`` file, the copy GLPI keeps).
    """
    section = {"name": "glpiops.glpi", "version": COLLECTION_VERSION, "program": "glpiops.glpi.glpi_inventory"}
    comments = ["%s %s" % (key, value) for key, value in sorted((provider or {}).items()) if value]
    comments.extend("incomplete: %s: %s" % item for item in sorted((incomplete or {}).items()))
    if comments:
        section["comments"] = comments
    return section


def incomplete_sources(collected):
    """``{source: reason}`` of the sources a limit cut short or skipped: the document lacks what they would have given.

    The POSIX collectors return them apart (``incomplete``); the PowerShell collector names the sources it skipped
    when its time budget was used up among its ``errors``.  Names and reasons come from the target: escaped.
    """
    found = {}
    incomplete = collected.get("incomplete")
    if isinstance(incomplete, dict):
        found.update(incomplete)
    errors = collected.get("errors")
    if isinstance(errors, dict):
        found.update((name, reason) for name, reason in errors.items() if reason == BUDGET_SKIPPED)
    return {printable(str(name)): printable(str(reason)) for name, reason in found.items()}


def incomplete_warning(incomplete):
    """One warning naming the sources cut short, grouped by reason; ``None`` when the inventory is complete."""
    if not incomplete:
        return None
    by_reason = {}
    for name, reason in sorted(incomplete.items()):
        by_reason.setdefault(reason, []).append(name)
    return "the inventory is incomplete: %s" % "; ".join("%s (%s)" % (", ".join(names), reason) for reason, names in by_reason.items())


def source_warnings(collected):
    """One line per source the collector had to drop, sorted, naming the source, then the sources cut short.

    Everything in them comes from the target and reaches the operator's terminal: control characters are escaped.
    """
    errors = collected.get("errors")
    warnings = [printable("%s: %s" % (name, reason)) for name, reason in sorted(errors.items())
                if reason != BUDGET_SKIPPED] if isinstance(errors, dict) else []
    dmi = (collected.get("sources") or {}).get("dmi")
    unreadable = dmi.get("unreadable") if isinstance(dmi, dict) else None
    if unreadable and isinstance(unreadable, list):
        warnings.append(printable("dmi: %s readable by root only (use become to report them)" % ", ".join(sorted(map(str, unreadable)))))
    incomplete = incomplete_warning(incomplete_sources(collected))
    if incomplete:
        warnings.append(incomplete)
    return warnings


def _complete_entries(name, section, warnings):
    """Drop list entries that lack what the schemas require (or are not objects), with one warning per section."""
    if not isinstance(section, list):
        return section
    required = REQUIRED_FIELDS.get(name, ())
    kept = [entry for entry in section
            if isinstance(entry, dict) and all(entry.get(field) is not None for field in required)]
    if len(kept) != len(section):
        warnings.append("%s: %d incomplete entr%s left out" % (name, len(section) - len(kept), "y" if len(section) - len(kept) == 1 else "ies"))
    return kept


def section_builders(os_family):
    """The section builders for the target's ``os_family`` (``linux``, ``darwin``, ``freebsd``, ``windows``); Linux's otherwise."""
    # Imported here: those modules use this one's helpers.
    if os_family == "darwin":
        from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _darwin  # pylint: disable=import-outside-toplevel
        return _darwin.SECTION_BUILDERS
    if os_family == "freebsd":
        from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _freebsd  # pylint: disable=import-outside-toplevel
        return _freebsd.SECTION_BUILDERS
    if os_family == "windows":
        from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _windows  # pylint: disable=import-outside-toplevel
        return _windows.SECTION_BUILDERS
    return SECTION_BUILDERS


def build_inventory(collected, deviceid, itemtype="Computer", tag=None, now=None, provider=None, connection_user=None):
    """The GLPI inventory document for one host, and the warnings met on the way.

    ``now`` (epoch) dates the ``accesslog``; ``provider`` (e.g. ``{"ansible-core": "2.19.14"}``) goes into
    ``versionprovider.comments``; ``connection_user``, the account Ansible logs in with, is never the
    ``lastloggeduser`` (its sessions are the automation's, not a person's).
    """
    sources = collected.get("sources") or {}
    warnings = source_warnings(collected)
    content = {"versionprovider": build_versionprovider(provider, incomplete_sources(collected))}
    accesslog = build_accesslog(sources, target_clock(sources, now))
    if accesslog:
        content["accesslog"] = accesslog
    os_family = collected.get("os_family") or "linux"
    builders = section_builders(os_family)
    if os_family == "linux" and connection_user:
        builders = dict(builders, hardware=lambda sources: build_hardware(sources, connection_user))
    for name in SECTION_ORDER:
        if name not in builders:
            continue
        try:
            section = builders[name](sources)
        except Exception as exc:  # pylint: disable=broad-except
            # A parser bug on odd input costs that section, never the document.
            warnings.append(printable("%s: section dropped (%s: %s)" % (name, type(exc).__name__, exc)))  # may quote the target
            continue
        section = _complete_entries(name, section, warnings)
        if section:
            content[name] = section
    if os_family == "linux":  # vmsystem reads Linux's /proc and sysfs facts
        try:
            _vmsystem.apply_vmsystem(content, sources)
        except Exception as exc:  # pylint: disable=broad-except
            warnings.append(printable("vmsystem: not decided (%s: %s)" % (type(exc).__name__, exc)))
    content = {name: content[name] for name in SECTION_ORDER if name in content}
    content["versionclient"] = VERSIONCLIENT
    document = {"action": "inventory", "deviceid": deviceid, "itemtype": itemtype, "content": content}
    if tag:
        document["tag"] = tag
    return document, warnings


def section_counts(document):
    """``{"hardware": 1, "networks": 5, ...}`` for the task result."""
    counts = {}
    for name, value in (document.get("content") or {}).items():
        if isinstance(value, list):
            counts[name] = len(value)
        elif isinstance(value, dict):
            counts[name] = 1
    return counts


def without_volatile(document):
    """The document minus what changes on every run (see ``VOLATILE_SECTIONS``), to tell a real change."""
    if not isinstance(document, dict):
        return document
    content = {k: v for k, v in (document.get("content") or {}).items() if k not in VOLATILE_SECTIONS}
    if isinstance(content.get("hardware"), dict):
        content["hardware"] = {k: v for k, v in content["hardware"].items() if k not in VOLATILE_HARDWARE_FIELDS}
    for name, fields in VOLATILE_ENTRY_FIELDS.items():
        if isinstance(content.get(name), list):
            content[name] = [{k: v for k, v in entry.items() if k not in fields} if isinstance(entry, dict) else entry
                             for entry in content[name]]
    return dict(document, content=content)


def section_fingerprints(document):
    """One short digest per content section, to tell which sections changed between two documents.

    Digests leave out what ``without_volatile`` leaves out, so a diff names only the sections that make a change.
    """
    fingerprints = {}
    for name, value in sorted((without_volatile(document).get("content") or {}).items()):
        if name == "versionclient" or name in VOLATILE_SECTIONS:
            continue
        encoded = json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")
        fingerprints[name] = hashlib.sha256(encoded).hexdigest()[:12]
    return fingerprints


def render_document(document):
    """The document as written to ``<deviceid>.json``: stable key order, UTF-8, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
