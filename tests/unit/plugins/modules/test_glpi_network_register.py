# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpi_network_register's decisions, with a GLPI server that only remembers a key and GLPI Network's answer."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import GlpiNetworkError, fingerprint, registration_facts, registration_state
from ansible_collections.glpiops.glpi.plugins.modules import glpi_network_register as m

VALID = {"is_valid": True, "validation_message": "The registration key is valid.", "owner": {"name": "Org"},
         "subscription": {"title": "Basic", "is_running": True}}
INVALID = {"is_valid": False, "validation_message": "The registration key is invalid.", "owner": None, "subscription": None}


class FakeServer:
    version = "10.0.12"

    def __init__(self, key="", information=None, services_available=True):
        self.key = key
        self.information = information or VALID
        self.services_available = services_available
        self.writes = []

    def read_key(self, secrets=()):
        return {"glpi_version": self.version, "key": self.key, "stored": bool(self.key)}

    def write_key(self, key, secrets=()):
        self.writes.append(key)
        self.key = key

    def validate(self, secrets=()):
        answer = {"key": self.key, "information": self.information}
        if not self.information["is_valid"]:
            answer["services_available"] = self.services_available
        return registration_state(answer), registration_facts(answer), answer


def test_new_key_is_written_once_and_validated():
    server = FakeServer()
    result = m.ensure_present(server, "NEW", validate=True, check_mode=False)
    assert result["changed"] is True and result["registered"] is True and server.writes == ["NEW"]
    assert result["fingerprint"] == fingerprint("NEW")


def test_same_key_is_not_written():
    server = FakeServer(key="SAME")
    result = m.ensure_present(server, "SAME", validate=True, check_mode=False)
    assert result["changed"] is False and server.writes == []


def test_check_mode_neither_writes_nor_asks():
    server = FakeServer(key="OLD", information=INVALID)
    result = m.ensure_present(server, "NEW", validate=True, check_mode=True)
    assert result["changed"] is True and result["registered"] is None and server.writes == []


def test_refused_key_restores_the_previous_one():
    server = FakeServer(key="OLD", information=INVALID)
    with pytest.raises(GlpiNetworkError, match="refused the registration key: The registration key is invalid. The previous key was restored."):
        m.ensure_present(server, "NEW", validate=True, check_mode=False)
    assert server.writes == ["NEW", "OLD"] and server.key == "OLD"


def test_unreachable_restores_no_key_when_there_was_none():
    server = FakeServer(information=dict(INVALID, validation_message="Unable to fetch registration information."), services_available=False)
    with pytest.raises(GlpiNetworkError, match="services.glpi-network.com") as error:
        m.ensure_present(server, "NEW", validate=True, check_mode=False)
    assert "No key was left stored." in error.value.msg and server.key == ""


def test_refused_unchanged_key_is_reported_not_removed():
    server = FakeServer(key="SAME", information=INVALID)
    with pytest.raises(GlpiNetworkError, match="refused"):
        m.ensure_present(server, "SAME", validate=True, check_mode=False)
    assert server.writes == []


def test_validate_false_writes_without_asking():
    server = FakeServer(information=INVALID)
    result = m.ensure_present(server, "NEW", validate=False, check_mode=False)
    assert result["registered"] is None and server.key == "NEW"


@pytest.mark.parametrize("key, changed", [("OLD", True), ("", False)])
def test_absent(key, changed):
    server = FakeServer(key=key)
    result = m.ensure_absent(server, check_mode=False)
    assert result["changed"] is changed and server.key == "" and result["diff"]["after"] == "(no key)\n"
    assert server.writes == ([""] if changed else [])
