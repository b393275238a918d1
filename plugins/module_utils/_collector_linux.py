# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Collect the raw material of a GLPI inventory on a Linux target, in one pass.

Private to the glpiops.glpi collection: no compatibility promise.

Each source is a small function that returns plain data (file contents, command
output, sysfs attributes) without interpreting it: parsing and shaping into GLPI's
format happen on the controller (``plugin_utils``), where they are pure functions
tested on recorded outputs.  A source that is missing, refused or too slow is
dropped alone and named in ``errors``; it never fails the host.  The framework every
Unix shares is ``_collector_unix``; the device sources (PCI, USB, displays, power
supplies, disks) are ``_collector_linux_devices``.
"""

from __future__ import annotations

import os
import socket
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._collector_extras import (
    anydesk,
    containers,
    libvirt,
    lvm,
    lxc,
    meshcentral,
    rustdesk,
    supremo,
    tacticalrmm,
    teamviewer,
    wireless,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_linux_devices import (
    PCI_ATTRIBUTES,
    PCI_DIR,
    display_edids,
    pci_ids_subset,
    pci_wanted_ids,
    pnp_ids_subset,
    power_supplies,
    storages,
    sysfs_devices,
    usb_devices,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import Gatherer, timezone, uname
from ansible_collections.glpiops.glpi.plugins.module_utils._package_commands import (
    APK_INSTALLED_PATHS,
    COMMAND_ENVIRONMENT,
    DPKG_ARGV,
    EQUERY_ARGV,
    FLATPAK_LIST_ARGV,
    LSB_RELEASE_ARGV,
    NIX_ARGV,
    PACMAN_ARGV,
    RPM_ARGV,
    SLACKWARE_PACKAGES_DIRECTORY,
    SNAP_DIRECTORY_PATH,
    SNAP_INFO_ENVIRONMENT,
    SNAP_LIST_ARGV,
    SNAP_YAML_PATH,
    flatpak_info_argv,
    flatpak_info_key,
    snap_info_argv,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._sources import (
    SourceCutShort,
    SourceUnavailable,
    find_command,
    list_dir,
    read_attributes,
    read_text,
    run_command,
)

_DMI_DIR = "/sys/class/dmi/id"
_DMI_ATTRIBUTES = (
    "bios_date", "bios_vendor", "bios_version",
    "board_asset_tag", "board_name", "board_serial", "board_vendor", "board_version",
    "chassis_asset_tag", "chassis_serial", "chassis_type", "chassis_vendor", "chassis_version",
    "product_name", "product_serial", "product_sku", "product_uuid", "product_version", "product_family",
    "sys_vendor",
)
_NET_DIR = "/sys/class/net"
# Left once by an installation, and rewritten by nothing after it: the Debian/Ubuntu installer's logs, anaconda's
# kickstart and logs, the machine id (a cloned image makes its own at first boot). Their modification times date the
# installation where no birth time is kept.
_INSTALL_MARKERS = ("/var/log/installer", "/root/anaconda-ks.cfg", "/var/log/anaconda", "/etc/machine-id")
_NET_ATTRIBUTES = ("address", "operstate", "type", "mtu", "speed", "carrier", "flags")


def _first_readable(paths):
    last = None
    for path in paths:
        try:
            return read_text(path)
        except SourceUnavailable as exc:
            last = exc
    raise last


def _dmi():
    if not os.path.isdir(_DMI_DIR):
        raise SourceUnavailable("not found: %s" % _DMI_DIR)
    values = read_attributes(_DMI_DIR, _DMI_ATTRIBUTES)
    # Serial numbers and the UUID are root-only: say so instead of silently omitting.
    refused = [name for name in _DMI_ATTRIBUTES
               if name not in values and os.path.exists(os.path.join(_DMI_DIR, name))]
    return {"attributes": values, "unreadable": refused}


def _network_interfaces():
    interfaces = {}
    for name in list_dir(_NET_DIR):
        base = os.path.join(_NET_DIR, name)
        device = os.path.join(base, "device")
        uevent = None
        physical = os.path.exists(device) and not os.path.isdir(os.path.join("/sys/devices/virtual/net", name))
        if physical:
            try:
                uevent = read_text(os.path.join(device, "uevent"), 65536)
            except SourceUnavailable:
                uevent = None
        interfaces[name] = {
            "attributes": read_attributes(base, _NET_ATTRIBUTES),
            "physical": physical,
            "device_uevent": uevent,
            "wireless": os.path.isdir(os.path.join(base, "wireless")),
            "infiniband_mode": os.path.isfile(os.path.join(base, "mode")),
            "bridge": os.path.isdir(os.path.join(base, "brif")),
            "bonding": os.path.isdir(os.path.join(base, "bonding")),
        }
    return interfaces


def _optional_text(path, max_bytes=65536):
    try:
        return read_text(path, max_bytes)
    except SourceUnavailable:
        return None


def _init_environment(names):
    """Only the named variables of PID 1's environment (it may hold secrets: nothing else leaves the host)."""
    raw = _optional_text("/proc/1/environ")
    if raw is None:
        return None
    wanted = {}
    for item in raw.split("\0"):
        key, sep, value = item.partition("=")
        if sep and key in names:
            wanted[key] = value
    return wanted


