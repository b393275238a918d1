# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RSQL filters, page queries and record mapping of the High-Level API v2 (pure)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._hosts import COMPUTER_FIELDS
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._v2_query import (
    RSQLValueError,
    computer_from_record,
    filter_rsql,
    name_like,
    page_params,
    rsql_value,
)
from tests._reference import reference_path


def test_no_filter_still_leaves_out_the_trash_bin():
    assert filter_rsql() == "is_deleted==false"


def test_filters_are_and_ed_and_several_values_or_ed_in_a_group():
    assert filter_rsql(entities=["Root entity > Paris", "Root entity > Lyon"], states=["In use"], name_pattern="web") == (
        'is_deleted==false;(entity.completename=="Root entity > Paris",entity.completename=="Root entity > Lyon");'
        'status.name=="In use";name=ilike="*web*"')


@pytest.mark.parametrize("pattern, like", [("web", "*web*"), ("^web", "web*"), ("web$", "*web"), ("^web-01$", "web-01"),
                                           ("^", "*"), (" web ", "*web*")])
def test_name_pattern_keeps_the_legacy_anchors(pattern, like):
    assert name_like(pattern) == like


def test_values_are_quoted_with_the_quote_they_do_not_hold():
    assert rsql_value("a;b,c(d)") == '"a;b,c(d)"'
    assert rsql_value('say "hi"') == "'say \"hi\"'"
    with pytest.raises(RSQLValueError):
        rsql_value("it's \"x\"")


def test_one_page_is_sorted_by_id():
    assert page_params("f", 2000, 1000) == [("filter", "f"), ("sort", "id"), ("start", "2000"), ("limit", "1000")]


def test_the_recorded_record_maps_to_every_neutral_field():
    text = reference_path("glpi", "api-transcript.txt").read_text()
    line = next(line for line in text.splitlines() if line.startswith('[{"id":1,"name":"labcheck-host"'))
    record = json.loads(line.split(',{"id":2', 1)[0] + "]")[0]
    computer = computer_from_record(record)
    assert set(computer) == set(COMPUTER_FIELDS)
    assert (computer["id"], computer["name"], computer["serial"], computer["entity"]) == (
        1, "labcheck-host", "LABCHECK-0001", "Root entity")
    assert computer["uuid"] == "4c414243-4845-4b00-8000-000000000001" and computer["groups"] == []
    assert computer["state"] is None and computer["type"] is None and computer["ip_addresses"] == []


@pytest.mark.parametrize("record", [None, [], {"name": "x"}, {"id": "x"}])
def test_a_record_without_an_integer_id_is_none(record):
    assert computer_from_record(record) is None
