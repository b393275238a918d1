# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PCI devices of a Linux target: ``lspci -v -nn`` and the sections GLPI Agent builds from it.

Private to the glpiops.glpi collection: no compatibility promise.

``parse_lspci`` reads the devices as GLPI Agent does (same fields, same limits:
a hexadecimal revision such as ``a1`` is not taken, a driver name stops at its
first non-word character, only prefetchable memory is counted, in MB).  The
builders shape GLPI's ``controllers``, ``videos``, ``sounds`` and ``modems``
entries from them.  Vendor, device, subsystem and class names come from a
``pci.ids`` database read on the target (``parse_pci_ids``); without it the
builders keep what lspci itself printed.

Every function accepts any input (garbage, truncated, binary) without raising.
"""

from __future__ import annotations

import math
import re

# "00:02.0 VGA compatible controller [0300]: Intel Corporation Device [8086:2a42] (rev 07) (prog-if 00 [VGA controller])"
# The device is the last "[vvvv:dddd]" of the line that may be followed by a decimal revision.
# (ASCII classes throughout: \s, \d and \w as GLPI Agent's regular expressions see lspci's bytes)
_DEVICE_LINE = re.compile(
    r"^(?P<pcislot>\S+)\s(?P<name>[^\[]+)\s\[(?P<pciclass>[a-f\d]+)\]:\s(?P<manufacturer>\S.+)\s"
    r"\[(?P<pciid>[a-f\d]+:[a-f\d]+)\](?:\s\(rev\s(?P<rev>\d+)\))?", re.ASCII)
_DRIVER_LINE = re.compile(r"^\tKernel driver in use: (\w+)", re.ASCII)
_SUBSYSTEM_LINE = re.compile(r"^\tSubsystem: ?.* \[?([a-f\d]{4}:[a-f\d]{4})\]?", re.ASCII)
_MEMORY_LINE = re.compile(r"^\s+Memory.*\sprefetchable.*\[size=(.*)\]", re.ASCII)
_SIZE = re.compile(r"^([,.\d]+)(\S+)$", re.ASCII)
_BRACKETED = re.compile(r"^(.*)\s+\[(.*)\]$", re.ASCII)
_VIDEO_CLASS = re.compile(r"graphics|vga|video|display|3D controller", re.IGNORECASE | re.ASCII)


def _lines(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return []
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _dict(value):
    return value if isinstance(value, dict) else {}


def _items(value):
    return value if isinstance(value, (list, tuple)) else []


def _size_in_mb(size):
    """lspci's ``[size=256M]`` in MB like GLPI Agent (binary units, KB rounded down); ``None`` if unknown."""
    size = size.replace(" ", "") + "B"
    match = _SIZE.match(size.lower())
    if not match:
        return None
    value, unit = match.groups()
    if re.match(r"^(0|[1-9](\d*|\d{0,2}(,\d{3})+))(\.\d+)?$", value, re.ASCII):
        value = value.replace(",", "")
    else:
        value = value.replace(",", ".", 1)
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    unit = re.sub(r"^([eptgmk])ib$", r"\1b", unit)
    factors = {"eb": 1024 ** 4, "pb": 1024 ** 3, "tb": 1024 ** 2, "gb": 1024, "mb": 1}
    if unit in factors:
        return number * factors[unit]
    if unit == "kb":
        return float(int(number / 1024))
    return None


def parse_lspci(text):
    """The devices of ``lspci -v -nn``: GLPI Agent's PCI device fields, lower-case.

    Each device has ``pcislot``, ``name`` (the class name, "Host bridge"), ``pciclass``,
    ``manufacturer`` (lspci's vendor and device string), ``pciid`` ("8086:2a40") and, when
    known, ``rev``, ``driver``, ``pcisubsystemid`` and ``memory`` (prefetchable memory, MB).
    """
    devices = []
    device = None
    memory = 0.0

    def close():
        if device is not None:
            if memory:
                device["memory"] = int(memory)
            devices.append(device)

    for line in _lines(text):
        match = _DEVICE_LINE.match(line)
        if match:
            # A new header without the blank line before it: GLPI Agent would lose the previous device.
            close()
            device = {key: value for key, value in match.groupdict().items() if value is not None}
            memory = 0.0
            continue
        if device is None:
            continue
        if line == "":
            close()
            device = None
            memory = 0.0
            continue
        match = _DRIVER_LINE.match(line)
        if match:
            device["driver"] = match.group(1)
            continue
        match = _SUBSYSTEM_LINE.match(line)
        if match:
            device["pcisubsystemid"] = match.group(1)
            continue
        match = _MEMORY_LINE.match(line)
        if match:
            memory += _size_in_mb(match.group(1)) or 0
    close()  # the output's last blank line may have been trimmed away
    return devices


