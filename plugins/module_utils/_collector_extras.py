# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Target-side sources for LVM, virtual machines and containers, and remote-control ids.

Private to the glpiops.glpi collection: no compatibility promise.

Standard library only, Python 3.8+.  Like the rest of the collector these return raw
command output; the parsers are ``plugin_utils/parsers/_lvm.py``, ``_virtualmachines.py`` and
``_remote_mgmt.py``.  The commands and formats are the ones GLPI Agent runs.  A tool
that is not installed, or a daemon that is not running (a Docker client without
its daemon, ``virsh`` without libvirtd), raises a ``not found`` reason, which the
collector keeps quiet for optional sources; a refusal is reported.
"""

from __future__ import annotations

import glob
import json
import os
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._sources import (
    SourceUnavailable,
    find_command,
    read_text,
    run_command,
)

# --- LVM (root only) ----------------------------------------------------------------------------------------------

_LVM_COMMON = ("--noheading", "--nosuffix", "--units", "M", "-o")
PVS_ARGV = ("pvs",) + _LVM_COMMON + ("pv_name,pv_fmt,pv_attr,pv_size,pv_free,pv_uuid,pv_pe_count,vg_uuid",)
VGS_ARGV = ("vgs",) + _LVM_COMMON + ("vg_name,pv_count,lv_count,vg_attr,vg_size,vg_free,vg_uuid,vg_extent_size",)
LVS_ARGV = ("lvs", "-a") + _LVM_COMMON + ("lv_name,vg_uuid,lv_attr,lv_size,lv_uuid,seg_count",)

# --- Docker / Podman ----------------------------------------------------------------------------------------------

CONTAINER_SEPARATOR = "#=#=#"
CONTAINER_PS_FORMAT = CONTAINER_SEPARATOR.join("{{.%s}}" % name for name in ("ID", "Image", "Ports", "Names"))
CONTAINER_INSPECT_FORMAT = "{{.Id}} {{.State.Running}}"

# --- remote control -----------------------------------------------------------------------------------------------

TEAMVIEWER_ARGV = ("teamviewer", "--info")
ANYDESK_CONFIG_GLOB = "/etc/anydesk_ad_*/system.conf"
ANYDESK_CONFIG = "/etc/anydesk/system.conf"
RUSTDESK_CONFIG = "/root/.config/rustdesk/RustDesk.toml"
MESHAGENT_SERVICE = "/etc/systemd/system/meshagent.service"
TACTICALRMM_CONFIG = "/etc/tacticalagent"
SUPREMO_ARGV = ("supremo", "--info")

_NO_DAEMON = re.compile(r"Cannot connect to the Docker daemon|Is the docker daemon running|failed to connect to the hypervisor"
                        r"|Failed to connect socket|unable to connect to Podman", re.IGNORECASE)


def lvm(timeout):
    """``pvs``, ``vgs`` and ``lvs`` as GLPI Agent runs them; they need root."""
    if not find_command("lvs"):
        raise SourceUnavailable("command not found: lvs")
    if os.geteuid() != 0:
        raise SourceUnavailable("pvs, vgs and lvs need root (use become)")
    found, failures = {}, []
    for key, argv in (("pvs", PVS_ARGV), ("vgs", VGS_ARGV), ("lvs", LVS_ARGV)):
        try:
            found[key] = run_command(list(argv), timeout)
        except SourceUnavailable as exc:
            failures.append(str(exc))
    if not found:
        raise SourceUnavailable("; ".join(failures))
    return found


def _quiet_when_no_daemon(exc):
    """A client whose daemon does not run is no virtualization host: say ``not found`` (a quiet reason)."""
    reason = str(exc)
    if _NO_DAEMON.search(reason):
        return SourceUnavailable("not found: %s" % reason)
    return exc


def containers(tool, timeout):
    """``<tool> ps -a --format ...`` and, for the listed containers, whether each runs (``docker`` or ``podman``)."""
    if not find_command(tool):
        raise SourceUnavailable("command not found: %s" % tool)
    try:
        listing = run_command([tool, "ps", "-a", "--format", CONTAINER_PS_FORMAT], timeout)
    except SourceUnavailable as exc:
        raise _quiet_when_no_daemon(exc)
    ids = [line.split(CONTAINER_SEPARATOR, 1)[0].strip() for line in listing.splitlines() if CONTAINER_SEPARATOR in line]
    ids = [container_id for container_id in ids if re.match(r"^[0-9a-f]{4,64}$", container_id)]
    found = {"ps": listing}
    if ids:
        try:
            # rc 1: one container went away between the two commands; the others are still printed.
            found["inspect"] = run_command([tool, "inspect", "--format", CONTAINER_INSPECT_FORMAT] + ids, timeout, ok_rcs=(0, 1))
        except SourceUnavailable:
            pass
    return found


def _virsh_names(listing):
    names = []
    for line in listing.splitlines():
        if re.match(r"^\s*Id", line) or line.startswith("-----"):
            continue
        match = re.match(r"^\s*(\d+|)(-|)\s+(\S+)\s+(\S.+)", line)
        if match and match.group(3) != "Domain-0":
            names.append(match.group(3))
    return names


def libvirt(timeout):
    """``virsh --readonly list --all`` and each domain's ``dumpxml``, on the default connection and ``lxc:///``."""
    if not find_command("virsh"):
        raise SourceUnavailable("command not found: virsh")
    found = {}
    for connection, prefix in (("default", []), ("lxc:///", ["-c", "lxc:///"])):
        try:
            listing = run_command(["virsh"] + prefix + ["--readonly", "list", "--all"], timeout)
        except SourceUnavailable as exc:
            if connection == "default":
                raise _quiet_when_no_daemon(exc)
            continue  # no LXC driver: normal
        dumps = {}
        for name in _virsh_names(listing):
            try:
                dumps[name] = run_command(["virsh"] + prefix + ["--readonly", "dumpxml", name], timeout)
            except SourceUnavailable:
                continue
        found[connection] = {"list": listing, "dumpxml": dumps}
    return found