def _virtualization():
    """Small facts GLPI Agent's container/hypervisor detection looks at (see ``vmsystem`` on the controller)."""
    facts = {
        "init_environment": _init_environment(("container", "container_uuid")),
        "self_status": _optional_text("/proc/self/status"),
        "wsl_interop": os.path.exists("/proc/sys/fs/binfmt_misc/WSLInterop"),
        "docker_marker": os.path.exists("/.dockerenv") or os.path.exists("/.dockerinit"),
        "proc_xen": os.path.isdir("/proc/xen"),
        "clocksource": _optional_text("/sys/devices/system/clocksource/clocksource0/available_clocksource"),
        "xen_capabilities": _optional_text("/proc/xen/capabilities"),
        "init_cgroup": _optional_text("/proc/1/cgroup"),
        "machine_id": _optional_text("/etc/machine-id"),
        "etc_hostname": _optional_text("/etc/hostname"),
        "container_uuid": _optional_text("/run/host/container-uuid"),
        "nspawn_incoming": os.path.isdir("/run/host/incoming"),
    }
    if facts["nspawn_incoming"]:
        facts["init_mountinfo"] = _optional_text("/proc/1/mountinfo", 1 << 20)
    return facts


def _dmesg(timeout):
    """The kernel ring buffer: /var/log/dmesg when it holds something, else ``dmesg``."""
    try:
        if os.path.getsize("/var/log/dmesg") > 40:
            return read_text("/var/log/dmesg")
    except OSError:
        pass
    return run_command(["dmesg"], timeout)


def _disk_links():
    """``/dev/disk/by-uuid`` and ``by-label``: device -> UUID/label, without running blkid per filesystem."""
    links = {}
    for kind in ("by-uuid", "by-label"):
        directory = os.path.join("/dev/disk", kind)
        entries = {}
        try:
            names = os.listdir(directory)
        except OSError:
            names = []
        for name in names:
            try:
                entries[name] = os.path.realpath(os.path.join(directory, name))
            except OSError:
                continue
        links[kind] = entries
    return links


def _ssh_host_keys():
    """The public host keys of this machine's sshd (what ``ssh-keyscan 127.0.0.1`` would show)."""
    keys = {}
    try:
        names = sorted(os.listdir("/etc/ssh"))
    except OSError:
        raise SourceUnavailable("not found: /etc/ssh")
    for name in names:
        if name.startswith("ssh_host_") and name.endswith("_key.pub"):
            text = _optional_text(os.path.join("/etc/ssh", name))
            if text:
                keys[name] = text
    return keys


def _install_epochs(timeout):
    """Birth times GLPI Agent dates an installation by (dpkg's base-files list, rpm's basesystem, the root fs), and the
    modification times of the installation's markers, for filesystems that keep no birth time (``stat`` prints 0)."""
    epochs = {}
    if find_command("rpm"):
        try:
            epochs["rpm_basesystem"] = run_command(["rpm", "-q", "--queryformat", "%{INSTALLTIME}\n", "basesystem"], timeout)
        except SourceUnavailable:
            pass
    for name, path in (("base_files_list", "/var/lib/dpkg/info/base-files.list"), ("root", "/")):
        if os.path.exists(path):
            try:
                epochs[name] = run_command(["stat", "-c", "%W", path], timeout)
            except SourceUnavailable:
                pass
    markers = {}
    for path in _INSTALL_MARKERS:
        try:
            markers[path] = str(int(os.stat(path).st_mtime))
        except (OSError, ValueError, OverflowError):
            continue
    if markers:
        epochs["markers"] = markers
    return epochs


def _firewall(timeout):
    """``ufw status`` where ufw exists (Ubuntu), else firewalld's unit status, as GLPI Agent checks them."""
    if find_command("ufw"):
        return {"ufw": run_command(["ufw", "status"], timeout)}
    if find_command("systemctl"):
        # systemctl status exits 3 (inactive) or 4 (no such unit): both are answers.
        return {"firewalld": run_command(["systemctl", "status", "--no-pager", "firewalld.service"], timeout, ok_rcs=(0, 1, 2, 3, 4))}
    raise SourceUnavailable("command not found: ufw, systemctl")


