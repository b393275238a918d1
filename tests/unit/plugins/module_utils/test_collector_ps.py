# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``ps`` source of the Linux collector: BusyBox's plain ``ps`` only when ``ps`` is BusyBox's.

Issue 15: the live comparison once wrote a document without ``processes`` and with nothing to say why. A failure
of procps' ``ps -A -o ...`` (an exit status other than 0, a time-out) made the collector run plain ``ps`` as if it
were BusyBox's: procps prints ``PID TTY TIME CMD`` for the session's own processes, no line of which BusyBox's
parser reads, so the section was left out and, the fallback having "succeeded", no error or warning named it.
Each stand-in ``ps`` here fails its ``-o`` listing one way and runs a plain ``ps`` the way one real ``ps`` does.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_linux as linux
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._document import build_inventory

# procps' plain ``ps`` in the collector's session (no terminal): the collector's own processes, no user column.
PROCPS_PLAIN = "    PID TTY          TIME CMD\n   6118 ?        00:00:00 python3\n   6119 ?        00:00:00 ps\n"
BUSYBOX_PLAIN = "  PID USER       VSZ STAT COMMAND\n    1 root      1616 S    /sbin/init\n  412 nobody     12m S    /usr/sbin/dnsmasq -k\n"


@pytest.fixture
def stand_in_ps(tmp_path, monkeypatch):
    """Write ``ps`` (first on PATH): ``with_o`` is the body run for ``ps -A -o ...``, plain ``ps`` prints ``plain``."""
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", "%s:%s" % (directory, os.environ.get("PATH", "")))
    marker = tmp_path / "plain-ps-ran"

    def write(with_o, plain):
        (tmp_path / "plain.txt").write_text(plain)
        script = directory / "ps"
        script.write_text('#!/bin/sh\ncase " $* " in\n  *" -o "*) %s ;;\nesac\n: > "%s"\nexec cat "%s"\n'
                          % (with_o, marker, tmp_path / "plain.txt"))
        script.chmod(0o755)
        return marker
    return write


def _gather_ps(timeout=10):
    g = linux.Gatherer(timeout)
    g.gather("ps", linux._ps, timeout)  # pylint: disable=protected-access
    return g


def _document(g):
    collected = dict(sources=dict(g.sources, clock=1795420800.5), errors=g.errors, incomplete=g.incomplete, os_family="linux")
    return build_inventory(collected, "host-x")


def test_a_failing_procps_ps_is_an_error_not_an_empty_busybox_listing(stand_in_ps):
    stand_in_ps('echo "fatal library error, reap" >&2; exit 1', PROCPS_PLAIN)
    g = _gather_ps()
    assert "ps" not in g.sources and g.incomplete == {}
    assert g.errors == {"ps": "ps exited with rc 1: fatal library error, reap"}
    document, warnings = _document(g)
    assert "processes" not in document["content"]
    assert "ps: ps exited with rc 1: fatal library error, reap" in warnings  # what the live test's diagnostics print


def test_a_timed_out_ps_is_cut_short_and_named_not_run_again_as_busybox(stand_in_ps):
    plain_ran = stand_in_ps("exec sleep 100", PROCPS_PLAIN)
    g = _gather_ps(timeout=1)
    assert "ps" not in g.sources and g.errors == {}
    assert g.incomplete == {"ps": "ps timed out after 1s"}
    assert not plain_ran.exists()
    warnings = _document(g)[1]
    assert "the inventory is incomplete: ps (ps timed out after 1s)" in warnings


def test_busybox_ps_refusing_the_o_list_still_gives_its_own_listing(stand_in_ps):
    stand_in_ps('echo "ps: invalid option -- \'A\'" >&2; exit 1', BUSYBOX_PLAIN)
    g = _gather_ps()
    assert g.errors == {} and g.incomplete == {}
    assert g.sources["ps"] == {"format": "busybox", "text": BUSYBOX_PLAIN}
    document, warnings = _document(g)
    assert [p["pid"] for p in document["content"]["processes"]] == [1, 412] and warnings == []


def test_the_collection_deadline_skips_ps_and_says_so():
    g = linux.Gatherer(10, deadline=0.001)
    while not g.limits.passed():
        pass
    g.gather("ps", linux._ps, 10)  # pylint: disable=protected-access
    assert g.incomplete == {"ps": "skipped: collection deadline of 0.001 s passed"}
    assert "the inventory is incomplete: ps (skipped: collection deadline of 0.001 s passed)" in _document(g)[1]


def test_a_ps_listing_no_line_of_which_is_read_is_a_warning_not_a_silent_drop(collected_debian_vm):
    collected = dict(collected_debian_vm, sources=dict(collected_debian_vm["sources"], ps={"format": "busybox", "text": PROCPS_PLAIN}))
    document, warnings = build_inventory(collected, "host-x")
    assert "processes" not in document["content"]
    assert any(w.startswith("processes: section dropped") and "no line of the busybox ps listing" in w for w in warnings), warnings
    # An empty listing (a header alone) is no failure: nothing to say.
    collected["sources"]["ps"] = {"format": "posix", "text": "USER PID %CPU %MEM VSZ TT ELAPSED COMMAND\n"}
    assert not [w for w in build_inventory(collected, "host-x")[1] if w.startswith("processes")]
