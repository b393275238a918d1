# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of change-only (partial) inventories, on a real document built from a recorded collector result."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _partial as p


@pytest.fixture
def document(collected_debian_vm):
    doc, _warnings = inv.build_inventory(collected_debian_vm, "debian12-2026-12-06-08-00-00", now=1765000000)
    doc = copy.deepcopy(doc)
    content = doc["content"]
    # The recorded VM has neither users nor software changes to speak of: give the rules something to act on.
    content["hardware"]["lastloggeduser"] = "alice"
    content["hardware"]["datelastloggeduser"] = "Sat Dec 5 10:00"
    content.setdefault("users", [{"login": "alice"}])
    assert {"softwares", "operatingsystem", "networks", "drives", "hardware", "bios"} <= set(content)
    return doc


def _delivered(document, state=None, postpone=14):
    plan = p.plan_delivery(document, state, postpone)
    return plan, p.state_after_delivery(state, plan)


def _changed(document, section, mutate):
    later = copy.deepcopy(document)
    mutate(later["content"][section])
    return later


def test_first_run_is_full_and_its_state_knows_every_digested_section(document):
    plan, state = _delivered(document)
    assert plan.partial is False and plan.document is document
    assert "no state" in plan.reason
    assert set(state["sections"]) == set(document["content"]) - {"accesslog", "versionprovider", "versionclient"}
    assert state["postponed"] == 0


def test_an_unchanged_second_run_sends_only_what_is_always_sent(document, assert_valid_inventory):
    _plan, state = _delivered(document)
    plan = p.plan_delivery(copy.deepcopy(document), state, 14)
    assert plan.partial is True and plan.document["partial"] is True
    assert "bios" in document["content"]
    assert plan.sections == ["accesslog", "bios", "hardware", "versionprovider"]
    assert plan.document["content"]["versionclient"] == document["content"]["versionclient"]
    assert plan.postponed == 1
    assert_valid_inventory(plan.document)


def test_a_changed_section_is_sent_with_the_always_kept_ones(document):
    _plan, state = _delivered(document)
    later = _changed(document, "networks", lambda networks: networks[0].update(ipaddress="192.0.2.99"))
    plan = p.plan_delivery(later, state, 14)
    assert plan.partial and "networks" in plan.sections and "softwares" not in plan.sections
    assert plan.document["content"]["networks"][0]["ipaddress"] == "192.0.2.99"


def test_softwares_take_operatingsystem_along(document):
    _plan, state = _delivered(document)
    later = _changed(document, "softwares", lambda softwares: softwares.append({"name": "new-package", "version": "1"}))
    plan = p.plan_delivery(later, state, 14)
    assert plan.partial and {"softwares", "operatingsystem"} <= set(plan.sections)
    # and operatingsystem alone does not drag softwares along
    later = _changed(document, "operatingsystem", lambda system: system.update(kernel_version="6.1.0-99-amd64"))
    plan = p.plan_delivery(later, state, 14)
    assert "operatingsystem" in plan.sections and "softwares" not in plan.sections


def test_users_left_out_take_the_last_user_out_of_hardware(document):
    _plan, state = _delivered(document)
    plan = p.plan_delivery(copy.deepcopy(document), state, 14)
    assert "users" not in plan.sections
    assert not set(p.LAST_USER_FIELDS) & set(plan.document["content"]["hardware"])
    assert document["content"]["hardware"]["lastloggeduser"] == "alice"  # the caller's document is left alone
    later = _changed(document, "users", lambda users: users.append({"login": "bob"}))
    plan = p.plan_delivery(later, state, 14)
    assert "users" in plan.sections and plan.document["content"]["hardware"]["lastloggeduser"] == "alice"


def test_a_disappeared_section_forces_a_full_inventory(document):
    _plan, state = _delivered(document)
    later = copy.deepcopy(document)
    del later["content"]["drives"]
    plan = p.plan_delivery(later, state, 14)
    assert plan.partial is False and "drives" in plan.reason and "partial" not in plan.document


def test_volatile_values_do_not_make_a_change(document):
    _plan, state = _delivered(document)
    later = _changed(document, "drives", lambda drives: drives[0].update(free=(drives[0].get("free") or 0) + 1234))
    later["content"]["accesslog"] = {"logdate": "2030-01-01 00:00:00"}
    later["content"]["hardware"]["lastloggeduser"] = "root"
    plan = p.plan_delivery(later, state, 14)
    assert plan.partial and "drives" not in plan.sections


def test_after_the_limit_of_partials_a_full_inventory_goes_out(document):
    plan, state = _delivered(document, postpone=2)
    seen = []
    for _run in range(4):
        plan, state = _delivered(copy.deepcopy(document), state, postpone=2)
        seen.append((plan.partial, plan.postponed))
    assert seen == [(True, 1), (True, 2), (False, 0), (True, 1)]


def test_postpone_zero_is_always_full(document):
    _plan, state = _delivered(document)
    plan = p.plan_delivery(copy.deepcopy(document), state, 0)
    assert plan.partial is False and "0" in plan.reason


def test_an_undelivered_partial_leaves_the_state_so_the_next_run_sends_it_again(document):
    _plan, state = _delivered(document)
    later = _changed(document, "networks", lambda networks: networks[0].update(ipaddress="192.0.2.99"))
    failed = p.plan_delivery(later, state, 14)
    assert "networks" in failed.sections
    # the delivery was spooled or failed: state_after_delivery is not called, the state stays; next run:
    again = p.plan_delivery(copy.deepcopy(later), state, 14)
    assert "networks" in again.sections and again.postponed == failed.postponed
    # once confirmed, the section is known and the next unchanged run leaves it out
    state = p.state_after_delivery(state, again)
    assert "networks" not in p.plan_delivery(copy.deepcopy(later), state, 14).sections


def test_xml_is_never_partial():
    xml = b"<?xml version='1.0'?><REQUEST><DEVICEID>x</DEVICEID><QUERY>INVENTORY</QUERY><CONTENT/></REQUEST>"
    plan = p.plan_delivery(xml, {"format": 1, "sections": {}, "postponed": 0}, 14)
    assert plan.partial is False and plan.document is xml and "XML" in plan.reason


@pytest.mark.parametrize("state", [
    None, {}, [], {"format": 2, "sections": {}, "postponed": 0}, {"format": 1, "sections": [], "postponed": 0},
    {"format": 1, "sections": {}, "postponed": -1}, {"format": 1, "sections": {}, "postponed": True},
    {"format": 1, "sections": {"hardware": "abc"}, "postponed": 0},
])
def test_a_state_it_cannot_trust_means_a_full_inventory_never_a_wrong_partial(document, state):
    plan = p.plan_delivery(document, state, 14)
    assert plan.partial is False and "no state" in plan.reason


def test_every_section_changed_is_a_full_inventory_not_a_partial(document):
    _plan, state = _delivered(document)
    state = dict(state, sections={name: {"sha256": "0" * 64, "length": 1} for name in state["sections"]})
    plan = p.plan_delivery(document, state, 14)
    assert plan.partial is False and plan.reason == "every section changed"


def test_digests_are_canonical():
    assert p.section_digest({"b": 1, "a": [1, "é"]}) == p.section_digest({"a": [1, "é"], "b": 1})
    assert p.section_digest({"a": 1}) != p.section_digest({"a": "1"})
