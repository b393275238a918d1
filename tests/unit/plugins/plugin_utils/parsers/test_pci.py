# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PCI devices (lspci -v -nn) and the sections built from them: GLPI Agent's corpus, behaviours, fuzzing."""

from __future__ import annotations

import json
import os
import pathlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _pci as p
from tests._reference import reference_path

# Where Debian's pci.ids package (a dependency of pciutils) and hwdata put the PCI id list.
PCI_IDS_FILES = ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids")
CORPUS_LSPCI = ("dell-xt2", "linux-2", "linux-asus-portable", "linux-imac", "linux-xps", "nvidia-1")


def _skip_or_fail(reason):
    if os.environ.get("CI") == "true":
        pytest.fail("under CI this must be present: " + reason)
    pytest.skip(reason)


@pytest.fixture(scope="module", name="pci_ids")
def pci_ids_fixture():
    """Debian's pci.ids, parsed (the collector reads the target's own at run time)."""
    for path in PCI_IDS_FILES:
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                return p.parse_pci_ids(handle.read())
    return _skip_or_fail("no pci.ids (apt-get install pci.ids) in %s" % ", ".join(PCI_IDS_FILES))


@pytest.fixture(scope="module", name="corpus_lspci")
def corpus_lspci_fixture():
    """The corpus's lspci outputs (for mutation); the test fails when one is missing."""
    return [reference_path("glpi-agent-corpus", "lspci", name + ".txt").read_text() for name in CORPUS_LSPCI]


def _companion(case, suffix):
    """The text of the sample's companion ``<sample><suffix>`` (``.xrandr``...), or ``None``."""
    for key in case.extra_inputs:
        if key == case.name + suffix:
            return case.read_text(case.entry["extra_inputs"][key]["input"])
    return None


def _document(section, entries):
    return {"deviceid": "corpus-test", "content": {"versionclient": "test", section: entries}}


def _apply_patterns(case, actual, expected):
    """Match ``pattern_fields`` (``controllers[3].name``) by their regex, then leave them out of the comparison."""
    patterns = case.view_info.get("pattern_fields") or {}
    actual = [dict(entry) for entry in actual]
    expected = [dict(entry) for entry in expected]
    for index, (got, want) in enumerate(zip(actual, expected)):
        for field in ("name", "caption"):
            pattern = patterns.get("%s[%d].%s" % (case.view, index, field))
            if pattern is not None and field in want:
                assert re.search(pattern, got.get(field) or ""), "%r entry %d: %s %r !~ %s" % (case, index, field, got.get(field), pattern)
                got.pop(field, None)
                want.pop(field)
    return actual, expected


# Corpus views of a tool the Linux collector (module_utils/_collector*.py) does not run: no parser reads them.
NOT_COLLECTED = {"nvidia_videos": ("nvidia-settings",), "videos_merged_with_nvidia": ("nvidia-settings",)}


def _collector_sources():
    """The text of the collectors' modules (plugins/module_utils/_collector*.py)."""
    module_utils = pathlib.Path(p.__file__).resolve().parents[2] / "module_utils"
    paths = sorted(module_utils.glob("_collector*.py"))
    assert paths, "no collector module in %s" % module_utils
    return "".join(path.read_text(encoding="utf-8") for path in paths)


@pytest.mark.corpus("lspci")
def test_lspci_corpus_same_as_agent(corpus_case, assert_same_as_agent, assert_valid_inventory, request):
    case = corpus_case
    view = case.view
    if view in NOT_COLLECTED:
        # GLPI Agent adds what nvidia-settings says of NVIDIA cards; the Linux collector does not run it, so nothing
        # reads these samples: check it still does not (else its parser has to come back).
        assert [tool for tool in NOT_COLLECTED[view] if tool in _collector_sources()] == []
        return
    actual = section = None
    devices = p.parse_lspci(case.read_text())
    if view == "pci_devices":
        assert_same_as_agent(case, devices)
        return
    if view == "controllers":
        actual, section = p.build_controllers(devices, pci_ids=request.getfixturevalue("pci_ids")), "controllers"
    elif view == "sounds":
        actual, section = p.build_sounds(devices), "sounds"
    elif view == "modems":
        actual, section = p.build_modems(devices), "modems"
    elif view == "videos":
        actual = p.build_videos(devices, pci_ids=request.getfixturevalue("pci_ids"),
                                xrandr=_companion(case, ".xrandr"), xdpyinfo=_companion(case, ".xdpyinfo"))
        section = "videos"
    else:
        pytest.fail("lspci view %r has no handler" % view)
    # the section as GLPI Agent sends it (typed values, videos without pciid)
    expected = case.inventory[view]
    got, want = _apply_patterns(case, actual, expected)
    assert_same_as_agent(case, got, want)
    assert_valid_inventory(_document(section, actual))


