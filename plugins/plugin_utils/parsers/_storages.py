# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's ``storages`` section of a Linux host: disks from sysfs, completed by smartctl and hdparm.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O, none raises.  They give what GLPI Agent's Linux storage
inventory gives for the same material:

* ``storages_from_sources(raw)``: the section, from what the collector read (sysfs, and per disk what
  ``smartctl -i /dev/X`` and ``hdparm -I /dev/X`` say of it).

The agent's rules, in short: the disks are the ``/sys/block`` entries named
``sd*``/``hd*``/``vd*``/``fd<n>`` plus every entry with a ``device`` folder, plus
SCSI generic devices of type 0 that have no block device.  Vendor, model,
firmware (``rev`` or ``firmware_rev``), serial (``serial`` or the VPD page 0x80)
and ``removable`` come from sysfs; ``disksize`` is ``size`` (512-byte sectors) in
MB of 10^6 bytes.  smartctl then hdparm fill what is missing (and smartctl's
model replaces sysfs' truncated one).  ``description`` is the kind of
interface (``SATA``, ``SCSI``, ``Virtual``, ``PCI``, ``USB``, ``IDE``), a vendor
``ATA`` or a PCI vendor id is replaced by a maker's name, NVMe disks get
``interface: NVME``, and a disk without serial gets its partition table's
identifier or its LVM PV UUID.  Entries are sorted by name.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    canonical_manufacturer,
    canonical_size,
    integer_field,
    perl_number,
    perl_true,
    sanitize,
    text_lines,
    trim_whitespace,
)

_A = re.ASCII

# --- smartctl -i -----------------------------------------------------------------------------------------------

_SMARTCTL_LINE_RE = re.compile(r"^([^:]+?)\s*:\s*(.+)\s*$", _A)
_SMARTCTL_FIRST_WORD_RE = re.compile(r"^(\w+)", _A)
# Per smartctl label, the part of the value that is kept (default: its first word).
_SMARTCTL_VALUE_RES = {
    "user capacity": re.compile(r"([\d.,\s]+(?:\w+)?)", _A),
    "device model": re.compile(r"([\w\s\-]+)", _A),
    "firmware version": re.compile(r"(\S+)", _A),
    "lu wwn device id": re.compile(r"((?:0x)?[0-9A-Fa-f \t]+)", _A),
}


def _smartctl_size(data):
    return integer_field(canonical_size(data))


def _no_whitespace(data):
    return re.sub(r"\s+", "", data, flags=_A) if data is not None else None


# GLPI field: (smartctl labels, lower-case, first present wins; conversion).
_SMARTCTL_FIELDS = (
    ("description", ("transport protocol",), None),
    ("disksize", ("user capacity",), _smartctl_size),
    ("firmware", ("revision", "firmware version"), None),
    ("interface", ("transport protocol", "sata version is"), None),
    ("manufacturer", ("vendor", "model family", "add. product id", "device model", "product"), canonical_manufacturer),
    ("model", ("product", "device model", "model family"), None),
    ("serial", ("serial number",), None),
    ("type", ("device type",), None),
    ("wwn", ("lu wwn device id",), _no_whitespace),
)


def _smartctl_info(text):
    """The agent's reading of ``smartctl -i``: ``None`` without output, else fields (``None`` = not given)."""
    lines = text_lines(text)
    if not lines:
        return None
    labels = {}
    for line in lines:
        match = _SMARTCTL_LINE_RE.match(line)
        if match:
            labels[match.group(1).lower()] = match.group(2)
    # smartctl answered something: the agent assumes a SATA disk unless told otherwise.
    info = {"type": "disk", "description": "SATA"}
    for field, sources, convert in _SMARTCTL_FIELDS:
        for label in sources:
            if label not in labels:
                continue
            match = _SMARTCTL_VALUE_RES.get(label, _SMARTCTL_FIRST_WORD_RE).search(labels[label])
            data = match.group(1) if match else None
            info[field] = convert(data) if convert else data
            break
    return info


# --- hdparm -I -------------------------------------------------------------------------------------------------

