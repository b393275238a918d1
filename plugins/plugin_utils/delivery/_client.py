# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Deliver inventory documents to GLPI's native inventory endpoint (controller side).

Private to the glpiops.glpi collection: no compatibility promise.

``GLPIClient(options)`` takes the options of ``glpi_server_argument_spec()``
(validated) and sends requests with ``requests``, one ``Session`` per worker
process (keep-alive across the hosts a worker handles).  ``contact`` and
``submit`` return the ``Answer`` of an accepted request and raise ``GLPIError``
otherwise; ``GLPIError.kind`` says what the failure means for the document:

- ``unreachable``: nothing reached GLPI (refused, unresolvable, time-outs before
  the request went out, 429/5xx after the retries): keep it and try later;
- ``unconfirmed``: the inventory was sent whole but no answer came (read
  time-out, connection broken while GLPI answered, 504): GLPI may have imported
  it, so it is never sent again at once, only kept for the next run;
- ``refused``: GLPI's inventory protocol answered with an error about it;
- ``auth``: the credentials were refused;
- ``server``: the URL does not lead to GLPI's endpoint as configured (redirect,
  404, an HTML page, a TLS failure): about the server, not the document;
- ``config``: the options cannot work.

The transport (sessions, network failures) is in ``_session``, the OAuth2 token
cache in ``_oauth``, one host's whole delivery (``deliver``) in ``_deliver``.

