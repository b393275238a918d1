# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""remote_mgmt: AnyDesk and TeamViewer ids, as GLPI Agent finds them on Linux."""

from __future__ import annotations


from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _remote_mgmt

# The layout of `teamviewer --info` (TeamViewer 15 for Linux): bold labels padded to a column, colour reset codes.
TEAMVIEWER_INFO = (
    "\n"
    "\x1b[1m TeamViewer                          \x1b[0m 15.48.4  (DEB) \n"
    "\n"
    "\x1b[1m TeamViewer ID:                      \x1b[0m 1234567890 \n"
    "\n"
    "\x1b[1m teamviewerd status                  \x1b[0m \u25cf teamviewerd.service - TeamViewer remote control daemon\n"
    "     Loaded: loaded (/etc/systemd/system/teamviewerd.service; enabled; vendor preset: enabled)\n"
    "     Active: active (running) since Mon 2026-11-23 08:00:00 UTC; 1h ago\n"
)
# AnyDesk's system.conf lines (the collector ships only the id lines; the parser copes with the whole file).
ANYDESK_CONF = "ad.anynet.alias=\nad.anynet.id=987654321\nad.anynet.cert=-----BEGIN CERTIFICATE-----\\nMIIB...\n"


def test_teamviewer_id_after_the_colour_codes():
    assert _remote_mgmt.teamviewer_id(TEAMVIEWER_INFO) == [{"id": "1234567890", "type": "teamviewer"}]
    # The id at the very end of its line (no trailing blank) is still the id.
    assert _remote_mgmt.teamviewer_id("\x1b[1m TeamViewer ID:\x1b[0m 42") == [{"id": "42", "type": "teamviewer"}]
    assert _remote_mgmt.teamviewer_id("TeamViewer ID: not assigned\n") == []


def test_anydesk_one_entry_per_config_with_an_id():
    configs = [["/etc/anydesk_ad_1a2b/system.conf", "ad.anynet.id=111\n"], ["/etc/anydesk/system.conf", ANYDESK_CONF],
               ["/etc/anydesk_ad_x/system.conf", ""]]
    assert _remote_mgmt.anydesk_ids(configs) == [{"id": "111", "type": "anydesk"}, {"id": "987654321", "type": "anydesk"}]


# Modelled on the others: `supremo --info` is read with TeamViewer's pattern by the agent.
SUPREMO_INFO = "\x1b[1m SupRemo ID:                         \x1b[0m 456789123 \n"
# What the collector ships: RustDesk.toml's id line(s), Tactical RMM's agent id and version line, MeshCentral's -nodeid.
RUSTDESK = {"config": "id = '1357924680'\n"}
TACTICALRMM = {"agentid": "QnSpMbSAyDqJtRZDjNkHxWwHnKgHjWLRRZhLGcsW", "version": "Tactical RMM Agent: 2.7.0\n"}
MESHCENTRAL = {"exec": "/usr/local/mesh_services/meshagent/meshagent", "nodeid": "Y9P5x@J7ydeVzwG8b1bA2R7Uxcl6q0xjfD6VuEhhhfnM1SOjd2ZuSp7Cf9dW2vNX\n"}