_HDPARM_RES = (
    (("description", "interface"), re.compile(r"Transport:.+(SATA|SAS|SCSI|USB)", _A)),
    (("disksize",), re.compile(r"1000:\s+(\d*)\sMBytes", _A)),
    (("firmware",), re.compile(r"Firmware Revision:\s+([\w.]+)", _A)),
    (("model",), re.compile(r"Model Number:\s+(\w.+\w)", _A)),
    (("serial",), re.compile(r"Serial Number:\s+([\w-]*)", _A)),
    (("wwn",), re.compile(r"WWN Device Identifier:\s+(\w+)", _A)),
)


def _hdparm_info(text):
    """The agent's reading of ``hdparm -I``: ``None`` when nothing is known, ``{}`` for a corrupt identify block."""
    info = None
    for line in text_lines(text):
        if "Integrity word not set" in line:
            return {}
        for fields, pattern in _HDPARM_RES:
            match = pattern.search(line)
            if match:
                info = info if info is not None else {}
                for field in fields:
                    info[field] = integer_field(match.group(1)) if field == "disksize" else match.group(1)
    return info


def _hdparm_usable(version_text):
    """GLPI Agent uses hdparm 9.15 or later only (older ones upset some CD drives)."""
    for line in text_lines(version_text):
        match = re.match(r"^hdparm v(\d+)\.(\d+)", line, _A)
        if match:
            major, minor = int(match.group(1)), int(match.group(2))
            return major > 9 or (major == 9 and minor >= 15)
    return False


# --- sysfs --------------------------------------------------------------------------------------------------------

_DISK_NAME_RE = re.compile(r"^(?:[shv]d[a-z]+|fd\d)$", _A)
# Printable characters ending with a letter or digit; a match always starts a printable run (look-behind).
_SYSFS_VALUE_RE = re.compile(r"(?<![\x20-\x7e])[\x20-\x7e]*[A-Za-z0-9]+")
_SYSFS_PAGE = 4096


def _dict(value):
    return value if isinstance(value, dict) else {}


def _text(value):
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def _first_line(value):
    lines = text_lines(_text(value) or "")
    return lines[0] if lines else None


def _sysfs_value(raw, name, key):
    """A sysfs attribute of a disk the agent's way: first file found, first line, printable part, trimmed."""
    block = _dict(_dict(raw.get("block")).get(name))
    folders = (block, _dict(block.get("device")), _dict(_dict(_dict(raw.get("scsi_generic")).get(name)).get("device")))
    for folder in folders:
        if folder.get(key) is None:
            continue
        line = _first_line(folder[key])
        if line is None:
            return None
        # A sysfs attribute holds at most a page; the bound also keeps the search linear on garbage.
        line = line[:_SYSFS_PAGE]
        match = _SYSFS_VALUE_RE.search(line)
        return trim_whitespace(match.group(0) if match else line)
    return None


def _subsystem_bus(link):
    """``scsi`` for a subsystem link leading to ``/sys/bus/scsi`` (absolute path or readlink text)."""
    if isinstance(link, (list, tuple)) and len(link) == 2:
        link = link[1]
    if not isinstance(link, str):
        return None
    match = re.search(r"(?:^|/)bus/(\w+)/?$", link.strip(), _A)
    return match.group(1) if match else None


def _multipath_extra_paths(text):
    """Second and later paths of each ``multipath -l`` map: the agent reports one disk per map."""
    groups, group = [], []
    for line in text_lines(text):
        if re.match(r"^\w+ \(\w+\) dm-\d+ \w+", line, _A):
            if group:
                groups.append(group)
            group = []
            continue
        match = re.search(r" (sd[a-z]+) ", line, _A)
        if match:
            group.append(match.group(1))
    if group:
        groups.append(group)
    return {name for members in groups for name in members[1:]}


def _disk_names(raw):
    block = _dict(raw.get("block"))
    names = [name for name in sorted(block) if _DISK_NAME_RE.match(name)]
    names += [name for name in sorted(block) if isinstance(_dict(block[name]).get("device"), dict)]
    for name, entry in sorted(_dict(raw.get("scsi_generic")).items()):
        device = _dict(_dict(entry).get("device"))
        if "block" in device:
            continue  # already seen as a block device
        kind = _first_line(device.get("type"))
        if kind is not None and perl_number(kind) == 0:
            names.append(name)
    seen = set()
    names = [name for name in names if not (name in seen or seen.add(name))]
    if isinstance(raw.get("multipath"), str):
        extra = _multipath_extra_paths(raw["multipath"])
        names = [name for name in names if name not in extra]
    return names


