# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parsers for what the Windows collector returns: CIM/WMI instances and registry dumps.

Private to the glpiops.glpi collection: no compatibility promise.

Inputs have two shapes, both plain JSON:

- a WMI class is a list of instances, ``[{"Property": value, ...}, ...]``.  Values
  may be typed (what ``Get-CimInstance | ConvertTo-Json`` writes: numbers,
  booleans, arrays, ``"\\/Date(ms)\\/"`` or ISO datetimes) or text (what
  ``wmic /format:list`` writes: ``"TRUE"``, ``"123"``, DMTF datetimes); both read
  the same.
- a registry dump is ``{"keys": [{"path": "HKEY_LOCAL_MACHINE\\\\...", "values":
  {name: {"type": "REG_SZ", "data": ...}}}]}``, its first key being the key
  asked for (``REG_DWORD``/``REG_QWORD`` data are integers, ``REG_BINARY`` lower-case
  hex, ``REG_MULTI_SZ`` a list).

Each parser returns what GLPI Agent's Windows module returns for the same data
(lower-case keys, values typed for GLPI's schema), never raises, and skips what
it cannot read.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from xml.etree import ElementTree

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import canonical_manufacturer


# --- value helpers ---------------------------------------------------------------------------------------------

def _instances(value):
    """A WMI answer as a list of instances (one object alone counts as one instance)."""
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


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


def _first(*values):
    """The first value Perl would call true (not ``None``, ``""``, ``0`` or ``"0"``), as the agent's ``a || b``."""
    for value in values:
        if value is not None and value != "" and value != 0 and value != "0":
            return value
    return values[-1] if values and values[-1] not in (None, "") else None


def _clean(entry):
    return {key: value for key, value in entry.items() if value is not None and value != ""}


# --- registry dumps --------------------------------------------------------------------------------------------

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


def registry_subkey_names(dump):
    """``{lower-case relative parts: the parts as written}``, to give subkey names back their case."""
    keys = registry_keys(dump)
    if not keys:
        return {}
    depth = len(keys[0][0])
    return {tuple(part.lower() for part in parts[depth:]): parts[depth:] for parts, _values in keys}


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


def _binary(data):
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


# --- bios, hardware, operating system ---------------------------------------------------------------------------

_INVALID_BIOS_RE = re.compile(
    r"^(?:\s*|N/?A|Not Specified|Not Available|System Serial Number|To Be Filled By O\.E\.M\.|Default string|None|0+)$",
    re.IGNORECASE)


def _bios_date(value):
    """``ReleaseDate`` -> ``MM/DD/YYYY`` (the agent's form)."""
    moment = wmi_datetime(value)
    if moment:
        return "%02d/%02d/%04d" % (moment.month, moment.day, moment.year)
    return text(value)


def bios(wmi):
    """GLPI Agent's ``bios`` from ``Win32_Bios``, ``Win32_ComputerSystem``, ``Win32_SystemEnclosure`` and
    ``Win32_BaseBoard`` (``wmi`` maps class names to instances); ``bdate`` as ``MM/DD/YYYY``."""
    wmi = wmi if isinstance(wmi, dict) else {}
    section = {}
    for obj in _instances(wmi.get("Win32_Bios") or wmi.get("Win32_BIOS")):
        serial = text(obj.get("SerialNumber"))
        section.update(biosserial=serial, ssn=serial, bmanufacturer=text(obj.get("Manufacturer")),
                       bversion=text(obj.get("SMBIOSBIOSVersion")) or (string_list(obj.get("BIOSVersion")) or [None])[0]
                       or text(obj.get("Version")),
                       bdate=_bios_date(obj.get("ReleaseDate")))
    for obj in _instances(wmi.get("Win32_ComputerSystem")):
        section.update(smanufacturer=text(obj.get("Manufacturer")), smodel=text(obj.get("Model")))
    for obj in _instances(wmi.get("Win32_SystemEnclosure")):
        serial = text(obj.get("SerialNumber"))
        if serial:
            section["enclosureserial"] = serial
            section["ssn"] = section.get("ssn") or serial
        if text(obj.get("SMBIOSAssetTag")):
            section["assettag"] = text(obj.get("SMBIOSAssetTag"))
    for obj in _instances(wmi.get("Win32_BaseBoard")):
        serial = text(obj.get("SerialNumber"))
        if serial:
            section["msn"] = serial
            section["ssn"] = section.get("ssn") or serial
        section["mmodel"] = text(obj.get("Product"))
        if text(obj.get("Manufacturer")):
            section["mmanufacturer"] = text(obj.get("Manufacturer"))
            section["smanufacturer"] = section.get("smanufacturer") or section["mmanufacturer"]
    out = {}
    for key, value in section.items():
        if isinstance(value, str):
            value = value.rstrip()
        if value is None or _INVALID_BIOS_RE.match(value):
            continue
        out[key] = value
    return out


# --- cpus -------------------------------------------------------------------------------------------------------

def cpus(processors, central_processor=None, dmidecode_cpus=None):
    """GLPI Agent's ``cpus`` from ``Win32_Processor``, the ``CentralProcessor`` registry dump and, when the
    target had one, dmidecode's CPUs (``_dmidecode_devices.cpus_from_dmidecode`` entries, upper- or lower-case keys)."""
    tree = registry_tree(central_processor)
    dmi = [{str(key).lower(): value for key, value in entry.items()} for entry in _instances(dmidecode_cpus)]
    result = []
    logical_id = 0
    for index, obj in enumerate(_instances(processors)):
        from_dmi = dmi[index] if index < len(dmi) else {}
        registry = tree.get((str(logical_id),), {})
        cores, logical = integer(obj.get("NumberOfCores")), integer(obj.get("NumberOfLogicalProcessors"))
        threads = None
        if not from_dmi.get("thread") and cores and logical:
            threads = -(-logical // cores)
        identifier = text(value_of(registry, "Identifier")) or text(obj.get("Description")) or ""
        words = re.split(r" |\n", identifier)
        name = from_dmi.get("name")
        if not name:
            name = text(value_of(registry, "ProcessorNameString")) or text(obj.get("Name"))
            name = re.sub(r"\((?:R|TM)\)", "", re.sub(r"\s+", " ", name).strip(), flags=re.IGNORECASE) if name else None
        vendor = text(value_of(registry, "VendorIdentifier")) or text(obj.get("Manufacturer"))
        serial = _first(from_dmi.get("serial"), text(obj.get("SerialNumber")))
        cpu = {
            "core": _first(from_dmi.get("core"), cores),
            "thread": _first(from_dmi.get("thread"), threads),
            "description": _first(from_dmi.get("description"), text(value_of(registry, "Identifier")), text(obj.get("Description"))),
            "name": name,
            "manufacturer": _first(from_dmi.get("manufacturer"), canonical_manufacturer(vendor)),
            "serial": re.sub(r"\s", "", serial) if isinstance(serial, str) else serial,
            "speed": _first(from_dmi.get("speed"), integer(obj.get("MaxClockSpeed"))),
            "familynumber": _first(from_dmi.get("familynumber"), words[2] if len(words) > 2 else None),
            "model": _first(from_dmi.get("model"), words[4] if len(words) > 4 else None),
            "stepping": _first(from_dmi.get("stepping"), words[6] if len(words) > 6 else None),
            "id": _first(from_dmi.get("id"), text(obj.get("ProcessorId"))),
        }
        if not cpu["speed"] and cpu["name"]:
            match = re.search(r"([\d.]+)s*(GHZ)", cpu["name"], re.IGNORECASE)
            if match:
                try:
                    cpu["speed"] = int(float(match.group(1)) * 1000)
                except ValueError:
                    pass
        if from_dmi.get("corecount"):
            cpu["corecount"] = from_dmi["corecount"]
        for key in ("stepping", "core", "thread", "speed", "corecount"):
            if cpu.get(key) is not None:
                cpu[key] = integer(cpu[key])
        result.append(_clean(cpu))
        logical_id += logical if logical is not None else 1
    return result


# --- memories ---------------------------------------------------------------------------------------------------

_FORM_FACTORS = ("Unknown", "Other", "SIP", "DIP", "ZIP", "SOJ", "Proprietary", "SIMM", "DIMM", "TSOP", "PGA", "RIMM",
                 "SODIMM", "SRIMM", "SMD", "SSMP", "QFP", "TQFP", "SOIC", "LCC", "PLCC", "BGA", "FPBGA", "LGA")
_MEMORY_TYPES = ("Unknown", "Other", "DRAM", "Synchronous DRAM", "Cache DRAM", "EDO", "EDRAM", "VRAM", "SRAM", "RAM",
                 "ROM", "Flash", "EEPROM", "FEPROM", "EPROM", "CDRAM", "3DRAM", "SDRAM", "SGRAM", "RDRAM", "DDR", "DDR-2")
# CIM_PhysicalMemory.SMBIOSMemoryType, read when MemoryType says nothing (DDR3 and later).
_SMBIOS_MEMORY_TYPES = {20: "DDR", 21: "DDR2", 22: "DDR2 FB-DIMM", 24: "DDR3", 26: "DDR4", 27: "LPDDR", 28: "LPDDR2",
                        29: "LPDDR3", 30: "LPDDR4", 34: "DDR5", 35: "LPDDR5"}
_ERROR_CORRECTIONS = (None, "Other", None, "None", "Parity", "Single-bit ECC", "Multi-bit ECC", "CRC")


def _enum(table, value):
    index = integer(value)
    index = 0 if index is None else index
    return table[index] if 0 <= index < len(table) else None


def memories(physical_memory, memory_arrays=None):
    """GLPI Agent's ``memories`` from ``Win32_PhysicalMemory`` and ``Win32_PhysicalMemoryArray``
    (``numslots`` 0-based, ``capacity`` in MB; ROM and Flash left out)."""
    result = []
    for obj in _instances(physical_memory):
        memory_type = _enum(_MEMORY_TYPES, obj.get("MemoryType"))
        if memory_type in ("ROM", "Flash"):
            continue
        if memory_type in (None, "Unknown") and integer(obj.get("SMBIOSMemoryType")) in _SMBIOS_MEMORY_TYPES:
            memory_type = _SMBIOS_MEMORY_TYPES[integer(obj.get("SMBIOSMemoryType"))]
        capacity = integer(obj.get("Capacity"))
        speed = integer(obj.get("Speed"))
        result.append({
            "capacity": capacity // (1024 * 1024) if capacity else None,
            "caption": text(obj.get("Caption")),
            "description": text(obj.get("Description")),
            "formfactor": _enum(_FORM_FACTORS, obj.get("FormFactor")),
            "removable": bool(boolean(obj.get("Removable"))),
            "speed": str(speed) if speed else None,
            "type": memory_type,
            "numslots": len(result),
            "serialnumber": text(obj.get("SerialNumber")),
        })
    for obj in _instances(memory_arrays):
        devices = integer(obj.get("MemoryDevices"))
        index = devices - 1 if devices is not None else 0
        if not result or not -len(result) <= index < len(result):
            continue
        memory = result[index]
        if not memory.get("serialnumber"):
            memory["serialnumber"] = text(obj.get("SerialNumber"))
        correction = integer(obj.get("MemoryErrorCorrection"))
        if correction:
            memory["memorycorrection"] = _enum(_ERROR_CORRECTIONS, correction)
            if memory["memorycorrection"] and correction > 3:
                memory["description"] = "%s (%s)" % (memory.get("description") or "", memory["memorycorrection"])
    return [_clean(memory) for memory in result]


# --- drives -----------------------------------------------------------------------------------------------------

_DRIVE_TYPES = ("Unknown", "No Root Directory", "Removable Disk", "Local Disk", "Network Drive", "Compact Disc", "RAM Disk")
_ENCRYPTION_METHODS = ("None", "AES_128_WITH_DIFFUSER", "AES_256_WITH_DIFFUSER", "AES_128", "AES_256",
                       "HARDWARE_ENCRYPTION", "XTS_AES_128", "XTS_AES_256")


def _mib(value):
    size = integer(value)
    return size // (1024 * 1024) if size else None


def _volume_serial(value):
    """``Win32_Volume.SerialNumber`` (a signed or unsigned 32-bit number) as 8 hex digits."""
    serial = text(value)
    if not serial:
        return None
    if not re.match(r"^-?\d+$", serial):
        return serial
    return "%08X" % (int(serial) & 0xFFFFFFFF)


def drives(logical_disks, volumes=None, encryptable_volumes=None, operating_system=None):
    """GLPI Agent's ``drives`` from ``Win32_LogicalDisk``, ``Win32_Volume`` (volumes without a letter) and
    ``Win32_EncryptableVolume`` (BitLocker); sizes in MiB, ``systemdrive`` a boolean."""
    system_drive = None  # unknown without Win32_OperatingSystem: no drive is called the system's (as the agent)
    for obj in _instances(operating_system):
        if text(obj.get("SystemDrive")):
            system_drive = text(obj.get("SystemDrive")).lower()
    result, seen = [], {}
    for obj in _instances(logical_disks):
        filesystem = text(obj.get("FileSystem"))
        provider = text(obj.get("ProviderName"))
        if integer(obj.get("DriveType")) == 4 and provider:
            if "\\DavWWWRoot\\" in provider:
                filesystem = "WebDav"
            elif provider.lower().startswith("\\\\vmware-host\\"):
                filesystem = "HGFS"
            elif filesystem != "NFS":
                filesystem = "CIFS"
        letter = text(obj.get("DeviceID")) or text(obj.get("Caption"))
        drive = {
            "createdate": text(obj.get("InstallDate")),
            "description": text(obj.get("Description")),
            "free": _mib(obj.get("FreeSpace")),
            "filesystem": filesystem,
            "label": text(obj.get("VolumeName")),
            "letter": letter,
            "serial": text(obj.get("VolumeSerialNumber")),
            "systemdrive": (text(obj.get("DeviceID")) or "").lower() == system_drive if system_drive else False,
            "total": _mib(obj.get("Size")),
            "type": _enum(_DRIVE_TYPES, obj.get("DriveType")),
            "volumn": text(obj.get("VolumeName")),
        }
        seen[letter] = drive
        result.append(drive)
    had_logical = bool(result)
    for obj in _instances(volumes):
        letter = text(obj.get("DriveLetter"))
        if had_logical and letter and letter in seen:
            continue
        name = text(obj.get("Name"))
        drive = {
            "createdate": text(obj.get("InstallDate")),
            "description": text(obj.get("Description")),
            "free": _mib(obj.get("FreeSpace")),
            "filesystem": text(obj.get("FileSystem")),
            "label": text(obj.get("Label")),
            "letter": text(obj.get("Label")) if name and name.startswith("\\\\?\\Volume") else (name or text(obj.get("Caption"))),
            "serial": _volume_serial(obj.get("SerialNumber")),
            "systemdrive": letter.lower() == system_drive if letter else False,
            "total": _mib(obj.get("Capacity")),
            "type": _enum(_DRIVE_TYPES, obj.get("DriveType")),
            "volumn": text(obj.get("Label")),
        }
        seen[text(obj.get("DeviceID")) or letter or text(obj.get("Caption"))] = drive
        result.append(drive)
    for obj in _instances(encryptable_volumes):
        key = text(obj.get("DeviceID"))
        if key not in seen:
            key = text(obj.get("DriveLetter"))
        if key not in seen:
            continue
        method = integer(obj.get("EncryptionMethod")) or 0
        status = integer(obj.get("ProtectionStatus"))
        status = 2 if status is None else status
        seen[key].update(encrypt_name="BitLocker",
                         encrypt_algo=_ENCRYPTION_METHODS[method] if 0 <= method < len(_ENCRYPTION_METHODS) else "Unknown",
                         encrypt_status="No" if status == 0 else ("Yes" if status == 1 else "Unknown"))
    return [_clean(drive) for drive in result]


# --- storages ---------------------------------------------------------------------------------------------------

_BUS_TYPES = {0: "UNKNOWN", 1: "SCSI", 2: "ATAPI", 3: "ATA", 4: "IEEE 1394", 5: "SSA", 6: "Fibre Channel", 7: "USB",
              8: "RAID", 9: "iSCSI", 10: "SAS", 11: "SATA", 12: "SD", 13: "MMC", 15: "File-Backed Virtual",
              16: "Storage Spaces", 17: "NVMe"}
_MEDIA_TYPES = {0: "UNKNOWN", 3: "HDD", 4: "SSD", 5: "SCM"}


def _vbox_serial(serial):
    """VirtualBox's ATA serials are hex with each byte pair swapped."""
    if not re.match(r"^[0-9a-f]+$", serial) or len(serial) % 4:
        return serial
    chars = [chr(int(serial[i:i + 2], 16)) for i in range(0, len(serial), 2)]
    swapped = "".join(chars[i + 1] + chars[i] for i in range(0, len(chars) - 1, 2))
    return swapped.rstrip(" ")


def storages(disks):
    """GLPI Agent's ``storages`` from ``MSFT_PhysicalDisk``, ``Win32_DiskDrive`` or ``Win32_CDROMDrive`` instances
    (``disksize`` in decimal MB)."""
    result = []
    for obj in _instances(disks):
        model = text(obj.get("Model")) or text(obj.get("Caption")) or text(obj.get("FriendlyName"))
        media = obj.get("MediaType")
        media_type = _MEDIA_TYPES.get(integer(media)) if integer(media) is not None else None
        name = text(obj.get("Name"))
        if obj.get("Name") is None:
            name = "PhysicalDisk%s" % (text(obj.get("DeviceId")) or "0")
        drive = {
            "manufacturer": text(obj.get("Manufacturer")),
            "model": model,
            "description": text(obj.get("Description")) or text(obj.get("PhysicalLocation")),
            "name": name,
            "type": media_type or text(media),
            "interface": text(obj.get("InterfaceType")),
            "firmware": text(obj.get("FirmwareVersion")) or text(obj.get("FirmwareRevision")),
            "scsi_coid": text(obj.get("SCSIPort")),
            "scsi_lun": text(obj.get("SCSILogicalUnit")),
            "scsi_unid": text(obj.get("SCSITargetId")),
        }
        if drive["firmware"]:
            drive["firmware"] = re.sub(r"\s+", " ", drive["firmware"]).strip()
        size = integer(obj.get("Size"))
        if size:
            drive["disksize"] = size // 1000000
        serial = text(obj.get("AdapterSerialNumber")) or text(obj.get("SerialNumber"))
        if serial:
            serial = serial.split()[0]
            drive["serial"] = _vbox_serial(serial) if re.search(r"VBOX HARDDISK ATA", model or "") else serial
        if not drive["interface"] and integer(obj.get("BusType")) is not None:
            drive["interface"] = _BUS_TYPES.get(integer(obj.get("BusType")), "UNKNOWN")
        if re.search(r"VBOX", model or ""):
            drive["description"] = drive["description"] or "Virtual device"
            if drive["type"] == "UNKNOWN":
                drive["type"] = "Virtual"
        result.append(_clean(drive))
    return result


# --- networks ---------------------------------------------------------------------------------------------------

_INTERFACE_TYPES = {6: "ethernet", 7: "ethernet", 56: "fiberchannel", 62: "ethernet", 71: "wifi", 117: "ethernet",
                    169: "ethernet"}


def _ipv4_subnet(address, mask):
    try:
        addr = [int(part) for part in address.split(".")]
        bits = [int(part) for part in mask.split(".")]
        if len(addr) != 4 or len(bits) != 4:
            return None
        return ".".join(str(a & b) for a, b in zip(addr, bits))
    except (ValueError, AttributeError):
        return None


def _ipv6_mask(prefix):
    length = integer(prefix)
    if length is None or not 0 <= length <= 128:
        return None
    value = (((1 << length) - 1) << (128 - length)) if length else 0
    return str(ipaddress.IPv6Address(value))


def _ipv6_subnet(address, mask):
    try:
        return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address(address)) & int(ipaddress.IPv6Address(mask))))
    except (ValueError, TypeError):
        return None


