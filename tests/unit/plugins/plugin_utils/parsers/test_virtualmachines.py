# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""virtualmachines: Docker, Podman, libvirt and LXC guests, as GLPI Agent's modules report them."""

from __future__ import annotations

import hashlib
import random

from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_extras as extras
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _virtualmachines as vms

SEP = extras.CONTAINER_SEPARATOR
# `docker ps -a --format <CONTAINER_PS_FORMAT>`: ID, Image, Ports, Names (Ports empty for a stopped container).
DOCKER_PS = (
    "3f4e8a1b2c3d" + SEP + "nginx:1.25" + SEP + "0.0.0.0:8080->80/tcp, :::8080->80/tcp" + SEP + "web\n"
    "9a8b7c6d5e4f" + SEP + "postgres:16" + SEP + "5432/tcp" + SEP + "db\n"
    "1a2b3c4d5e6f" + SEP + "busybox" + SEP + SEP + "old_job\n"
)
# `docker inspect --format '{{.Id}} {{.State.Running}}' <ids>`: full ids.
DOCKER_INSPECT = (
    "3f4e8a1b2c3d" + "5" * 52 + " true\n"
    "9a8b7c6d5e4f" + "6" * 52 + " true\n"
    "1a2b3c4d5e6f" + "7" * 52 + " false\n"
)
# `virsh --readonly list --all` (libvirt 9 layout) and a domain's `virsh --readonly dumpxml`.
VIRSH_LIST = (
    " Id   Name       State\n"
    "---------------------------\n"
    " 1    debian12   running\n"
    " 2    win11      paused\n"
    " 3    stopping   in shutdown\n"
    " -    alpine     shut off\n"
    "\n"
)
DUMPXML = """<domain type='kvm' id='1'>
  <name>debian12</name>
  <uuid>5b3a2e6c-7f1d-4c2a-9f0e-1a2b3c4d5e6f</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://debian.org/debian/12"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:12:34:56'/>
      <source network='default'/>
    </interface>
  </devices>
</domain>
"""
# LXC 5: `lxc-info -n web -s` and `lxc-info -n web -c <limits> -c lxc.net.0.hwaddr` (unset keys print no value).
LXC_STATE = "State:          RUNNING\n"
LXC_CONFIG = ("lxc.cgroup.memory.limit_in_bytes = \nlxc.cgroup2.memory.max = 2G\nlxc.cgroup.cpuset.cpus = \n"
              "lxc.cgroup2.cpuset.cpus = 0-1,3\nlxc.net.0.hwaddr = 00:16:3E:AB:CD:EF\n")
CPUINFO = "".join("processor\t: %d\nvendor_id\t: GenuineIntel\n\n" % index for index in range(8))


def test_docker_containers_with_their_run_state():
    assert vms.container_machines(DOCKER_PS, DOCKER_INSPECT) == [
        {"vmtype": "docker", "uuid": "3f4e8a1b2c3d", "image": "nginx:1.25", "name": "web", "status": "running"},
        {"vmtype": "docker", "uuid": "9a8b7c6d5e4f", "image": "postgres:16", "name": "db", "status": "running"},
        {"vmtype": "docker", "uuid": "1a2b3c4d5e6f", "image": "busybox", "name": "old_job", "status": "off"},
    ]
    # Without the inspect output there is no status (the agent's would be empty); podman names its own type.
    podman = vms.container_machines(DOCKER_PS, None, "podman")
    assert podman[0] == {"vmtype": "podman", "uuid": "3f4e8a1b2c3d", "image": "nginx:1.25", "name": "web"}
    assert vms.container_machines("a" + SEP + "b\n", "") == []


def test_virsh_list_states_fit_glpi():
    assert vms.virsh_list(VIRSH_LIST) == [("debian12", "running"), ("win11", "paused"), ("stopping", "shutdown"), ("alpine", "off")]
    assert vms.virsh_list(" 0    Domain-0   running\n 4    odd   pmsuspended\n 5    new   weird state\n") == \
        [("odd", "paused"), ("new", None)]


def test_libvirt_machines_from_dumpxml():
    machines = vms.libvirt_machines(VIRSH_LIST, {"debian12": DUMPXML, "win11": "<not xml"})
    # currentMemory 2097152 KiB: the agent drops the last three digits.
    assert machines[0] == {"name": "debian12", "status": "running", "vmtype": "libvirt", "uuid": "5b3a2e6c-7f1d-4c2a-9f0e-1a2b3c4d5e6f",
                           "vcpu": 2, "subsystem": "kvm", "memory": 2097}
    assert machines[1] == {"name": "win11", "status": "paused", "vmtype": "libvirt"}
    assert len(machines) == 4


