# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Monitors from raw EDID blocks: GLPI Agent's corpus, behaviours, fuzzing."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _edid as e
from tests._reference import reference_path

# hwdata's PNP id list (the collector reads the target's own at run time)
PNP_IDS_FILE = "/usr/share/hwdata/pnp.ids"

# PNP ids whose name in hwdata's list is not the one of GLPI Agent's own table (see docs/corpus-differences.md);
# BNQ is not in hwdata's list at all, so the id itself is reported.
PNP_NAMES_OTHER_THAN_AGENT = {"BNQ", "GSM", "IMP", "SNY", "TOS"}
# Samsung models for which GLPI Agent swaps serial and altserial from a per-model list of its own
# (not reproduced: see docs/corpus-differences.md).
SAMSUNG_SWAPPED_BY_AGENT = {"lcd.samsung-s22c450", "lcd.samsung-s24e450"}


def _skip_or_fail(reason):
    if os.environ.get("CI") == "true":
        pytest.fail("under CI this must be present: " + reason)
    pytest.skip(reason)


@pytest.fixture(scope="module", name="pnp_ids")
def pnp_ids_fixture():
    if not os.path.exists(PNP_IDS_FILE):
        _skip_or_fail("no %s (apt-get install hwdata)" % PNP_IDS_FILE)
    with open(PNP_IDS_FILE, "rb") as handle:
        return e.parse_pnp_ids(handle.read())


@pytest.fixture(scope="module", name="corpus_edids")
def corpus_edids_fixture():
    folder = reference_path("glpi-agent-corpus", "edid")
    return [path.read_bytes() for path in sorted(folder.glob("*.txt"))]


@pytest.mark.corpus("edid")
def test_edid_corpus_same_as_agent(corpus_case, assert_same_as_agent, assert_valid_inventory, pnp_ids):
    case = corpus_case
    if case.view != "monitor":
        pytest.fail("edid view %r has no handler" % case.view)
    blob = case.read_bytes()
    monitor = e.parse_edid(blob, pnp_ids=pnp_ids)
    # manufacturer, serial and altserial are left out by docs/corpus-differences.md; checked here, sample by sample
    assert_same_as_agent(case, monitor)
    expected = {key: value for key, value in case.expected.items() if value is not None}
    code = e.decode_edid(blob)["manufacturer_name"]
    if monitor.get("manufacturer") != expected.get("manufacturer"):
        assert code in PNP_NAMES_OTHER_THAN_AGENT, "%r: manufacturer %r, the agent has %r" % (
            case, monitor.get("manufacturer"), expected.get("manufacturer"))
        assert monitor["manufacturer"] == pnp_ids.get(code, code)
    serials = (monitor.get("serial"), monitor.get("altserial"))
    wanted = (expected.get("serial"), expected.get("altserial"))
    if case.name in SAMSUNG_SWAPPED_BY_AGENT:
        assert serials == wanted[::-1], "%r: %r is not the agent's %r swapped" % (case, serials, wanted)
    else:
        assert serials == wanted, "%r: serial/altserial %r, the agent has %r" % (case, serials, wanted)
    assert_valid_inventory({"deviceid": "corpus-test", "content": {"versionclient": "test", "monitors": [monitor]}})


# --- behaviours -----------------------------------------------------------------------------------------------

def _edid(code="DEL", product=0xA0B0, number=0x01020304, week=12, year=2020, descriptors=(), version=1, revision=3):
    """A 128-byte EDID with the given fields and up to 4 display descriptors ``(tag, text)``."""
    block = bytearray(128)
    block[0:8] = b"\x00\xff\xff\xff\xff\xff\xff\x00"
    letters = 0
    for char in code:
        letters = (letters << 5) | (ord(char) - ord("A") + 1)
    block[8:10] = letters.to_bytes(2, "big")
    block[10:12] = product.to_bytes(2, "little")
    block[12:16] = number.to_bytes(4, "little")
    block[16], block[17], block[18], block[19] = week, year - 1990, version, revision
    for index, (tag, text) in enumerate(descriptors):
        offset = 54 + 18 * index
        block[offset + 3] = tag
        raw = text.encode("latin-1") if isinstance(text, str) else text
        block[offset + 5:offset + 18] = raw[:13].ljust(13, b" ")
    block[127] = (-sum(block[:127])) & 0xFF
    return bytes(block)


PNP = {"DEL": "Dell Inc.", "ACR": "Acer Technologies"}


def test_fields_of_a_plain_monitor():
    blob = _edid(descriptors=[(0xFC, "DELL U2415\n"), (0xFF, "7MT019AI34EU")])
    assert e.parse_edid(blob, pnp_ids=PNP) == {
        "caption": "DELL U2415", "description": "12/2020", "manufacturer": "Dell Inc.", "serial": "7MT019AI34EU"}