def _pciid(pnp):
    match = re.search(r"PCI\\VEN_(\w{4})&DEV_(\w{4})&SUBSYS_(\w{4})(\w{4})", pnp or "")
    return ":".join(match.groups()) if match else None


def interfaces(configurations, adapters=None, net_adapters=None):
    """GLPI Agent's network interfaces (``Tools::Win32::getInterfaces``) from
    ``Win32_NetworkAdapterConfiguration`` and ``MSFT_NetAdapter`` (preferred) or ``Win32_NetworkAdapter``:
    one entry per address, or one for an adapter with a MAC (or a VPN) and no address.

    Entries keep the agent's ``macaddr``/``guid``/``dns``/``dnsdomain`` keys; ``networks`` shapes them for GLPI.
    """
    configs = {}
    for obj in _instances(configurations):
        index = integer(obj.get("InterfaceIndex")) if obj.get("InterfaceIndex") is not None else integer(obj.get("Index"))
        if index is None:
            continue
        config = {
            "description": text(obj.get("Description")),
            "status": "Up" if re.match(r"^(?:1|true)$", text(obj.get("IPEnabled")) or "", re.IGNORECASE) else "Down",
            "ipdhcp": text(obj.get("DHCPServer")),
            "macaddr": text(obj.get("MACAddress")),
            "mtu": integer(obj.get("MTU")),
            "guid": text(obj.get("SettingID")),
            "dnsdomain": text(obj.get("DNSDomain")),
            "ipgateway": (string_list(obj.get("DefaultIPGateway")) or [None])[0],
            "dns": (string_list(obj.get("DNSServerSearchOrder")) or [None])[0],
        }
        addresses = obj.get("IPAddress")
        if isinstance(addresses, list):
            subnets = string_list(obj.get("IPSubnet"))
            config["addresses"] = [(text(address), subnets[i] if i < len(subnets) else None)
                                   for i, address in enumerate(addresses) if text(address)]
        configs[index] = config
    result = []
    for adapter in _instances(net_adapters) or _instances(adapters):
        index = integer(adapter.get("InterfaceIndex")) if adapter.get("InterfaceIndex") is not None else integer(adapter.get("Index"))
        config = configs.get(index)
        pnp = text(adapter.get("PnPDeviceID")) or text(adapter.get("PNPDeviceID"))
        if config is None or not pnp:
            continue
        description = text(adapter.get("InterfaceDescription")) or config["description"]
        if "addresses" not in config and not config["macaddr"] and not re.search(r"vpn", description or "", re.IGNORECASE):
            continue
        physical = adapter.get("HardwareInterface") if adapter.get("HardwareInterface") is not None else adapter.get("PhysicalAdapter")
        if pnp.upper().startswith("ROOT"):
            virtual = True
        elif physical is not None:
            virtual = not re.match(r"^(?:1|true)", text(physical) or "", re.IGNORECASE)
        else:
            virtual = bool(description and "RAS" in description and re.search("adapter", description, re.IGNORECASE))
        base = {
            "pnpdeviceid": pnp,
            "macaddr": config["macaddr"],
            "description": description,
            "status": config["status"],
            "mtu": config["mtu"],
            "dns": config["dns"],
            "virtualdev": virtual,
            "pciid": _pciid(pnp),
            "guid": text(adapter.get("InterfaceGuid")) or text(adapter.get("GUID")),
            "dnsdomain": config["dnsdomain"],
        }
        speed = integer(adapter.get("Speed"))
        if speed:
            base["speed"] = speed // 1000000
        if integer(adapter.get("InterfaceType")) in _INTERFACE_TYPES:
            base["type"] = _INTERFACE_TYPES[integer(adapter.get("InterfaceType"))]
        if "addresses" not in config:
            result.append(_clean(base))
            continue
        for address, prefix in config["addresses"]:
            entry = dict(base)
            if re.match(r"^\d{1,3}(?:\.\d{1,3}){3}$", address):
                entry.update(ipaddress=address, ipmask=prefix, ipsubnet=_ipv4_subnet(address, prefix or ""),
                             ipdhcp=config["ipdhcp"], ipgateway=config["ipgateway"])
            else:
                address = re.sub(r"%\d+$", "", address)
                mask = _ipv6_mask(prefix)
                entry.update(ipaddress6=address, ipmask6=mask, ipsubnet6=_ipv6_subnet(address, mask) if mask else None)
            result.append(_clean(entry))
    return result


