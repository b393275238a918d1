# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Canonical forms of values as GLPI Agent reports them: manufacturers, sizes, numbers; the parsers' small value helpers.

Private to the glpiops.glpi collection: no compatibility promise.

GLPI Agent is written in Perl: a value is a string that becomes a number when
computed with, ``"0"`` and ``""`` are false, and a computed number is printed
with 15 significant digits.  The helpers here reproduce those rules where the
reported value depends on them, so that the collection reports what the agent
reports.  Pure functions; none raises.
"""

from __future__ import annotations

import math
import re

# Manufacturer names GLPI Agent reports, from a CPU vendor id or a disk model/vendor string.
_VENDOR_IDS = {
    "GenuineIntel": "Intel", "AuthenticAMD": "AMD", "HygonGenuine": "Hygon", "CentaurHauls": "VIA",
    "CyrixInstead": "Cyrix", "TMx86": "Transmeta", "TransmetaCPU": "Transmeta",
}
# Brand names found anywhere in the string (case-insensitive), reported capitalised.
_BRAND_ANYWHERE_RE = re.compile(
    r"(\blg\b|broadcom|compaq|dell|epson|fujitsu|hitachi|ibm|intel|kingston|matshita|maxtor|nvidia|\bnec\b"
    r"|pioneer|samsung|sony|supermicro|toshiba|transcend)",
    re.IGNORECASE | re.ASCII,
)
# Model-number prefixes of a few disk makers.
_BRAND_PREFIXES = (
    ("Apple", re.compile(r"^APPLE", re.IGNORECASE)),
    ("Hewlett-Packard", re.compile(r"^(?:hp|HPE?|(?i:hewlett[ -]packard|MM))")),
    ("Hitachi", re.compile(r"^(?:HD|IC|HU|HGST)")),
    ("Seagate", re.compile(r"^(?:ST|(?i:seagate))")),
    ("Sony", re.compile(r"^OPTIARC", re.IGNORECASE)),
    ("Western Digital", re.compile(r"^(?:WDC?|(?i:western))")),
    ("Crucial", re.compile(r"^CT")),
    ("PNY", re.compile(r"^PNY")),
)

_PERL_NUMBER_RE = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", re.ASCII)
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_WHITESPACE_RE = re.compile(r"\s+", re.ASCII)


def canonical_manufacturer(value):
    """GLPI Agent's manufacturer name for a vendor id or a model string: ``GenuineIntel`` -> ``Intel``, ``DELL`` -> ``Dell``...

    The agent reports the same spelling for every source (CPUs, disks, batteries, power
    supplies), so GLPI's dropdown keeps one entry per vendor.  ``None``, ``""``, ``"0"`` and
    non-strings give ``None`` (Perl's ``return unless $manufacturer``); a name it does not
    know is returned as it is.
    """
    if not isinstance(value, str) or not perl_true(value):
        return None
    if value in _VENDOR_IDS:
        return _VENDOR_IDS[value]
    match = _BRAND_ANYWHERE_RE.search(value)
    if match:
        word = match.group(1).lower()
        return word[:1].upper() + word[1:]
    for name, pattern in _BRAND_PREFIXES:
        if pattern.search(value):
            return name
    return value


def perl_true(value):
    """Perl's truth: ``None``, ``""``, ``"0"`` and zero are false."""
    if value is None:
        return False
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, (dict, list, tuple)):
        return True
    return value != 0


def perl_number(value):
    """The number Perl reads in a string: its leading numeric part, else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    match = _PERL_NUMBER_RE.match(value) if isinstance(value, str) else None
    if not match:
        return 0
    text = match.group(1)
    try:
        if re.match(r"^[+-]?\d+$", text):
            return int(text)
        number = float(text)
    except (ValueError, OverflowError):
        return 0
    return number if math.isfinite(number) else 0


def perl_string(value):
    """How Perl prints a value: numbers with 15 significant digits (``1.87 * 1000`` is ``"1870"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return "%.15g" % value
    return str(value)


def integer_field(value):
    """An integer field as the agent sends it: kept only when it prints as digits, like ``"0100"`` -> 100."""
    text = perl_string(value)
    if text is None or not re.match(r"^\d+\Z", text, re.ASCII):
        return None
    return int(text)


def as_dict(value):
    """``value`` when it is a dict, else ``{}`` (a parsed tree holds whatever its input had)."""
    return value if isinstance(value, dict) else {}


def as_str(value):
    """``value`` when it is a string, else ``None``."""
    return value if isinstance(value, str) else None


def without_empty(entry):
    """A copy of ``entry`` without its ``None`` and ``""`` values."""
    return {key: value for key, value in entry.items() if value is not None and value != ""}


def trim_whitespace(value):
    """Leading/trailing whitespace removed and inner runs collapsed to one space."""
    if value is None:
        return None
    return _WHITESPACE_RE.sub(" ", value.strip(" \t\n\r\f\v"))


def sanitize(value):
    """Control characters removed, as the agent does before sending a string."""
    return _CONTROL_RE.sub("", value) if isinstance(value, str) else value


def text_lines(text):
    """Lines as Perl reads them: split on ``\\n`` only, no empty element after a final newline."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str) or not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def canonical_size(value, base=1000):
    """A size with a unit (``500,107,862,016 bytes``, ``1.5 TB``, ``2 GiB``) in MB, the agent's way.

    Digits without a unit are taken as MB already.  Returns an int, a float for a
    fractional result, a string for a plain MB value, or ``None``.
    """
    if not perl_true(value) or not isinstance(value, str):
        return None
    if re.match(r"^\d+$", value, re.ASCII):
        return value
    value = value.replace(" ", "")
    match = re.match(r"^([,.\d]+)(\S+)$", value, re.ASCII)
    if not match:
        return None
    number, unit = match.group(1), match.group(2).lower()
    if re.match(r"^(?:0|[1-9](?:\d*|\d{0,2}(?:[, ]\d{3})+))(?:\.\d+)?$", number, re.ASCII):
        number = number.replace(",", "").replace(" ", "")
    else:
        number = number.replace(",", ".", 1)
    binary = re.match(r"^([eptgmk])ib$", unit)
    if binary:
        unit = binary.group(1) + "b"
        base = 1024
    amount = perl_number(number)
    factors = {"eb": base ** 4, "pb": base ** 3, "tb": base ** 2, "gb": base}
    try:
        if unit in factors:
            return float(amount) * factors[unit]
        if unit == "mb":
            return number
        if unit == "kb":
            return int(float(amount) / base)
        if unit == "bytes":
            return int(float(amount) / (base * base))
    except (OverflowError, ValueError):
        return None
    return None