def _first_match(text, pattern):
    for line in text_lines(_text(text) or ""):
        match = re.search(pattern, line)
        if match:
            return match.group(1)
    return None


def _disks_from_sysfs(raw):
    udisks = raw.get("udisksctl")
    disks = []
    for name in _disk_names(raw):
        firmware = _sysfs_value(raw, name, "rev")
        serial = _sysfs_value(raw, name, "serial")
        disk = {
            "name": name,
            "manufacturer": _sysfs_value(raw, name, "vendor"),
            "model": _sysfs_value(raw, name, "model"),
            "firmware": firmware if perl_true(firmware) else _sysfs_value(raw, name, "firmware_rev"),
            "serial": serial if perl_true(serial) else _sysfs_value(raw, name, "vpd_pg80"),
            "type": "removable" if perl_true(_sysfs_value(raw, name, "removable")) else "disk",
        }
        # Disks behind libata say "ATA" as vendor: the maker is read from the model.
        if disk["manufacturer"] == "ATA" and perl_true(disk["model"]):
            maker = canonical_manufacturer(disk["model"])
            if maker != disk["model"]:
                disk["manufacturer"] = maker
            if name.startswith("sd"):
                disk["description"] = "SATA"
        wwid = _sysfs_value(raw, name, "wwid")
        if perl_true(wwid) and wwid.startswith("naa."):
            disk["wwn"] = "wwn-" + wwid[4:]
        device = _dict(_dict(_dict(raw.get("block")).get(name)).get("device"))
        for link in (device.get("subsystem"), _dict(device.get("device")).get("subsystem")):
            bus = _subsystem_bus(link)
            if bus is None:
                continue
            if not (disk.get("description") == "SATA" and bus == "scsi"):
                disk["description"] = bus.upper()
            break
        sectors = _sysfs_value(raw, name, "size")
        if perl_true(sectors):
            disk["disksize"] = int(float(perl_number(sectors)) * 512 / 1000000)
        if isinstance(udisks, dict) and disk["type"] == "disk":
            if _first_match(udisks.get(name), re.compile(r"^\s+HintAuto:\s+(true|false)$", _A)) == "true":
                disk["type"] = "removable"
        disks.append(disk)
    return disks


# --- legacy sources: HAL, the udev database of /dev/.udev --------------------------------------------------------

_HAL_RES = (
    ("serial", re.compile(r"^\s+storage.serial\s=\s'([^']+)'", _A)),
    ("firmware", re.compile(r"^\s+storage.firmware_version\s=\s'([^']+)'", _A)),
    ("name", re.compile(r"^\s+block.device\s=\s'([^']+)'", _A)),
    ("manufacturer", re.compile(r"^\s+info.vendor\s=\s'([^']+)'", _A)),
    ("model", re.compile(r"^\s+storage.model\s=\s'([^']+)'", _A)),
    ("type", re.compile(r"^\s+storage.drive_type\s=\s'([^']+)'", _A)),
    ("disksize", re.compile(r"^\s+storage.size\s=\s(\S+)", _A)),
)


def _disks_from_hal(text):
    """``lshal``: used by the agent only when ``/sys/block`` gave nothing."""
    disks, disk = [], None
    for line in text_lines(text):
        if re.match(r"^udi = '/org/freedesktop/Hal/devices/(storage|legacy_floppy|block)", line):
            disk = {}
            continue
        if disk is None:
            continue
        if line == "":
            disks.append(disk)
            disk = None
            continue
        for field, pattern in _HAL_RES:
            match = pattern.match(line)
            if not match:
                continue
            value = match.group(1)
            if field == "name":
                device = re.search(r"/dev/(\S+)", value)
                disk["name"] = device.group(1) if device else None
            elif field == "disksize":
                disk["disksize"] = int(float(perl_number(value)) / (1024 * 1024) + 0.5)
            else:
                disk[field] = value
            break
    return disks


_UDEV_RES = (
    ("manufacturer", re.compile(r"^E:ID_VENDOR=(.*)")),
    ("model", re.compile(r"^E:ID_MODEL=(.*)")),
    ("firmware", re.compile(r"^E:ID_REVISION=(.*)")),
    ("_serial", re.compile(r"^E:ID_SERIAL=(.*)")),
    ("serial", re.compile(r"^E:ID_SERIAL_SHORT=(.*)")),
    ("type", re.compile(r"^E:ID_TYPE=(.*)")),
    ("description", re.compile(r"^E:ID_BUS=(.*)")),
)


