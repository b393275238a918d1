# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading GLPI's APIs from the controller: one bounded JSON request, and the error the inventory plugin shows.

Private to the glpiops.glpi collection: no compatibility promise.

``JSONClient`` sends GET requests (and the POST of an OAuth token request) with ``requests`` and the collection's TLS,
proxy and time-out options (the same ``request_settings`` as the delivery client), never follows a redirect, reads at most ``ANSWER_MAX`` bytes of an
answer, all of it within ``request_deadline`` seconds (an answer whose head or body drips in is cut), and decodes it
as JSON; anything else is a ``GLPIAPIError`` naming the option to look at.  Every message goes
through the collection's one masking function first: tokens and passwords never show.
"""

from __future__ import annotations

import json
import threading
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask, secret_forms
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._client import request_settings
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import clip, display_url
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._session import (
    REQUESTS_IMPORT_ERROR,
    Dripped,
    cut_connection,
    describe_exception,
    network_failure,
    read_body,
    requests,
    watched_session,
)

# A page of 1,000 computers with every column is about 1 MiB; a GLPI answer above this is not one we asked for.
ANSWER_MAX = 64 << 20
# The most computers one inventory lists: far above any GLPI in use, and a bound on the requests an answer can cause.
COMPUTERS_MAX = 1000000
# The longest one request may take, from connecting to the last byte of its answer, when the option is not given.
REQUEST_DEADLINE = 300
# What a network failure says about the options.
_FAILURE_OPTIONS = {"tls": "validate_certs, ca_path, client_cert, client_key", "proxy": "proxy",
                    "read_timeout": "timeout", "connect_timeout": "url, timeout"}


class GLPIAPIError(GLPIOpsError):
    """GLPI's API could not be read; the message is masked and names the option to check (``option``)."""

    def __init__(self, message, option=None, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.option = option
        self.status = status
        self.code = code


class Answer(object):
    """One answer: ``status``, ``headers`` (case-insensitive), ``document`` (decoded JSON)."""

    def __init__(self, status, headers, document):
        self.status = status
        self.headers = headers
        self.document = document

    def header(self, name):
        return self.headers.get(name)

    @property
    def glpi_error(self):
        """``(code, message)`` of GLPI's ``["ERROR_...", "message"]`` error answers, else ``(None, None)``."""
        document = self.document
        if isinstance(document, list) and document and isinstance(document[0], str) and document[0].startswith("ERROR"):
            return document[0], str(document[1]) if len(document) > 1 else ""
        return None, None


class JSONClient(object):
    """GET requests to one GLPI, bounded, JSON only; ``secrets``: every value that must never show."""

    def __init__(self, options, secrets=(), basic=(), session=None, clock=time.monotonic):
        if requests is None:
            raise GLPIAPIError("the inventory plugin glpiops.glpi.glpi needs the Python library requests on the "
                               "controller: %s" % REQUESTS_IMPORT_ERROR)
        self.settings = request_settings(options)
        self._secrets = [value for value in secrets if value]
        self._basic = list(basic)
        self._forms = secret_forms(self._secrets, basic=self._basic)
        self._session = session or watched_session()
        self._clock = clock
        self.deadline = float(options.get("request_deadline") or REQUEST_DEADLINE)
        self._session.trust_env = True  # HTTPS_PROXY, NO_PROXY... unless the proxy option says otherwise

    def add_secret(self, value):
        """A value learnt on the way (a session token) that must never show either."""
        if value and value not in self._secrets:
            self._secrets.append(value)
            self._forms = secret_forms(self._secrets, basic=self._basic)

    def masked(self, text):
        return clip(text, mask=lambda value: mask(value, self._forms))

    def error(self, message, option=None, status=None, code=None):
        return GLPIAPIError(self.masked(message), option=option, status=status, code=code)

    def get(self, url, params=None, headers=None, auth=None):
        """The ``Answer`` to ``GET url``; raises ``GLPIAPIError`` on a network failure, a redirect, an oversized,
        late or non-JSON answer."""
        return self._request("GET", url, params=params, headers=headers, auth=auth)

    def post(self, url, document, headers=None):
        """The ``Answer`` to ``POST url`` with the JSON ``document`` (an OAuth token request): the same bounds, redirect
        and JSON rules as ``get``; the document's secrets never show in a message (they are in ``secrets``)."""
        return self._request("POST", url, json=document, headers=headers)

    def _request(self, method, url, headers=None, **kwargs):
        ends = self._clock() + self.deadline
        headers = dict(headers or {})
        headers.setdefault("Accept-Encoding", "identity")  # the size cap counts the bytes GLPI sends
        fired = threading.Event()
        timer = threading.Timer(self.deadline, cut_connection, (threading.get_ident(), fired))
        timer.daemon = True
        timer.start()
        try:
            response = self._session.request(method, url, headers=headers, stream=True, allow_redirects=False,
                                             **dict(self.settings, **kwargs))
        except requests.exceptions.RequestException as exc:
            if fired.is_set():
                raise self._late(url) from None
            failure = network_failure(exc)
            raise self.error("%s (option %s)" % (describe_exception(exc, url, failure), _FAILURE_OPTIONS.get(failure, "url")),
                             option=_FAILURE_OPTIONS.get(failure, "url")) from None
        finally:
            timer.cancel()
        try:
            body = self._read(response, url, ends)
        finally:
            response.close()
        if 300 <= response.status_code < 400:
            raise self.error("%s redirects (HTTP %d) to %s: set the option url to GLPI's own address"
                             % (display_url(url), response.status_code, display_url(response.headers.get("Location", "?"))),
                             option="url", status=response.status_code)
        try:
            document = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise self.error("%s does not answer like GLPI's API (HTTP %d, %s, not JSON): check the option url"
                             % (display_url(url), response.status_code, response.headers.get("Content-Type") or "no type"),
                             option="url", status=response.status_code) from None
        return Answer(response.status_code, response.headers, document)

    def _late(self, url):
        return self.error("no whole answer from %s within %s s (option request_deadline)"
                          % (display_url(url), _seconds(self.deadline)), option="request_deadline")

    def _read(self, response, url, ends):
        try:
            body = read_body(response.raw, ANSWER_MAX, lambda: ends - self._clock())
        except Dripped:
            raise self._late(url) from None
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            raise self.error("%s (option timeout)" % describe_exception(exc, url), option="timeout") from None
        if len(body) > ANSWER_MAX:
            raise self.error("the answer of %s is larger than %d MiB: not read (option page_size)"
                             % (display_url(url), ANSWER_MAX >> 20), option="page_size")
        return body

    def close(self):
        self._session.close()


def _seconds(value):
    return int(value) if float(value).is_integer() else value


def check_total(client, url, total):
    """Refuse to list more than ``COMPUTERS_MAX`` computers (a total GLPI announced), before the second page."""
    if total > COMPUTERS_MAX:
        raise client.error("%s announces %d computers, more than the %d one inventory lists: select fewer with the options "
                           "entities, states or name_pattern" % (display_url(url), total, COMPUTERS_MAX),
                           option="entities, states, name_pattern")
