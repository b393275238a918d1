# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What kind of machine a host is (``hardware.vmsystem``), decided as GLPI Agent decides it.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions over the collector's ``sources`` and the ``bios`` section already
built.  The checks run in GLPI Agent's order: containers first (a container on a
virtual machine is reported as the container), then the BIOS strings, then
kernel traces of a hypervisor.  GLPI matches machines on ``hardware.uuid`` and
``bios.ssn``, so the identity fixes the agent applies per kind (a container has
no serial of its own; an lxc guest gets a UUID derived from its machine-id) are
applied too, with the same values, so that both inventories land on one asset.
"""

from __future__ import annotations

import hashlib
import re

PHYSICAL = "Physical"

_DMESG_PATTERNS = (
    ("VMware", (r"Hypervisor detected: VMware", r"VMware vmxnet3? virtual NIC driver", r"Vendor: VMware\s+Model: Virtual disk",
                r"Vendor: VMware,\s+Model: VMware Virtual ", r": VMware Virtual IDE CDROM Drive")),
    ("QEMU", (r" QEMUAPIC ", r"QEMU Virtual CPU", r": QEMU HARDDISK,", r": QEMU CD-ROM,", r": QEMU Standard PC",
              r"Hypervisor detected: KVM", r"Booting paravirtualized kernel on KVM")),
    ("Virtual Machine", (r": Virtual HD,", r": Virtual CD,")),
    ("VirtualBox", (r" VBOXBIOS ", r": VBOX HARDDISK,", r": VBOX CD-ROM,")),
    ("Xen", (r"Hypervisor signature: xen", r"Xen virtual console successfully installed", r"Xen reported:",
             r"Xen: \d+ - \d+", r"xen-vbd: registered block device", r"ACPI: [A-Z]{4} \(v\d+\s+Xen ")),
)
_DMESG_RES = tuple((kind, re.compile("(?:%s)" % "|".join(patterns))) for kind, patterns in _DMESG_PATTERNS)
_MODULE_RES = (("VMware", re.compile(r"^vmxnet\s")), ("Xen", re.compile(r"^xen_\w+front\s")))


def _text(value):
    return value if isinstance(value, str) else ""


def _first_line(value):
    lines = _text(value).splitlines()
    return lines[0].strip() if lines else ""


def _match_lines(text):
    for line in _text(text).splitlines():
        for kind, regex in _DMESG_RES:
            if regex.search(line):
                return kind
    return None


def _envid(self_status):
    for line in _text(self_status).splitlines():
        key, _sep, value = line.partition(":")
        if key == "envID":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def _from_bios(bios):
    smanufacturer = bios.get("smanufacturer") or ""
    smodel = bios.get("smodel") or ""
    bmanufacturer = bios.get("bmanufacturer") or ""
    if smanufacturer:
        if "QEMU" in smanufacturer:
            return "QEMU"
        if "Microsoft" in smanufacturer and "Virtual" in smodel:
            return "Hyper-V"
        if "VMware" in smanufacturer:
            return "VMware"
        if smanufacturer.startswith("Xen"):
            return "Xen"
    if bmanufacturer:
        if re.search(r"QEMU|Bochs", bmanufacturer):
            return "QEMU"
        if re.search(r"VirtualBox|innotek", bmanufacturer):
            return "VirtualBox"
        if bmanufacturer.startswith("Xen"):
            return "Xen"
    if smodel:
        if "VMware" in smodel:
            return "VMware"
        if "Virtual Machine" in smodel:
            return "Virtual Machine"
        if "KVM" in smodel:
            return "QEMU"
    if "VirtualBox" in (bios.get("bversion") or "") or "VirtualBox" in (bios.get("mmodel") or ""):
        return "VirtualBox"
    return None


def detect_vmsystem(sources, bios):
    """``Physical`` or the name of the container/hypervisor kind GLPI Agent would report."""
    facts = sources.get("virtualization") or {}
    container = (facts.get("init_environment") or {}).get("container")
    if container:
        return container
    envid = _envid(facts.get("self_status"))
    if envid is not None and envid > 0:
        return "Virtuozzo"
    if facts.get("wsl_interop") or re.search(r"^rootfs\s+/\s+wslfs", _text(sources.get("mounts")), re.MULTILINE):
        return "WSL"
    kind = _from_bios(bios or {})
    if kind:
        return kind
    if facts.get("docker_marker"):
        return "Docker"
    if facts.get("proc_xen") or "xen" in _text(facts.get("clocksource")):
        return PHYSICAL if "control_d" in _text(facts.get("xen_capabilities")) else "Xen"
    for line in _text(sources.get("proc_modules")).splitlines():
        for kind, regex in _MODULE_RES:
            if regex.search(line):
                return kind
    return _match_lines(sources.get("dmesg")) or _match_lines(sources.get("scsi")) or PHYSICAL


def virtual_uuid(machine_id, hostname):
    """GLPI Agent's UUID for a guest without one of its own: SHA-1 of machine-id and host name."""
    if not machine_id or not hostname:
        return ""
    return hashlib.sha1((machine_id + hostname).encode("utf-8")).hexdigest()


def apply_vmsystem(content, sources):
    """Set ``hardware.vmsystem`` and the per-kind identity fixes on ``content`` (modified in place)."""
    hardware = content.setdefault("hardware", {})
    bios = content.get("bios") or {}
    kind = detect_vmsystem(sources, bios)
    facts = sources.get("virtualization") or {}

    if kind == "Xen" and not bios.get("smanufacturer"):
        bios.update(smanufacturer="Xen", smodel="PVM domU")
    elif kind == "Virtuozzo":
        guest = _envid(facts.get("self_status"))
        if hardware.get("uuid") and guest:
            hardware["uuid"] = "%s-%s" % (hardware["uuid"], guest)
    elif kind == "Docker":
        # A container shares the host's DMI: its identity is the container's, and it has no serial.
        match = re.search(r"/docker/([0-9a-f]{12})", _text(facts.get("init_cgroup")))
        if match:
            hardware["uuid"] = match.group(1)
        else:
            hardware.pop("uuid", None)
        bios["ssn"] = ""
    elif kind == "systemd-nspawn":
        uuid = _first_line(facts.get("container_uuid")) or (facts.get("init_environment") or {}).get("container_uuid")
        if uuid:
            hardware["uuid"] = uuid
        match = re.search(r"/systemd/nspawn/propagate/(\S+) /run/host/incoming", _text(facts.get("init_mountinfo")))
        if facts.get("nspawn_incoming") and match:
            hardware["name"] = match.group(1)
    elif (kind == "lxc" or (kind != PHYSICAL and not hardware.get("uuid"))) and facts.get("machine_id"):
        uuid = virtual_uuid(_first_line(facts.get("machine_id")), _first_line(facts.get("etc_hostname")))
        if uuid:
            hardware["uuid"] = uuid
    elif kind == "VirtualBox" and hardware.get("uuid") and not bios.get("ssn"):
        bios["ssn"] = hardware["uuid"].lower()

    hardware["vmsystem"] = kind
    if bios:
        content["bios"] = bios
    return kind
