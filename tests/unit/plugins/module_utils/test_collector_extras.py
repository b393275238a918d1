# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Target-side LVM, virtualization and remote-control sources: what runs, and what stays quiet when absent."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_extras as extras
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import Gatherer
from ansible_collections.glpiops.glpi.plugins.module_utils._sources import SourceUnavailable


def _fake_tool(directory, name, body):
    """An executable ``name`` in ``directory``: a Python script that logs its argv and runs ``body``."""
    path = directory / name
    path.write_text("#!%s\nimport sys\nopen(%r, 'a').write(repr(sys.argv[1:]) + '\\n')\n%s\n"
                    % (sys.executable, str(directory / (name + ".log")), body))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def tools(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    return tmp_path


def _log(directory, name):
    path = directory / (name + ".log")
    return path.read_text().splitlines() if path.exists() else []


def test_lvm_missing_is_quiet_and_refused_without_root(monkeypatch):
    monkeypatch.setattr(extras, "find_command", lambda name: None)
    gatherer = Gatherer(5)
    gatherer.gather("lvm", extras.lvm, 5, optional=True)
    assert gatherer.errors == {} and gatherer.sources == {}
    monkeypatch.setattr(extras, "find_command", lambda name: "/sbin/" + name)
    monkeypatch.setattr(extras.os, "geteuid", lambda: 1000)
    gatherer.gather("lvm", extras.lvm, 5, optional=True)
    assert gatherer.errors == {"lvm": "pvs, vgs and lvs need root (use become)"}


def test_lvm_runs_the_agents_three_reports(monkeypatch):
    calls = []

    def fake_run(argv, timeout):
        calls.append(argv)
        if argv[0] == "vgs":
            raise SourceUnavailable("vgs exited with rc 5: boom")
        return argv[0] + " output"

    monkeypatch.setattr(extras, "find_command", lambda name: "/sbin/" + name)
    monkeypatch.setattr(extras.os, "geteuid", lambda: 0)
    monkeypatch.setattr(extras, "run_command", fake_run)
    assert extras.lvm(5) == {"pvs": "pvs output", "lvs": "lvs output"}
    assert calls[0] == ["pvs", "--noheading", "--nosuffix", "--units", "M", "-o",
                        "pv_name,pv_fmt,pv_attr,pv_size,pv_free,pv_uuid,pv_pe_count,vg_uuid"]
    assert calls[2][:2] == ["lvs", "-a"]

    def failing_run(argv, timeout):
        raise SourceUnavailable("%s failed" % argv[0])

    monkeypatch.setattr(extras, "run_command", failing_run)
    with pytest.raises(SourceUnavailable, match="pvs failed; vgs failed; lvs failed"):
        extras.lvm(5)


def test_docker_lists_then_asks_which_containers_run(tools):
    sep = extras.CONTAINER_SEPARATOR
    _fake_tool(tools, "docker", "print('abc123def456%sbusybox%s%sjob' if sys.argv[1] == 'ps' else 'abc123def456ff true')" % (sep, sep, sep))
    assert extras.containers("docker", 5) == {"ps": "abc123def456%sbusybox%s%sjob\n" % (sep, sep, sep), "inspect": "abc123def456ff true\n"}
    assert _log(tools, "docker") == [repr(["ps", "-a", "--format", extras.CONTAINER_PS_FORMAT]),
                                     repr(["inspect", "--format", extras.CONTAINER_INSPECT_FORMAT, "abc123def456"])]


def test_a_client_without_its_daemon_is_no_host_but_a_refusal_is_reported(tools):
    _fake_tool(tools, "docker", "sys.stderr.write('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
                                "Is the docker daemon running?\\n'); sys.exit(1)")
    _fake_tool(tools, "podman", "sys.stderr.write('permission denied while trying to connect\\n'); sys.exit(125)")
    gatherer = Gatherer(5)
    gatherer.gather("docker", extras.containers, "docker", 5, optional=True)
    gatherer.gather("podman", extras.containers, "podman", 5, optional=True)
    assert list(gatherer.errors) == ["podman"] and "permission denied" in gatherer.errors["podman"]


def test_libvirt_both_connections_and_each_domain(tools):
    _fake_tool(tools, "virsh", "\n".join([
        "if '-c' in sys.argv: sys.stderr.write('error: no connection driver available for lxc:///\\n'); sys.exit(1)",
        "if 'list' in sys.argv: print(' Id   Name   State\\n---------------------\\n 1    vm1    running\\n -    vm2    shut off\\n')",
        "else: print('<domain type=\"kvm\"><name>%s</name></domain>' % sys.argv[-1])",
    ]))
    found = extras.libvirt(5)
    assert list(found) == ["default"] and sorted(found["default"]["dumpxml"]) == ["vm1", "vm2"]
    assert repr(["--readonly", "dumpxml", "vm2"]) in _log(tools, "virsh")


def test_libvirt_without_libvirtd_is_quiet(tools):
    _fake_tool(tools, "virsh", "sys.stderr.write('error: failed to connect to the hypervisor\\n'); sys.exit(1)")
    gatherer = Gatherer(5)
    gatherer.gather("libvirt", extras.libvirt, 5, optional=True)
    assert gatherer.errors == {} and gatherer.sources == {}


def test_lxc_running_and_stopped_containers(tools):
    rootfs = tools / "rootfs"
    (rootfs / "etc").mkdir(parents=True)
    (rootfs / "etc" / "machine-id").write_text("feedbeef\n")
    (rootfs / "etc" / "hostname").write_text("off1\n")
    _fake_tool(tools, "lxc-ls", "print('5.0.2' if '--version' in sys.argv else 'on1\\noff1')")
    _fake_tool(tools, "lxc-config", "print('/var/lib/lxc')")
    _fake_tool(tools, "lxc-info", "\n".join([
        "name = sys.argv[2]",
        "if '-s' in sys.argv: print('State:          ' + ('RUNNING' if name == 'on1' else 'STOPPED'))",
        "elif 'lxc.rootfs.path' in sys.argv: print('lxc.rootfs.path = dir:%s')" % rootfs,
        "else: print('lxc.cgroup2.memory.max = 1G\\nlxc.net.0.hwaddr = 00:16:3e:00:00:01')",
    ]))
    _fake_tool(tools, "lxc-attach", "print('cafe' if sys.argv[-1].endswith('machine-id') else 'on1')")
    found = extras.lxc(5)["containers"]
    assert found["on1"]["machine_id"] == "cafe\n" and found["on1"]["hostname"] == "on1\n"
    assert found["off1"]["machine_id"] == "feedbeef" and found["off1"]["hostname"] == "off1"
    assert "lxc.net.0.hwaddr" in found["on1"]["config"]
    assert any("lxc.net.0.hwaddr" in line for line in _log(tools, "lxc-info"))


def test_anydesk_ships_only_the_id_lines(tmp_path, monkeypatch):
    config = tmp_path / "anydesk" / "system.conf"
    config.parent.mkdir()
    config.write_text("ad.anynet.id=123456789\nad.anynet.pkey=SECRET\n")
    monkeypatch.setattr(extras, "ANYDESK_CONFIG", str(config))
    monkeypatch.setattr(extras, "ANYDESK_CONFIG_GLOB", str(tmp_path / "anydesk_ad_*" / "system.conf"))
    assert extras.anydesk() == [[str(config), "ad.anynet.id=123456789\n"]]
    config.unlink()
    gatherer = Gatherer(5)
    gatherer.gather("anydesk", extras.anydesk, optional=True)
    assert gatherer.errors == {} and gatherer.sources == {}


def test_proxmox_containers_by_number(tools, monkeypatch):
    monkeypatch.setattr(extras, "find_command", lambda name: "/usr/sbin/pct" if name == "pct" else None)
    listing = "VMID       Status     Lock         Name\\n101        running                 ct web\\n102        stopped      backup     db"
    _fake_tool(tools, "pct", "print('%s')" % listing)
    _fake_tool(tools, "lxc-ls", "print('5.0.2')")
    _fake_tool(tools, "lxc-info", "print('State:          STOPPED' if '-s' in sys.argv else 'lxc.uts.name = ct-web')")
    found = extras.lxc(5)["containers"]
    assert {ctid: facts["name"] for ctid, facts in found.items()} == {"101": "ct web", "102": "db"}
    assert any("'lxc.uts.name'" in line and "'101'" in line for line in _log(tools, "lxc-info"))


def test_rustdesk_ships_the_id_line_only_and_asks_a_recent_rustdesk(tools, monkeypatch):
    config = tools / "RustDesk.toml"
    config.write_text("id = ''\npassword = 'secret'\nsalt = 'x'\n")
    monkeypatch.setattr(extras, "RUSTDESK_CONFIG", str(config))
    _fake_tool(tools, "rustdesk", "print('1.2.3' if '--version' in sys.argv else '1357924680')")
    assert extras.rustdesk(5) == {"config": "id = ''\n", "version": "1.2.3\n", "get_id": "1357924680\n"}
    config.write_text("id = '42'\npassword = 'secret'\n")
    assert extras.rustdesk(5) == {"config": "id = '42'\n"}
    monkeypatch.setattr(extras, "RUSTDESK_CONFIG", str(tools / "absent.toml"))
    gatherer = Gatherer(5)
    gatherer.gather("rustdesk", extras.rustdesk, 5, optional=True)
    assert gatherer.errors == {} and gatherer.sources == {}


def test_meshcentral_asks_the_program_of_its_unit(tools, monkeypatch):
    program = _fake_tool(tools, "meshagent", "print('Y9P5x@J7ydeVzwG8b1bA2R7U')")
    unit = tools / "meshagent.service"
    unit.write_text("[Unit]\nDescription=Mesh Agent background service\n\n[Service]\nExecStart=%s --installedByUser=0\n" % program)
    monkeypatch.setattr(extras, "MESHAGENT_SERVICE", str(unit))
    assert extras.meshcentral(5) == {"exec": str(program), "nodeid": "Y9P5x@J7ydeVzwG8b1bA2R7U\n"}
    assert _log(tools, "meshagent") == [repr(["-nodeid"])]


def test_tacticalrmm_ships_the_agent_id_not_the_token(tools, monkeypatch):
    config = tools / "tacticalagent"
    config.write_text('{"agentid": "QnSpMbSAyDqJtRZ", "baseurl": "https://rmm.example", "token": "SECRET", "agentpk": 12}')
    monkeypatch.setattr(extras, "TACTICALRMM_CONFIG", str(config))
    _fake_tool(tools, "rmmagent", "print('Tactical RMM Agent: 2.7.0')")
    assert extras.tacticalrmm(5) == {"agentid": "QnSpMbSAyDqJtRZ", "version": "Tactical RMM Agent: 2.7.0\n"}
    config.write_text("not json")
    assert extras.tacticalrmm(5)["agentid"] is None
