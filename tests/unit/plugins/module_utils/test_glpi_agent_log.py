# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure glpi-agent helpers of _glpi_remote_output: version, remoteinventory log lines, per-remote outcomes, on the recorded transcript."""

from __future__ import annotations

import pathlib
import random
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote_output as o
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote_url as u

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

CALLS = standin.run_calls()  # tests/fixtures/reference/glpi-agent/remoteinventory-transcript.txt (a missing one fails)

# The transcript's second agent run (two registered remotes, one unreachable), as recorded.
TWO_WORKERS = """[info] target local0: local OUT
[info] running task RemoteInventory
[error] Remoteinventory worker[1] failed to handle ssh://nobody:****@127.0.0.1:2299
[warning] You should execute remote inventory as super-user on remote host
[info] [worker 2] vm-2026-11-22-09-43-37, New inventory from vm-2026-11-22-09-43-37 for local0
[info] [worker 2] vm-2026-11-22-09-43-37, Inventory saved in OUT/vm-2026-11-22-09-43-37.json
"""
SINGLE = """[info] target local0: local OUT2
[info] running task RemoteInventory
[warning] You should execute remote inventory as super-user on remote host
[info] New inventory from vm-2026-11-22-09-43-37 for local0
[info] Inventory saved in OUT2/vm-2026-11-22-09-43-37.json
"""
STORED = [dict(deviceid="localhost-2026-11-22-10-17-00", url="ssh://nobody:x@127.0.0.1:2299", target="local0"),
          dict(deviceid="vm-2026-11-22-09-43-37", url="ssh://inventory:S3cret@127.0.0.1:2222", target="local0")]


def test_the_recorded_runs_are_the_ones_tested_here():
    agent_runs = [c["stderr"] for c in CALLS if c["command"].split()[0] in ("glpi-agent", "time")]
    assert agent_runs[1:] == [TWO_WORKERS, SINGLE]


def test_version():
    assert o.parse_agent_version("GLPI Agent (1.12-dev)\n") == dict(provider="GLPI", version="1.12-dev", numbers=(1, 12))
    assert o.supports_remote_inventory(o.parse_agent_version("GLPI Agent (1.0)"))
    assert not o.supports_remote_inventory(o.parse_agent_version("FusionInventory Agent (2.6)\n"))
    assert not o.supports_remote_inventory(o.parse_agent_version("GLPI Agent (0.9)"))
    assert o.parse_agent_version("garbage") is None and not o.supports_remote_inventory(None)


def test_log_with_workers():
    log = o.parse_agent_log(TWO_WORKERS)
    assert log["targets"] == [dict(id="local0", type="local", location="OUT")]
    assert log["inventories"] == [dict(deviceid="vm-2026-11-22-09-43-37", target="local0", worker=2, tag=None,
                                       file="OUT/vm-2026-11-22-09-43-37.json", errors=[])]
    assert log["failures"] == [dict(worker=1, url="ssh://nobody:****@127.0.0.1:2299")]
    assert log["warnings"] == ["[warning] You should execute remote inventory as super-user on remote host"]
    assert log["errors"] == [] and not log["no_target"]


def test_log_of_a_single_remote_tags_and_server_errors():
    log = o.parse_agent_log(SINGLE)
    assert [(i["deviceid"], i["worker"], i["file"]) for i in log["inventories"]] == [("vm-2026-11-22-09-43-37", None, "OUT2/vm-2026-11-22-09-43-37.json")]
    log = o.parse_agent_log("[info] target server0: server https://glpi/\n[info] New inventory from a-1 for server0 (tag=paris)\n"
                            "[error] [http client] server error: Unauthorized\n")
    assert log["inventories"][0]["tag"] == "paris" and log["inventories"][0]["errors"] == ["[http client] server error: Unauthorized"]
    log = o.parse_agent_log("[info] [worker 1] a-1, New inventory from a-1 for server0\n[info] [worker 2] b-2, New inventory from b-2 for server0\n"
                            "[error] [worker 1] a-1, [http client] server error: 500\n")
    assert [i["errors"] for i in log["inventories"]] == [["[http client] server error: 500"], []]
    assert o.parse_agent_log("[error] No target defined, aborting\n")["no_target"]


