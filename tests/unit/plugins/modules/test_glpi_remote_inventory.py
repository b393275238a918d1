# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpi_remote_inventory's decisions, run against the glpi-agent and glpi-remote stand-ins (no Ansible run: see tests/integration)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote as g
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote_url as u
from ansible_collections.glpiops.glpi.plugins.modules import glpi_remote_inventory as m

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

PASSWORD = "S3c:r@t/%!x"
HOME = "/home/collector"


class FakeModule(object):
    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode
        self.warnings = []
        self.no_log_values = set()

    def warn(self, text):
        self.warnings.append(text)


class Collector(object):
    """The stand-ins with server0 and local0 (remotes web01, db01 of server0, lab of local0) and the hosts they reach."""

    def __init__(self, tmp_path, version="1.11"):
        self.bin = tmp_path / "bin"
        self.agent_path = standin.install_agent(self.bin)
        self.local0 = tmp_path / "local0"
        self.local0.mkdir()
        server0 = standin.target("server0", "server")
        local0 = standin.target("local0", "local", str(self.local0))
        server0["remotes"] = {
            "web01-1": dict(deviceid="web01-1", url="ssh://inventory:%s@web01" % u.escape(PASSWORD), protocol="ssh", expiration=0),
            "db01-1": dict(deviceid="db01-1", url="ssh://inventory@db01", protocol="ssh", expiration=0),
        }
        local0["remotes"] = {"lab-1": dict(deviceid="lab-1", url="ssh://inventory@lab", protocol="ssh", expiration=0)}
        world = dict(
            agent_version=version,
            config=dict(server="https://glpi.example.org/", local=str(self.local0)),
            targets=[server0, local0],
            hosts={"web01:22": standin.ssh_host("web01", {"inventory": dict(password=PASSWORD, uid=0, deviceid="web01-1")}),
                   "db01:22": standin.ssh_host("db01", {"inventory": dict(key_homes=[HOME], uid=0, deviceid="db01-1")}),
                   "lab:22": standin.ssh_host("lab", {"inventory": dict(key_homes=[HOME], uid=0, deviceid="lab-1")}),
                   "adhoc:2222": standin.ssh_host("adhoc", {"inventory": dict(password=PASSWORD, uid=0, deviceid="adhoc-7")})},
        )
        self.state = standin.write_world(tmp_path / "world.json", world)
        self.log = tmp_path / "log.jsonl"
        self.env = standin.environment(self.bin, self.state, log=self.log, now="2026-11-23T10:00:00", home=HOME)
        self.vardir = tmp_path
        self.out = tmp_path / "out"
        self.out.mkdir()

    def runner(self, argv, stdin):
        proc = subprocess.run(argv, input=stdin or b"", env=self.env, capture_output=True, check=False, timeout=30)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def tool(self, cls, path):
        return cls(self.runner, str(path), vardir=str(self.vardir), perl=g.perl_from_shebang(g.read_first_line(str(path))))

    def run(self, check_mode=False, **values):
        params = {name: spec.get("default") for name, spec in m.argument_spec().items()}
        params.update(values)
        module = FakeModule(params, check_mode)
        agent = self.tool(g.GlpiAgent, self.agent_path)
        result = m.run(module, agent, lambda: self.tool(g.GlpiRemote, self.bin / "glpi-remote"))
        return result, module

    def world(self):
        return standin.read_world(self.state)

    def agent_runs(self):
        return [e for e in standin.read_log(self.log) if e.get("tool") == "glpi-agent" and e["command"] == "run"]


@pytest.fixture
def collector(tmp_path):
    return Collector(tmp_path)


def test_one_target_to_its_server(collector):
    result, module = collector.run(target="server0")
    assert result["changed"] and [(r["deviceid"], r["status"], r["message"]) for r in result["remotes"]] == [
        ("db01-1", "ok", "inventory sent to server0"), ("web01-1", "ok", "inventory sent to server0")]
    assert result["command"] == ["--tasks", "remoteinventory", "--logger", "stderr", "--local=,", "--server", "https://glpi.example.org/"]
    assert sorted(s["deviceid"] for s in collector.world()["sent"]) == ["db01-1", "web01-1"] and not module.warnings
    assert list(collector.local0.iterdir()) == []


def test_one_target_to_its_directory_and_return_inventory(collector):
    result, _module = collector.run(target="local0", return_inventory=True)
    (remote,) = result["remotes"]
    assert remote["status"] == "ok" and remote["file"] == str(collector.local0 / "lab-1.xml")
    assert result["inventories"]["lab-1"].startswith("<?xml")


def test_a_document_larger_than_the_cap_is_not_returned(collector, monkeypatch):
    document = collector.local0 / "lab-1.xml"
    monkeypatch.setattr(m, "DOCUMENT_MAX", 100)
    result, module = collector.run(target="local0", return_inventory=True)
    assert document.stat().st_size > 100 and result["inventories"] == {"lab-1": None}
    assert module.warnings == ["%s holds more than 100 bytes: not returned in inventories (the file itself is kept)" % document]


def test_every_target_by_default(collector):
    result, _module = collector.run()
    assert sorted((r["deviceid"], r["target"]) for r in result["remotes"]) == [("db01-1", "server0"), ("lab-1", "local0"), ("web01-1", "server0")]
    assert "--server" not in result["command"] and "--local" not in result["command"]


