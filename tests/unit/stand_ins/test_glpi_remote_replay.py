# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``glpi-remote`` stand-in replays the real tool's transcript: same stdout, stderr and exit code for every call.

The calls run in order from the lab's starting point (one ``local0`` target, the lab's
sshd, nothing on the WinRM port), in a shell, as recorded, with only the vardir
moved to a temporary directory.

One recorded output cannot come from the tool's single ``printf`` format: in
``list targets`` the header's ``url/path`` column is one character wider than the
row below it (the lab path was likely shortened when the transcript was written
down).  Those two calls are compared with runs of spaces collapsed, and the
stand-in's own columns are checked to line up.  The transcript does not record a clock per call:
each call's clock is taken from the time-based deviceid the real tool printed.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

if not standin.TRANSCRIPT.exists():  # pragma: no cover - tests/fixtures/reference is part of the repository
    pytest.fail("fixture %s is missing" % standin.TRANSCRIPT, pytrace=False)

CALLS = standin.transcript_calls()


def test_transcript_is_read_whole():
    text = standin.TRANSCRIPT.read_text()
    assert len(CALLS) == text.count("\n$ ") + text.startswith("$ ") and len(CALLS) >= 30


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    bin_dir = root / "bin"
    standin.install(bin_dir)
    vardir = root / "agent-var"
    vardir.mkdir()
    state = standin.write_world(root / "world.json", standin.lab_world())
    return dict(bin=bin_dir, vardir=vardir, state=state, log=root / "log.jsonl", clock=["2026-11-22T09:43:32"])


@pytest.mark.parametrize("number", range(len(CALLS)), ids=["%02d %s" % (i + 1, c["command"][:60]) for i, c in enumerate(CALLS)])
def test_replay(lab, number):
    call = CALLS[number]
    lab["clock"][0] = standin.clock_of(call) or lab["clock"][0]
    env = standin.environment(lab["bin"], lab["state"], log=lab["log"], now=lab["clock"][0], home=standin.LAB_HOME)
    command = call["command"].replace(standin.LAB_VARDIR, str(lab["vardir"]))
    proc = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, check=False, timeout=30)
    if command.endswith(" list targets"):
        header, row = proc.stdout.splitlines()
        assert header.index("maxdelay") == row.index("3600")
        assert (_squeeze(proc.stdout), proc.stderr, proc.returncode) == (_squeeze(call["stdout"]), call["stderr"], call["rc"])
    else:
        assert (proc.stdout, proc.stderr, proc.returncode) == (call["stdout"], call["stderr"], call["rc"])


def _squeeze(text):
    return re.sub(" {2,}", "  ", text)


def test_ssh_readd_without_check_is_a_duplicate_unless_the_url_names_the_deviceid(tmp_path):
    bin_dir = tmp_path / "bin"
    standin.install(bin_dir)
    state = standin.write_world(tmp_path / "world.json", standin.lab_world())

    def add(url, now):
        env = standin.environment(bin_dir, state, now=now, home=standin.LAB_HOME)
        return subprocess.run(["glpi-remote", "--vardir", str(tmp_path), "add", url, "-C", "--target", "local0"],
                              env=env, capture_output=True, text=True, check=True).stdout

    assert add("ssh://inventory@127.0.0.1:2222", "2026-11-22T10:00:00") == "Added localhost-2026-11-22-10-00-00 remote agent to local0\n"
    assert add("ssh://inventory@127.0.0.1:2222", "2026-11-22T10:00:05") == "Added localhost-2026-11-22-10-00-05 remote agent to local0\n"
    url = "ssh://inventory@127.0.0.1:2222?deviceid=localhost-2026-11-22-10-00-00"
    assert add(url, "2026-11-22T10:00:09") == "Updated localhost-2026-11-22-10-00-00 remote agent for local0\n"
    assert sorted(standin.read_world(state)["targets"][0]["remotes"]) == ["localhost-2026-11-22-10-00-00", "localhost-2026-11-22-10-00-05"]


def test_log_shows_the_process_argv_and_environment(tmp_path):
    bin_dir = tmp_path / "bin"
    path = standin.install(bin_dir)
    state = standin.write_world(tmp_path / "world.json", standin.lab_world())
    log = tmp_path / "log.jsonl"
    env = standin.environment(bin_dir, state, log=log, extra=dict(MARKER="x1"))
    subprocess.run([str(path), "--vardir", str(tmp_path), "list"], env=env, capture_output=True, check=True)
    (entry,) = standin.read_log(log)
    assert entry["argv"][-3:] == ["--vardir", str(tmp_path), "list"] and entry["env"]["MARKER"] == "x1"
    assert entry["command"] == "list"
