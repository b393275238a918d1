# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``system_profiler`` outputs (text and ``-xml``) shaped as GLPI Agent shapes them.

Private to the glpiops.glpi collection: no compatibility promise.

The text form (``parse_system_profiler``: hardware overview, memory slots, graphics,
power) gives ``cpus`` (with ``sysctl machdep.cpu``), ``memories``, ``videos``, the
battery and charger, ``bios`` and the hardware UUID (with ioreg's platform device);
the ``-xml`` form (``parse_system_profiler_xml``) gives the ``storages``.  The
applications data type is read by ``_system_profiler_apps``.

Pure functions, no I/O, none raises: given garbage they return what could be
read (an empty dict or list at worst).  The raw view ``parse_system_profiler``
keeps the agent's own keys and string values; the section helpers return GLPI
inventory entries with the schema's types.
"""

from __future__ import annotations

import datetime
import plistlib
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    as_dict,
    as_str,
    canonical_manufacturer,
    canonical_size,
    integer_field,
    perl_number,
    perl_string,
    perl_true,
    text_lines,
    trim_whitespace,
    without_empty,
)


# --- system_profiler, text form --------------------------------------------------------------------------


def _us_date(value):
    """``M/D/YY ...`` -> ``DD/MM/YYYY``, as the agent rewrites ``Last Modified`` (other forms unchanged)."""
    match = re.match(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2})\s*", value)
    if not match:
        return value
    return "%02d/%02d/%d" % (int(match.group(2)), int(match.group(1)), 2000 + int(match.group(3)))


def parse_system_profiler(text):
    """``system_profiler [type]`` text -> the tree GLPI Agent reads: ``{title: {subtitle: {key: value}}}``.

    Indentation makes the levels; a title that gets no value before a shallower line
    becomes ``None``; a repeated title at one level becomes ``title_0``, ``title_1``...
    """
    root = {}
    stack = [(root, -1, None)]
    for line in text_lines(text):
        match = re.match(r"^(\s*)(\S[^:]*):(?: (.*\S))?", line)
        if not match:
            continue
        level, key, value = len(match.group(1)), match.group(2), match.group(3)
        if value is not None:
            node = stack[-1][0]
            if level <= stack[-1][1]:
                if not node and len(stack) > 1:
                    stack[-2][0][stack[-1][2]] = None
                while level <= stack[-1][1]:
                    stack.pop()
                node = stack[-1][0]
            if key == "Last Modified":
                value = _us_date(value)
            node[key] = value
            continue
        if level < stack[-1][1]:
            while level <= stack[-1][1]:
                stack.pop()
        elif level == stack[-1][1]:
            stack.pop()
        node = stack[-1][0]
        base, index = key, 0
        while node.get(key) is not None:
            key = "%s_%d" % (base, index)
            index += 1
        node[key] = {}
        stack.append((node[key], level, key))
    return root


def _path(tree, *keys):
    node = tree
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def hardware_overview(tree):
    """The ``Hardware`` -> ``Hardware Overview`` node (or ``{}``)."""
    return as_dict(_path(tree, "Hardware", "Hardware Overview"))


def _speed_mhz(value):
    """``2,4 GHz`` / ``2.26 GHz`` / ``800 MHz`` -> MHz as an int (or ``None``)."""
    value = (value or "").replace(",", ".", 1)
    factor = 1
    if re.search(r"GHz$", value, re.IGNORECASE):
        value, factor = value[:-3], 1000
    elif re.search(r"MHz$", value, re.IGNORECASE):
        value = value[:-3]
    value = re.sub(r"\s", "", value)
    if not perl_true(value):
        return None
    return integer_field(perl_number(value) * factor)


def cpus(tree, sysctl_text):
    """``cpus`` from ``system_profiler SPHardwareDataType`` and ``sysctl -a machdep.cpu``, one entry per processor."""
    overview = hardware_overview(tree)
    sysctl = {}
    for line in text_lines(sysctl_text):
        match = re.search(r"([^:]+):\s(.+)", line)
        if match:
            sysctl[match.group(1)] = match.group(2)
    if not sysctl:
        return []
    name = sysctl.get("machdep.cpu.brand_string") or as_str(overview.get("Processor Name")) or as_str(overview.get("CPU Type")) or ""
    procs = integer_field(overview.get("Number Of Processors") or overview.get("Number Of CPUs")) or 1
    procs = min(procs, 1024)
    total_cores = overview.get("Total Number Of Cores")
    cores = perl_number(total_cores) / procs if perl_true(total_cores) else sysctl.get("machdep.cpu.core_count")
    manufacturer = None
    for pattern, vendor in (("Intel", "Intel"), ("AMD", "AMD"), ("Apple", "Apple")):
        if re.search(pattern, name, re.IGNORECASE):
            manufacturer = vendor
            break
    cpu = {
        "core": integer_field(cores),
        "manufacturer": manufacturer,
        "name": trim_whitespace(name),
        "thread": integer_field(sysctl.get("machdep.cpu.thread_count")),
        "familynumber": sysctl.get("machdep.cpu.family"),
        "model": sysctl.get("machdep.cpu.model"),
        "stepping": integer_field(sysctl.get("machdep.cpu.stepping")),
        "speed": _speed_mhz(as_str(overview.get("Processor Speed")) or as_str(overview.get("CPU Speed")) or ""),
    }
    cpu = without_empty(cpu)
    return [dict(cpu) for _unused_index in range(procs)]


def _part_number(value):
    if isinstance(value, str) and value.startswith("0x"):
        digits = value[2:]
        try:
            value = bytes.fromhex(digits[:len(digits) // 2 * 2]).decode("latin-1").rstrip()
        except ValueError:
            return None
    if not isinstance(value, str):
        return None
    return re.sub("[\x00-\x1f\x7f]", "", value) or None


def memories(tree):
    """``memories`` from ``system_profiler SPMemoryDataType`` (one entry per ``DIMM`` slot, or the M1's integrated memory)."""
    memory = as_dict(tree.get("Memory")) if isinstance(tree, dict) else {}
    parent = memory["Memory Slots"] if isinstance(memory.get("Memory Slots"), dict) else memory
    entries = []
    for key in sorted(parent):
        match = re.search(r"DIMM(\d)", key)
        if not match:
            continue
        info = as_dict(parent[key])
        entry = {
            "numslots": int(match.group(1)),
            "caption": "Status: %s" % (as_str(info.get("Status")) or ""),
            "type": as_str(info.get("Type")),
            "serialnumber": as_str(info.get("Serial Number")),
            "speed": _memory_speed(info.get("Speed")),
            "capacity": integer_field(canonical_size(as_str(info.get("Size")), 1024)),
            "description": _part_number(info.get("Part Number")),
        }
        entries.append(without_empty(entry))
    if not entries and isinstance(parent.get("Memory"), str) and isinstance(parent.get("Type"), str):
        entries.append(without_empty({
            "numslots": 0, "description": "Integrated memory", "type": parent["Type"],
            "capacity": integer_field(canonical_size(parent["Memory"], 1024)),
        }))
    return entries


def _memory_speed(value):
    if not isinstance(value, str) or not perl_true(value):
        return None
    if re.match(r"^[,.\d]+$", value):
        return value
    if value.startswith("PC3200U"):
        return "400"
    match = re.match(r"^([,.\d]+)\s?(\S+)", value)
    if not match:
        return None
    unit = match.group(2).lower()
    if unit == "ghz":
        return perl_string(perl_number(match.group(1)) * 1000)
    if unit in ("mhz", "mt/s"):
        return match.group(1)
    return None


def memory_size(tree):
    """Total memory in MB from ``Hardware Overview`` -> ``Memory`` (``16 GB`` -> 16384)."""
    return integer_field(canonical_size(as_str(hardware_overview(tree).get("Memory")), 1024))


def videos(tree):
    """``videos`` from ``system_profiler SPDisplaysDataType``, sorted by card name."""
    cards = as_dict(tree.get("Graphics/Displays")) if isinstance(tree, dict) else {}
    entries = []
    for name in sorted(cards):
        info = as_dict(cards[name])
        size = canonical_size(as_str(info.get("VRAM (Total)")) or as_str(info.get("VRAM (Dynamic, Max)")), 1024)
        video = {"chipset": as_str(info.get("Chipset Model")), "memory": integer_field(size), "name": name}
        for display_name, display in as_dict(info.get("Displays")).items():
            if display_name in ("Display Connector", "Display"):
                continue
            resolution = as_str(as_dict(display).get("Resolution"))
            if resolution:
                match = re.search(r"(\d+) *x *(\d+)", resolution)
                if match and perl_true(match.group(1)) and perl_true(match.group(2)):
                    resolution = "%sx%s" % (match.group(1), match.group(2))
                video.setdefault("resolution", resolution)
        slot = as_str(info.get("Slot")) or as_str(info.get("Bus"))
        video["pcislot"] = slot
        entries.append(without_empty(video))
    return entries


def battery(tree):
    """The ``batteries`` entry from ``system_profiler SPPowerDataType`` (``None`` when there is none)."""
    info = as_dict(_path(tree, "Power", "Battery Information"))
    model = as_dict(info.get("Model Information"))
    entry = without_empty({
        "serial": as_str(model.get("Serial Number")),
        "capacity": integer_field(as_dict(info.get("Charge Information")).get("Full Charge Capacity (mAh)")),
        "name": as_str(model.get("Device Name")),
        "manufacturer": as_str(model.get("Manufacturer")),
        "voltage": integer_field(info.get("Voltage (mV)")),
    })
    return entry or None


def power_supply(tree):
    """The charger as a ``powersupplies`` entry, from ``system_profiler SPPowerDataType`` (``None`` without one)."""
    info = _path(tree, "Power", "AC Charger Information")
    if not isinstance(info, dict) or not info:
        return None
    return without_empty({
        "serialnumber": as_str(info.get("Serial Number")),
        "name": as_str(info.get("Name")),
        "manufacturer": as_str(info.get("Manufacturer")),
        "status": "Charging" if info.get("Charging") == "Yes" else "Not charging",
        "plugged": (as_str(info.get("Connected")) or "No") == "Yes",
        "power_max": integer_field(info.get("Wattage (W)")),
    })


def system_version(tree):
    """``Software`` -> ``System Software Overview`` -> ``System Version`` (``macOS 14.5 (23F79)``)."""
    return as_str(_path(tree, "Software", "System Software Overview", "System Version"))


def bios(tree, platform_devices=None):
    """GLPI ``bios`` from ``Hardware Overview`` and the ``IOPlatformExpertDevice`` of ioreg (as ``MacOS::Bios``)."""
    overview = hardware_overview(tree)
    device = as_dict(platform_devices[0]) if isinstance(platform_devices, list) and platform_devices else {}
    return without_empty({
        "smanufacturer": as_str(device.get("manufacturer")) or "Apple Inc",
        "smodel": as_str(overview.get("Model Identifier")) or as_str(overview.get("Machine Model")) or as_str(device.get("model")),
        "ssn": as_str(overview.get("Serial Number")) or as_str(overview.get("Serial Number (system)"))
        or as_str(device.get("IOPlatformSerialNumber")),
        "bversion": as_str(overview.get("Boot ROM Version")) or as_str(overview.get("System Firmware Version")),
    })


def hardware_uuid(tree, platform_devices=None):
    """``Hardware UUID`` of the overview, else the ``IOPlatformUUID`` of ioreg's platform device."""
    device = as_dict(platform_devices[0]) if isinstance(platform_devices, list) and platform_devices else {}
    return as_str(hardware_overview(tree).get("Hardware UUID")) or as_str(device.get("IOPlatformUUID"))


# --- system_profiler, -xml form --------------------------------------------------------------------------


def parse_system_profiler_xml(text):
    """``system_profiler -xml`` -> its list of data type dicts (``[]`` when not a readable plist)."""
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    if not isinstance(data, (bytes, bytearray)) or not data.strip():
        return []
    try:
        root = plistlib.loads(bytes(data))
    except Exception:  # pylint: disable=broad-except
        # plistlib raises many kinds (ExpatError, ValueError, TypeError...) on damaged input.
        return []
    if isinstance(root, dict):
        root = [root]
    return [item for item in root if isinstance(item, dict)] if isinstance(root, list) else []


def xml_items(text):
    """The ``_items`` of the first data type of a ``system_profiler -xml`` output (``[]`` when none)."""
    plists = parse_system_profiler_xml(text)
    items = plists[0].get("_items") if plists else None
    return items if isinstance(items, list) else []


def xml_string(value):
    """A plist scalar as the agent reads it: booleans ``true``/``false``, dates ``YYYY-MM-DDTHH:MM:SSZ``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, (int, float)):
        return perl_string(value)
    return value if isinstance(value, str) else None


# --- storages from system_profiler -xml -------------------------------------------------------------------


def _flatten_items(nodes, sublist_key, depth):
    listed = []
    key = sublist_key if depth and sublist_key else "_items"
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        if isinstance(node.get(key), list):
            listed.extend(_flatten_items(node[key], sublist_key, depth + 1))
        if perl_true(xml_string(node.get("_name"))):
            node = {k: v for k, v in node.items() if k != key}
            listed.append(node)
    return listed


def storage_items(text, data_type):
    """``{name: device dict}`` of one ``system_profiler -xml SP...DataType`` (devices at any depth), as the agent keys them."""
    sublist = "units" if data_type == "SPFireWireDataType" else "_items"
    devices = {}
    try:
        nodes = _flatten_items(xml_items(text), sublist, 0)
    except RecursionError:
        return devices
    for node in nodes:
        devices[xml_string(node["_name"])] = {
            key: xml_string(value) if not isinstance(value, (list, dict)) else value for key, value in node.items()}
    return devices


def _disksize(device):
    size = device.get("size_in_bytes")
    value = canonical_size("%s bytes" % size, 1024) if perl_true(size) else canonical_size(device.get("size"), 1024) \
        if perl_true(device.get("size")) else None
    if value is None:
        return None
    return integer_field(value)


def _strip_manufacturer(model, manufacturer):
    if not model:
        return model
    if manufacturer is None:
        manufacturer = ""
    return re.sub(r"\s*" + re.escape(manufacturer) + r"\s*", "", model, count=1, flags=re.IGNORECASE)


def _info_extract(device):
    extract = {}
    for key, value in device.items():
        match = re.match(r"^(?:\w_)?(serial_num|device_model|bcd_device|manufacturer|product_id)", key)
        if match and value is not None:
            extract[match.group(1)] = value
    return extract


def _external_disk(device, label, interface, model, extract):
    """The entry of a USB or FireWire disk (``extract``: its ``_info_extract``)."""
    manufacturer = extract.get("manufacturer")
    return {"name": device.get("bsd_name") or label, "type": "Disk drive", "interface": interface, "description": label,
            "model": model, "serial": extract.get("serial_num") or None, "firmware": extract.get("bcd_device") or None,
            "manufacturer": canonical_manufacturer(manufacturer) if manufacturer else None}


def _is_volume(device):
    """A volume (content, file system or mount point) of a disk that has no partition map: no storage of its own."""
    return any(perl_true(device.get(key)) for key in ("iocontent", "file_system", "mount_point")) \
        and not perl_true(device.get("partition_map_type"))


def _storage(entry):
    entry = {key: trim_whitespace(value) if isinstance(value, str) else value for key, value in entry.items()}
    return {key: value for key, value in entry.items() if value is not None}


def storages(text, data_type):
    """GLPI ``storages`` from ``system_profiler -xml <data_type>`` (SerialATA, DiscBurning, CardReader, USB, FireWire)."""
    devices = storage_items(text, data_type)
    entries = []
    for name in sorted(devices):
        device = devices[name]
        label = as_str(device.get("_name")) or ""
        entry = None
        if data_type == "SPSerialATADataType":
            if not (perl_true(device.get("partition_map_type")) or perl_true(device.get("detachable_drive"))):
                continue
            if re.search("controller", label, re.IGNORECASE):
                continue
            manufacturer = canonical_manufacturer(label)
            entry = {"name": device.get("bsd_name") or label, "manufacturer": manufacturer, "type": "Disk drive", "interface": "SATA",
                     "serial": device.get("device_serial"), "model": device.get("device_model") or label,
                     "firmware": device.get("device_revision"), "description": label}
            entry["model"] = _strip_manufacturer(entry["model"], manufacturer)
        elif data_type == "SPDiscBurningDataType":
            manufacturer = canonical_manufacturer(device.get("manufacturer") or label)
            entry = {"name": device.get("bsd_name") or label, "manufacturer": manufacturer, "type": "Disk burning",
                     "interface": "SATA" if device.get("interconnect") == "SERIAL-ATA" else "ATAPI",
                     "model": _strip_manufacturer(label, manufacturer), "firmware": device.get("firmware")}
        elif data_type == "SPCardReaderDataType":
            if _is_volume(device):
                continue
            if label == "spcardreader":
                entry = {"name": device.get("bsd_name") or label, "type": "Card reader", "description": label,
                         "serial": device.get("spcardreader_serialnumber"), "model": label,
                         "firmware": device.get("spcardreader_revision-id"), "manufacturer": device.get("spcardreader_vendor-id")}
            else:
                entry = {"name": device.get("bsd_name") or label, "type": "SD Card", "description": label}
        elif data_type == "SPUSBDataType":
            # The agent tests a misspelt key (bsn_name) here, so its exclusions always apply.
            if label == "Mass Storage Device":
                continue
            if re.search(r"keyboard|controller|IR Receiver|built-in|hub|mouse|tablet|usb(?:\d+)?bus", label, re.IGNORECASE):
                continue
            if device.get("Built-in_Device") == "Yes":
                continue
            if _is_volume(device):
                continue
            extract = _info_extract(device)
            entry = _external_disk(device, label, "USB", extract.get("device_model") or label, extract)
        elif data_type == "SPFireWireDataType":
            if not perl_true(device.get("partition_map_type")):
                continue
            extract = _info_extract(device)
            entry = _external_disk(device, label, "1394", extract.get("product_id") or None, extract)
        if entry is None:
            continue
        if data_type != "SPCardReaderDataType" or label != "spcardreader":
            entry["disksize"] = _disksize(device)
        entry = {key: value if not isinstance(value, (list, dict)) else None for key, value in entry.items()}
        entries.append(_storage(entry))
    return entries


STORAGE_DATA_TYPES = ("SPSerialATADataType", "SPDiscBurningDataType", "SPCardReaderDataType", "SPUSBDataType", "SPFireWireDataType")
