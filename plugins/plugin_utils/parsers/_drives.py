# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Mounted filesystems (the ``drives`` section) from ``df -P -T -k`` and ``/dev/disk`` links.

Private to the glpiops.glpi collection: no compatibility promise.

GLPI Agent's rules: sizes in MB (KiB // 1024), filesystems with no size or no
free space are skipped (pseudo filesystems), and so are the virtual ones
(``tmpfs``, ``devtmpfs``, ``proc``...) and Docker's ``overlay`` root.
"""

from __future__ import annotations

import re

VIRTUAL_FILESYSTEMS = frozenset(("tmpfs", "devtmpfs", "usbfs", "proc", "devpts", "devshm", "udev"))


def parse_df(text):
    """``df -P -T -k`` -> ``[{volumn, filesystem, total, free, type}]`` (sizes in MB, ``type`` is the mount point)."""
    lines = (text or "").splitlines()
    if not lines or not re.match(r"^Filesystem\s+Type\s", lines[0]):
        return []
    drives = []
    for line in lines[1:]:
        fields = line.split()
        if len(fields) < 7:
            continue
        total, free = fields[2], fields[4]
        if not (total.isdecimal() and free.isdecimal()) or int(total) == 0 or int(free) == 0:
            continue
        drives.append({
            "volumn": fields[0],
            "filesystem": fields[1],
            "total": int(total) // 1024,
            "free": int(free) // 1024,
            # A mount point may hold spaces: everything after the capacity column.
            "type": " ".join(fields[6:]),
        })
    return drives


def drives(df_text, disk_links=None):
    """The ``drives`` section, with filesystem UUID (``serial``) and label from ``/dev/disk/by-*`` when known."""
    by_uuid = {device: uuid for uuid, device in ((disk_links or {}).get("by-uuid") or {}).items()}
    by_label = {device: label for label, device in ((disk_links or {}).get("by-label") or {}).items()}
    section = []
    for drive in parse_df(df_text):
        if drive["filesystem"] in VIRTUAL_FILESYSTEMS or drive["volumn"] == "overlay":
            continue
        if drive["volumn"] in by_uuid:
            drive["serial"] = by_uuid[drive["volumn"]]
        if drive["volumn"] in by_label:
            drive["label"] = _unescape_label(by_label[drive["volumn"]])
        section.append(drive)
    return section


def _unescape_label(name):
    """udev escapes bytes in link names as ``\\xNN`` (``My\\x20Disk``)."""
    try:
        return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), name)
    except (TypeError, ValueError):
        return name
