# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Value converters and registry-dump readers every Windows reader uses.

Private to the glpiops.glpi collection: no compatibility promise.

The readers under ``plugin_utils/windows/`` (``_system``, ``_storage``, ``_network``, ``_software``, ``_licenses``,
``_devices``, ``_accounts``, ``_virtualmachines``) take what the Windows collector (``_collector``) returns.  Inputs
have two shapes, both plain JSON:

- a WMI class is a list of instances, ``[{"Property": value, ...}, ...]``.  Values
  may be typed (what ``Get-CimInstance | ConvertTo-Json`` writes: numbers,
  booleans, arrays, ``"\\/Date(ms)\\/"`` or ISO datetimes) or text (what
  ``wmic /format:list`` writes: ``"TRUE"``, ``"123"``, DMTF datetimes); both read
  the same.
- a registry dump is ``{"keys": [{"path": "HKEY_LOCAL_MACHINE\\\\...", "values":
  {name: {"type": "REG_SZ", "data": ...}}}]}``, its first key being the key
  asked for (``REG_DWORD``/``REG_QWORD`` data are integers, ``REG_BINARY`` lower-case
  hex, ``REG_MULTI_SZ`` a list).

Each reader returns what GLPI Agent's Windows module returns for the same data
(lower-case keys, values typed for GLPI's schema), never raises, and skips what
it cannot read.
"""

from __future__ import annotations

import datetime
import math
import re


# --- value helpers -------------------------------------------------------------------------------------------------

def instances(value):
    """A WMI answer as a list of instances (one object alone counts as one instance)."""
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def first_instance(value):
    """The first instance of a WMI answer, ``{}`` when there is none."""
    found = instances(value)
    return found[0] if found else {}


def text(value):
    """A scalar as a stripped string; ``None`` for empty, lists and objects."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def integer(value):
    """An integer from a number or a decimal string (``"0x1F"`` too), else ``None``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if not math.isnan(value) and abs(value) < 1e30 else None
    if isinstance(value, str):
        value = value.strip()
        try:
            if re.match(r"^0x[0-9a-fA-F]{1,16}$", value):
                return int(value, 16)
            if re.match(r"^[+-]?\d{1,30}$", value):
                return int(value)
            if re.match(r"^[+-]?\d{1,30}\.\d*$", value):
                return int(float(value))
        except ValueError:
            return None
    return None


def boolean(value):
    """``True``/``False`` from a JSON boolean, ``"TRUE"``, ``"1"``...; ``None`` when unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    return None


def string_list(value):
    """An array property as a list of strings (a scalar is a list of one)."""
    if isinstance(value, list):
        return [text(item) for item in value if text(item) is not None]
    single = text(value)
    return [single] if single is not None else []


def wmi_datetime(value):
    """A CIM datetime (DMTF ``yyyymmddHHMMSS.ffffff+UUU``, ``\\/Date(ms)\\/`` or ISO 8601) -> naive local datetime."""
    if isinstance(value, dict):  # ConvertTo-Json of a DateTime with -Depth > 1
        value = value.get("value") or value.get("DateTime")
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        match = re.match(r"^/?\\?/?Date\((-?\d+)(?:[+-]\d{4})?\)\\?/?$", value)
        if match:
            return datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=int(match.group(1)))
        match = re.match(r"^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?", value)
        if match and not re.match(r"^\d{4}-", value):
            parts = [int(part) if part and part.isdecimal() else 0 for part in match.groups()]
            return datetime.datetime(*parts)
        match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}))?", value)
        if match:
            parts = [int(part) if part else 0 for part in match.groups()]
            return datetime.datetime(*parts)
    except (ValueError, OverflowError):
        return None
    return None


def first_true(*values):
    """The first value Perl would call true (not ``None``, ``""``, ``0`` or ``"0"``), as the agent's ``a || b``."""
    for value in values:
        if value is not None and value != "" and value != 0 and value != "0":
            return value
    return values[-1] if values and values[-1] not in (None, "") else None


def clean(entry):
    """An entry without its ``None`` and empty-string values."""
    return {key: value for key, value in entry.items() if value is not None and value != ""}


def enum_name(table, value):
    """The name at index ``value`` of a WMI enumeration table (``None`` reads as 0), else ``None``."""
    index = integer(value)
    index = 0 if index is None else index
    return table[index] if 0 <= index < len(table) else None


# --- registry dumps ------------------------------------------------------------------------------------------------

def registry_keys(dump):
    """``[(path parts, {value name: data})]`` of a registry dump, in order; names and parts as written."""
    keys = dump.get("keys") if isinstance(dump, dict) else dump
    out = []
    for key in keys if isinstance(keys, list) else []:
        if not isinstance(key, dict) or not isinstance(key.get("path"), str):
            continue
        values = {}
        for name, value in (key.get("values") or {}).items() if isinstance(key.get("values"), dict) else ():
            values[str(name)] = value.get("data") if isinstance(value, dict) else value
        out.append((tuple(part for part in key["path"].split("\\") if part), values))
    return out


def registry_tree(dump):
    """``{relative path parts (lower-case): {value name: data}}`` relative to the dump's first key.

    Keys outside the first key are ignored; a key written twice merges, the later values winning.
    """
    keys = registry_keys(dump)
    if not keys:
        return {}
    root = tuple(part.lower() for part in keys[0][0])
    tree = {}
    for parts, values in keys:
        lowered = tuple(part.lower() for part in parts)
        if lowered[:len(root)] != root:
            continue
        tree.setdefault(lowered[len(root):], {}).update(values)
    return tree


def value_of(values, name):
    """A value of one key, the name matched without case (as Windows does)."""
    if not isinstance(values, dict):
        return None
    if name in values:
        return values[name]
    lowered = name.lower()
    for key, value in values.items():
        if key.lower() == lowered:
            return value
    return None


def registry_binary(data):
    """``REG_BINARY`` data (hex text, list of byte values, base64-free) -> bytes."""
    if isinstance(data, list):
        try:
            return bytes(int(item) & 0xFF for item in data)
        except (TypeError, ValueError):
            return b""
    if isinstance(data, str):
        cleaned = re.sub(r"[^0-9a-fA-F]", "", data)
        try:
            return bytes.fromhex(cleaned[:len(cleaned) // 2 * 2])
        except ValueError:
            return b""
    return b""