def media_type(pnp_device_id, network_class):
    """GLPI Agent's interface type from the network class registry key ({4D36E972-...}: ``<guid>\\Connection``)."""
    if not pnp_device_id:
        return None
    subtype = None
    for parts, values in registry_tree(network_class).items():
        if len(parts) != 2 or parts[1] != "connection":
            continue
        instance = text(value_of(values, "PnpInstanceID"))
        if instance and instance.replace("\\\\", "\\").lower() == pnp_device_id.lower():
            subtype = value_of(values, "MediaSubType")
            break
    subtype = integer(subtype)
    return {1: "ethernet", 2: "wifi", 7: "bluetooth"}.get(subtype) if subtype is not None else None


# --- softwares --------------------------------------------------------------------------------------------------

def _date_dmy(value):
    """``YYYYMMDD`` (or ``YYYYMDD``) or ``M/D/YYYY`` -> ``DD/MM/YYYY``, the agent's software date."""
    value = text(value)
    if not value:
        return None
    match = re.match(r"^(\d{4})(\d)(\d{2})$", value)
    if match:
        return "%s/0%s/%s" % (match.group(3), match.group(2), match.group(1))
    match = re.match(r"^(\d{4})(\d{2})(\d{2})$", value)
    if match:
        return "%s/%s/%s" % (match.group(3), match.group(2), match.group(1))
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value)
    if match:
        return "%02d/%02d/%04d" % (int(match.group(2)), int(match.group(1)), int(match.group(3)))
    return None


