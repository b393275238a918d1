# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Target-side primitives: every source has its own time limit and fails alone."""

from __future__ import annotations

import os
import sys
import time

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _sources as s
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import Gatherer


def test_run_command_returns_stdout_in_the_c_locale():
    out = s.run_command([sys.executable, "-c", "import os; print(os.environ['LC_ALL'])"], timeout=10)
    assert out == "C\n"


def test_run_command_times_out_and_kills_the_process():
    with pytest.raises(s.SourceUnavailable, match=r"timed out after 0.5s"):
        s.run_command([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


def test_run_command_missing_command():
    with pytest.raises(s.SourceUnavailable, match="command not found: no-such-command-glpiops"):
        s.run_command(["no-such-command-glpiops"], timeout=5)


def test_run_command_failure_quotes_the_last_stderr_line():
    with pytest.raises(s.SourceUnavailable, match=r"exited with rc 3: boom"):
        s.run_command([sys.executable, "-c", "import sys; sys.stderr.write('x\\nboom\\n'); sys.exit(3)"], timeout=5)


def test_control_characters_of_stderr_are_escaped():
    with pytest.raises(s.SourceUnavailable) as failure:
        s.run_command([sys.executable, "-c", "import sys; sys.stderr.write('\\x1b[2Jgone\\n'); sys.exit(1)"], timeout=10)
    assert str(failure.value).endswith(": \\x1b[2Jgone")


def test_the_gatherer_escapes_the_control_characters_of_every_reason():
    def refused():
        raise s.SourceUnavailable("dmesg: read kernel buffer failed: \x1b[2J\x1b]0;owned\x07")

    def broken():
        raise ValueError("bad line '\x1b[31m'")

    def cut():
        raise s.Limits().cut("smartctl \x9b2J timed out after 1s")

    g = Gatherer(timeout=1)
    g.gather("dmesg", refused)
    g.gather("lspci", broken)
    g.gather("storages", cut)
    assert g.errors == {"dmesg": "dmesg: read kernel buffer failed: \\x1b[2J\\x1b]0;owned\\x07",
                        "lspci": "unexpected ValueError: bad line '\\x1b[31m'"}
    assert g.incomplete == {"storages": "smartctl \\x9b2J timed out after 1s"}  # not among its limits' cuts: named all the same


def test_read_text_missing_file(tmp_path):
    with pytest.raises(s.SourceUnavailable, match="not found"):
        s.read_text(str(tmp_path / "absent"))


def test_a_file_larger_than_the_cap_is_cut_short_not_silently_truncated(tmp_path):
    path = tmp_path / "installed"
    path.write_bytes(b"P:musl\n" * 10)
    assert s.read_text(str(path), 70) == "P:musl\n" * 10
    with pytest.raises(s.SourceCutShort, match=r"installed larger than 69 bytes: cut short$"):
        s.read_text(str(path), 69)
    assert s.read_text(str(path), 9, whole=False) == "P:musl\nP:"  # a reader that wants the head says so
    g = Gatherer(timeout=1)
    g.gather("apk", s.read_text, str(path), 69, optional=True)
    assert "apk" not in g.sources and g.incomplete["apk"].endswith("installed larger than 69 bytes: cut short")


def test_read_attributes_skips_unreadable(tmp_path):
    (tmp_path / "address").write_text("02:fc:00:00:00:01\n")
    (tmp_path / "speed").mkdir()  # reading a directory fails like sysfs' EINVAL does
    assert s.read_attributes(str(tmp_path), ["address", "speed", "absent"]) == {"address": "02:fc:00:00:00:01"}


def test_gatherer_keeps_each_source_or_its_reason():
    g = Gatherer(timeout=5)
    g.gather("ok", lambda: "value")
    g.gather("refused", s.read_text, "/proc/self/no-such-file")
    g.gather("optional", s.read_text, "/proc/self/no-such-file", optional=True)
    g.gather("bug", lambda: 1 / 0)
    assert g.sources == {"ok": "value"}
    assert set(g.errors) == {"refused", "bug"}
    assert g.errors["bug"].startswith("unexpected ZeroDivisionError")


# --- a fake-PATH target: commands that flood, hang, or leave a child holding their output --------------------------

def _fake_command(directory, name, body, interpreter="/bin/sh"):
    """Write an executable ``name`` into ``directory`` (put first on PATH by the tests that run it by name)."""
    path = directory / name
    path.write_text("#!%s\n%s\n" % (interpreter, body))
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def fake_path(tmp_path, monkeypatch):
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", "%s:%s" % (directory, os.environ.get("PATH", "")))
    return directory


def _alive(pid):
    """Whether ``pid`` still runs (a zombie waiting for a reaper does not)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _gone_soon(pid, within=10):
    ends = time.monotonic() + within
    while _alive(pid) and time.monotonic() < ends:
        time.sleep(0.05)
    return not _alive(pid)


# The child leaves the command's session and process group, keeps stdout open and sleeps.
_SETSID_CHILD = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    with open(sys.argv[1] + ".tmp", "w") as handle:
        handle.write(str(os.getpid()))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(100)
    os._exit(0)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
sys.stdout.write("ok\\n")
sys.stdout.flush()
if sys.argv[2] == "hang":
    time.sleep(100)
"""


def test_output_larger_than_the_cap_is_cut_short_and_the_command_killed(fake_path):
    _fake_command(fake_path, "lspci", "head -c 200000000 /dev/zero")
    started = time.monotonic()
    with pytest.raises(s.SourceCutShort, match=r"^lspci output larger than 33554432 bytes: cut short$"):
        s.run_command(["lspci", "-v", "-nn"], timeout=300)
    assert time.monotonic() - started < 60  # hang guard: the whole output is 200 MB, never read to its end


def test_the_output_cap_is_an_argument_and_counts_stderr_too(fake_path):
    _fake_command(fake_path, "chatty", "head -c 5000 /dev/zero; head -c 5000 /dev/zero >&2")
    assert len(s.run_command(["chatty"], timeout=30, max_output=5000, max_errors=5000)) == 5000
    with pytest.raises(s.SourceCutShort, match=r"chatty output larger than 4999 bytes"):
        s.run_command(["chatty"], timeout=30, max_output=4999)
    with pytest.raises(s.SourceCutShort, match=r"chatty error output larger than 1000 bytes"):
        s.run_command(["chatty"], timeout=30, max_errors=1000)


def test_a_hanging_command_is_cut_short_by_its_time_out(fake_path):
    _fake_command(fake_path, "dmidecode", "exec sleep 100")
    with pytest.raises(s.SourceCutShort, match=r"^dmidecode timed out after 1s$"):
        s.run_command(["dmidecode"], timeout=1)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="finding the holders of a pipe needs Linux's /proc")
def test_a_child_that_left_the_session_is_killed_with_the_timed_out_command(fake_path, tmp_path):
    command = _fake_command(fake_path, "lsblk", _SETSID_CHILD, interpreter=sys.executable)
    pid_file = tmp_path / "child.pid"
    started = time.monotonic()
    with pytest.raises(s.SourceCutShort, match="timed out after 2s"):
        s.run_command([command, str(pid_file), "hang"], timeout=2)
    assert time.monotonic() - started < 60  # hang guard: the child would keep stdout open for 100 s
    assert _gone_soon(int(pid_file.read_text()))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="finding the holders of a pipe needs Linux's /proc")
