# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Linux collector's device sources: PCI and USB devices, displays' EDIDs, power supplies and disks.

Private to the glpiops.glpi collection: no compatibility promise.

Read from sysfs, with the lines of the system's ``pci.ids``, ``usb.ids`` and ``pnp.ids``
lists that name the devices found, and, as root, ``smartctl``, ``hdparm`` and
``multipath``.  Raw material only, as every source of ``_collector_linux``.
"""

from __future__ import annotations

import base64
import os
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._sources import (
    SourceUnavailable,
    find_command,
    link_basename,
    list_dir,
    read_attributes,
    read_text,
    run_command,
)

PCI_DIR = "/sys/bus/pci/devices"
PCI_ATTRIBUTES = ("class", "vendor", "device", "subsystem_vendor", "subsystem_device", "revision")
_USB_DIR = "/sys/bus/usb/devices"
_USB_ATTRIBUTES = ("idVendor", "idProduct", "bDeviceClass", "bDeviceSubClass", "bmAttributes", "manufacturer", "product",
                   "serial", "busnum", "devnum")
_USB_IDS = ("/usr/share/misc/usb.ids", "/usr/share/hwdata/usb.ids", "/var/lib/usbutils/usb.ids")


def sysfs_devices(directory, attributes, with_driver=True, keep=None):
    """``{device: {attribute: value, "driver": name}}`` for every device of a sysfs bus."""
    devices = {}
    for name in list_dir(directory):
        if keep is not None and not keep(name):
            continue
        path = os.path.join(directory, name)
        entry = read_attributes(path, attributes)
        if with_driver:
            driver = link_basename(os.path.join(path, "driver"))
            if driver:
                entry["driver"] = driver
        devices[name] = entry
    return devices


def usb_devices():
    """USB devices from sysfs, each with its first interface's class, and the usb.ids names of their ids."""
    devices = sysfs_devices(_USB_DIR, _USB_ATTRIBUTES, False, lambda name: ":" not in name)
    for name, entry in devices.items():
        interface = read_attributes(os.path.join(_USB_DIR, name, name + ":1.0"), ("bInterfaceClass", "bInterfaceSubClass"))
        entry.update(interface)
    wanted = {(entry.get("idVendor") or "").lower(): set() for entry in devices.values()}
    for entry in devices.values():
        wanted[(entry.get("idVendor") or "").lower()].add((entry.get("idProduct") or "").lower())
    return {"devices": devices, "names": _usb_id_names(wanted)}


def _usb_id_names(wanted):
    """``{"vvvv": name, "vvvv:pppp": name}`` from the system's usb.ids, for the wanted ids only."""
    names = {}
    for path in _USB_IDS:
        try:
            handle = open(path, "rb")  # pylint: disable=consider-using-with
        except OSError:
            continue
        with handle:
            vendor = None
            for raw in handle:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line.startswith("C "):
                    break  # device classes follow the vendors
                if len(line) > 6 and line[4:6] == "  " and not line.startswith(("\t", "#")):
                    vendor = line[:4].lower() if line[:4].lower() in wanted else None
                    if vendor:
                        names[vendor] = line[6:].strip()
                elif vendor and line.startswith("\t") and not line.startswith("\t\t") and line[1:5].lower() in wanted[vendor]:
                    names["%s:%s" % (vendor, line[1:5].lower())] = line[7:].strip()
        return names
    return names