def test_the_other_tools():
    assert _remote_mgmt.supremo_id(SUPREMO_INFO) == [{"id": "456789123", "type": "supremo"}]
    assert _remote_mgmt.rustdesk_id(RUSTDESK) == [{"id": "1357924680", "type": "rustdesk"}]
    # An empty id in the file: RustDesk 1.2.2 and later tell it with --get-id; older ones cannot.
    assert _remote_mgmt.rustdesk_id({"config": "id = ''\n", "version": "1.2.3\n", "get_id": "1357924680\n"}) == \
        [{"id": "1357924680", "type": "rustdesk"}]
    assert _remote_mgmt.rustdesk_id({"config": "id = ''\n", "version": "1.2.1\n", "get_id": "1357924680\n"}) == []
    assert _remote_mgmt.tacticalrmm_id(TACTICALRMM) == [{"id": "QnSpMbSAyDqJtRZDjNkHxWwHnKgHjWLRRZhLGcsW", "type": "tacticalrmm",
                                                         "version": "2.7.0"}]
    assert _remote_mgmt.tacticalrmm_id({"agentid": None}) == [] and _remote_mgmt.tacticalrmm_id({"agentid": True}) == []
    assert _remote_mgmt.meshcentral_id(MESHCENTRAL) == [{"id": "Y9P5x@J7ydeVzwG8b1bA2R7Uxcl6q0xjfD6VuEhhhfnM1SOjd2ZuSp7Cf9dW2vNX",
                                                         "type": "meshcentral"}]
    assert _remote_mgmt.meshcentral_id({"nodeid": None}) == []


def test_whole_section():
    raw = {"anydesk": [["/etc/anydesk/system.conf", ANYDESK_CONF]], "teamviewer": TEAMVIEWER_INFO}
    assert _remote_mgmt.remote_mgmt(raw) == [{"id": "987654321", "type": "anydesk"}, {"id": "1234567890", "type": "teamviewer"}]
    raw.update(supremo=SUPREMO_INFO, rustdesk=RUSTDESK, tacticalrmm=TACTICALRMM, meshcentral=MESHCENTRAL)
    assert [entry["type"] for entry in _remote_mgmt.remote_mgmt(raw)] == list(_remote_mgmt.TOOLS)
    assert _remote_mgmt.remote_mgmt({}) == [] and _remote_mgmt.remote_mgmt(None) == []
    assert _remote_mgmt.remote_mgmt({"anydesk": "oops", "teamviewer": 3}) == []


def _check(result):
    assert isinstance(result, list)
    for entry in result:
        assert set(entry) <= {"id", "type", "version"} and isinstance(entry["id"], str) and entry["id"]
        assert entry["type"] in _remote_mgmt.TOOLS and isinstance(entry.get("version", ""), str)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=300)),
       st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.lists(st.one_of(st.text(max_size=60), st.integers()), max_size=3), max_size=3)))
def test_fuzz_random(teamviewer, anydesk):
    _check(_remote_mgmt.remote_mgmt({"teamviewer": teamviewer, "anydesk": anydesk, "supremo": teamviewer}))


_ANY = st.one_of(st.none(), st.integers(), st.booleans(), st.text(max_size=40))


@settings(max_examples=150, deadline=None)
@given(st.one_of(_ANY, st.dictionaries(st.sampled_from(["config", "version", "get_id"]), _ANY)),
       st.one_of(_ANY, st.dictionaries(st.sampled_from(["agentid", "version"]), _ANY)),
       st.one_of(_ANY, st.dictionaries(st.sampled_from(["exec", "nodeid"]), _ANY)))
def test_fuzz_random_structured_tools(rustdesk, tacticalrmm, meshcentral):
    _check(_remote_mgmt.remote_mgmt({"rustdesk": rustdesk, "tacticalrmm": tacticalrmm, "meshcentral": meshcentral}))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_fuzz_mutated_recordings(mutate, seed):
    texts = [mutate(text.encode("utf-8"), seed + index).decode("utf-8", "replace")
             for index, text in enumerate((TEAMVIEWER_INFO, ANYDESK_CONF, SUPREMO_INFO, RUSTDESK["config"], TACTICALRMM["version"]))]
    _check(_remote_mgmt.remote_mgmt({"teamviewer": texts[0], "anydesk": [["/etc/anydesk/system.conf", texts[1]]], "supremo": texts[2],
                                     "rustdesk": {"config": texts[3], "version": texts[4], "get_id": texts[0]},
                                     "tacticalrmm": {"agentid": texts[2], "version": texts[4]}, "meshcentral": {"nodeid": texts[1]}}))
