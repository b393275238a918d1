# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hardware.vmsystem and the identity fixes GLPI Agent applies per kind of machine."""

from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _vmsystem as vm

KVM_DMESG = "[    0.000000] Hypervisor detected: KVM\n[    0.09] Booting paravirtualized kernel on KVM\n"


def sources(**facts):
    extra = {key: facts.pop(key) for key in ("dmesg", "proc_modules", "scsi", "mounts") if key in facts}
    return dict({"virtualization": facts}, **extra)


@pytest.mark.parametrize("facts, bios, expected", [
    ({}, {}, "Physical"),
    ({"init_environment": {"container": "lxc"}, "docker_marker": True}, {}, "lxc"),
    ({"init_environment": {"container": "podman"}}, {"smanufacturer": "QEMU"}, "podman"),
    ({"self_status": "Name:\tbash\nenvID:\t101\n"}, {}, "Virtuozzo"),
    ({"self_status": "Name:\tbash\nenvID:\t0\n"}, {}, "Physical"),
    ({"wsl_interop": True}, {}, "WSL"),
    ({"mounts": "rootfs / wslfs rw 0 0\n"}, {}, "WSL"),
    ({}, {"smanufacturer": "QEMU", "smodel": "Standard PC (Q35 + ICH9, 2009)"}, "QEMU"),
    ({}, {"smanufacturer": "Microsoft Corporation", "smodel": "Virtual Machine"}, "Hyper-V"),
    ({}, {"smanufacturer": "VMware, Inc.", "smodel": "VMware Virtual Platform"}, "VMware"),
    ({}, {"smanufacturer": "Xen", "smodel": "HVM domU"}, "Xen"),
    ({}, {"bmanufacturer": "SeaBIOS Bochs"}, "QEMU"),
    ({}, {"bmanufacturer": "innotek GmbH"}, "VirtualBox"),
    ({}, {"smodel": "KVM"}, "QEMU"),
    ({}, {"mmodel": "VirtualBox"}, "VirtualBox"),
    ({"docker_marker": True, "dmesg": KVM_DMESG}, {}, "Docker"),
    ({"proc_xen": True, "xen_capabilities": "control_d\n"}, {}, "Physical"),
    ({"clocksource": "xen tsc\n"}, {}, "Xen"),
    ({"proc_modules": "vmxnet 65536 0 - Live 0x0\n"}, {}, "VMware"),
    ({"proc_modules": "vmxnet3 65536 0 - Live 0x0\n"}, {}, "Physical"),  # the agent's pattern is the old driver only
    ({"proc_modules": "xen_netfront 40960 0 - Live 0x0\n"}, {}, "Xen"),
    ({"dmesg": KVM_DMESG}, {}, "QEMU"),
    ({"dmesg": "[0.0] ACPI: DSDT (v02 BOCHS  BXPC)\n"}, {}, "Physical"),
    ({"dmesg": "[0.0] ACPI: DSDT (v02 Xen    HVM)\n"}, {}, "Xen"),
    ({"scsi": "  Vendor: VMware,  Model: VMware Virtual S Rev: 1.0\n"}, {}, "VMware"),
    ({"dmesg": "[0.0] Vendor: VMware   Model: Virtual disk\n"}, {}, "VMware"),
])
def test_detect_vmsystem_in_glpi_agents_order(facts, bios, expected):
    assert vm.detect_vmsystem(sources(**facts), bios) == expected


def test_docker_gets_the_container_id_and_an_empty_serial():
    content = {"hardware": {"uuid": "4C4C4544-0043"}, "bios": {"ssn": "4CJKQ42", "smodel": "PowerEdge R630"}}
    cgroup = "12:pids:/docker/0123456789abcdef0123456789abcdef\n"
    assert vm.apply_vmsystem(content, sources(docker_marker=True, init_cgroup=cgroup)) == "Docker"
    assert content["hardware"] == {"uuid": "0123456789ab", "vmsystem": "Docker"}
    assert content["bios"] == {"ssn": "", "smodel": "PowerEdge R630"}


def test_docker_without_a_container_id_drops_the_host_uuid():
    content = {"hardware": {"name": "web", "uuid": "4C4C4544-0043"}}
    vm.apply_vmsystem(content, sources(docker_marker=True, init_cgroup="0::/\n"))
    assert content == {"hardware": {"name": "web", "vmsystem": "Docker"}, "bios": {"ssn": ""}}


def test_lxc_uuid_is_sha1_of_machine_id_and_hostname():
    content = {"hardware": {"name": "ct1"}}
    vm.apply_vmsystem(content, sources(init_environment={"container": "lxc"}, machine_id="3d1219c7\n", etc_hostname="ct1\n"))
    assert content["hardware"]["uuid"] == hashlib.sha1(b"3d1219c7ct1").hexdigest()
    assert content["hardware"]["vmsystem"] == "lxc"


def test_a_virtual_machine_without_a_readable_uuid_gets_the_machine_id_uuid():
    content = {"hardware": {}}
    vm.apply_vmsystem(content, sources(dmesg=KVM_DMESG, machine_id="abc\n", etc_hostname="vm\n"))
    assert content["hardware"]["uuid"] == hashlib.sha1(b"abcvm").hexdigest()


def test_a_physical_host_keeps_no_invented_uuid():
    content = {"hardware": {}}
    vm.apply_vmsystem(content, sources(machine_id="abc\n", etc_hostname="pc\n"))
    assert content == {"hardware": {"vmsystem": "Physical"}}


def test_xen_pv_guest_without_dmi_is_named_like_hvm():
    content = {"hardware": {}}
    vm.apply_vmsystem(content, sources(proc_xen=True, xen_capabilities=""))
    assert content["bios"] == {"smanufacturer": "Xen", "smodel": "PVM domU"}


def test_virtualbox_serial_falls_back_to_the_uuid():
    content = {"hardware": {"uuid": "AB12-CD"}, "bios": {"bmanufacturer": "innotek GmbH"}}
    vm.apply_vmsystem(content, sources())
    assert content["bios"]["ssn"] == "ab12-cd"


def test_systemd_nspawn_uuid_and_machine_name():
    mountinfo = "42 30 0:40 /systemd/nspawn/propagate/web1 /run/host/incoming ro - tmpfs tmpfs ro\n"
    content = {"hardware": {"name": "localhost"}}
    vm.apply_vmsystem(content, sources(init_environment={"container": "systemd-nspawn"}, container_uuid="d9f0\n",
                                       nspawn_incoming=True, init_mountinfo=mountinfo))
    assert content["hardware"] == {"name": "web1", "uuid": "d9f0", "vmsystem": "systemd-nspawn"}


def test_matches_the_agents_own_inventory_of_this_kind_of_machine(collected_debian_vm, reference):
    """The real agent, run on a machine like the recorded one, said Docker with an empty serial."""
    agent = json.loads(reference("glpi-agent", "local-inventory.json").read_text())["content"]
    content = {"hardware": {}}
    vm.apply_vmsystem(content, collected_debian_vm["sources"])
    assert content["hardware"]["vmsystem"] == agent["hardware"]["vmsystem"]
    assert content["bios"] == agent["bios"]
    assert ("uuid" in content["hardware"]) == ("uuid" in agent["hardware"])