# --- behaviours -----------------------------------------------------------------------------------------------

LSPCI = """00:02.0 VGA compatible controller [0300]: Intel Corporation Skylake GT2 [HD Graphics 520] [8086:1916] (rev 07) (prog-if 00 [VGA controller])
\tSubsystem: Dell Skylake GT2 [HD Graphics 520] [1028:0704]
\tFlags: bus master, fast devsel, latency 0, IRQ 127
\tMemory at db000000 (64-bit, non-prefetchable) [size=16M]
\tMemory at 90000000 (64-bit, prefetchable) [size=256M]
\tKernel driver in use: i915

00:1f.3 Audio device [0403]: Intel Corporation Sunrise Point-LP HD Audio [8086:9d70] (rev 21)
\tSubsystem: Dell Device [1028:0704]
\tKernel driver in use: snd_hda_intel
\tKernel modules: snd_hda_intel, snd_soc_skl
"""

PCI_IDS = """# a slice of pci.ids
1028  Dell
8086  Intel Corporation
\t1916  Skylake GT2 [HD Graphics 520]
\t9d70  Sunrise Point-LP HD Audio
\t\t1028 0704  XPS 13 audio
C 03  Display controller
\t00  VGA compatible controller
\t\t00  VGA controller
C 04  Multimedia controller
\t03  Audio device
"""


def test_lspci_devices_fields_like_the_agent():
    devices = p.parse_lspci(LSPCI)
    assert devices == [
        {"pcislot": "00:02.0", "name": "VGA compatible controller", "pciclass": "0300",
         "manufacturer": "Intel Corporation Skylake GT2 [HD Graphics 520]", "pciid": "8086:1916", "rev": "07",
         "pcisubsystemid": "1028:0704", "driver": "i915", "memory": 256},
        {"pcislot": "00:1f.3", "name": "Audio device", "pciclass": "0403",
         "manufacturer": "Intel Corporation Sunrise Point-LP HD Audio", "pciid": "8086:9d70", "rev": "21",
         "pcisubsystemid": "1028:0704", "driver": "snd_hda_intel"},
    ]


def test_lspci_last_device_kept_without_the_final_blank_line():
    assert len(p.parse_lspci(LSPCI.rstrip("\n"))) == 2


def test_lspci_agent_limits_hex_revision_and_driver_name():
    text = "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP107 [10de:1c82] (rev a1)\n" \
           "\tKernel driver in use: nvidia-gpu\n\n"
    device = p.parse_lspci(text)[0]
    assert "rev" not in device and device["driver"] == "nvidia"


def test_pci_ids_parsing():
    ids = p.parse_pci_ids(PCI_IDS)
    assert ids["vendors"]["8086"]["devices"]["9d70"]["subdevices"] == {"1028:0704": "XPS 13 audio"}
    assert ids["classes"]["03"] == {"name": "Display controller", "subclasses": {"00": "VGA compatible controller"}}


def test_controllers_names_from_pci_ids():
    controllers = p.build_controllers(p.parse_lspci(LSPCI), pci_ids=p.parse_pci_ids(PCI_IDS))
    assert controllers[1] == {
        "pciclass": "0403", "name": "XPS 13 audio", "caption": "Sunrise Point-LP HD Audio", "manufacturer": "Intel Corporation",
        "rev": "21", "pcislot": "00:1f.3", "driver": "snd_hda_intel", "pcisubsystemid": "1028:0704",
        "vendorid": "8086", "productid": "9d70", "type": "Audio device",
    }


def test_controllers_without_pci_ids_keep_lspci_strings():
    controller = p.build_controllers(p.parse_lspci(LSPCI))[0]
    assert controller["manufacturer"] == "Intel Corporation Skylake GT2 [HD Graphics 520]"
    assert controller["name"] == controller["type"] == "VGA compatible controller"
    assert "caption" not in controller


def test_videos_resolution_only_for_a_single_card():
    devices = p.parse_lspci(LSPCI)
    xrandr = "Screen 0: minimum 320 x 200, current 1680 x 1050, maximum 8192 x 8192\n"
    assert p.build_videos(devices, pci_ids=p.parse_pci_ids(PCI_IDS), xrandr=xrandr) == [
        {"chipset": "Intel Corporation Skylake GT2", "name": "Dell HD Graphics 520", "memory": 256, "pcislot": "00:02.0",
         "resolution": "1680x1050"}]
    two = devices + [dict(devices[0], pcislot="00:02.1")]
    assert all("resolution" not in video for video in p.build_videos(two, xrandr=xrandr))
    xdpyinfo = "screen #0:\n  dimensions:    1920x1080 pixels (508x286 millimeters)\n"
    assert p.build_videos(devices, xdpyinfo=xdpyinfo)[0]["resolution"] == "1920x1080"


