# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every operating system's inventory assembly reads the same way from the collected sources.

Private to the glpiops.glpi collection: no compatibility promise.  Pure functions, no I/O: the target's text
of one source, its host name, its clock and UTC offset (GLPI's datetimes are the target's local time), its
parsed ``dmidecode`` dump, and the shared value helpers every section builder uses.
"""

from __future__ import annotations

import datetime
import functools
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode


def text_of(sources, name):
    """The collected text of source ``name``; ``""`` when the target gave none (or not a string)."""
    value = sources.get(name)
    return value if isinstance(value, str) else ""


def integer(value):
    """``value`` as an int (``"12.0"`` -> 12); ``None`` when it is no number."""
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def clean(section):
    """Drop empty values: GLPI's schemas type every field, and ``None`` is no string."""
    return {key: value for key, value in section.items() if value is not None and value != ""}


def short_hostname(sources):
    name = text_of(sources, "hostname").strip() or (sources.get("uname") or {}).get("nodename", "")
    return name.split(".", 1)[0] if name and not re.match(r"^[\d.]+$", name) else name


def target_offset_seconds(sources):
    """The target's UTC offset (``+0200`` -> 7200), 0 when unknown."""
    offset = (sources.get("timezone") or {}).get("offset") or ""
    match = re.match(r"^([+-])(\d{2})(\d{2})$", offset)
    if not match:
        return 0
    seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
    return -seconds if match.group(1) == "-" else seconds


def format_target_time(epoch, sources):
    """An epoch as ``YYYY-MM-DD HH:MM:SS`` in the target's local time (GLPI's datetime)."""
    if epoch is None:
        return None
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    moment += datetime.timedelta(seconds=target_offset_seconds(sources))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@functools.lru_cache(maxsize=4)
def _dmidecode_tables_of(text):
    tables = _dmidecode.parse_dmidecode(text)
    return tables if _dmidecode.dmidecode_is_usable(tables) else None


def dmidecode_tables(sources):
    """The parsed ``dmidecode`` dump when the target gave a usable one (root), else ``None``."""
    text = sources.get("dmidecode")
    return _dmidecode_tables_of(text) if isinstance(text, str) and text else None


def target_clock(sources, default=None):
    """The target's own clock when the collector read it (epoch), else ``default``."""
    clock = sources.get("clock")
    return clock if isinstance(clock, (int, float)) and not isinstance(clock, bool) and clock > 0 else default


def from_dmidecode(builder):
    """A section builder that applies ``builder`` to the target's dmidecode tables (``None`` without a usable dump)."""
    def build(sources):
        tables = dmidecode_tables(sources)
        return builder(tables) if tables else None
    build.__doc__ = "The section from the target's dmidecode dump (root only)."
    return build
