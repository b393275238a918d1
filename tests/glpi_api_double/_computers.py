# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Computers for the GLPI API stand-in, and how GLPI's search engine shows them.

A computer is a plain dict with GLPI's own names.  ``SEARCH_OPTIONS`` maps the search option ids of Computer
(``GET /listSearchOptions/Computer``, FACTS.md section 6) to the dict key they show; ``cell`` gives a value as
``API::searchItems`` does: several values a list, one value the value itself, none ``null``.
"""

from __future__ import annotations

import datetime
import random

# search option id -> key of the computer dict (Computer's search options, GLPI 10)
SEARCH_OPTIONS = {
    1: "name", 2: "id", 3: "location", 4: "type", 5: "serial", 9: "last_inventory_update", 23: "manufacturer",
    31: "state", 40: "model", 45: "os_name", 46: "os_version", 47: "uuid", 71: "groups", 80: "entity",
    126: "ip_addresses", 900: "agent",
}
DATE_OPTIONS = {9}

ENTITIES = ("Root entity", "Root entity > Paris", "Root entity > Lyon")
LOCATIONS = (None, "Paris > Floor 1", "Lyon > Lab")
STATES = (None, "In use", "In stock")
SYSTEMS = (("Debian GNU/Linux 12 (bookworm)", "12"), ("Ubuntu 24.04.1 LTS", "24.04"),
           ("Microsoft Windows 11 Pro", "23H2"))


def computer(number, **fields):
    """One computer, numbered from 1; ``fields`` override the generated values."""
    rng = random.Random(number)
    os_name, os_version = SYSTEMS[number % len(SYSTEMS)]
    third, fourth = divmod(number, 250)
    record = {
        "id": number,
        "name": "host-%05d" % number,
        "serial": "SN%08d" % number,
        "uuid": "4c414243-4845-4b00-8000-%012d" % number,
        "entity": ENTITIES[number % len(ENTITIES)],
        "location": LOCATIONS[number % len(LOCATIONS)],
        "state": STATES[number % len(STATES)],
        "os_name": os_name,
        "os_version": os_version,
        "manufacturer": "Dell Inc." if number % 2 else "LENOVO",
        "model": "OptiPlex 7010" if number % 2 else "ThinkPad T14",
        "type": "Desktop" if number % 2 else "Laptop",
        "groups": ["Servers"] if number % 5 == 0 else [],
        "last_inventory_update": (datetime.datetime(2026, 12, 6, 4, 0, 0)
                                  - datetime.timedelta(days=number % 30, minutes=rng.randrange(600))
                                  ).strftime("%Y-%m-%d %H:%M:%S"),
        "agent": "host-%05d-2026-11-22-09-43-37" % number,
        # as GLPI lists them: loopback first, then the port addresses, link-local last
        "ip_addresses": ["127.0.0.1", "::1", "10.%d.%d.%d" % (third // 250, third % 250, fourth + 1),
                         "fd00::%x" % number, "fe80::fc:ff:fe00:%x" % number],
        "is_deleted": False,
        "is_template": False,
    }
    record.update(fields)
    return record


def computers(count, start=1):
    """``count`` computers numbered from ``start``."""
    return [computer(number) for number in range(start, start + count)]


def cell(record, option):
    """The value of search option ``option`` for ``record``, shaped as the search engine answers it."""
    value = record.get(SEARCH_OPTIONS[option])
    if isinstance(value, (list, tuple)):
        values = [item for item in value if item is not None]
        if not values:
            return None
        return values[0] if len(values) == 1 else list(values)
    return value