def pci_ids_subset(wanted):
    """The system's pci.ids cut to what names the target's devices: their vendors, their device entries (with
    subsystem lines) and the device classes -- a few kB of a 1.3 MB list.  ``wanted``: ``{vendor: {device, ...}}``."""
    for path in _PCI_IDS:
        try:
            handle = open(path, "rb")  # pylint: disable=consider-using-with
        except OSError:
            continue
        kept, vendor, device_kept, classes = [], None, False, False
        with handle:
            for raw in handle:
                line = raw.decode("utf-8", "replace")
                if classes or line.startswith("C "):
                    classes = True
                    kept.append(line)
                elif line.startswith("\t\t"):
                    if device_kept:
                        kept.append(line)
                elif line.startswith("\t"):
                    device_kept = vendor is not None and line[1:5].lower() in wanted[vendor]
                    if device_kept:
                        kept.append(line)
                elif line[:1] not in ("#", "\n") and len(line) > 4:
                    vendor = line[:4].lower() if line[:4].lower() in wanted else None
                    device_kept = False
                    if vendor:
                        kept.append(line)
        return "".join(kept)
    raise SourceUnavailable("not found: %s" % ", ".join(_PCI_IDS))


def pci_wanted_ids(sources):
    """``{vendor: {device, ...}}`` of the PCI devices and their subsystems, from sysfs and ``lspci -nn``."""
    wanted = {}

    def add(vendor, device):
        wanted.setdefault(vendor.lower(), set()).add(device.lower())

    for attrs in (sources.get("pci_devices") or {}).values():
        pairs = (("vendor", "device"), ("subsystem_vendor", "subsystem_device"))
        for vendor_key, device_key in pairs:
            vendor, device = (attrs.get(vendor_key) or "").lower(), (attrs.get(device_key) or "").lower()
            if vendor.startswith("0x") and device.startswith("0x"):
                add(vendor[2:6], device[2:6])
    for match in re.finditer(r"\[([0-9a-f]{4}):([0-9a-f]{4})\]", sources.get("lspci") or ""):
        add(match.group(1), match.group(2))
    return wanted


_PNP_IDS = ("/usr/share/hwdata/pnp.ids", "/usr/share/misc/pnp.ids")


def pnp_ids_subset(edids):
    """The hwdata pnp.ids lines of the manufacturers the EDIDs name (3 letters packed in bytes 8-9)."""
    wanted = set()
    for encoded in edids.values():
        blob = base64.b64decode(encoded)
        if len(blob) >= 10:
            word = (blob[8] << 8) | blob[9]
            wanted.add("".join(chr(((word >> shift) & 0x1F) + 64) for shift in (10, 5, 0)))
    for path in _PNP_IDS:
        try:
            with open(path, "rb") as handle:
                return "".join(line for line in (raw.decode("utf-8", "replace") for raw in handle) if line[:3] in wanted)
        except OSError:
            continue
    raise SourceUnavailable("not found: %s" % ", ".join(_PNP_IDS))


def display_edids():
    """Raw EDID of every connected display connector, base64 (binary does not travel in JSON)."""
    edids = {}
    for name in list_dir("/sys/class/drm"):
        path = os.path.join("/sys/class/drm", name, "edid")
        try:
            with open(path, "rb") as handle:
                blob = handle.read(32768)
        except OSError:
            continue
        if blob:
            edids[name] = base64.b64encode(blob).decode("ascii")
    return edids


def power_supplies():
    """``uevent`` of every power supply (batteries, AC adapters); kernels before 5.8 leave the type out of it,
    so ``POWER_SUPPLY_TYPE`` is added from the ``type`` file then."""
    supplies = {}
    for name in list_dir("/sys/class/power_supply"):
        base = os.path.join("/sys/class/power_supply", name)
        try:
            uevent = read_text(os.path.join(base, "uevent"), 65536)
        except SourceUnavailable:
            continue
        if "POWER_SUPPLY_TYPE=" not in uevent:
            kind = read_attributes(base, ("type",)).get("type")
            if kind:
                uevent = uevent + ("" if uevent.endswith("\n") or not uevent else "\n") + "POWER_SUPPLY_TYPE=%s\n" % kind
        supplies[name] = uevent
    return supplies


_DISK_NAME = re.compile(r"^([shv]d[a-z]+|fd[0-9])$")
_BLOCK_FILES = ("size", "removable", "serial", "wwid")
_BLOCK_DEVICE_FILES = ("vendor", "model", "rev", "firmware_rev", "serial", "wwid")
_PCI_IDS = ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids")


