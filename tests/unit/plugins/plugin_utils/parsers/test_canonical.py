# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one canonical_manufacturer every parser uses (CPUs, disks, batteries, power supplies)."""

from __future__ import annotations

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _batteries, _dmidecode_devices
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import canonical_manufacturer


def test_canonical_manufacturer():
    assert canonical_manufacturer("DELL") == "Dell"
    assert canonical_manufacturer("HP") == "Hewlett-Packard"
    assert canonical_manufacturer("SAMSUNG SDI") == "Samsung"
    assert canonical_manufacturer("LGC-LGC") == "LGC-LGC"
    assert canonical_manufacturer("GenuineIntel") == "Intel"


def test_canonical_manufacturer_nothing_is_none_as_in_the_agent():
    for nothing in (None, "", "0", 0, ["Dell"]):
        assert canonical_manufacturer(nothing) is None


def test_canonical_manufacturer_prefixes():
    # Perl's (?i) inside /^(hp|HPE?|(?i)hewlett[ -]packard|MM)/ lasts to the end of the group: MM is case-insensitive.
    assert canonical_manufacturer("mm0500fbfvq") == "Hewlett-Packard"
    assert canonical_manufacturer("hewlett packard") == "Hewlett-Packard"
    assert canonical_manufacturer("Hp") == "Hp"
    assert canonical_manufacturer("WDC WD10EZEX") == "Western Digital"
    assert canonical_manufacturer("seagate") == "Seagate"
    assert canonical_manufacturer("HGST HUS726T4TALA6L4") == "Hitachi"
    assert canonical_manufacturer("optiarc DVD RW") == "Sony"
    assert canonical_manufacturer("CT500MX500SSD1") == "Crucial"
    assert canonical_manufacturer("NEC Corporation") == "Nec"
    assert canonical_manufacturer("ANECDOTE") == "ANECDOTE"


def test_a_zero_manufacturer_is_kept_as_read_by_the_dmidecode_and_sysfs_callers():
    psu = _dmidecode_devices.powersupplies_from_dmidecode({39: [{"Name": "PSU 1", "Manufacturer": "0"}]})
    assert psu == [{"name": "PSU 1", "manufacturer": "0"}]
    uevent = "POWER_SUPPLY_TYPE=Battery\nPOWER_SUPPLY_PRESENT=1\nPOWER_SUPPLY_CAPACITY=90\nPOWER_SUPPLY_MANUFACTURER=0\n"
    battery = _batteries.batteries_from_sysfs({"BAT0": uevent})
    assert battery[0]["manufacturer"] == "0"
