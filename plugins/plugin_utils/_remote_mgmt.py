# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``remote_mgmt`` section: the ids of the remote-control tools installed on the target.

Private to the glpiops.glpi collection: no compatibility promise.

As GLPI Agent on Linux: AnyDesk's id is the ``ad.anynet.id=`` line of each readable
``/etc/anydesk_ad_*/system.conf`` and of ``/etc/anydesk/system.conf`` (the collector
ships only those lines: the files hold keys too); TeamViewer's is the ``TeamViewer ID:``
line of ``teamviewer --info`` (its labels come wrapped in terminal colour codes).
The agent's pattern wants a blank after the digits; here the end of the line does too.
"""

from __future__ import annotations

import re

_ANYDESK_ID = re.compile(r"^ad\.anynet\.id=(\S+)")
_TEAMVIEWER_ID = re.compile(r"TeamViewer ID:(?:\x1b\[0m|\s)*(\d+)(?:\s|$)")


def anydesk_ids(configs):
    """``[(path, text)]`` in the agent's order -> ``[{"id": ..., "type": "anydesk"}]``, one per file that has an id."""
    entries = []
    for item in configs if isinstance(configs, (list, tuple)) else []:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], str)):
            continue
        for line in item[1].splitlines():
            match = _ANYDESK_ID.match(line)
            if match:
                entries.append({"id": match.group(1), "type": "anydesk"})
                break
    return entries


def teamviewer_id(text):
    """``teamviewer --info`` -> ``[{"id": ..., "type": "teamviewer"}]`` or ``[]``."""
    if not isinstance(text, str):
        return []
    for line in text.splitlines():
        match = _TEAMVIEWER_ID.search(line)
        if match:
            return [{"id": match.group(1), "type": "teamviewer"}]
    return []


def remote_mgmt(raw):
    """The collector's ``remote_mgmt`` source (``{"anydesk": [[path, text], ...], "teamviewer": text}``) -> the section."""
    if not isinstance(raw, dict):
        return []
    return anydesk_ids(raw.get("anydesk")) + teamviewer_id(raw.get("teamviewer"))
