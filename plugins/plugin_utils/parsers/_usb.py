# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``usbdevices`` section from ``/sys/bus/usb/devices``.

Private to the glpiops.glpi collection: no compatibility promise.

GLPI Agent reads ``lsusb -v``, which reads the same descriptors; sysfs needs no
extra program on the target.  The agent's rules apply: root hubs (product
``0001``/``0002``) and self-powered hubs are the machine's own USB support, not
devices; a serial shorter than 5 characters or holding colons is no serial; the
names come from the USB id list when it knows the ids, else from the device.
"""

from __future__ import annotations

import re


def _hex4(value):
    value = (value or "").strip().lower()
    return value if re.match(r"^[0-9a-f]{4}$", value) else None


def _int(value, base=10):
    try:
        return int(str(value).strip(), base)
    except (TypeError, ValueError):
        return None


def usb_devices(raw):
    """``{"devices": {sysfs name: attributes}, "names": {"vvvv": ..., "vvvv:pppp": ...}}`` -> the section."""
    if not isinstance(raw, dict) or not isinstance(raw.get("devices"), dict):
        return []
    names = raw.get("names") if isinstance(raw.get("names"), dict) else {}
    section = []
    for sysfs_name in sorted(raw["devices"], key=_bus_order):
        attrs = raw["devices"][sysfs_name]
        if not isinstance(attrs, dict):
            continue
        vendor, product = _hex4(attrs.get("idVendor")), _hex4(attrs.get("idProduct"))
        if not vendor or not product or product in ("0001", "0002"):
            continue
        hub = (attrs.get("bDeviceClass") or "").strip() == "09"
        self_powered = (_int(attrs.get("bmAttributes"), 16) or 0) & 0x40
        if hub and self_powered:
            continue
        serial = (attrs.get("serial") or "").strip()
        match = re.search(r"S/N:([^: ]+)", serial)
        serial = match.group(1) if match else (serial if ":" not in serial else "")
        entry = {
            "vendorid": vendor,
            "productid": product,
            "manufacturer": names.get(vendor) or (attrs.get("manufacturer") or "").strip() or None,
            "name": names.get("%s:%s" % (vendor, product)) or (attrs.get("product") or "").strip() or None,
            "serial": serial if len(serial) >= 5 else None,
            # lsusb prints the interface class in decimal; GLPI stores it as text.
            "class": _decimal_text(attrs.get("bInterfaceClass")),
            "subclass": _decimal_text(attrs.get("bInterfaceSubClass")),
        }
        if names.get("%s:%s" % (vendor, product)):
            entry["caption"] = entry["name"]
        section.append({key: value for key, value in entry.items() if value is not None and value != ""})
    return section


def _decimal_text(hex_value):
    value = _int(hex_value, 16)
    return str(value) if value is not None else None


def _bus_order(name):
    """``1-1.2`` sorts by bus then port path, like lsusb's bus/device listing."""
    return [int(part) if re.match(r"^[0-9]+$", part) else 0 for part in re.split(r"[-.]", str(name))]
