# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SMBIOS/DMI tables, as ``dmidecode`` prints them, turned into GLPI inventory sections.

Private to the glpiops.glpi collection: no compatibility promise.

``parse_dmidecode(text)`` reads the full text of a plain ``dmidecode`` run (any
version, any OS: the text format is the same) into ``{dmi type: [fields of each
handle]}``; the ``*_from_dmidecode(infos)`` functions shape those tables into
GLPI sections the way GLPI Agent's ``Generic::Dmidecode`` modules do, in the form
the agent sends (integers, booleans and ISO dates where GLPI's schema wants them).

Like the agent, firmware placeholders (``Not Specified``, ``To Be Filled By
O.E.M.``, ``Unknown``...) are not values: the parser drops those lines, so they
never reach a section.  Pure functions: any input (garbage, truncated, binary)
gives what could be understood, never an exception.
"""

from __future__ import annotations

import datetime
import math
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import canonical_manufacturer, perl_true

# --- the dmidecode text ---------------------------------------------------------------------------------------

# SMBIOS types are 0-255; a number too long to be one is no type line.
_TYPE_RE = re.compile(r"DMI type (\d{1,9})(?!\d)", re.ASCII)
_WHITESPACE = " \t\n\r\f\v"
_SPACES_RE = re.compile(r"\s+", re.ASCII)
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


def _trim(value):
    return _SPACES_RE.sub(" ", value).strip(_WHITESPACE)


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
        block[field[0]] = _trim(field[1])
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


def _handles(infos, dmi_type):
    """The list of handles of one DMI type (only dicts), whatever ``infos`` holds."""
    if not isinstance(infos, dict):
        return []
    handles = infos.get(dmi_type)
    if not isinstance(handles, list):
        return []
    return [handle for handle in handles if isinstance(handle, dict)]


def _first_handle(infos, dmi_type):
    handles = _handles(infos, dmi_type)
    return handles[0] if handles else {}


def _get(handle, *names):
    """The first of these fields that has a value (a non-empty string other than "0", like a Perl truth)."""
    for name in names:
        value = handle.get(name)
        if isinstance(value, str) and value not in ("", "0"):
            return value
    return None


def _defined(handle, *names):
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


def _clean(entry):
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


def _number(value):
    """The leading number of a string (0 when there is none), as a lenient reader would take it."""
    match = _NUMBER_RE.match(value or "")
    if not match:
        return 0.0
    try:
        return float(match.group(0))
    except (ValueError, OverflowError):
        return 0.0


def _decimal(value):
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


_MAX_DIGITS = 30  # longer "numbers" in firmware strings are garbage (and too long for int() to read)


def _integer(value):
    """An int when the value is a plain non-negative integer (number or digit string), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10 ** _MAX_DIGITS else None
    if isinstance(value, float):
        value = _decimal(value)
    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) <= _MAX_DIGITS:
        return int(value)
    return None