def _disks_from_udev_db(files):
    """The legacy udev database (``/dev/.udev/db/*``), the only one GLPI Agent reads."""
    disks = []
    for _file_name, text in sorted(files.items()):
        lines = text_lines(_text(text) or "")
        node = next((m.group(1) for m in (re.match(r"^N:(\S+)", line) for line in lines) if m), None)
        if not node or not re.search(r"([hsv]d[a-z]+|sr\d+)$", node, _A):
            continue
        disk = {}
        for line in lines:
            scsi = re.match(r"^S:.*-scsi-(\d+):(\d+):(\d+):(\d+)", line, _A)
            if scsi:
                disk.update(scsi_coid=scsi.group(1), scsi_chid=scsi.group(2), scsi_unid=scsi.group(3), scsi_lun=scsi.group(4))
                continue
            for field, pattern in _UDEV_RES:
                match = pattern.match(line)
                if match:
                    disk[field] = match.group(1)
                    break
        long_serial = disk.pop("_serial", None)
        if not perl_true(disk.get("serial")):
            disk["serial"] = long_serial
        disk["name"] = node
        disks.append(disk)
    return disks


# --- the section -------------------------------------------------------------------------------------------------

_MERGED_FIELDS = ("description", "disksize", "firmware", "interface", "manufacturer", "model", "wwn")


def _fix_description(disk):
    name, description = disk.get("name") or "", disk.get("description")
    if perl_true(description) and re.search("usb", description, re.IGNORECASE):
        return "USB"
    if name.startswith("sd"):
        if any(perl_true(disk.get(field)) and "ATA" in disk[field] for field in ("manufacturer", "serial", "description")):
            return "SATA"
        return "SCSI"
    if name.startswith("sg"):
        return "SCSI"
    if name.startswith("vd") or (perl_true(description) and "VIRTIO" in description):
        return "Virtual"
    return description if perl_true(description) else "IDE"


def _complete(disk, raw, hdparm_ok):
    """Fill the fields sysfs left undefined from smartctl, then hdparm (smartctl's model always wins)."""
    name = disk.get("name") or ""
    smartctl = _smartctl_info(_dict(raw.get("smartctl")).get(name))
    hdparm = _hdparm_info(_dict(raw.get("hdparm")).get(name)) if hdparm_ok else None
    for field in _MERGED_FIELDS:
        sources = (smartctl, hdparm)
        if field == "manufacturer":
            if disk.get(field) is not None and disk[field] != "ATA":
                continue
            sources = (smartctl,)
        elif field != "model" and disk.get(field) is not None:
            continue
        for info in sources:
            if info is not None and info.get(field) is not None:
                disk[field] = info[field]
                break


def _finish(disk, raw):
    name = disk.get("name") or ""
    disk["description"] = _fix_description(disk)
    manufacturer = disk.get("manufacturer")
    if not perl_true(manufacturer) or manufacturer == "ATA":
        maker = canonical_manufacturer(disk.get("model"))
        if perl_true(maker) and maker != disk.get("model"):
            disk["manufacturer"] = maker
    else:
        pci_id = re.match(r"^0x(\w+)$", manufacturer, _A)
        vendor = _dict(raw.get("pci_vendors")).get(pci_id.group(1).lower()) if pci_id else None
        if pci_id and isinstance(vendor, str) and vendor:
            disk["manufacturer"] = vendor
    if not perl_true(disk.get("disksize")) and not str(disk.get("type") or "").startswith("cd"):
        # The agent would ask ``fdisk -s``, which knows no more than /sys/block/<disk>/size.
        disk["disksize"] = None
    if name.startswith("nvme"):
        disk["interface"] = "NVME"
    # Without a serial, the partition table's identifier or the LVM PV UUID identifies the disk
    # (not for an empty removable drive).
    if not perl_true(disk.get("serial")) and not (disk.get("type") == "removable" and not perl_true(disk.get("disksize"))):
        identifier = _first_match(_dict(raw.get("fdisk")).get(name), re.compile(r"^Disk identifier:\s*(?:0x)?(\S+)$", re.I | _A))
        identifier = identifier or _first_match(_dict(raw.get("lvm")).get(name), re.compile(r"^\s*(\S+)", _A))
        if identifier:
            disk["serial"] = identifier


