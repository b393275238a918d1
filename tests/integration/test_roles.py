# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles glpiops.glpi.agent and glpiops.glpi.remote_inventory in real ``ansible-playbook`` runs on this machine.

A stand-in ``glpi-agent`` .deb (tests/integration/_agent_deb.py, built here with ``dpkg-deb``) installs through the
role's real package path (a local file verified by its checksum, then ``apt``); the test reads the configuration
files, the systemd units (checked with ``systemd-analyze verify``), the cron entries and the remotes the
glpi-remote stand-in stored in its JSON world. A second run changes nothing; check mode changes nothing.

Needs root (dpkg, /etc): skipped otherwise. It installs the package for real and purges it at the end.
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
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests" / "stand_ins"))
import _agent_deb  # noqa: E402  pylint: disable=import-error,wrong-import-position
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

PASSWORD = "S3c:r@t/%!x"
CONF_D = pathlib.Path("/etc/glpi-agent/conf.d")
UNIT_DIR = pathlib.Path("/etc/systemd/system")
WRITTEN = [CONF_D / "90-glpiops.cfg", CONF_D / "91-glpiops-remote-inventory.cfg", UNIT_DIR / "glpi-agent-run.service",
           UNIT_DIR / "glpi-agent-run.timer", UNIT_DIR / "glpi-remote-inventory.service", UNIT_DIR / "glpi-remote-inventory.timer",
           pathlib.Path("/etc/cron.d/glpi-agent-run"), pathlib.Path("/etc/cron.d/glpi-remote-inventory")]

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a .deb and writes /etc: run as root (make test)"),
    pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb is missing"),
]


def installed_version():
    proc = subprocess.run(["dpkg-query", "-W", "-f", "${Status} ${Version}", "glpi-agent"], check=False, capture_output=True, text=True)
    return proc.stdout.split()[-1] if proc.returncode == 0 and "installed" in proc.stdout else None


def clean():
    _agent_deb.purge()
    for path in WRITTEN:
        path.unlink(missing_ok=True)
    shutil.rmtree("/var/cache/glpiops-glpi-agent", ignore_errors=True)


@pytest.fixture
def lab(tmp_path):
    if installed_version() and not (shutil.which("glpi-agent") and "stand-in" in pathlib.Path(shutil.which("glpi-agent")).read_text()):
        pytest.skip("a real glpi-agent package is installed on this machine")
    clean()
    deb, checksum = _agent_deb.build(tmp_path)
    world = dict(targets=[], hosts={
        "web01:22": standin.ssh_host("web01", {"inventory": dict(password=PASSWORD, uid=0)}),
        "web02:2222": standin.ssh_host("web02", {"inventory": dict(password=PASSWORD, uid=0)}),
    })
    state = standin.write_world(tmp_path / "world.json", world)
    (tmp_path / "hosts.ini").write_text("localhost ansible_connection=local\n[linux]\nweb01 ansible_user=inventory\n"
                                        "web02 ansible_port=2222 ansible_user=inventory\n")
    yield dict(tmp=tmp_path, deb=deb, checksum=checksum, state=state, log=tmp_path / "agent.log")
    clean()


def run(lab, play_vars, *extra):
    env = dict(os.environ, GLPI_REMOTE_STANDIN_STATE=str(lab["state"]), GLPI_AGENT_STANDIN_LOG=str(lab["log"]), TZ="UTC",
               GLPI_REMOTE_STANDIN_NOW="2026-11-23T10:00:00")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_LOCAL_TEMP=str(lab["tmp"] / "ansible-local"), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    vars_file = lab["tmp"] / "vars.json"
    vars_file.write_text(json.dumps(dict(dict(glpi_agent_package_file=str(lab["deb"]), glpi_agent_package_checksum=lab["checksum"]),
                                         **play_vars)))
    playbook = lab["tmp"] / "playbook.yml"
    playbook.write_text(json.dumps([{"name": "collector", "hosts": "localhost", "gather_facts": False,
                                     "roles": ["glpiops.glpi.remote_inventory"]}]))
    cmd = [shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-i", str(lab["tmp"] / "hosts.ini"),
           "-e", "@%s" % vars_file, str(playbook)] + list(extra)
    proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=600, cwd=str(lab["tmp"]))
    return proc, proc.stdout + proc.stderr


def recap(output):
    line = [x for x in output.splitlines() if x.startswith("localhost ") and "ok=" in x][-1]
    return {k: int(v) for k, v in (item.split("=") for item in line.split()[2:])}


def remotes(lab):
    return {t["id"]: sorted(r["url"] for r in t["remotes"].values()) for t in standin.read_world(lab["state"])["targets"]}


COLLECTOR = dict(glpi_agent_server="https://glpi.example.org/", glpi_agent_tag="lab", glpi_agent_run_mode="timer",
                 glpi_agent_config={"no-category": ["process", "environment"], "httpd-trust": "127.0.0.1/32"},
                 glpi_remote_inventory_group="linux", glpi_remote_inventory_password=PASSWORD, glpi_remote_inventory_workers=4,
                 glpi_remote_inventory_schedule="cron", glpi_remote_prune=True)