def test_a_daemonized_child_holding_stdout_does_not_hold_up_a_finished_command(fake_path, tmp_path):
    command = _fake_command(fake_path, "lsblk", _SETSID_CHILD, interpreter=sys.executable)
    pid_file = tmp_path / "child.pid"
    assert s.run_command([command, str(pid_file), "exit"], timeout=30) == "ok\n"  # not "timed out" waiting for EOF
    assert _gone_soon(int(pid_file.read_text()))


def test_stdin_is_fed_and_closed(fake_path):
    _fake_command(fake_path, "upper", "tr a-z A-Z")
    data = b"abc\n" * 100000  # more than a pipe buffer
    assert s.run_command(["upper"], timeout=30, stdin_data=data) == "ABC\n" * 100000


def test_the_collection_deadline_shortens_a_command_and_then_skips_the_next(fake_path):
    _fake_command(fake_path, "virsh", "exec sleep 100")
    limits = s.Limits(1)
    with pytest.raises(s.SourceCutShort, match=r"^virsh cut short: collection deadline of 1 s passed$"):
        s.run_command(["virsh", "list"], timeout=30, limits=limits)
    with pytest.raises(s.SourceCutShort, match=r"^virsh skipped: collection deadline of 1 s passed$"):
        s.run_command(["virsh", "list"], timeout=30, limits=limits)
    assert len(limits.cuts) == 2


