# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.glpi_remote and glpi_remote_info in real ``ansible-playbook -vvv`` runs on localhost, against the glpi-remote stand-in.

One playbook walks a remote's life (add, re-add, passwords with both
``update_password`` values, check mode, a move to another target, delete, delete
again) and the failure paths, and saves every registered result; the test then
reads those results, the stand-in's world and its log of argv and environment,
and the whole ``-vvv`` output: the passwords, as typed and percent-encoded, are
nowhere but in the stored URL.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

PASSWORD = "S3c:r@t/%!x"
NEW_PASSWORD = "n3w!P@ss&w0rd"
SECRETS = (PASSWORD, NEW_PASSWORD)


def secret_forms():
    forms = set()
    for secret in SECRETS:
        forms |= {secret, standin_escape(secret), standin_escape(secret).lower()}
    return forms


def standin_escape(text):
    from urllib.parse import quote

    return quote(text, safe="")


def remote(**values):
    args = dict(protocol="ssh", host="web01", username="inventory", password="{{ glpi_test_password }}", target="server0",
                vardir="{{ glpi_test_vardir }}")
    args.update(values)
    return {k: v for k, v in args.items() if v is not None}


def task(name, register, module="glpiops.glpi.glpi_remote", args=None, **keywords):
    result = {"name": name, module: args if args is not None else remote(), "register": register}
    result.update(keywords)
    return result


