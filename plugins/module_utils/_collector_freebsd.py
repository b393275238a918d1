# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Collect the raw material of a GLPI inventory on a FreeBSD target, in one pass.

Private to the glpiops.glpi collection: no compatibility promise.

Same shape as the Linux collector, on the same framework (``_collector_unix``): each
source is the raw text of one command or file, parsed on the controller
(``plugin_utils/parsers/_freebsd.py``, ``_dmidecode.py``, ``_packages.py``); a source
that is missing, refused or too slow is dropped alone and named in ``errors``.  ``dmidecode`` and ``mfiutil`` need root.
"""

from __future__ import annotations

import os
import socket
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import Gatherer, timezone, uname
from ansible_collections.glpiops.glpi.plugins.module_utils._package_commands import PKG_INFO_ARGVS
from ansible_collections.glpiops.glpi.plugins.module_utils._sources import SourceUnavailable, read_text, run_command

SYSCTL_NAMES = ("hw.model", "hw.ncpu", "hw.physmem", "hw.machine_arch", "kern.boottime", "kern.hostuuid")


def _first_line_count(text):
    return len([line for line in text.splitlines() if line.strip()])


def _packages(timeout):
    """``pkg_info`` when it lists packages (older FreeBSD, other BSDs), else FreeBSD's ``pkg info``."""
    last = None
    for argv in PKG_INFO_ARGVS:
        try:
            text = run_command(list(argv), timeout)
        except SourceUnavailable as exc:
            last = exc
            continue
        if _first_line_count(text):
            return text
    if last is not None:
        raise last
    return ""


def _dmesg(timeout):
    """The boot messages: /var/run/dmesg.boot (readable by all), else the kernel's buffer."""
    try:
        return read_text("/var/run/dmesg.boot")
    except SourceUnavailable:
        return run_command(["dmesg"], timeout)


def collect(timeout=10, processes=False, envs=False, deadline=None):
    """Gather every FreeBSD source within ``deadline`` seconds; return ``(sources, errors, incomplete)``.

    ``processes`` and ``envs`` are not collected on FreeBSD yet.
    """
    g = Gatherer(timeout, deadline)
    g.gather("clock", time.time)
    g.gather("uname", uname)
    g.gather("hostname", socket.gethostname)
    g.gather("hostname_fqdn", run_command, ["hostname", "-f"], timeout)
    g.gather("timezone", timezone)
    g.gather("os_release", read_text, "/etc/os-release", optional=True)
    g.gather("freebsd_version", run_command, ["freebsd-version"], timeout, optional=True)
    g.gather("sysctl", run_command, ["sysctl"] + list(SYSCTL_NAMES), timeout, (0, 1))  # rc 1: one name unknown, the rest given
    g.gather("geom_confxml", run_command, ["sysctl", "-n", "kern.geom.confxml"], timeout)
    g.gather("dmesg", _dmesg, timeout, optional=True)
    if os.path.exists("/dev/mfi0"):  # an LSI MegaRAID controller (mfi driver): its physical drives
        g.gather("mfiutil", run_command, ["mfiutil", "show", "drives"], timeout, optional=True)
    g.gather("dmidecode", run_command, ["dmidecode"], timeout, optional=True)
    g.gather("ifconfig", run_command, ["ifconfig", "-a"], timeout)
    g.gather("netstat_routes", run_command, ["netstat", "-rn", "-f", "inet"], timeout)
    g.gather("resolv_conf", read_text, "/etc/resolv.conf", optional=True)
    g.gather("df", run_command, ["df", "-P", "-T", "-k"], timeout, (0, 1))
    g.gather("swapctl", run_command, ["swapctl", "-s", "-k"], timeout, optional=True)
    g.gather("pkg_info", _packages, timeout, optional=True)
    return g.sources, g.errors, g.incomplete
