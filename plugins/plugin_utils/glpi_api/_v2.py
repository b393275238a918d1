# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI 11's High-Level API v2 (``api.php``): the computers, one request per page.

Private to the glpiops.glpi collection: no compatibility promise.

``list_computers(options)`` asks ``POST api.php/token`` for an OAuth access token with the *password* grant
(``client_id``, ``client_secret``, ``username``, ``password``, scope ``api``: a client_credentials token carries no
user and GLPI answers every call with it 401), then reads ``GET api.php/v2.0/Assets/Computer`` page by page
(``start``/``limit``, sorted by id, the filters as one RSQL ``filter``).  Every page's ``Content-Range`` is checked
against the rows answered and the first page's total: a page that fails, comes back short or contradicts the others
fails the whole listing, as with the legacy API.  The token is a secret like the others: masked in every message.
"""

from __future__ import annotations

from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import display_url
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._http import GLPIAPIError, JSONClient, check_total
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._legacy import API_SCRIPT, api_url
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._legacy_search import parse_content_range
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._v2_query import (
    RSQLValueError,
    computer_from_record,
    filter_rsql,
    page_params,
)

V2_SCRIPT = "api.php"
COMPUTERS = "/v2.0/Assets/Computer"
SCOPE = "api"
NO_PART = "; no inventory is made from part of the computers"
HLAPI_DISABLED = ("GLPI's High-Level API is disabled on %s: enable it (config enable_hlapi: Setup > General > API, "
                  "\"Enable the High-Level API\"), or read the legacy API with api: legacy (option api)")
PASSWORD_GRANT = ("GLPI's High-Level API needs the OAuth password grant: an OAuth client (Setup > OAuth clients) with the "
                  "Password grant and the scope api, and a GLPI user for the API in the options username and password")

# OAuth errors of POST api.php/token -> (what it means, the options to look at)
_TOKEN_REFUSALS = {
    "invalid_client": ("GLPI refused the OAuth client (wrong client_id or client_secret, or the client is inactive)",
                       "client_id, client_secret"),
    "invalid_grant": ("GLPI refused the user's login and password", "username, password"),
    "unsupported_grant_type": ("GLPI's OAuth client does not allow the password grant (Setup > OAuth clients, Grants)",
                               "client_id"),
    "unauthorized_client": ("GLPI's OAuth client does not allow the password grant (Setup > OAuth clients, Grants)",
                            "client_id"),
    "invalid_scope": ("GLPI's OAuth client does not allow the scope api (Setup > OAuth clients, Scopes)", "client_id"),
    "invalid_request": ("GLPI found the token request incomplete", "client_id, client_secret, username, password"),
}


def v2_url(url):
    """The ``api.php`` URL of the option ``url`` (a GLPI root, or its ``apirest.php``), validated like the legacy one."""
    legacy = api_url(url)
    return legacy[:-len(API_SCRIPT)] + V2_SCRIPT


class V2API(object):
    """GLPI's High-Level API v2 with one OAuth access token (``open``, ``list_computers``, ``close``)."""

    def __init__(self, options, session=None):
        self.url = v2_url(options.get("url"))
        self.client_id = options.get("client_id") or None
        self.client_secret = options.get("client_secret") or None
        self.username = options.get("username") or None
        self.password = options.get("password") or None
        missing = [name for name in ("client_id", "client_secret", "username", "password") if not getattr(self, name)]
        if missing:
            raise GLPIAPIError("%s: set %s (option %s)" % (PASSWORD_GRANT, ", ".join(missing), ", ".join(missing)),
                               option=", ".join(missing))
        self.client = JSONClient(options, secrets=(self.client_secret, self.password), session=session)
        self.access_token = None

    def _headers(self):
        headers = {"Accept": "application/json"}
        if self.access_token:
            headers["Authorization"] = "Bearer %s" % self.access_token
        return headers

    def open(self):
        """``POST api.php/token`` with the password grant: the access token of the API user."""
        request = {"grant_type": "password", "client_id": self.client_id, "client_secret": self.client_secret,
                   "username": self.username, "password": self.password, "scope": SCOPE}
        try:
            answer = self.client.post(self.url + "/token", request, headers={"Accept": "application/json"})
        except GLPIAPIError as exc:
            if exc.status == 404:
                raise self.client.error("%s has no High-Level API (HTTP 404 on api.php/token): GLPI 11 or later is "
                                        "needed for api: v2; read GLPI 9.5/10 with api: legacy (option api)"
                                        % display_url(self.url), option="api", status=404) from None
            raise
        document = answer.document if isinstance(answer.document, dict) else {}
        token = document.get("access_token")
        if answer.status == 200 and isinstance(token, str) and token:
            self.access_token = token
            self.client.add_secret(token)
            return
        raise self._refused(answer, "asking for an OAuth token", token_request=True)

    def _refused(self, answer, doing, token_request=False, consequence=""):
        """The ``GLPIAPIError`` of an answer that is not the one asked for."""
        document = answer.document if isinstance(answer.document, dict) else {}
        url = display_url(self.url)
        oauth_error, status = document.get("error"), document.get("status")
        detail = str(document.get("detail") or document.get("error_description") or document.get("title") or "")
        if status == "ERROR_RIGHT_MISSING" and "High-Level API is disabled" in detail:
            text, option = HLAPI_DISABLED % url, "api"
        elif token_request and oauth_error in _TOKEN_REFUSALS:
            meaning, option = _TOKEN_REFUSALS[oauth_error]
            text = "%s: %s (HTTP %d %s: %s) while %s (option %s)" % (url, meaning, answer.status, oauth_error, detail, doing, option)
        elif status == "ERROR_UNAUTHENTICATED":
            text, option = ("%s: GLPI did not accept the access token (HTTP %d %s: %s) while %s. %s (option username, "
                            "password)" % (url, answer.status, status, detail, doing, PASSWORD_GRANT)), "username, password"
        elif status == "ERROR_RIGHT_MISSING":
            text, option = ("%s: the GLPI profile of this user may not read computers (give it Assets > Computers: Read) "
                            "(HTTP %d %s: %s) while %s (option username)" % (url, answer.status, status, detail, doing)), "username"
        elif status == "ERROR_INVALID_PARAMETER":
            text, option = ("%s: GLPI refused the request (HTTP %d %s: %s) while %s: check the options entities, states, "
                            "name_pattern, page_size" % (url, answer.status, status, detail, doing)), "entities, states, name_pattern"
        elif status or oauth_error:
            code = status or oauth_error
            text, option = "%s answered HTTP %d %s: %s while %s (option url)" % (url, answer.status, code, detail, doing), "url"
        else:
            text, option = ("%s does not answer like GLPI's High-Level API while %s (HTTP %d): check the option url"
                            % (url, doing, answer.status)), "url"
        return self.client.error(text + consequence, option=option, status=answer.status, code=status or oauth_error)

    def list_computers(self, rsql, page_size):
        """Every computer ``rsql`` selects, ``page_size`` per request, in id order; each page checked."""
        computers, start, total, page, last_id = [], 0, None, 0, None
        while total is None or start < total:
            page += 1
            answer = self.client.get(self.url + COMPUTERS, params=page_params(rsql, start, page_size), headers=self._headers())
            of_total = "" if total is None else " of %s" % total
            doing = "listing computers %d-%d%s (page %d)" % (start, start + page_size - 1, of_total, page)
            rows = answer.document
            if answer.status not in (200, 206) or not isinstance(rows, list):
                raise self._refused(answer, doing, consequence=NO_PART)
            declared = parse_content_range(answer.header("Content-Range"))
            if declared is None:
                raise self.client.error("%s answered page %d without a valid Content-Range (%s): check the option url"
                                        % (display_url(self.url), page, answer.header("Content-Range") or "none"), option="url")
            if total is None:
                check_total(self.client, self.url, declared[2])
                total = declared[2]
            elif declared[2] != total:
                raise self.client.error("the number of computers changed from %d to %d while they were listed (page %d): "
                                        "run the inventory again" % (total, declared[2], page), option="page_size")
            expected = max(0, min(page_size, total - start))
            if declared[0] != start or len(rows) != expected:
                raise self.client.error("%s answered %d computers (Content-Range %s) instead of %d from %d on page %d%s"
                                        % (display_url(self.url), len(rows), answer.header("Content-Range"), expected, start,
                                           page, NO_PART), option="page_size")
            for row in rows:
                computer = computer_from_record(row)
                if computer is None:
                    raise self.client.error("%s answered a computer without an id on page %d" % (display_url(self.url), page),
                                            option="url")
                if last_id is not None and computer["id"] <= last_id:
                    raise self.client.error("%s answered the computers out of id order on page %d (id %d after %s): the "
                                            "pages may overlap%s" % (display_url(self.url), page, computer["id"], last_id, NO_PART),
                                            option="url")
                last_id = computer["id"]
                computers.append(computer)
            if not rows:
                break
            start += len(rows)
        return computers

    def close(self):
        self.access_token = None
        self.client.close()


def list_computers(options, session=None):
    """Every computer of GLPI the options select, through the High-Level API v2."""
    if options.get("last_inventory_days") is not None:
        raise GLPIAPIError("the option last_inventory_days cannot be used with GLPI's High-Level API v2: its Computer has "
                           "no last inventory date (GLPI 11); remove it, or read the legacy API with api: legacy "
                           "(option last_inventory_days)", option="last_inventory_days")
    try:
        rsql = filter_rsql(entities=options.get("entities") or (), states=options.get("states") or (),
                           name_pattern=options.get("name_pattern"))
    except RSQLValueError as exc:
        raise GLPIAPIError("a filter value cannot be sent to GLPI's High-Level API: %s (option entities, states, "
                           "name_pattern)" % exc, option="entities, states, name_pattern") from None
    api = V2API(options, session=session)
    try:
        api.open()
        return api.list_computers(rsql, options.get("page_size") or 1000)
    finally:
        api.close()
