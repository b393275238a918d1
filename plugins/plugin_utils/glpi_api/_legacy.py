# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's legacy REST API (``apirest.php``, GLPI 9.5, 10 and 11): the computers, one request per page.

Private to the glpiops.glpi collection: no compatibility promise.

``list_computers(options)`` opens a session (``initSession`` with ``Authorization: user_token ...`` or HTTP Basic
login/password, plus ``App-Token`` when set), reads ``search/Computer`` page by page with ``range=`` (the page never
larger than the ``Accept-Range`` maximum GLPI announces) with the IP addresses joined in (search option 126), and
ends the session (``killSession``) whatever happened.  A page that fails, comes back short or contradicts the
others fails the whole listing: an inventory is never made from part of GLPI's computers.

GLPI's refusals become one sentence each that names the option to change (``_REFUSALS``).
"""

from __future__ import annotations

import urllib.parse

from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import display_url
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._http import GLPIAPIError, JSONClient, check_total
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._legacy_search import (
    computer_from_row,
    filter_criteria,
    parse_accept_range,
    parse_content_range,
    search_params,
)

API_SCRIPT = "apirest.php"

# GLPI's error code -> (what it means for the user, the options to look at)
_REFUSALS = {
    "ERROR_GLPI_LOGIN_USER_TOKEN": ("GLPI refused the user token", "user_token"),
    "ERROR_GLPI_LOGIN": ("GLPI refused the login and password", "username, password"),
    "ERROR_LOGIN_WITH_CREDENTIALS_DISABLED": (
        "GLPI does not accept a login and password on its API (Setup > General > API, \"Enable login with "
        "credentials\"): use a user token", "username, password, user_token"),
    "ERROR_LOGIN_PARAMETERS_MISSING": ("GLPI got no credentials", "user_token, username, password"),
    "ERROR_WRONG_APP_TOKEN_PARAMETER": ("GLPI refused the application token of its API client", "app_token"),
    "ERROR_APP_TOKEN_PARAMETERS_MISSING": ("GLPI's API client wants an application token", "app_token"),
    "ERROR_NOT_ALLOWED_IP": (
        "GLPI has no active API client for this controller's address (Setup > General > API, API clients)", "url"),
    "ERROR_RIGHT_MISSING": (
        "the GLPI profile of this user may not read computers (give it Assets > Computers: Read)",
        "user_token, username"),
    "ERROR_SESSION_TOKEN_INVALID": ("GLPI ended the API session before the listing was done", "url"),
}


def api_url(url):
    """The ``apirest.php`` URL of the option ``url``: a GLPI root gets ``apirest.php`` appended."""
    if not isinstance(url, str) or not url.strip():
        raise GLPIAPIError("the option url is not set: GLPI's address, for example https://glpi.example.com", option="url")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
        parts.port  # pylint: disable=pointless-statement  # raises on a bad port
    except ValueError:
        raise GLPIAPIError("the option url is not a valid URL; expected http(s)://host[:port]/[path]", option="url") from None
    if "@" in parts.netloc:
        raise GLPIAPIError("the option url carries credentials (%s): use user_token, or username and password"
                           % display_url(url), option="url")
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise GLPIAPIError("the option url must be an http:// or https:// URL with a host, got %s" % display_url(url),
                           option="url")
    if parts.query or parts.fragment:
        raise GLPIAPIError("the option url must not carry a query or a fragment: %s" % display_url(url), option="url")
    path = parts.path.rstrip("/")
    if not path.endswith("/" + API_SCRIPT) and path != API_SCRIPT:
        path += "/" + API_SCRIPT
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


class LegacyAPI(object):
    """One session with GLPI's legacy API (``open``, ``search_computers``, ``close``)."""

    def __init__(self, options, session=None):
        self.url = api_url(options.get("url"))
        self.options = options
        self.user_token = options.get("user_token") or None
        self.username = options.get("username") or None
        self.password = options.get("password") or None
        self.app_token = options.get("app_token") or None
        if not self.user_token and not (self.username and self.password):
            raise GLPIAPIError("GLPI's API needs credentials: set the option user_token (a user's API token), or the "
                               "options username and password", option="user_token")
        self.client = JSONClient(options, secrets=(self.user_token, self.password, self.app_token),
                                 basic=[(self.username, self.password)] if self.password else (), session=session)
        self.session_token = None

    def _headers(self, **extra):
        headers = {"Accept": "application/json"}
        if self.app_token:
            headers["App-Token"] = self.app_token
        if self.session_token:
            headers["Session-Token"] = self.session_token
        headers.update(extra)
        return headers

    def _refused(self, answer, doing, consequence=""):
        """The ``GLPIAPIError`` for an answer that is not the one asked for, while ``doing`` something."""
        code, message = answer.glpi_error
        url = display_url(self.url)
        if code == "ERROR" and message.strip().startswith("API disabled"):
            text, option = ("GLPI's legacy REST API is disabled on %s: enable it in Setup > General > API (\"Enable Rest "
                            "API\") (option url)" % url), "url"
        elif code in _REFUSALS:
            meaning, option = _REFUSALS[code]
            text = "%s: %s (HTTP %d %s: %s) while %s (option %s)" % (url, meaning, answer.status, code, message, doing, option)
        elif code:
            text, option = "%s answered HTTP %d %s: %s while %s" % (url, answer.status, code, message, doing), "url"
        else:
            text, option = ("%s does not answer like GLPI's legacy API while %s (HTTP %d): check the option url"
                            % (url, doing, answer.status)), "url"
        return self.client.error(text + consequence, option=option, status=answer.status, code=code)

    def open(self):
        """``initSession``: a session token, from the user token or the login and password."""
        if self.user_token:
            answer = self.client.get(self.url + "/initSession",
                                     headers=self._headers(Authorization="user_token %s" % self.user_token))
        else:
            answer = self.client.get(self.url + "/initSession", headers=self._headers(), auth=(self.username, self.password))
        token = answer.document.get("session_token") if isinstance(answer.document, dict) else None
        if answer.status != 200 or not isinstance(token, str) or not token:
            raise self._refused(answer, "opening a session")
        self.session_token = token
        self.client.add_secret(token)

    def close(self):
        """``killSession`` when a session is open; a failure to end it does not undo a listing."""
        try:
            if self.session_token:
                self.client.get(self.url + "/killSession", headers=self._headers())
        except GLPIAPIError:
            pass
        finally:
            self.session_token = None
            self.client.close()

    def search_computers(self, criteria, page_size):
        """Every computer the criteria select, ``page_size`` (or GLPI's maximum) per request, in id order."""
        computers, start, size, total, page = [], 0, page_size, None, 0
        while total is None or start < total:
            page += 1
            answer = self.client.get(self.url + "/search/Computer", params=search_params(criteria, start, start + size - 1),
                                     headers=self._headers())
            of_total = "" if total is None else " of %s" % total
            doing = "listing computers %d-%d%s" % (start, start + size - 1, of_total)
            document = answer.document
            if answer.status not in (200, 206) or not isinstance(document, dict):
                raise self._refused(answer, "%s (page %d)" % (doing, page), "; no inventory is made from part of the computers")
            page_total = document.get("totalcount")
            if not isinstance(page_total, int) or page_total < 0:
                raise self.client.error("%s answered page %d without a valid totalcount: check the option url"
                                        % (display_url(self.url), page), option="url")
            rows = document.get("data", [])
            if not isinstance(rows, list):
                raise self.client.error("%s answered page %d with data that is not a list" % (display_url(self.url), page),
                                        option="url")
            if total is None:
                check_total(self.client, self.url, page_total)
                total = page_total
                largest = parse_accept_range(answer.header("Accept-Range"))
                asked, size = size, min(size, largest) if largest else size
            else:
                asked = size
                if page_total != total:
                    raise self.client.error("the number of computers changed from %d to %d while they were listed (page "
                                            "%d): run the inventory again" % (total, page_total, page), option="page_size")
            if start >= total:
                break
            expected = {min(asked, total - start), min(size, total - start)}
            if len(rows) not in expected:
                declared_range = answer.header("Content-Range") or "no range"
                raise self.client.error("%s answered %d computers instead of %d on page %d (%s): no inventory is made "
                                        "from part of the computers"
                                        % (display_url(self.url), len(rows), min(expected), page, declared_range),
                                        option="page_size")
            declared = parse_content_range(answer.header("Content-Range") or document.get("content-range"))
            if declared is not None and (declared[0] != start or declared[2] != total):
                raise self.client.error("%s answered the range %s to a request for %d-: check the option url"
                                        % (display_url(self.url), answer.header("Content-Range"), start), option="url")
            for row in rows:
                computer = computer_from_row(row)
                if computer is None:
                    raise self.client.error("%s answered a computer without an id on page %d" % (display_url(self.url), page),
                                            option="url")
                computers.append(computer)
            start += len(rows)
        return computers


def list_computers(options, session=None):
    """Every computer of GLPI the options select, through the legacy API; the session is always ended."""
    criteria = filter_criteria(entities=options.get("entities") or (), states=options.get("states") or (),
                               name_pattern=options.get("name_pattern"),
                               last_inventory_days=options.get("last_inventory_days"))
    api = LegacyAPI(options, session=session)
    try:
        api.open()
        return api.search_computers(criteria, options.get("page_size") or 1000)
    finally:
        api.close()