def _whole(value):
    """A computed amount (float) as a non-negative int, truncated like the agent does; ``None`` if not finite."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or not 0 <= value < 10 ** _MAX_DIGITS:
        return None
    # round() first: 11.1 V is 11100 mV, not the 11099.999... a float multiplication gives.
    return int(round(value, 6))


def _valid_date(year, month, day):
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
        return _valid_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value.strip(), re.ASCII)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        return _valid_date(year, first, second) if month_first else _valid_date(year, second, first)
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
    bios_info = _first_handle(infos, 0)
    system = dict(_first_handle(infos, 1))
    board = _first_handle(infos, 2)
    chassis = _first_handle(infos, 3)

    version, product = _get(system, "Version"), _get(system, "Product Name")
    if version and re.match(r"^LENOVO$", _get(system, "Manufacturer") or "", re.IGNORECASE) and _LENOVO_FAMILIES_RE.match(version):
        system["Version"], system["Product Name"] = product, version

    ssn = _defined(system, "Serial Number")
    if ssn is None:
        ssn = _defined(chassis, "Serial Number")
    bios = {
        "bmanufacturer": _defined(bios_info, "Vendor"),
        "bdate": bios_date(_defined(bios_info, "Release Date")),
        "bversion": _defined(bios_info, "Version"),
        "assettag": _defined(chassis, "Asset Tag"),
        "smodel": _get(system, "Product", "Product Name"),
        "mmodel": _defined(board, "Product Name"),
        "skunumber": _defined(system, "SKU Number"),
        "smanufacturer": _get(system, "Manufacturer", "Vendor"),
        "mmanufacturer": _defined(board, "Manufacturer"),
        "ssn": ssn,
        "msn": _defined(board, "Serial Number"),
    }
    # Default contents ending with '#' ("Asset Tag#", "SKU#", as on Macs) are no values.
    if bios["assettag"] and bios["assettag"].endswith("Tag#"):
        bios["assettag"] = None
    if bios["skunumber"] and bios["skunumber"].endswith("SKU#"):
        bios["skunumber"] = None
    uuid = _defined(system, "UUID")
    if bios["mmodel"] == "VirtualBox" and not bios["ssn"] and not bios["msn"] and uuid:
        bios["ssn"] = uuid.lower()
    return _clean(bios)


def hardware_from_dmidecode(infos):
    """The ``hardware`` fields DMI gives: the system ``uuid`` (1) and the ``chassis_type`` (3)."""
    hardware = {
        "uuid": _defined(_first_handle(infos, 1), "UUID"),
        "chassis_type": _defined(_first_handle(infos, 3), "Type"),
    }
    return _clean(hardware)


# --- MEMORIES ---------------------------------------------------------------------------------------------------

_SIZE_UNITS = {"kb": -1, "mb": 0, "gb": 1, "tb": 2, "pb": 3, "eb": 4}


def size_in_mb(value, base=1024):
    """``"2048 MB"``/``"4 GB"``/``"512 kB"`` -> megabytes (int), ``None`` when not a size."""
    if not isinstance(value, str):
        return None
    text = value.replace(" ", "")
    if text.isdigit() and text.isascii():
        return _integer(text)
    match = re.match(r"^([,.\d]+)(\S+)$", text, re.ASCII)
    if not match:
        return None
    number, unit = match.group(1), match.group(2).lower()
    if re.match(r"^(?:0|[1-9](?:\d*|\d{0,2}(?:,\d{3})+))(?:\.\d+)?$", number):
        number = number.replace(",", "")
    else:
        number = number.replace(",", ".", 1)
    binary = re.match(r"^([eptgmk])ib$", unit)
    if binary:
        unit, base = binary.group(1) + "b", 1024
    try:
        amount = float(number)
    except ValueError:
        return None
    if unit == "bytes":
        return _whole(math.floor(amount / (base * base)) if math.isfinite(amount) else amount)
    if unit not in _SIZE_UNITS:
        return None
    power = _SIZE_UNITS[unit]
    if power < 0:
        return _whole(math.floor(amount / base) if math.isfinite(amount) else amount)
    return _integer(amount * base ** power)


def memory_speed(value):
    """A memory speed (``"1333 MT/s"``, ``"800 MHz (1.2 ns)"``, ``"2.4 GHz"``) in MHz, as a string."""
    if not isinstance(value, str) or value in ("", "0"):
        return None
    if re.match(r"^[,.\d]+$", value, re.ASCII):
        return value
    if value.startswith("PC3200U"):
        return "400"
    match = re.match(r"^([,.\d]+) ?(\S+)", value, re.ASCII)
    if not match:
        return None
    number, unit = match.group(1), match.group(2).lower()
    if unit == "ghz":
        return _decimal(_number(number) * 1000)
    if unit in ("mhz", "mt/s"):
        return number
    return None


def _hex_to_text(value):
    """``0x4D3338...`` (a part number dumped as hex) -> its text; other values unchanged."""
    if not value.startswith("0x"):
        return value
    digits = value[2:]
    if len(digits) % 2:
        digits += "0"
    nibbles = [(ord(char) + 9) & 15 if char.isalpha() else ord(char) & 15 for char in digits]
    raw = bytes((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))
    raw = bytes(byte for byte in raw if byte >= 0x20 and byte != 0x7f)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# Memory makers by their JEDEC JEP106 id, as dmidecode prints a module's "Module Manufacturer ID".
_JEDEC_MEMORY_MAKERS = {
    (1, 0x2C): "Micron",
    (1, 0xAD): "Hynix",
    (1, 0xCE): "Samsung",
    (1, 0xFE): "Elpida",
    (2, 0x98): "Kingston",
    (4, 0x25): "KingMax",
    (5, 0x16): "Positivo Informática",
}
# Makers whose part numbers say who they are and the DRAM generation (the letter captured), from the
# makers' public part-numbering guides.  ``(maker, pattern, {letter: type})``.
_PART_NUMBER_SCHEMES = (
    # Elpida: E + B (module) / C / D (component) + generation, e.g. EBE21UE8ACUA-8G-E.
    ("Elpida", re.compile(r"^E[BCD]([DEJ])[0-9A-Z]{8,9}-[0-9A-Z]{2,4}(?:-[0-9A-Z]{1,2})?$"), {"D": "DDR", "E": "DDR2", "J": "DDR3"}),
    # SK hynix: HM (module) / H5, H9 (component) / HY5, HYM (older) + generation, e.g. HMT42GR7AFR4A-PB.
    ("Hynix", re.compile(r"^(?:HY[59M]?|H[59M])([ADPT])[0-9A-Z]{6,}-[0-9A-Z]{2,3}$"), {"D": "DDR", "P": "DDR2", "T": "DDR3", "A": "DDR4"}),
    # Micron modules: [MT[A]] + chip count + generation + module kind, e.g. 18JSF25672AZ-1G4F1, MTA9ASF1G72PZ-3G2E2.
    ("Micron", re.compile(r"^(?:MTA?)?\d{1,2}([AHJK])[DST][FQS]\d+G?\d{2}[A-Z]{1,3}-"), {"H": "DDR2", "J": "DDR3", "K": "DDR3", "A": "DDR4"}),
    # Samsung: M3xx/M4xx (module) or K4 (component) + generation, e.g. M393A2K40BB1-CRC, K4B4G1646D-BCK0.
    ("Samsung", re.compile(r"^(?:M[34]\d{2}([ABT])[0-9A-Z]{7}-[0-9A-Z]{3,4}|K4([AB])[0-9A-Z]{7}-[0-9A-Z]{4,7})$"),
     {"T": "DDR2", "B": "DDR3", "A": "DDR4"}),
)


def memory_maker(part_number, module_manufacturer_id=None):
    """``(manufacturer, DRAM type)`` that a module's JEDEC id and part number tell, each ``None`` when unknown.

    The JEDEC id (``"Bank 1, Hex 0xAD"``) names the maker; the part number of
    the big DRAM makers names it too, and tells the DRAM generation.
    """
    maker = None
    match = re.match(r"^Bank (\d{1,3}), Hex 0x([0-9A-Fa-f]{2})$", module_manufacturer_id or "")
    if match:
        maker = _JEDEC_MEMORY_MAKERS.get((int(match.group(1)), int(match.group(2), 16)))
    for scheme_maker, pattern, types in _PART_NUMBER_SCHEMES:
        if maker and maker != scheme_maker:
            continue
        decoded = pattern.match(part_number or "")
        if decoded:
            letter = next((group for group in decoded.groups() if group), None)
            return scheme_maker, types.get(letter)
    return maker, None


_INVALID_MEMORY_MANUFACTURER_RE = re.compile(r"Manufacturer|Undefined|None|^0x|\d{4}|\sDIMM", re.IGNORECASE | re.ASCII)
_INVALID_PART_NUMBER_RE = re.compile(r"DIMM|Part\s*Num|Ser\s*Num", re.IGNORECASE | re.ASCII)


def _memory_from_type17(info, slot, correction, defaults):
    manufacturer = _get(info, "Manufacturer")
    if manufacturer and _INVALID_MEMORY_MANUFACTURER_RE.search(manufacturer):
        manufacturer = None
    description = _defined(info, "Form Factor")
    memory = {
        "numslots": slot,
        "description": description if description is not None else defaults.get("description"),
        "caption": _defined(info, "Locator"),
        "speed": memory_speed(_defined(info, "Speed")),
        "type": _defined(info, "Type"),
        "serialnumber": _defined(info, "Serial Number"),
        "memorycorrection": correction,
        "manufacturer": manufacturer if manufacturer is not None else defaults.get("manufacturer"),
    }
    size = _get(info, "Size")
    if size and re.match(r"^\d+\s.B$", size, re.ASCII):
        memory["capacity"] = size_in_mb(size)
    part_number = _get(info, "Part Number")
    if part_number and not _INVALID_PART_NUMBER_RE.search(part_number):
        model = _trim(_hex_to_text(part_number)).rstrip("-")
        memory["model"] = model
        maker, dram_type = memory_maker(model, _defined(info, "Module Manufacturer ID"))
        if maker:
            memory["manufacturer"] = maker
        if dram_type and not memory["type"]:
            memory["type"] = dram_type
    return memory


def memories_from_dmidecode(infos):
    """GLPI's ``memories``: one entry per memory device (17), empty slots included; bank (6) data on old tables.

    ``numslots`` is the 1-based position of the device in the table,
    ``capacity`` is in MB; flash devices (the BIOS' own storage) are not
    memories.  A Hyper-V guest's virtual DIMMs, which tell nothing about
    themselves, are described as "Hyper-V Memory" from Microsoft.
    """
    bios_info = _first_handle(infos, 0)
    defaults = {}
    vendor, version = _defined(bios_info, "Vendor") or "", _defined(bios_info, "Version") or ""
    if re.match(r"^Microsoft", vendor, re.IGNORECASE) and re.match(r"^Hyper-V", version, re.IGNORECASE):
        defaults = {"description": "Hyper-V Memory", "manufacturer": vendor}
    memories = []
    devices = _handles(infos, 17)
    if devices:
        correction = _defined(_first_handle(infos, 16), "Error Correction Type")
        for slot, info in enumerate(devices, 1):
            if re.search(r"Flash", _get(info, "Type") or "", re.IGNORECASE):
                continue
            memories.append(_clean(_memory_from_type17(info, slot, correction, defaults)))
    else:
        for slot, info in enumerate(_handles(infos, 6), 1):
            memory = {"numslots": slot, "type": _defined(info, "Type")}
            installed = re.match(r"^(\d+\s*.B)", _get(info, "Installed Size") or "", re.IGNORECASE | re.ASCII)
            if installed:
                memory["capacity"] = size_in_mb(installed.group(1))
            memories.append(_clean(memory))
    return memories


# --- CPUS -------------------------------------------------------------------------------------------------------


def _hex_prefix(text):
    """The value of the leading hexadecimal digits of a string (0 without any)."""
    match = re.match(r"^[0-9A-Fa-f]+", text)
    return int(match.group(0), 16) if match else 0


def _cpuid_fields(raw_id):
    """stepping, family number, model and the CPUID bytes reversed (``C2 06 02 00`` -> ``000206C2``) from DMI's ID."""
    chars = list(raw_id)

    def char(index):
        return chars[index] if 0 <= index < len(chars) else ""

    fields = {
        "stepping": _hex_prefix(char(1)),
        "familynumber": str(_hex_prefix(char(9) + char(10) + char(4))),
        "model": str(_hex_prefix(char(7) + char(0))),
    }
    reversed_id = ""
    while chars:
        low = chars.pop()
        if not chars:
            break
        high = chars.pop()
        reversed_id += high + low
        if chars:
            chars.pop()
    fields["id"] = reversed_id
    return fields


def _cpu_speed(info):
    """MHz, from the "@ 2.40GHz" of the model name, else from the current speed."""
    version = (_get(info, "Version") or "")[-64:]  # the speed ends the name; a bounded search stays linear
    speed = None
    match = re.search(r"([\d.]+)MHz$", version, re.ASCII)
    if match:
        speed = _decimal(_number(match.group(1)))
    match = re.search(r"([\d.]+)GHz$", version, re.ASCII)
    if match:
        speed = _decimal(_number(match.group(1)) * 1000)
    if speed not in (None, "0"):
        return speed
    current = _get(info, "Current Speed") or ""
    match = re.match(r"^\s*(\d{3,4})\s*Mhz", current, re.IGNORECASE | re.ASCII)
    if match:
        return match.group(1)
    match = re.match(r"^\s*(\d{1,%d})\s*Ghz" % _MAX_DIGITS, current, re.IGNORECASE | re.ASCII)
    if match:
        return str(int(match.group(1)) * 1000)
    return speed


def _external_clock(value):
    match = re.match(r"^\s*(\d+)\s*Mhz", value or "", re.IGNORECASE | re.ASCII)
    if match:
        return _integer(match.group(1))
    match = re.match(r"^\s*(\d+)\s*Ghz", value or "", re.IGNORECASE | re.ASCII)
    megahertz = _integer(match.group(1)) if match else None
    return megahertz * 1000 if megahertz is not None else None


def _cpu_from_type4(info):
    manufacturer = _get(info, "Manufacturer", "Processor Manufacturer")
    version = _get(info, "Version", "Processor Version")
    if manufacturer == "000000000000" and version == "0" * 32:
        return None  # VMware's empty sockets
    core_count = _get(info, "Core Enabled", "Core Count")
    cpu = {
        "serial": _defined(info, "Serial Number"),
        "core": _integer(core_count),
        "familyname": _defined(info, "Family"),
        "manufacturer": manufacturer,
    }
    threads = _get(info, "Thread Count")
    if threads and core_count and _number(core_count):
        # Threads per core, rounded up (hybrid CPUs: 8 P-cores with 2 threads + 8 E-cores give 24/16 -> 2).
        ratio = _number(threads) / _number(core_count)
        cpu["thread"] = _whole(math.ceil(ratio)) if math.isfinite(ratio) else None
    name = _get(info, "Version", "Family", "Processor Family", "Processor Version")
    if name:
        cpu["name"] = re.sub(r"\((?:R|TM)\)", "", name, flags=re.IGNORECASE)
    raw_id = _get(info, "ID")
    if raw_id:
        cpu.update(_cpuid_fields(raw_id))
    cpu["speed"] = _integer(_cpu_speed(info))
    if _get(info, "External Clock"):
        cpu["external_clock"] = _external_clock(_get(info, "External Clock"))
    enabled, total = _get(info, "Core Enabled"), _get(info, "Core Count")
    if enabled and total and _number(enabled) != _number(total):
        cpu["corecount"] = _integer(total)
    return _clean(cpu)


def cpus_from_dmidecode(infos):
    """GLPI's ``cpus`` from the processor tables (4): one entry per populated, enabled socket.

    ``id`` is the CPUID as Windows shows it (DMI's bytes reversed), with
    ``stepping``, ``familynumber`` and ``model`` decoded from it; ``speed`` and
    ``external_clock`` are in MHz; ``core`` is the enabled cores, ``corecount``
    the total when some are disabled, ``thread`` the threads per core.
    """
    cpus = []
    for info in _handles(infos, 4):
        if re.search(r"Unpopulated|Disabled", _get(info, "Status") or "", re.IGNORECASE):
            continue
        cpu = _cpu_from_type4(info)
        if cpu is not None:
            cpus.append(cpu)
    return cpus


# --- PORTS and SLOTS --------------------------------------------------------------------------------------------


def ports_from_dmidecode(infos):
    """GLPI's ``ports`` from the port connector tables (8); a port needs a ``type`` (GLPI requires it)."""
    ports = []
    for info in _handles(infos, 8):
        port = _clean({
            "caption": _defined(info, "External Reference Designator", "External Connector Type", "External Designator"),
            "description": _defined(info, "Internal Connector Type", "External Designator", "Internal Designator", "External Connector Type"),
            "name": _defined(info, "Internal Reference Designator", "External Reference Designator", "Internal Designator", "External Designator"),
            "type": _defined(info, "Port Type", "External Connector Type"),
        })
        if port.get("type"):
            ports.append(port)
    return ports


_SLOT_STATUSES = {"In Use": "used", "Available": "free"}


def slots_from_dmidecode(infos):
    """GLPI's ``slots`` from the system slot tables (9): ``status`` is ``used``/``free``.

    Like GLPI Agent, a slot without both a name and a description (its type) is
    not reported.
    """
    slots = []
    for info in _handles(infos, 9):
        slot = _clean({
            "description": _defined(info, "Type"),
            "designation": _defined(info, "ID"),
            "name": _defined(info, "Designation"),
            "status": _SLOT_STATUSES.get(_get(info, "Current Usage") or ""),
        })
        if slot.get("name") and slot.get("description"):
            slots.append(slot)
    return slots


# --- BATTERIES --------------------------------------------------------------------------------------------------


def battery_serial(serial):
    """A battery serial as GLPI Agent reports it: hexadecimal serials in decimal, zeros as ``"0"``."""
    if not isinstance(serial, str):
        return "0"
    if re.match(r"^0+$", serial):
        return "0"
    if not re.match(r"^[0-9A-Fa-f]+$", serial):
        return _trim(serial)
    if re.search(r"[a-fA-F]", serial) or serial.startswith("0"):
        # Hexadecimal serials are written in decimal; more than 64 bits is no number the agent could write.
        return str(int(serial, 16)) if len(serial.lstrip("0")) <= 16 else serial
    return serial


def voltage_in_mv(value):
    """``"11100 mV"``/``"10.8 V"`` -> millivolts (int), ``None`` otherwise."""
    match = re.match(r"^([,.\d]+)\s*(m?V)$", value or "", re.IGNORECASE | re.ASCII)
    if not match:
        return None
    number = _number(match.group(1).replace(",", ".", 1))
    return _whole(math.floor(number)) if match.group(2).lower() == "mv" and math.isfinite(number) else _whole(number * 1000)


def capacity_in_mwh(value, voltage):
    """``"48000 mWh"``/``"4400 mAh"`` (with the voltage in mV)/``"48 Wh"`` -> mWh (int), ``None`` otherwise."""
    match = re.match(r"^([,.\d]+)\s*(m?[WA]?h)$", value or "", re.IGNORECASE | re.ASCII)
    if not match:
        return None
    number, unit = _number(match.group(1).replace(",", ".", 1)), match.group(2).lower()
    if unit == "mwh":
        return _whole(math.floor(number) if math.isfinite(number) else number)
    if unit == "wh":
        return _whole(number * 1000)
    if unit == "mah":
        return _whole(number * voltage / 1000) if voltage else None
    if unit == "ah":
        return _whole(number * voltage) if voltage else None
    return _integer(match.group(1))


def battery_date(value):
    """A battery's manufacture date (``MM/DD/YYYY``, ``YYYY-MM-DD`` or ``MM/DD/YY``) as ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        return None
    match = re.search(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value, re.ASCII)
    if match:
        return _valid_date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    match = re.search(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value, re.ASCII)
    if match:
        return _valid_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.search(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2})", value, re.ASCII)
    if match:
        year = int(match.group(3))
        return _valid_date(year + (1900 if year > 90 else 2000), int(match.group(1)), int(match.group(2)))
    return None


def batteries_from_dmidecode(infos):
    """GLPI's ``batteries`` from the portable battery tables (22).

    A battery needs a name, a manufacturer, a serial and a chemistry (the Smart
    Battery ``SBDS`` fields stand in for missing ones); ``voltage`` is in mV
    and ``capacity`` (the design capacity) in mWh, computed from mAh with the
    design voltage.
    """
    batteries = []
    for info in _handles(infos, 22):
        name, manufacturer = _get(info, "Name"), _get(info, "Manufacturer")
        serial = _get(info, "Serial Number", "SBDS Serial Number")
        chemistry = _get(info, "Chemistry", "SBDS Chemistry")
        if not (name and manufacturer and serial and chemistry):
            continue
        date = _get(info, "Manufacture Date")
        if not date:
            date = _get(info, "SBDS Manufacture Date")
        voltage = voltage_in_mv(_get(info, "Design Voltage"))
        battery = {
            "name": name,
            "manufacturer": canonical_manufacturer(manufacturer),
            "serial": battery_serial(serial),
            "chemistry": chemistry,
            "date": battery_date(date),
            "voltage": voltage or None,
            "capacity": capacity_in_mwh(_get(info, "Design Capacity"), voltage) or None,
        }
        batteries.append(_clean(battery))
    return batteries


# --- POWERSUPPLIES ----------------------------------------------------------------------------------------------

_PSU_FIELDS = (
    ("partnum", "Model Part Number"),
    ("serialnumber", "Serial Number"),
    ("manufacturer", "Manufacturer"),
    ("name", "Name"),
    ("status", "Status"),
    ("plugged", "Plugged"),
    ("location", "Location"),
    ("power_max", "Max Power Capacity"),
    ("hotreplaceable", "Hot Replaceable"),
)
_PSU_FILLER_RE = re.compile(r"To Be Filled By O.?E.?M|OEM Define", re.IGNORECASE)
_YES_NO = {"yes": True, "no": False}


def power_in_watts(value):
    """``"460 W"``/``"1 kW"``/``"750"`` -> watts (int), ``None`` otherwise."""
    if not isinstance(value, str) or len(value) > 64:
        return None  # no power rating is that long (and the search below is cubic on long strings)
    match = re.search(r"(\d+) ?(\S*)\S*$", value, re.ASCII)
    if not match:
        return None
    number, unit = _integer(match.group(1)), match.group(2)
    if number is None:
        return None
    if not unit or unit == "W":
        return number
    if unit == "kW":
        return number * 1000
    if unit == "mW":
        return number // 1000
    return None


def powersupplies_from_dmidecode(infos):
    """GLPI's ``powersupplies`` from the system power supply tables (39).

    Only supplies with a name, a serial or a part number are reported; ``plugged``
    and ``hotreplaceable`` are booleans, ``power_max`` is in W, and Dell's part
    numbers lose their revision suffix (``00XW8WA02`` -> ``00XW8W``).
    """
    supplies = []
    for info in _handles(infos, 39):
        if _defined(info, "Type") == "Battery":
            continue
        psu = {}
        for key, field in _PSU_FIELDS:
            value = _defined(info, field)
            if value is None or _PSU_FILLER_RE.search(value):
                continue
            psu[key] = value
        if perl_true(psu.get("manufacturer")):
            psu["manufacturer"] = canonical_manufacturer(psu["manufacturer"])
        if psu.get("power_max"):
            psu["power_max"] = power_in_watts(psu["power_max"])
        for key in ("plugged", "hotreplaceable"):
            if key in psu:
                psu[key] = _YES_NO.get(psu[key].lower())
        if psu.get("partnum") and psu.get("manufacturer") == "Dell":
            dell = re.match(r"^([0-9A-Z]{6})[A-B]\d{2}$", psu["partnum"])
            if dell:
                psu["partnum"] = dell.group(1)
        psu = _clean(psu)
        if psu.get("name") or psu.get("serialnumber") or psu.get("partnum"):
            supplies.append(psu)
    return supplies