def parse_pci_ids(text):
    """A ``pci.ids`` database (pciutils/hwdata format) -> ``{"vendors": ..., "classes": ...}``.

    ``vendors[vendor_id] = {"name": str, "devices": {device_id: {"name": str, "subdevices":
    {"subvendor:subdevice": str}}}}``; ``classes[class_id] = {"name": str, "subclasses":
    {subclass_id: str}}``.  Ids are lower-case hexadecimal strings as in the file.  A partial
    file (only some vendors, as a collector may send) is fine.
    """
    vendors = {}
    classes = {}
    vendor = device = pci_class = None
    for line in _lines(text):
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^C\s+([0-9a-fA-F]{2})\s+(.*)$", line, re.ASCII)
        if match:
            pci_class = classes.setdefault(match.group(1).lower(), {"name": match.group(2), "subclasses": {}})
            vendor = device = None
            continue
        match = re.match(r"^([0-9a-fA-F]{4})\s+(.*)$", line, re.ASCII)
        if match:
            vendor = vendors.setdefault(match.group(1).lower(), {"devices": {}})
            vendor["name"] = match.group(2)
            device = pci_class = None
            continue
        match = re.match(r"^\t\t([0-9a-fA-F]{4})\s+([0-9a-fA-F]{4})\s+(.*)$", line, re.ASCII)
        if match:
            if device is not None:
                device["subdevices"]["%s:%s" % (match.group(1).lower(), match.group(2).lower())] = match.group(3)
            continue
        match = re.match(r"^\t([0-9a-fA-F]{4})\s+(.*)$", line, re.ASCII)
        if match:
            if vendor is not None:
                device = vendor["devices"].setdefault(match.group(1).lower(), {"subdevices": {}})
                device["name"] = match.group(2)
            continue
        match = re.match(r"^\t([0-9a-fA-F]{2})\s+(.*)$", line, re.ASCII)
        if match and pci_class is not None:
            pci_class["subclasses"][match.group(1).lower()] = match.group(2)
    return {"vendors": vendors, "classes": classes}


def _vendor(pci_ids, vendor_id):
    if not vendor_id:
        return None
    vendor = _dict(_dict(pci_ids).get("vendors")).get(vendor_id.lower())
    return vendor if isinstance(vendor, dict) else None


def _device(vendor, device_id):
    return _dict(_dict(_dict(vendor).get("devices")).get((device_id or "").lower()))


def _device_name(vendor, device_id):
    name = _device(vendor, device_id).get("name")
    return name if isinstance(name, str) else None


def _split_id(pair):
    parts = (pair or "").split(":")
    return parts[0], (parts[1] if len(parts) > 1 else "")


def _clean(entry):
    return {key: value for key, value in entry.items() if value is not None and value != ""}


def build_controllers(devices, pci_ids=None):
    """GLPI ``controllers`` from ``parse_lspci`` devices, like GLPI Agent.

    With ``pci_ids``: ``manufacturer`` is the vendor's name, ``caption`` the device's,
    ``name`` the subsystem's (else the device's) and ``type`` the subclass's (else the
    class's).  Without it, lspci's strings stay: ``manufacturer`` the whole vendor and
    device string, ``name`` and ``type`` the class name lspci printed.
    """
    controllers = []
    for device in _items(devices):
        if not isinstance(device, dict) or not device.get("pciid") or not device.get("pciclass"):
            continue
        vendor_id, device_id = _split_id(device["pciid"])
        controller = {
            "pciclass": device["pciclass"],
            "name": device.get("name"),
            "manufacturer": device.get("manufacturer"),
            "rev": device.get("rev"),
            "pcislot": device.get("pcislot"),
            "driver": device.get("driver"),
            "pcisubsystemid": device.get("pcisubsystemid"),
            "vendorid": vendor_id,
            "productid": device_id,
        }
        if pci_ids is None:
            controller["type"] = device.get("name")
        else:
            vendor = _vendor(pci_ids, vendor_id)
            if vendor and isinstance(vendor.get("name"), str) and vendor["name"]:
                controller["manufacturer"] = vendor["name"]
                entry = _device(vendor, device_id)
                if isinstance(entry.get("name"), str):
                    controller["caption"] = entry["name"]
                    subsystem = _dict(entry.get("subdevices")).get(device.get("pcisubsystemid") or "")
                    controller["name"] = subsystem if isinstance(subsystem, str) and subsystem else entry["name"]
            pciclass = device["pciclass"]
            pci_class = _dict(_dict(_dict(pci_ids).get("classes")).get(pciclass[:2])) if len(pciclass) == 4 else {}
            if pci_class:
                names = (_dict(pci_class.get("subclasses")).get(pciclass[2:]), pci_class.get("name"))
                controller["type"] = next((name for name in names if isinstance(name, str) and name), None)
        controllers.append(_clean(controller))
    return controllers


def build_sounds(devices):
    """GLPI ``sounds``: the devices whose class name says audio, like GLPI Agent."""
    sounds = []
    for device in _items(devices):
        if not isinstance(device, dict) or not re.search("audio", device.get("name") or "", re.IGNORECASE | re.ASCII):
            continue
        rev = device.get("rev")
        sounds.append(_clean({
            "name": device.get("name"),
            "manufacturer": device.get("manufacturer"),
            "description": "rev %s" % rev if rev and rev != "0" else None,
        }))
    return sounds


