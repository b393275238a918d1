# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.glpi_remote_inventory in real ``ansible-playbook -vvv`` runs on localhost, against the glpi-agent and glpi-remote stand-ins.

The collector workflow end to end: register a remote with glpi_remote, inventory it now
(to its target's server, then into a directory, documents returned), inventory an
ad-hoc remote with a password, in check mode and for real, and the failure paths.  The
ad-hoc remote's password, as typed and percent-encoded, must be nowhere: not in an
argv or the environment the stand-ins logged, not in a result, not in the ``-vvv``
output, not in any file left under the test's directory (the agent's world included).
"""

from __future__ import annotations

import json
import pathlib
import sys
from urllib.parse import quote

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "stand_ins"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position
from test_glpi_remote import run_playbook  # noqa: E402  pylint: disable=import-error,wrong-import-position

PASSWORD = "S3c:r@t/%!x"
ADHOC_PASSWORD = "Adh0c!p@ss:w/rd%"
DEVICEID = "web01-2026-11-23-10-00-00"


def forms(secret):
    return {secret, quote(secret, safe=""), quote(secret, safe="").lower()}


@pytest.fixture
def agent(tmp_path):
    bin_dir = tmp_path / "bin"
    path = standin.install_agent(bin_dir)
    local0 = tmp_path / "local0"
    out = tmp_path / "out"
    for directory in (local0, out):
        directory.mkdir()
    world = dict(
        agent_version="1.11",
        config=dict(server="https://glpi.example.org/", local=str(local0)),
        targets=[standin.target("server0", "server", "https://glpi.example.org/"), standin.target("local0", "local", str(local0))],
        hosts={"web01:22": standin.ssh_host("web01", {"inventory": dict(password=PASSWORD, uid=0)}),
               "adhoc:2222": standin.ssh_host("adhoc", {"inventory": dict(password=ADHOC_PASSWORD, uid=1000)})},
    )
    state = standin.write_world(tmp_path / "world.json", world)
    vardir = tmp_path / "agent-var"
    vardir.mkdir()
    return dict(bin=bin_dir, path=path, state=state, log=tmp_path / "log.jsonl", vardir=vardir, tmp=tmp_path, out=out, local0=local0)


def task(name, register, args, module="glpiops.glpi.glpi_remote_inventory", **keywords):
    args = dict(args, vardir="{{ glpi_test_vardir }}")
    result = {"name": name, module: args, "register": register}
    result.update(keywords)
    return result


def scenario(agent, results_path):
    adhoc = dict(host="adhoc", port=2222, username="inventory", password="{{ glpi_test_adhoc_password }}", local_path=str(agent["out"]))
    tasks = [
        task("Register web01", "register", dict(protocol="ssh", host="web01", username="inventory", password="{{ glpi_test_password }}",
                                                target="server0"), module="glpiops.glpi.glpi_remote"),
        task("Inventory server0 now", "to_server", dict(target="server0")),
        task("Inventory web01 into a directory", "to_dir", dict(deviceid=[DEVICEID], local_path=str(agent["out"]), return_inventory=True)),
        task("Ad-hoc remote, check mode", "adhoc_check", adhoc, check_mode=True),
        task("Ad-hoc remote", "adhoc", dict(adhoc, return_inventory=True)),
        task("Ad-hoc remote, wrong password", "adhoc_fail", dict(adhoc, password="{{ glpi_test_adhoc_password }}-not"), ignore_errors=True),
        task("No such target", "fail_target", dict(target="server9"), ignore_errors=True),
        task("No glpi-agent", "fail_missing", dict(target="server0", glpi_agent_path="/nonexistent/glpi-agent"), ignore_errors=True),
    ]
    names = [t["register"] for t in tasks]
    tasks.append({"name": "Save the results", "ansible.builtin.copy": {
        "content": "{{ {%s} | to_nice_json }}" % ", ".join("'%s': %s" % (n, n) for n in names), "dest": str(results_path), "mode": "0600"}})
    return [{"name": "glpi_remote_inventory scenario", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]


def test_collector_workflow_and_secrets(agent):
    results_path = agent["tmp"] / "results.json"
    extra = agent["tmp"] / "adhoc-vars.json"
    extra.write_text(json.dumps(dict(glpi_test_adhoc_password=ADHOC_PASSWORD)))
    proc = run_playbook(agent, scenario(agent, results_path), "-vvv", "-e", "@%s" % extra)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    for inputs in (extra, agent["tmp"] / "vars.json"):  # the test's own inputs, not leftovers
        inputs.unlink()
    r = json.loads(results_path.read_text())

    assert r["register"]["remote"]["deviceid"] == DEVICEID
    assert r["to_server"]["changed"] and [(x["deviceid"], x["status"], x["message"]) for x in r["to_server"]["remotes"]] == [
        (DEVICEID, "ok", "inventory sent to server0")]
    assert [s["deviceid"] for s in standin.read_world(agent["state"])["sent"]] == [DEVICEID]
    (to_dir,) = r["to_dir"]["remotes"]
    assert (to_dir["status"], to_dir["file"]) == ("ok", str(agent["out"] / (DEVICEID + ".json")))
    assert r["to_dir"]["inventories"][DEVICEID]["content"]["hardware"]["name"] == "web01"
    assert r["adhoc_check"]["changed"] and r["adhoc_check"]["remotes"][0]["status"] == "pending"
    (adhoc,) = r["adhoc"]["remotes"]
    assert adhoc["status"] == "ok" and adhoc["url"] == "ssh://inventory:********@adhoc:2222" and adhoc["deviceid"] == "adhoc-2026-11-23-10-00-00"
    assert "[warning] You should execute remote inventory as super-user on remote host" in r["adhoc"]["log"]
    assert r["adhoc_fail"]["failed"] and "every remote failed" in r["adhoc_fail"]["msg"]
    assert r["fail_target"]["failed"] and "No such 'server9' target" in r["fail_target"]["msg"]
    assert r["fail_missing"]["failed"] and r["fail_missing"]["msg"] == "glpi-agent was not found at /nonexistent/glpi-agent"
    assert sorted(p.name for p in agent["out"].iterdir()) == ["adhoc-2026-11-23-10-00-00.json", DEVICEID + ".json"]

    log = standin.read_log(agent["log"])
    assert sum(1 for e in log if e.get("tool") == "glpi-agent" and e["command"] == "run") == 4
    assert all(entry["argv"] == [str(agent["bin"] / ("glpi-agent" if entry.get("tool") else "glpi-remote"))] for entry in log)
    # The world's hosts hold the remotes' own passwords (what sshd would check): the rest is the agent's storage.
    world = standin.read_world(agent["state"])
    del world["hosts"]
    standin.write_world(agent["state"], world)
    leftovers = [p for p in agent["tmp"].rglob("*") if p.is_file()]
    for form in forms(ADHOC_PASSWORD) | forms(PASSWORD):
        for entry in log:
            assert form not in " ".join(entry["argv"]), entry["argv"]
            assert form not in " ".join("%s=%s" % item for item in entry["env"].items())
        assert form not in results_path.read_text()
        assert form not in output, "a password shows in the -vvv output"
    for form in forms(ADHOC_PASSWORD):
        for path in leftovers:
            assert form.encode() not in path.read_bytes(), path
    # The registered password is where the agent keeps it, and only there.
    for form in forms(PASSWORD) - {quote(PASSWORD, safe="").lower()}:
        assert [p.name for p in leftovers if form.encode() in p.read_bytes()] == (["world.json"] if form != PASSWORD else [])
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output


def test_check_mode_of_a_whole_play_runs_no_inventory(agent):
    results_path = agent["tmp"] / "results.json"
    playbook = [{"name": "check", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
        task("Inventory every remote", "run", dict(local_path=str(agent["out"]))),
        {"name": "Save", "ansible.builtin.copy": {"content": "{{ run | to_json }}", "dest": str(results_path), "mode": "0600"},
         "check_mode": False},
    ]}]
    proc = run_playbook(agent, playbook, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(results_path.read_text())
    assert not result["changed"] and result["remotes"] == []  # nothing registered yet
    assert {e["command"] for e in standin.read_log(agent["log"])} == {"version", "list"}
    assert list(agent["out"].iterdir()) == []
