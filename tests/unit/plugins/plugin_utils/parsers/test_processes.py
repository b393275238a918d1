# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The opt-in processes and envs sections."""

from __future__ import annotations

import copy

from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _processes as pr

PS = """USER       PID %CPU %MEM    VSZ TT           ELAPSED COMMAND
root         1  0.2  0.0  45412 ?           05:33:08 /process_api --firecracker-init --addr 0.0.0.0:2024
root         2  0.0  0.0      0 ?         2-01:00:00 [kthreadd]
alice     4242 12.5  1.1 215324 pts/0          00:07 vim notes.txt
"""
BUSYBOX = """PID   USER     VSZ STAT COMMAND
    1 root      1616 S    /sbin/init
  412 nobody     12m S    /usr/sbin/dnsmasq -k
"""


def test_posix_ps_like_the_agent():
    processes = pr.parse_ps({"format": "posix", "text": PS}, lambda seconds: "t-%d" % seconds)
    assert processes[0] == {"user": "root", "pid": 1, "cpuusage": "0.2", "mem": "0.0", "virtualmemory": 45412, "tty": "?",
                            "started": "t-%d" % (5 * 3600 + 33 * 60 + 8), "cmd": "/process_api --firecracker-init --addr 0.0.0.0:2024"}
    assert processes[1]["started"] == "t-%d" % (2 * 86400 + 3600)
    assert processes[2]["cmd"] == "vim notes.txt" and processes[2]["tty"] == "pts/0"


def test_busybox_ps():
    assert pr.parse_ps({"format": "busybox", "text": BUSYBOX}) == [
        {"pid": 1, "user": "root", "virtualmemory": 1616, "cmd": "/sbin/init"},
        {"pid": 412, "user": "nobody", "virtualmemory": 12288, "cmd": "/usr/sbin/dnsmasq -k"},
    ]


def test_elapsed_seconds():
    assert pr.elapsed_seconds("00:07") == 7
    assert pr.elapsed_seconds("1:02:03") == 3723
    assert pr.elapsed_seconds("3-00:00:01") == 259201
    assert pr.elapsed_seconds("bogus") is None


def test_sections_only_when_collected(collected_debian_vm, assert_valid_inventory):
    content = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]
    assert "processes" not in content and "envs" not in content
    collected = copy.deepcopy(collected_debian_vm)
    collected["sources"].update(ps={"format": "posix", "text": PS}, environment={"LANG": "C.UTF-8", "_": "/usr/bin/python3", "EMPTY": ""},
                                clock=1795420800.5)
    document = inv.build_inventory(collected, "vm-x")[0]
    assert_valid_inventory(document)
    assert document["content"]["envs"] == [{"key": "EMPTY", "val": ""}, {"key": "LANG", "val": "C.UTF-8"}]
    assert document["content"]["processes"][2]["started"] == "2026-11-23 07:59:53"
    # The target's clock dates the run.
    assert document["content"]["accesslog"] == {"logdate": "2026-11-23 08:00:00"}


@settings(max_examples=100, deadline=None)
@given(st.text(), st.sampled_from(["posix", "busybox", None]))
def test_never_raises(text, kind):
    assert isinstance(pr.parse_ps({"format": kind, "text": PS.splitlines()[0] + "\n" + text}, lambda s: "x"), list)
    assert isinstance(pr.environment_variables({text: text}), list)
