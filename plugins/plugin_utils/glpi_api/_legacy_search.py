# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's search engine as the legacy API (``apirest.php/search/Computer``) speaks it: pure functions.

Private to the glpiops.glpi collection: no compatibility promise.

A search names its columns and criteria by *search option* ids (``GET /listSearchOptions/Computer``; FACTS.md
section 6).  ``search_params`` builds the query of one page: the columns (``forcedisplay``), the filters as
``criteria`` (several values of one filter OR-ed in a nested group, the filters AND-ed), a stable order (by id) and
the ``range``.  ``computer_from_row`` turns one answered row into a computer with the back-end-neutral keys of
``_hosts`` (``COMPUTER_FIELDS``).  ``parse_content_range`` / ``parse_accept_range`` read the paging headers.
"""

from __future__ import annotations

import re

# computer field -> search option id of Computer (GLPI 9.5, 10, 11)
SEARCH_OPTIONS = {
    "id": 2,
    "name": 1,
    "serial": 5,
    "uuid": 47,
    "entity": 80,  # the entity's complete name: "Root entity > Paris"
    "location": 3,  # the location's complete name
    "state": 31,
    "os_name": 45,
    "os_version": 46,
    "manufacturer": 23,
    "model": 40,
    "type": 4,
    "groups": 71,
    "last_inventory": 9,  # last inventory update, "YYYY-MM-DD hh:mm:ss" in GLPI's time zone
    "agent_deviceid": 900,  # the agent's name, which GLPI sets to its deviceid
    "ip_addresses": 126,  # glpi_ipaddresses.name: every address of every port, joined in
}
LIST_FIELDS = ("groups", "ip_addresses")
SORT_BY_ID = SEARCH_OPTIONS["id"]


def forcedisplay():
    """The search option ids of every column the inventory reads, in a stable order."""
    return sorted(set(SEARCH_OPTIONS.values()))


def _exactly(value):
    """A ``contains`` value that matches the whole text: GLPI anchors a search with ``^`` and ``$``."""
    return "^%s$" % value


def filter_criteria(entities=(), states=(), name_pattern=None, last_inventory_days=None):
    """The search criteria of the inventory's filters: a list of criterion dicts (GLPI's ``criteria`` array)."""
    criteria = []

    def any_of(option, values):
        group = [{"link": "OR", "field": option, "searchtype": "contains", "value": _exactly(value)} for value in values]
        group[0].pop("link")
        criteria.append({"link": "AND", "criteria": group})

    if entities:
        any_of(SEARCH_OPTIONS["entity"], entities)
    if states:
        any_of(SEARCH_OPTIONS["state"], states)
    if name_pattern:
        criteria.append({"link": "AND", "field": SEARCH_OPTIONS["name"], "searchtype": "contains", "value": name_pattern})
    if last_inventory_days is not None:
        # Html::computeGenericDateTimeSearch reads "-<N>DAY" on a datetime option as the date N days before today, so
        # GLPI compares last_inventory_update > "YYYY-MM-DD": since that day's midnight (tests/glpi_api_double/README.md)
        criteria.append({"link": "AND", "field": SEARCH_OPTIONS["last_inventory"], "searchtype": "morethan",
                         "value": "-%dDAY" % last_inventory_days})
    if criteria:
        criteria[0].pop("link")
    return criteria


def _flatten(prefix, value, pairs):
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten("%s[%s]" % (prefix, key), item, pairs)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten("%s[%d]" % (prefix, index), item, pairs)
    else:
        pairs.append((prefix, str(value)))


def search_params(criteria, start, end):
    """The query pairs of ``search/Computer`` for rows ``start``..``end`` (inclusive), PHP's bracket syntax."""
    pairs = []
    for index, option in enumerate(forcedisplay()):
        pairs.append(("forcedisplay[%d]" % index, str(option)))
    _flatten("criteria", list(criteria), pairs)
    pairs.extend([("sort", str(SORT_BY_ID)), ("order", "ASC"), ("range", "%d-%d" % (start, end))])
    return pairs


def parse_content_range(value):
    """``(start, end, total)`` of ``Content-Range: 0-999/2345``, or ``None``."""
    match = re.match(r"^\s*(\d+)-(-?\d+)/(\d+)\s*$", value or "")
    return tuple(int(group) for group in match.groups()) if match else None


def parse_accept_range(value):
    """The server's largest page of ``Accept-Range: Computer 1000``, or ``None``."""
    match = re.match(r"^\s*\S+\s+(\d+)\s*$", value or "")
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _values(cell):
    """A search cell as a list: several values come as a list, one as itself, none as ``null``."""
    if cell is None:
        return []
    items = cell if isinstance(cell, list) else [cell]
    return [str(item) for item in items if item is not None and not isinstance(item, (dict, list)) and str(item) != ""]


def computer_from_row(row):
    """One search row (``{"<option id>": value}``) as a computer ``{field: value}``; ``None`` for a row without an id."""
    if not isinstance(row, dict):
        return None
    computer = {}
    for field, option in SEARCH_OPTIONS.items():
        values = _values(row.get(str(option)))
        computer[field] = values if field in LIST_FIELDS else (values[0] if values else None)
    try:
        computer["id"] = int(computer["id"])
    except (TypeError, ValueError):
        return None
    return computer