def scenario(results_path, become):
    tasks = [
        task("Add", "add"),
        task("Add again, with become", "readd", **(dict(become=True, become_method="su") if become else {})),
        task("New password, check mode", "password_check", args=remote(password="{{ glpi_test_new_password }}"), check_mode=True),
        task("New password, on_create", "password_on_create", args=remote(password="{{ glpi_test_new_password }}", update_password="on_create")),
        task("New password, always", "password_always", args=remote(password="{{ glpi_test_new_password }}")),
        task("Move to local0", "moved", args=remote(password="{{ glpi_test_new_password }}", target="local0")),
        task("Read the remotes", "info", module="glpiops.glpi.glpi_remote_info", args=dict(vardir="{{ glpi_test_vardir }}")),
        task("Delete, check mode", "delete_check", args=dict(host="web01", state="absent", vardir="{{ glpi_test_vardir }}"), check_mode=True),
        task("Delete", "delete", args=dict(host="web01", state="absent", vardir="{{ glpi_test_vardir }}")),
        task("Delete again", "delete_again", args=dict(host="web01", state="absent", vardir="{{ glpi_test_vardir }}")),
        task("Connection check fails (exit code 0)", "fail_check", args=remote(username="nokey", password="{{ glpi_test_password }}"),
             ignore_errors=True),
        task("No such target", "fail_target", args=remote(target="server9"), ignore_errors=True),
        task("Unsupported scheme", "fail_scheme", args=dict(url="winrms://Administrator@win01:5986", password="{{ glpi_test_password }}",
                                                            target="server0", vardir="{{ glpi_test_vardir }}"), ignore_errors=True),
        task("No glpi-remote", "fail_missing", args=remote(glpi_remote_path="/nonexistent/glpi-remote"), ignore_errors=True),
        task("Add once more, for the stored URL", "final"),
    ]
    names = [t["register"] for t in tasks]
    tasks.append({"name": "Save the results", "ansible.builtin.copy": {
        "content": "{{ {%s} | to_nice_json }}" % ", ".join("'%s': %s" % (n, n) for n in names), "dest": str(results_path), "mode": "0600"}})
    return [{"name": "glpi_remote scenario", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]


@pytest.fixture
def agent(tmp_path):
    bin_dir = tmp_path / "bin"
    path = standin.install(bin_dir)
    home = os.environ.get("HOME", "/root")
    world = dict(
        targets=[standin.target("server0", "server"), standin.target("local0", "local", "/var/lib/glpi-inventory")],
        hosts={"web01:22": standin.ssh_host("web01", {"inventory": dict(password=PASSWORD, key_homes=[home], uid=0),
                                                      "nokey": dict(password="not-this", uid=0)})},
    )
    state = standin.write_world(tmp_path / "world.json", world)
    vardir = tmp_path / "agent-var"
    vardir.mkdir()
    return dict(bin=bin_dir, path=path, state=state, log=tmp_path / "log.jsonl", vardir=vardir, tmp=tmp_path)


def run_playbook(agent, playbook, *extra):
    env = standin.environment(agent["bin"], agent["state"], log=agent["log"], now="2026-11-23T10:00:00")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_LOCAL_TEMP=str(agent["tmp"] / "ansible-local"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    extra_vars = agent["tmp"] / "vars.json"
    extra_vars.write_text(json.dumps(dict(glpi_test_password=PASSWORD, glpi_test_new_password=NEW_PASSWORD,
                                          glpi_test_vardir=str(agent["vardir"]))))
    playbook_path = agent["tmp"] / "playbook.yml"
    playbook_path.write_text(json.dumps(playbook, indent=1))
    cmd = [shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-i", "localhost,", "-e", "@%s" % extra_vars,
           str(playbook_path)] + list(extra)
    return subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=300, cwd=str(agent["tmp"]))


def stored(agent):
    return {t["id"]: {k: v["url"] for k, v in t["remotes"].items()} for t in standin.read_world(agent["state"])["targets"]}


def test_lifecycle_failures_and_secrets(agent):
    results_path = agent["tmp"] / "results.json"
    proc = run_playbook(agent, scenario(results_path, become=os.geteuid() == 0), "-vvv", "--diff")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    r = json.loads(results_path.read_text())
    deviceid = "web01-2026-11-23-10-00-00"

    assert r["add"]["changed"] and r["add"]["remote"]["deviceid"] == deviceid and r["add"]["remote"]["target"] == "server0"
    assert r["add"]["remote"]["url"] == "ssh://inventory:********@web01"
    assert not r["readd"]["changed"]
    assert r["password_check"]["changed"] and r["password_check"]["diff"]["after"]["password"] == "******** (changed)"
    assert not r["password_on_create"]["changed"]
    assert r["password_always"]["changed"] and r["password_always"]["remote"]["deviceid"] == deviceid
    assert r["moved"]["changed"] and r["moved"]["remote"]["target"] == "local0"
    assert [(x["deviceid"], x["target"], x["url"]) for x in r["info"]["remotes"]] == [
        (deviceid, "local0", "ssh://inventory:********@web01?deviceid=%s" % deviceid)]
    assert [t["id"] for t in r["info"]["targets"]] == ["server0", "local0"]
    assert r["delete_check"]["changed"] and r["delete"]["changed"] and r["delete"]["remote"]["deviceid"] == deviceid
    assert not r["delete_again"]["changed"] and r["delete_again"]["remote"] is None

    assert r["fail_check"]["failed"] and "'ssh://nokey:********@web01' check failure: Can't run simple command" in r["fail_check"]["msg"]
    assert r["fail_target"]["failed"] and "No such 'server9' target available to handle remotes" in r["fail_target"]["msg"]
    assert r["fail_scheme"]["failed"] and "unsupported protocol 'winrms'" in r["fail_scheme"]["msg"]
    assert r["fail_missing"]["failed"] and r["fail_missing"]["msg"] == "glpi-remote was not found at /nonexistent/glpi-remote"
    assert r["final"]["changed"]

    # Only the stand-in's final state holds a password: the encoded one, in the stored URL.
    assert stored(agent) == {"server0": {deviceid: "ssh://inventory:%s@web01" % standin_escape(PASSWORD)}, "local0": {}}
    log = standin.read_log(agent["log"])
    assert {e["command"] for e in log} == {"list", "add", "delete"} and len(log) > 20
    for form in secret_forms():
        for entry in log:
            assert form not in " ".join(entry["argv"]), entry["argv"]
            assert form not in " ".join("%s=%s" % item for item in entry["env"].items())
        assert form not in results_path.read_text()
        assert form not in output, "a password shows in the -vvv output"
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # -vvv did print the module arguments
    # The tool ran as the Perl loader made it: `ps` showed the script path and no argument.
    assert all(entry["argv"] == [str(agent["path"])] for entry in log)


def test_check_mode_of_a_whole_play_writes_nothing(agent):
    results_path = agent["tmp"] / "results.json"
    playbook = [{"name": "check", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
        task("Add", "add"),
        {"name": "Save", "ansible.builtin.copy": {"content": "{{ add | to_json }}", "dest": str(results_path), "mode": "0600"},
         "check_mode": False},
    ]}]
    proc = run_playbook(agent, playbook, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(results_path.read_text())
    assert result["changed"] and result["remote"]["deviceid"] is None
    assert stored(agent) == {"server0": {}, "local0": {}}
    assert {e["command"] for e in standin.read_log(agent["log"])} == {"list"}
