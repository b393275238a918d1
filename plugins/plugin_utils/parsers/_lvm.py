# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``physical_volumes``, ``volume_groups`` and ``logical_volumes`` sections from LVM's report commands.

Private to the glpiops.glpi collection: no compatibility promise.

GLPI Agent's Linux LVM module runs ``pvs``, ``vgs`` and ``lvs`` with ``--noheading
--nosuffix --units M`` and a fixed column list (``PVS_ARGV``... in
``module_utils/_collector_extras``; ``M`` is LVM's SI megabyte); sizes are whole MB
(truncated), ``vg_extent_size`` stays the text LVM printed, a physical volume's
``pe_size`` is its size divided by its extent count.  The commands need root.

With the agent's ``--units M`` LVM writes plain numbers; should a size carry LVM's
rounding mark (``<15846.08``, its ``r`` units), the number is kept here, where the
agent's Perl ``int`` would give 0.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[<>]?(\d{1,24}(?:\.\d{0,6})?)$", re.ASCII)


def _megabytes(value):
    """``"15846.08"`` (or, rounded, ``"<15846.08"``) -> 15846; ``None`` when no size."""
    match = _NUMBER.match(value or "")
    return int(float(match.group(1))) if match else None


def _count(value):
    return int(value) if re.match(r"^\d{1,18}$", value or "", re.ASCII) else None


def _rows(text, minimum, maximum):
    """The whitespace-separated fields of each report line that has between ``minimum`` and ``maximum`` of them."""
    if not isinstance(text, str):
        return []
    rows = []
    for line in text.splitlines():
        fields = line.split()
        if minimum <= len(fields) <= maximum:
            rows.append(fields)
    return rows


def _clean(entry):
    return {key: value for key, value in entry.items() if value is not None and value != ""}


def physical_volumes(text):
    """``pvs`` (``PVS_ARGV``) -> GLPI's ``physical_volumes``; a volume outside any group has no ``vg_uuid``."""
    volumes = []
    for fields in _rows(text, 7, 8):
        size, count = _megabytes(fields[3]), _count(fields[6])
        volumes.append(_clean({
            "device": fields[0],
            "format": fields[1],
            "attr": fields[2],
            "size": size,
            "free": _megabytes(fields[4]),
            "pv_uuid": fields[5],
            "pv_pe_count": count,
            "pe_size": int(float(_NUMBER.match(fields[3]).group(1)) / count) if size is not None and count else None,
            "vg_uuid": fields[7] if len(fields) > 7 else None,
        }))
    return volumes


def volume_groups(text):
    """``vgs`` (``VGS_ARGV``) -> GLPI's ``volume_groups``."""
    groups = []
    for fields in _rows(text, 8, 8):
        groups.append(_clean({
            "vg_name": fields[0],
            "pv_count": _count(fields[1]),
            "lv_count": _count(fields[2]),
            "attr": fields[3],
            "size": _megabytes(fields[4]),
            "free": _megabytes(fields[5]),
            "vg_uuid": fields[6],
            "vg_extent_size": fields[7],
        }))
    return groups


def logical_volumes(text):
    """``lvs -a`` (``LVS_ARGV``) -> GLPI's ``logical_volumes`` (hidden volumes such as ``[lvol0_pmspare]`` too)."""
    volumes = []
    for fields in _rows(text, 6, 6):
        volumes.append(_clean({
            "lv_name": fields[0],
            "vg_uuid": fields[1],
            "attr": fields[2],
            "size": _megabytes(fields[3]),
            "lv_uuid": fields[4],
            "seg_count": _count(fields[5]),
        }))
    return volumes
