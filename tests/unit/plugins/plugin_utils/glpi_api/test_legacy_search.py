# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The legacy search: columns, criteria, paging headers and rows, as GLPI's search engine speaks them."""

from __future__ import annotations

import urllib.parse

from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._legacy_search import (
    SEARCH_OPTIONS,
    computer_from_row,
    filter_criteria,
    forcedisplay,
    parse_accept_range,
    parse_content_range,
    search_params,
)
from tests.glpi_api_double import SEARCH_OPTIONS as STAND_IN_OPTIONS, php_query

# the recorded GLPI's row of "vm" (api-transcript.txt), columns the lab asked for
VM_ROW = {"1": "vm", "126": ["127.0.0.1", "::1", "192.0.2.2", "fd00::2", "fe80::fc:ff:fe00:1"], "80": "Root entity",
          "45": "Debian GNU/Linux 12 (bookworm)", "31": None, "9": "2026-12-06 04:49:55", "2": 2}


def test_every_column_is_a_known_search_option_of_computer():
    assert set(forcedisplay()) == set(SEARCH_OPTIONS.values()) <= set(STAND_IN_OPTIONS)
    named = ("name", "id", "serial", "uuid", "entity", "location", "state", "os_name", "last_inventory", "ip_addresses",
             "agent_deviceid")
    assert {SEARCH_OPTIONS[name] for name in named} == {1, 2, 5, 47, 80, 3, 31, 45, 9, 126, 900}  # FACTS.md section 6


def test_filters_become_criteria_several_values_ored():
    criteria = filter_criteria(entities=["Root entity > Paris", "Root entity > Lyon"], states=["In use"],
                               name_pattern="^web", last_inventory_days=7)
    assert criteria == [
        {"criteria": [{"field": 80, "searchtype": "contains", "value": "^Root entity > Paris$"},
                      {"link": "OR", "field": 80, "searchtype": "contains", "value": "^Root entity > Lyon$"}]},
        {"link": "AND", "criteria": [{"field": 31, "searchtype": "contains", "value": "^In use$"}]},
        {"link": "AND", "field": 1, "searchtype": "contains", "value": "^web"},
        {"link": "AND", "field": 9, "searchtype": "morethan", "value": "-7DAY"},
    ]
    assert filter_criteria() == []


def test_search_params_read_back_as_php_reads_them():
    criteria = filter_criteria(states=["In use", "In stock"], last_inventory_days=0)
    query = php_query(urllib.parse.urlencode(search_params(criteria, 1000, 1999)))
    assert query["range"] == "1000-1999" and (query["sort"], query["order"]) == ("2", "ASC")
    assert sorted(int(value) for value in query["forcedisplay"].values()) == forcedisplay()
    in_stock = {"link": "OR", "field": "31", "searchtype": "contains", "value": "^In stock$"}
    assert query["criteria"]["0"]["criteria"]["1"] == in_stock
    assert query["criteria"]["1"] == {"link": "AND", "field": "9", "searchtype": "morethan", "value": "-0DAY"}


def test_paging_headers():
    assert parse_content_range("0-999/2345") == (0, 999, 2345)
    assert parse_content_range("0--1/0") == (0, -1, 0)
    assert parse_content_range(None) is None and parse_content_range("bytes 0-1") is None
    assert parse_accept_range("Computer 1000") == 1000
    assert parse_accept_range("Computer 0") is None and parse_accept_range("") is None


def test_a_row_becomes_a_computer():
    computer = computer_from_row(VM_ROW)
    assert computer["id"] == 2 and computer["name"] == "vm" and computer["state"] is None
    assert computer["ip_addresses"] == VM_ROW["126"] and computer["groups"] == []
    assert computer_from_row(dict(VM_ROW, **{"126": "192.0.2.9", "71": "Servers"}))["ip_addresses"] == ["192.0.2.9"]
    assert computer_from_row(dict(VM_ROW, **{"71": "Servers"}))["groups"] == ["Servers"]
    assert computer_from_row(dict(VM_ROW, **{"2": None})) is None and computer_from_row(["vm"]) is None