def test_without_pnp_ids_the_manufacturer_is_the_pnp_id_and_serial_the_number_in_hex():
    assert e.parse_edid(_edid(week=255)) == {"description": "2020", "manufacturer": "DEL", "serial": "01020304"}


def test_caption_from_text_descriptors_and_cut_at_unprintable():
    blob = _edid(descriptors=[(0xFE, "LG Display"), (0xFE, "LP140WF1\x01x")])
    assert e.parse_edid(blob)["caption"] == "LG Display LP140WF1"


def test_acer_label_serial_combines_descriptor_and_number():
    blob = _edid(code="ACR", number=0x7320C384, descriptors=[(0xFF, "L460C1184049")])
    monitor = e.parse_edid(blob, pnp_ids=PNP)
    assert monitor["serial"] == "L460C1187320c3844049" and monitor["altserial"] == "L460C1184049"
    older = e.parse_edid(_edid(code="ACR", number=0x445001D9, descriptors=[(0xFF, "ETL2508043")]))
    assert older["serial"] == "ETL2508043" and older["altserial"] == "ETL25080445001d943"


def test_undecodable_blocks_give_nothing():
    assert e.parse_edid(b"") == {}
    assert e.parse_edid(_edid()[:127]) == {}
    assert e.parse_edid(_edid(version=0)) == {}
    # a doubtful block is kept when it names the monitor, with a date and a serial number
    assert e.parse_edid(_edid(version=0, descriptors=[(0xFC, "X")]))["caption"] == "X"


def test_pnp_ids_formats():
    assert e.parse_pnp_ids("ACR\tAcer Technologies\nDEL\tDell Inc.\n# x\n") == PNP
    assert e.parse_pnp_ids(b"# comment\nAAA __ Avolites Ltd\n") == {"AAA": "Avolites Ltd"}


def test_monitors_deduplicated_like_the_agent(assert_valid_inventory):
    first = _edid(descriptors=[(0xFC, "DELL U2415"), (0xFF, "SERIAL1")])
    same_serial = _edid(week=13, descriptors=[(0xFF, "SERIAL1")])
    other = _edid(descriptors=[(0xFF, "ANOTHER")])
    monitors = e.monitors_from_edids(
        [("card0-DP-1", first), ("card0-DP-2", b""), ("card1-HDMI-A-1", same_serial), ("card0-eDP-1", other), ("bad",)],
        pnp_ids=PNP)
    assert [monitor["serial"] for monitor in monitors] == ["ANOTHER", "SERIAL1"]
    merged = monitors[1]
    assert merged["caption"] == "DELL U2415" and merged["description"] == "12/2020"
    assert base64.b64decode(merged["base64"]) == first
    assert_valid_inventory({"deviceid": "x", "content": {"versionclient": "test", "monitors": monitors}})


def test_undecodable_edid_still_reported_by_its_base64():
    monitors = e.monitors_from_edids([("card0-VGA-1", b"\x00\x01"), ("card0-VGA-2", b"\x00\x01")])
    assert monitors == [{"base64": "AAE=\n"}]


# --- fuzzing: any bytes, no exception, string values ---------------------------------------------------------

def _check(blob, names=None):
    monitor = e.parse_edid(blob, pnp_ids=names)
    assert isinstance(monitor, dict)
    assert set(monitor) <= {"caption", "description", "manufacturer", "serial", "altserial"}
    assert all(isinstance(value, str) and value for value in monitor.values())
    monitors = e.monitors_from_edids([("card0-X-1", blob), ("card0-X-2", blob)], pnp_ids=names)
    assert isinstance(monitors, list) and len(monitors) <= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_random_bytes(blob):
    _check(blob)
    _check(blob, names=PNP)


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=128, max_size=128), st.lists(st.sampled_from([0x0F, 0xFA, 0xFC, 0xFD, 0xFE, 0xFF]), max_size=4))
def test_fuzz_random_descriptors(blob, tags):
    block = bytearray(blob)
    for index, tag in enumerate(tags):
        block[54 + 18 * index:54 + 18 * index + 4] = bytes([0, 0, 0, tag])
    block[18] = 1
    _check(bytes(block))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fuzz_bit_flipped_corpus(corpus_edids, data):
    blob = bytearray(data.draw(st.sampled_from(corpus_edids)))
    for _unused_count in range(data.draw(st.integers(1, 16))):
        blob[data.draw(st.integers(0, len(blob) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    blob = bytes(blob[:data.draw(st.integers(0, len(blob)))]) if data.draw(st.booleans()) else bytes(blob)
    _check(blob, names=PNP)


@pytest.mark.parametrize("value", [None, 42, "text", [], {"ACR": 1}])
def test_odd_arguments_do_not_raise(value):
    assert e.parse_edid(value) == {}
    assert isinstance(e.parse_edid(_edid(code="ACR"), pnp_ids=value), dict)
    assert e.parse_pnp_ids(value if not isinstance(value, str) else "") == {}
    assert isinstance(e.monitors_from_edids(value), list)
