# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SMBIOS/DMI tables, as ``dmidecode`` prints them: the table parser, its value helpers, ``bios`` and ``hardware``.

Private to the glpiops.glpi collection: no compatibility promise.

``parse_dmidecode(text)`` reads the full text of a plain ``dmidecode`` run (any
version, any OS: the text format is the same) into ``{dmi type: [fields of each
handle]}``; ``bios_from_dmidecode`` and ``hardware_from_dmidecode`` shape those
tables into GLPI sections the way GLPI Agent's ``Generic::Dmidecode`` modules do,
in the form the agent sends (integers, booleans and ISO dates where GLPI's schema
wants them).  The device sections (memories, cpus, ports, slots, batteries, power
supplies) are in ``_dmidecode_devices``, which reads the tables with the helpers
here (``dmi_handles``, ``truthy_field``, ``defined_field``, ``clean_entry``...).

Like the agent, firmware placeholders (``Not Specified``, ``To Be Filled By
O.E.M.``, ``Unknown``...) are not values: the parser drops those lines, so they
never reach a section.  Pure functions: any input (garbage, truncated, binary)
gives what could be understood, never an exception.
"""

from __future__ import annotations

import datetime
import math
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import trim_whitespace

# --- the dmidecode text ---------------------------------------------------------------------------------------

# SMBIOS types are 0-255; a number too long to be one is no type line.
_TYPE_RE = re.compile(r"DMI type (\d{1,9})(?!\d)", re.ASCII)
_WHITESPACE = " \t\n\r\f\v"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

# Placeholders that firmware writers leave in the tables: they mean "no value".
_PLACEHOLDER_RE = re.compile(
    r"""^(?:
        N/A | None | Unknown
        | Not \s* (?: Specified | Present | Available | Installed )
        | Default \s* string
        | System \s* (?: Product \s* Name | manufacturer | Serial \s* Number | Version )
        | Chassis \s* (?: Serial \s* Number | manufacturer? | Version )
        | No \s* Asset \s* Tag
        | <BAD \s* INDEX>
        | (?: <OUT \s* OF \s* SPEC> ){1,2}
        | \s* To \s* Be \s* Filled \s* By \s* O\.E\.M\.
    )$""",
    re.IGNORECASE | re.VERBOSE | re.ASCII,
)


def is_placeholder(value):
    """True for the firmware's "no value" strings (``Not Specified``, ``To Be Filled By O.E.M.``...)."""
    return isinstance(value, str) and bool(_PLACEHOLDER_RE.match(value))


def _field(line):
    """``(key, raw value)`` of an indented ``Key: value`` line, else ``None``.

    List items ("\t\tPCI is supported") have no colon, headers no indent, and
    ``Characteristics:`` no value: none of them is a field.  (A plain loop, not a
    regular expression: a long line of spaces must not cost quadratic time.)
    """
    text = line.lstrip(_WHITESPACE)
    indent = line[:len(line) - len(text)]
    colon = text.find(":")
    if not indent or colon < 0:
        return None
    key = text[:colon]
    if not key:
        if len(indent) < 2:
            return None
        key = indent[-1]
    rest = text[colon + 1:]
    if not rest or rest[0] not in _WHITESPACE:
        return None
    value = rest[1:].rstrip(_WHITESPACE)
    return (key, value) if value else None


def parse_dmidecode(text):
    """``{dmi type: [{field: value}, ...]}`` from the output of ``dmidecode``.

    One dict per handle, in the order of the output; a field is an indented
    ``Key: value`` line (continuation lists are not fields), whitespace is
    trimmed, placeholders are dropped and a handle left without any field is
    not listed.  This is GLPI Agent's ``getDmidecodeInfos`` shape (keys are
    dmidecode's own field names, such as ``"Socket Designation"``).
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        return {}
    infos = {}
    dmi_type = None
    block = {}
    for line in text.split("\n"):
        match = _TYPE_RE.search(line)
        if match:
            if block:
                infos.setdefault(dmi_type, []).append(block)
                block = {}
            dmi_type = int(match.group(1))
            continue
        if dmi_type is None:
            continue
        field = _field(line)
        if field is None or is_placeholder(field[1]):
            continue
        block[field[0]] = trim_whitespace(field[1])
    if block:
        infos.setdefault(dmi_type, []).append(block)
    return infos


def dmidecode_is_usable(infos):
    """Whether parsed tables are worth using: GLPI Agent ignores a dmidecode run with fewer than two DMI types.

    Fewer means a failed or truncated run ("# No SMBIOS nor DMI entry point
    found, sorry.", a permission error, a killed command): fall back to
    ``/sys/class/dmi/id`` then.
    """
    return isinstance(infos, dict) and len(infos) >= 2


# --- small helpers ----------------------------------------------------------------------------------------------


def dmi_handles(infos, dmi_type):
    """The list of handles of one DMI type (only dicts), whatever ``infos`` holds."""
    if not isinstance(infos, dict):
        return []
    handles = infos.get(dmi_type)
    if not isinstance(handles, list):
        return []
    return [handle for handle in handles if isinstance(handle, dict)]


def first_handle(infos, dmi_type):
    """The first handle of one DMI type (``{}`` when there is none)."""
    handles = dmi_handles(infos, dmi_type)
    return handles[0] if handles else {}


def truthy_field(handle, *names):
    """The first of these fields that has a value (a non-empty string other than "0", like a Perl truth)."""
    for name in names:
        value = handle.get(name)
        if isinstance(value, str) and value not in ("", "0"):
            return value
    return None


def defined_field(handle, *names):
    """The first of these fields that is present at all (even "0")."""
    for name in names:
        value = handle.get(name)
        if isinstance(value, str):
            return value
    return None


def _clean_string(value):
    """A string as GLPI gets it: control characters removed; ``None`` for nothing."""
    if not isinstance(value, str):
        return None
    value = _CONTROL_RE.sub("", value)
    return value if value != "" else None


def clean_entry(entry):
    """Strings without control characters, empty values dropped."""
    out = {}
    for key, value in entry.items():
        if isinstance(value, str):
            value = _clean_string(value)
        if value is None:
            continue
        out[key] = value
    return out


_NUMBER_RE = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def leading_number(value):
    """The leading number of a string (0 when there is none), as a lenient reader would take it."""
    match = _NUMBER_RE.match(value or "")
    if not match:
        return 0.0
    try:
        return float(match.group(0))
    except (ValueError, OverflowError):
        return 0.0


def decimal_string(value):
    """A float written as a plain decimal string: ``2400.0000000001`` -> ``"2400"``."""
    try:
        text = "%.15g" % value
    except (TypeError, ValueError, OverflowError):
        return None
    if "e" in text or "inf" in text or "nan" in text:
        try:
            return str(int(value)) if value == int(value) else None
        except (ValueError, OverflowError):
            return None
    return text


MAX_DIGITS = 30  # longer "numbers" in firmware strings are garbage (and too long for int() to read)


def plain_integer(value):
    """An int when the value is a plain non-negative integer (number or digit string), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10 ** MAX_DIGITS else None
    if isinstance(value, float):
        value = decimal_string(value)
    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)
    return None