def _first_line_of(path):
    try:
        lines = read_text(path, 4096, whole=False).splitlines()
    except SourceUnavailable:
        return None
    return lines[0] if lines else None


def _optional(argv, timeout, ok_rcs=(0,)):
    try:
        return run_command(argv, timeout, ok_rcs=ok_rcs)
    except SourceUnavailable:
        return None


_LXC_LIMIT_KEYS = ("lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup2.memory.max", "lxc.cgroup.cpuset.cpus", "lxc.cgroup2.cpuset.cpus")


def _pct_containers(listing):
    """``pct list`` (Proxmox) -> ``[(name, vmid)]``: the name is what stands under the ``Name`` header."""
    found, offset = [], 0
    for line in listing.splitlines():
        header = re.match(r"^(VMID\s.*\s)Name", line)
        if header:
            offset = len(header.group(1))
            continue
        vmid = re.match(r"^(\d+)", line)
        if offset and vmid:
            found.append((line[offset:].rstrip(), vmid.group(1)))
    return found


def lxc(timeout):
    """LXC containers (``lxc-ls -1``, or ``pct list`` on Proxmox) and, per container, its state, limits, MAC,
    machine-id and host name, as GLPI Agent reads them."""
    if find_command("pct"):
        listing = _pct_containers(run_command(["pct", "list"], timeout))
    elif find_command("lxc-ls"):
        listing = [(name.rstrip(), name.rstrip()) for name in run_command(["lxc-ls", "-1"], timeout).splitlines()]
    else:
        raise SourceUnavailable("command not found: lxc-ls, pct")
    version_text = _optional(["lxc-ls", "--version"], timeout) or ""
    match = re.match(r"^(\d+)\.(\d+)", version_text.strip())
    modern = (int(match.group(1)), int(match.group(2))) >= (2, 1) if match else False
    lxcpath = ((_optional(["lxc-config", "lxc.lxcpath"], timeout) or "").strip().splitlines() or ["/var/lib/lxc"])[0]
    found = {}
    for name, ctid in listing:
        if not name:
            continue
        proxmox = bool(re.match(r"^\d+$", ctid))  # Proxmox names its containers by number: the real name is in the config
        state = _optional(["lxc-info", "-n", ctid, "-s"], timeout)
        argv = ["lxc-info", "-n", ctid]
        for key in _LXC_LIMIT_KEYS + (("lxc.net.0.hwaddr",) + (("lxc.uts.name",) if proxmox else ()) if modern else ()):
            argv += ["-c", key]
        config = _optional(argv, timeout) or ""
        if not modern:
            try:
                text = read_text(os.path.join(lxcpath, ctid, "config"), 1 << 20)
            except SourceUnavailable:
                text = ""
            config += "".join(line + "\n" for line in text.splitlines()
                              if "lxc.network.hwaddr" in line or (proxmox and "utsname" in line))
        facts = {"name": name, "state": state, "config": config}
        if state and re.search(r"^State:\s*RUNNING\s*$", state, re.MULTILINE | re.IGNORECASE):
            facts["machine_id"] = _optional(["lxc-attach", "-n", ctid, "--", "/bin/cat", "/etc/machine-id"], timeout)
            facts["hostname"] = _optional(["lxc-attach", "-n", ctid, "--", "/bin/cat", "/etc/hostname"], timeout)
        else:
            key = "lxc.rootfs.path" if modern else "lxc.rootfs"
            rootfs = _optional(["lxc-info", "-n", ctid, "-c", key], timeout) or ""
            rootfs_match = re.search(r"^lxc\.rootfs.*\s*=\s*(.*)$", rootfs, re.MULTILINE)
            if rootfs_match:
                root = rootfs_match.group(1).strip().split(":")[-1]
                facts["machine_id"] = _first_line_of(os.path.join(root, "etc/machine-id"))
                facts["hostname"] = _first_line_of(os.path.join(root, "etc/hostname"))
        found[ctid] = facts
    return {"containers": found}