def _raw_files(directory, names):
    """``{name: text}`` of the files that exist; binary content kept byte for byte (latin-1)."""
    found = {}
    for name in names:
        try:
            with open(os.path.join(directory, name), "rb") as handle:
                found[name] = handle.read(65536).decode("latin-1")
        except OSError:
            continue
    return found


def _pci_vendor_names(vendor_ids):
    """The pci.ids names of the given vendor ids (``1af4``), read from the system's list when it has one."""
    wanted = set(vendor_ids)
    names = {}
    for path in _PCI_IDS:
        try:
            with open(path, "rb") as handle:
                for raw in handle:
                    line = raw.decode("utf-8", "replace")
                    if line[:4].lower() in wanted and line[4:6] == "  ":
                        names[line[:4].lower()] = line[6:].strip()
        except OSError:
            continue
        return names
    return names


def storages(timeout):
    """What GLPI Agent's Linux storage module reads (see plugin_utils/parsers/storages.py for the shape)."""
    raw = {"block": {}, "scsi_generic": {}}
    for name in list_dir("/sys/block"):
        base = os.path.join("/sys/block", name)
        device_dir = os.path.join(base, "device")
        if not (os.path.isdir(device_dir) or _DISK_NAME.match(name)):
            continue
        entry = _raw_files(base, _BLOCK_FILES)
        if os.path.isdir(device_dir):
            device = _raw_files(device_dir, _BLOCK_DEVICE_FILES + ("vpd_pg80",))
            for key, link in (("subsystem", "subsystem"), ("device", "device/subsystem")):
                target = os.path.join(device_dir, link)
                if os.path.exists(target):
                    if key == "device":
                        device["device"] = {"subsystem": os.path.realpath(target)}
                    else:
                        device["subsystem"] = os.path.realpath(target)
            entry["device"] = device
        raw["block"][name] = entry
    try:
        generics = list_dir("/sys/class/scsi_generic")
    except SourceUnavailable:
        generics = []
    for name in generics:
        device_dir = os.path.join("/sys/class/scsi_generic", name, "device")
        device = _raw_files(device_dir, ("type",) + _BLOCK_DEVICE_FILES)
        if os.path.exists(os.path.join(device_dir, "block")):
            device["block"] = "1"
        raw["scsi_generic"][name] = {"device": device}
    vendors = set()
    for entry in raw["block"].values():
        vendor = (entry.get("device") or {}).get("vendor") or ""
        if vendor.strip().lower().startswith("0x"):
            vendors.add(vendor.strip().lower()[2:6])
    if vendors:
        raw["pci_vendors"] = _pci_vendor_names(vendors)
    disks = sorted(raw["block"])
    if find_command("udisksctl"):
        raw["udisksctl"] = _per_disk(["udisksctl", "info", "-b"], disks, timeout)
    if os.geteuid() == 0:
        # These read the disks themselves: root only, and each may be missing.
        if find_command("smartctl"):
            # smartctl's exit code is a bit mask; its text is still worth reading with bits 1-2 set.
            raw["smartctl"] = _per_disk(["smartctl", "-i"], disks, timeout, ok_rcs=tuple(range(256)))
        if find_command("hdparm"):
            raw["hdparm_version"] = _optional_command(["hdparm", "-V"], timeout)
            raw["hdparm"] = _per_disk(["hdparm", "-I"], disks, timeout)
        if find_command("multipath"):
            raw["multipath"] = _optional_command(["multipath", "-l"], timeout)
    return raw


def _optional_command(argv, timeout, ok_rcs=(0,)):
    try:
        return run_command(argv, timeout, ok_rcs=ok_rcs)
    except SourceUnavailable:
        return None


def _per_disk(argv, disks, timeout, ok_rcs=(0,)):
    outputs = {}
    for disk in disks:
        text = _optional_command(list(argv) + ["/dev/" + disk], timeout, ok_rcs)
        if text is not None:
            outputs[disk] = text
    return outputs
