# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Delivery to GLPI: real ansible-playbook runs over the real sshd, into the GLPI endpoint stand-in.

GLPI cannot be installed here: the test double ``tests/glpi_double`` answers as GLPI 10.0.12 did in the
recorded transcript (it is tested against it, ``tests/unit/glpi_double``).  Everything else is real: the ssh connection, the
collector on the target, the client, the spool, forked workers, TLS with a CA made for the test.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
import uuid

import pytest

from test_inventory_over_ssh import ROOT, host_vars, recap, write_inventory  # noqa: E402  pylint: disable=import-error

sys.path.insert(0, str(ROOT))
from tests.glpi_double import GLPIDouble, make_test_ca  # noqa: E402  pylint: disable=import-error,wrong-import-position
from tests.glpi_double._double import AUTH_BASIC_DENIED, default_schema_dir  # noqa: E402  pylint: disable=import-error

pytestmark = pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                                reason="needs root: installs openssh-server, creates a throwaway user")

if not (default_schema_dir() / "inventory.schema-glpi10.json").exists():  # pragma: no cover
    pytest.fail("fixture %s is missing" % (default_schema_dir() / "inventory.schema-glpi10.json"), pytrace=False)

PASSWORD = "p@ss:w0rd/%é"
CLIENT_SECRET = "cl1ent-s3cret+/="
# Shell and YAML meta-characters, white space, percent signs and non-ASCII: none may break delivery or leak.
SPECIAL_PASSWORD = "!$'\" %ä€ `x` \\ p"
SPECIAL_SECRET = "s3cret !$'\"%41 ünï"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def secret_forms(*secrets, login="inventory"):
    forms = set()
    for secret in secrets:
        forms.update({secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)})
        forms.add(base64.b64encode(("%s:%s" % (login, secret)).encode()).decode())
    return forms


def play(tmp_path, task, hosts="targets", name="glpi_inventory", check=False, forks=5, verbose=False, env_extra=None, inventory=None):
    """Run one task on ``hosts``; return (process, [per-host results])."""
    results = tmp_path / "results"
    results.mkdir(exist_ok=True)
    playbook = [{
        "name": "delivery test", "hosts": hosts, "gather_facts": False,
        "tasks": [
            dict({"name": "the task", "register": "outcome", "ignore_errors": True}, **{"glpiops.glpi." + name: task}),
            {"name": "keep the result", "delegate_to": "localhost", "check_mode": False,
             "ansible.builtin.copy": {"content": "{{ outcome | to_json }}", "dest": str(results) + "/{{ inventory_hostname }}.json"}},
        ],
    }]
    path = tmp_path / "play.yml"
    path.write_text(json.dumps(playbook))
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(ANSIBLE_PIPELINING="true", ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_FORKS=str(forks),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"), ANSIBLE_SSH_CONTROL_PATH_DIR=str(tmp_path / "cp"),
               ANSIBLE_LOCALHOST_WARNING="false")
    env.update(env_extra or {})
    cmd = [shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-i", str(inventory or tmp_path / "hosts.ini"), str(path)]
    if check:
        cmd.append("--check")
    if verbose:
        cmd.append("-vvv")
    proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=600, cwd=str(tmp_path))
    outcomes = {p.stem: json.loads(p.read_text()) for p in sorted(results.glob("*.json"))}
    return proc, outcomes


