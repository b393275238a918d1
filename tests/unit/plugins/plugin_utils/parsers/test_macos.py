# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""macOS parsers (system_profiler, sysctl, ioreg, ifconfig, sw_vers, df) against GLPI Agent's corpus; fuzzed."""

from __future__ import annotations

import functools
import inspect
import pathlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils import _collector_darwin
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _darwin
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _edid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _ioreg as io
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _macos as m
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _system_profiler as sp
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _system_profiler_apps as sp_apps
from tests._reference import reference_path

# softwares.t fixes the agent's local time offset at +02:00.
SOFTWARES_OFFSET = 7200
PNP_IDS = pathlib.Path("/usr/share/hwdata/pnp.ids")


def _pnp_ids():
    return _edid.parse_pnp_ids(PNP_IDS.read_text(encoding="utf-8", errors="replace")) if PNP_IDS.exists() else None


def _extra(case, suffix):
    """The companion input whose name ends with ``suffix``."""
    for name, path in case.extra_inputs.items():
        if name.endswith(suffix):
            return case.read_text(path)
    pytest.fail("%r: no companion %s" % (case, suffix))
    return None


def _drop_patterns(case, actual, expected):
    """``applications`` assert the two multi-line ``Wish`` strings by regex (index.json ``pattern_fields``)."""
    for path, pattern in (case.view_info.get("pattern_fields") or {}).items():
        _view, name, field = path.split(".", 2)
        assert re.search(pattern, actual[name][field]), (name, field)
        actual[name] = {k: v for k, v in actual[name].items() if k != field}
        expected[name] = {k: v for k, v in expected[name].items() if k != field}


def _xml_data_type(text):
    """The ``_dataType`` a ``system_profiler -xml`` sample holds."""
    plists = sp.parse_system_profiler_xml(text)
    return sp.xml_string(plists[0].get("_dataType")) if plists else None


def _text_applications(case):
    """A sample of the text form of ``system_profiler SPApplicationsDataType``: the collector reads the ``-xml`` form only."""
    return case.view in ("applications", "extracted_applications", "softwares") and "-xml" not in case.name


def macos_view(case):
    """(our value for the view, the agent's value to compare with)."""
    view, text = case.view, case.read_text()
    inventory = case.inventory or {}
    if view == "system_profiler_infos":
        return sp.parse_system_profiler(text), case.expected
    if view == "cpus":
        return sp.cpus(sp.parse_system_profiler(text), _extra(case, ".sysctl.txt")), inventory["cpus"]
    if view == "memories":
        return sp.memories(sp.parse_system_profiler(text)), inventory["memories"]
    if view == "memory":
        return sp.memory_size(sp.parse_system_profiler(text)), case.expected
    if view == "videos":
        return sp.videos(sp.parse_system_profiler(text)), inventory["videos"]
    if view == "battery":
        return sp.battery(sp.parse_system_profiler(text)), inventory["battery"]
    if view == "powersupply":
        return sp.power_supply(sp.parse_system_profiler(text)), inventory["powersupply"]
    if view == "storages":
        # storages.t sorts both sides by name; the collector keys each output by its data type, the sample names it
        return sorted(sp.storages(text, _xml_data_type(text)), key=lambda entry: entry.get("name", "")), inventory["storages"]
    if view in ("applications", "extracted_applications"):
        actual = sp_apps.applications_from_xml(text, SOFTWARES_OFFSET)
        expected = dict(case.expected)
        _drop_patterns(case, actual, expected)
        return actual, expected
    if view == "softwares":
        return sp_apps.softwares(sp_apps.applications_from_xml(text, SOFTWARES_OFFSET)), inventory["softwares"]
    if view == "ioreg_devices":
        return io.parse_ioreg(text, case.view_info["ioreg_class"]), case.expected
    if view == "usbdevices":
        return io.usb_devices(io.parse_ioreg(text, "IOUSBDevice")), inventory["usbdevices"]
    if view in ("screens", "monitors"):
        screens = io.screens(io.parse_ioreg(text, "AppleCLCD2"), _pnp_ids())
        return (screens if view == "screens" else io.monitors(screens, _pnp_ids())), inventory[view]
    if view == "networks":
        # the sample's input is the networksetup output, ifconfig -a is its companion
        return m.networks(case.read_text(list(case.extra_inputs.values())[0]), text), inventory["networks"]
    pytest.fail("%r: unknown view of macos/" % case)
    return None, None


