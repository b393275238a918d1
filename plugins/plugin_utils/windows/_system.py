# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of the machine itself: ``bios``, ``hardware``, ``operatingsystem``, ``cpus`` and ``memories``.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import canonical_manufacturer
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._licenses import windows_product_key
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    boolean,
    clean,
    enum_name,
    first_instance,
    first_true,
    instances,
    integer,
    registry_tree,
    string_list,
    text,
    value_of,
    wmi_datetime,
)


# --- bios ----------------------------------------------------------------------------------------------------------

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
    for obj in instances(wmi.get("Win32_Bios") or wmi.get("Win32_BIOS")):
        serial = text(obj.get("SerialNumber"))
        section.update(biosserial=serial, ssn=serial, bmanufacturer=text(obj.get("Manufacturer")),
                       bversion=text(obj.get("SMBIOSBIOSVersion")) or (string_list(obj.get("BIOSVersion")) or [None])[0]
                       or text(obj.get("Version")),
                       bdate=_bios_date(obj.get("ReleaseDate")))
    for obj in instances(wmi.get("Win32_ComputerSystem")):
        section.update(smanufacturer=text(obj.get("Manufacturer")), smodel=text(obj.get("Model")))
    for obj in instances(wmi.get("Win32_SystemEnclosure")):
        serial = text(obj.get("SerialNumber"))
        if serial:
            section["enclosureserial"] = serial
            section["ssn"] = section.get("ssn") or serial
        if text(obj.get("SMBIOSAssetTag")):
            section["assettag"] = text(obj.get("SMBIOSAssetTag"))
    for obj in instances(wmi.get("Win32_BaseBoard")):
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


# --- hardware, operating system (no corpus sample: GLPI Agent's Win32 modules as reference) ------------------------

def hardware(wmi, current_version=None, lanman=None):
    """GLPI Agent's ``hardware`` fields from ``Win32_OperatingSystem``, ``Win32_ComputerSystem``,
    ``Win32_ComputerSystemProduct`` and the registry (product key, server comment); sizes in MB."""
    wmi = wmi if isinstance(wmi, dict) else {}
    system = first_instance(wmi.get("Win32_OperatingSystem"))
    computer = first_instance(wmi.get("Win32_ComputerSystem"))
    product = first_instance(wmi.get("Win32_ComputerSystemProduct"))
    uuid = text(product.get("UUID"))
    swap = integer(system.get("TotalSwapSpaceSize"))
    memory = integer(computer.get("TotalPhysicalMemory"))
    page_files = [integer(obj.get("AllocatedBaseSize")) for obj in instances(wmi.get("Win32_PageFileUsage"))]
    return clean({
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
    system = first_instance(wmi.get("Win32_OperatingSystem"))
    computer = first_instance(wmi.get("Win32_ComputerSystem"))
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
    return clean(section)


# --- cpus ----------------------------------------------------------------------------------------------------------

def cpus(processors, central_processor=None, dmidecode_cpus=None):
    """GLPI Agent's ``cpus`` from ``Win32_Processor``, the ``CentralProcessor`` registry dump and, when the
    target had one, dmidecode's CPUs (``_dmidecode_devices.cpus_from_dmidecode`` entries, upper- or lower-case keys)."""
    tree = registry_tree(central_processor)
    dmi = [{str(key).lower(): value for key, value in entry.items()} for entry in instances(dmidecode_cpus)]
    result = []
    logical_id = 0
    for index, obj in enumerate(instances(processors)):
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
        serial = first_true(from_dmi.get("serial"), text(obj.get("SerialNumber")))
        cpu = {
            "core": first_true(from_dmi.get("core"), cores),
            "thread": first_true(from_dmi.get("thread"), threads),
            "description": first_true(from_dmi.get("description"), text(value_of(registry, "Identifier")), text(obj.get("Description"))),
            "name": name,
            "manufacturer": first_true(from_dmi.get("manufacturer"), canonical_manufacturer(vendor)),
            "serial": re.sub(r"\s", "", serial) if isinstance(serial, str) else serial,
            "speed": first_true(from_dmi.get("speed"), integer(obj.get("MaxClockSpeed"))),
            "familynumber": first_true(from_dmi.get("familynumber"), words[2] if len(words) > 2 else None),
            "model": first_true(from_dmi.get("model"), words[4] if len(words) > 4 else None),
            "stepping": first_true(from_dmi.get("stepping"), words[6] if len(words) > 6 else None),
            "id": first_true(from_dmi.get("id"), text(obj.get("ProcessorId"))),
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
        result.append(clean(cpu))
        logical_id += logical if logical is not None else 1
    return result


# --- memories ------------------------------------------------------------------------------------------------------

_FORM_FACTORS = ("Unknown", "Other", "SIP", "DIP", "ZIP", "SOJ", "Proprietary", "SIMM", "DIMM", "TSOP", "PGA", "RIMM",
                 "SODIMM", "SRIMM", "SMD", "SSMP", "QFP", "TQFP", "SOIC", "LCC", "PLCC", "BGA", "FPBGA", "LGA")
_MEMORY_TYPES = ("Unknown", "Other", "DRAM", "Synchronous DRAM", "Cache DRAM", "EDO", "EDRAM", "VRAM", "SRAM", "RAM",
                 "ROM", "Flash", "EEPROM", "FEPROM", "EPROM", "CDRAM", "3DRAM", "SDRAM", "SGRAM", "RDRAM", "DDR", "DDR-2")
# CIM_PhysicalMemory.SMBIOSMemoryType, read when MemoryType says nothing (DDR3 and later).
_SMBIOS_MEMORY_TYPES = {20: "DDR", 21: "DDR2", 22: "DDR2 FB-DIMM", 24: "DDR3", 26: "DDR4", 27: "LPDDR", 28: "LPDDR2",
                        29: "LPDDR3", 30: "LPDDR4", 34: "DDR5", 35: "LPDDR5"}
_ERROR_CORRECTIONS = (None, "Other", None, "None", "Parity", "Single-bit ECC", "Multi-bit ECC", "CRC")


def memories(physical_memory, memory_arrays=None):
    """GLPI Agent's ``memories`` from ``Win32_PhysicalMemory`` and ``Win32_PhysicalMemoryArray``
    (``numslots`` 0-based, ``capacity`` in MB; ROM and Flash left out)."""
    result = []
    for obj in instances(physical_memory):
        memory_type = enum_name(_MEMORY_TYPES, obj.get("MemoryType"))
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
            "formfactor": enum_name(_FORM_FACTORS, obj.get("FormFactor")),
            "removable": bool(boolean(obj.get("Removable"))),
            "speed": str(speed) if speed else None,
            "type": memory_type,
            "numslots": len(result),
            "serialnumber": text(obj.get("SerialNumber")),
        })
    for obj in instances(memory_arrays):
        devices = integer(obj.get("MemoryDevices"))
        index = devices - 1 if devices is not None else 0
        if not result or not -len(result) <= index < len(result):
            continue
        memory = result[index]
        if not memory.get("serialnumber"):
            memory["serialnumber"] = text(obj.get("SerialNumber"))
        correction = integer(obj.get("MemoryErrorCorrection"))
        if correction:
            memory["memorycorrection"] = enum_name(_ERROR_CORRECTIONS, correction)
            if memory["memorycorrection"] and correction > 3:
                memory["description"] = "%s (%s)" % (memory.get("description") or "", memory["memorycorrection"])
    return [clean(memory) for memory in result]