def teamviewer(timeout):
    """``teamviewer --info`` (its id is on the ``TeamViewer ID:`` line)."""
    return run_command(list(TEAMVIEWER_ARGV), timeout)


def anydesk():
    """The ``ad.anynet.id=`` lines of AnyDesk's system.conf files, ``[[path, lines], ...]`` (the files hold keys too)."""
    found = []
    for path in sorted(glob.glob(ANYDESK_CONFIG_GLOB)) + [ANYDESK_CONFIG]:
        try:
            text = read_text(path, 1 << 20)
        except SourceUnavailable as exc:
            if str(exc).startswith("permission denied"):
                raise
            continue
        found.append([path, "".join(line + "\n" for line in text.splitlines() if line.startswith("ad.anynet.id="))])
    if not found:
        raise SourceUnavailable("not found: %s" % ANYDESK_CONFIG)
    return found


def wireless(interfaces, timeout):
    """Per wireless interface, ``iwconfig <if>`` as GLPI Agent reads it, else ``iw dev <if> info`` and ``link``."""
    names = sorted(name for name, facts in (interfaces or {}).items() if isinstance(facts, dict) and facts.get("wireless"))
    if not names:
        raise SourceUnavailable("not found: no wireless interface")
    iwconfig, iw = find_command("iwconfig"), find_command("iw")
    if not (iwconfig or iw):
        raise SourceUnavailable("command not found: iwconfig, iw")
    found = {}
    for name in names:
        if iwconfig:
            found[name] = {"iwconfig": run_command(["iwconfig", name], timeout)}
        else:
            found[name] = {"iw_info": run_command(["iw", "dev", name, "info"], timeout),
                           "iw_link": _optional(["iw", "dev", name, "link"], timeout)}
    return found


def rustdesk(timeout):
    """RustDesk's ``id = '...'`` line of root's RustDesk.toml (the file holds its password too); when that id is
    empty, ``rustdesk --version`` and ``rustdesk --get-id`` (RustDesk 1.2.2 and later), as GLPI Agent asks."""
    try:
        text = read_text(RUSTDESK_CONFIG, 1 << 20)
    except SourceUnavailable as exc:
        # /root is closed to other users: for them RustDesk is not there, as for GLPI Agent.
        raise SourceUnavailable("not found: %s (%s)" % (RUSTDESK_CONFIG, exc))
    found = {"config": "".join(line + "\n" for line in text.splitlines() if re.match(r"^id\s*=", line))}
    if not re.search(r"^id\s*=\s*'.+'$", found["config"], re.MULTILINE) and find_command("rustdesk"):
        found["version"] = _optional(["rustdesk", "--version"], timeout)
        version = re.match(r"^(\d+)\.(\d+)\.(\d+)", (found["version"] or "").strip())
        if version and tuple(int(part) for part in version.groups()) >= (1, 2, 2):
            found["get_id"] = _optional(["rustdesk", "--get-id"], timeout)
    return found


def meshcentral(timeout):
    """MeshCentral's agent: the ``ExecStart`` of its systemd unit, and that program's ``-nodeid``."""
    text = read_text(MESHAGENT_SERVICE, 1 << 20)
    for line in text.splitlines():
        match = re.search(r"Ex.*=(.*)\s-", line)
        if match:
            return {"exec": match.group(1), "nodeid": _optional([match.group(1), "-nodeid"], timeout)}
    return {}


def tacticalrmm(timeout):
    """Tactical RMM's agent id (only that key of /etc/tacticalagent leaves the target: it holds a token too) and the
    first line of its agent's ``--version``."""
    text = read_text(TACTICALRMM_CONFIG, 1 << 20)
    try:
        config = json.loads(text)
    except ValueError:
        config = None
    found = {"agentid": config.get("agentid") if isinstance(config, dict) else None}
    for argv in (["rmmagent", "--version"], ["tacticalagent", "--version"], ["/usr/local/bin/rmmagent", "--version"]):
        if os.path.isabs(argv[0]) or find_command(argv[0]):
            found["version"] = _optional(argv, timeout)
            break
    return found


def supremo(timeout):
    """``supremo --info`` (its id is on the ``SupRemo ID:`` line)."""
    return run_command(list(SUPREMO_ARGV), timeout)
