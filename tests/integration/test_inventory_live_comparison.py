# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory of this very machine, taken over real ssh, compared field by field with the machine itself.

Everything expected here is read independently of the collection (``dpkg-query -W``, ``ip -j addr``,
``lscpu -J``, ``/proc/meminfo``, ``uname``), never through the collector's functions.  Which sections must be
present is decided the same way: every section GLPI Agent sent for a machine like this one
(``tests/fixtures/reference/glpi-agent/local-inventory.json``) whose source exists here.
"""

from __future__ import annotations

import json
import os
import pathlib
import platform
import shutil
import subprocess

import pytest

from _sshd import SSHServer, ensure_openssh, ensure_packages, ensure_user, process_running  # noqa: E402  pylint: disable=import-error

ROOT = pathlib.Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "fixtures" / "reference"  # in the repository, as tests/_reference.py names it
USER = "glpiops-it"
RESULT = {}  # the glpi_inventory task's result of the live run

pytestmark = pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                                reason="needs root: installs openssh-server, creates a throwaway user")


def _reference(*parts):
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.fail("fixture %s is missing" % path, pytrace=False)
    return path


def _run(*argv):
    return subprocess.run(list(argv), check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def live_document(tmp_path_factory):
    """One real run over ssh, processes and envs enabled, as the login user (no become)."""
    ensure_openssh()
    # The machine GLPI Agent's reference inventory came from had pciutils (lspci and the PCI id list).
    ensure_packages(["pciutils"], ["/usr/bin/lspci", "/usr/share/misc/pci.ids"])
    ensure_user(USER)
    server = SSHServer(user=USER).start()
    tmp = tmp_path_factory.mktemp("live")
    try:
        inventory = tmp / "hosts.ini"
        inventory.write_text(
            "[targets]\ntarget ansible_host=%s ansible_port=%d ansible_user=%s ansible_connection=ssh "
            "ansible_ssh_private_key_file=%s ansible_python_interpreter=/usr/bin/python3 "
            "ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes'\n"
            % (server.host, server.port, server.user, server.key_path, server.known_hosts_path))
        playbook = tmp / "live.yml"
        playbook.write_text(
            "- hosts: targets\n  gather_facts: false\n  tasks:\n"
            "    - glpiops.glpi.glpi_inventory:\n        local_path: %s\n        collect_processes: true\n"
            "        collect_envs: true\n      register: outcome\n"
            "    - ansible.builtin.copy:\n        content: '{{ outcome | to_json }}'\n        dest: %s\n      delegate_to: localhost\n"
            % (tmp / "out", tmp / "result.json"))
        env = dict(os.environ, ANSIBLE_PIPELINING="true", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp / "local"))
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
        proc = subprocess.run([shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-i", str(inventory),
                               str(playbook)], check=False, env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert server.accepted_publickey_count() >= 1
        (path,) = list((tmp / "out").glob("*.json"))
        # The task's result, for failure messages: its warnings say which source was dropped and why.
        RESULT.update(json.loads((tmp / "result.json").read_text()))
        yield json.loads(path.read_text())
    finally:
        server.stop()
        assert not process_running(server.pid)


def _lscpu():
    fields = {}

    def walk(entries):
        for entry in entries:
            fields[entry["field"].rstrip(":")] = entry.get("data")
            walk(entry.get("children") or [])
    walk(json.loads(_run("lscpu", "-J"))["lscpu"])
    return fields


def _probe_sections():
    """The agent's sections whose source exists on this machine (decided without the collection)."""
    agent = json.loads(_reference("glpi-agent", "local-inventory.json").read_text())["content"]
    probes = {
        "controllers": lambda: bool(os.listdir("/sys/bus/pci/devices")) if os.path.isdir("/sys/bus/pci/devices") else False,
        "softwares": lambda: shutil.which("dpkg-query") is not None or shutil.which("rpm") is not None,
        "storages": lambda: any(not name.startswith(("loop", "ram", "zram", "dm-", "md", "nbd"))
                                for name in os.listdir("/sys/block")),
        "firewalls": lambda: shutil.which("systemctl") is not None or shutil.which("ufw") is not None,
        "local_groups": lambda: any(line.rstrip("\n").split(":")[-1] for line in open("/etc/group") if line.count(":") >= 3),
        "drives": lambda: True,
    }
    return {name for name in agent if probes.get(name, lambda: True)()}


def test_every_section_the_agent_sends_whose_source_exists_here(live_document):
    missing = sorted(section for section in _probe_sections() if not live_document["content"].get(section))
    assert not missing, "sections GLPI Agent sends and this machine can give, missing from the document: %s" % missing


def test_identity_matches_the_machine(live_document):
    content = live_document["content"]
    os_release = dict(line.split("=", 1) for line in pathlib.Path("/etc/os-release").read_text().splitlines() if "=" in line)
    os_release = {key: value.strip().strip('"') for key, value in os_release.items()}
    assert content["hardware"]["name"] == _run("hostname").strip().split(".")[0]
    assert content["operatingsystem"]["name"] == os_release["NAME"]
    assert content["operatingsystem"]["kernel_version"] == _run("uname", "-r").strip()
    assert content["operatingsystem"]["arch"] == platform.machine()
    version = content["operatingsystem"]["version"]
    assert version.startswith(os_release["VERSION_ID"])


def test_cpu_model_and_cores_match_lscpu(live_document):
    lscpu = _lscpu()
    cpus = live_document["content"]["cpus"]
    assert {cpu["name"] for cpu in cpus} == {lscpu["Model name"]}
    sockets = int(lscpu.get("Socket(s)") or 1)
    assert len(cpus) == sockets
    assert sum(cpu["core"] for cpu in cpus) == int(lscpu["Core(s) per socket"]) * sockets


def test_memory_matches_proc_meminfo_within_one_percent(live_document):
    mem_kib = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal:")))
    assert abs(live_document["content"]["hardware"]["memory"] - mem_kib / 1024) <= mem_kib / 1024 * 0.01


def test_macs_and_ipv4_addresses_match_ip_json(live_document):
    links = json.loads(_run("ip", "-j", "addr"))
    networks = live_document["content"]["networks"]
    assert {(n["description"].split("@")[0], n.get("mac")) for n in networks if n.get("mac")} >= \
        {(link["ifname"], link["address"]) for link in links if link.get("address")}
    expected = {(a.get("label") or link["ifname"], a["local"]) for link in links for a in link["addr_info"] if a["family"] == "inet"}
    assert {(n["description"], n["ipaddress"]) for n in networks if n.get("ipaddress")} == expected


def test_software_list_equals_dpkg(live_document):
    if shutil.which("dpkg-query") is None:
        pytest.skip("not a dpkg system")
    installed = set()
    for line in _run("dpkg-query", "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\n").splitlines():
        status, name, version = line.split("\t")
        if status.startswith("ii"):
            installed.add((name, version))
    reported = {(s["name"], s.get("version")) for s in live_document["content"].get("softwares", [])}
    assert reported == installed


def test_processes_and_envs_when_enabled(live_document):
    content = live_document["content"]
    # Once seen failing with KeyError 'processes' and nothing to tell why: the warnings and what was cut short now say.
    diagnostics = "warnings: %s; incomplete: %s" % (RESULT.get("warnings"), RESULT.get("incomplete_sources"))
    assert "processes" in content and "envs" in content, diagnostics
    assert any(p["pid"] == 1 for p in content["processes"]), diagnostics
    assert {"key": "USER", "val": USER} in content["envs"] or {"key": "LOGNAME", "val": USER} in content["envs"]
