# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for GLPI 11's High-Level API v2 (``api.php``), for tests (never shipped in plugins/).

It answers like GLPI 11.0.8 as recorded (tests/fixtures/reference/glpi/api-transcript.txt) and, where the recording
is silent, like GLPI 11's ``src/Glpi/Api/HL/`` (README.md lists what comes from where): ``POST /api.php/token``
(password and client_credentials grants, scope ``api``), ``GET /api.php/v2.0/Assets/Computer`` (``start``, ``limit``
default 100, ``sort``, RSQL ``filter``; 200, or 206 when more remain; ``Content-Range`` as ``ResourceAccessor``
computes it), the High-Level API disabled (403 on every route), and the records of ``_computers`` in v2's shape.
Every request is recorded.  Standard library only.

    with V2APIDouble(computers=computers(2345), clients={"id": "secret"}, logins={"glpi": "pw"}) as glpi:
        ... glpi.base_url ...       # http://127.0.0.1:<port>; the API is glpi.base_url + "/api.php"
        glpi.requests_seen()        # [Exchange, ...]
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qsl

from ._computers import ENTITIES
from ._legacy import NOT_FOUND_PAGE
from ._served import ServedDouble
from ._v2_rsql import RSQLError, compile_filter

JSON = "application/json"
UNAUTHENTICATED = {"title": "You are not authenticated", "detail": "The Authorization header is missing or invalid",
                   "status": "ERROR_UNAUTHENTICATED"}
DISABLED = {"status": "ERROR_RIGHT_MISSING", "title": "You don't have permission to perform this action.",
            "detail": "The High-Level API is disabled"}
RIGHT_MISSING = {"status": "ERROR_RIGHT_MISSING", "title": "You don't have permission to perform this action.", "detail": None}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}
# the filterable properties of Computer (AssetController's asset schema) and their types
_STRINGS = ("name", "comment", "serial", "otherserial", "uuid", "contact", "contact_num", "date_creation", "date_mod",
            "entity.name", "entity.completename", "location.name", "status.name", "type.name", "model.name",
            "manufacturer.name", "group.name")
PROPERTIES = dict({name: "string" for name in _STRINGS},
                  **{name: "integer" for name in ("id", "entity.id", "location.id", "status.id", "type.id", "model.id",
                                                  "manufacturer.id", "group.id")},
                  **{"is_deleted": "boolean", "is_recursive": "boolean"})


def _dropdown(value, table, complete=False):
    if not value:
        return None
    identifier = table.index(value) if value in table else sum(value.encode()) % 997 + 1
    item = {"id": identifier, "name": value.rsplit(" > ", 1)[-1]}
    if complete:
        item["completename"] = value
    return item


def v2_record(record):
    """A computer of ``_computers`` as GLPI 11's v2 ``Assets/Computer`` answers it (the transcript's keys, in order)."""
    return {
        "id": record["id"], "name": record["name"], "comment": None, "is_recursive": False, "contact": None,
        "contact_num": None, "serial": record["serial"], "otherserial": None, "is_deleted": bool(record.get("is_deleted")),
        "date_creation": "2026-12-06T04:45:07+00:00", "date_mod": record["last_inventory_update"].replace(" ", "T") + "+00:00",
        "uuid": record["uuid"], "status": _dropdown(record["state"], (None, "In use", "In stock")),
        "entity": _dropdown(record["entity"], ENTITIES, complete=True),
        "manufacturer": _dropdown(record["manufacturer"], ()), "user": None, "user_tech": None,
        "location": _dropdown(record["location"], (None,)), "type": _dropdown(record["type"], ()),
        "model": _dropdown(record["model"], ()),
        "group": [{"id": index + 1, "name": name} for index, name in enumerate(record.get("groups") or [])],
        "group_tech": [], "network": None, "autoupdatesystem": {"id": 1, "name": "GLPI Native Inventory"},
    }


def _flat(record):
    values = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                values["%s.%s" % (key, sub)] = item
        elif isinstance(value, list):
            values[key + ".name"] = None if not value else value[0].get("name")
        else:
            values[key] = value
    return values


