# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of storage: ``drives`` (logical disks, volumes, BitLocker) and ``storages`` (physical disks).

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    clean,
    enum_name,
    instances,
    integer,
    text,
)


# --- drives --------------------------------------------------------------------------------------------------------

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
    for obj in instances(operating_system):
        if text(obj.get("SystemDrive")):
            system_drive = text(obj.get("SystemDrive")).lower()
    result, seen = [], {}
    for obj in instances(logical_disks):
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
            "type": enum_name(_DRIVE_TYPES, obj.get("DriveType")),
            "volumn": text(obj.get("VolumeName")),
        }
        seen[letter] = drive
        result.append(drive)
    had_logical = bool(result)
    for obj in instances(volumes):
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
            "type": enum_name(_DRIVE_TYPES, obj.get("DriveType")),
            "volumn": text(obj.get("Label")),
        }
        seen[text(obj.get("DeviceID")) or letter or text(obj.get("Caption"))] = drive
        result.append(drive)
    for obj in instances(encryptable_volumes):
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
    return [clean(drive) for drive in result]


# --- storages ------------------------------------------------------------------------------------------------------

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
    for obj in instances(disks):
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
        result.append(clean(drive))
    return result
