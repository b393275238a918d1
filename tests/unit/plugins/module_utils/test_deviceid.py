# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deviceid: GLPI Agent's format, read from and persisted to the agent's own file."""

from __future__ import annotations

import os
import re
import time

from ansible_collections.glpiops.glpi.plugins.module_utils import _deviceid as d


def test_format_is_glpi_agents(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    assert d.make_deviceid("web01.example.org", 1795398295) == "web01-2026-11-23-01-44-55"
    assert d.make_deviceid("192.0.2.7", 1795398295) == "192.0.2.7-2026-11-23-01-44-55"


def test_existing_file_is_read(tmp_path):
    path = tmp_path / ".glpi-agent-deviceid"
    path.write_text("web01-2020-01-01-00-00-00\n")
    assert d.resolve_deviceid(str(path), "web01") == ("web01-2020-01-01-00-00-00", "read", None)


def test_missing_file_is_created_once(tmp_path):
    path = tmp_path / ".glpi-agent-deviceid"
    deviceid, state, error = d.resolve_deviceid(str(path), "web01")
    assert state == "created" and error is None
    assert re.match(r"^web01-\d{4}(-\d{2}){5}$", deviceid)
    assert path.read_text() == deviceid + "\n"
    assert d.resolve_deviceid(str(path), "web01") == (deviceid, "read", None)


def test_check_mode_writes_nothing(tmp_path):
    path = tmp_path / ".glpi-agent-deviceid"
    _deviceid, state, _error = d.resolve_deviceid(str(path), "web01", check_mode=True)
    assert state == "generated" and not path.exists()


def test_unwritable_location_reports_why(tmp_path):
    path = tmp_path / "missing-dir" / ".glpi-agent-deviceid"
    deviceid, state, error = d.resolve_deviceid(str(path), "web01")
    assert state == "unsaved" and deviceid.startswith("web01-") and "cannot write" in error
    assert os.listdir(tmp_path) == []


def test_garbage_file_is_replaced(tmp_path):
    path = tmp_path / ".glpi-agent-deviceid"
    path.write_bytes(b"\xff\xfe bad id\n")
    _deviceid, state, _error = d.resolve_deviceid(str(path), "web01")
    assert state == "created"


def test_one_validator_for_the_file_and_for_remote_urls():
    made = [d.make_deviceid(host, 1795398295) for host in ("web01.example.org", "192.0.2.7", "my host/x", "_.", "WIN-01")]
    assert all(d.valid_deviceid(value) and d.valid_deviceid(value, in_url=True) for value in made)
    # The file may hold any one printable token (GLPI Agent stores what it read or made); a URL only what the agent reads whole.
    for value in ("wéb01-2026-11-23-01-44-55", "web+01-2026-11-23-01-44-55", "web01-2026-11-23-01-44-55."):
        assert d.valid_deviceid(value) and not d.valid_deviceid(value, in_url=True)
    for value in ("", "bad id!", "web01\t2026", "web\x1b01"):
        assert not d.valid_deviceid(value) and not d.valid_deviceid(value, in_url=True)