class V2APIDouble(ServedDouble):
    """GLPI 11's High-Level API over a list of computers (see the module docstring)."""

    json_type = JSON

    def __init__(self, computers=(), clients=None, logins=None, enable_hlapi=True, can_view_computers=True,
                 scopes=("api",), host="127.0.0.1"):
        self.computers = list(computers)
        self.clients = dict(clients or {})  # client_id -> client_secret
        self.logins = dict(logins or {})  # username -> password
        self.enable_hlapi = enable_hlapi
        self.can_view_computers = can_view_computers
        self.scopes = tuple(scopes)
        self.tokens = {}  # access token -> username (None: a client_credentials token)
        super().__init__(host)
        self._faults = {}  # listing number -> (status, body) or ("truncate", keep) or ("after", action)
        self._listings = 0

    @property
    def url(self):
        return self.base_url + "/api.php"

    def fail_listing(self, number, status=500, body=None):
        """The ``number``-th listing request from now answers ``status`` (GLPI's generic error body by default)."""
        with self._lock:
            self._faults[self._listings + number] = ("fail", status, body if body is not None else {
                "status": "ERROR", "title": "An internal error occurred while trying to fetch the data.", "detail": None})

    def truncate_listing(self, number, keep):
        """The ``number``-th listing request from now answers only its first ``keep`` records, all else unchanged."""
        with self._lock:
            self._faults[self._listings + number] = ("truncate", keep, None)

    def after_listing(self, number, action):
        """Call ``action(double)`` once the ``number``-th listing request from now was answered."""
        with self._lock:
            self._faults[self._listings + number] = ("after", action, None)

    def answer(self, exchange, body):
        """``(status, headers, document)`` of one request."""
        path = exchange.path
        if not path.startswith("/api.php/"):
            return 404, {}, NOT_FOUND_PAGE
        route = path[len("/api.php"):]
        if route == "/token" and exchange.method == "POST":
            return self._token(body)
        if not self.enable_hlapi:
            return 403, {}, DISABLED
        authorization = exchange.header("Authorization") or ""
        if not authorization.startswith("Bearer "):
            return 401, {}, UNAUTHENTICATED
        token = authorization[len("Bearer "):].strip()
        if token.count(".") != 2:
            return 400, {}, {"status": "ERROR_INVALID_PARAMETER", "title": "Invalid OAuth token",
                             "detail": "The JWT string must have two dots"}
        with self._lock:
            known, user = token in self.tokens, self.tokens.get(token)
        if not known or user is None:
            return 401, {}, UNAUTHENTICATED
        if route.rstrip("/") == "/v2.0/Assets/Computer" and exchange.method == "GET":
            return self._listing(dict(parse_qsl(exchange.query, keep_blank_values=True)))
        return 404, {}, {"status": "ERROR_ITEM_NOT_FOUND", "title": "The requested item was not found", "detail": None}

    def _token(self, body):
        try:
            request = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, ValueError):
            request = {}
        if not isinstance(request, dict):
            request = {}
        client_id, grant = request.get("client_id"), request.get("grant_type")
        if grant not in ("password", "client_credentials"):
            return 400, {}, {"error": "unsupported_grant_type",
                             "error_description": "The authorization grant type is not supported by the authorization server."}
        if client_id not in self.clients or self.clients[client_id] != request.get("client_secret"):
            return 401, {}, INVALID_CLIENT
        scopes = str(request.get("scope") or "").split()
        if any(scope not in self.scopes for scope in scopes):
            return 400, {}, {"error": "invalid_scope", "error_description": "The requested scope is invalid, unknown, or malformed"}
        user = None
        if grant == "password":
            username = request.get("username")
            if not username or self.logins.get(username) != request.get("password"):
                return 400, {}, {"error": "invalid_grant", "error_description": "The user credentials were incorrect."}
            user = username
        token = ".".join(secrets.token_urlsafe(size) for size in (24, 96, 64))  # a JWT's three parts
        with self._lock:
            self.tokens[token] = user
        return 200, {}, {"token_type": "Bearer", "expires_in": 3600, "access_token": token}

    def _records(self, query, predicate, sort):
        """The records (v2's shape) matching the filter, in the order asked: computed once per filter and sort."""
        def build():
            # no is_deleted or is_template restriction of its own: GLPI 11's Search adds none (README.md)
            pairs = self._cached(("pairs",), lambda: [(record, _flat(record))
                                                      for record in (v2_record(item) for item in self.computers)])
            if query:
                pairs = [pair for pair in pairs if predicate(pair[1])]
            if sort[0]:
                pairs = sorted(pairs, key=lambda pair: (pair[1].get(sort[0]) is None, pair[1].get(sort[0])),
                               reverse=len(sort) > 1 and sort[1].upper() == "DESC")
            return [pair[0] for pair in pairs]
        return self._cached(("records", query, tuple(sort)), build)

    def _listing(self, params):
        with self._lock:
            self._listings += 1
            fault = self._faults.pop(self._listings, None)
        if fault is not None and fault[0] == "fail":
            return fault[1], {}, fault[2]
        if not self.can_view_computers:
            return 403, {}, RIGHT_MISSING
        try:
            predicate = compile_filter(params.get("filter") or "", PROPERTIES)
        except RSQLError as error:
            return 400, {}, {"status": "ERROR_INVALID_PARAMETER", "title": str(error), "detail": error.invalid or None}
        sort = (params.get("sort") or "").split(":")
        if sort[0] and sort[0] not in PROPERTIES:
            return 400, {}, {"status": "ERROR", "title": "Invalid property for sorting: %s" % sort[0], "detail": None}
        records = self._records(params.get("filter") or "", predicate, sort)
        start = int(params["start"]) if str(params.get("start", "")).isdigit() else 0
        limit = int(params["limit"]) if str(params.get("limit", "")).isdigit() else 100
        total = len(records)
        page = records[start:start + limit]
        end = max(0, start + limit - 1)
        if end > total:  # ResourceAccessor::searchBySchema's arithmetic, as it is
            end = total - 1
        if fault is not None and fault[0] == "truncate":
            page = page[:fault[1]]
        if fault is not None and fault[0] == "after":
            fault[1](self)
        status = 206 if start + limit < total else 200
        return status, {"Content-Range": "%d-%d/%d" % (start, end, total)}, page
