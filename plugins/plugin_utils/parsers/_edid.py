# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Monitors from their EDID (``/sys/class/drm/*/edid``): GLPI's ``monitors`` entries.

Private to the glpiops.glpi collection: no compatibility promise.

The fields are the ones GLPI Agent derives from an EDID block (it decodes it with
the CPAN module Parse::EDID): ``manufacturer`` is the name of the 3-letter PNP id
(from a ``pnp.ids`` list read on the target, else the id itself), ``caption`` the
monitor name descriptor, ``description`` the manufacture ``week/year``, ``serial``
the serial number descriptor (else the 32-bit serial number as 8 hex digits) and
``altserial`` the other form some vendors print on their labels.  Vendor rules
follow the agent's (Acer, AG Neovo, BenQ, Eizo, LG, Philips, Samsung), except its
per-model lists of Acer and Samsung monitors whose two serials are swapped: for Acer
the descriptor's length decides instead, Samsung keeps the descriptor as serial.

Every function accepts any bytes (garbage, truncated, empty) without raising.
"""

from __future__ import annotations

import base64
import re
import struct

_BLOCK = 128
_DESCRIPTORS = range(54, 126, 18)
# Parse::EDID's unpack("A13") drops trailing ASCII white space and NULs.
_TRAILING = b"\x00 \t\n\r\f\x0b"
_GOLDSTAR_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _perl_true(value):
    """Perl's truth: ``None``, ``""``, ``"0"`` and ``0`` are false."""
    return value is not None and value != "" and value != "0" and value != 0


def _text(raw):
    """A descriptor's 13 bytes as text, one character per byte (Latin-1), trailing blanks dropped."""
    return raw.rstrip(_TRAILING).decode("latin-1")


