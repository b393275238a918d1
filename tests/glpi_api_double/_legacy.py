# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for GLPI's legacy REST API (``apirest.php``), for tests (never shipped in plugins/).

It answers like GLPI 10.0.12 as recorded (tests/fixtures/reference/glpi/api-transcript.txt) and like GLPI's
``src/Api/API.php`` where the recording is silent: ``initApi`` (API disabled: 400 ``["ERROR","API disabled"]``; no
API client for the caller's address: 400 ``ERROR_NOT_ALLOWED_IP``), ``initSession`` (App-Token checked first, then
``user_token`` or HTTP Basic login/password), ``searchItems`` (criteria checked, ``range`` to start/limit, a range
starting past the total 400 ``ERROR_RANGE_EXCEED_TOTAL``, one value a scalar, several a list, none ``null``; no
``data`` key when nothing matched), the ``Content-Range`` / ``Accept-Range`` headers and 206 for a partial answer.
Every request is recorded.  Standard library only.

    with LegacyAPIDouble(computers=computers(2345), user_tokens={"tok": "glpi"}) as glpi:
        ... glpi.url ...            # http://127.0.0.1:<port>/apirest.php
        glpi.requests_seen()        # [Exchange, ...]
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import secrets
from urllib.parse import parse_qsl

from ._computers import DATE_OPTIONS, SEARCH_OPTIONS, cell
from ._served import ServedDouble

DOC_URL = "http://localhost/glpi/api/"  # as the recorded GLPI names its documentation
RIGHT_MISSING = "You don't have permission to perform this action."
JSON = "application/json; charset=UTF-8"
NOT_FOUND_PAGE = b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>404 Not Found</title></head></html>\n"


class APIError(Exception):
    """GLPI's ``returnError``: ``[code, message]`` with the documentation hint when ``doc`` is true."""

    def __init__(self, status, code, message, doc=True):
        super().__init__(message)
        self.status = status
        self.body = [code, message + ("; view documentation in your browser at %s#%s" % (DOC_URL, code) if doc else "")]


def php_query(query):
    """A query string read the way PHP fills ``$_GET``: ``a[0][b]=1`` -> ``{"a": {"0": {"b": "1"}}}``."""
    result = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = re.match(r"^([^\[]+)((?:\[[^\]]*\])*)$", key)
        if not match:
            continue
        parts = [match.group(1)] + re.findall(r"\[([^\]]*)\]", match.group(2))
        node = result
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return result


def _ordered(mapping):
    """The values of a PHP array given as a dict of numeric keys, in key order."""
    if not isinstance(mapping, dict):
        return []
    return [mapping[key] for key in sorted(mapping, key=lambda item: (not item.isdigit(), int(item) if item.isdigit() else 0, item))]


def _text_match(actual, wanted):
    """GLPI's ``contains``: case-insensitive, ``^`` and ``$`` anchor, ``*`` is not special."""
    if actual is None:
        return wanted in ("", "^$", "NULL")
    values = actual if isinstance(actual, list) else [actual]
    begin, end = wanted.startswith("^"), wanted.endswith("$") and len(wanted) > 1
    core = wanted[1 if begin else 0:len(wanted) - 1 if end else len(wanted)].lower()
    for value in values:
        text = str(value).lower()
        if (begin and end and text == core) or (begin and not end and text.startswith(core)) or \
                (end and not begin and text.endswith(core)) or (not begin and not end and core in text):
            return True
    return False


