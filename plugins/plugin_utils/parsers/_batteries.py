# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Batteries from ``/sys/class/power_supply``, merged with dmidecode's as GLPI Agent merges them.

Private to the glpiops.glpi collection: no compatibility promise.

The collector ships each power supply's ``uevent`` (``POWER_SUPPLY_<ATTRIBUTE>=value``
lines, the same values as the attribute files GLPI Agent's ``SysClass`` module reads).
A battery is a supply of type ``Battery`` that is present and has a ``capacity``;
voltages come in µV and energies in µWh (reported in mV and mWh), charges in µAh
(turned into mWh with the design voltage).

The agent merges the batteries of its sources by a key made of the serial (``0``
when none) and the manufacturer; with one battery on each side and the same serial
they are the same battery.  A non-empty value of the later source replaces an
earlier one unless they differ only in case; the list comes out sorted by that key.

Deliberate difference: without a design voltage, a charge (µAh) cannot become an
energy: the agent then reports the raw µAh figure as ``real_capacity``; here it is
left out.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import canonical_manufacturer
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._dmidecode_devices import battery_serial

BATTERY_FIELDS = ("capacity", "chemistry", "date", "manufacturer", "name", "real_capacity", "serial", "voltage")


def parse_uevent(text):
    """``POWER_SUPPLY_MODEL_NAME=X`` lines -> ``{"model_name": "X"}`` (the attribute file names)."""
    values = {}
    if not isinstance(text, str):
        return values
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.startswith("POWER_SUPPLY_"):
            values[key[len("POWER_SUPPLY_"):].lower()] = value.strip()
    return values


def _micro(value):
    """A sysfs µ-unit figure -> the milli-unit (int), ``None`` when absent, zero or no number."""
    if not re.match(r"^\d{1,24}$", value or "", re.ASCII):
        return None
    milli = int(value) // 1000
    return milli if int(value) else None


def _battery(attributes):
    voltage = _micro(attributes.get("voltage_min_design"))
    battery = {
        "name": attributes.get("model_name"),
        "chemistry": attributes.get("technology"),
        "serial": battery_serial(attributes.get("serial_number")),
        "voltage": voltage,
    }
    manufacturer = attributes.get("manufacturer")
    if manufacturer:
        battery["manufacturer"] = canonical_manufacturer(manufacturer) or manufacturer  # "0" stays as read
    for key, energy, charge in (("capacity", "energy_full_design", "charge_full_design"), ("real_capacity", "energy_full", "charge_full")):
        value = _micro(attributes.get(energy))
        if value is None and voltage:
            milliamp_hours = _micro(attributes.get(charge))
            value = milliamp_hours * voltage // 1000 if milliamp_hours else None
        battery[key] = value
    return {key: value for key, value in battery.items() if value is not None and value != ""}


def supplies_have_capacity(supplies):
    """Whether any power supply reports a ``capacity`` (GLPI Agent's condition for reading sysfs batteries)."""
    if not isinstance(supplies, dict):
        return False
    return any("capacity" in parse_uevent(text) for text in supplies.values())


def batteries_from_sysfs(supplies):
    """``{supply name: uevent text}`` -> GLPI ``batteries`` entries, in the supplies' name order."""
    batteries = []
    if not isinstance(supplies, dict):
        return batteries
    for name in sorted(key for key in supplies if isinstance(key, str)):
        attributes = parse_uevent(supplies[name])
        present = attributes.get("present")
        if attributes.get("type") != "Battery" or not present or present == "0" or "capacity" not in attributes:
            continue
        batteries.append(_battery(attributes))
    return batteries


def _key(battery):
    # GLPI Agent's battery "deviceid": serial and manufacturer (its model part reads a key no battery has).
    return "%s%s" % (battery.get("serial") or "0", battery.get("manufacturer") or "")


def _truthy(value):
    """Perl's truth: no ``None``, ``""``, ``"0"`` or 0."""
    return value is not None and value != "" and str(value) != "0"


def _same(old, new):
    return old is not None and str(new).lower() == str(old).lower()


def merge_batteries(first, later):
    """The agent's merge of a later source's batteries into a first source's list (see the module doc)."""
    merged = {}
    for battery in first or []:
        if isinstance(battery, dict):
            merged[_key(battery)] = dict(battery)
    later = [battery for battery in later or [] if isinstance(battery, dict)]
    if len(merged) == 1 and len(later) == 1:
        current_key = next(iter(merged))
        current = merged[current_key]
        if current_key != _key(later[0]) and (current.get("serial") or "0") == (later[0].get("serial") or "0"):
            merged[_key(later[0])] = merged.pop(current_key)
    for battery in later:
        key = _key(battery)
        if key not in merged:
            merged[key] = dict(battery)
            continue
        current = merged[key]
        for field in BATTERY_FIELDS:
            value = battery.get(field)
            if _truthy(value) and not _same(current.get(field), value):
                current[field] = value
    return [merged[key] for key in sorted(merged)]


def batteries(dmidecode_batteries, supplies):
    """GLPI's ``batteries``: dmidecode's list, merged with sysfs's when a power supply reports a capacity."""
    if not supplies_have_capacity(supplies):
        return list(dmidecode_batteries or [])
    return merge_batteries(dmidecode_batteries, batteries_from_sysfs(supplies))