def parse_pnp_ids(text):
    """``{"ACR": "Acer Technologies", ...}`` from a ``pnp.ids`` list (hwdata: ``ACR<TAB>name``).

    Also reads GLPI Agent's ``edid.ids`` form (``ACR __ name``).  Comments and other lines are skipped.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return {}
    names = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z@\[\\\]^_]{3})(?:\t+| __ )(.*\S)\s*$", line)
        if match:
            names[match.group(1)] = match.group(2)
    return names


def decode_edid(blob):
    """The raw fields of an EDID's base block, or ``None`` when it is shorter than 128 bytes.

    Keys: ``manufacturer_name`` (3 letters, ``""`` when unset), ``product_code``, ``serial_number``,
    ``week``, ``year``, ``edid_version``, ``edid_revision``, ``monitor_name`` (``None`` if absent),
    ``monitor_text`` and ``serial_number2`` (lists of descriptor strings), ``monitor_range``.
    """
    if not isinstance(blob, (bytes, bytearray)) or len(blob) < _BLOCK:
        return None
    block = bytes(blob[:_BLOCK])
    letters = struct.unpack(">H", block[8:10])[0]
    name = "".join(chr(ord("A") + ((letters >> shift) & 0x1F) - 1) for shift in (10, 5, 0))
    edid = {
        "manufacturer_name": "" if name == "@@@" else name,
        "product_code": struct.unpack("<H", block[10:12])[0],
        "serial_number": struct.unpack("<I", block[12:16])[0],
        "week": block[16],
        "year": block[17] + 1990,
        "edid_version": block[18],
        "edid_revision": block[19],
        "monitor_name": None,
        "monitor_text": [],
        "serial_number2": [],
        "monitor_range": None,
    }
    first_timing = None
    for offset in _DESCRIPTORS:
        descriptor = block[offset:offset + 18]
        if struct.unpack("<H", descriptor[0:2])[0]:
            if first_timing is None:
                first_timing = _detailed_timing(descriptor)
            continue
        flag = struct.unpack(">H", descriptor[2:4])[0]
        data = descriptor[5:18]
        if flag == 0xFC:
            previous = edid["monitor_name"]
            edid["monitor_name"] = ("%s " % previous if _perl_true(previous) else "") + _text(data)
        elif flag == 0xFE:
            edid["monitor_text"].append(_text(data))
        elif flag == 0xFF:
            edid["serial_number2"].append(_text(data))
        elif flag == 0xFD:
            edid["monitor_range"] = {"vertical_min": data[0], "vertical_max": data[1],
                                     "horizontal_min": data[2], "horizontal_max": data[3]}
        elif flag == 0x0F:
            limits = _range_from_timing(first_timing, data)
            if limits is not None:
                edid["monitor_range"] = limits
    return edid


def _detailed_timing(descriptor):
    """What a detailed timing descriptor says about its active and blanking sizes (pixels) and clock."""
    clock = struct.unpack("<H", descriptor[0:2])[0] / 100.0
    timing = {
        "pixel_clock": clock,
        "horizontal_active": descriptor[2] | (descriptor[4] >> 4) << 8,
        "horizontal_blanking": descriptor[3] | (descriptor[4] & 0x0F) << 8,
        "vertical_active": descriptor[5] | (descriptor[7] >> 4) << 8,
        "vertical_blanking": descriptor[6] | (descriptor[7] & 0x0F) << 8,
        "horizontal_sync_offset": descriptor[8] | (descriptor[11] >> 6) << 8,
        "horizontal_sync_pulse_width": descriptor[9] | ((descriptor[11] >> 4) & 3) << 8,
        "vertical_sync_offset": (descriptor[10] >> 4) | ((descriptor[11] >> 2) & 3) << 4,
        "vertical_sync_pulse_width": (descriptor[10] & 0x0F) | (descriptor[11] & 3) << 4,
    }
    if timing["horizontal_active"] > 1 and timing["vertical_active"] > 1:
        return timing
    return None


def _range_from_timing(timing, data):
    """The frequency range a manufacturer-specified (0x0F) range-timing descriptor gives, as Parse::EDID derives it.

    ``None`` when the preferred timing does not fit the descriptor's limits.
    """
    if timing is None:
        return None
    fields = ("horizontal_sync_pulse_width", "back_porch_h", "vertical_sync_pulse_width", "back_porch_v",
              "horizontal_blanking", "vertical_blanking")
    values = {"min": {}, "max": {}}
    # byte pairs (min, max): h sync width, h back porch, v sync width, v back porch, h blanking, v blanking
    for index, field in enumerate(fields):
        values["min"][field] = data[2 * index] * 2
        values["max"][field] = data[2 * index + 1] * 2
    limits = {}
    for bound, other in (("min", "max"), ("max", "min")):
        totals = {}
        for direction, porch in (("horizontal", "back_porch_h"), ("vertical", "back_porch_v")):
            blanking = timing[direction + "_blanking"]
            width = timing[direction + "_sync_pulse_width"]
            back_porch = blanking - timing[direction + "_sync_offset"] - width

            def within(value, limit, bound=bound):
                return value >= limit if bound == "min" else value <= limit
            if (timing[direction + "_active"] and within(blanking, values[bound][direction + "_blanking"])
                    and within(width, values[bound][direction + "_sync_pulse_width"])
                    and within(back_porch, values[bound][porch])):
                totals[direction] = timing[direction + "_active"] + values[bound][direction + "_blanking"]
        if not totals.get("horizontal") or not totals.get("vertical"):
            return None
        hfreq = timing["pixel_clock"] * 1000 / totals["horizontal"]
        vfreq = hfreq * 1000 / totals["vertical"]
        limits["horizontal_" + other] = int(hfreq + 0.5)
        limits["vertical_" + other] = int(vfreq + 0.5)
    return limits


def _edid_problem(edid):
    """Parse::EDID's sanity check: a reason the block looks wrong, or ``""``."""
    if not 1 <= edid["edid_version"] <= 2:
        return "bad edid_version"
    if edid["edid_revision"] == 0xFF:
        return "bad edid_revision"
    limits = edid["monitor_range"]
    if limits:
        if not limits.get("horizontal_min") or limits["horizontal_min"] > limits.get("horizontal_max", 0):
            return "bad HorizSync"
        if not limits.get("vertical_min") or limits["vertical_min"] > limits.get("vertical_max", 0):
            return "bad VertRefresh"
    return ""


def _caption(edid):
    caption = edid["monitor_name"]
    if not _perl_true(caption) and edid["monitor_text"]:
        caption = " ".join(edid["monitor_text"])
    if not _perl_true(caption) or not caption.strip(" \t\n\r\f\x0b"):
        return None
    # cut at the first character that is not printable ASCII (a "." never crosses a line end)
    caption = re.sub(r"[^ -~].*$", "", caption, count=1)
    return caption if _perl_true(caption) else None