def _software_arch(parts, default):
    lowered = [part.lower() for part in parts]
    if "wow6432node" in lowered:
        return "i586"
    return default


_SOFTWARE_FIELDS = (("name", "DisplayName"), ("comments", "Comments"), ("helplink", "HelpLink"),
                    ("release_type", "ReleaseType"), ("version", "DisplayVersion"), ("publisher", "Publisher"),
                    ("url_info_about", "URLInfoAbout"), ("uninstall_string", "UninstallString"))


def _sql_edition(version, sql_instances, sql_setups):
    """The SQL Server edition of the instance whose ``Setup\\Version`` is ``version``."""
    instance_names = [text(value) for value in (registry_tree(sql_instances).get((), {}) or {}).values() if text(value)]
    setups = [(parts, values) for parts, values in registry_keys(sql_setups)
              if parts and parts[-1].lower() == "setup" and value_of(values, "Version") is not None]
    for instance in instance_names:
        for parts, values in setups:
            if len(setups) > 1 and instance.lower() not in [part.lower() for part in parts]:
                continue
            if text(value_of(values, "Version")) == version:
                return text(value_of(values, "Edition"))
    return None


def softwares(uninstall, default_arch="i586", sql_instances=None, sql_setups=None):
    """GLPI Agent's registry ``softwares`` from ``Uninstall`` dumps: one entry per subkey holding more than one
    value; dumps may hold several Uninstall roots (64-bit, ``Wow6432Node``, ``HKEY_USERS\\<sid>``).

    ``default_arch`` is the arch of the native key (``x86_64`` on a 64-bit Windows); ``Wow6432Node`` is ``i586``.
    """
    keys = registry_keys(uninstall)
    roots = []
    for parts, _values in keys:
        lowered = [part.lower() for part in parts]
        if lowered and lowered[-1] == "uninstall":
            roots.append(tuple(lowered))
    if not roots and keys:
        roots = [tuple(part.lower() for part in keys[0][0])]
    entries = {}
    for parts, values in keys:
        lowered = tuple(part.lower() for part in parts)
        root = next((root for root in roots if lowered[:len(root)] == root and len(lowered) == len(root) + 1), None)
        if root is None:
            continue
        key = (root, lowered[-1])
        if key in entries:
            entries[key][1].update(values)
        else:
            entries[key] = (parts, dict(values))
    result = []
    for (root, _lowered), (parts, values) in sorted(entries.items(), key=lambda item: (item[0][0], item[1][0][-1])):
        if len(values) <= 1:
            continue
        guid = parts[-1]
        system = integer(value_of(values, "SystemComponent"))
        software = {
            "from": "registry",
            "name": guid,
            "installdate": _date_dmy(value_of(values, "InstallDate")),
            "version_minor": integer(value_of(values, "MinorVersion")),
            "version_major": integer(value_of(values, "MajorVersion")),
            "no_remove": integer(value_of(values, "NoRemove")),
            "arch": _software_arch(parts, default_arch),
            "guid": guid,
            "system_category": "system_component" if system else "application",
        }
        for field, name in _SOFTWARE_FIELDS:
            value = value_of(values, name)
            if isinstance(value, str) and value and value != "0":
                software[field] = value
            elif isinstance(value, int) and not isinstance(value, bool) and value:
                software[field] = str(value)
        if root and root[0] == "hkey_users" and len(root) > 1:
            software["userid"] = parts[1]
        if software.get("version"):
            software["version"] = re.sub(r"[\x00-\x1f].*", "", software["version"], flags=re.DOTALL)
        size = integer(value_of(values, "EstimatedSize"))
        if size:
            software["filesize"] = size * 1024
        match = re.match(r"^(SQL Server.*)(\sDatabase Engine Services)", software["name"])
        match_old = re.match(r"^(Microsoft SQL Server 200[0-9])$", software["name"])
        if match or (match_old and software.get("version")):
            edition = _sql_edition(software.get("version"), sql_instances, sql_setups)
            if edition:
                software["name"] = "%s %s%s" % (match.group(1), edition, match.group(2)) if match \
                    else "%s %s" % (match_old.group(1), edition)
        result.append({key: value for key, value in software.items() if value is not None and value != ""})
    return result


