# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batteries from /sys/class/power_supply, merged with dmidecode's as GLPI Agent merges them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _batteries
from tests._reference import CORPUS, reference_path


# uevent files as Linux 6.1's ACPI battery driver writes them: an energy-reporting battery (µWh) ...
ENERGY_BATTERY = """POWER_SUPPLY_NAME=BAT0
POWER_SUPPLY_TYPE=Battery
POWER_SUPPLY_STATUS=Discharging
POWER_SUPPLY_PRESENT=1
POWER_SUPPLY_TECHNOLOGY=Li-poly
POWER_SUPPLY_CYCLE_COUNT=211
POWER_SUPPLY_VOLTAGE_MIN_DESIGN=11580000
POWER_SUPPLY_VOLTAGE_NOW=12113000
POWER_SUPPLY_POWER_NOW=6021000
POWER_SUPPLY_ENERGY_FULL_DESIGN=57000000
POWER_SUPPLY_ENERGY_FULL=50120000
POWER_SUPPLY_ENERGY_NOW=39870000
POWER_SUPPLY_CAPACITY=79
POWER_SUPPLY_CAPACITY_LEVEL=Normal
POWER_SUPPLY_MODEL_NAME=5B10W13975
POWER_SUPPLY_MANUFACTURER=SMP
POWER_SUPPLY_SERIAL_NUMBER=  815
"""
# ... a charge-reporting one (µAh: the design voltage turns it into mWh) ...
CHARGE_BATTERY = """POWER_SUPPLY_NAME=BAT1
POWER_SUPPLY_TYPE=Battery
POWER_SUPPLY_STATUS=Full
POWER_SUPPLY_PRESENT=1
POWER_SUPPLY_TECHNOLOGY=Li-ion
POWER_SUPPLY_CYCLE_COUNT=0
POWER_SUPPLY_VOLTAGE_MIN_DESIGN=11400000
POWER_SUPPLY_VOLTAGE_NOW=12951000
POWER_SUPPLY_CURRENT_NOW=0
POWER_SUPPLY_CHARGE_FULL_DESIGN=3684000
POWER_SUPPLY_CHARGE_FULL=3262000
POWER_SUPPLY_CHARGE_NOW=3262000
POWER_SUPPLY_CAPACITY=100
POWER_SUPPLY_CAPACITY_LEVEL=Full
POWER_SUPPLY_MODEL_NAME=DELL 7T5J89A
POWER_SUPPLY_MANUFACTURER=SMP
POWER_SUPPLY_SERIAL_NUMBER=2D7B
"""
# ... the mains adapter, and a slot with no battery in it.
MAINS = "POWER_SUPPLY_NAME=AC\nPOWER_SUPPLY_TYPE=Mains\nPOWER_SUPPLY_ONLINE=1\n"
EMPTY_SLOT = "POWER_SUPPLY_NAME=BAT2\nPOWER_SUPPLY_TYPE=Battery\nPOWER_SUPPLY_PRESENT=0\nPOWER_SUPPLY_TECHNOLOGY=Unknown\n"


def test_sysfs_batteries_in_mv_and_mwh():
    supplies = {"BAT0": ENERGY_BATTERY, "BAT1": CHARGE_BATTERY, "AC": MAINS, "BAT2": EMPTY_SLOT}
    assert _batteries.batteries_from_sysfs(supplies) == [
        {"name": "5B10W13975", "chemistry": "Li-poly", "serial": "815", "manufacturer": "SMP", "voltage": 11580,
         "capacity": 57000, "real_capacity": 50120},
        # 3684 mAh x 11.4 V; the hexadecimal serial in decimal, as for dmidecode's batteries.
        {"name": "DELL 7T5J89A", "chemistry": "Li-ion", "serial": "11643", "manufacturer": "SMP", "voltage": 11400,
         "capacity": 41997, "real_capacity": 37186},
    ]


def test_no_battery_without_capacity_presence_or_type():
    assert _batteries.batteries_from_sysfs({"AC": MAINS, "BAT2": EMPTY_SLOT}) == []
    assert _batteries.batteries_from_sysfs({"BAT0": ENERGY_BATTERY.replace("POWER_SUPPLY_CAPACITY=79\n", "")}) == []
    assert _batteries.batteries_from_sysfs({"BAT0": ENERGY_BATTERY.replace("POWER_SUPPLY_TYPE=Battery\n", "")}) == []
    # Without a design voltage a charge gives no energy (the agent would report the µAh figure).
    no_voltage = _batteries.batteries_from_sysfs({"BAT1": CHARGE_BATTERY.replace("POWER_SUPPLY_VOLTAGE_MIN_DESIGN=11400000\n", "")})
    assert no_voltage == [{"name": "DELL 7T5J89A", "chemistry": "Li-ion", "serial": "11643", "manufacturer": "SMP"}]