def whole_number(value):
    """A computed amount (float) as a non-negative int, truncated like the agent does; ``None`` if not finite."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or not 0 <= value < 10 ** MAX_DIGITS:
        return None
    # round() first: 11.1 V is 11100 mV, not the 11099.999... a float multiplication gives.
    return int(round(value, 6))


def valid_date(year, month, day):
    """``YYYY-MM-DD`` of a real date, trying day and month swapped when the first reading is no date."""
    for first, second in ((month, day), (day, month)):
        try:
            return datetime.date(year, first, second).isoformat()
        except (ValueError, OverflowError, TypeError):
            continue
    return None


def _iso_date(value, month_first=True):
    """``MM/DD/YYYY`` (``DD/MM/YYYY`` with ``month_first=False``) or ``YYYY-MM-DD`` as a valid ISO date, else ``None``."""
    if not isinstance(value, str):
        return None
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", value.strip(), re.ASCII)
    if match:
        return valid_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value.strip(), re.ASCII)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        return valid_date(year, first, second) if month_first else valid_date(year, second, first)
    return None


# --- BIOS and HARDWARE ------------------------------------------------------------------------------------------

_LENOVO_FAMILIES_RE = re.compile(r"^(?:Think|Idea|Yoga|Netfinity|Netvista|Intelli)", re.IGNORECASE)


def bios_date(value):
    """DMI's ``MM/DD/YYYY`` BIOS date as GLPI's ``YYYY-MM-DD`` (``None`` for 2-digit years and other forms)."""
    return _iso_date(value, month_first=True)


def bios_from_dmidecode(infos):
    """GLPI's ``bios`` section from the BIOS (0), system (1), base board (2) and chassis (3) tables.

    Lenovo's marketing name ("ThinkPad T14") is in the system *Version*, the
    machine type in the *Product Name*: ``smodel`` takes the marketing name, as
    GLPI Agent does.  ``ssn`` falls back to the chassis serial; on VirtualBox,
    which has no serials at all, to the lower-case system UUID.
    """
    bios_info = first_handle(infos, 0)
    system = dict(first_handle(infos, 1))
    board = first_handle(infos, 2)
    chassis = first_handle(infos, 3)

    version, product = truthy_field(system, "Version"), truthy_field(system, "Product Name")
    if version and re.match(r"^LENOVO$", truthy_field(system, "Manufacturer") or "", re.IGNORECASE) and _LENOVO_FAMILIES_RE.match(version):
        system["Version"], system["Product Name"] = product, version

    ssn = defined_field(system, "Serial Number")
    if ssn is None:
        ssn = defined_field(chassis, "Serial Number")
    bios = {
        "bmanufacturer": defined_field(bios_info, "Vendor"),
        "bdate": bios_date(defined_field(bios_info, "Release Date")),
        "bversion": defined_field(bios_info, "Version"),
        "assettag": defined_field(chassis, "Asset Tag"),
        "smodel": truthy_field(system, "Product", "Product Name"),
        "mmodel": defined_field(board, "Product Name"),
        "skunumber": defined_field(system, "SKU Number"),
        "smanufacturer": truthy_field(system, "Manufacturer", "Vendor"),
        "mmanufacturer": defined_field(board, "Manufacturer"),
        "ssn": ssn,
        "msn": defined_field(board, "Serial Number"),
    }
    # Default contents ending with '#' ("Asset Tag#", "SKU#", as on Macs) are no values.
    if bios["assettag"] and bios["assettag"].endswith("Tag#"):
        bios["assettag"] = None
    if bios["skunumber"] and bios["skunumber"].endswith("SKU#"):
        bios["skunumber"] = None
    uuid = defined_field(system, "UUID")
    if bios["mmodel"] == "VirtualBox" and not bios["ssn"] and not bios["msn"] and uuid:
        bios["ssn"] = uuid.lower()
    return clean_entry(bios)


def hardware_from_dmidecode(infos):
    """The ``hardware`` fields DMI gives: the system ``uuid`` (1) and the ``chassis_type`` (3)."""
    hardware = {
        "uuid": defined_field(first_handle(infos, 1), "UUID"),
        "chassis_type": defined_field(first_handle(infos, 3), "Type"),
    }
    return clean_entry(hardware)