def appx_packages(raw):
    """UWP packages (``from: uwp``): GLPI Agent's ``KEY: value`` blocks, or a list of objects with those keys."""
    packages = []
    if isinstance(raw, str):
        package = {}
        for line in raw.replace("\r\n", "\n").split("\n"):
            if not line.strip():
                if package.get("NAME"):
                    packages.append(package)
                package = {}
                continue
            match = re.match(r"^([A-Z_]+):\s*(.*?)\s*$", line)
            if match and match.group(2):
                package[match.group(1)] = match.group(2)
        if package.get("NAME"):
            packages.append(package)
    elif isinstance(raw, list):
        packages = [{str(key).upper(): text(value) for key, value in item.items() if text(value)}
                    for item in raw if isinstance(item, dict) and text(item.get("NAME") or item.get("Name"))]
    publishers = {"tf1gferkr813w": "AutoDesk"}
    for package in packages:
        if package.get("PUBLISHER") and package.get("PUBID") and package["PUBID"] not in publishers:
            publishers[package["PUBID"]] = package["PUBLISHER"]
    result = []
    for package in packages:
        entry = {"from": "uwp"}
        for key, value in package.items():
            if key == "NAME" and re.match(r"^(?:Microsoft|windows)\.", value, re.IGNORECASE):
                value = re.sub(r"([^0-9])\.", r"\1 ", value)
            elif key == "INSTALLDATE":
                match = re.match(r"^([0-9/]+)", value)
                value = (_date_dmy(match.group(1)) if match else None) or value
            if key == "PUBID":
                continue
            entry[key.lower()] = value
        if package.get("PUBID") in publishers:
            entry["publisher"] = publishers[package["PUBID"]]
        result.append(entry)
    return result


def hotfixes(quick_fixes, arch="i586"):
    """GLPI Agent's hotfix ``softwares`` from ``Win32_QuickFixEngineering`` (ids without a KB number skipped)."""
    result = []
    for obj in _instances(quick_fixes):
        hotfix_id = text(obj.get("HotFixID")) or ""
        if not re.search(r"KB(\d{4,10})", hotfix_id, re.IGNORECASE):
            continue
        description = text(obj.get("Description"))
        match = re.match(r"^(Security Update|Hotfix|Update)", description or "")
        release = match.group(1) if match else None
        category = "update" if not release else (
            "security_update" if release == "Security Update" else ("hotfix" if release == "Hotfix" else "update"))
        installed = obj.get("InstalledOn")
        moment = wmi_datetime(installed) if not re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text(installed) or "") else None
        result.append(_clean({
            "name": hotfix_id, "comments": description,
            "installdate": "%02d/%02d/%04d" % (moment.day, moment.month, moment.year) if moment else _date_dmy(installed),
            "from": "WMI", "release_type": release, "arch": arch, "system_category": category,
        }))
    return result


# --- licenses ---------------------------------------------------------------------------------------------------

_KEY_LETTERS = "BCDFGHJKMPQRTVWXY2346789"


def decode_product_key(blob):
    """The 25-character product key in a ``DigitalProductId`` (bytes 52-66, or 808-822 in newer ones)."""
    data = list(blob or b"")
    start = 808 if len(data) > 808 else 52
    if len(data) < start + 15:
        return None
    key = data[start:start + 15]
    contains_n = (key[14] >> 3) & 1
    key[14] &= 0xF7
    if not any(key):
        return None
    chars = [""] * 25
    for i in range(24, -1, -1):
        index = 0
        for j in range(14, -1, -1):
            value = (index << 8) | key[j]
            key[j] = value // 24
            index = value % 24
        chars[i] = _KEY_LETTERS[index]
    if contains_n:
        first = chars.pop(0)
        chars.insert(_KEY_LETTERS.index(first), "N")
    chars = chars[:25]
    return "-".join("".join(chars[i:i + 5]) for i in range(0, 25, 5))


def office_license(values):
    """GLPI Agent's license of one Office ``Registration\\{GUID}`` key (its values)."""
    values = values if isinstance(values, dict) else {}
    license_info = {
        "key": decode_product_key(_binary(value_of(values, "DigitalProductID"))),
        "productid": text(value_of(values, "ProductID")),
        "update": text(value_of(values, "SPLevel")),
        "oem": text(value_of(values, "OEM")),
        "fullname": text(value_of(values, "ProductName")) or text(value_of(values, "ConvertToEdition")),
        "name": text(value_of(values, "ProductNameNonQualified")) or text(value_of(values, "ProductNameVersion")),
    }
    match = re.search(r"(\d+)$", text(value_of(values, "TrialType")) or "")
    if match:
        license_info["trial"] = int(match.group(1))
    products = sorted(match.group(1) for match in (re.match(r"^(\w+)NameVersion$", name) for name in values) if match)
    if products:
        license_info["components"] = "/".join(products)
    return _clean(license_info)


def _wmi_license(obj):
    key = text(obj.get("PartialProductKey"))
    if key and len(key) == 5:
        key = "XXXXX-XXXXX-XXXXX-XXXXX-" + key
    return _clean({
        "key": key,
        "productid": text(obj.get("ProductKeyID2")) or text(obj.get("ApplicationID")) or text(obj.get("ProductKeyID")),
        "oem": 1 if re.search("OEM", text(obj.get("ProductKeyChannel")) or "", re.IGNORECASE) else 0,
        "fullname": text(obj.get("Description")),
        "name": text(obj.get("Name")),
    })


def licenses(office_dumps=None, licensing_products=None):
    """GLPI Agent's ``licenseinfos``: Office registrations (``HKLM\\SOFTWARE[\\Wow6432Node]\\Microsoft\\Office``
    dumps), then activated non-OS ``SoftwareLicensingProduct`` instances replacing the Office ones they match."""
    seen = {}
    for dump in office_dumps if isinstance(office_dumps, list) else []:
        tree = registry_tree(dump)
        for parts, values in tree.items():
            if len(parts) != 3 or parts[1] != "registration":
                continue
            match = re.search(r"([-\w]+)", parts[2])
            if not match:
                continue
            uuid = match.group(1).lower()
            if value_of(values, "DigitalProductID") is not None:
                seen[uuid] = office_license(values)
            product_name = text(value_of(values, "ProductName"))
            code = text(value_of(values, "ProductCode"))
            if code and product_name:
                code_match = re.search(r"([-\w]+)", code)
                seen[uuid] = {"productcode": code_match.group(1).lower() if code_match else "", "fullname": product_name}
                if re.search("trial", text(value_of(values, "ProductNameBrand")) or "", re.IGNORECASE):
                    seen[uuid]["trial"] = 1
    for obj in _instances(licensing_products):
        if not text(obj.get("PartialProductKey")) or not integer(obj.get("LicenseStatus")):
            continue
        if re.search("Operating System", text(obj.get("Description")) or "", re.IGNORECASE) or not text(obj.get("ID")):
            continue
        license_info = _wmi_license(obj)
        uuid = text(obj.get("ID")).lower()
        if uuid not in seen:
            seen[uuid] = license_info
            continue
        for field in ("fullname", "trial"):
            if seen[uuid].get(field):
                license_info[field] = seen[uuid][field]
        old = uuid
        if seen[uuid].get("productcode"):
            uuid = seen[uuid]["productcode"]
            if seen.get(uuid, {}).get("key") and seen[uuid]["key"].endswith((license_info.get("key") or "")[-5:]):
                continue
        del seen[old]
        seen[uuid] = license_info
    found = [entry for entry in seen.values() if entry.get("key")]
    return sorted(found, key=lambda entry: (entry.get("name") or "", entry.get("fullname") or "", entry["key"]))


