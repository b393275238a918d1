# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.glpi_inventory over a real OpenSSH server, with real ansible-playbook runs.

The facts the document must hold are read here independently of the collector
(``hostname``, ``/etc/os-release``, ``uname -r``), and the sshd log must show a
public-key login of the throwaway user for every run: proof the run went over ssh.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess

import pytest

from _sshd import TEST_USER as USER  # noqa: E402  pylint: disable=import-error

ROOT = pathlib.Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "fixtures" / "reference"  # in the repository, as tests/_reference.py names it

# ansible-core 2.21 removed the paramiko_ssh connection (deprecated in 2.19): test it only on the cores that ship it.
HAS_PARAMIKO_SSH = importlib.util.find_spec("ansible.plugins.connection.paramiko_ssh") is not None
NO_PARAMIKO_SSH = pytest.mark.skipif(not HAS_PARAMIKO_SSH, reason="this ansible-core has no paramiko_ssh connection (removed in 2.21)")

pytestmark = pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                                reason="needs root: installs openssh-server, creates a throwaway user")


@pytest.fixture(scope="module")
def validators():
    import jsonschema

    result = {}
    for name in ("inventory.schema-glpi10.json", "inventory.schema.json"):
        path = REFERENCE / "glpi" / name
        if not path.exists():
            pytest.fail("fixture %s is missing" % path, pytrace=False)
        result[name] = jsonschema.Draft7Validator(json.loads(path.read_text()), format_checker=jsonschema.FormatChecker())
    return result


def write_inventory(path, hosts):
    """An INI inventory; ``hosts`` maps a name to its host variables."""
    lines = ["[targets]"]
    for name, variables in hosts.items():
        lines.append(" ".join([name] + ["%s=%s" % (k, _quote(v)) for k, v in variables.items()]))
    path.write_text("\n".join(lines) + "\n")
    return path


def _quote(value):
    value = str(value)
    return "'%s'" % value if " " in value else value