SECTIONS = {"cpus": "cpus", "memories": "memories", "videos": "videos", "battery": "batteries", "powersupply": "powersupplies",
            "storages": "storages", "softwares": "softwares", "usbdevices": "usbdevices", "screens": "monitors",
            "monitors": "monitors", "networks": "networks"}
# Corpus views of tools the macOS collector does not run (module_utils/_collector_darwin.py): no parser reads them.
NOT_COLLECTED = {"antivirus": ("mdatp", "cytool", "sentinelctl")}


@pytest.mark.corpus("macos")
def test_macos_views_match_glpi_agent(corpus_case, assert_same_as_agent, assert_valid_inventory):
    if corpus_case.view in NOT_COLLECTED:
        # Nothing to compare: the collector must still run none of these tools, else their parser has to come back.
        collector = inspect.getsource(_collector_darwin)
        assert [tool for tool in NOT_COLLECTED[corpus_case.view] if tool in collector] == []
        return
    if corpus_case.view == "hostname":
        # GLPI Agent names a Mac from system_profiler's Computer Name; this collection from hostname/uname only:
        # the sample's system_profiler gives the hardware no name.
        assert "name" not in _darwin.build_hardware({"system_profiler": corpus_case.read_text()})
        return
    if _text_applications(corpus_case):
        # Nothing reads the text form of the applications: the collector must still ask for the -xml one only.
        assert "SPApplicationsDataType" not in _collector_darwin.SYSTEM_PROFILER_TEXT_TYPES
        assert '"-xml", "SPApplicationsDataType"' in inspect.getsource(_collector_darwin)
        return
    if corpus_case.view in ("screens", "monitors") and not PNP_IDS.exists():
        pytest.fail("hwdata's pnp.ids is needed to name the monitors' makers (tests/bin/ensure-system-packages.sh)")
    actual, expected = macos_view(corpus_case)
    if isinstance(expected, dict) and corpus_case.view in ("system_profiler_infos", "applications", "extracted_applications"):
        assert actual == expected
    elif corpus_case.view == "ioreg_devices":
        assert actual == expected
    else:
        assert_same_as_agent(corpus_case, actual, expected)
    section = SECTIONS.get(corpus_case.view)
    if section:
        entries = actual if isinstance(actual, list) else [actual]
        assert_valid_inventory({"deviceid": "test-macos", "content": {"versionclient": "test", section: entries}})


def test_the_text_forms_us_dates_are_rewritten_day_first():
    tree = sp.parse_system_profiler("Applications:\n\n    A:\n\n      Last Modified: 04/09/11 22:43\n")
    assert tree["Applications"]["A"]["Last Modified"] == "09/04/2011"


def test_install_dates_are_read_day_first_then_month_first():
    apps = {"A": {"Last Modified": "09/04/2011"}, "B": {"Last Modified": "02/17/2012"}, "C": {"Last Modified": "2024-01-01"}}
    dates = {entry["name"]: entry.get("install_date") for entry in sp_apps.softwares(apps)}
    assert dates == {"A": "2011-04-09", "B": "2012-02-17", "C": None}


def test_xml_applications_day_follows_the_targets_offset():
    plist = ("<?xml version='1.0'?><plist version='1.0'><array><dict><key>_items</key><array>"
             "<dict><key>_name</key><string>X</string><key>lastModified</key><date>2024-02-26T23:30:00Z</date></dict>"
             "</array></dict></array></plist>")
    assert sp_apps.applications_from_xml(plist, 0)["X"]["Last Modified"] == "26/02/2024"
    assert sp_apps.applications_from_xml(plist, 3600)["X"]["Last Modified"] == "27/02/2024"