def build_modems(devices):
    """GLPI ``modems``: the devices whose class name says modem, like GLPI Agent."""
    modems = []
    for device in _items(devices):
        if not isinstance(device, dict) or not re.search("modem", device.get("name") or "", re.IGNORECASE | re.ASCII):
            continue
        modems.append(_clean({"description": device.get("name"), "name": device.get("manufacturer")}))
    return modems


def resolution_from_xrandr(text):
    """``1920x1080`` from ``xrandr -d :0`` (the screen's current size), or ``None``."""
    for line in _lines(text):
        match = re.match(r"^Screen.*current (\d+) x (\d+),", line, re.ASCII)
        if match:
            if int(match.group(1)) and int(match.group(2)):
                return "%sx%s" % match.groups()
            return None
    return None


def resolution_from_xdpyinfo(text):
    """``1920x1080`` from ``xdpyinfo -d :0`` (the screen's dimensions), or ``None``."""
    for line in _lines(text):
        match = re.match(r"^\s+dimensions:\s+(\d+x\d+)\s+pixels", line, re.ASCII)
        if match:
            return match.group(1)
    return None


def build_videos(devices, pci_ids=None, xrandr=None, xdpyinfo=None):
    """GLPI ``videos``: the display devices, like GLPI Agent.

    ``chipset`` and ``name`` come from lspci's "Chipset [Name]" string (else from the
    device's ``pci.ids`` name, "Name [Chipset]"); the subsystem vendor's name from
    ``pci_ids`` prefixes ``name``.  When there is exactly one card, its ``resolution``
    comes from the ``xrandr -d :0`` output, else from ``xdpyinfo -d :0``.
    """
    videos = []
    for device in _items(devices):
        if not isinstance(device, dict) or not _VIDEO_CLASS.search(device.get("name") or ""):
            continue
        vendor_id, device_id = _split_id(device.get("pciid"))
        chipset = name = None
        match = _BRACKETED.match(device.get("manufacturer") or "")
        if match:
            chipset, name = match.groups()
        vendor = _vendor(pci_ids, vendor_id)
        device_name = _device_name(vendor, device_id)
        if not chipset and device_name is not None:
            match = _BRACKETED.match(device_name)
            name, chipset = match.groups() if match else (None, None)
        if device.get("pcisubsystemid"):
            subvendor = _vendor(pci_ids, _split_id(device["pcisubsystemid"])[0])
            manufacturer = subvendor.get("name") if subvendor else None
            if isinstance(manufacturer, str) and manufacturer and name:
                name = "%s %s" % (manufacturer, name)
        videos.append(_clean({
            "chipset": chipset or device.get("name"),
            "name": name or device.get("manufacturer"),
            "memory": device.get("memory") or None,
            "pcislot": device.get("pcislot"),
        }))
    if len(videos) == 1:
        resolution = resolution_from_xrandr(xrandr) or resolution_from_xdpyinfo(xdpyinfo)
        if resolution:
            videos[0]["resolution"] = resolution
    return videos


def devices_from_sysfs(pci_devices, pci_ids=None):
    """``parse_lspci``-shaped devices from ``/sys/bus/pci/devices`` when the target has no ``lspci``.

    ``pci_devices`` maps ``0000:00:01.0`` to its sysfs attributes (``class``, ``vendor``, ``device``,
    ``subsystem_*``, ``revision``, ``driver``).  The class name comes from ``pci_ids`` when given; the driver is
    cut at its first ``-`` as GLPI Agent does with lspci's (``virtio-pci`` -> ``virtio``).
    """
    devices = []
    for address in sorted(_dict(pci_devices)):
        attrs = _dict(_dict(pci_devices)[address])

        def hexattr(name, width):
            value = str(attrs.get(name) or "").strip().lower()
            value = value[2:] if value.startswith("0x") else value
            return value[-width:].rjust(width, "0") if re.match(r"^[0-9a-f]+$", value) else None

        pciclass, vendor, device = hexattr("class", 6), hexattr("vendor", 4), hexattr("device", 4)
        if not (pciclass and vendor and device):
            continue
        sub_vendor, sub_device = hexattr("subsystem_vendor", 4), hexattr("subsystem_device", 4)
        revision = hexattr("revision", 2)
        pci_class = _dict(_dict(_dict(pci_ids).get("classes")).get(pciclass[:2]))
        names = (_dict(pci_class.get("subclasses")).get(pciclass[2:4]), pci_class.get("name"))
        driver = str(attrs.get("driver") or "").split("-", 1)[0]
        devices.append(_clean({
            "pcislot": address.split(":", 1)[1] if address.count(":") == 2 else address,
            "name": next((name for name in names if isinstance(name, str) and name), None),
            "pciclass": pciclass[:4],
            "pciid": "%s:%s" % (vendor, device),
            "pcisubsystemid": "%s:%s" % (sub_vendor, sub_device) if sub_vendor and sub_vendor != "0000" else None,
            "rev": revision if revision and revision != "00" else None,
            "driver": driver or None,
        }))
    return devices