def test_sounds_and_modems():
    devices = p.parse_lspci(LSPCI)
    assert p.build_sounds(devices) == [
        {"name": "Audio device", "manufacturer": "Intel Corporation Sunrise Point-LP HD Audio", "description": "rev 21"}]
    modem = [{"name": "Communication controller Modem", "manufacturer": "Conexant HSF"}]
    assert p.build_modems(modem) == [{"description": "Communication controller Modem", "name": "Conexant HSF"}]


def test_valid_sections_for_glpi_10_and_11(assert_valid_inventory):
    devices = p.parse_lspci(LSPCI)
    ids = p.parse_pci_ids(PCI_IDS)
    for section, entries in (("controllers", p.build_controllers(devices, ids)), ("videos", p.build_videos(devices, ids)),
                             ("sounds", p.build_sounds(devices)),
                             ("modems", p.build_modems([{"name": "Modem", "manufacturer": "Conexant HSF"}]))):
        assert entries
        assert_valid_inventory(_document(section, entries))


# --- fuzzing: no input makes a parser raise, results keep their types ----------------------------------------

def _check_entries(entries):
    assert isinstance(entries, list)
    for entry in entries:
        assert isinstance(entry, dict)
        for key, value in entry.items():
            assert isinstance(key, str)
            assert isinstance(value, int if key == "memory" else str), (key, value)


def _check_all(text):
    devices = p.parse_lspci(text)
    _check_entries(devices)
    ids = p.parse_pci_ids(text)
    assert isinstance(ids, dict) and set(ids) == {"vendors", "classes"}
    for ids_arg in (None, ids, p.parse_pci_ids(PCI_IDS)):
        _check_entries(p.build_controllers(devices, pci_ids=ids_arg))
        _check_entries(p.build_videos(devices, pci_ids=ids_arg, xrandr=text, xdpyinfo=text))
    _check_entries(p.build_sounds(devices))
    _check_entries(p.build_modems(devices))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda raw: raw.decode("latin-1"))))
def test_fuzz_random_text(text):
    _check_all(text)
    _check_all(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_corpus(corpus_lspci, data):
    lines = data.draw(st.sampled_from(corpus_lspci)).split("\n")
    mutation = data.draw(st.sampled_from(["truncate", "flip", "shuffle", "drop"]))
    if mutation == "truncate":
        lines = lines[:data.draw(st.integers(0, len(lines)))]
        text = "\n".join(lines)
        text = text[:data.draw(st.integers(0, len(text)))]
    elif mutation == "flip":
        raw = bytearray("\n".join(lines).encode())
        for _unused_count in range(data.draw(st.integers(1, 20))):
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
        text = raw.decode("utf-8", "replace")
    elif mutation == "shuffle":
        text = "\n".join(data.draw(st.permutations(lines)))
    else:
        keep = data.draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
        text = "\n".join(line for line, kept in zip(lines, keep) if kept)
    _check_all(text)


@pytest.mark.parametrize("value", [None, 42, [], {"vendors": []}, {"vendors": {"8086": "x"}, "classes": {"03": 1}}])
def test_odd_arguments_do_not_raise(value):
    devices = p.parse_lspci(LSPCI)
    assert isinstance(p.parse_lspci(value), list)
    assert isinstance(p.build_controllers(devices, pci_ids=value), list)
    assert isinstance(p.build_videos(devices, pci_ids=value), list)
    assert isinstance(p.build_controllers(value), list)
    assert isinstance(p.build_sounds(value), list) and isinstance(p.build_modems(value), list)


def test_recorded_vm_controllers_same_as_the_real_agent(reference, pci_ids):
    """``lspci -v -nn`` of a Debian 12 VM (recorded) against what GLPI Agent sent from a machine like it."""
    fixture = pathlib.Path(__file__).resolve().parents[3] / "fixtures" / "debian12-vm.lspci.txt"
    agent = json.loads(reference("glpi-agent", "local-inventory.json").read_text())
    content = agent.get("content", agent)
    assert p.build_controllers(p.parse_lspci(fixture.read_text()), pci_ids=pci_ids) == content["controllers"]
