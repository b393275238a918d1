# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``glpi-agent`` stand-in replays the real agent's remoteinventory transcript: same stdout, stderr, exit code and files.

The calls (``glpi-agent`` runs and the ``glpi-remote`` calls between them, run by its
stand-in on the same world) run in order, in a shell, as recorded, in a directory
holding the transcript's VAR, OUT and OUT2, from the lab's starting point: no target,
the lab's sshd on 127.0.0.1:2222 whose ``inventory`` user trusts the keys of the lab's
HOME.  The transcript records no clock: each call's clock comes from the time-based
deviceids the real tool printed, and the delay to a remote's next run (the agent draws
it at random within the target's maxdelay) is the recorded one.  The last call, a
``glpi-remote list``, was recorded with its stdout only: its stdout is compared
with runs of spaces collapsed, since the transcript's author replaced the password
(the column widths come from the real one).
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

if not standin.RUNS_TRANSCRIPT.exists():  # pragma: no cover - tests/fixtures/reference is part of the repository
    pytest.fail("fixture %s is missing" % standin.RUNS_TRANSCRIPT, pytrace=False)

CALLS = standin.run_calls()
# 10:17:00 (the failed remote's retry, one hour later: 11:17:00) + 3425 s = the other remote's next run, 11:14:05.
NEXT_RUN_DELAY = 3425


def lab_world():
    return dict(
        targets=[],
        hosts={"127.0.0.1:2222": standin.ssh_host("vm", {"inventory": dict(password=standin.lab_password(), key_homes=[standin.LAB_HOME], uid=1000)},
                                                  known_hosts_homes=[standin.LAB_HOME])},
        resolve={"127.0.0.1": "localhost"},
        agent_bin="/srv/lab/src/glpi-agent/bin/glpi-remote",
        agent_lib=standin.LAB_LIB,
        inc=standin.LAB_INC,
        next_run_delay=NEXT_RUN_DELAY,
    )


def test_transcript_is_read_whole():
    text = standin.RUNS_TRANSCRIPT.read_text()
    assert len(CALLS) + 1 == text.count("\n$ ") and [c["command"].split()[0] for c in CALLS].count("glpi-agent") == 2
    assert [c["files"] for c in CALLS if c["files_dir"]] == [["vm-2026-11-22-09-43-37.json"]] * 2


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    bin_dir = root / "bin"
    standin.install_agent(bin_dir)
    work = root / "work"
    for name in ("VAR", "OUT", "OUT2"):
        (work / name).mkdir(parents=True)
    state = standin.write_world(root / "world.json", lab_world())
    return dict(bin=bin_dir, work=work, state=state, log=root / "log.jsonl", clock=["2026-11-22T09:43:32"])


def run(lab, command):
    env = standin.environment(lab["bin"], lab["state"], log=lab["log"], now=lab["clock"][0], home=standin.LAB_HOME)
    command = re.sub(r"^time ", "", command)
    return subprocess.run(["bash", "-c", command], env=env, cwd=str(lab["work"]), capture_output=True, text=True, check=False, timeout=30)


@pytest.mark.parametrize("number", range(len(CALLS)), ids=["%02d %s" % (i + 1, c["command"][:60]) for i, c in enumerate(CALLS)])
def test_replay(lab, number):
    call = CALLS[number]
    lab["clock"][0] = standin.clock_of(call) or lab["clock"][0]
    proc = run(lab, call["command"])
    assert (proc.stdout, proc.stderr, proc.returncode) == (call["stdout"], call["stderr"], call["rc"])
    if call["files_dir"]:
        directory = lab["work"] / call["files_dir"]
        assert sorted(p.name for p in directory.iterdir()) == call["files"]
        for name in call["files"]:
            document = json.loads((directory / name).read_text())
            assert document["deviceid"] == name[:-len(".json")] and "partial" not in document  # --full


def test_replay_last_list(lab):
    text = standin.RUNS_TRANSCRIPT.read_text()
    match = re.search(r"^\$ (glpi-remote --vardir VAR list)\n(?:--- stdout ---\n)?((?:.*\n?)*)\Z", text, re.M)
    command, recorded = match.groups()
    proc = run(lab, command)
    assert proc.returncode == 0 and proc.stderr == ""
    assert _squeeze(proc.stdout).splitlines() == _squeeze(recorded).splitlines()


def _squeeze(text):
    return re.sub(" {2,}", "  ", text.strip())


def test_log_shows_argv_and_environment(lab):
    entries = [e for e in standin.read_log(lab["log"]) if e.get("tool") == "glpi-agent"]
    assert len(entries) == 3 and all(e["command"] == "run" for e in entries)
    assert entries[2]["argv"][-1] == "--remote=ssh://inventory:********@127.0.0.1:2222" and entries[2]["env"]["HOME"] == standin.LAB_HOME


def agent_run(tmp_path, world, *args, **env_extra):
    bin_dir = tmp_path / "bin"
    path = standin.install_agent(bin_dir)
    state = standin.write_world(tmp_path / "world.json", world)
    env = standin.environment(bin_dir, state, now="2026-11-23T10:00:00", home=standin.LAB_HOME, extra=env_extra)
    proc = subprocess.run([str(path), "--vardir", str(tmp_path)] + list(args), env=env, capture_output=True, text=True, check=False, timeout=30)
    return proc, standin.read_world(state)


def test_version_and_no_target(tmp_path):
    proc, _world = agent_run(tmp_path, dict(agent_version="1.11"), "--version")
    assert (proc.stdout, proc.returncode) == ("GLPI Agent (1.11)\n", 0)
    proc, _world = agent_run(tmp_path, {}, "--tasks", "remoteinventory", "--logger=stderr")
    assert (proc.stderr, proc.returncode) == ("[error] No target defined, aborting\n", 1)


def test_without_full_a_second_inventory_is_partial_and_without_json_xml(tmp_path):
    world = lab_world()
    out = tmp_path / "out"
    out.mkdir()
    remote = "--remote=ssh://inventory@127.0.0.1:2222"
    agent_run(tmp_path, world, "--local", str(out), "--tasks", "remoteinventory", "--json", remote)
    world = standin.read_world(tmp_path / "world.json")
    proc, _world = agent_run(tmp_path, world, "--local", str(out), "--tasks", "remoteinventory", "--json", remote)
    (name,) = [p.name for p in out.iterdir()]
    assert json.loads((out / name).read_text())["partial"] is True, proc.stderr
    proc, _world = agent_run(tmp_path, _world, "--local", str(out), "--tasks", "remoteinventory", remote)
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".xml"]


def test_server_target_sends_and_reports_server_errors(tmp_path):
    world = lab_world()
    world["config"] = dict(server="https://glpi.example.org/")
    proc, after = agent_run(tmp_path, world, "--tasks", "remoteinventory", "--logger=stderr", "--remote=ssh://inventory@127.0.0.1:2222")
    assert proc.returncode == 0 and "[info] New inventory from vm-2026-11-23-10-00-00 for server0\n" in proc.stderr
    assert [s["deviceid"] for s in after["sent"]] == ["vm-2026-11-23-10-00-00"]
    after["server_errors"] = {"https://glpi.example.org/": "Unauthorized"}
    proc, _after = agent_run(tmp_path, after, "--tasks", "remoteinventory", "--remote=ssh://inventory@127.0.0.1:2222")
    assert "[error] [http client] server error: Unauthorized\n" in proc.stderr and proc.returncode == 0
