# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Collect the raw material of a GLPI inventory on a macOS target, in one pass.

Private to the glpiops.glpi collection: no compatibility promise.

Same shape as the Linux collector, on the same framework (``_collector_unix``): each
source is the raw text of one command or file, parsed on the controller
(``plugin_utils/parsers/_macos.py``); a source that is missing, refused or too slow is
dropped alone and named in ``errors``.  Nothing here needs root: ``system_profiler`` and ``ioreg`` give serial numbers to any user.
"""

from __future__ import annotations

import socket
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import Gatherer, timezone, uname
from ansible_collections.glpiops.glpi.plugins.module_utils._sources import SourceUnavailable, read_text, run_command

SYSTEM_PROFILER = "/usr/sbin/system_profiler"
# The text data types the controller reads (one run: hardware, OS, memory slots, graphics, battery/charger).
SYSTEM_PROFILER_TEXT_TYPES = ("SPHardwareDataType", "SPSoftwareDataType", "SPMemoryDataType", "SPDisplaysDataType", "SPPowerDataType")
# Storage data types, read in their -xml form as GLPI Agent does.
SYSTEM_PROFILER_STORAGE_TYPES = ("SPSerialATADataType", "SPDiscBurningDataType", "SPCardReaderDataType", "SPUSBDataType",
                                 "SPFireWireDataType")
# ioreg classes of the displays (screens), as GLPI Agent asks for them.
DISPLAY_CLASSES = ("AppleBacklightDisplay", "AppleDisplay", "AppleCLCD2")
# USB devices: IOUSBDevice before macOS 10.11's new USB stack, IOUSBHostDevice since.
USB_CLASSES = ("IOUSBDevice", "IOUSBHostDevice")


def _ioreg_classes(classes, options, timeout):
    outputs = {}
    reasons = []
    for name in classes:
        try:
            outputs[name] = run_command(["ioreg", "-c", name] + list(options), timeout)
        except SourceUnavailable as exc:
            reasons.append(str(exc))
    if not outputs and reasons:
        raise SourceUnavailable(reasons[0])
    return outputs


def _storages(timeout):
    outputs = {}
    for name in SYSTEM_PROFILER_STORAGE_TYPES:
        try:
            outputs[name] = run_command([SYSTEM_PROFILER, "-xml", name], timeout)
        except SourceUnavailable:
            continue
    if not outputs:
        raise SourceUnavailable("system_profiler gave no storage data type")
    return outputs


def collect(timeout=10, processes=False, envs=False, deadline=None):
    """Gather every macOS source within ``deadline`` seconds; return ``(sources, errors, incomplete)``.

    ``processes`` and ``envs`` are not collected on macOS yet.
    """
    g = Gatherer(timeout, deadline)
    slow = max(timeout, 1) * 6  # system_profiler walks the disks and the applications: give it more time
    g.gather("clock", time.time)
    g.gather("uname", uname)
    g.gather("hostname", socket.gethostname)
    g.gather("hostname_fqdn", run_command, ["hostname", "-f"], timeout)
    g.gather("timezone", timezone)
    g.gather("sw_vers", run_command, ["sw_vers"], timeout)
    g.gather("system_profiler", run_command, [SYSTEM_PROFILER] + list(SYSTEM_PROFILER_TEXT_TYPES), slow)
    g.gather("system_profiler_applications", run_command, [SYSTEM_PROFILER, "-xml", "SPApplicationsDataType"], slow)
    g.gather("system_profiler_storages", _storages, slow)
    g.gather("sysctl_cpu", run_command, ["sysctl", "machdep.cpu"], timeout)
    g.gather("sysctl", run_command, ["sysctl", "kern.boottime", "hw.memsize", "vm.swapusage"], timeout)
    g.gather("ioreg_platform", run_command, ["ioreg", "-c", "IOPlatformExpertDevice", "-d", "2"], timeout)
    g.gather("ioreg_usb", _ioreg_classes, USB_CLASSES, ("-r", "-l", "-w0", "-d1"), timeout)
    g.gather("ioreg_displays", _ioreg_classes, DISPLAY_CLASSES, ("-r", "-lw0", "-d", "1"), timeout)
    g.gather("ifconfig", run_command, ["ifconfig", "-a"], timeout)
    g.gather("networksetup", run_command, ["networksetup", "-listallhardwareports"], timeout, optional=True)
    g.gather("netstat_routes", run_command, ["netstat", "-rn", "-f", "inet"], timeout)
    g.gather("resolv_conf", read_text, "/etc/resolv.conf", optional=True)
    g.gather("df", run_command, ["df", "-P", "-k"], timeout, (0, 1))  # rc 1: some filesystem unreadable, the rest listed
    g.gather("mount", run_command, ["mount"], timeout)
    return g.sources, g.errors, g.incomplete