def test_outcomes_of_the_recorded_run():
    outcomes = o.remote_outcomes(STORED, o.parse_agent_log(TWO_WORKERS), ["OUT/vm-2026-11-22-09-43-37.json"])
    assert outcomes == [
        dict(deviceid="vm-2026-11-22-09-43-37", target="local0", url="ssh://inventory:********@127.0.0.1:2222", status="ok",
             file="OUT/vm-2026-11-22-09-43-37.json", message="inventory saved in OUT/vm-2026-11-22-09-43-37.json"),
        dict(deviceid="localhost-2026-11-22-10-17-00", target="local0", url="ssh://nobody:********@127.0.0.1:2299", status="failed", file=None,
             message="Remoteinventory worker[1] failed to handle ssh://nobody:********@127.0.0.1:2299"),
    ]


def test_outcomes_check_the_files_and_find_silent_failures():
    log = o.parse_agent_log(TWO_WORKERS)
    outcomes = o.remote_outcomes(STORED, log, [])
    assert outcomes[0]["status"] == "failed" and "no such file" in outcomes[0]["message"]
    # A single remote that fails leaves no line at info level.
    (outcome,) = o.remote_outcomes([STORED[0]], o.parse_agent_log("[info] target local0: local OUT\n[info] running task RemoteInventory\n"))
    assert outcome["status"] == "failed" and "--debug" in outcome["message"] and outcome["url"] == "ssh://nobody:********@127.0.0.1:2299"


def test_an_adhoc_remote_gets_the_deviceid_the_agent_found():
    adhoc = [dict(deviceid=None, url="ssh://inventory:S3cret@127.0.0.1:2222", target="local0")]
    (outcome,) = o.remote_outcomes(adhoc, o.parse_agent_log(SINGLE), ["OUT2/vm-2026-11-22-09-43-37.json"])
    assert (outcome["deviceid"], outcome["status"], outcome["url"]) == ("vm-2026-11-22-09-43-37", "ok", "ssh://inventory:********@127.0.0.1:2222")


def test_a_server_target_needs_no_file():
    log = o.parse_agent_log("[info] target server0: server https://glpi/\n[info] New inventory from vm-1 for server0\n")
    (outcome,) = o.remote_outcomes([dict(deviceid="vm-1", url="ssh://h", target="server0")], log)
    assert (outcome["status"], outcome["message"], outcome["file"]) == ("ok", "inventory sent to server0", None)


def test_with_deviceid():
    assert u.with_deviceid("ssh://u:p@h:22", "h-1") == "ssh://u:p@h:22?deviceid=h-1"
    assert u.with_deviceid("ssh://h?mode=ssh", "h-1") == "ssh://h?mode=ssh&deviceid=h-1"
    assert u.with_deviceid("winrm://h:5986", "h-1") == "winrm://h:5986/?deviceid=h-1"
    assert u.with_deviceid("ssh://h?deviceid=x-1", "h-1") == "ssh://h?deviceid=x-1"
    assert u.parse_url(u.with_deviceid("winrm://a:b@h:5986/?mode=ssl", "h-1"))["deviceid"] == "h-1"


def _check_shapes(log, outcomes):
    assert isinstance(log, dict) and set(log) == {"targets", "inventories", "failures", "errors", "warnings", "no_target"}
    for inventory in log["inventories"]:
        assert isinstance(inventory["deviceid"], str) and isinstance(inventory["errors"], list)
    for outcome in outcomes:
        assert outcome["status"] in ("ok", "failed") and isinstance(outcome["message"], str)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
                      st.lists(st.sampled_from(TWO_WORKERS.splitlines() + SINGLE.splitlines() + ["[error] x", "[info] [worker 3] , New"]),
                               max_size=12).map("\n".join)))
def test_parser_survives_random_text(text):
    log = o.parse_agent_log(text)
    _check_shapes(log, o.remote_outcomes(STORED, log, ["OUT/vm-2026-11-22-09-43-37.json"]))
    o.parse_agent_version(text)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), cut=st.floats(0, 1), flips=st.integers(0, 8))
def test_parser_survives_mutated_recordings(seed, cut, flips):
    rng = random.Random(seed)
    data = bytearray(rng.choice([TWO_WORKERS, SINGLE]).encode())
    data = data[:int(len(data) * cut) or len(data)]
    for _unused_flip in range(flips):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    lines = data.decode("utf-8", "replace").splitlines()
    rng.shuffle(lines)
    log = o.parse_agent_log("\n".join(lines))
    _check_shapes(log, o.remote_outcomes(STORED, log, ["OUT/vm-2026-11-22-09-43-37.json"]))


def test_parsers_take_non_text():
    assert o.parse_agent_log(None)["inventories"] == [] and o.parse_agent_version(b"x") is None
    assert o.remote_outcomes(None, o.parse_agent_log(None)) == []