def test_lxc_container():
    raw = {"containers": {"web": {"state": LXC_STATE, "config": LXC_CONFIG, "machine_id": "0123abcd\n", "hostname": "web\n"},
                          "stopped": {"state": "State:          STOPPED\n", "config": "lxc.cgroup2.memory.max = 536870912\n"}}}
    assert vms.lxc_machines(raw, CPUINFO) == [
        # No cpuset: the host's processors.
        {"name": "stopped", "vmtype": "lxc", "status": "off", "memory": 512, "vcpu": 8},
        {"name": "web", "vmtype": "lxc", "status": "running", "mac": "00:16:3e:ab:cd:ef", "memory": 2048, "vcpu": 3,
         "uuid": hashlib.sha1(b"0123abcdweb").hexdigest()},
    ]
    # Proxmox: the container is known by its number, its name is its lxc.uts.name.
    proxmox = {"containers": {"101": {"name": "101", "state": "State: STOPPED\n", "config": "lxc.uts.name = ct-web\nlxc.cgroup2.cpuset.cpus = 2\n"}}}
    assert vms.lxc_machines(proxmox) == [{"name": "ct-web", "vmtype": "lxc", "status": "off", "vcpu": 1}]
    assert vms.lxc_state("State: FROZEN\n") == "paused" and vms.lxc_state("") is None and vms.lxc_state("pid: 3\n") == "off"


def test_every_tool_together_in_a_fixed_order():
    raw = {"docker": {"ps": DOCKER_PS, "inspect": DOCKER_INSPECT}, "podman": {"ps": DOCKER_PS.splitlines()[0]},
           "libvirt": {"lxc:///": {"list": " -    box   shut off\n"}, "default": {"list": VIRSH_LIST, "dumpxml": {"debian12": DUMPXML}}},
           "lxc": {"containers": {"c1": {"state": LXC_STATE}}}}
    machines = vms.virtual_machines(raw, CPUINFO)
    assert [(machine["vmtype"], machine["name"]) for machine in machines] == [
        ("docker", "web"), ("docker", "db"), ("docker", "old_job"), ("podman", "web"),
        ("libvirt", "debian12"), ("libvirt", "win11"), ("libvirt", "stopping"), ("libvirt", "alpine"), ("libvirt", "box"), ("lxc", "c1")]
    assert vms.virtual_machines(None) == [] and vms.virtual_machines({"docker": "x", "libvirt": [1], "lxc": {"containers": 3}}) == []


_INTEGERS = ("memory", "vcpu")


def _check(result):
    assert isinstance(result, list)
    for entry in result:
        assert isinstance(entry.get("name"), str) and entry["name"]
        assert entry.get("status") in vms.STATUSES + (None,)
        for key, value in entry.items():
            assert isinstance(value, int if key in _INTEGERS else str), (key, value)


_TEXT = st.one_of(st.none(), st.text(max_size=200))


@settings(max_examples=150, deadline=None)
@given(_TEXT, _TEXT, _TEXT, st.dictionaries(st.text(max_size=5), _TEXT, max_size=3),
       st.dictionaries(st.text(max_size=5), st.fixed_dictionaries({"state": _TEXT, "config": _TEXT, "machine_id": _TEXT, "hostname": _TEXT}),
                       max_size=3), _TEXT)
def test_fuzz_random(ps, inspect, listing, dumps, containers, cpuinfo):
    raw = {"docker": {"ps": ps, "inspect": inspect}, "libvirt": {"default": {"list": listing, "dumpxml": dumps}},
           "lxc": {"containers": containers}}
    _check(vms.virtual_machines(raw, cpuinfo))
    assert isinstance(vms.parse_dumpxml(listing), dict)


def _mutate(text, rng, mutation):
    if mutation == "truncate":
        return text[:rng.randrange(len(text) + 1)]
    if mutation == "flip":
        chars = list(text)
        for _unused in range(rng.randrange(1, 20)):
            chars[rng.randrange(len(chars))] = chr(rng.randrange(0x250))
        return "".join(chars)
    lines = text.splitlines()
    rng.shuffle(lines)
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["truncate", "flip", "shuffle"]), st.integers(0, 2 ** 32 - 1))
def test_fuzz_mutated_recordings(mutation, seed):
    rng = random.Random(seed)
    raw = {"podman": {"ps": _mutate(DOCKER_PS, rng, mutation), "inspect": _mutate(DOCKER_INSPECT, rng, mutation)},
           "libvirt": {"default": {"list": _mutate(VIRSH_LIST, rng, mutation), "dumpxml": {"debian12": _mutate(DUMPXML, rng, mutation)}}},
           "lxc": {"containers": {"web": {"state": _mutate(LXC_STATE, rng, mutation), "config": _mutate(LXC_CONFIG, rng, mutation)}}}}
    _check(vms.virtual_machines(raw, _mutate(CPUINFO, rng, mutation)))
