# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of devices: ``videos``, ``usbdevices``, ``batteries``, ``monitors``, ``sounds``.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    clean,
    instances,
    integer,
    registry_binary,
    registry_tree,
    text,
    value_of,
)


# --- videos --------------------------------------------------------------------------------------------------------

def _pnp_short(pnp):
    parts = (pnp or "").split("&")
    found = [part for part in parts if re.match(r"^(?:pci\\ven|dev)_", part, re.IGNORECASE)]
    return "&".join(found).lower() if len(parts) > 1 and len(found) == 2 else None


def _registry_number(data, width):
    """A DWORD/QWORD value that may come as an integer, ``0x`` text or little-endian binary."""
    if isinstance(data, int) and not isinstance(data, bool):
        return data & ((1 << (8 * width)) - 1)
    if isinstance(data, str) and data.startswith("0x"):
        return integer(data)
    raw = registry_binary(data)
    return int.from_bytes(raw[:width].ljust(width, b"\0"), "little") if raw else None


def videos(controllers, display_class=None):
    """GLPI Agent's ``videos`` from ``Win32_VideoController``; the memory from the display class registry key
    (``HardwareInformation.qwMemorySize``/``MemorySize``) when it has the card, else ``AdapterRAM`` (MB)."""
    tree = registry_tree(display_class)
    result = []
    for obj in instances(controllers):
        name = text(obj.get("Name"))
        if not name:
            continue
        video = {"chipset": text(obj.get("VideoProcessor")), "name": name}
        ram = integer(obj.get("AdapterRAM"))
        if ram and ram > 0:
            video["memory"] = ram
        if integer(obj.get("CurrentHorizontalResolution")):
            video["resolution"] = "%sx%s" % (text(obj.get("CurrentHorizontalResolution")), text(obj.get("CurrentVerticalResolution")))
        pnp = _pnp_short(text(obj.get("PNPDeviceID")))
        if pnp:
            for parts, values in tree.items():
                if len(parts) != 1 or _pnp_short(text(value_of(values, "MatchingDeviceId"))) != pnp:
                    continue
                qword = value_of(values, "HardwareInformation.qwMemorySize")
                dword = value_of(values, "HardwareInformation.MemorySize")
                size = _registry_number(qword, 8) if qword is not None else (
                    _registry_number(dword, 4) if dword is not None else None)
                if qword is None and dword is None:
                    continue
                if size and size > 0:
                    video["memory"] = size
                break
        if video.get("memory"):
            video["memory"] = video["memory"] // (1024 * 1024)
        result.append(clean(video))
    return result


# --- usb -----------------------------------------------------------------------------------------------------------

def usb_devices(logical_devices):
    """GLPI Agent's ``usbdevices`` from ``CIM_LogicalDevice`` (``USB\\VID_xxxx&PID_xxxx\\serial`` ids), de-duplicated,
    with WMI's names (the agent names them from its own ``usb.ids``; see docs/corpus-differences.md)."""
    result, seen = [], set()
    for obj in instances(logical_devices):
        match = re.match(r"^USB\\VID_(\w+)&PID_(\w+)\\(.*)", text(obj.get("DeviceID")) or "")
        if not match:
            continue
        vendor, product, serial = match.groups()
        serial_match = re.match(r"^S/N:([0-9A-F]+)", serial, re.IGNORECASE)
        if serial_match:
            serial = serial_match.group(1)
        if re.match(r"^0+$", vendor):
            continue
        if (vendor, product, serial) in seen:
            continue
        seen.add((vendor, product, serial))
        device = {"vendorid": vendor, "productid": product, "serial": serial if "&" not in serial else None,
                  "caption": text(obj.get("Caption")), "name": text(obj.get("Name"))}
        result.append(clean(device))
    return result


# --- batteries -----------------------------------------------------------------------------------------------------

def _xml_children(node, name):
    return [child for child in list(node) if child.tag.split("}")[-1] == name]