# --- the collection's deadline ------------------------------------------------------------------------------------

def test_34_hanging_tools_are_bounded_by_the_collection_deadline(fake_path):
    names = ["tool%02d" % number for number in range(34)]
    for name in names:
        _fake_command(fake_path, name, "exec sleep 100")
    g = Gatherer(timeout=2, deadline=3)
    started = time.monotonic()
    for name in names:
        g.gather(name, s.run_command, [name], g.timeout, optional=True)
    assert time.monotonic() - started < 60  # hang guard: 34 tools times 2 s would take 68 s
    assert g.sources == {} and g.errors == {}
    assert sorted(g.incomplete) == names  # optional, yet named: they exist, they were cut short
    assert g.incomplete["tool00"] == "tool00 timed out after 2s"
    assert g.incomplete["tool01"] == "tool01 cut short: collection deadline of 3 s passed"
    assert all(g.incomplete[name] == "skipped: collection deadline of 3 s passed" for name in names[2:])


def test_a_source_that_swallowed_a_cut_is_kept_and_named_incomplete(fake_path):
    _fake_command(fake_path, "smartctl", "exec sleep 100")
    _fake_command(fake_path, "hdparm", "echo fine")

    def per_disk():
        found = {}
        for tool in ("smartctl", "hdparm"):
            try:
                found[tool] = s.run_command([tool], 1)
            except s.SourceUnavailable:
                continue
        return found

    g = Gatherer(timeout=1)
    g.gather("storages", per_disk)
    assert g.sources == {"storages": {"hdparm": "fine\n"}}
    assert g.incomplete == {"storages": "smartctl timed out after 1s"} and g.errors == {}


def test_many_cuts_of_one_source_are_summed_up():
    g = Gatherer(timeout=1, deadline=0.001)
    time.sleep(0.01)
    g.gather("snap", lambda: None)
    assert g.incomplete == {"snap": "skipped: collection deadline of 0.001 s passed"}
    g = Gatherer(timeout=1)

    def five_cuts():
        for disk in "abcde":
            g.limits.cut("smartctl /dev/sd%s timed out after 1s" % disk)

    g.gather("storages", five_cuts)
    assert g.incomplete["storages"] == ("smartctl /dev/sda timed out after 1s; smartctl /dev/sdb timed out after 1s; "
                                        "smartctl /dev/sdc timed out after 1s; and 2 more")


def test_no_deadline_with_0_or_none():
    for deadline in (0, None):
        g = Gatherer(timeout=1, deadline=deadline)
        assert g.limits.remaining() is None and not g.limits.passed()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="runs the Linux collector on this machine")
def test_the_linux_collector_stops_at_its_deadline_and_names_what_it_skipped(fake_path):
    from ansible_collections.glpiops.glpi.plugins.module_utils._collector_linux import collect

    for name in ("hostname", "ip"):
        _fake_command(fake_path, name, "exec sleep 100")
    started = time.monotonic()
    sources, errors, incomplete = collect(timeout=2, deadline=3)
    assert time.monotonic() - started < 60  # hang guard
    assert {"uname", "meminfo", "os_release"} <= set(sources)
    assert incomplete["hostname_fqdn"] == "hostname timed out after 2s"
    assert incomplete["ip_addr"] == "ip cut short: collection deadline of 3 s passed"
    for name in ("df", "lspci", "dpkg", "rpm", "storages", "snap"):
        assert incomplete[name] == "skipped: collection deadline of 3 s passed"
        assert name not in sources and name not in errors
