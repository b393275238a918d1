# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The opt-in ``processes`` and ``envs`` sections.

Private to the glpiops.glpi collection: no compatibility promise.

``ps -A -o user,pid,pcpu,pmem,vsz,tty,etime,command`` as GLPI Agent runs it (or
BusyBox's plain ``ps``), and the environment of the connection's session.
"""

from __future__ import annotations

import re

_POSIX_LINE = re.compile(r"^\s*(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S.*?)\s*$")
_BUSYBOX_LINE = re.compile(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S.*?)\s*$")


def elapsed_seconds(etime):
    """``ps`` etime ``[[dd-]hh:]mm:ss`` -> seconds, or ``None``."""
    match = re.match(r"^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)$", etime or "")
    if not match:
        return None
    days, hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _vsz_kib(value):
    """BusyBox prints ``12m``/``1g`` for large sizes; plain numbers are KiB."""
    match = re.match(r"^(\d+)([mg]?)$", value or "", re.IGNORECASE)
    if not match:
        return None
    return int(match.group(1)) * {"": 1, "m": 1024, "g": 1024 * 1024}[match.group(2).lower()]


def parse_ps(ps, format_started=None):
    """``{"format": "posix"|"busybox", "text": ...}`` -> the ``processes`` section.

    ``format_started(seconds_ago)`` turns an elapsed time into the section's ``started`` datetime (the caller
    knows the target's clock and time zone); without it ``started`` is left out.
    """
    if not isinstance(ps, dict) or not isinstance(ps.get("text"), str):
        return []
    lines = ps["text"].splitlines()[1:]
    processes = []
    if ps.get("format") == "busybox":
        for line in lines:
            match = _BUSYBOX_LINE.match(line)
            if match:
                processes.append(_clean({"pid": int(match.group(1)), "user": match.group(2),
                                         "virtualmemory": _vsz_kib(match.group(3)), "cmd": match.group(4)}))
        return processes
    for line in lines:
        match = _POSIX_LINE.match(line)
        if not match:
            continue
        user, pid, cpu, mem, vsz, tty, etime, cmd = match.groups()
        seconds = elapsed_seconds(etime)
        processes.append(_clean({
            "user": user, "pid": int(pid), "cpuusage": cpu, "mem": mem, "virtualmemory": int(vsz), "tty": tty,
            "started": format_started(seconds) if format_started and seconds is not None else None,
            "cmd": cmd,
        }))
    return processes


def environment_variables(environment):
    """``{name: value}`` -> the ``envs`` section, sorted by name like the agent."""
    if not isinstance(environment, dict):
        return []
    return [{"key": str(key), "val": str(value)} for key, value in sorted(environment.items(), key=lambda kv: str(kv[0]))
            if key != "_" and value is not None]


def _clean(entry):
    return {key: value for key, value in entry.items() if value is not None and value != ""}