def _ps(timeout):
    """Processes with the columns GLPI Agent reads; BusyBox's ps knows no ``-o`` list, so fall back to its own.

    Only a listing in BusyBox's columns (``PID USER ...``) is taken as BusyBox's: procps' plain ``ps`` prints
    ``PID TTY TIME CMD``, and only the session's own processes, so after a failure of procps' ``-o`` listing it
    would be an empty section with nothing to say why.  Then the ``-o`` listing's failure is the source's error.
    A listing a limit cut short (its time-out, its output cap, the deadline) is not run again: its cut is named.
    """
    try:
        return {"format": "posix", "text": run_command(["ps", "-A", "-o", "user,pid,pcpu,pmem,vsz,tty,etime,command"], timeout)}
    except SourceCutShort:
        raise
    except SourceUnavailable as exc:
        if str(exc).startswith("command not found"):
            raise
        failure = exc
    try:
        text = run_command(["ps"], timeout)
    except SourceCutShort:
        raise
    except SourceUnavailable:
        text = ""
    if text.split()[:2] != ["PID", "USER"]:
        raise failure
    return {"format": "busybox", "text": text}


def _dmidecode(timeout):
    """The full ``dmidecode`` dump (memory modules, slots, ports...): it reads /dev/mem, root only."""
    if os.geteuid() != 0:
        raise SourceUnavailable("not found: dmidecode needs root (use become)")
    return run_command(["dmidecode"], timeout)


def _packages(argv, timeout):
    return run_command(list(argv), timeout, env=COMMAND_ENVIRONMENT)


def _apk():
    return _first_readable(APK_INSTALLED_PATHS)


def _slackware():
    return "\n".join(list_dir(SLACKWARE_PACKAGES_DIRECTORY)) + "\n"


def _snaps(timeout):
    """``snap list``, then per snap ``snap info``, its snap.yaml and the date of /snap/<name>."""
    listing = run_command(list(SNAP_LIST_ARGV), timeout, env=COMMAND_ENVIRONMENT)
    infos, yamls, epochs = {}, {}, {}
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 3:
            continue
        name, revision = fields[0], fields[2]
        try:
            infos[name] = run_command(list(snap_info_argv(name)), timeout,
                                      env=dict(COMMAND_ENVIRONMENT, **SNAP_INFO_ENVIRONMENT))
        except SourceUnavailable:
            pass
        text = _optional_text(SNAP_YAML_PATH.format(name=name, revision=revision))
        if text is not None:
            yamls[name] = text
        try:
            epochs[name] = int(os.stat(SNAP_DIRECTORY_PATH.format(name=name)).st_mtime)
        except OSError:
            pass
    return {"list": listing, "infos": infos, "yamls": yamls, "epochs": epochs}


def _flatpaks(timeout):
    """``flatpak list``, then ``flatpak info`` per installed ref."""
    listing = run_command(list(FLATPAK_LIST_ARGV), timeout, env=COMMAND_ENVIRONMENT)
    infos = {}
    for line in listing.splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or not fields[0]:
            continue
        appid, branch, installation = fields[0], fields[1], fields[2]
        try:
            infos[flatpak_info_key(appid, branch, installation)] = run_command(
                list(flatpak_info_argv(appid, branch, installation)), timeout, env=COMMAND_ENVIRONMENT)
        except SourceUnavailable:
            pass
    return {"list": listing, "infos": infos}


def _environment():
    """This session's environment, as ``env`` would print it (GLPI Agent leaves out ``_``)."""
    return {key: value for key, value in os.environ.items() if key != "_"}