def test_deviceids_into_local_path_with_complete_json(collector):
    result, _module = collector.run(deviceid=["web01-1", "lab-1"], local_path=str(collector.out), return_inventory=True)
    assert sorted((r["deviceid"], r["status"], r["target"]) for r in result["remotes"]) == [("lab-1", "ok", "local0"), ("web01-1", "ok", "local0")]
    assert sorted(p.name for p in collector.out.iterdir()) == ["lab-1.json", "web01-1.json"]
    assert result["inventories"]["web01-1"]["content"]["hardware"]["name"] == "web01" and "partial" not in result["inventories"]["web01-1"]
    assert "sent" not in collector.world()  # --server=, switched the server off
    remote_arg = result["command"][result["command"].index("--remote") + 1]
    assert remote_arg == "ssh://inventory:********@web01?deviceid=web01-1,ssh://inventory@lab?deviceid=lab-1"
    for entry in collector.agent_runs():
        assert PASSWORD not in json.dumps(entry) and u.escape(PASSWORD) not in json.dumps(entry)
        assert entry["argv"] == [str(collector.agent_path)]


def test_adhoc_remote_with_password_never_in_argv(collector):
    result, module = collector.run(host="adhoc", port=2222, username="inventory", password=PASSWORD, local_path=str(collector.out))
    (remote,) = result["remotes"]
    assert (remote["deviceid"], remote["status"], remote["url"]) == ("adhoc-7", "ok", "ssh://inventory:********@adhoc:2222")
    assert PASSWORD in module.no_log_values and u.escape(PASSWORD) in module.no_log_values
    text = json.dumps(result)
    assert PASSWORD not in text and u.escape(PASSWORD) not in text
    log = standin.read_log(collector.log)
    assert log and all(PASSWORD not in " ".join(e["argv"]) and u.escape(PASSWORD) not in " ".join(e["argv"]) for e in log)
    assert all(u.escape(PASSWORD) not in " ".join("%s=%s" % kv for kv in e["env"].items()) for e in log)
    assert collector.world()["targets"][1]["remotes"].keys() == {"lab-1"}  # not registered


def test_adhoc_without_target_needs_one(collector):
    with pytest.raises(g.GlpiRemoteError, match="set target or local_path: GLPI Agent has more than one target"):
        collector.run(url="ssh://inventory@adhoc:2222")
    result, _module = collector.run(url="ssh://inventory@db01", target="server0")
    assert [(r["deviceid"], r["status"]) for r in result["remotes"]] == [("db01-1", "ok")]


def test_partial_failure_is_a_warning_and_fail_on_error_fails(collector):
    world = collector.world()
    del world["hosts"]["db01:22"]
    standin.write_world(collector.state, world)
    result, module = collector.run(target="server0")
    assert result["changed"] and [r["status"] for r in result["remotes"]] == ["ok", "failed"]
    assert result["remotes"][1]["message"] == "Remoteinventory worker[1] failed to handle ssh://inventory@db01"
    assert module.warnings == ["db01-1: Remoteinventory worker[1] failed to handle ssh://inventory@db01"]
    with pytest.raises(g.GlpiRemoteError, match="1 of 2 remotes failed") as error:
        collector.run(target="server0", fail_on_error=True)
    assert error.value.result["remotes"][1]["deviceid"] == "db01-1"


def test_every_remote_failed_fails(collector):
    world = collector.world()
    world["hosts"] = {}
    standin.write_world(collector.state, world)
    with pytest.raises(g.GlpiRemoteError, match="every remote failed: lab-1: GLPI Agent produced no inventory"):
        collector.run(target="local0")


def test_check_mode_runs_no_inventory(collector):
    result, _module = collector.run(check_mode=True, deviceid=["web01-1"], local_path=str(collector.out))
    assert result["changed"] and [(r["deviceid"], r["status"]) for r in result["remotes"]] == [("web01-1", "pending")]
    assert "ssh://inventory:********@web01?deviceid=web01-1" in result["command"]
    assert collector.agent_runs() == [] and list(collector.out.iterdir()) == []


def test_options_reach_the_agent(collector):
    result, _module = collector.run(target="local0", remote_workers=4, timeout=30, force=True)
    assert result["command"][-5:] == ["--remote-workers", "4", "--timeout", "30", "--force"]


@pytest.mark.parametrize("values, words", [
    (dict(target="server9"), "No such 'server9' target available to handle remotes (targets: local0, server0)"),
    (dict(deviceid=["nosuch-1"]), "No such remote: nosuch-1"),
    (dict(deviceid=["web01-1", "lab-1"]), "the remotes belong to targets local0, server0"),
    (dict(url="winrms://h"), "unsupported protocol 'winrms'"),
    (dict(host="h", mode=["ssl"]), "mode ssl does not apply to ssh"),
    (dict(url="ssh://u:p@h", password="x"), "the password is given twice"),
    (dict(local_path="/nonexistent/dir"), "local_path /nonexistent/dir is not a directory"),
])
def test_failures(collector, values, words):
    with pytest.raises(g.GlpiRemoteError) as error:
        collector.run(**values)
    assert words in error.value.msg


def test_too_old_and_no_target(tmp_path):
    old = Collector(tmp_path / "old", version="0.9")
    with pytest.raises(g.GlpiRemoteError, match="remote inventory needs GLPI Agent 1.0 or later"):
        old.run()
    bare = Collector(tmp_path / "bare")
    world = bare.world()
    world.update(targets=[], config={})
    standin.write_world(bare.state, world)
    with pytest.raises(g.GlpiRemoteError, match="GLPI Agent has no target: a target exists once GLPI Agent ran"):
        bare.run()
    result, module = bare.run(local_path=str(bare.out))
    assert result["remotes"] == [] and not result["changed"] and "no remote to inventory" in module.warnings[0]


def test_no_target_from_the_agent_itself(collector):
    world = collector.world()
    world["config"] = {}
    standin.write_world(collector.state, world)
    with pytest.raises(g.GlpiRemoteError, match=r"GLPI Agent has no target \(No target defined, aborting\)"):
        collector.run()