_STRING_FIELDS = ("description", "firmware", "interface", "manufacturer", "model", "name", "serial", "type", "wwn",
                  "scsi_coid", "scsi_chid", "scsi_unid", "scsi_lun")


def _clean(disk):
    entry = {}
    for field in _STRING_FIELDS:
        value = disk.get(field)
        if value is None:
            continue
        value = sanitize(value if isinstance(value, str) else str(value))
        if value != "":
            entry[field] = value
    size = integer_field(disk.get("disksize"))
    if size is not None:
        entry["disksize"] = size
    return entry


def _storages(raw):
    disks = _disks_from_sysfs(raw)
    if not disks and isinstance(raw.get("lshal"), str):
        disks = _disks_from_hal(raw["lshal"])
    if isinstance(raw.get("udev_db"), dict):
        udev = {disk["name"]: disk for disk in _disks_from_udev_db(raw["udev_db"])}
        for disk in disks:
            for field, value in udev.get(disk.get("name"), {}).items():
                if not perl_true(disk.get(field)):
                    disk[field] = value
    hdparm_ok = _hdparm_usable(_text(raw.get("hdparm_version")) or "") if "hdparm_version" in raw else True
    for disk in disks:
        _complete(disk, raw, hdparm_ok)
    for disk in disks:
        _finish(disk, raw)
    entries = [_clean(disk) for disk in sorted(disks, key=lambda d: d.get("name") or "")]
    return [entry for entry in entries if entry]


def storages_from_sources(raw):
    """GLPI's ``storages`` entries from what the collector read on a Linux target.

    ``raw`` is a plain dict; every key is optional, texts may be ``str`` or
    ``bytes``, a file that could not be read is ``None`` or absent::

        {
          "block": {                        # /sys/block/<name>, one entry per directory
            "sda": {
              "size": "976773168\\n",         # files of /sys/block/sda: size, removable, and
              "removable": "0\\n",            # serial, wwid when there (virtio, NVMe)
              "device": {                   # /sys/block/sda/device (present = the folder exists)
                "vendor": "ATA     \\n", "model": "...", "rev": "...", "firmware_rev": "...",
                "serial": "...", "wwid": "...", "vpd_pg80": b"\\x00\\x80...",   # whichever exist
                "subsystem": "/sys/bus/scsi",   # os.path.realpath() of the symlink
                "device": {"subsystem": "/sys/bus/pci"},   # .../device/device/subsystem (NVMe)
              },
            },
          },
          "scsi_generic": {"sg3": {"device": {"type": "0\\n", "vendor": "..."}}},  # /sys/class/scsi_generic/<sg>,
                                            # "block" in "device" when device/block exists
          "udisksctl": {"sda": "<udisksctl info -b /dev/sda>"},   # present = udisksctl available
          "smartctl": {"sda": "<smartctl -i /dev/sda>"},
          "hdparm_version": "<hdparm -V>",  # hdparm -I outputs are ignored unless it is 9.15 or later
          "hdparm": {"sda": "<hdparm -I /dev/sda>"},
          "fdisk": {"sda": "<fdisk -l /dev/sda>"},
          "lvm": {"sda": "<lvm pvdisplay -C -o pv_uuid --noheadings /dev/sda>"},
          "multipath": "<multipath -l>",
          "pci_vendors": {"1af4": "Red Hat, Inc."},   # pci.ids names of the 0x.... vendor ids in sysfs
          "udev_db": {"<file>": "<text>"},  # legacy /dev/.udev/db/* (the agent ignores /run/udev)
          "lshal": "<lshal>",               # used only when /sys/block gave no disk
        }

    Returns the entries sorted by name, with ``disksize`` in MB (10^6 bytes).
    One deliberate difference: a ``/sys/block`` name merely ending like a disk
    name (``xvda``) does not add a phantom ``vda`` as the agent's unanchored
    match does.
    """
    try:
        return _storages(raw if isinstance(raw, dict) else {})
    except Exception:  # pylint: disable=broad-except
        # Odd input costs the section, never the caller.
        return []
