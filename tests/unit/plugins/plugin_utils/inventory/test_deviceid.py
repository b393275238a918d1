# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's deviceid state: one distinct deviceid per host, across forks and runs."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils._deviceid import make_deviceid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _deviceid as state


@pytest.mark.parametrize("deviceid, taken, expected", [
    ("web-2026-11-23-03-02-29", set(), "web-2026-11-23-03-02-29"),
    ("web-2026-11-23-03-02-29", {"web-2026-11-23-03-02-29"}, "web-2026-11-23-03-02-30"),
    ("web-2026-12-31-23-59-59", {"web-2026-12-31-23-59-59", "web-2027-01-01-00-00-00"}, "web-2027-01-01-00-00-01"),
    ("custom-id", {"custom-id", "custom-id-2"}, "custom-id-3"),
])
def test_distinct_deviceid(deviceid, taken, expected):
    assert state.distinct_deviceid(deviceid, taken) == expected


def _settle(path, index, queue):
    queue.put(state.settle_deviceid(path, "web%02d.site%02d.example.com" % (index, index), "web-2026-11-23-03-02-29", "created")[0])


def test_forks_settling_one_deviceid_each_get_a_distinct_one(tmp_path):
    path = str(tmp_path / "deviceids.json")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_settle, args=(path, index, queue)) for index in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    settled = [queue.get(timeout=5) for _worker in workers]
    assert len(set(settled)) == 12 and "web-2026-11-23-03-02-29" in settled
    recorded = json.loads((tmp_path / "deviceids.json").read_text())
    assert sorted(entry["deviceid"] for entry in recorded.values()) == sorted(settled)


def test_check_mode_reads_and_writes_nothing(tmp_path):
    path = tmp_path / "deviceids.json"
    state.settle_deviceid(str(path), "a", "web-2026-11-23-03-02-29", "created")
    before = path.read_text()
    assert state.settle_deviceid(str(path), "b", "web-2026-11-23-03-02-29", "target", check_mode=True)[0] == "web-2026-11-23-03-02-30"
    assert path.read_text() == before


def test_an_explicit_deviceid_option_is_the_users_choice(tmp_path):
    path = str(tmp_path / "deviceids.json")
    state.settle_deviceid(path, "a", "shared-id", "option")
    assert state.settle_deviceid(path, "b", "shared-id", "option")[:2] == ("shared-id", "option")


def test_a_target_that_lost_its_file_keeps_its_agent(tmp_path):
    path = str(tmp_path / "deviceids.json")
    state.settle_deviceid(path, "a", "web-2026-11-23-03-02-29", "target")
    # Its home became read-only and the file is gone: the collector made up a new one it could not store.
    assert state.settle_deviceid(path, "a", "web-2026-12-01-00-00-00", "unsaved")[:2] == ("web-2026-11-23-03-02-29", "controller")


@pytest.mark.parametrize("hostname, expected", [
    ("web.paris.example.com", "web"),
    ("my host", "my_host"),
    ("evil\nname", "evil_name"),
    ("a/b\\c", "a_b_c"),
    (" \t", "localhost"),
    ("192.0.2.7", "192.0.2.7"),
])
def test_the_host_part_is_sanitised_the_same_way_every_run(hostname, expected):
    assert make_deviceid(hostname, 1795398295) == expected + "-2026-11-23-01-44-55"
    assert make_deviceid(hostname, 1795398295) == make_deviceid(hostname, 1795398295)