# --- users ------------------------------------------------------------------------------------------------------

def _azure_upn(login, logon_ui, identity_store):
    sid = text(value_of(registry_tree(logon_ui).get((), {}), "LastLoggedOnUserSID"))
    if not sid:
        return None
    for parts, values in registry_keys(identity_store):
        lowered = [part.lower() for part in parts]
        if len(lowered) >= 2 and lowered[-1] == sid.lower() and lowered[-2] == "identitycache":
            if text(value_of(values, "SAMName")) == login:
                return text(value_of(values, "UserName"))
    return None


def _azure(user, logon_ui, identity_store):
    upn = _azure_upn(user["login"], logon_ui, identity_store)
    match = re.match(r"^([^@]+)@(.+)$", upn or "")
    if match:
        user.update(_fullname=user["login"] + "@AzureAD", login=match.group(1), domain=match.group(2))
    return user


def last_user(computer_system=None, logon_ui=None, winlogon=None, user_accounts=None, identity_store=None):
    """GLPI Agent's last logged-on user (``{"login", "domain"}``): ``Win32_ComputerSystem.UserName`` when someone is
    logged on, else the LogonUI/Winlogon registry values; AzureAD accounts get their UPN."""
    systems = _instances(computer_system)
    system = systems[0] if systems else {}
    name, user_name = text(system.get("Name")), text(system.get("UserName"))
    if name and user_name:
        user = {"domain": user_name, "login": name}
        match = re.match(r"^([^\\]*)\\(.*)$", user_name)
        if match:
            if match.group(1) != ".":
                user["domain"] = match.group(1)
            user["login"] = match.group(2)
            if user["domain"] == "AzureAD":
                user = _azure(user, logon_ui, identity_store)
        return user
    logon = registry_tree(logon_ui).get((), {})
    winlogon_values = registry_tree(winlogon).get((), {})
    value = None
    for values, value_name in ((logon, "LastLoggedOnSAMUser"), (logon, "LastLoggedOnUser"),
                               (winlogon_values, "DefaultUserName"), (winlogon_values, "LastUsedUsername")):
        value = text(value_of(values, value_name))
        if value:
            break
    if not value:
        return None
    match = re.match(r"^([^\\]*)\\(.*)$", value)
    if not match:
        return {"login": value}
    user = {"domain": match.group(1), "login": match.group(2)}
    if user["domain"] == "." and name:
        user["domain"] = name
    if user["domain"] == ".":
        for account in _instances(user_accounts):
            if text(account.get("Name")) == user["login"] and text(account.get("Domain")):
                user["domain"] = text(account.get("Domain"))
                break
    elif user["domain"] == "AzureAD":
        user = _azure(user, logon_ui, identity_store)
    return user


# --- videos -----------------------------------------------------------------------------------------------------

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
    raw = _binary(data)
    return int.from_bytes(raw[:width].ljust(width, b"\0"), "little") if raw else None


def videos(controllers, display_class=None):
    """GLPI Agent's ``videos`` from ``Win32_VideoController``; the memory from the display class registry key
    (``HardwareInformation.qwMemorySize``/``MemorySize``) when it has the card, else ``AdapterRAM`` (MB)."""
    tree = registry_tree(display_class)
    result = []
    for obj in _instances(controllers):
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
        result.append(_clean(video))
    return result


# --- usb --------------------------------------------------------------------------------------------------------

def usb_devices(logical_devices, names=None):
    """GLPI Agent's ``usbdevices`` from ``CIM_LogicalDevice`` (``USB\\VID_xxxx&PID_xxxx\\serial`` ids), de-duplicated;
    ``names`` (``{"vvvv": vendor, "vvvv:pppp": product}``, lower-case ids) overrides the WMI names."""
    names = names if isinstance(names, dict) else {}
    result, seen = [], set()
    for obj in _instances(logical_devices):
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
        vendor_name = names.get(vendor.lower())
        if vendor_name:
            device["manufacturer"] = vendor_name
            product_name = names.get("%s:%s" % (vendor.lower(), product.lower()))
            if product_name:
                device["caption"] = device["name"] = product_name
        result.append(_clean(device))
    return result


def parse_usb_ids(raw):
    """``{"vvvv": vendor, "vvvv:pppp": product}`` from a ``usb.ids`` text (only the vendor/device lines)."""
    names, vendor = {}, None
    for line in (raw or "").splitlines() if isinstance(raw, str) else []:
        if line.startswith("#") or not line.strip():
            continue
        match = re.match(r"^([0-9a-f]{4})\s+(.*)$", line)
        if match:
            vendor = match.group(1)
            names[vendor] = match.group(2).strip()
            continue
        match = re.match(r"^\t([0-9a-f]{4})\s+(.*)$", line)
        if match and vendor:
            names["%s:%s" % (vendor, match.group(1))] = match.group(2).strip()
            continue
        if not line.startswith("\t"):
            vendor = None  # the device classes and other tables follow the vendors
    return names


# --- batteries --------------------------------------------------------------------------------------------------

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
            result.append(_clean(battery))
    return result


def merge_batteries(from_dmidecode, from_powercfg):
    """The dmidecode batteries completed by powercfg's (matched by name and serial, else by position)."""
    merged = [dict(entry) for entry in _instances(from_dmidecode)]
    for battery in _instances(from_powercfg):
        match = next((entry for entry in merged if entry.get("name") == battery.get("name")
                      and str(entry.get("serial")) == str(battery.get("serial"))), None)
        if match is None:
            merged.append(dict(battery))
            continue
        for key, value in battery.items():
            if key in ("capacity", "real_capacity") or not match.get(key):
                match[key] = value
    return merged


# --- firewall ---------------------------------------------------------------------------------------------------

_PROFILES = (("domain", "DomainProfile"), ("public", "PublicProfile"), ("standard", "StandardProfile"))
_CATEGORIES = ("public", "standard", "domain")


def firewall_profiles(profile_dumps):
    """``{"domain"|"public"|"standard": {"profile", "status"}}`` from the ``FirewallPolicy\\<X>Profile`` dumps."""
    profile_dumps = profile_dumps if isinstance(profile_dumps, dict) else {}
    result = {}
    for short, name in _PROFILES:
        enabled = integer(value_of(registry_tree(profile_dumps.get(name)).get((), {}), "EnableFirewall"))
        result[short] = {"profile": name, "status": "on" if enabled else "off"}
    return result


