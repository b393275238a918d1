# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``ioreg`` outputs shaped as GLPI Agent shapes them: USB devices and screens (monitors).

Private to the glpiops.glpi collection: no compatibility promise.

``parse_ioreg`` is the agent's raw ``getIODevices`` view (one dict of properties
per device of a class); ``usb_devices`` and ``screens``/``monitors`` turn it
into GLPI entries.  Pure functions; none raises.
"""

from __future__ import annotations

import base64
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _edid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    as_dict,
    as_str,
    perl_number,
    perl_true,
    text_lines,
    without_empty,
)


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
    for line in text_lines(text):
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
        device = as_dict(device)
        entries.append(without_empty({
            "vendorid": _hex(device.get("idVendor")),
            "productid": _hex(device.get("idProduct")),
            "serial": as_str(device.get("USB Serial Number")),
            "name": as_str(device.get("USB Product Name")),
            "class": as_str(device.get("bDeviceClass")),
            "subclass": as_str(device.get("bDeviceSubClass")),
        }))
    return entries


def screens(devices, pnp_ids=None):
    """Screens as the agent reads them from ioreg display devices: ``[{caption, serial, ..., "edid": bytes}]``."""
    found = []
    names = pnp_ids if isinstance(pnp_ids, dict) else {}
    for device in devices if isinstance(devices, list) else []:
        device = as_dict(device)
        screen = {}
        capability = as_str(device.get("IODisplayCapabilityString")) or ""
        match = re.search(r"model\((.*)\)", capability)
        if match:
            screen["caption"] = match.group(1)
        edid = as_str(device.get("IODisplayEDID")) or ""
        if re.match(r"^[0-9a-f]+$", edid, re.IGNORECASE) and len(edid) in (256, 512):
            screen["edid"] = bytes.fromhex(edid)
        attributes = as_dict(device.get("DisplayAttributes")).get("ProductAttributes")
        if isinstance(as_dict(device.get("DisplayAttributes")), dict) and isinstance(attributes, dict):
            for key, field in (("ProductName", "caption"), ("AlphanumericSerialNumber", "serial"), ("SerialNumber", "altserial")):
                if perl_true(as_str(attributes.get(key))):
                    screen[field] = attributes[key]
            vendor = as_str(attributes.get("ManufacturerID"))
            if perl_true(vendor):
                screen["manufacturer"] = names.get(vendor) or vendor
            week, year = as_str(attributes.get("WeekOfManufacture")), as_str(attributes.get("YearOfManufacture"))
            if perl_true(week) and perl_true(year):
                screen["description"] = "%s/%s" % (week, year)
        if screen:
            found.append(screen)
    return found


def monitors(screen_list, pnp_ids=None):
    """GLPI ``monitors`` from ``screens``: EDID decoded when present, merged by serial (else EDID), sorted by it."""
    merged = {}
    for screen in screen_list if isinstance(screen_list, list) else []:
        screen = dict(as_dict(screen))
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
        screen = without_empty(screen)
        key = screen.get("serial") or screen.get("base64")
        if key is None:
            continue
        if key not in merged:
            merged[key] = screen
        else:
            for field, value in screen.items():
                merged[key].setdefault(field, value)
    return [merged[key] for key in sorted(merged)]
