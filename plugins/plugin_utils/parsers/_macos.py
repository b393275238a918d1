# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""macOS sources shaped as GLPI Agent shapes them: system_profiler, sysctl, ioreg, ifconfig, sw_vers, df.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O, none raises: given garbage they return what could be
read (an empty dict or list at worst).  The raw views (``parse_system_profiler``,
``parse_ioreg``, ``applications_*``) keep the agent's own keys and string values;
the section helpers return GLPI inventory entries with the schema's types.
"""

from __future__ import annotations

import base64
import datetime
import plistlib
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _edid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    canonical_manufacturer,
    canonical_size,
    perl_number,
    perl_string,
    perl_true,
    text_lines,
    trim_whitespace,
)

_IPV4_RE = re.compile(r"inet ((?:\d{1,3}\.){3}\d{1,3})", re.ASCII)
_MAC_RE = r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}"


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def _dict(value):
    return value if isinstance(value, dict) else {}


def _clean(entry):
    return {key: value for key, value in entry.items() if value is not None and value != ""}


def _int_or_none(value):
    """An integer field: kept when it prints as digits (the agent's JSON form drops the rest)."""
    text = perl_string(value)
    if text is None or not re.match(r"^\d+\Z", text, re.ASCII):
        return None
    return int(text)


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
    for line in text_lines(_text(text)):
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


def _str(value):
    return value if isinstance(value, str) else None


def hardware_overview(tree):
    """The ``Hardware`` -> ``Hardware Overview`` node (or ``{}``)."""
    return _dict(_path(tree, "Hardware", "Hardware Overview"))


def parse_sysctl(text):
    """``sysctl`` lines (``name: value`` or ``name = value``) -> ``{name: value}``."""
    values = {}
    for line in text_lines(_text(text)):
        match = re.match(r"^([^:=\s][^:=]*?)\s*[:=]\s(.*)$", line)
        if match:
            values[match.group(1).strip()] = match.group(2).strip()
    return values


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
    return _int_or_none(perl_number(value) * factor)


def cpus(tree, sysctl_text):
    """``cpus`` from ``system_profiler SPHardwareDataType`` and ``sysctl -a machdep.cpu``, one entry per processor."""
    overview = hardware_overview(tree)
    sysctl = {}
    for line in text_lines(_text(sysctl_text)):
        match = re.search(r"([^:]+):\s(.+)", line)
        if match:
            sysctl[match.group(1)] = match.group(2)
    if not sysctl:
        return []
    name = sysctl.get("machdep.cpu.brand_string") or _str(overview.get("Processor Name")) or _str(overview.get("CPU Type")) or ""
    procs = _int_or_none(overview.get("Number Of Processors") or overview.get("Number Of CPUs")) or 1
    procs = min(procs, 1024)
    total_cores = overview.get("Total Number Of Cores")
    cores = perl_number(total_cores) / procs if perl_true(total_cores) else sysctl.get("machdep.cpu.core_count")
    manufacturer = None
    for pattern, vendor in (("Intel", "Intel"), ("AMD", "AMD"), ("Apple", "Apple")):
        if re.search(pattern, name, re.IGNORECASE):
            manufacturer = vendor
            break
    cpu = {
        "core": _int_or_none(cores),
        "manufacturer": manufacturer,
        "name": trim_whitespace(name),
        "thread": _int_or_none(sysctl.get("machdep.cpu.thread_count")),
        "familynumber": sysctl.get("machdep.cpu.family"),
        "model": sysctl.get("machdep.cpu.model"),
        "stepping": _int_or_none(sysctl.get("machdep.cpu.stepping")),
        "speed": _speed_mhz(_str(overview.get("Processor Speed")) or _str(overview.get("CPU Speed")) or ""),
    }
    cpu = _clean(cpu)
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
    memory = _dict(tree.get("Memory")) if isinstance(tree, dict) else {}
    parent = memory["Memory Slots"] if isinstance(memory.get("Memory Slots"), dict) else memory
    entries = []
    for key in sorted(parent):
        match = re.search(r"DIMM(\d)", key)
        if not match:
            continue
        info = _dict(parent[key])
        entry = {
            "numslots": int(match.group(1)),
            "caption": "Status: %s" % (_str(info.get("Status")) or ""),
            "type": _str(info.get("Type")),
            "serialnumber": _str(info.get("Serial Number")),
            "speed": _memory_speed(info.get("Speed")),
            "capacity": _int_or_none(canonical_size(_str(info.get("Size")), 1024)),
            "description": _part_number(info.get("Part Number")),
        }
        entries.append(_clean(entry))
    if not entries and isinstance(parent.get("Memory"), str) and isinstance(parent.get("Type"), str):
        entries.append(_clean({
            "numslots": 0, "description": "Integrated memory", "type": parent["Type"],
            "capacity": _int_or_none(canonical_size(parent["Memory"], 1024)),
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
    return _int_or_none(canonical_size(_str(hardware_overview(tree).get("Memory")), 1024))


def videos(tree):
    """``videos`` from ``system_profiler SPDisplaysDataType``, sorted by card name."""
    cards = _dict(tree.get("Graphics/Displays")) if isinstance(tree, dict) else {}
    entries = []
    for name in sorted(cards):
        info = _dict(cards[name])
        size = canonical_size(_str(info.get("VRAM (Total)")) or _str(info.get("VRAM (Dynamic, Max)")), 1024)
        video = {"chipset": _str(info.get("Chipset Model")), "memory": _int_or_none(size), "name": name}
        for display_name, display in _dict(info.get("Displays")).items():
            if display_name in ("Display Connector", "Display"):
                continue
            resolution = _str(_dict(display).get("Resolution"))
            if resolution:
                match = re.search(r"(\d+) *x *(\d+)", resolution)
                if match and perl_true(match.group(1)) and perl_true(match.group(2)):
                    resolution = "%sx%s" % (match.group(1), match.group(2))
                video.setdefault("resolution", resolution)
        slot = _str(info.get("Slot")) or _str(info.get("Bus"))
        video["pcislot"] = slot
        entries.append(_clean(video))
    return entries


def battery(tree):
    """The ``batteries`` entry from ``system_profiler SPPowerDataType`` (``None`` when there is none)."""
    info = _dict(_path(tree, "Power", "Battery Information"))
    model = _dict(info.get("Model Information"))
    entry = _clean({
        "serial": _str(model.get("Serial Number")),
        "capacity": _int_or_none(_dict(info.get("Charge Information")).get("Full Charge Capacity (mAh)")),
        "name": _str(model.get("Device Name")),
        "manufacturer": _str(model.get("Manufacturer")),
        "voltage": _int_or_none(info.get("Voltage (mV)")),
    })
    return entry or None


def power_supply(tree):
    """The charger as a ``powersupplies`` entry, from ``system_profiler SPPowerDataType`` (``None`` without one)."""
    info = _path(tree, "Power", "AC Charger Information")
    if not isinstance(info, dict) or not info:
        return None
    return _clean({
        "serialnumber": _str(info.get("Serial Number")),
        "name": _str(info.get("Name")),
        "manufacturer": _str(info.get("Manufacturer")),
        "status": "Charging" if info.get("Charging") == "Yes" else "Not charging",
        "plugged": (_str(info.get("Connected")) or "No") == "Yes",
        "power_max": _int_or_none(info.get("Wattage (W)")),
    })


def computer_name(tree):
    """``Software`` -> ``System Software Overview`` -> ``Computer Name``."""
    return _str(_path(tree, "Software", "System Software Overview", "Computer Name"))


def system_version(tree):
    """``Software`` -> ``System Software Overview`` -> ``System Version`` (``macOS 14.5 (23F79)``)."""
    return _str(_path(tree, "Software", "System Software Overview", "System Version"))


def applications_from_text(tree):
    """The ``Applications`` node of the text form: ``{name: {field: value}}``."""
    apps = tree.get("Applications") if isinstance(tree, dict) else None
    return {name: value for name, value in apps.items() if isinstance(value, dict)} if isinstance(apps, dict) else {}


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


def _items(text):
    plists = parse_system_profiler_xml(text)
    items = plists[0].get("_items") if plists else None
    return items if isinstance(items, list) else []


def _xml_string(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, (int, float)):
        return perl_string(value)
    return value if isinstance(value, str) else None


_ARCH_KINDS = {
    "arch_arm_i64": "Universal", "arch_arm": "Arm", "arch_i64": "Intel (x86_64)", "arch_i32": "Intel (i386)", "arch_other": "Other",
}


def _ucfirst(value):
    return value[:1].upper() + value[1:] if value else value


def applications_from_xml(text, local_offset=0):
    """``system_profiler -xml SPApplicationsDataType`` -> ``{name: {field: value}}`` with the text form's field names.

    ``local_offset`` (seconds east of UTC) turns ``lastModified`` into the target's day (``DD/MM/YYYY``).
    """
    apps = {}
    for item in _items(text):
        if not isinstance(item, dict):
            continue
        name = _xml_string(item.get("_name"))
        if not perl_true(name):
            continue
        entry = {}
        bits = _xml_string(item.get("has64BitIntelCode"))
        if bits is not None:
            entry["64-Bit (Intel)"] = _ucfirst(bits)
        env = _xml_string(item.get("runtime_environment"))
        if env is not None:
            entry["Kind"] = "Intel" if env == "arch_x86" else _ucfirst(env)
        if _xml_string(item.get("arch_kind")) in _ARCH_KINDS:
            entry["Kind"] = _ARCH_KINDS[item["arch_kind"]]
        if "lastModified" in item:
            entry["Last Modified"] = _offset_date(item.get("lastModified"), local_offset)
        signed = item.get("signed_by")
        if isinstance(signed, list):
            entry["Signed by"] = next((s for s in signed if isinstance(s, str) and s.startswith("Developer ID Application:")), None)
        if item.get("obtained_from") == "identified_developer":
            entry["Obtained from"] = "Identified Developer"
        for key, field in (("version", "Version"), ("path", "Location"), ("info", "Get Info String")):
            if key in item:
                entry[field] = _xml_string(item[key])
        if name in apps:
            index = 0
            while "%s_%d" % (name, index) in apps:
                index += 1
            name = "%s_%d" % (name, index)
        apps[name] = entry
    return apps


def _offset_date(value, offset):
    if isinstance(value, str):
        match = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$", value)
        try:
            value = datetime.datetime(*[int(group) for group in match.groups()]) if match else None
        except ValueError:
            value = None
    if not isinstance(value, datetime.datetime):
        return None
    try:
        moment = value.replace(tzinfo=None) + datetime.timedelta(seconds=int(offset or 0))
    except (OverflowError, TypeError, ValueError):
        return None
    return moment.strftime("%d/%m/%Y")


_COPYRIGHT_RE = r"(\(C\)|\u00a9|Copyright|\u00ef\u00bf\u00bd)"


def _publisher(name, app):
    source = _str(app.get("Obtained from")) or ""
    location = _str(app.get("Location")) or ""
    info = _str(app.get("Get Info String"))
    if source == "Apple" or re.search(r"/System/Library/(CoreServices|Frameworks)/", location):
        return "Apple"
    if source == "Identified Developer" and perl_true(_str(app.get("Signed by"))):
        match = re.match(r"^Developer ID Application: ([^,]*),?", app["Signed by"])
        developer = match.group(1) if match else None
        if developer:
            inner = re.match(r"^(.*)\s+\(.*\)$", developer)
            developer = inner.group(1) if inner else developer
            developer = re.sub(r"\s*Incorporated.*", " Inc.", developer, count=1, flags=re.IGNORECASE)
            developer = re.sub(r"\s*Corporation.*", "", developer, count=1, flags=re.IGNORECASE)
            if developer:
                return developer
    if info:
        parts = re.split(r",\s+", info)
        if any(re.search(r"\bApple\b", part, re.IGNORECASE) for part in parts):
            return "Apple"
        found = next((part for part in parts if re.search(_COPYRIGHT_RE, part, re.IGNORECASE)), None)
        if found:
            by = re.search(r"\sby\s(.*)", found, re.IGNORECASE)
            found = by.group(1) if by else found
            found = re.sub(r".*" + _COPYRIGHT_RE + r"\s*", "", found, flags=re.IGNORECASE)
            found = re.sub(r"\s*All rights reserved\.?\s*", "", found, count=1, flags=re.IGNORECASE)
            found = re.sub(r"\s*Incorporated.*", " Inc.", found, count=1, flags=re.IGNORECASE)
            found = re.sub(r"\s*Corporation.*", "", found, count=1, flags=re.IGNORECASE)
            found = re.sub(r"\s*\d+(\s*-\s*\d+)?\s*", "", found)
            if found:
                return found
        editor = canonical_manufacturer(info)
        if editor is not None and editor != info:
            return editor
    editor = canonical_manufacturer(name)
    return editor if editor is not None and editor != name else None


def _iso_install_date(value):
    """``DD/MM/YYYY`` -> ``YYYY-MM-DD``, day and month swapped when that is the only valid date (as GLPI Agent's JSON)."""
    match = re.match(r"^(\d{2})/(\d{2})/(\d{4})", value or "")
    if not match:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    for month_, day_ in ((month, day), (day, month)):
        try:
            return datetime.date(year, month_, day_).isoformat()
        except ValueError:
            continue
    return None


def _category_and_user(location):
    if not location:
        return None, None
    match = re.match(r"^/Users/([^/]+)/([^/]+/[^/]+)/", location) or re.match(r"^/Users/([^/]+)/([^/]+)/", location)
    if match:
        category = match.group(2) if not re.match(r"^Downloads|^Desktop", match.group(2)) else None
        return category, match.group(1)
    for pattern in (r"^/Volumes/[^/]+/([^/]+/[^/]+)/", r"^/Volumes/[^/]+/([^/]+)/", r"^/([^/]+/[^/]+)/", r"^/([^/]+)/"):
        match = re.match(pattern, location)
        if match:
            return match.group(1), None
    return None, None


def softwares(applications):
    """GLPI ``softwares`` from ``applications_from_xml``/``applications_from_text``, sorted by name."""
    entries = []
    apps = applications if isinstance(applications, dict) else {}
    for name in sorted(apps):
        app = _dict(apps[name])
        info = _str(app.get("Get Info String"))
        if info and re.match(r"^\S+, [A-Z]:\\", info):
            continue  # a Windows application seen through Parallels
        version = _str(app.get("Version"))
        if version:
            version = version.replace(" . ", ".")
        category, user = _category_and_user(_str(app.get("Location")))
        last_modified = _str(app.get("Last Modified"))
        entries.append(_clean({
            "name": name,
            "version": version,
            "publisher": _publisher(name, app),
            "install_date": _iso_install_date(last_modified) if perl_true(last_modified) else None,
            "arch": _str(app.get("Kind")) if perl_true(_str(app.get("Kind"))) else None,
            "system_category": category,
            "username": user,
        }))
    return entries


# --- storages from system_profiler -xml -------------------------------------------------------------------


def _flatten_items(nodes, sublist_key, depth):
    listed = []
    key = sublist_key if depth and sublist_key else "_items"
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        if isinstance(node.get(key), list):
            listed.extend(_flatten_items(node[key], sublist_key, depth + 1))
        if perl_true(_xml_string(node.get("_name"))):
            node = {k: v for k, v in node.items() if k != key}
            listed.append(node)
    return listed


def storage_items(text, data_type):
    """``{name: device dict}`` of one ``system_profiler -xml SP...DataType`` (devices at any depth), as the agent keys them."""
    sublist = "units" if data_type == "SPFireWireDataType" else "_items"
    devices = {}
    try:
        nodes = _flatten_items(_items(text), sublist, 0)
    except RecursionError:
        return devices
    for node in nodes:
        devices[_xml_string(node["_name"])] = {
            key: _xml_string(value) if not isinstance(value, (list, dict)) else value for key, value in node.items()}
    return devices


def _disksize(device):
    size = device.get("size_in_bytes")
    value = canonical_size("%s bytes" % size, 1024) if perl_true(size) else canonical_size(device.get("size"), 1024) \
        if perl_true(device.get("size")) else None
    if value is None:
        return None
    return _int_or_none(value)


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


def _storage(entry):
    entry = {key: trim_whitespace(value) if isinstance(value, str) else value for key, value in entry.items()}
    return {key: value for key, value in entry.items() if value is not None}


def storages(text, data_type):
    """GLPI ``storages`` from ``system_profiler -xml <data_type>`` (SerialATA, DiscBurning, CardReader, USB, FireWire)."""
    devices = storage_items(text, data_type)
    entries = []
    for name in sorted(devices):
        device = devices[name]
        label = _str(device.get("_name")) or ""
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
            if any(perl_true(device.get(key)) for key in ("iocontent", "file_system", "mount_point")) \
                    and not perl_true(device.get("partition_map_type")):
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
            if any(perl_true(device.get(key)) for key in ("iocontent", "file_system", "mount_point")) \
                    and not perl_true(device.get("partition_map_type")):
                continue
            extract = _info_extract(device)
            entry = {"name": device.get("bsd_name") or label, "type": "Disk drive", "interface": "USB", "description": label,
                     "model": extract.get("device_model") or label, "serial": extract.get("serial_num") or None,
                     "firmware": extract.get("bcd_device") or None,
                     "manufacturer": canonical_manufacturer(extract.get("manufacturer")) if extract.get("manufacturer") else None}
        elif data_type == "SPFireWireDataType":
            if not perl_true(device.get("partition_map_type")):
                continue
            extract = _info_extract(device)
            entry = {"name": device.get("bsd_name") or label, "type": "Disk drive", "interface": "1394", "description": label,
                     "model": extract.get("product_id") or None, "serial": extract.get("serial_num") or None,
                     "firmware": extract.get("bcd_device") or None,
                     "manufacturer": canonical_manufacturer(extract.get("manufacturer")) if extract.get("manufacturer") else None}
        if entry is None:
            continue
        if data_type != "SPCardReaderDataType" or label != "spcardreader":
            entry["disksize"] = _disksize(device)
        entry = {key: value if not isinstance(value, (list, dict)) else None for key, value in entry.items()}
        entries.append(_storage(entry))
    return entries


STORAGE_DATA_TYPES = ("SPSerialATADataType", "SPDiscBurningDataType", "SPCardReaderDataType", "SPUSBDataType", "SPFireWireDataType")


def xml_data_type(text):
    """The ``_dataType`` a ``system_profiler -xml`` output holds (``None`` when unknown)."""
    plists = parse_system_profiler_xml(text)
    return _xml_string(plists[0].get("_dataType")) if plists else None


# --- ioreg -------------------------------------------------------------------------------------------------


class _IORegValue(object):
    """ioreg's ``{"key"=value,...}`` / ``(a,b)`` notation, read the way GLPI Agent reads it."""

    def __init__(self, text):
        self.remain = text

    def parse(self, ref):
        while self.remain:
            first = self.remain[0]
            if first in "{(":
                self.remain = self.remain[1:]
                value = self.parse({} if first == "{" else [])
                if not isinstance(ref, list):
                    return value
                ref.append(value)
                continue
            match = re.match(r'^"([^"]+)"=(.*)$', self.remain)
            if match and isinstance(ref, dict):
                self.remain = match.group(2)
                ref[match.group(1)] = self.parse(ref)
                continue
            if match:
                match = None
            match = re.match(r'^"([^"]+)"(.*)$', self.remain) or re.match(r"^([^,})]+)([,})].*|)$", self.remain)
            if match:
                self.remain = match.group(2)
                if not isinstance(ref, list):
                    return match.group(1)
                ref.append(match.group(1))
                continue
            closing = self.remain[0]
            self.remain = self.remain[1:]
            if closing in "})":
                break
        return ref


def _ioreg_attribute(text):
    try:
        return _IORegValue(text).parse(None)
    except RecursionError:
        return None


_IOREG_LINE_RE = re.compile(r'"([^"]+)" = (<?"[^"]+">?|<?[0-9a-f]+>?|\{.*\})$', re.IGNORECASE)


def parse_ioreg(text, class_name=None):
    """``ioreg -c <class> ...`` -> one dict of properties per device of that class (agent's ``getIODevices``)."""
    class_re = re.compile(r"<class %s," % (re.escape(class_name) if class_name else r"[^,]+"))
    devices = []
    device = None
    for line in text_lines(_text(text)):
        if class_re.search(line):
            if device is not None:
                devices.append(device)
            device = {}
            continue
        if device is None:
            continue
        if "| }" in line:
            devices.append(device)
            device = None
            continue
        match = _IOREG_LINE_RE.search(line)
        if match:
            value = match.group(2)
            inner = re.match(r"^<(.*)>$", value)
            value = inner.group(1) if inner else value
            inner = re.match(r'^"(.*)"$', value)
            value = inner.group(1) if inner else value
            if re.match(r"^\{.*\}$", value):
                value = _ioreg_attribute(value)
            device[match.group(1)] = value
    if device is not None:
        devices.append(device)
    return devices


def _hex(value):
    if not perl_true(value) or not isinstance(value, str):
        return None
    if value.startswith("0x"):
        return value
    number = perl_number(value)
    return "0x%x" % int(number) if isinstance(number, (int, float)) and number >= 0 else None


def usb_devices(devices):
    """GLPI ``usbdevices`` from ``parse_ioreg(..., "IOUSBDevice")`` devices."""
    entries = []
    for device in devices if isinstance(devices, list) else []:
        device = _dict(device)
        entries.append(_clean({
            "vendorid": _hex(device.get("idVendor")),
            "productid": _hex(device.get("idProduct")),
            "serial": _str(device.get("USB Serial Number")),
            "name": _str(device.get("USB Product Name")),
            "class": _str(device.get("bDeviceClass")),
            "subclass": _str(device.get("bDeviceSubClass")),
        }))
    return entries


def screens(devices, pnp_ids=None):
    """Screens as the agent reads them from ioreg display devices: ``[{caption, serial, ..., "edid": bytes}]``."""
    found = []
    names = pnp_ids if isinstance(pnp_ids, dict) else {}
    for device in devices if isinstance(devices, list) else []:
        device = _dict(device)
        screen = {}
        capability = _str(device.get("IODisplayCapabilityString")) or ""
        match = re.search(r"model\((.*)\)", capability)
        if match:
            screen["caption"] = match.group(1)
        edid = _str(device.get("IODisplayEDID")) or ""
        if re.match(r"^[0-9a-f]+$", edid, re.IGNORECASE) and len(edid) in (256, 512):
            screen["edid"] = bytes.fromhex(edid)
        attributes = _dict(device.get("DisplayAttributes")).get("ProductAttributes")
        if isinstance(_dict(device.get("DisplayAttributes")), dict) and isinstance(attributes, dict):
            for key, field in (("ProductName", "caption"), ("AlphanumericSerialNumber", "serial"), ("SerialNumber", "altserial")):
                if perl_true(_str(attributes.get(key))):
                    screen[field] = attributes[key]
            vendor = _str(attributes.get("ManufacturerID"))
            if perl_true(vendor):
                screen["manufacturer"] = names.get(vendor) or vendor
            week, year = _str(attributes.get("WeekOfManufacture")), _str(attributes.get("YearOfManufacture"))
            if perl_true(week) and perl_true(year):
                screen["description"] = "%s/%s" % (week, year)
        if screen:
            found.append(screen)
    return found


def monitors(screen_list, pnp_ids=None):
    """GLPI ``monitors`` from ``screens``: EDID decoded when present, merged by serial (else EDID), sorted by it."""
    merged = {}
    for screen in screen_list if isinstance(screen_list, list) else []:
        screen = dict(_dict(screen))
        if not (screen.get("edid") or (perl_true(screen.get("serial")) and perl_true(screen.get("caption")))):
            continue
        edid = screen.pop("edid", None)
        if edid:
            info = _edid.parse_edid(edid, pnp_ids=pnp_ids)
            if info:
                for field in ("caption", "description", "manufacturer", "serial"):
                    screen[field] = info.get(field)
                if info.get("altserial"):
                    screen["altserial"] = info["altserial"]
            screen["base64"] = base64.encodebytes(edid).decode("ascii")
        screen = _clean(screen)
        key = screen.get("serial") or screen.get("base64")
        if key is None:
            continue
        if key not in merged:
            merged[key] = screen
        else:
            for field, value in screen.items():
                merged[key].setdefault(field, value)
    return [merged[key] for key in sorted(merged)]


# --- ifconfig, networksetup --------------------------------------------------------------------------------


def parse_networksetup(text):
    """``networksetup -listallhardwareports`` -> ``{device: {"description": port, "macaddr": mac}}``."""
    ports = {}
    current = None
    for line in text_lines(_text(text)):
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
    for line in text_lines(_text(ifconfig_text)):
        match = re.match(r"^(\S+):", line)
        if match:
            if current is not None:
                found.append(current)
            name = match.group(1)
            port = _dict(ports.get(name))
            description = _str(port.get("description")) if port else name
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
        network["mtu"] = _int_or_none(entry.get("mtu"))
        network["mac"] = network.pop("macaddr", None)
        if gateway and network.get("ipaddress") and network.get("ipmask") and \
                subnet(gateway, network["ipmask"]) == network.get("ipsubnet"):
            network["ipgateway"] = gateway
        entries.append(_clean(network))
    return entries


def default_gateway(netstat_text):
    """The IPv4 default route of ``netstat -rn -f inet`` (or ``route -n get default``)."""
    for line in text_lines(_text(netstat_text)):
        fields = line.split()
        if len(fields) >= 2 and fields[0] in ("default", "0.0.0.0") and re.match(r"^\d+\.\d+\.\d+\.\d+$", fields[1]):
            return fields[1]
        match = re.match(r"^\s*gateway:\s*(\d+\.\d+\.\d+\.\d+)\s*$", line)
        if match:
            return match.group(1)
    return None


# --- bios, hardware, operating system, drives --------------------------------------------------------------


def bios(tree, platform_devices=None):
    """GLPI ``bios`` from ``Hardware Overview`` and the ``IOPlatformExpertDevice`` of ioreg (as ``MacOS::Bios``)."""
    overview = hardware_overview(tree)
    device = _dict(platform_devices[0]) if isinstance(platform_devices, list) and platform_devices else {}
    return _clean({
        "smanufacturer": _str(device.get("manufacturer")) or "Apple Inc",
        "smodel": _str(overview.get("Model Identifier")) or _str(overview.get("Machine Model")) or _str(device.get("model")),
        "ssn": _str(overview.get("Serial Number")) or _str(overview.get("Serial Number (system)"))
        or _str(device.get("IOPlatformSerialNumber")),
        "bversion": _str(overview.get("Boot ROM Version")) or _str(overview.get("System Firmware Version")),
    })


def hardware_uuid(tree, platform_devices=None):
    device = _dict(platform_devices[0]) if isinstance(platform_devices, list) and platform_devices else {}
    return _str(hardware_overview(tree).get("Hardware UUID")) or _str(device.get("IOPlatformUUID"))


def parse_sw_vers(text):
    """``sw_vers`` -> ``{"ProductName": ..., "ProductVersion": ..., "BuildVersion": ...}``."""
    values = {}
    for line in text_lines(_text(text)):
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
    lines = text_lines(_text(text))
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
    for line in text_lines(_text(text)):
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