def test_cpus_need_sysctl_and_repeat_per_processor():
    tree = sp.parse_system_profiler("Hardware:\n\n    Hardware Overview:\n\n      Processor Name: Quad-Core Intel Xeon\n"
                                    "      Processor Speed: 2,8 GHz\n      Number Of Processors: 2\n      Total Number Of Cores: 8\n")
    assert sp.cpus(tree, "") == []
    found = sp.cpus(tree, "machdep.cpu.thread_count: 8\n")
    assert found == [{"core": 4, "manufacturer": "Intel", "name": "Quad-Core Intel Xeon", "thread": 8, "speed": 2800}] * 2


def test_drives_from_df_and_mount():
    df = ("Filesystem     1024-blocks      Used Available Capacity  Mounted on\n"
          "/dev/disk3s1s1   482797652  10000000 300000000     4%    /\n"
          "devfs                  200       200         0   100%    /dev\n"
          "/dev/disk5s1      1000000      1000    999000     1%    /Volumes/My Disk\n"
          "map auto_home           0         0         0   100%    /System/Volumes/Data/home\n")
    mount = ("/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\ndevfs on /dev (devfs, local, nobrowse)\n"
             "/dev/disk5s1 on /Volumes/My Disk (msdos, local, nodev, nosuid, noowners)\n")
    assert m.drives(df, mount) == [
        {"volumn": "/dev/disk3s1s1", "total": 471482, "free": 292968, "type": "/", "filesystem": "apfs"},
        {"volumn": "/dev/disk5s1", "total": 976, "free": 975, "type": "/Volumes/My Disk", "filesystem": "msdos"}]


def test_operating_system_helpers():
    assert m.parse_sw_vers("ProductName:\tmacOS\nProductVersion:\t14.5\nBuildVersion:\t23F79\n") == {
        "ProductName": "macOS", "ProductVersion": "14.5", "BuildVersion": "23F79"}
    assert m.boot_epoch("{ sec = 1716000000, usec = 12 } Sat May 18 02:40:00 2024\n") == 1716000000
    assert m.default_gateway("Routing tables\n\nInternet:\nDestination        Gateway            Flags\n"
                             "default            192.168.1.1        UGScg          en0\n") == "192.168.1.1"


# --- fuzz --------------------------------------------------------------------------------------------------

PARSERS = (
    sp.parse_system_profiler,
    lambda text: sp.cpus(sp.parse_system_profiler(text), text),
    lambda text: sp.memories(sp.parse_system_profiler(text)),
    lambda text: sp.videos(sp.parse_system_profiler(text)),
    lambda text: sp_apps.softwares(sp_apps.applications_from_xml(text, 3600)),
    lambda text: sp.storages(text, "SPUSBDataType"),
    lambda text: io.usb_devices(io.parse_ioreg(text)),
    lambda text: io.monitors(io.screens(io.parse_ioreg(text, "AppleCLCD2"))),
    lambda text: m.networks(text, text, "10.0.0.1"),
    lambda text: m.drives(text, text),
    lambda text: sp.bios(sp.parse_system_profiler(text), io.parse_ioreg(text)),
)


def _check(text):
    tree = sp.parse_system_profiler(text)
    assert isinstance(tree, dict)
    for parser in PARSERS:
        result = parser(text)
        assert result is None or isinstance(result, (list, dict))
    assert sp.battery(tree) is None or isinstance(sp.battery(tree), dict)
    assert sp.power_supply(tree) is None or isinstance(sp.power_supply(tree), dict)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda raw: raw.decode("latin-1"))))
def test_fuzz_random_text(text):
    _check(text)


@functools.lru_cache(maxsize=1)
def _corpus_texts():
    root = reference_path("glpi-agent-corpus", "macos")
    picks = ("system_profiler/10.6-intel.txt", "system_profiler/11.0-apple-M1.txt", "system_profiler/SPUSBDataType3.xml",
             "system_profiler/sample5.SPApplicationsDataType-xml.txt", "ioreg/AppleCLCD2.txt", "ifconfig/macosx-01.txt",
             "ioreg/IOUSBDevice1.txt", "antivirus/defender-101.98.30.json")
    return tuple((root / pick).read_text(encoding="utf-8", errors="replace")[:20000] for pick in picks)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_corpus(mutate, data):
    texts = _corpus_texts()
    text = data.draw(st.sampled_from(texts))
    text = mutate(text.encode("utf-8"), data.draw(st.integers(0, 2 ** 32))).decode("utf-8", "replace")
    _check(text)