def firewalls(profile_dumps, network_list=None, dns_registered_adapters=None, interface_entries=None):
    """GLPI Agent's ``firewalls``: one entry per profile, or one per address of an up interface in that profile."""
    profiles = firewall_profiles(profile_dumps)
    tree = registry_tree(network_list)
    adapters = registry_tree(dns_registered_adapters)
    if network_list is not None and dns_registered_adapters is not None:
        network_profiles = {parts[1]: values for parts, values in tree.items() if len(parts) == 2 and parts[0] == "profiles"}
        signatures = [values for parts, values in tree.items()
                      if len(parts) == 3 and parts[0] == "signatures" and parts[1] in ("managed", "unmanaged")]
        for interface in _instances(interface_entries):
            if interface.get("status") != "Up":
                continue
            profile = None
            settings = adapters.get(((interface.get("guid") or "").lower(),)) if interface.get("guid") else None
            if settings is not None:
                wanted = text(value_of(settings, "PrimaryDomainName"))
                profile = next((values for values in network_profiles.values()
                                if wanted and text(value_of(values, "ProfileName")) == wanted), None)
            elif interface.get("dnsdomain"):
                guid = next((text(value_of(values, "ProfileGuid")) for values in signatures
                             if text(value_of(values, "FirstNetwork")) == interface["dnsdomain"]), None)
                profile = network_profiles.get(guid.lower()) if guid else None
            category = integer(value_of(profile, "Category")) if profile else None
            if category is None or not 0 <= category < len(_CATEGORIES):
                continue
            connection = {"description": interface.get("description")}
            for key in ("ipaddress", "ipaddress6"):
                if interface.get(key):
                    connection[key] = interface[key]
            profiles[_CATEGORIES[category]].setdefault("connections", []).append(connection)
    result = []
    for short in sorted(profiles):
        profile = profiles[short]
        connections = profile.pop("connections", None)
        if connections:
            result.extend(_clean(dict(profile, **connection)) for connection in connections)
        else:
            result.append(profile)
    return result


# --- printers ---------------------------------------------------------------------------------------------------

def usb_printer_serials(usbprint, usb):
    """``{port: serial}`` of USB printers from the ``Enum\\USBPRINT`` and ``Enum\\USB`` dumps."""
    print_tree, usb_tree = registry_tree(usbprint), registry_tree(usb)
    usb_names = registry_subkey_names(usb)
    result = {}
    for parts, values in print_tree.items():
        if len(parts) != 3 or parts[2] != "device parameters":
            continue
        port = text(value_of(values, "PortName"))
        if not port:
            continue
        instance = print_tree.get(parts[:2], {})
        serial = None
        container = text(value_of(instance, "ContainerID"))
        if container:
            for usb_parts, usb_values in usb_tree.items():
                if len(usb_parts) == 2 and text(value_of(usb_values, "ContainerID")) == container and "&" not in usb_parts[1]:
                    serial = usb_names.get(usb_parts, usb_parts)[1]
                    break
        if not serial:
            prefix = re.sub(r"&%s$" % re.escape(port.lower()), "", parts[1])
            for usb_parts, usb_values in usb_tree.items():
                if len(usb_parts) == 2 and (text(value_of(usb_values, "ParentIdPrefix")) or "").lower() == prefix:
                    serial = usb_names.get(usb_parts, usb_parts)[1] if "&" not in usb_parts[1] else None
                    break
        if serial:
            result[port] = serial
    return result


# --- hyper-v ----------------------------------------------------------------------------------------------------

_VM_STATES = {2: "running", 3: "off", 32768: "paused", 32769: "off", 32770: "blocked", 32771: "blocked",
              32773: "blocked", 32774: "shutdown", 32776: "blocked", 32777: "blocked"}


def virtual_machines(computer_systems, memory_settings=None, processor_settings=None, system_settings=None):
    """GLPI Agent's Hyper-V ``virtualmachines`` from the ``root/virtualization/v2`` classes (the host, which has no
    ``InstallDate``, is left out)."""
    def by_vm(instances, field):
        found = {}
        for obj in _instances(instances):
            match = re.match(r"^Microsoft:([^\\]+)", text(obj.get("InstanceID")) or "")
            if match and obj.get(field) is not None:
                found[match.group(1)] = obj.get(field)
        return found
    memory, vcpu = by_vm(memory_settings, "VirtualQuantity"), by_vm(processor_settings, "VirtualQuantity")
    bios_guid = {key: (text(value) or "").strip("{}") for key, value in by_vm(system_settings, "BIOSGUID").items()}
    result = []
    for obj in _instances(computer_systems):
        if not text(obj.get("InstallDate")) and not isinstance(obj.get("InstallDate"), dict):
            continue
        name = text(obj.get("Name"))
        result.append(_clean({
            "subsystem": "MS HyperV", "vmtype": "HyperV", "status": _VM_STATES.get(integer(obj.get("EnabledState")), "off"),
            "name": text(obj.get("ElementName")), "uuid": bios_guid.get(name) or None,
            "memory": integer(memory.get(name)), "vcpu": integer(vcpu.get(name)),
        }))
    return result


# --- hardware, operating system, sounds, batteries (no corpus sample: GLPI Agent's Win32 modules as reference) ----

def _first_instance(value):
    found = _instances(value)
    return found[0] if found else {}


def windows_product_key(current_version):
    """The Windows product key decoded from ``CurrentVersion\\DigitalProductId`` (or ``DigitalProductId4``)."""
    values = registry_tree(current_version).get((), {})
    for name in ("DigitalProductId", "DigitalProductId4"):
        key = decode_product_key(_binary(value_of(values, name)))
        if key:
            return key
    return None


def hardware(wmi, current_version=None, lanman=None):
    """GLPI Agent's ``hardware`` fields from ``Win32_OperatingSystem``, ``Win32_ComputerSystem``,
    ``Win32_ComputerSystemProduct`` and the registry (product key, server comment); sizes in MB."""
    wmi = wmi if isinstance(wmi, dict) else {}
    system = _first_instance(wmi.get("Win32_OperatingSystem"))
    computer = _first_instance(wmi.get("Win32_ComputerSystem"))
    product = _first_instance(wmi.get("Win32_ComputerSystemProduct"))
    uuid = text(product.get("UUID"))
    swap = integer(system.get("TotalSwapSpaceSize"))
    memory = integer(computer.get("TotalPhysicalMemory"))
    page_files = [integer(obj.get("AllocatedBaseSize")) for obj in _instances(wmi.get("Win32_PageFileUsage"))]
    return _clean({
        "name": text(computer.get("DNSHostName")) or text(computer.get("Name")),
        "description": text(value_of(registry_tree(lanman).get((), {}), "srvcomment")),
        "uuid": uuid if uuid and not re.match(r"^[0-]+$", uuid) else None,
        "winprodkey": windows_product_key(current_version),
        "winlang": text(system.get("OSLanguage")),
        "winprodid": text(system.get("SerialNumber")),
        "wincompany": text(system.get("Organization")),
        "winowner": text(system.get("RegisteredUser")) or text(computer.get("PrimaryOwnerName")),
        "swap": swap // 1024 if swap else (sum(size for size in page_files if size) or None),
        "memory": memory // (1024 * 1024) if memory else None,
        "workgroup": text(computer.get("Domain")) or text(computer.get("Workgroup")),
    })


