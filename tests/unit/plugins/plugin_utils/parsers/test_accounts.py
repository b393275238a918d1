# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""local_users, local_groups, users and the last logged user, with GLPI Agent's rules."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _accounts as a

PASSWD = """root:x:0:0:root:/root:/bin/bash
# a comment
+nisuser::::::
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
postgres:x:105:111:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash
alice:x:1000:1000::/home/alice:/bin/sh
broken line
"""
GROUP = """root:x:0:
ssl-cert:x:103:postgres
postgres:x:111:
alice:x:1000:
wheel:x:10:alice,bob
"""


def test_local_users_keep_gecos_and_skip_comments_and_nis_lines():
    users = a.local_users(PASSWD)
    assert [u["login"] for u in users] == ["root", "daemon", "postgres", "alice"]
    assert users[2] == {"login": "postgres", "id": "105", "name": "PostgreSQL administrator,,,",
                        "home": "/var/lib/postgresql", "shell": "/bin/bash"}
    assert users[3]["name"] == ""  # an empty GECOS is sent as an empty name, like GLPI Agent


def test_local_groups_only_with_members_plus_primary_members():
    groups = a.local_groups(PASSWD, GROUP)
    # GLPI Agent lists a group only when /etc/group names members; users whose primary group it is are added.
    assert groups == [
        {"id": "103", "name": "ssl-cert", "members": ["postgres"]},
        {"id": "10", "name": "wheel", "members": ["alice", "bob"]},
    ]
    passwd = PASSWD + "carol:x:1001:10::/home/carol:/bin/sh\n"
    assert a.local_groups(passwd, GROUP)[1]["members"] == ["alice", "bob", "carol"]


def test_logged_users_once_each():
    who = "alice    pts/0        2026-11-23 07:01 (10.0.0.5)\nalice    pts/1        2026-11-23 07:02\nroot     tty1   2026-11-23 06:00\n"
    assert a.logged_users(who) == [{"login": "alice"}, {"login": "root"}]
    assert a.logged_users("") == []


def test_last_logged_user_skips_reboots_and_the_wtmp_line():
    last = ("reboot   system boot  6.1.0-18-amd64   Mon Nov 23 06:59   still running\n"
            "alice    pts/0        10.0.0.5         Mon Nov 23 07:11   still logged in\n"
            "\nwtmp begins Tue May 20 00:00:00 2025\n")
    assert a.last_logged_user(last) == ("alice", "Mon Nov 23 07:11")
    # An empty wtmp: GLPI Agent reports the user "wtmp"; this collection reports nothing (docs/inventory.md).
    assert a.last_logged_user("\nwtmp begins Tue May 20 00:00:00 2025\n") == (None, None)


def test_last_logged_user_is_not_the_account_ansible_logs_in_with():
    last = ("deploy   pts/1        10.0.0.9         Mon Nov 23 09:15   still logged in\n"
            "runlevel (to lvl 5)   6.1.0-18-amd64   Mon Nov 23 08:00 - 09:20  (01:20)\n"
            "alice    tty1                          Mon Nov 23 07:11 - 07:40  (00:29)\n"
            "deploy   pts/0        10.0.0.9         Mon Nov 23 07:03 - 07:04  (00:00)\n")
    assert a.last_logged_user(last, connection_user="deploy") == ("alice", "Mon Nov 23 07:11")
    assert a.last_logged_user(last) == ("deploy", "Mon Nov 23 09:15")
    # Only the automation account logged in: no interactive user to report (docs/inventory.md).
    assert a.last_logged_user("deploy pts/0 10.0.0.9 Mon Nov 23 07:03 - 07:04 (00:00)\n", "deploy") == (None, None)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parsers_never_raise(text):
    assert isinstance(a.local_users(text), list)
    assert isinstance(a.local_groups(text, text), list)
    assert isinstance(a.logged_users(text), list)
    assert isinstance(a.last_logged_user(text), tuple)
