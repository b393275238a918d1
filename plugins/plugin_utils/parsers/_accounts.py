# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Local users and groups, logged-in users and the last logged user of a Unix host.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions over ``/etc/passwd``, ``/etc/group``, ``who`` and ``last -w``
output, with GLPI Agent's rules: a group is listed when it has members, and the
users whose primary group it is count among them.
"""

from __future__ import annotations

import re

_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)", re.IGNORECASE)


def parse_passwd(text):
    """``/etc/passwd`` -> ``[{login, id, gid, name, home, shell}]`` (``+``/``-`` NIS inclusions skipped)."""
    users = []
    for line in (text or "").splitlines():
        if not line or line.startswith(("#", "+", "-")):
            continue
        fields = line.split(":")
        if len(fields) < 7 or not fields[0]:
            continue
        users.append({"login": fields[0], "id": fields[2], "gid": fields[3], "name": fields[4], "home": fields[5],
                      "shell": fields[6]})
    return users


def parse_group(text):
    """``/etc/group`` -> ``[{name, id, members}]`` for every well-formed line."""
    groups = []
    for line in (text or "").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split(":")
        if len(fields) < 4 or not fields[0]:
            continue
        members = [member for member in fields[3].split(",") if member]
        groups.append({"name": fields[0], "id": fields[2], "members": members})
    return groups


def local_users(passwd_text):
    """The ``local_users`` section."""
    section = []
    for user in parse_passwd(passwd_text):
        # An empty GECOS stays an empty name, as GLPI Agent sends it.
        entry = {key: user[key] for key in ("login", "id", "name", "home", "shell") if user[key] != "" or key == "name"}
        section.append(entry)
    return section


def local_groups(passwd_text, group_text):
    """The ``local_groups`` section: groups with listed members, plus the users whose primary group it is."""
    primary = {}
    for user in parse_passwd(passwd_text):
        primary.setdefault(user["gid"], []).append(user["login"])
    section = []
    for group in parse_group(group_text):
        if not group["members"]:
            continue
        members = group["members"] + [login for login in primary.get(group["id"], []) if login not in group["members"]]
        section.append({"id": group["id"], "name": group["name"], "members": members})
    return section


def logged_users(who_text):
    """The ``users`` section: each login ``who`` shows, once."""
    seen = []
    for line in (who_text or "").splitlines():
        match = re.match(r"^(\S+)", line)
        if match and match.group(1) not in seen:
            seen.append(match.group(1))
    return [{"login": login} for login in seen]


def last_logged_user(last_text, connection_user=None):
    """``(login, "Tue May 20 10:02")`` of the newest ``last -w`` session, or ``(None, None)``.

    ``reboot``/``shutdown``/``runlevel`` pseudo-sessions and the trailing ``wtmp begins ...`` line are not users.
    Neither is ``connection_user``, the account Ansible logs in with: its sessions are the automation's own, so
    the newest login of anyone else is the one reported, and none when only that account logged in.
    """
    for line in (last_text or "").splitlines():
        fields = line.split()
        if not fields or fields[0] in ("reboot", "shutdown", "runlevel", "wtmp", "btmp", "wtmpdb"):
            continue
        if connection_user and fields[0] == connection_user:
            continue
        login, rest = fields[0], fields[1:]
        while len(rest) > 3 and not _WEEKDAY.match(rest[0]):
            rest = rest[1:]
        return login, (" ".join(rest[:4]) if len(rest) > 3 else None)
    return None, None