def _glpi_datetime(value):
    moment = wmi_datetime(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else None


def operating_system(wmi, current_version=None, timezone=None):
    """GLPI Agent's ``operatingsystem`` from ``Win32_OperatingSystem``/``Win32_ComputerSystem``, the
    ``CurrentVersion`` registry key (UBR, DisplayVersion/ReleaseId, InstallDate) and the time zone."""
    wmi = wmi if isinstance(wmi, dict) else {}
    system = _first_instance(wmi.get("Win32_OperatingSystem"))
    computer = _first_instance(wmi.get("Win32_ComputerSystem"))
    values = registry_tree(current_version).get((), {})
    install_date = _glpi_datetime(system.get("InstallDate"))
    if not install_date and integer(value_of(values, "InstallDate")):
        try:
            install_date = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=integer(value_of(values, "InstallDate")))
            install_date = install_date.strftime("%Y-%m-%d %H:%M:%S")
        except (OverflowError, ValueError):
            install_date = None
    architecture = text(system.get("OSArchitecture")) or ""
    ubr = integer(value_of(values, "UBR"))
    build = text(system.get("BuildNumber"))
    if ubr:
        service_pack = "%s.%d" % (build, ubr) if build else str(ubr)
    else:
        service_pack = text(system.get("CSDVersion"))
    host = text(computer.get("DNSHostName")) or text(computer.get("Name"))
    domain = text(computer.get("Domain")) if boolean(computer.get("PartOfDomain")) is not False else None
    section = {
        "name": "Windows",
        "arch": "64-bit" if "64" in architecture else ("32-bit" if architecture else None),
        "install_date": install_date,
        "boot_time": _glpi_datetime(system.get("LastBootUpTime")),
        "kernel_name": "MSWin32",
        "kernel_version": text(system.get("Version")),
        "full_name": text(system.get("Caption")),
        "service_pack": service_pack,
        "version": text(value_of(values, "DisplayVersion")) or text(value_of(values, "ReleaseId")),
        "dns_domain": text(computer.get("Domain")),
        "fqdn": "%s.%s" % (host, domain) if host and domain else host,
    }
    if isinstance(timezone, dict) and integer(timezone.get("offset_minutes")) is not None:
        minutes = integer(timezone["offset_minutes"])
        section["timezone"] = {"name": text(timezone.get("name")) or "",
                               "offset": "%s%02d%02d" % ("-" if minutes < 0 else "+", abs(minutes) // 60, abs(minutes) % 60)}
    return _clean(section)


def sounds(sound_devices):
    """GLPI Agent's ``sounds`` from ``Win32_SoundDevice``."""
    return [_clean({"name": text(obj.get("Name")), "caption": text(obj.get("Caption")),
                    "manufacturer": text(obj.get("Manufacturer")), "description": text(obj.get("Description"))})
            for obj in _instances(sound_devices)]


_BATTERY_CHEMISTRIES = {1: "Other", 2: "Unknown", 3: "Lead Acid", 4: "Nickel Cadmium", 5: "Nickel Metal Hydride",
                        6: "Lithium-ion", 7: "Zinc air", 8: "Lithium Polymer"}


def wmi_batteries(batteries):
    """Batteries from ``Win32_Battery`` when powercfg gave none (capacity in mWh, voltage in mV)."""
    return [_clean({"name": text(obj.get("Name")) or text(obj.get("DeviceID")),
                    "chemistry": _BATTERY_CHEMISTRIES.get(integer(obj.get("Chemistry"))),
                    "capacity": integer(obj.get("DesignCapacity")) or None,
                    "real_capacity": integer(obj.get("FullChargeCapacity")) or None,
                    "voltage": integer(obj.get("DesignVoltage")) or None})
            for obj in _instances(batteries)]


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
    for obj in _instances(monitor_ids):
        year = integer(obj.get("YearOfManufacture"))
        week = integer(obj.get("WeekOfManufacture"))
        result.append(_clean({
            "caption": _wmi_string(obj.get("UserFriendlyName")),
            "name": _wmi_string(obj.get("UserFriendlyName")),
            "manufacturer": _wmi_string(obj.get("ManufacturerName")),
            "serial": _wmi_string(obj.get("SerialNumberID")),
            "description": ("%d/%d" % (week, year) if week and week != 255 else str(year)) if year else None,
        }))
    return [monitor for monitor in result if monitor]


# --- antivirus, accounts ------------------------------------------------------------------------------------------

def antivirus(products, defender_status=None):
    """GLPI Agent's ``antivirus`` from ``root/SecurityCenter2:AntiVirusProduct`` (workstations; ``productState``
    bytes give enabled and up to date), completed, or on servers replaced, by Defender's ``MSFT_MpComputerStatus``."""
    defender = _first_instance(defender_status)
    result, seen = [], set()
    for obj in _instances(products):
        entry = {"company": text(obj.get("companyName")), "name": text(obj.get("displayName")),
                 "guid": text(obj.get("instanceGuid")), "version": text(obj.get("versionNumber")),
                 "enabled": boolean(obj.get("onAccessScanningEnabled")), "uptodate": boolean(obj.get("productUptoDate"))}
        state = integer(obj.get("productState"))
        if state:
            hex_state = "%x" % state
            if len(hex_state) >= 4:
                entry["enabled"] = bool(re.match(r"^1.$", hex_state[-4:-2]))
                entry["uptodate"] = hex_state[-2:] == "00"
        if not entry["version"] and re.search("Windows Defender|Microsoft Defender", entry["name"] or "", re.IGNORECASE):
            entry["company"] = "Microsoft Corporation"
            if defender and entry["enabled"]:
                entry["version"] = text(defender.get("AMProductVersion"))
                entry["base_version"] = text(defender.get("AntivirusSignatureVersion"))
                if boolean(defender.get("AntivirusEnabled")):
                    entry["enabled"] = True
        key = (entry["name"], entry["version"])
        if not entry["name"] or key in seen:
            continue
        seen.add(key)
        result.append({k: v for k, v in entry.items() if v is not None and v != ""})
    if not result and defender and (text(defender.get("AMProductVersion")) or defender.get("AntivirusEnabled") is not None):
        result.append(_clean({
            "name": "Microsoft Defender Antivirus", "company": "Microsoft Corporation",
            "version": text(defender.get("AMProductVersion")), "base_version": text(defender.get("AntivirusSignatureVersion")),
            "enabled": boolean(defender.get("AntivirusEnabled")),
            "uptodate": (not boolean(defender.get("AntivirusSignatureOutOfDate"))
                         if defender.get("AntivirusSignatureOutOfDate") is not None else None),
        }))
    return result


def local_users(accounts):
    """``local_users`` from ``Win32_UserAccount`` (local accounts): the SID as ``id``."""
    return [_clean({"id": text(obj.get("SID")), "login": text(obj.get("Name")),
                    "name": text(obj.get("FullName")) or text(obj.get("Name"))})
            for obj in _instances(accounts)
            if text(obj.get("SID")) and boolean(obj.get("LocalAccount")) is not False]


def local_groups(groups):
    """``local_groups`` from ``Win32_Group`` (local groups) with the members the collector listed."""
    result = []
    for obj in _instances(groups):
        if not text(obj.get("SID")) or not text(obj.get("Name")):
            continue
        group = {"id": text(obj.get("SID")), "name": text(obj.get("Name")).replace("\u2019", "'")}
        members = string_list(obj.get("Members"))
        if members:
            group["members"] = members
        result.append(group)
    return result


def logged_users(owners):
    """``users`` from the owners of the ``explorer.exe`` processes (``[{"User", "Domain"}]``), one per login."""
    result, seen = [], set()
    for obj in _instances(owners):
        login = text(obj.get("User"))
        if not login or login in seen:
            continue
        seen.add(login)
        result.append(_clean({"login": login, "domain": text(obj.get("Domain"))}))
    return result