class ArgvWatch:
    """Polls every process's command line (``/proc/*/cmdline``) while a play runs; ``seen`` holds any that held a form."""

    def __init__(self, forms):
        self.forms = [form.encode("utf-8") for form in forms if form]
        self.seen = []
        self.polls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % entry, "rb") as handle:
                        cmdline = handle.read(1 << 20)
                except OSError:
                    continue
                if any(form in cmdline for form in self.forms):
                    self.seen.append(cmdline.replace(b"\0", b" ")[:300])
            self.polls += 1
            self._stop.wait(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(10)


def hosts_file(tmp_path, sshd, count=1):
    return write_inventory(tmp_path / "hosts.ini", {
        "target%d" % index: dict(host_vars(sshd, "ssh"), glpi_deviceid="target%d-2026-11-23-08-00-00" % index)
        for index in range(count)})


def inventory_requests(glpi):
    return glpi.inventory_requests()


@pytest.mark.parametrize("version, auth, compression, password, secret", [
    (10, None, "zlib", PASSWORD, CLIENT_SECRET),
    (10, "basic", "none", PASSWORD, CLIENT_SECRET),
    (10, "basic", "zlib", SPECIAL_PASSWORD, CLIENT_SECRET),
    (11, "oauth", "zlib", PASSWORD, CLIENT_SECRET),
    (11, "oauth", "none", PASSWORD, SPECIAL_SECRET),
])
def test_delivers_with_each_compression_and_authentication(sshd, tmp_path, version, auth, compression, password, secret):
    hosts_file(tmp_path, sshd)
    credentials = {}
    kwargs = {}
    if auth == "basic":
        kwargs["basic_auth"] = ("inventory", password)
        credentials = {"username": "inventory", "password": password}
    elif auth == "oauth":
        kwargs["oauth_client"] = ("ansible", secret)
        credentials = {"client_id": "ansible", "client_secret": secret}
    with GLPIDouble(glpi_version=version, root="/glpi", **kwargs) as glpi:
        task = dict(server=[glpi.base_url + "/"], compression=compression, deviceid="{{ glpi_deviceid }}", spool_path=str(tmp_path / "spool"),
                    **credentials)
        with ArgvWatch(secret_forms(password, secret) | secret_forms(secret, login="ansible")) as argv:
            proc, outcomes = play(tmp_path, task, verbose=True)
        assert argv.polls > 5 and argv.seen == [], "a secret on a command line: %r" % argv.seen
        output = proc.stdout + proc.stderr
        assert recap(output, "target0")["failed"] == 0, output
        outcome = outcomes["target0"]
        assert outcome["delivery"]["status"] == "sent" and outcome["changed"] is True, outcome
        assert outcome["delivered"] is True and outcome["spooled"] is None
        accepted = glpi.accepted_documents()
        assert [document["deviceid"] for document in accepted] == ["target0-2026-11-23-08-00-00"]
        assert accepted[0]["content"]["hardware"]["name"] == socket.gethostname().split(".")[0]
        (request,) = [entry for entry in inventory_requests(glpi) if entry.status == 200]
        headers = {name.lower(): value for name, value in request.headers}
        assert headers["content-type"] == ("application/x-compress-zlib" if compression == "zlib" else "application/json")
        assert headers["user-agent"].startswith("glpiops.glpi/")
        assert uuid.UUID(headers["glpi-agent-id"]).version == 5
        if auth == "oauth":
            assert len(glpi.tokens_issued()) <= 1  # one token for the run (or none: still cached from an earlier run)
        # Secrets: not in -vvv output, not in the result, not in any file the run left (spool, results, output).
        forms = secret_forms(password, secret) | secret_forms(secret, login="ansible")
        forms |= {json.dumps(password)[1:-1], json.dumps(secret)[1:-1]}
        for form in forms:
            assert form not in output, "secret form %r in the -vvv output" % form
            for path in tmp_path.rglob("*"):
                if path.is_file() and path.name != "play.yml":  # the playbook is where the test put them
                    assert form.encode() not in path.read_bytes(), "secret form %r in %s" % (form, path)
        assert password not in json.dumps(outcome, ensure_ascii=False) and secret not in json.dumps(outcome, ensure_ascii=False)


def test_a_one_character_password_delivers_and_leaves_the_result_intact(sshd, tmp_path):
    hosts_file(tmp_path, sshd)
    with GLPIDouble(glpi_version=10, basic_auth=("inventory", "p")) as glpi:
        task = dict(server=[glpi.url], username="inventory", password="p", deviceid="{{ glpi_deviceid }}",
                    spool_path=str(tmp_path / "spool"))
        proc, outcomes = play(tmp_path, task)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert len(glpi.accepted_documents()) == 1
    outcome = outcomes["target0"]
    assert outcome["delivered"] is True and outcome["status"] == "sent" and outcome["delivery"]["servers"][0]["status"] == "sent"
    assert "spooled" in outcome and outcome["deviceid"] == "target0-2026-11-23-08-00-00"


def test_tls_needs_the_ca_unless_told_otherwise(sshd, tmp_path):
    hosts_file(tmp_path, sshd)
    pki = make_test_ca(tmp_path / "pki")
    with GLPIDouble(tls=(pki.server_cert, pki.server_key)) as glpi:
        base = dict(server=[glpi.url], deviceid="{{ glpi_deviceid }}", spool_path=str(tmp_path / "spool"), retries=0)
        _unused_proc, outcomes = play(tmp_path, base)
        assert outcomes["target0"]["failed"] is True and "certificate" in outcomes["target0"]["msg"].lower()
        assert glpi.accepted_documents() == [] and not list((tmp_path / "spool").glob("*.json"))  # a TLS refusal is not spooled
        _unused_proc, outcomes = play(tmp_path, dict(base, ca_path=str(pki.ca_cert)))
        assert outcomes["target0"]["delivery"]["status"] == "sent", outcomes
        assert len(glpi.accepted_documents()) == 1


def test_server_down_spools_then_the_next_run_delivers_the_newest_of_each_host(sshd, tmp_path):
    hosts_file(tmp_path, sshd, count=6)
    port = free_port()
    spool = tmp_path / "spool"
    task = dict(server=["http://127.0.0.1:%d/" % port], deviceid="{{ glpi_deviceid }}", spool_path=str(spool),
                retries=1, retry_max_wait=1, tag="first")
    for run in range(2):  # GLPI down twice: still one document per host in the spool
        proc, outcomes = play(tmp_path, task, forks=6)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert sorted(outcomes) == ["target%d" % index for index in range(6)]
        for outcome in outcomes.values():
            assert outcome["status"] == "spooled" and outcome["delivered"] is False and not outcome.get("failed")
            assert outcome["spooled"].startswith(str(spool) + "/") and os.path.exists(outcome["spooled"])
            # Refused: never retried within the run.  A host whose worker met it while re-sending the spool makes
            # no attempt of its own (0); the others one each.
            assert outcome["delivery"]["servers"][0]["attempts"] in (0, 1), outcome
            assert "refused the connection" in outcome["delivery"]["msg"] and "gave up" not in outcome["delivery"]["msg"]
        if run == 0:
            assert any(outcome["delivery"]["servers"][0]["attempts"] == 1 for outcome in outcomes.values())
    spooled = sorted(spool.glob("*.json"))
    assert len(spooled) == 6
    assert {p.stat().st_mode & 0o777 for p in spooled} == {0o600} and spool.stat().st_mode & 0o777 == 0o700
    with GLPIDouble(port=port) as glpi:
        proc, outcomes = play(tmp_path, dict(task, tag="second"), forks=6)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        accepted = [(document["deviceid"], document["tag"]) for document in glpi.accepted_documents()]
    # Each host's newest inventory is the last GLPI got; a spooled one is sent at most once, and never after it.
    for index in range(6):
        deviceid = "target%d-2026-11-23-08-00-00" % index
        tags = [tag for accepted_id, tag in accepted if accepted_id == deviceid]
        assert tags in (["second"], ["first", "second"]), (deviceid, tags)
    assert all(outcome["delivered"] for outcome in outcomes.values())
    assert list(spool.glob("*.json")) == [] and list(spool.glob(".*")) == []


def test_two_playbook_runs_with_ten_forks_replay_each_spooled_document_exactly_once(sshd, tmp_path):
    port = free_port()
    spool = tmp_path / "spool"
    base = dict(server=["http://127.0.0.1:%d/" % port], deviceid="{{ glpi_deviceid }}", spool_path=str(spool), retries=0)
    down = tmp_path / "down"
    down.mkdir()
    write_inventory(down / "hosts.ini", {"down%d" % index: dict(host_vars(sshd, "ssh"), glpi_deviceid="down%d-2026-11-23-08-00-00" % index)
                                         for index in range(10)})
    proc, outcomes = play(down, base, forks=10)
    assert proc.returncode == 0 and len(outcomes) == 10 and len(list(spool.glob("*.json"))) == 10, proc.stdout + proc.stderr
    runs = {}

    def run(name):
        directory = tmp_path / name
        directory.mkdir()
        write_inventory(directory / "hosts.ini", {"%s%d" % (name, index): dict(host_vars(sshd, "ssh"), glpi_deviceid="%s%d-2026-11-23-08-00-00" % (name, index))
                                                  for index in range(10)})
        runs[name] = play(directory, base, forks=10)

    with GLPIDouble(port=port) as glpi:
        threads = [threading.Thread(target=run, args=(name,)) for name in ("left", "right")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        accepted = sorted(document["deviceid"] for document in glpi.accepted_documents())
    for name in ("left", "right"):
        proc, outcomes = runs[name]
        assert proc.returncode == 0 and len(outcomes) == 10, proc.stdout + proc.stderr
        assert all(outcome["delivered"] for outcome in outcomes.values())
    expected = ["%s%d-2026-11-23-08-00-00" % (name, index) for name in ("down", "left", "right") for index in range(10)]
    assert accepted == sorted(expected), "every spooled document exactly once, every new one once"
    assert list(spool.glob("*.json")) == [] and not [name for name in os.listdir(spool) if ".claimed-" in name]


def test_retries_500_but_not_401(sshd, tmp_path):
    hosts_file(tmp_path, sshd)
    with GLPIDouble(basic_auth=("inventory", PASSWORD)) as glpi:
        glpi.fail_next(2)
        base = dict(server=[glpi.url], deviceid="{{ glpi_deviceid }}", spool_path=str(tmp_path / "spool"),
                    username="inventory", retries=3, retry_max_wait=10)
        _unused_proc, outcomes = play(tmp_path, dict(base, password=PASSWORD))
        assert outcomes["target0"]["delivery"]["status"] == "sent"
        assert [entry.status for entry in inventory_requests(glpi)] == [500, 500, 200]
        glpi.reset()
        _unused_proc, outcomes = play(tmp_path, dict(base, password="wrong"))
        assert outcomes["target0"]["failed"] is True
        assert AUTH_BASIC_DENIED in outcomes["target0"]["msg"]
        assert [entry.status for entry in inventory_requests(glpi)] == [401]  # no retry
        assert not list((tmp_path / "spool").glob("*.json"))


def test_injector_sends_saved_files_and_glpi_refusals_are_not_retried(sshd, tmp_path):
    hosts_file(tmp_path, sshd, count=2)
    saved = tmp_path / "saved"
    proc, _unused = play(tmp_path, dict(local_path=str(saved), deviceid="{{ glpi_deviceid }}"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = sorted(saved.glob("*.json"))
    assert len(files) == 2
    localhost = write_inventory(tmp_path / "local.ini", {"localhost": {"ansible_connection": "local",
                                                                       "ansible_python_interpreter": sys.executable}})
    with GLPIDouble(glpi_version=10) as glpi:
        task = dict(path=[str(saved)], server=[glpi.url], spool_path=str(tmp_path / "spool"))
        _unused_proc, outcomes = play(tmp_path, task, hosts="localhost", name="glpi_inventory_submit", check=True, inventory=localhost)
        assert outcomes["localhost"]["changed"] is False and glpi.requests_seen() == []  # check mode sends nothing
        _unused_proc, outcomes = play(tmp_path, task, hosts="localhost", name="glpi_inventory_submit", inventory=localhost)
        assert outcomes["localhost"]["sent"] == 2 and outcomes["localhost"]["changed"] is True
        assert sorted(document["deviceid"] for document in glpi.accepted_documents()) == ["target0-2026-11-23-08-00-00", "target1-2026-11-23-08-00-00"]
        # A document GLPI 10 refuses (one unknown key): the task fails with GLPI's words, one request, nothing spooled.
        document = json.loads(files[0].read_text())
        document["content"]["hardware"]["surprise"] = 1
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(document))
        glpi.reset()
        _unused_proc, outcomes = play(tmp_path, dict(task, path=[str(bad)]), hosts="localhost", name="glpi_inventory_submit",
                                      inventory=localhost)
        assert outcomes["localhost"]["failed"] is True and "JSON does not validate" in outcomes["localhost"]["msg"]
        assert len(inventory_requests(glpi)) == 1 and not list((tmp_path / "spool").glob("*.json"))


def test_two_machines_with_one_deviceid_are_two_agents_every_run(sshd, tmp_path):
    # web.paris and web.lyon created their deviceid in the same second: GLPI Agent's format gave both one id.  The
    # two targets are this machine seen twice, each with its own deviceid file holding that same id.
    import pwd

    user = pwd.getpwnam(sshd.user)
    tag = uuid.uuid4().hex[:8]
    paths = {}
    for site in ("paris", "lyon"):
        path = os.path.join(user.pw_dir, ".glpiops-test-%s-%s" % (tag, site))
        with open(path, "w") as handle:
            handle.write("web-2026-11-23-03-02-29\n")
        os.chown(path, user.pw_uid, user.pw_gid)
        paths[site] = path
    try:
        write_inventory(tmp_path / "hosts.ini", {"web.%s.example.com" % site: dict(host_vars(sshd, "ssh"), glpi_deviceid_path=path)
                                                 for site, path in paths.items()})
        task = dict(deviceid_path="{{ glpi_deviceid_path }}", local_path=str(tmp_path / "out"),
                    deviceid_state_path=str(tmp_path / "state" / "deviceids.json"))
        runs = []
        for _run in range(2):
            proc, outcomes = play(tmp_path, task, forks=2)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            runs.append({host: outcome["deviceid"] for host, outcome in outcomes.items()})
        assert sorted(runs[0].values()) == ["web-2026-11-23-03-02-29", "web-2026-11-23-03-02-30"]
        assert runs[1] == runs[0], "the same deviceid for each machine on every run"
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["web-2026-11-23-03-02-29.json", "web-2026-11-23-03-02-30.json"]
    finally:
        for path in paths.values():
            os.unlink(path)


def test_the_second_unchanged_run_over_ssh_sends_a_partial_that_glpi_accepts(sshd, tmp_path):
    """Issue 16: change-only inventories end to end; the double validates each document against GLPI's schema."""
    hosts_file(tmp_path, sshd)
    with GLPIDouble(glpi_version=11) as glpi:
        task = dict(server=[glpi.url], deviceid="{{ glpi_deviceid }}", spool_path=str(tmp_path / "spool"))
        outcomes = []
        for _run in range(2):
            proc, results = play(tmp_path, task)
            assert recap(proc.stdout + proc.stderr, "target0")["failed"] == 0, proc.stdout + proc.stderr
            outcomes.append(results["target0"])
        first, second = outcomes
        assert first["delivered"] is True and first["partial"] is False and "softwares" in first["sections_sent"]
        assert second["delivered"] is True and second["partial"] is True and "softwares" not in second["sections_sent"]
        assert {"hardware", "bios", "accesslog", "versionprovider"} <= set(second["sections_sent"])
        accepted = glpi.accepted_documents()
        assert [document.get("partial", False) for document in accepted] == [False, True]
        assert all(entry.status == 200 for entry in glpi.inventory_requests())  # schema-valid: GLPI (the double) took both
        assert len(json.dumps(accepted[1])) < len(json.dumps(accepted[0])) / 3
        stored = glpi.stored_computers()["target0-2026-11-23-08-00-00"]
        assert stored["softwares"] == accepted[0]["content"]["softwares"] and set(stored) == set(accepted[0]["content"])
