# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The macOS and FreeBSD collectors: which commands they run, and each source failing alone; Linux install dates."""

from __future__ import annotations

import os

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_darwin as darwin
from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_freebsd as freebsd
from ansible_collections.glpiops.glpi.plugins.module_utils._sources import SourceUnavailable


def _fake_commands(monkeypatch, module, failing=()):
    ran = []

    def run_command(argv, timeout, ok_rcs=(0,), stdin_data=None, env=None):
        ran.append((tuple(argv), timeout))
        if argv[0] in failing:
            raise SourceUnavailable("command not found: %s" % argv[0]) if argv[0] == "mfiutil" else \
                SourceUnavailable("%s timed out after %ss" % (argv[0], timeout))
        return "output of %s\n" % " ".join(argv)

    def read_text(path, max_bytes=0):
        if path == "/etc/resolv.conf":
            return "nameserver 10.0.0.1\n"
        raise SourceUnavailable("not found: %s" % path)

    monkeypatch.setattr(module, "run_command", run_command)
    monkeypatch.setattr(module, "read_text", read_text)
    return ran


def test_darwin_sources(monkeypatch):
    ran = _fake_commands(monkeypatch, darwin, failing=("networksetup",))
    sources, errors, _incomplete = darwin.collect(timeout=5)
    assert errors == {"networksetup": "networksetup timed out after 5s"}
    assert {"system_profiler", "system_profiler_applications", "system_profiler_storages", "sysctl_cpu", "sysctl", "sw_vers",
            "ioreg_platform", "ioreg_usb", "ioreg_displays", "ifconfig", "netstat_routes", "df", "mount", "resolv_conf",
            "uname", "hostname", "timezone", "clock"} <= set(sources)
    assert sorted(sources["system_profiler_storages"]) == sorted(darwin.SYSTEM_PROFILER_STORAGE_TYPES)
    assert ((darwin.SYSTEM_PROFILER, "-xml", "SPApplicationsDataType"), 30) in ran
    assert ((darwin.SYSTEM_PROFILER,) + darwin.SYSTEM_PROFILER_TEXT_TYPES, 30) in ran
    assert (("ifconfig", "-a"), 5) in ran


def test_freebsd_sources(monkeypatch):
    ran = _fake_commands(monkeypatch, freebsd, failing=("dmidecode", "pkg_info"))
    monkeypatch.setattr(freebsd.os.path, "exists", lambda path: path == "/dev/mfi0")
    sources, errors, _incomplete = freebsd.collect(timeout=5)
    assert errors == {"dmidecode": "dmidecode timed out after 5s"}
    assert sources["pkg_info"] == "output of pkg info\n"  # pkg_info failed: FreeBSD's pkg answered
    assert sources["dmesg"] == "output of dmesg\n"  # no /var/run/dmesg.boot here
    assert {"sysctl", "geom_confxml", "mfiutil", "ifconfig", "netstat_routes", "df", "swapctl", "resolv_conf"} <= set(sources)
    assert (("sysctl", "-n", "kern.geom.confxml"), 5) in ran
    assert (("df", "-P", "-T", "-k"), 5) in ran


@pytest.mark.parametrize("module", [darwin, freebsd])
def test_a_broken_source_is_an_error_not_a_crash(monkeypatch, module):
    def run_command(argv, timeout, ok_rcs=(0,), stdin_data=None, env=None):
        raise RuntimeError("boom")
    monkeypatch.setattr(module, "run_command", run_command)
    sources, errors, _incomplete = module.collect(timeout=1)
    assert "uname" in sources and errors.get("ifconfig") == "unexpected RuntimeError: boom"


def test_linux_install_epochs_add_the_installation_markers_modification_times(monkeypatch, tmp_path):
    from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_linux as linux

    installer, machine_id = tmp_path / "installer", tmp_path / "machine-id"
    installer.mkdir()
    machine_id.write_text("0123\n")
    os.utime(str(installer), (1690000000, 1690000000))
    os.utime(str(machine_id), (1680000000, 1680000000))
    monkeypatch.setattr(linux, "_INSTALL_MARKERS", (str(installer), str(tmp_path / "absent"), str(machine_id)))
    monkeypatch.setattr(linux, "find_command", lambda name: None)
    monkeypatch.setattr(linux, "run_command", lambda argv, timeout: "0\n")
    epochs = linux._install_epochs(5)
    assert epochs["markers"] == {str(installer): "1690000000", str(machine_id): "1680000000"}
    assert epochs["root"] == "0\n"