def powercfg_batteries(xml_text):
    """GLPI Agent's batteries from ``powercfg /batteryreport /xml`` (capacities in mWh)."""
    try:
        root = ElementTree.fromstring(xml_text.encode("utf-8") if isinstance(xml_text, str) else xml_text)
    except (ElementTree.ParseError, TypeError, ValueError, AttributeError):
        return []
    result = []
    for batteries_node in _xml_children(root, "Batteries"):
        for node in _xml_children(batteries_node, "Battery"):
            fields = {child.tag.split("}")[-1]: (child.text or "").strip() for child in list(node)}
            serial = fields.get("SerialNumber")
            if serial is not None:
                serial = serial.strip()
                if re.match(r"^[0-9A-F]+$", serial, re.IGNORECASE) and re.match(r"^0+[1-9A-F]", serial, re.IGNORECASE):
                    serial = serial.lstrip("0")
            battery = {"name": fields.get("Id") or None, "manufacturer": fields.get("Manufacturer") or None,
                       "chemistry": fields.get("Chemistry") or None, "serial": serial or None}
            design, full = integer(fields.get("DesignCapacity")), integer(fields.get("FullChargeCapacity"))
            if design:
                battery["capacity"] = design
            if full is not None and fields.get("FullChargeCapacity"):
                battery["real_capacity"] = full
            result.append(clean(battery))
    return result


_BATTERY_CHEMISTRIES = {1: "Other", 2: "Unknown", 3: "Lead Acid", 4: "Nickel Cadmium", 5: "Nickel Metal Hydride",
                        6: "Lithium-ion", 7: "Zinc air", 8: "Lithium Polymer"}


def wmi_batteries(batteries):
    """Batteries from ``Win32_Battery`` when powercfg gave none (capacity in mWh, voltage in mV)."""
    return [clean({"name": text(obj.get("Name")) or text(obj.get("DeviceID")),
                   "chemistry": _BATTERY_CHEMISTRIES.get(integer(obj.get("Chemistry"))),
                   "capacity": integer(obj.get("DesignCapacity")) or None,
                   "real_capacity": integer(obj.get("FullChargeCapacity")) or None,
                   "voltage": integer(obj.get("DesignVoltage")) or None})
            for obj in instances(batteries)]


# --- monitors ------------------------------------------------------------------------------------------------------

def _wmi_string(codes):
    """``WmiMonitorID`` strings are arrays of UTF-16 code units, 0-padded."""
    if isinstance(codes, str):
        return codes.strip() or None
    if not isinstance(codes, list):
        return None
    chars = []
    for code in codes:
        code = integer(code)
        if not code:
            break
        if 32 <= code < 0xD800:
            chars.append(chr(code))
    return "".join(chars).strip() or None


def monitors_from_wmi(monitor_ids):
    """``monitors`` from ``WmiMonitorID`` when no EDID could be read: names, serial, year of manufacture."""
    result = []
    for obj in instances(monitor_ids):
        year = integer(obj.get("YearOfManufacture"))
        week = integer(obj.get("WeekOfManufacture"))
        result.append(clean({
            "caption": _wmi_string(obj.get("UserFriendlyName")),
            "name": _wmi_string(obj.get("UserFriendlyName")),
            "manufacturer": _wmi_string(obj.get("ManufacturerName")),
            "serial": _wmi_string(obj.get("SerialNumberID")),
            "description": ("%d/%d" % (week, year) if week and week != 255 else str(year)) if year else None,
        }))
    return [monitor for monitor in result if monitor]


# --- sounds --------------------------------------------------------------------------------------------------------

def sounds(sound_devices):
    """GLPI Agent's ``sounds`` from ``Win32_SoundDevice``."""
    return [clean({"name": text(obj.get("Name")), "caption": text(obj.get("Caption")),
                   "manufacturer": text(obj.get("Manufacturer")), "description": text(obj.get("Description"))})
            for obj in instances(sound_devices)]
