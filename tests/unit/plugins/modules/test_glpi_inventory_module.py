# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module picks the collector of the target's system, or fails naming it."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.modules import glpi_inventory as module_code


class Failed(Exception):
    pass


class FakeModule(object):
    check_mode = False

    def __init__(self):
        self.params = {"collect_timeout": 7, "collect_deadline": 90, "collect_processes": False, "collect_envs": False,
                       "deviceid": "dev-1", "deviceid_path": None}

    def fail_json(self, **kwargs):
        raise Failed(kwargs["msg"])


@pytest.mark.parametrize("system, family", [("Linux", "linux"), ("Darwin", "darwin"), ("FreeBSD", "freebsd")])
def test_each_system_gets_its_collector(monkeypatch, system, family):
    calls = []
    for name, (os_family, _unused_collect) in list(module_code.COLLECTORS.items()):
        def fake(timeout, processes, envs, deadline, os_family=os_family):
            calls.append((os_family, timeout, deadline))
            return {"hostname": "h"}, {}, {"lspci": "lspci timed out after 7s"}
        monkeypatch.setitem(module_code.COLLECTORS, name, (os_family, fake))
    monkeypatch.setattr(module_code.platform, "system", lambda: system)
    result = module_code.run(FakeModule())
    assert calls == [(family, 7, 90)]
    assert result["os_family"] == family and result["raw_format"] == 1
    assert result["sources"] == {"hostname": "h"} and result["deviceid"] == "dev-1"
    assert result["incomplete"] == {"lspci": "lspci timed out after 7s"} and result["errors"] == {}


def test_the_real_collectors_are_wired():
    from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_darwin, _collector_freebsd, _collector_linux

    assert module_code.COLLECTORS == {
        "Linux": ("linux", _collector_linux.collect),
        "Darwin": ("darwin", _collector_darwin.collect),
        "FreeBSD": ("freebsd", _collector_freebsd.collect),
    }


@pytest.mark.parametrize("system", ["Windows", "SunOS", "OpenBSD", ""])
def test_other_systems_fail_naming_the_system(monkeypatch, system):
    monkeypatch.setattr(module_code.platform, "system", lambda: system)
    with pytest.raises(Failed) as failure:
        module_code.run(FakeModule())
    assert "does not support %s targets" % (system or "unknown") in str(failure.value)
    assert "Darwin, FreeBSD, Linux" in str(failure.value)
