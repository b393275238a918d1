# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``virtualmachines`` section: the guests and containers a Linux host runs.

Private to the glpiops.glpi collection: no compatibility promise.

What GLPI Agent's virtualization modules read, module by module:

* Docker: ``docker ps -a --format`` with the columns ID, Image, Ports and Names
  (``CONTAINER_PS_FORMAT``), then per container whether it runs (``docker inspect``;
  the collector asks for ``{{.Id}} {{.State.Running}}`` only, since the whole JSON
  holds the containers' environments).  ``uuid`` is the short container id, status
  ``running`` or ``off``.  Podman understands the same commands: ``vmtype`` ``podman``
  (the agent has no Podman module).
* libvirt: ``virsh --readonly list --all`` (default connection, then ``lxc:///``),
  and per domain ``virsh --readonly dumpxml``: ``uuid``, ``vcpu``, ``subsystem`` (the
  domain type) and ``memory`` -- the agent drops the last three digits of
  ``currentMemory`` (KiB), so that is what it reports.  ``Domain-0`` is Xen's host.
* LXC: ``lxc-ls -1`` (Proxmox: ``pct list``), per container ``lxc-info -s`` (RUNNING -> running, FROZEN ->
  paused, anything else off) and the memory limit, cpuset and MAC keys of its
  configuration; ``vcpu`` is the cpuset's size, else the host's processor count;
  ``uuid`` the SHA-1 of its ``/etc/machine-id`` and ``/etc/hostname`` first lines.

GLPI 10 refuses a status outside its list: virsh's ``in shutdown`` becomes
``shutdown`` and ``pmsuspended`` ``paused``; another unknown state leaves the status
out (the agent would send it and have the document refused).  An LXC memory limit
given in bytes is turned into MB (the agent reports the byte count as MB).
"""

from __future__ import annotations

import hashlib
import re
from xml.etree import ElementTree

from ansible_collections.glpiops.glpi.plugins.module_utils._collector_extras import CONTAINER_SEPARATOR


STATUSES = ("running", "blocked", "idle", "paused", "shutdown", "crashed", "dying", "off")
_VIRSH_STATES = {"shut off": "off", "in shutdown": "shutdown", "pmsuspended": "paused"}
_MAC = re.compile(r"^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$", re.IGNORECASE)


def _clean(entry):
    return {key: value for key, value in entry.items() if value is not None and value != ""}


def _int(value):
    value = (value or "").strip() if isinstance(value, str) else ""
    return int(value) if re.match(r"^\d{1,18}$", value, re.ASCII) else None


# --- Docker, Podman -------------------------------------------------------------------------------------------------

def _running_ids(inspect_text):
    running = {}
    if not isinstance(inspect_text, str):
        return running
    for line in inspect_text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1] in ("true", "false"):
            running[fields[0]] = fields[1] == "true"
    return running


def container_machines(ps_text, inspect_text, vmtype="docker"):
    """``docker ps -a --format CONTAINER_PS_FORMAT`` and ``docker inspect --format CONTAINER_INSPECT_FORMAT <ids>`` -> entries."""
    if not isinstance(ps_text, str):
        return []
    running = _running_ids(inspect_text)
    machines = []
    for line in ps_text.splitlines():
        fields = line.split(CONTAINER_SEPARATOR)
        if len(fields) != 4 or not fields[0].strip() or not fields[3].strip():
            continue
        short_id = fields[0].strip()
        state = [value for full_id, value in running.items() if full_id.startswith(short_id)]
        machines.append(_clean({
            "vmtype": vmtype,
            "uuid": short_id,
            "image": fields[1].strip(),
            "name": fields[3].strip(),
            "status": ("running" if state[0] else "off") if state else None,
        }))
    return machines


# --- libvirt ----------------------------------------------------------------------------------------------------

_VIRSH_LINE = re.compile(r"^\s*(\d+|)(-|)\s+(\S+)\s+(\S.+)")


def virsh_list(text):
    """``virsh list --all`` -> ``[(name, status)]`` (Xen's ``Domain-0`` left out)."""
    found = []
    if not isinstance(text, str):
        return found
    for line in text.splitlines():
        if re.match(r"^\s*Id", line) or line.startswith("-----"):
            continue
        match = _VIRSH_LINE.match(line)
        if not match or match.group(3) == "Domain-0":
            continue
        state = match.group(4).strip()
        state = _VIRSH_STATES.get(state, state)
        found.append((match.group(3), state if state in STATUSES else None))
    return found


def _child_text(root, tag):
    node = root.find(tag)
    return (node.text or "").strip() if node is not None else None


def parse_dumpxml(text):
    """``virsh dumpxml`` -> ``{"uuid", "vcpu", "subsystem", "memory"}`` (what could be read)."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        root = ElementTree.fromstring(text)
    except Exception:  # pylint: disable=broad-except
        return {}  # not XML, or XML the parser refuses (entity bombs included)
    if root.tag != "domain":
        return {}
    memory = re.match(r"^(\d+)\d{3}$", _child_text(root, "currentMemory") or "")
    return _clean({
        "uuid": _child_text(root, "uuid"),
        "vcpu": _int(_child_text(root, "vcpu")),
        "subsystem": root.get("type"),
        "memory": int(memory.group(1)) if memory else None,
    })


def libvirt_machines(listing, dumpxmls):
    """One connection's ``virsh list --all`` and ``{name: dumpxml}`` -> entries."""
    dumpxmls = dumpxmls if isinstance(dumpxmls, dict) else {}
    machines = []
    for name, status in virsh_list(listing):
        entry = {"name": name, "status": status, "vmtype": "libvirt"}
        entry.update(parse_dumpxml(dumpxmls.get(name)))
        machines.append(_clean(entry))
    return machines


# --- LXC --------------------------------------------------------------------------------------------------------

def lxc_state(text):
    """``lxc-info -s`` -> ``running``, ``paused`` or ``off``; ``None`` without output."""
    if not isinstance(text, str) or not text.strip():
        return None
    for line in text.splitlines():
        match = re.match(r"^State:\s*(\S+)$", line.strip(), re.IGNORECASE)
        if match:
            return {"RUNNING": "running", "FROZEN": "paused"}.get(match.group(1), "off")
    return "off"


def _memory_mb(value):
    match = re.match(r"^(\d{1,24}(?:\.\d{1,6})?)([KMGTP]?)$", value, re.IGNORECASE | re.ASCII)
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2).upper()
    if not unit:
        return int(number) // (1024 * 1024)
    factor = {"K": 1.0 / 1024, "M": 1, "G": 1024, "T": 1024 ** 2, "P": 1024 ** 3}[unit]
    return int(number * factor)


def _cpuset_size(value):
    count = 0
    for item in value.split(","):
        match = re.match(r"^(\d{1,6})-(\d{1,6})$", item)
        if match:
            count += int(match.group(2)) - int(match.group(1)) + 1
        elif item:
            count += 1
    return count


def lxc_config(text):
    """``lxc-info -c ...`` lines (and config lines) -> ``{"memory", "vcpu", "mac", "uts_name"}``."""
    found = {}
    if not isinstance(text, str):
        return found
    for line in text.splitlines():
        match = re.match(r"^\s*(\S+)\s*=\s*(\S+)\s*$", line)
        if line.startswith("#") or not match:
            continue
        key, value = match.group(1), match.group(2)
        if key in ("lxc.network.hwaddr", "lxc.net.0.hwaddr") and _MAC.match(value):
            found["mac"] = value.lower()
        elif key in ("lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup2.memory.max"):
            found["memory"] = _memory_mb(value)
        elif key in ("lxc.cgroup.cpuset.cpus", "lxc.cgroup2.cpuset.cpus"):
            found["vcpu"] = _cpuset_size(value)
        elif key in ("lxc.uts.name", "lxc.utsname"):
            found["uts_name"] = value
    return _clean(found)


def _first_line(text):
    lines = text.splitlines() if isinstance(text, str) else []
    return lines[0] if lines else ""


def virtual_uuid(machine_id, hostname):
    """GLPI Agent's id of a container: SHA-1 of its machine-id and host name (first lines), or ``None``."""
    machine_id, hostname = _first_line(machine_id), _first_line(hostname)
    if not machine_id or not hostname:
        return None
    return hashlib.sha1((machine_id + hostname).encode("utf-8")).hexdigest()


def host_processor_count(cpuinfo):
    """How many processors ``/proc/cpuinfo`` lists (the vcpu of a container without cpuset)."""
    if not isinstance(cpuinfo, str):
        return 0
    return sum(1 for line in cpuinfo.splitlines() if re.match(r"^(processor|cpu)\s*:\s\S", line))


def lxc_machines(raw, cpuinfo=None):
    """The collector's ``lxc`` source (``{"containers": {id: {"name", "state", "config", "machine_id", "hostname"}}}``;
    the id is the name, or Proxmox's number, whose container takes its name from its ``lxc.uts.name``)."""
    containers = raw.get("containers") if isinstance(raw, dict) else None
    if not isinstance(containers, dict):
        return []
    machines = []
    for ctid in sorted(key for key in containers if isinstance(key, str) and key.strip()):
        facts = containers[ctid] if isinstance(containers[ctid], dict) else {}
        name = facts.get("name") if isinstance(facts.get("name"), str) and facts["name"].strip() else ctid
        config = lxc_config(facts.get("config"))
        uts_name = config.pop("uts_name", None)
        if uts_name and re.match(r"^\d+$", ctid):
            name = uts_name
        entry = {"name": name, "vmtype": "lxc", "status": lxc_state(facts.get("state"))}
        entry.update(config)
        if not entry.get("vcpu"):
            entry["vcpu"] = host_processor_count(cpuinfo)
        entry["uuid"] = virtual_uuid(facts.get("machine_id"), facts.get("hostname"))
        machines.append(_clean(entry))
    return machines


def virtual_machines(raw, cpuinfo=None):
    """The collector's ``virtualmachines`` source (``{"docker": {"ps", "inspect"}, "podman": ..., "libvirt":
    {connection: {"list", "dumpxml"}}, "lxc": ...}``) -> GLPI's ``virtualmachines``."""
    if not isinstance(raw, dict):
        return []
    machines = []
    for tool in ("docker", "podman"):
        facts = raw.get(tool)
        if isinstance(facts, dict):
            machines += container_machines(facts.get("ps"), facts.get("inspect"), tool)
    libvirt = raw.get("libvirt")
    if isinstance(libvirt, dict):
        for connection in sorted(key for key in libvirt if isinstance(key, str)):
            facts = libvirt[connection]
            if isinstance(facts, dict):
                machines += libvirt_machines(facts.get("list"), facts.get("dumpxml"))
    machines += lxc_machines(raw.get("lxc"), cpuinfo)
    return machines