Secrets (password, client secret, access tokens, the Basic header) never appear
in what this module raises: every message goes through the collection's one
masking function, ``module_utils._secrets.mask``, before it is cut.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import threading
import time
import urllib.parse
import warnings

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import (
    DEFAULT_TOKEN_CACHE_PATH,
    glpi_server_argument_spec,
    server_option_problems,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask, secret_forms
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._oauth import TokenCache, secret_fingerprint
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import (
    ANSWER_MAX,
    GLPIURLError,
    clip,
    contact_request,
    display_url,
    encode_body,
    inventory_url,
    parse_answer,
    request_headers,
    token_url,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._session import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Dripped,
    cut_connection,
    describe_exception,
    network_failure,
    read_body,
    requests,
    worker_session,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError

BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0
DEFAULTS = {
    "compression": "zlib",
    "contact": False,
    "validate_certs": True,
    "timeout": 30,
    "import_timeout": 120,
    "delivery_deadline": 600,
    "max_concurrent_deliveries": 4,
    "token_cache_path": DEFAULT_TOKEN_CACHE_PATH,
    "retries": 3,
    "retry_max_wait": 60,
}

# What a failed request means for the document (GLPIError.kind).
UNREACHABLE = "unreachable"
UNCONFIRMED = "unconfirmed"
REFUSED = "refused"
AUTH = "auth"
SERVER = "server"
CONFIG = "config"

# ---------------------------------------------------------------------------
# errors


class GLPIError(GLPIOpsError):
    """A request GLPI did not accept; the message is already masked.  ``kind``: see the module's docstring."""

    def __init__(self, message, server=None, status=None, kind=SERVER, attempts=0, answer=None):
        super().__init__(message)
        self.message = message
        self.server = server
        self.status = status
        self.kind = kind
        self.attempts = attempts
        self.answer = answer


class GLPIConfigError(GLPIError):
    """The options cannot work (bad URL, half of a credential pair, requests missing)."""

    def __init__(self, message, server=None):
        super().__init__(message, server=server, kind=CONFIG)


# ---------------------------------------------------------------------------
# transport settings


def request_settings(options):
    """``requests`` keyword arguments for the TLS, proxy and time-out options."""
    validate = options.get("validate_certs", True)
    ca_path = options.get("ca_path")
    verify = (os.path.expanduser(ca_path) if ca_path else True) if validate is not False else False
    settings = {"verify": verify, "timeout": options.get("timeout") or DEFAULTS["timeout"]}
    cert, key = options.get("client_cert"), options.get("client_key")
    if cert:
        settings["cert"] = (os.path.expanduser(cert), os.path.expanduser(key)) if key else os.path.expanduser(cert)
    proxy = options.get("proxy")
    if proxy:
        settings["proxies"] = {"http": proxy, "https": proxy}
    return settings


def _proxy_secrets(proxy):
    try:
        parts = urllib.parse.urlsplit(proxy or "")
        password = parts.password
    except ValueError:
        return []
    return [password, urllib.parse.unquote(password)] if password else []


# TLS failures that sending again cannot cure: a refused certificate, http spoken to https.
_PERSISTENT_TLS_WORDS = ("certificate", "wrong_version_number", "hostname", "unsupported_protocol", "no_protocols",
                         "handshake_failure")


# ---------------------------------------------------------------------------
# the client


@dataclasses.dataclass
class _Retry:
    """One failed attempt worth repeating."""

    message: str
    retry_after: float | None = None


@dataclasses.dataclass
class _Response:
    """What the client keeps of an HTTP answer: status, headers, and at most ``ANSWER_MAX`` + 1 bytes of body."""

    status_code: int
    headers: dict
    content: bytes


class GLPIClient:
    """Talks to the GLPI servers of ``options`` (the validated ``glpi_server_argument_spec`` options).

    ``session``: a ``requests.Session`` (default: this worker's own).  ``sleep``,
    ``clock`` (monotonic) and ``jitter`` (returns 0..1) drive the retries;
    ``token_cache`` defaults to a ``TokenCache`` in ``~/.ansible/glpi_tokens``.
    ``warnings``: what the caller should tell the user (a token cache that could not be used).
    """

    def __init__(self, options, session=None, sleep=time.sleep, clock=time.monotonic, jitter=random.random,
                 token_cache=None, ansible_version=None):
        options = dict(DEFAULTS, **{key: value for key, value in dict(options).items() if value is not None})
        self.options = options
        self.warnings = []
        self._secrets = [options.get("password"), options.get("client_secret")] + _proxy_secrets(options.get("proxy"))
        self._basic = [(options["username"], options["password"])] if options.get("username") and options.get("password") else []
        self._forms = None
        if not HAS_REQUESTS:
            raise GLPIConfigError("the Python library requests is required on the controller to deliver to GLPI (%s)" % REQUESTS_IMPORT_ERROR)
        servers = options.get("server") or []
        if isinstance(servers, str):
            servers = [servers]
        if not servers:
            raise GLPIConfigError("no GLPI server: set the server option or the GLPI_SERVER environment variable")
        try:
            self.servers = [inventory_url(server) for server in servers]
        except GLPIURLError as exc:
            raise GLPIConfigError(self.mask("server: %s" % exc)) from None
        problems = server_option_problems({name: options.get(name) for name in glpi_server_argument_spec()})
        if options.get("compression") not in ("zlib", "none"):
            problems.append("compression must be zlib or none, got %s" % options.get("compression"))
        if problems:
            raise GLPIConfigError(self.mask("; ".join(problems)))
        self._session = session
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._ansible_version = ansible_version
        self._oauth = bool(options.get("client_id"))
        self._tokens = token_cache if token_cache is not None else (TokenCache(options["token_cache_path"]) if self._oauth else None)
        self._memory_tokens = {}
        self._token_keys = {}
        self._settings = request_settings(options)
        self.deadline = None  # on self._clock; set by start_delivery()

    # -- the delivery deadline ---------------------------------------------
    def start_delivery(self):
        """Start the clock of one document's delivery to one server (``delivery_deadline``)."""
        self.deadline = self._clock() + float(self.options["delivery_deadline"])

    def remaining(self):
        """Seconds left before the delivery deadline (None: no delivery started)."""
        return None if self.deadline is None else self.deadline - self._clock()

    # -- secrets ---------------------------------------------------------
    def _add_secret(self, secret):
        if secret and secret not in self._secrets:
            self._secrets.append(secret)
            self._forms = None

    def mask(self, obj):
        """``obj`` with every secret this client knows (options and tokens) masked in its string values."""
        if self._forms is None:
            self._forms = secret_forms(self._secrets, self._basic)
        return mask(obj, self._forms)

    @property
    def session(self):
        if self._session is None:
            self._session = worker_session()
        return self._session

    # -- public API ------------------------------------------------------
    def contact(self, server, deviceid, tag=None):
        """Send GLPI Agent's ``contact`` for ``deviceid``; the ``Answer`` (``expiration``, ``disabled``)."""
        body, content_type = encode_body(contact_request(deviceid, tag), self.options["compression"])
        return self._post(server, body, request_headers(deviceid, content_type, self._ansible_version), idempotent=True)

    def submit(self, server, document, deviceid=None):
        """Send an inventory ``document`` (dict, or JSON/XML text) to ``server``; the ``Answer`` when GLPI accepted it.

        Once the document went out whole, a missing answer is ``unconfirmed`` and never sent again here.
        """
        if deviceid is None and isinstance(document, dict):
            deviceid = document.get("deviceid")
        body, content_type = encode_body(document, self.options["compression"])
        return self._post(server, body, request_headers(deviceid or "", content_type, self._ansible_version), idempotent=False)

    # -- retries ---------------------------------------------------------
    def _with_retries(self, server, attempt):
        """Run ``attempt()`` until it returns a value (not ``_Retry``), within the retry count and time cap.

        Returns ``(value, attempts)``; raises ``GLPIError`` (``unreachable``) when the retries are spent, with the
        number of attempts really made.
        """
        retries = max(0, int(self.options["retries"]))
        cap = max(0.0, float(self.options["retry_max_wait"]))
        started = self._clock()
        attempts = 0
        while True:
            attempts += 1
            try:
                outcome = attempt()
            except GLPIError as exc:
                exc.attempts = attempts
                raise
            if not isinstance(outcome, _Retry):
                return outcome, attempts
            delay = self.backoff(attempts, outcome.retry_after)
            elapsed = self._clock() - started
            remaining = self.remaining()
            if attempts > retries or elapsed + delay > cap or (remaining is not None and delay >= remaining):
                raise GLPIError(
                    self.mask("%s (gave up after %d attempt%s)" % (outcome.message, attempts, "" if attempts == 1 else "s")),
                    server=display_url(server), kind=UNREACHABLE, attempts=attempts,
                )
            self._sleep(delay)

    def backoff(self, attempt, retry_after=None):
        """Seconds to wait after failed attempt number ``attempt`` (1-based): exponential, half of it random."""
        ceiling = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (attempt - 1)))
        delay = ceiling / 2 + ceiling / 2 * self._jitter()
        if retry_after is not None:
            delay = max(delay, min(float(retry_after), BACKOFF_MAX * 4))
        return delay

    def _send(self, method, url, idempotent=True, **kwargs):
        """One HTTP exchange -> ``_Response``; ``requests`` exceptions become ``_Retry`` or ``GLPIError``.

        ``idempotent``: sending again is harmless (contact, token).  An inventory is not: once it went out, a missing
        answer raises ``unconfirmed``, and its answer may take ``import_timeout``.  Both time-outs are cut to what is
        left of the delivery deadline, and so is the reading of the answer, chunk by chunk.  Redirections are never
        followed (see ``_answer``).
        """
        settings = dict(self._settings)
        settings.update(kwargs)
        read_timeout = float(self.options["timeout"] if idempotent else self.options["import_timeout"])
        connect_timeout = float(self.options["timeout"])
        remaining = self.remaining()
        if remaining is not None:
            if remaining <= 0:
                raise GLPIError(self.mask("the delivery deadline of %s s passed before %s could be sent"
                                          % (self.options["delivery_deadline"], display_url(url))),
                                server=display_url(url), kind=UNREACHABLE)
            read_timeout, connect_timeout = min(read_timeout, remaining), min(connect_timeout, remaining)
        settings["timeout"] = (connect_timeout, read_timeout)
        fired = threading.Event()
        timer = None
        if remaining is not None:
            timer = threading.Timer(remaining, cut_connection, (threading.get_ident(), fired))
            timer.daemon = True
            timer.start()
        try:
            with warnings.catch_warnings():
                if settings.get("verify") is False:
                    # validate_certs=false was asked for: do not warn on every request of every host.
                    warnings.filterwarnings("ignore", message="Unverified HTTPS request")
                response = self.session.request(method, url, allow_redirects=False, stream=True, **settings)
                if timer is not None:
                    timer.cancel()
                try:
                    content = self._read_body(response)
                finally:
                    response.close()
            return _Response(response.status_code, dict(response.headers), content)
        except Dripped:
            message = self.mask("%s answered HTTP %s but its answer did not arrive whole before the delivery deadline"
                                % (display_url(url), response.status_code))
            if not idempotent:
                raise GLPIError(message + "; GLPI may have imported it", server=display_url(url), kind=UNCONFIRMED) from None
            raise GLPIError(message, server=display_url(url), kind=UNREACHABLE) from None
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            if fired.is_set():
                message = self.mask("no whole answer from %s before the delivery deadline of %s s"
                                    % (display_url(url), self.options["delivery_deadline"]))
                if not idempotent:
                    raise GLPIError(message + "; GLPI may have imported it", server=display_url(url), kind=UNCONFIRMED) from None
                raise GLPIError(message, server=display_url(url), kind=UNREACHABLE) from None
            return self._failure(exc, url, idempotent)
        finally:
            if timer is not None:
                timer.cancel()

    def _read_body(self, response):
        """At most ``ANSWER_MAX`` + 1 bytes of the answer, as they come (no content decoding), within the deadline."""
        return read_body(response.raw, ANSWER_MAX, self.remaining)

    def _failure(self, exc, url, idempotent):
        failure = network_failure(exc)
        message = self.mask(clip(describe_exception(exc, url, failure)))
        where = display_url(url)
        if failure in ("refused", "unresolved"):
            # Nothing listens there now: waiting a few seconds in this run will not change it; the spool will.
            raise GLPIError(message, server=where, kind=UNREACHABLE)
        if failure == "tls":
            if any(word in str(exc).lower() for word in _PERSISTENT_TLS_WORDS):
                raise GLPIError(message, server=where, kind=SERVER)
            return _Retry(message)
        if failure in ("read_timeout", "aborted") and not idempotent:
            raise GLPIError(message + "; GLPI may have imported it", server=where, kind=UNCONFIRMED)
        if failure in ("connect_timeout", "read_timeout", "aborted", "proxy"):
            return _Retry(message)
        raise GLPIConfigError(message, server=where)

    def _post(self, server, body, headers, idempotent):
        try:
            url = server if server in self.servers else inventory_url(server)
        except GLPIURLError as exc:
            raise GLPIConfigError(self.mask("server: %s" % exc)) from None
        basic = tuple(value.encode("utf-8") for value in self._basic[0]) if self._basic else None

        def attempt():
            refreshed = False
            while True:
                auth_headers = dict(headers)
                token = None
                if self._oauth:
                    token = self._token(url)
                    auth_headers["Authorization"] = "Bearer " + token
                response = self._send("POST", url, idempotent=idempotent, data=body, headers=auth_headers, auth=basic)
                if isinstance(response, _Retry):
                    return response
                if response.status_code == 401 and self._oauth and not refreshed:
                    # An expired or revoked token: forget it and try once more with a new one.
                    refreshed = True
                    self._forget_token(url, token)
                    continue
                return self._answer(url, response, idempotent)

        answer, attempts = self._with_retries(url, attempt)
        return dataclasses.replace(answer, data=self.mask(answer.data), message=self.mask(answer.message), attempts=attempts)

    def _answer(self, url, response, idempotent):
        answer = parse_answer(response.status_code, response.headers.get("Content-Type"), response.content,
                              response.headers.get("Retry-After"), mask=self.mask)
        if answer.accepted:
            return answer
        where = display_url(url)
        if 300 <= response.status_code < 400:
            # Never followed: the request would carry the credentials (Basic, Bearer) to wherever it points.
            location = response.headers.get("Location")
            target = display_url(urllib.parse.urljoin(url, location)) if location else "an unknown place"
            raise GLPIError(
                self.mask("GLPI answered HTTP %d, a redirection to %s; redirections are not followed (they would carry "
                          "the credentials): set server to the final URL of the inventory endpoint" % (response.status_code, target)),
                server=where, status=response.status_code, kind=SERVER,
            )
        if response.status_code == 504 and not idempotent:
            # A gateway gave up waiting while GLPI may still be importing it.
            raise GLPIError(self.mask(answer.error + "; GLPI may have imported it"), server=where, status=504, kind=UNCONFIRMED)
        if answer.retryable:
            return _Retry(self.mask(answer.error), answer.retry_after)
        message = answer.error
        if answer.auth_failed:
            if self._oauth:
                hint = "client_id and client_secret"
            elif self._basic:
                hint = "username and password"
            else:
                hint = "the authentication GLPI requires: username and password, or client_id and client_secret"
            message += " (check %s)" % hint
            kind = AUTH
        elif answer.refused:
            kind = REFUSED
        else:
            kind = SERVER
            if 200 <= answer.status < 300 or answer.status == 404:
                message += " (is %s GLPI's inventory endpoint?)" % where
        raise GLPIError(self.mask(message), server=where, status=answer.status, kind=kind, answer=answer)

    # -- OAuth2 ----------------------------------------------------------
    def _token_key(self, url):
        token_endpoint = token_url(url)
        key = self._token_keys.get(token_endpoint)
        if key is None:  # PBKDF2 is slow on purpose: once per token endpoint, not once per request
            client_id = self.options["client_id"]
            key = (token_endpoint, client_id, secret_fingerprint(self.options["client_secret"], token_endpoint + "\0" + client_id))
            self._token_keys[token_endpoint] = key
        return key

    def _token(self, url):
        key = self._token_key(url)
        token = self._memory_tokens.get(key)
        if token is None:
            try:
                token = self._tokens.get(key, lambda: self._fetch_token(key[0]))
            except OSError as exc:
                # A read-only home must not stop delivery: this process keeps its own token instead.
                self.warnings.append("the OAuth2 token cache %s cannot be used (%s): each worker asks GLPI for its own token"
                                     % (self._tokens.directory, exc.strerror or exc))
                token, _expires_in = self._fetch_token(key[0])
                self._memory_tokens[key] = token
        self._add_secret(token)
        return token

    def _forget_token(self, url, token):
        key = self._token_key(url)
        self._memory_tokens.pop(key, None)
        self._tokens.invalidate(key, token)

    def _fetch_token(self, url):
        payload = json.dumps({
            "grant_type": "client_credentials",
            "client_id": self.options["client_id"],
            "client_secret": self.options["client_secret"],
            "scope": "inventory",
        }).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": request_headers("", "")["User-Agent"]}

        def attempt():
            response = self._send("POST", url, idempotent=True, data=payload, headers=headers)
            if isinstance(response, _Retry):
                return response
            try:
                data = json.loads(response.content.decode("utf-8")) if len(response.content) <= ANSWER_MAX else None
            except (ValueError, UnicodeDecodeError, RecursionError):
                data = None
            if response.status_code == 200 and isinstance(data, dict) and isinstance(data.get("access_token"), str) and data["access_token"]:
                self._add_secret(data["access_token"])
                expires_in = data.get("expires_in")
                if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
                    expires_in = 300
                return data["access_token"], float(expires_in)
            answer = parse_answer(response.status_code, response.headers.get("Content-Type"), response.content,
                                  response.headers.get("Retry-After"), mask=self.mask)
            message = None
            if isinstance(data, dict):
                message = data.get("error_description") or data.get("message") or data.get("error")
            text = "GLPI refused the OAuth2 client credentials at %s (HTTP %d)%s" % (
                display_url(url), response.status_code, (": %s" % clip(message, self.mask)) if isinstance(message, str) and message else "")
            if answer.retryable:
                return _Retry(self.mask(text), answer.retry_after)
            raise GLPIError(self.mask(text), server=display_url(url), status=response.status_code,
                            kind=AUTH if response.status_code in (400, 401, 403) else SERVER)

        value, _attempts = self._with_retries(url, attempt)
        return value