def _calendar(year, month, day, hour, minute):
    """PHP's ``mktime``: out-of-range months, days, hours and minutes carry over (31 January + 1 month: 3 March)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime.datetime(year, month, 1) + datetime.timedelta(days=day - 1, hours=hour, minutes=minute)


def _relative_date(value, now):
    """The limit of a ``morethan``/``lessthan`` criterion on a datetime option, as GLPI computes it.

    ``Html::computeGenericDateTimeSearch`` with ``$force_day`` set by ``Search::addWhere`` (README.md): ``NOW``;
    ``TODAY`` midnight; ``[-]<N><unit>`` from now with the seconds dropped, calendar months and years; a value holding
    ``DAY`` (``-5DAY``) is cut to its date, i.e. that day's midnight; otherwise an explicit date.
    """
    if value == "NOW":
        return now.replace(microsecond=0)
    if value == "TODAY":
        return datetime.datetime(now.year, now.month, now.day)
    match = re.match(r"^(-?)(\d+)(MINUTE|HOUR|DAY|WEEK|MONTH|YEAR)$", value)
    if match:
        count = -int(match.group(2)) if match.group(1) else int(match.group(2))
        unit = match.group(3)
        fields = {"year": now.year, "month": now.month, "day": now.day, "hour": now.hour, "minute": now.minute}
        key = {"WEEK": "day", "DAY": "day"}.get(unit, unit.lower())
        fields[key] += count * (7 if unit == "WEEK" else 1)
        limit = _calendar(**fields)
        return datetime.datetime(limit.year, limit.month, limit.day) if unit == "DAY" else limit
    return datetime.datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S" if len(value) > 10 else "%Y-%m-%d")


class LegacyAPIDouble(ServedDouble):
    """GLPI's legacy REST API over a list of computers (see the module docstring)."""

    json_type = JSON
    get_headers = {"Access-Control-Expose-Headers": "content-type, content-range, accept-range"}

    def __init__(self, computers=(), user_tokens=None, logins=None, app_token=None, enable_api=True,
                 allowed_ip=True, login_credentials=True, can_view_computers=True, max_range=1000,
                 now=datetime.datetime(2026, 12, 6, 12, 0, 0), root="/apirest.php", host="127.0.0.1"):
        self.computers = list(computers)
        self.user_tokens = dict(user_tokens or {})  # token -> login
        self.logins = dict(logins or {})  # login -> password
        self.app_token = app_token
        self.enable_api = enable_api
        self.allowed_ip = allowed_ip
        self.login_credentials = login_credentials
        self.can_view_computers = can_view_computers
        self.max_range = max_range
        self.now = now
        self.root = root.rstrip("/")
        self.sessions = {}  # session token -> login
        self.killed = []
        super().__init__(host)
        self._fail_searches = {}  # search number (1-based) -> (status, body)
        self._truncate_searches = {}
        self._after_searches = {}
        self._searches = 0

    @property
    def url(self):
        return self.base_url + self.root

    # -- faults and records
    def fail_search(self, number, status=500, body=None):
        """The ``number``-th search request (1-based, counted from now) answers ``status`` (GLPI's SQL error)."""
        with self._lock:
            self._fail_searches[self._searches + number] = (
                status, body if body is not None else ["ERROR_SQL", "Unexpected SQL Error : MySQL server has gone away"])

    def truncate_search(self, number, keep):
        """The ``number``-th search request from now answers only its first ``keep`` rows, all else unchanged."""
        with self._lock:
            self._truncate_searches[self._searches + number] = keep

    def after_search(self, number, action):
        """Call ``action(double)`` once the ``number``-th search request from now was answered."""
        with self._lock:
            self._after_searches[self._searches + number] = action

    # -- the API
    def answer(self, exchange, body=None):  # pylint: disable=unused-argument
        """``(status, headers, document)`` for one request."""
        try:
            return self._answer(exchange)
        except APIError as error:
            return error.status, {}, error.body

    def _answer(self, exchange):
        if not exchange.path.startswith(self.root + "/"):  # Apache's own page, not GLPI
            return 404, {}, NOT_FOUND_PAGE
        if not self.enable_api:
            raise APIError(400, "ERROR", "API disabled", doc=False)
        if not self.allowed_ip:
            raise APIError(400, "ERROR_NOT_ALLOWED_IP", "There isn't an active API client matching your IP address in the "
                           "configuration (%s)" % exchange.client, doc=False)
        endpoint = exchange.endpoint
        params = php_query(exchange.query)
        if exchange.method != "GET":
            raise APIError(400, "ERROR", "Bad Request")
        if endpoint == "initSession":
            return 200, {}, self._init_session(exchange, params)
        login = self._session(exchange)
        if endpoint == "killSession":
            with self._lock:
                self.sessions.pop(exchange.header("Session-Token").strip(), None)
                self.killed.append(login)
            return 200, {}, True
        if endpoint == "search/Computer":
            return self._search(params)
        if endpoint == "Computer":
            return self._list(params)
        raise APIError(400, "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM", "resource not found or not an instance of CommonDBTM")

    def _check_app_token(self, exchange):
        if self.app_token is not None and (exchange.header("App-Token") or "") != self.app_token:
            raise APIError(400, "ERROR_WRONG_APP_TOKEN_PARAMETER", "parameter app_token seems wrong")

    def _init_session(self, exchange, params):
        self._check_app_token(exchange)
        authorization = exchange.header("Authorization") or ""
        user_token, login, password = params.get("user_token"), params.get("login"), params.get("password")
        if authorization.startswith("user_token "):
            user_token = authorization[len("user_token "):].strip()
        elif authorization.startswith("Basic "):
            try:
                login, _sep, password = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                login = password = None
        if not user_token and not (login and password):
            raise APIError(400, "ERROR_LOGIN_PARAMETERS_MISSING", "parameter(s) login, password or user_token are missing")
        if user_token:
            if user_token not in self.user_tokens:
                raise APIError(401, "ERROR_GLPI_LOGIN_USER_TOKEN", "parameter user_token seems invalid", doc=False)
            login = self.user_tokens[user_token]
        else:
            if not self.login_credentials:
                raise APIError(400, "ERROR_LOGIN_WITH_CREDENTIALS_DISABLED",
                               "usage of initSession resource with credentials is disabled", doc=False)
            if self.logins.get(login) != password:
                raise APIError(401, "ERROR_GLPI_LOGIN", "Incorrect username or password", doc=False)
        token = secrets.token_hex(13)  # 26 characters, as GLPI's
        with self._lock:
            self.sessions[token] = login
        return {"session_token": token}

    def _session(self, exchange):
        self._check_app_token(exchange)
        token = (exchange.header("Session-Token") or "").strip()
        if not token:
            raise APIError(400, "ERROR_SESSION_TOKEN_MISSING", "parameter session_token is missing or empty")
        with self._lock:
            login = self.sessions.get(token)
        if login is None:
            raise APIError(401, "ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid")
        return login

    @staticmethod
    def _range(params, default_end):
        text = params.get("range")
        if text is None:
            return 0, default_end
        if not isinstance(text, str) or not re.match(r"^[0-9]+-[0-9]+$", text):
            raise APIError(400, "ERROR", "range must be in format : [start-end] with integers")
        start, end = (int(part) for part in text.split("-"))
        return start, end

    def _visible(self):
        def build():
            return [record for record in self.computers if not record.get("is_deleted") and not record.get("is_template")]
        return self._cached(("visible",), build)

    def _rows(self, criteria, sort, descending):
        """The visible records matching ``criteria``, in the search's order: computed once per search."""
        def build():
            rows = self._visible()
            if criteria:
                rows = [record for record in rows if self._matches(record, criteria)]
            return sorted(rows, reverse=descending, key=lambda record: (
                cell(record, sort) is None, str(cell(record, sort)) if sort != 2 else record["id"]))
        return self._cached((json.dumps(criteria, sort_keys=True), sort, descending, self.now), build)

    def _list(self, params):
        """``GET /Computer``: the records themselves (only what the transcript replay needs)."""
        if not self.can_view_computers:
            raise APIError(401, "ERROR_RIGHT_MISSING", RIGHT_MISSING, doc=False)
        rows = self._visible()
        start, end = self._range(params, 49)
        total = len(rows)
        if start > end or start >= total:
            raise APIError(400, "ERROR_RANGE_EXCEED_TOTAL", "Provided range exceed total count of data: %d" % total)
        end = min(end, total - 1)
        page = [{"id": record["id"], "entities_id": record["entity"], "name": record["name"], "serial": record["serial"],
                 "otherserial": None, "contact": None, "is_template": 0} for record in rows[start:end + 1]]
        headers = {"Accept-Range": "Computer %d" % self.max_range, "Content-Range": "%d-%d/%d" % (start, end, total)}
        return (206 if len(page) < total else 200), headers, page

    def _matches(self, record, criteria):
        result = None
        for criterion in _ordered(criteria):
            if not isinstance(criterion, dict):
                continue
            if "criteria" in criterion:
                value = self._matches(record, criterion["criteria"])
            else:
                value = self._criterion(record, criterion)
            link = criterion.get("link", "AND").upper()
            if result is None:
                result = (not value) if link.endswith("NOT") else value
            elif link == "OR":
                result = result or value
            elif link == "OR NOT":
                result = result or not value
            elif link == "AND NOT":
                result = result and not value
            else:
                result = result and value
        return True if result is None else result

    def _criterion(self, record, criterion):
        option, searchtype, value = int(criterion["field"]), criterion["searchtype"], criterion["value"]
        actual = cell(record, option)
        if searchtype == "contains":
            return _text_match(actual, value)
        if searchtype == "notcontains":
            return not _text_match(actual, value)
        if searchtype == "equals":
            return actual is not None and str(actual) == value
        if searchtype == "notequals":
            return actual is None or str(actual) != value
        if searchtype in ("morethan", "lessthan") and option in DATE_OPTIONS:
            if actual is None:
                return False
            when = datetime.datetime.strptime(actual, "%Y-%m-%d %H:%M:%S")
            limit = _relative_date(value, self.now)
            return when > limit if searchtype == "morethan" else when < limit
        raise APIError(400, "ERROR", "searchtype %s is not handled by the stand-in" % searchtype)

    def _check_criteria(self, criteria):
        for criterion in _ordered(criteria):
            if isinstance(criterion, dict) and "criteria" in criterion:
                self._check_criteria(criterion["criteria"])
                continue
            if not isinstance(criterion, dict) or not {"field", "searchtype", "value"} <= set(criterion):
                raise APIError(400, "ERROR", "Malformed search criteria")
            if not str(criterion["field"]).isdigit() or int(criterion["field"]) not in SEARCH_OPTIONS:
                raise APIError(400, "ERROR", "Bad field ID in search criteria")

    def _search(self, params):
        """``GET /search/Computer``: ``API::searchItems`` and ``APIRest``'s headers (and the faults asked for)."""
        with self._lock:
            self._searches += 1
            number = self._searches
            fault = self._fail_searches.pop(number, None)
            keep = self._truncate_searches.pop(number, None)
            action = self._after_searches.pop(number, None)
        if fault is not None:
            return fault[0], {}, fault[1]
        status, headers, document = self._search_items(params)
        if keep is not None and "data" in document:
            document["data"] = document["data"][:keep]
        if action is not None:
            action(self)
        return status, headers, document

    def _search_items(self, params):
        if not self.can_view_computers:
            raise APIError(401, "ERROR_RIGHT_MISSING", RIGHT_MISSING, doc=False)
        criteria = params.get("criteria", {})
        self._check_criteria(criteria)
        display = [int(value) for value in _ordered(params.get("forcedisplay", {})) if str(value).isdigit()]
        display = [option for option in dict.fromkeys(display) if option in SEARCH_OPTIONS] or [1, 80]
        start, end = self._range(params, 49)
        sort = int(params.get("sort", "1")) if str(params.get("sort", "1")).isdigit() else 1
        descending = str(params.get("order", "ASC")).upper() == "DESC"
        rows = self._rows(criteria, sort, descending)
        total = len(rows)
        if start > total:
            raise APIError(400, "ERROR_RANGE_EXCEED_TOTAL", "Provided range exceed total count of data: %d" % total)
        page = rows[start:end + 1]
        end = min(end, total - 1)
        document = {"totalcount": total, "count": len(page), "sort": [str(sort)], "order": ["DESC" if descending else "ASC"]}
        if page:  # searchItems sets "data" only for rows it has
            document["data"] = [{str(option): cell(record, option) for option in display} for record in page]
        document["content-range"] = "%d-%d/%d" % (start, end, total)
        headers = {"Accept-Range": "Computer %d" % self.max_range}
        if total > 0:
            headers["Content-Range"] = document["content-range"]
        return (200 if len(page) >= total else 206), headers, document
