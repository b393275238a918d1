# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Garbage in any source never costs the document: it still builds and validates against both GLPI schemas."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv


def _text_sources(collected):
    return sorted(name for name, value in collected["sources"].items() if isinstance(value, str))


def _mutate(text, data):
    """Truncate, flip characters, drop or duplicate lines, or replace with random text."""
    kind = data.draw(st.sampled_from(["truncate", "flip", "lines", "random", "empty"]))
    if kind == "truncate" and text:
        return text[:data.draw(st.integers(0, len(text)))]
    if kind == "flip" and text:
        chars = list(text)
        for _unused in range(data.draw(st.integers(1, 20))):
            chars[data.draw(st.integers(0, len(chars) - 1))] = data.draw(st.characters())
        return "".join(chars)
    if kind == "lines":
        lines = text.splitlines()
        return "\n".join(data.draw(st.permutations(lines))[:data.draw(st.integers(0, len(lines)))] +
                         data.draw(st.lists(st.sampled_from(lines or [""]), max_size=5)))
    if kind == "random":
        return data.draw(st.text(max_size=400))
    return ""


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_sources_still_make_a_valid_document(collected_debian_vm, assert_valid_inventory, data):
    collected = copy.deepcopy(collected_debian_vm)
    names = data.draw(st.lists(st.sampled_from(_text_sources(collected)), min_size=1, max_size=6, unique=True))
    for name in names:
        collected["sources"][name] = _mutate(collected["sources"][name], data)
    document, warnings = inv.build_inventory(collected, "vm-2026-11-23-03-02-29", now=1795420800)
    assert isinstance(warnings, list)
    assert_valid_inventory(document)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["virtualization", "net_interfaces", "dmi", "timezone", "disk_links", "firewall",
                                        "install_epochs", "ssh_host_keys", "uname"]),
                       st.one_of(st.none(), st.text(max_size=50), st.integers(), st.lists(st.text(max_size=5)),
                                 st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.text(max_size=20), st.booleans())))))
def test_wrong_shapes_from_the_collector_cost_sections_not_the_document(collected_debian_vm, assert_valid_inventory, replaced):
    collected = copy.deepcopy(collected_debian_vm)
    collected["sources"].update(replaced)
    document, _warnings = inv.build_inventory(collected, "vm-2026-11-23-03-02-29")
    assert_valid_inventory(document)