def collect(timeout=10, processes=False, envs=False, deadline=None):
    """Gather every Linux source within ``deadline`` seconds (``None``/0: none); return ``(sources, errors, incomplete)``.

    ``processes`` and ``envs`` are opt-in: they change on every run and may hold secrets.
    """
    g = Gatherer(timeout, deadline)
    g.gather("clock", time.time)
    g.gather("uname", uname)
    g.gather("hostname", socket.gethostname)
    g.gather("hostname_fqdn", run_command, ["hostname", "-f"], timeout)
    g.gather("os_release", _first_readable, ["/etc/os-release", "/usr/lib/os-release"])
    g.gather("debian_version", read_text, "/etc/debian_version", optional=True)
    g.gather("centos_release", read_text, "/etc/centos-release", optional=True)
    g.gather("meminfo", read_text, "/proc/meminfo")
    g.gather("cpuinfo", read_text, "/proc/cpuinfo")
    g.gather("proc_stat", read_text, "/proc/stat")
    g.gather("timezone", timezone)
    g.gather("dmi", _dmi, optional=True)
    g.gather("net_interfaces", _network_interfaces)
    g.gather("ip_addr", run_command, ["ip", "addr", "show"], timeout)
    g.gather("wireless", wireless, g.sources.get("net_interfaces"), timeout, optional=True)
    g.gather("ipv4_routes", read_text, "/proc/net/route")
    if "ipv4_routes" not in g.sources:  # hidden on some hardened kernels: ask iproute2 instead
        g.gather("ip_route_default", run_command, ["ip", "-o", "route", "list", "default"], timeout)
    g.gather("resolv_conf", read_text, "/etc/resolv.conf", optional=True)
    g.gather("virtualization", _virtualization)
    g.gather("proc_modules", read_text, "/proc/modules", optional=True)
    g.gather("mounts", read_text, "/proc/mounts")
    g.gather("dmesg", _dmesg, timeout, optional=True)
    g.gather("scsi", read_text, "/proc/scsi/scsi", optional=True)
    g.gather("hostid", run_command, ["hostid"], timeout, optional=True)
    g.gather("install_epochs", _install_epochs, timeout)
    g.gather("ssh_host_keys", _ssh_host_keys, optional=True)
    g.gather("df", run_command, ["df", "-P", "-T", "-k"], timeout, (0, 1))  # rc 1: some filesystem unreadable, the rest listed
    g.gather("disk_links", _disk_links)
    g.gather("passwd", read_text, "/etc/passwd")
    g.gather("group", read_text, "/etc/group")
    g.gather("who", run_command, ["who"], timeout, optional=True)
    g.gather("last", run_command, ["last", "-w"], timeout, optional=True)
    g.gather("firewall", _firewall, timeout, optional=True)
    g.gather("dmidecode", _dmidecode, timeout, optional=True)
    g.gather("storages", storages, timeout)
    g.gather("pci_devices", sysfs_devices, PCI_DIR, PCI_ATTRIBUTES, optional=True)
    g.gather("lspci", run_command, ["lspci", "-v", "-nn"], timeout, optional=True)
    if g.sources.get("pci_devices") or g.sources.get("lspci"):
        g.gather("pci_ids", pci_ids_subset, pci_wanted_ids(g.sources), optional=True)
    # Devices only: interfaces (``1-1:1.0``) and root hubs' ports are no separate device.
    g.gather("usb_devices", usb_devices, optional=True)
    g.gather("edids", display_edids, optional=True)
    if g.sources.get("edids"):
        g.gather("pnp_ids", pnp_ids_subset, g.sources["edids"], optional=True)
    g.gather("power_supplies", power_supplies, optional=True)
    g.gather("lvm", lvm, timeout, optional=True)  # root only: refused without become, and then named
    g.gather("docker", containers, "docker", timeout, optional=True)
    g.gather("podman", containers, "podman", timeout, optional=True)
    g.gather("libvirt", libvirt, timeout, optional=True)
    g.gather("lxc", lxc, timeout, optional=True)
    g.gather("teamviewer", teamviewer, timeout, optional=True)
    g.gather("anydesk", anydesk, optional=True)
    g.gather("rustdesk", rustdesk, timeout, optional=True)
    g.gather("meshcentral", meshcentral, timeout, optional=True)
    g.gather("tacticalrmm", tacticalrmm, timeout, optional=True)
    g.gather("supremo", supremo, timeout, optional=True)
    g.gather("dpkg", _packages, DPKG_ARGV, timeout, optional=True)
    if "dpkg" in g.sources:
        g.gather("lsb_release", run_command, list(LSB_RELEASE_ARGV), timeout, optional=True)
    g.gather("rpm", _packages, RPM_ARGV, timeout, optional=True)
    g.gather("pacman", _packages, PACMAN_ARGV, timeout, optional=True)
    g.gather("apk", _apk, optional=True)
    g.gather("slackware", _slackware, optional=True)
    g.gather("equery", _packages, EQUERY_ARGV, timeout, optional=True)
    g.gather("nix", _packages, NIX_ARGV, timeout, optional=True)
    g.gather("snap", _snaps, timeout, optional=True)
    g.gather("flatpak", _flatpaks, timeout, optional=True)
    if processes:
        g.gather("ps", _ps, timeout)
    if envs:
        g.gather("environment", _environment)
    return g.sources, g.errors, g.incomplete
