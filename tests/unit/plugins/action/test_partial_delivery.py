# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 16: change-only inventories through the real action plugin, against the GLPI double (which validates every
document against GLPI's schema and keeps what GLPI would hold, partial documents applied as GLPI applies them)."""

from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.glpiops.glpi.plugins.action.glpi_inventory import ActionModule as InventoryAction
from tests.glpi_double import GLPIDouble
from tests.unit.plugins.action._actions import make_action

DEVICEID = "vm-2026-11-23-03-02-29"  # of the recorded collector result (collected_debian_vm)
ALWAYS = ["accesslog", "bios", "hardware", "versionprovider"]


@pytest.fixture
def glpi():
    with GLPIDouble(glpi_version=11) as double:
        yield double


@pytest.fixture
def inventory(collected_debian_vm, tmp_path, glpi):
    """``inventory(collected=None, **args)`` -> the result of one glpi_inventory task to the double."""

    def run(collected=None, check_mode=False, **args):
        args.setdefault("server", glpi.url)
        args.setdefault("spool_path", str(tmp_path / "spool"))
        args.setdefault("timeout", 5)
        args.setdefault("retry_max_wait", 0)
        plugin = make_action(InventoryAction, args, copy.deepcopy(collected or collected_debian_vm), check_mode=check_mode)
        result = plugin.run(task_vars={"inventory_hostname": "vm"})
        json.dumps(result)
        return result
    return run


def _with_new_package(collected):
    changed = copy.deepcopy(collected)
    changed["sources"]["dpkg"] += "zz-new-package\tall\t1.0\t10\tmisc\tinstall ok installed\n"
    return changed


def test_the_second_unchanged_run_sends_a_partial_and_glpi_keeps_everything(inventory, glpi):
    first = inventory()
    assert first["delivered"] is True and first["partial"] is False and first["postponed"] == 0
    assert "softwares" in first["sections_sent"]
    second = inventory()
    assert second["delivered"] is True and second["partial"] is True and second["postponed"] == 1
    assert second["sections_sent"] == ALWAYS
    documents = glpi.accepted_documents()
    assert len(documents) == 2 and documents[1]["partial"] is True and "softwares" not in documents[1]["content"]
    # what GLPI holds after the partial: the full document's sections, the partial's fresh hardware
    stored = glpi.stored_computers()[DEVICEID]
    assert set(stored) == set(documents[0]["content"])
    assert stored["softwares"] == documents[0]["content"]["softwares"]


def test_a_new_package_sends_softwares_with_operatingsystem(inventory, collected_debian_vm, glpi):
    inventory()
    result = inventory(collected=_with_new_package(collected_debian_vm))
    assert result["partial"] is True and {"softwares", "operatingsystem"} <= set(result["sections_sent"])
    assert any(s["name"] == "zz-new-package" for s in glpi.stored_computers()[DEVICEID]["softwares"])


def test_a_spooled_partial_leaves_the_state_so_the_next_run_sends_the_change_again(inventory, collected_debian_vm, glpi):
    inventory()
    changed = _with_new_package(collected_debian_vm)
    glpi.fail_next(count=1, status=404)  # GLPI turns the partial down (refused: not retried)
    refused = inventory(collected=changed)
    assert refused["delivered"] is False and "softwares" in refused["sections_sent"]
    again = inventory(collected=changed)
    assert again["delivered"] is True and again["partial"] is True and "softwares" in again["sections_sent"]
    assert again["postponed"] == 1  # the refused one did not count
    assert inventory(collected=changed)["sections_sent"] == ALWAYS  # now GLPI confirmed it


def test_postpone_zero_sends_every_inventory_whole(inventory):
    inventory(full_inventory_postpone=0)
    result = inventory(full_inventory_postpone=0)
    assert result["partial"] is False and "softwares" in result["sections_sent"]


def test_the_limit_of_partials_brings_a_full_inventory(inventory):
    seen = [(r["partial"], r["postponed"]) for r in (inventory(full_inventory_postpone=2) for _unused in range(5))]
    assert seen == [(False, 0), (True, 1), (True, 2), (False, 0), (True, 1)]


def test_check_mode_shows_the_plan_and_keeps_no_state(inventory, glpi):
    inventory()
    planned = inventory(check_mode=True)
    assert planned["partial"] is True and planned["sections_sent"] == ALWAYS and len(glpi.accepted_documents()) == 1
    assert inventory()["postponed"] == 1  # check mode did not count


def test_local_files_are_always_full(inventory, tmp_path):
    inventory(local_path=str(tmp_path / "out"))
    second = inventory(local_path=str(tmp_path / "out"))
    assert second["partial"] is True
    written = json.loads((tmp_path / "out" / ("%s.json" % DEVICEID)).read_text())
    assert "softwares" in written["content"] and "partial" not in written


def test_an_unwritable_state_warns_and_the_next_run_is_full(inventory, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    first = inventory(partial_state_path=str(blocker / "state"))
    assert first["delivered"] is True
    assert any("partial_state_path" in w and "full inventory" in w for w in first["warnings"])
    assert inventory(partial_state_path=str(blocker / "state"))["partial"] is False


def test_the_state_lives_in_the_spool_by_default(inventory, tmp_path):
    inventory()
    assert len(os.listdir(tmp_path / "spool" / "partial")) == 1


def test_a_negative_postpone_fails_naming_the_option(inventory):
    result = inventory(full_inventory_postpone=-1)
    assert result["failed"] and "full_inventory_postpone" in result["msg"]
