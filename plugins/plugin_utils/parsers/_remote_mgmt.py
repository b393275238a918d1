# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``remote_mgmt`` section: the ids of the remote-control tools installed on the target.

Private to the glpiops.glpi collection: no compatibility promise.

As GLPI Agent on Linux: AnyDesk's id is the ``ad.anynet.id=`` line of each readable
``/etc/anydesk_ad_*/system.conf`` and of ``/etc/anydesk/system.conf`` (the collector
ships only those lines: the files hold keys too); TeamViewer's is the ``TeamViewer ID:``
line of ``teamviewer --info`` and SupRemo's the ``SupRemo ID:`` line of ``supremo --info``
(their labels come wrapped in terminal colour codes); RustDesk's the ``id = '...'`` of
root's ``RustDesk.toml``, else what ``rustdesk --get-id`` prints (RustDesk 1.2.2 and
later); Tactical RMM's the ``agentid`` of ``/etc/tacticalagent``, with the agent's
version; MeshCentral's what its agent's ``-nodeid`` prints.

The agent's patterns want a blank after a TeamViewer or SupRemo id; here the end of
the line does too.  For MeshCentral the agent takes the unit file's first line for the
program to run (its pattern is ignored there), so it finds no id on Linux; here the
``ExecStart`` program is asked.
"""

from __future__ import annotations

import re

# The collector's sources, one per tool.
TOOLS = ("anydesk", "meshcentral", "rustdesk", "supremo", "tacticalrmm", "teamviewer")
_ANYDESK_ID = re.compile(r"^ad\.anynet\.id=(\S+)")
_TEAMVIEWER_ID = re.compile(r"TeamViewer ID:(?:\x1b\[0m|\s)*(\d+)(?:\s|$)")
_SUPREMO_ID = re.compile(r"SupRemo ID:(?:\x1b\[0m|\s)*(\d+)(?:\s|$)")


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


def _id_on_a_line(text, pattern, kind):
    if not isinstance(text, str):
        return []
    for line in text.splitlines():
        match = pattern.search(line)
        if match:
            return [{"id": match.group(1), "type": kind}]
    return []


def teamviewer_id(text):
    """``teamviewer --info`` -> ``[{"id": ..., "type": "teamviewer"}]`` or ``[]``."""
    return _id_on_a_line(text, _TEAMVIEWER_ID, "teamviewer")


def supremo_id(text):
    """``supremo --info`` -> ``[{"id": ..., "type": "supremo"}]`` or ``[]``."""
    return _id_on_a_line(text, _SUPREMO_ID, "supremo")


def _first_line(text):
    lines = text.splitlines() if isinstance(text, str) else []
    return lines[0] if lines else ""


def rustdesk_id(raw):
    """The collector's ``rustdesk`` source (``{"config": id lines, "version": text, "get_id": text}``) -> entry list."""
    if not isinstance(raw, dict):
        return []
    for line in raw.get("config").splitlines() if isinstance(raw.get("config"), str) else []:
        match = re.match(r"^id\s*=\s*'(.*)'$", line)
        if match:
            if match.group(1):
                return [{"id": match.group(1), "type": "rustdesk"}]
            break
    version = re.match(r"^(\d+)\.(\d+)\.(\d+)", _first_line(raw.get("version")))
    if not version or tuple(int(part) for part in version.groups()) < (1, 2, 2):
        return []
    for line in raw.get("get_id").splitlines() if isinstance(raw.get("get_id"), str) else []:
        if re.match(r"^\d+$", line):
            return [{"id": line, "type": "rustdesk"}]
    return []


def meshcentral_id(raw):
    """The collector's ``meshcentral`` source (``{"exec": program, "nodeid": its -nodeid output}``) -> entry list."""
    node = _first_line(raw.get("nodeid")) if isinstance(raw, dict) else ""
    return [{"id": node, "type": "meshcentral"}] if node else []


def tacticalrmm_id(raw):
    """The collector's ``tacticalrmm`` source (``{"agentid": id, "version": --version output}``) -> entry list."""
    if not isinstance(raw, dict):
        return []
    agent = raw.get("agentid")
    agent = str(agent) if isinstance(agent, (str, int)) and not isinstance(agent, bool) else ""
    if not agent:
        return []
    entry = {"id": agent, "type": "tacticalrmm"}
    version = re.search(r"Tactical RMM Agent:\s+([0-9.]+)", _first_line(raw.get("version")).strip(), re.IGNORECASE)
    if version:
        entry["version"] = version.group(1)
    return [entry]


def remote_mgmt(raw):
    """The collector's remote-control sources (``{"anydesk": [[path, text], ...], "teamviewer": text, "supremo": text,
    "rustdesk": {...}, "meshcentral": {...}, "tacticalrmm": {...}}``) -> the section."""
    if not isinstance(raw, dict):
        return []
    return (anydesk_ids(raw.get("anydesk")) + meshcentral_id(raw.get("meshcentral")) + rustdesk_id(raw.get("rustdesk"))
            + supremo_id(raw.get("supremo")) + tacticalrmm_id(raw.get("tacticalrmm")) + teamviewer_id(raw.get("teamviewer")))