def _vendor_serials(edid, serial):
    """(serial, altserial) after the vendor's own rules."""
    code = edid["manufacturer_name"]
    number = edid["serial_number"]
    descriptors = edid["serial_number2"]
    descriptor = descriptors[0] if descriptors and _perl_true(descriptors[0]) else None
    eisa_id = "%s%04x" % (code, edid["product_code"]) if code and edid["product_code"] else ""
    if code == "ACR":
        # Acer's label serial: the descriptor's 8 first characters, the number in hex, then its next 4.
        # GLPI Agent reports it as serial for the models of a list of its own (not reproduced here); every
        # model of that list in its tests has a 12-character descriptor, the one older model outside it has not.
        combined = descriptor[:8] + "%08x" % number + descriptor[8:12] if descriptor else None
        if descriptor and len(descriptor) == 12:
            return combined, serial
        return serial, combined
    if code == "BNQ":
        prefix = None
        if descriptors:
            prefix = struct.pack("<I", number).split(b"\x00", 1)[0].decode("latin-1")
            prefix = prefix if re.match(r"^[A-Z]+$", prefix) else None
        fixed = prefix + serial if prefix else serial
        return fixed, (serial if fixed != serial else None)
    if code == "ENC":
        return (serial, None) if descriptor else (str(number), None)
    if code == "GSM":
        alternative = _goldstar_serial(number)
        if eisa_id.lower().endswith("4b21"):
            return alternative, serial
        return serial, alternative
    if code == "PHL":
        decimal = "%06d" % number
        alternative = None if serial.endswith(decimal) else decimal
        if descriptors:
            return serial, alternative
        return alternative, serial
    if code == "SAM":
        raw = struct.pack(">I", number).decode("latin-1")
        if eisa_id.lower().endswith("0e5a"):
            return (raw[::-1] + descriptor if descriptor else ""), serial
        if eisa_id.lower().endswith("0c18"):
            return str(number), (raw + descriptor if descriptor else None)
        return serial, (raw + descriptor if descriptor else None)
    return serial, None


def _goldstar_serial(number):
    """LG's label serial: the decimal number's last 3 digits after the rest written in base 34.

    ``"0"`` when the number does not fit, as GLPI Agent reports it.
    """
    match = re.match(r"^(\d+)(\d{3})$", str(number))
    if not match:
        return "0"
    high = int(match.group(1))
    if high / len(_GOLDSTAR_ALPHABET) > len(_GOLDSTAR_ALPHABET) - 1:
        return "0"
    return _GOLDSTAR_ALPHABET[high // 34] + _GOLDSTAR_ALPHABET[high % 34] + match.group(2)


def parse_edid(blob, pnp_ids=None):
    """A GLPI ``monitors`` entry from one raw EDID, like GLPI Agent; ``{}`` when it cannot be decoded.

    ``pnp_ids`` maps PNP ids to vendor names (``parse_pnp_ids``); without it, or for an id it
    lacks, ``manufacturer`` is the 3-letter id.  Keys: ``caption``, ``description``,
    ``manufacturer``, ``serial`` and ``altserial`` (the ones known).
    """
    try:
        edid = decode_edid(blob)
    except (struct.error, IndexError, ValueError, TypeError):
        edid = None
    if edid is None:
        return {}
    if _edid_problem(edid):
        # GLPI Agent keeps a doubtful block only when it names a monitor with a date and serial
        if not (_perl_true(edid["monitor_name"]) and edid["week"] and edid["serial_number"]):
            return {}
    descriptors = edid["serial_number2"]
    if descriptors and _perl_true(descriptors[0]):
        serial = descriptors[0].split("\n", 1)[0]
    else:
        serial = "%08x" % edid["serial_number"]
    code = edid["manufacturer_name"]
    names = pnp_ids if isinstance(pnp_ids, dict) else {}
    manufacturer = names.get(code) if code else None
    manufacturer = manufacturer if isinstance(manufacturer, str) and _perl_true(manufacturer) else code
    if code == "AIC":
        manufacturer = "AG Neovo"
    serial, altserial = _vendor_serials(edid, serial)
    week, year = edid["week"], edid["year"]
    monitor = {
        "caption": _caption(edid),
        "description": str(year) if week == 255 else "%d/%d" % (week, year),
        "manufacturer": manufacturer if _perl_true(manufacturer) else None,
        "serial": serial,
        "altserial": altserial if _perl_true(altserial) else None,
    }
    return {key: value for key, value in monitor.items() if value is not None and value != ""}


def monitors_from_edids(edids, pnp_ids=None):
    """GLPI ``monitors`` from ``[(connector, edid_bytes), ...]`` (``/sys/class/drm/<connector>/edid``).

    Like GLPI Agent: empty EDIDs are skipped, each monitor carries its EDID in ``base64``,
    and the same monitor seen on several connectors (same serial, else same EDID) is
    reported once, its first values kept; monitors come sorted by that key.
    """
    monitors = {}
    for item in edids if isinstance(edids, (list, tuple)) else []:
        try:
            blob = item[1]
        except (IndexError, KeyError, TypeError):
            continue
        if not isinstance(blob, (bytes, bytearray)) or not blob:
            continue
        monitor = parse_edid(bytes(blob), pnp_ids=pnp_ids)
        monitor["base64"] = base64.encodebytes(bytes(blob)).decode("ascii")
        key = monitor["serial"] if _perl_true(monitor.get("serial")) else monitor["base64"]
        if key not in monitors:
            monitors[key] = monitor
        else:
            for field, value in monitor.items():
                monitors[key].setdefault(field, value)
    return [monitors[key] for key in sorted(monitors)]
