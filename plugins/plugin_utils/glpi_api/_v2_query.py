# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI 11's High-Level API v2 as the inventory reads it (``GET api.php/v2.0/Assets/Computer``): pure functions.

Private to the glpiops.glpi collection: no compatibility promise.

``filter_rsql`` turns the inventory's filters into one RSQL expression (GLPI's ``filter`` parameter): ``;`` is AND,
``,`` OR, parentheses group, a value in double (or single) quotes may hold any other character.  GLPI's RSQL lexer
has no escape inside a quoted value, so a value holding both quote characters cannot be sent: ``RSQLValueError``.
An unknown property fails the request on GLPI's side (400 ``ERROR_INVALID_PARAMETER``), it is never ignored.
``page_params`` gives the query of one page (``start``, ``limit``, a stable ``sort`` by id).  ``computer_from_record``
maps one record to the back-end-neutral computer of ``_hosts.COMPUTER_FIELDS``: v2's Computer carries no operating
system, last inventory date, agent or IP address, so those fields are empty.
"""

from __future__ import annotations

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError

# the computer's properties in GLPI 11's v2 Computer schema (AssetController) that the filters use
ENTITY_PROPERTY = "entity.completename"
STATE_PROPERTY = "status.name"
NAME_PROPERTY = "name"
DELETED_PROPERTY = "is_deleted"
SORT = "id"


class RSQLValueError(GLPIOpsError):
    """A filter value GLPI's RSQL cannot carry."""


def rsql_value(value):
    """``value`` quoted for RSQL: in double quotes, or in single quotes when it holds a double quote."""
    text = str(value)
    if '"' not in text:
        return '"%s"' % text
    if "'" not in text:
        return "'%s'" % text
    raise RSQLValueError("%r holds both quote characters, which GLPI's RSQL cannot carry" % text)


def _any_of(prop, values):
    terms = ["%s==%s" % (prop, rsql_value(value)) for value in values]
    return terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)


def name_like(pattern):
    """The ``=ilike=`` value of the plugin's ``name_pattern``: contains, ``^`` anchors the start, ``$`` the end
    (as the legacy search's ``contains``); ``*`` is the wildcard of GLPI's ``=ilike=``."""
    text = str(pattern).strip()
    start = text.startswith("^")
    end = text.endswith("$") and len(text) > (1 if start else 0)
    core = text[1 if start else 0:len(text) - 1 if end else len(text)]
    return "%s%s%s" % ("" if start else "*", core, "" if end else "*")


def filter_rsql(entities=(), states=(), name_pattern=None):
    """The RSQL ``filter`` of the inventory's filters, always with ``is_deleted==false`` (the trash bin is not listed)."""
    parts = ["%s==false" % DELETED_PROPERTY]
    if entities:
        parts.append(_any_of(ENTITY_PROPERTY, entities))
    if states:
        parts.append(_any_of(STATE_PROPERTY, states))
    if name_pattern:
        parts.append("%s=ilike=%s" % (NAME_PROPERTY, rsql_value(name_like(name_pattern))))
    return ";".join(parts)


def page_params(rsql, start, limit):
    """The query pairs of one page: ``filter``, ``sort`` by id, ``start`` and ``limit``."""
    return [("filter", rsql), ("sort", SORT), ("start", str(start)), ("limit", str(limit))]


def _name(value, *keys):
    """The first non-empty text of ``keys`` in a v2 dropdown object (``{"id": .., "name": .., "completename": ..}``)."""
    if not isinstance(value, dict):
        return None
    for key in keys:
        text = value.get(key)
        if text is not None and not isinstance(text, (dict, list)) and str(text) != "":
            return str(text)
    return None


def _text(value):
    return None if value is None or isinstance(value, (dict, list)) or str(value) == "" else str(value)


def computer_from_record(record):
    """One v2 Computer record as a computer ``{field: value}``; ``None`` for a record without an integer id."""
    if not isinstance(record, dict):
        return None
    try:
        identifier = int(record.get("id"))
    except (TypeError, ValueError):
        return None
    groups = record.get("group") if isinstance(record.get("group"), list) else []
    return {
        "id": identifier,
        "name": _text(record.get("name")),
        "serial": _text(record.get("serial")),
        "uuid": _text(record.get("uuid")),
        "entity": _name(record.get("entity"), "completename", "name"),
        "location": _name(record.get("location"), "completename", "name"),
        "state": _name(record.get("status"), "completename", "name"),
        "os_name": None,
        "os_version": None,
        "manufacturer": _name(record.get("manufacturer"), "name"),
        "model": _name(record.get("model"), "name"),
        "type": _name(record.get("type"), "name"),
        "groups": [name for name in (_name(group, "completename", "name") for group in groups) if name],
        "last_inventory": None,
        "agent_deviceid": None,
        "ip_addresses": [],
    }