def host_vars(server, connection):
    variables = {
        "ansible_host": server.host,
        "ansible_port": server.port,
        "ansible_user": server.user,
        "ansible_connection": connection,
        "ansible_ssh_private_key_file": server.key_path,
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    if connection == "ssh":
        variables["ansible_ssh_common_args"] = "-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes" % server.known_hosts_path
    return variables


def run_playbook(inventory, tmp_path, *extra, env_extra=None):
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(
        ANSIBLE_PIPELINING="true",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
        ANSIBLE_SSH_CONTROL_PATH_DIR=str(tmp_path / "cp"),
    )
    env.update(env_extra or {})
    cmd = [shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-i", str(inventory),
           "glpiops.glpi.inventory"] + list(extra)
    proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    return proc


def recap(output, host):
    match = re.search(r"^%s\s*:\s*(.*)$" % re.escape(host), output, re.MULTILINE)
    assert match, "no PLAY RECAP line for %s in:\n%s" % (host, output)
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


def read_os_release():
    values = {}
    for line in pathlib.Path("/etc/os-release").read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            values[key] = value.strip().strip('"')
    return values


def independent_facts():
    return {
        "hostname": subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout.strip(),
        "kernel": subprocess.run(["uname", "-r"], capture_output=True, text=True, check=True).stdout.strip(),
        "os_release": read_os_release(),
    }


def paramiko_env(server, tmp_path):
    """paramiko_ssh checks host keys against ~/.ssh/known_hosts: give it a HOME that has the server's keys."""
    home = tmp_path / "paramiko-home"
    (home / ".ssh").mkdir(parents=True, exist_ok=True)
    shutil.copy(server.known_hosts_path, home / ".ssh" / "known_hosts")
    return {"HOME": str(home)}


@pytest.mark.parametrize("connection", ["ssh", pytest.param("paramiko_ssh", marks=NO_PARAMIKO_SSH)])
def test_inventory_over_real_ssh(sshd, tmp_path, validators, connection):
    out_dir = tmp_path / "glpi-inventory"
    inventory = write_inventory(tmp_path / "hosts.ini", {"target": host_vars(sshd, connection)})
    env_extra = paramiko_env(sshd, tmp_path) if connection == "paramiko_ssh" else None
    logins_before = sshd.accepted_publickey_count()

    proc = run_playbook(inventory, tmp_path, "-e", "glpi_hosts=targets", "-e", "glpi_local_path=%s" % out_dir,
                        env_extra=env_extra)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert recap(output, "target")["failed"] == 0

    assert sshd.accepted_publickey_count() > logins_before, "sshd log shows no public-key login of %s" % USER
    files = glob.glob(str(out_dir / "*.json"))
    assert len(files) == 1, files
    document = json.loads(pathlib.Path(files[0]).read_text())
    for name, validator in validators.items():
        errors = list(validator.iter_errors(document))
        assert not errors, "%s: %s" % (name, [e.message for e in errors[:5]])

    facts = independent_facts()
    content = document["content"]
    assert content["hardware"]["name"] == facts["hostname"].split(".")[0]
    assert content["operatingsystem"]["name"] == facts["os_release"]["NAME"]
    assert content["operatingsystem"]["full_name"] == facts["os_release"]["PRETTY_NAME"]
    version = content["operatingsystem"]["version"]
    assert version == facts["os_release"].get("VERSION") or version.startswith(facts["os_release"]["VERSION_ID"])
    assert content["operatingsystem"]["kernel_version"] == facts["kernel"]
    assert content["operatingsystem"]["kernel_name"] == "linux"
    for section in ("hardware", "operatingsystem", "cpus", "networks"):
        assert content.get(section), "section %s missing" % section

    # The deviceid lives in the login user's home, in GLPI Agent's file, and names the document.
    home = pathlib.Path(os.path.expanduser("~" + USER))
    stored = (home / ".glpi-agent-deviceid").read_text().strip()
    assert document["deviceid"] == stored
    assert pathlib.Path(files[0]).name == stored + ".json"


def test_second_run_changes_nothing_and_keeps_the_deviceid(sshd, tmp_path):
    out_dir = tmp_path / "glpi-inventory"
    inventory = write_inventory(tmp_path / "hosts.ini", {"target": host_vars(sshd, "ssh")})
    args = ("-e", "glpi_hosts=targets", "-e", "glpi_local_path=%s" % out_dir)
    first = run_playbook(inventory, tmp_path, *args)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_playbook(inventory, tmp_path, "--diff", *args)
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout, "target")["changed"] == 0, second.stdout  # the diff names the sections that changed
    assert len(glob.glob(str(out_dir / "*.json"))) == 1


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_host_fails_alone(sshd, tmp_path):
    out_dir = tmp_path / "glpi-inventory"
    bad = dict(host_vars(sshd, "ssh"), ansible_port=_closed_port())
    inventory = write_inventory(tmp_path / "hosts.ini", {"good": host_vars(sshd, "ssh"), "gone": bad})
    proc = run_playbook(inventory, tmp_path, "-e", "glpi_hosts=targets", "-e", "glpi_local_path=%s" % out_dir)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert recap(output, "gone")["unreachable"] == 1
    assert recap(output, "good")["failed"] == 0 and recap(output, "good")["unreachable"] == 0
    assert "Connection refused" in output
    assert len(glob.glob(str(out_dir / "*.json"))) == 1


def test_target_without_python_is_told_so(sshd, tmp_path):
    variables = dict(host_vars(sshd, "ssh"), ansible_python_interpreter="/nonexistent/python3")
    inventory = write_inventory(tmp_path / "hosts.ini", {"target": variables})
    proc = run_playbook(inventory, tmp_path, "-e", "glpi_hosts=targets", "-e", "glpi_local_path=%s" % tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Python is required on the target" in output and "ansible_python_interpreter" in output
    assert "Traceback" not in output


def test_unwritable_local_path_fails_clearly_and_writes_nothing(sshd, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("keep me\n")
    inventory = write_inventory(tmp_path / "hosts.ini", {"target": host_vars(sshd, "ssh")})
    proc = run_playbook(inventory, tmp_path, "-e", "glpi_hosts=targets", "-e", "glpi_local_path=%s/sub" % blocker)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "local_path %s/sub cannot be created" % blocker in output
    assert "Traceback" not in output
    assert blocker.read_text() == "keep me\n"