def test_without_a_sysfs_capacity_dmidecode_batteries_stay_as_they_are():
    dmi = [{"name": "B", "serial": "2"}, {"name": "A", "serial": "1"}]
    assert _batteries.batteries(dmi, {"AC": MAINS}) == dmi
    assert _batteries.batteries(dmi, None) == dmi
    assert _batteries.batteries([], {"BAT0": ENERGY_BATTERY})[0]["name"] == "5B10W13975"


def test_one_battery_each_with_the_same_serial_is_one_battery():
    dmi = [{"name": "5B10W13975", "manufacturer": "Sunwoda", "serial": "815", "chemistry": "LiP", "date": "2021-03-02",
            "voltage": 11580, "capacity": 57000}]
    merged = _batteries.batteries(dmi, {"BAT0": ENERGY_BATTERY})
    # sysfs's values win unless they differ only in case; what sysfs does not know (the date) stays.
    assert merged == [{"name": "5B10W13975", "manufacturer": "SMP", "serial": "815", "chemistry": "Li-poly", "date": "2021-03-02",
                       "voltage": 11580, "capacity": 57000, "real_capacity": 50120}]


def test_different_batteries_are_listed_by_serial_and_manufacturer():
    dmi = [{"name": "X", "manufacturer": "LGC", "serial": "9"}, {"name": "Y", "manufacturer": "LGC", "serial": "1"}]
    merged = _batteries.batteries(dmi, {"BAT0": ENERGY_BATTERY})
    assert [(entry["serial"], entry["manufacturer"]) for entry in merged] == [("1", "LGC"), ("815", "SMP"), ("9", "LGC")]
    assert _batteries.merge_batteries([{"name": "a", "chemistry": "LION"}], [{"name": "b", "chemistry": "lion", "serial": "0"}]) == \
        [{"name": "b", "chemistry": "LION"}]


def _corpus_merge_cases():
    folder = CORPUS / "win32" / "batteries"
    paths = sorted(folder.glob("*.inventory.json"))
    return [pytest.param(json.loads(path.read_text()), id=path.name.split(".")[0]) for path in paths] or \
        [pytest.param(None, id="corpus-missing")]


@pytest.mark.parametrize("views", _corpus_merge_cases())
def test_merge_is_the_agents_on_its_own_recorded_cases(views):
    """The agent's merge of dmidecode's batteries with another source (Windows' powercfg here: the same code)."""
    if views is None:
        pytest.fail("fixture %s is missing its *.inventory.json samples" % reference_path("glpi-agent-corpus", "win32", "batteries"),
                    pytrace=False)
    merged = _batteries.merge_batteries(views["dmidecode_batteries"], views["powercfg"])
    by_name = sorted(merged, key=lambda entry: entry["name"])
    assert by_name == sorted(views["batteries"], key=lambda entry: entry["name"])


_INTEGERS = ("capacity", "real_capacity", "voltage")
_DMIDECODE_BATTERY = st.builds(
    lambda texts, numbers: dict(texts, **numbers),
    st.dictionaries(st.sampled_from([field for field in _batteries.BATTERY_FIELDS if field not in _INTEGERS]), st.text(max_size=6)),
    st.dictionaries(st.sampled_from(_INTEGERS), st.integers(0, 10 ** 6)))


def _check(result):
    assert isinstance(result, list)
    for entry in result:
        for key, value in entry.items():
            assert key in _batteries.BATTERY_FIELDS
            assert isinstance(value, int if key in _INTEGERS else str), (key, value)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.one_of(st.none(), st.text(max_size=200), st.integers())),
       st.one_of(st.none(), st.lists(_DMIDECODE_BATTERY, max_size=3)))
def test_fuzz_random(supplies, dmi):
    _check(_batteries.batteries(dmi, supplies))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([ENERGY_BATTERY, CHARGE_BATTERY]), st.integers(0, 2 ** 32 - 1))
def test_fuzz_mutated_recordings(mutate, text, seed):
    text = mutate(text.encode("utf-8"), seed).decode("utf-8", "replace")
    _check(_batteries.batteries([{"name": "x", "serial": "815"}], {"BAT0": text}))