def test_collector_install_configure_schedule_register_idempotent(lab):
    proc, output = run(lab, COLLECTOR, "-vvv", "--diff")
    assert proc.returncode == 0, output
    assert installed_version() == "1.11-1"
    assert PASSWORD not in output and "S3c%3Ar%40t" not in output

    assert (CONF_D / "90-glpiops.cfg").read_text().splitlines()[1:] == [
        "httpd-trust = 127.0.0.1/32", "no-category = process,environment", "server = https://glpi.example.org/", "tag = lab"]
    assert (CONF_D / "91-glpiops-remote-inventory.cfg").read_text().splitlines()[1:] == ["remote-scheduling = 1", "remote-workers = 4"]

    # Timer mode for the agent's own runs: units that systemd accepts; systemd does not run here, and the role says so.
    timer = (UNIT_DIR / "glpi-agent-run.timer").read_text()
    assert "OnCalendar=hourly" in timer and "RandomizedDelaySec=3600" in timer and "Unit=glpi-agent-run.service" in timer
    assert "ExecStart=/usr/bin/glpi-agent\n" in (UNIT_DIR / "glpi-agent-run.service").read_text()
    verify = subprocess.run(["systemd-analyze", "verify", str(UNIT_DIR / "glpi-agent-run.timer"), str(UNIT_DIR / "glpi-agent-run.service")],
                            check=False, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    if not os.path.isdir("/run/systemd/system"):
        assert "systemd is not running on localhost (no /run/systemd/system)" in output

    # Cron mode for the remote inventories: a fixed minute per host.
    cron = pathlib.Path("/etc/cron.d/glpi-remote-inventory").read_text().splitlines()
    entry = [line for line in cron if line.endswith("root /usr/bin/glpi-agent --tasks remoteinventory >/dev/null 2>&1")]
    assert len(entry) == 1 and 0 <= int(entry[0].split()[0]) < 60 and entry[0].split()[1:5] == ["*", "*", "*", "*"]
    assert not (UNIT_DIR / "glpi-remote-inventory.timer").exists()

    # The agent ran once to create server0; the group's hosts are its remotes, with the encoded password.
    assert [json.loads(x)["argv"] for x in lab["log"].read_text().splitlines()] == [["/usr/bin/glpi-agent", "--tasks", "remoteinventory"]]
    encoded = "S3c%3Ar%40t%2F%25%21x"
    assert remotes(lab) == {"server0": ["ssh://inventory:%s@web01" % encoded, "ssh://inventory:%s@web02:2222" % encoded]}

    # Second run: nothing changes, the same cron minute.
    proc, output = run(lab, COLLECTOR)
    assert proc.returncode == 0, output
    assert recap(output)["changed"] == 0, output
    assert pathlib.Path("/etc/cron.d/glpi-remote-inventory").read_text().splitlines() == cron

    # Check mode with other wishes: reported, nothing written.
    before = {path: path.read_bytes() for path in WRITTEN if path.exists()}
    world_before = lab["state"].read_text()
    changed = dict(COLLECTOR, glpi_agent_tag="other", glpi_agent_run_mode="cron", glpi_remote_inventory_group="",
                   glpi_remote_inventory_remotes=[dict(host="web03", username="inventory", check_connection=False)])
    proc, output = run(lab, changed, "--check", "--diff")
    assert proc.returncode == 0, output
    assert recap(output)["changed"] >= 4, output
    assert "+tag = other" in output
    assert {path: path.read_bytes() for path in WRITTEN if path.exists()} == before
    assert lab["state"].read_text() == world_before

    # The same for real: web03 added, the group's hosts pruned, the agent's timer replaced by a cron entry.
    proc, output = run(lab, changed)
    assert proc.returncode == 0, output
    assert remotes(lab) == {"server0": ["ssh://inventory@web03"]}
    assert not (UNIT_DIR / "glpi-agent-run.timer").exists()
    assert pathlib.Path("/etc/cron.d/glpi-agent-run").read_text().splitlines()[-1].endswith(" root /usr/bin/glpi-agent >/dev/null 2>&1")


def test_check_mode_on_a_fresh_machine_installs_nothing(lab):
    proc, output = run(lab, COLLECTOR, "--check")
    assert proc.returncode == 0, output
    assert recap(output)["changed"] > 0
    assert "GLPI Agent 1.11 would be installed" in output and "the agent would run once to create target server0" in output
    assert installed_version() is None
    assert not any(path.exists() for path in WRITTEN)
    assert standin.read_world(lab["state"])["targets"] == []


def test_unknown_configuration_key_fails_before_anything_is_installed(lab):
    proc, output = run(lab, dict(COLLECTOR, glpi_agent_config={"remote_workers": 4}))
    assert proc.returncode != 0
    assert "unknown GLPI Agent configuration key(s): remote_workers (did you mean remote-workers?)" in output
    assert installed_version() is None


def test_wrong_checksum_fails_before_installing(lab):
    proc, output = run(lab, dict(COLLECTOR, glpi_agent_package_checksum="sha256:" + "0" * 64))
    assert proc.returncode != 0
    assert "has checksum %s, not sha256:%s" % (lab["checksum"].split(":")[1], "0" * 64) in output
    assert installed_version() is None
