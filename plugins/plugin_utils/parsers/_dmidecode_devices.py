# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's device sections from the SMBIOS/DMI tables that ``_dmidecode.parse_dmidecode`` reads.

Private to the glpiops.glpi collection: no compatibility promise.

``memories`` (types 17 and 6), ``cpus`` (4), ``ports`` (8), ``slots`` (9),
``batteries`` (22) and ``powersupplies`` (39), shaped the way GLPI Agent's
``Generic::Dmidecode`` modules shape them, in the form the agent sends; plus the
unit readers they need (sizes, speeds, voltages, capacities, power, dates).
Pure functions: any tables give what could be understood, never an exception.
"""

from __future__ import annotations

import math
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import canonical_manufacturer, perl_true, trim_whitespace
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._dmidecode import (
    MAX_DIGITS,
    clean_entry,
    decimal_string,
    defined_field,
    dmi_handles,
    first_handle,
    leading_number,
    plain_integer,
    truthy_field,
    valid_date,
    whole_number,
)


# --- MEMORIES ---------------------------------------------------------------------------------------------------

_SIZE_UNITS = {"kb": -1, "mb": 0, "gb": 1, "tb": 2, "pb": 3, "eb": 4}


def size_in_mb(value, base=1024):
    """``"2048 MB"``/``"4 GB"``/``"512 kB"`` -> megabytes (int), ``None`` when not a size."""
    if not isinstance(value, str):
        return None
    text = value.replace(" ", "")
    if text.isdigit() and text.isascii():
        return plain_integer(text)
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
        return whole_number(math.floor(amount / (base * base)) if math.isfinite(amount) else amount)
    if unit not in _SIZE_UNITS:
        return None
    power = _SIZE_UNITS[unit]
    if power < 0:
        return whole_number(math.floor(amount / base) if math.isfinite(amount) else amount)
    return plain_integer(amount * base ** power)


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
        return decimal_string(leading_number(number) * 1000)
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
    manufacturer = truthy_field(info, "Manufacturer")
    if manufacturer and _INVALID_MEMORY_MANUFACTURER_RE.search(manufacturer):
        manufacturer = None
    description = defined_field(info, "Form Factor")
    memory = {
        "numslots": slot,
        "description": description if description is not None else defaults.get("description"),
        "caption": defined_field(info, "Locator"),
        "speed": memory_speed(defined_field(info, "Speed")),
        "type": defined_field(info, "Type"),
        "serialnumber": defined_field(info, "Serial Number"),
        "memorycorrection": correction,
        "manufacturer": manufacturer if manufacturer is not None else defaults.get("manufacturer"),
    }
    size = truthy_field(info, "Size")
    if size and re.match(r"^\d+\s.B$", size, re.ASCII):
        memory["capacity"] = size_in_mb(size)
    part_number = truthy_field(info, "Part Number")
    if part_number and not _INVALID_PART_NUMBER_RE.search(part_number):
        model = trim_whitespace(_hex_to_text(part_number)).rstrip("-")
        memory["model"] = model
        maker, dram_type = memory_maker(model, defined_field(info, "Module Manufacturer ID"))
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
    bios_info = first_handle(infos, 0)
    defaults = {}
    vendor, version = defined_field(bios_info, "Vendor") or "", defined_field(bios_info, "Version") or ""
    if re.match(r"^Microsoft", vendor, re.IGNORECASE) and re.match(r"^Hyper-V", version, re.IGNORECASE):
        defaults = {"description": "Hyper-V Memory", "manufacturer": vendor}
    memories = []
    devices = dmi_handles(infos, 17)
    if devices:
        correction = defined_field(first_handle(infos, 16), "Error Correction Type")
        for slot, info in enumerate(devices, 1):
            if re.search(r"Flash", truthy_field(info, "Type") or "", re.IGNORECASE):
                continue
            memories.append(clean_entry(_memory_from_type17(info, slot, correction, defaults)))
    else:
        for slot, info in enumerate(dmi_handles(infos, 6), 1):
            memory = {"numslots": slot, "type": defined_field(info, "Type")}
            installed = re.match(r"^(\d+\s*.B)", truthy_field(info, "Installed Size") or "", re.IGNORECASE | re.ASCII)
            if installed:
                memory["capacity"] = size_in_mb(installed.group(1))
            memories.append(clean_entry(memory))
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
    version = (truthy_field(info, "Version") or "")[-64:]  # the speed ends the name; a bounded search stays linear
    speed = None
    match = re.search(r"([\d.]+)MHz$", version, re.ASCII)
    if match:
        speed = decimal_string(leading_number(match.group(1)))
    match = re.search(r"([\d.]+)GHz$", version, re.ASCII)
    if match:
        speed = decimal_string(leading_number(match.group(1)) * 1000)
    if speed not in (None, "0"):
        return speed
    current = truthy_field(info, "Current Speed") or ""
    match = re.match(r"^\s*(\d{3,4})\s*Mhz", current, re.IGNORECASE | re.ASCII)
    if match:
        return match.group(1)
    match = re.match(r"^\s*(\d{1,%d})\s*Ghz" % MAX_DIGITS, current, re.IGNORECASE | re.ASCII)
    if match:
        return str(int(match.group(1)) * 1000)
    return speed


def _external_clock(value):
    match = re.match(r"^\s*(\d+)\s*Mhz", value or "", re.IGNORECASE | re.ASCII)
    if match:
        return plain_integer(match.group(1))
    match = re.match(r"^\s*(\d+)\s*Ghz", value or "", re.IGNORECASE | re.ASCII)
    megahertz = plain_integer(match.group(1)) if match else None
    return megahertz * 1000 if megahertz is not None else None


def _cpu_from_type4(info):
    manufacturer = truthy_field(info, "Manufacturer", "Processor Manufacturer")
    version = truthy_field(info, "Version", "Processor Version")
    if manufacturer == "000000000000" and version == "0" * 32:
        return None  # VMware's empty sockets
    core_count = truthy_field(info, "Core Enabled", "Core Count")
    cpu = {
        "serial": defined_field(info, "Serial Number"),
        "core": plain_integer(core_count),
        "familyname": defined_field(info, "Family"),
        "manufacturer": manufacturer,
    }
    threads = truthy_field(info, "Thread Count")
    if threads and core_count and leading_number(core_count):
        # Threads per core, rounded up (hybrid CPUs: 8 P-cores with 2 threads + 8 E-cores give 24/16 -> 2).
        ratio = leading_number(threads) / leading_number(core_count)
        cpu["thread"] = whole_number(math.ceil(ratio)) if math.isfinite(ratio) else None
    name = truthy_field(info, "Version", "Family", "Processor Family", "Processor Version")
    if name:
        cpu["name"] = re.sub(r"\((?:R|TM)\)", "", name, flags=re.IGNORECASE)
    raw_id = truthy_field(info, "ID")
    if raw_id:
        cpu.update(_cpuid_fields(raw_id))
    cpu["speed"] = plain_integer(_cpu_speed(info))
    if truthy_field(info, "External Clock"):
        cpu["external_clock"] = _external_clock(truthy_field(info, "External Clock"))
    enabled, total = truthy_field(info, "Core Enabled"), truthy_field(info, "Core Count")
    if enabled and total and leading_number(enabled) != leading_number(total):
        cpu["corecount"] = plain_integer(total)
    return clean_entry(cpu)


def cpus_from_dmidecode(infos):
    """GLPI's ``cpus`` from the processor tables (4): one entry per populated, enabled socket.

    ``id`` is the CPUID as Windows shows it (DMI's bytes reversed), with
    ``stepping``, ``familynumber`` and ``model`` decoded from it; ``speed`` and
    ``external_clock`` are in MHz; ``core`` is the enabled cores, ``corecount``
    the total when some are disabled, ``thread`` the threads per core.
    """
    cpus = []
    for info in dmi_handles(infos, 4):
        if re.search(r"Unpopulated|Disabled", truthy_field(info, "Status") or "", re.IGNORECASE):
            continue
        cpu = _cpu_from_type4(info)
        if cpu is not None:
            cpus.append(cpu)
    return cpus


# --- PORTS and SLOTS --------------------------------------------------------------------------------------------


def ports_from_dmidecode(infos):
    """GLPI's ``ports`` from the port connector tables (8); a port needs a ``type`` (GLPI requires it)."""
    ports = []
    for info in dmi_handles(infos, 8):
        port = clean_entry({
            "caption": defined_field(info, "External Reference Designator", "External Connector Type", "External Designator"),
            "description": defined_field(info, "Internal Connector Type", "External Designator", "Internal Designator", "External Connector Type"),
            "name": defined_field(info, "Internal Reference Designator", "External Reference Designator", "Internal Designator", "External Designator"),
            "type": defined_field(info, "Port Type", "External Connector Type"),
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
    for info in dmi_handles(infos, 9):
        slot = clean_entry({
            "description": defined_field(info, "Type"),
            "designation": defined_field(info, "ID"),
            "name": defined_field(info, "Designation"),
            "status": _SLOT_STATUSES.get(truthy_field(info, "Current Usage") or ""),
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
        return trim_whitespace(serial)
    if re.search(r"[a-fA-F]", serial) or serial.startswith("0"):
        # Hexadecimal serials are written in decimal; more than 64 bits is no number the agent could write.
        return str(int(serial, 16)) if len(serial.lstrip("0")) <= 16 else serial
    return serial


def voltage_in_mv(value):
    """``"11100 mV"``/``"10.8 V"`` -> millivolts (int), ``None`` otherwise."""
    match = re.match(r"^([,.\d]+)\s*(m?V)$", value or "", re.IGNORECASE | re.ASCII)
    if not match:
        return None
    number = leading_number(match.group(1).replace(",", ".", 1))
    return whole_number(math.floor(number)) if match.group(2).lower() == "mv" and math.isfinite(number) else whole_number(number * 1000)


def capacity_in_mwh(value, voltage):
    """``"48000 mWh"``/``"4400 mAh"`` (with the voltage in mV)/``"48 Wh"`` -> mWh (int), ``None`` otherwise."""
    match = re.match(r"^([,.\d]+)\s*(m?[WA]?h)$", value or "", re.IGNORECASE | re.ASCII)
    if not match:
        return None
    number, unit = leading_number(match.group(1).replace(",", ".", 1)), match.group(2).lower()
    if unit == "mwh":
        return whole_number(math.floor(number) if math.isfinite(number) else number)
    if unit == "wh":
        return whole_number(number * 1000)
    if unit == "mah":
        return whole_number(number * voltage / 1000) if voltage else None
    if unit == "ah":
        return whole_number(number * voltage) if voltage else None
    return plain_integer(match.group(1))


def battery_date(value):
    """A battery's manufacture date (``MM/DD/YYYY``, ``YYYY-MM-DD`` or ``MM/DD/YY``) as ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        return None
    match = re.search(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value, re.ASCII)
    if match:
        return valid_date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    match = re.search(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value, re.ASCII)
    if match:
        return valid_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.search(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2})", value, re.ASCII)
    if match:
        year = int(match.group(3))
        return valid_date(year + (1900 if year > 90 else 2000), int(match.group(1)), int(match.group(2)))
    return None


def batteries_from_dmidecode(infos):
    """GLPI's ``batteries`` from the portable battery tables (22).

    A battery needs a name, a manufacturer, a serial and a chemistry (the Smart
    Battery ``SBDS`` fields stand in for missing ones); ``voltage`` is in mV
    and ``capacity`` (the design capacity) in mWh, computed from mAh with the
    design voltage.
    """
    batteries = []
    for info in dmi_handles(infos, 22):
        name, manufacturer = truthy_field(info, "Name"), truthy_field(info, "Manufacturer")
        serial = truthy_field(info, "Serial Number", "SBDS Serial Number")
        chemistry = truthy_field(info, "Chemistry", "SBDS Chemistry")
        if not (name and manufacturer and serial and chemistry):
            continue
        date = truthy_field(info, "Manufacture Date")
        if not date:
            date = truthy_field(info, "SBDS Manufacture Date")
        voltage = voltage_in_mv(truthy_field(info, "Design Voltage"))
        battery = {
            "name": name,
            "manufacturer": canonical_manufacturer(manufacturer),
            "serial": battery_serial(serial),
            "chemistry": chemistry,
            "date": battery_date(date),
            "voltage": voltage or None,
            "capacity": capacity_in_mwh(truthy_field(info, "Design Capacity"), voltage) or None,
        }
        batteries.append(clean_entry(battery))
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
    number, unit = plain_integer(match.group(1)), match.group(2)
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
    for info in dmi_handles(infos, 39):
        if defined_field(info, "Type") == "Battery":
            continue
        psu = {}
        for key, field in _PSU_FIELDS:
            value = defined_field(info, field)
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
        psu = clean_entry(psu)
        if psu.get("name") or psu.get("serialnumber") or psu.get("partnum"):
            supplies.append(psu)
    return supplies
