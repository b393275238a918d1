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
otherwise; ``GLPIError.unreachable`` says that every attempt failed for network
reasons (the document should be spooled), anything else is GLPI's refusal.

``deliver(client, spool, document)`` is the whole delivery of one host's
document: optional contact, re-sending the spool, sending, spooling on failure;
it returns a result dict with every secret masked.

Secrets (password, client secret, access tokens, the Basic header) never appear
in what this module returns or raises: everything goes through ``mask_secrets``.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import random
import re
import time
import urllib.parse
import warnings

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import glpi_server_argument_spec
from ansible_collections.glpiops.glpi.plugins.plugin_utils import _spool
from ansible_collections.glpiops.glpi.plugins.plugin_utils._atomic import write_atomic
from ansible_collections.glpiops.glpi.plugins.plugin_utils._glpi_protocol import (
    GLPIURLError,
    basic_token,
    contact_request,
    display_url,
    encode_body,
    inventory_url,
    parse_answer,
    request_headers,
    token_url,
)

try:
    import requests
    import requests.exceptions
except ImportError as _import_error:  # pragma: no cover - sanity's import test runs without requests
    requests = None
    REQUESTS_IMPORT_ERROR = _import_error
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = requests is not None

DEFAULT_TOKEN_CACHE = "~/.ansible/glpi_tokens"
MASK = "********"
BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0
TOKEN_MARGIN = 60  # seconds: a cached token this close to its end is renewed first
DEFAULTS = {
    "compression": "zlib",
    "contact": False,
    "validate_certs": True,
    "timeout": 30,
    "retries": 3,
    "retry_max_wait": 60,
}


# ---------------------------------------------------------------------------
# secrets


def secret_forms(secrets, basic=()):
    """Every form of ``secrets`` that can show up in text, longest first.

    Raw, percent-encoded (``quote``/``quote_plus``), JSON-escaped, and for each
    ``(username, password)`` pair of ``basic`` the base64 of ``username:password``
    (the HTTP Basic header).
    """
    forms = set()
    for secret in secrets or ():
        if not isinstance(secret, str) or not secret:
            continue
        forms.update((
            secret,
            urllib.parse.quote(secret, safe=""),
            urllib.parse.quote(secret),
            urllib.parse.quote_plus(secret),
            json.dumps(secret, ensure_ascii=True)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
        ))
    for username, password in basic or ():
        if password:
            forms.add(basic_token(username or "", password))
    forms.discard("")
    return sorted(forms, key=len, reverse=True)


def mask_secrets(obj, secrets, basic=()):
    """A copy of ``obj`` (str, bytes, dict, list, tuple, exception) with every form of the secrets replaced by ``********``."""
    forms = secret_forms(secrets, basic)
    return _mask(obj, forms) if forms else obj


def _mask(obj, forms):
    if isinstance(obj, str):
        for form in forms:
            if form in obj:
                obj = obj.replace(form, MASK)
        return obj
    if isinstance(obj, bytes):
        for form in forms:
            encoded = form.encode("utf-8")
            if encoded in obj:
                obj = obj.replace(encoded, MASK.encode("ascii"))
        return obj
    if isinstance(obj, dict):
        return {_mask(key, forms): _mask(value, forms) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_mask(item, forms) for item in obj]
    if isinstance(obj, tuple):
        return tuple(_mask(item, forms) for item in obj)
    if isinstance(obj, BaseException):
        return _mask(str(obj), forms)
    return obj


# ---------------------------------------------------------------------------
# errors


class GLPIError(Exception):
    """A request GLPI did not accept; the message is already masked.

    ``unreachable``: every attempt failed for network reasons, time-outs, 429 or
    a 5xx not from GLPI's inventory: spool the document and try later.
    ``auth_failed``: GLPI (or a proxy) refused the credentials.
    """

    def __init__(self, message, server=None, status=None, unreachable=False, auth_failed=False, attempts=0, answer=None):
        super().__init__(message)
        self.message = message
        self.server = server
        self.status = status
        self.unreachable = unreachable
        self.auth_failed = auth_failed
        self.attempts = attempts
        self.answer = answer

    def as_dict(self):
        return {
            "server": self.server,
            "message": self.message,
            "http_status": self.status,
            "unreachable": self.unreachable,
            "auth_failed": self.auth_failed,
            "attempts": self.attempts,
        }


class GLPIConfigError(GLPIError):
    """The options cannot work (bad URL, half of a credential pair, requests missing)."""


# ---------------------------------------------------------------------------
# transport settings


_SESSIONS = {}


def worker_session():
    """This process's ``requests.Session`` (one per forked worker, reused for keep-alive)."""
    pid = os.getpid()
    session = _SESSIONS.get(pid)
    if session is None:
        _SESSIONS.clear()  # sessions inherited from the parent must not be shared
        session = _SESSIONS[pid] = requests.Session()
    return session


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


def describe_exception(exc, url):
    """A short, secret-free sentence for a ``requests`` exception."""
    where = display_url(url)
    if requests is not None and isinstance(exc, requests.exceptions.SSLError):
        return "TLS error with %s: %s" % (where, _innermost(exc))
    if requests is not None and isinstance(exc, requests.exceptions.ProxyError):
        return "cannot reach %s through the proxy: %s" % (where, _innermost(exc))
    if requests is not None and isinstance(exc, requests.exceptions.Timeout):
        return "no answer from %s in time (%s)" % (where, type(exc).__name__)
    if requests is not None and isinstance(exc, requests.exceptions.ConnectionError):
        return "cannot connect to %s: %s" % (where, _innermost(exc))
    return "request to %s failed: %s" % (where, _innermost(exc))


def _innermost(exc):
    text = str(exc)
    found = re.findall(r"\[(?:Errno|SSL: [A-Z_]+)[^\]]*\][^'\"\)]*", text)
    if found:
        return found[-1].strip()
    for pattern in (r"Failed to resolve '[^']*'", r"certificate verify failed[^'\")]*", r"Connection aborted", r"RemoteDisconnected\([^)]*\)"):
        match = re.search(pattern, text)
        if match:
            return match.group(0)
    text = re.sub(r"\s+", " ", text).strip()
    return (text[:300] + "...") if len(text) > 300 else (text or type(exc).__name__)


_PERSISTENT_TLS_ERROR = re.compile(r"certificate|WRONG_VERSION_NUMBER|hostname|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS|HANDSHAKE_FAILURE", re.I)


# ---------------------------------------------------------------------------
# OAuth2 token cache


class TokenCache:
    """Access tokens shared by the forked workers of a run, in files of mode 0600.

    One file per (token URL, client id) in ``directory`` (mode 0700), guarded by
    an ``flock`` on a lock file beside it: the first worker that needs a token
    fetches it while the others wait, then they all read it.
    """

    def __init__(self, directory=DEFAULT_TOKEN_CACHE, clock=time.time):
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self._clock = clock

    def _paths(self, key):
        digest = hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:32]
        base = os.path.join(self.directory, "token-" + digest)
        return base + ".json", base + ".lock"

    def _locked(self, key):
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            if os.stat(self.directory).st_mode & 0o077:
                os.chmod(self.directory, 0o700)
        except OSError as exc:
            raise GLPIConfigError("cannot use the token cache directory %s: %s" % (self.directory, exc.strerror or exc)) from None
        path, lock_path = self._paths(key)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return path, fd

    @staticmethod
    def _unlock(fd):
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _read(self, path):
        try:
            with open(path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        expires_at = data.get("expires_at")
        if not isinstance(expires_at, (int, float)) or expires_at - TOKEN_MARGIN <= self._clock():
            return None
        return data["access_token"]

    def get(self, key, fetch):
        """The cached token for ``key`` (a tuple of str), or ``fetch()`` -> ``(token, expires_in)`` stored."""
        path, fd = self._locked(key)
        try:
            token = self._read(path)
            if token:
                return token
            token, expires_in = fetch()
            data = json.dumps({"access_token": token, "expires_at": self._clock() + expires_in}).encode("utf-8")
            write_atomic(path, data)
            return token
        finally:
            self._unlock(fd)

    def invalidate(self, key, token):
        """Forget ``token`` (GLPI refused it), unless another worker already replaced it."""
        path, fd = self._locked(key)
        try:
            with open(path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
            if isinstance(data, dict) and data.get("access_token") == token:
                os.unlink(path)
        except (OSError, ValueError):
            pass
        finally:
            self._unlock(fd)


# ---------------------------------------------------------------------------
# the client


@dataclasses.dataclass
class _Retry:
    """One failed attempt worth repeating."""

    message: str
    retry_after: float | None = None


class GLPIClient:
    """Talks to the GLPI servers of ``options`` (the validated ``glpi_server_argument_spec`` options).

    ``session``: a ``requests.Session`` (default: this worker's own).  ``sleep``,
    ``clock`` (monotonic) and ``jitter`` (returns 0..1) drive the retries;
    ``token_cache`` defaults to a ``TokenCache`` in ``~/.ansible/glpi_tokens``.
    """

    def __init__(self, options, session=None, sleep=time.sleep, clock=time.monotonic, jitter=random.random,
                 token_cache=None, ansible_version=None):
        options = dict(DEFAULTS, **{key: value for key, value in dict(options).items() if value is not None})
        self.options = options
        self._secrets = [options.get("password"), options.get("client_secret")] + _proxy_secrets(options.get("proxy"))
        self._basic = [(options["username"], options["password"])] if options.get("username") and options.get("password") else []
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
            raise GLPIConfigError(self.mask(str(exc))) from None
        for first, second in (("username", "password"), ("password", "username"), ("client_id", "client_secret"), ("client_secret", "client_id")):
            if options.get(first) and not options.get(second):
                raise GLPIConfigError("%s is set but %s is not: both are needed" % (first, second))
        if options.get("username") and options.get("client_id"):
            raise GLPIConfigError("username and client_id are mutually exclusive: use HTTP Basic or OAuth2, not both")
        if options.get("compression") not in ("zlib", "none"):
            raise GLPIConfigError("compression must be zlib or none")
        self._session = session
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._ansible_version = ansible_version
        self._oauth = bool(options.get("client_id"))
        self._tokens = token_cache if token_cache is not None else (TokenCache() if self._oauth else None)
        self._settings = request_settings(options)

    # -- secrets ---------------------------------------------------------
    def mask(self, obj):
        """``obj`` with every secret this client knows (options and tokens) masked."""
        return mask_secrets(obj, self._secrets, self._basic)

    @property
    def session(self):
        if self._session is None:
            self._session = worker_session()
        return self._session

    # -- public API ------------------------------------------------------
    def contact(self, server, deviceid, tag=None):
        """Send GLPI Agent's ``contact`` for ``deviceid``; the ``Answer`` (``expiration``, ``disabled``)."""
        body, content_type = encode_body(contact_request(deviceid, tag), self.options["compression"])
        return self._post(server, body, request_headers(deviceid, content_type, self._ansible_version))

    def submit(self, server, document, deviceid=None):
        """Send an inventory ``document`` (dict, or JSON text) to ``server``; the ``Answer`` when GLPI accepted it."""
        if deviceid is None and isinstance(document, dict):
            deviceid = document.get("deviceid")
        body, content_type = encode_body(document, self.options["compression"])
        return self._post(server, body, request_headers(deviceid or "", content_type, self._ansible_version))

    # -- retries ---------------------------------------------------------
    def _with_retries(self, server, attempt):
        """Run ``attempt()`` until it returns a value (not ``_Retry``), within the retry budget."""
        retries = max(0, int(self.options["retries"]))
        budget = max(0.0, float(self.options["retry_max_wait"]))
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
            elapsed = self._clock() - started
            if attempts > retries or elapsed >= budget:
                raise GLPIError(
                    self.mask("%s (gave up after %d attempt%s)" % (outcome.message, attempts, "" if attempts == 1 else "s")),
                    server=display_url(server), unreachable=True, attempts=attempts,
                )
            delay = self.backoff(attempts, outcome.retry_after)
            self._sleep(min(delay, budget - elapsed))

    def backoff(self, attempt, retry_after=None):
        """Seconds to wait after failed attempt number ``attempt`` (1-based): exponential, half of it random."""
        ceiling = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (attempt - 1)))
        delay = ceiling / 2 + ceiling / 2 * self._jitter()
        if retry_after is not None:
            delay = max(delay, min(float(retry_after), BACKOFF_MAX * 4))
        return delay

    def _send(self, method, url, **kwargs):
        """One HTTP exchange; ``requests`` exceptions become ``_Retry`` or ``GLPIError``."""
        settings = dict(self._settings)
        settings.update(kwargs)
        try:
            with warnings.catch_warnings():
                if settings.get("verify") is False:
                    # validate_certs=false was asked for: do not warn on every request of every host.
                    warnings.filterwarnings("ignore", message="Unverified HTTPS request")
                return self.session.request(method, url, allow_redirects=False, **settings)
        except requests.exceptions.SSLError as exc:
            message = self.mask(describe_exception(exc, url))
            if _PERSISTENT_TLS_ERROR.search(str(exc)):
                # Certificate refused, or http spoken to https: sending again cannot help.
                raise GLPIError(message, server=display_url(url)) from None
            return _Retry(message)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            return _Retry(self.mask(describe_exception(exc, url)))
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            raise GLPIConfigError(self.mask(describe_exception(exc, url)), server=display_url(url)) from None

    def _post(self, server, body, headers):
        try:
            url = server if server in self.servers else inventory_url(server)
        except GLPIURLError as exc:
            raise GLPIConfigError(self.mask(str(exc))) from None
        basic = tuple(value.encode("utf-8") for value in self._basic[0]) if self._basic else None

        def attempt():
            refreshed = False
            while True:
                auth_headers = dict(headers)
                token = None
                if self._oauth:
                    token = self._token(url)
                    auth_headers["Authorization"] = "Bearer " + token
                response = self._send("POST", url, data=body, headers=auth_headers, auth=basic)
                if isinstance(response, _Retry):
                    return response
                if response.status_code == 401 and self._oauth and not refreshed:
                    # An expired or revoked token: forget it and try once more with a new one.
                    refreshed = True
                    self._tokens.invalidate(self._token_key(url), token)
                    continue
                return self._answer(url, response)

        answer, _attempts = self._with_retries(url, attempt)
        return dataclasses.replace(answer, data=self.mask(answer.data), message=self.mask(answer.message))

    def _answer(self, url, response):
        answer = parse_answer(response.status_code, response.headers.get("Content-Type"), response.content, response.headers.get("Retry-After"))
        if answer.accepted:
            return answer
        if 300 <= response.status_code < 400:
            location = response.headers.get("Location")
            raise GLPIError(
                self.mask("GLPI answered HTTP %d, a redirection to %s: set server to the final URL of the inventory endpoint"
                          % (response.status_code, display_url(urllib.parse.urljoin(url, location)) if location else "an unknown place")),
                server=display_url(url), status=response.status_code,
            )
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
        raise GLPIError(self.mask(message), server=display_url(url), status=answer.status, auth_failed=answer.auth_failed, answer=answer)

    # -- OAuth2 ----------------------------------------------------------
    def _token_key(self, url):
        return (token_url(url), self.options["client_id"])

    def _token(self, url):
        key = self._token_key(url)
        try:
            token = self._tokens.get(key, lambda: self._fetch_token(key[0]))
        except OSError as exc:
            raise GLPIConfigError(self.mask("cannot use the token cache in %s: %s" % (self._tokens.directory, exc.strerror or exc))) from None
        if token not in self._secrets:
            self._secrets.append(token)
        return token

    def _fetch_token(self, url):
        payload = json.dumps({
            "grant_type": "client_credentials",
            "client_id": self.options["client_id"],
            "client_secret": self.options["client_secret"],
            "scope": "inventory",
        }).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": request_headers("", "")["User-Agent"]}

        def attempt():
            response = self._send("POST", url, data=payload, headers=headers)
            if isinstance(response, _Retry):
                return response
            try:
                data = response.json()
            except ValueError:
                data = None
            if response.status_code == 200 and isinstance(data, dict) and isinstance(data.get("access_token"), str) and data["access_token"]:
                self._secrets.append(data["access_token"])
                expires_in = data.get("expires_in")
                if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
                    expires_in = 300
                return data["access_token"], float(expires_in)
            answer = parse_answer(response.status_code, response.headers.get("Content-Type"), response.content, response.headers.get("Retry-After"))
            message = None
            if isinstance(data, dict):
                message = data.get("error_description") or data.get("message") or data.get("error")
            text = "GLPI refused the OAuth2 client credentials at %s (HTTP %d)%s" % (
                display_url(url), response.status_code, (": %s" % message) if isinstance(message, str) and message else "")
            if answer.retryable:
                return _Retry(self.mask(text), answer.retry_after)
            raise GLPIError(self.mask(text), server=display_url(url), status=response.status_code, auth_failed=response.status_code in (400, 401, 403))

        value, _attempts = self._with_retries(url, attempt)
        return value


# ---------------------------------------------------------------------------
# one host's delivery


def deliver(client, spool, document, deviceid=None, tag=None, contact=None):
    """Deliver ``document`` to every server of ``client``; a result dict, secrets masked.

    For each server: the ``contact`` request first when asked (no inventory when
    GLPI says the inventory task is disabled); then the spooled documents for
    that server, oldest first; then ``document``.  When GLPI cannot be reached
    the document goes to ``spool`` (a ``_spool.Spool``) and the server's status is
    ``spooled``.  Result::

        {"status": "sent" | "not_due" | "disabled" | "spooled" | "failed" (the worst of the servers),
         "failed": bool, "spooled": bool, "msg": str,
         "servers": [{"server", "status", "message", "http_status", "attempts",
                      "expiration", "disabled", "spool": {"sent", "rejected", "remaining"}}]}
    """
    if deviceid is None and isinstance(document, dict):
        deviceid = document.get("deviceid")
    if contact is None:
        contact = bool(client.options.get("contact"))
    results = [_deliver_one(client, spool, server, document, deviceid, tag, contact) for server in client.servers]
    order = ("sent", "not_due", "disabled", "spooled", "failed")
    status = max((entry["status"] for entry in results), key=order.index)
    msg = "; ".join("%s: %s%s" % (entry["server"], entry["status"], (" (%s)" % entry["message"]) if entry.get("message") else "") for entry in results)
    return client.mask({
        "status": status,
        "failed": any(entry["status"] == "failed" for entry in results),
        "spooled": any(entry["status"] == "spooled" for entry in results),
        "msg": msg,
        "servers": results,
    })


def _spool_it(spool, server, document, deviceid, entry, reason):
    try:
        entry["spooled_as"] = spool.put(document, server, deviceid)
    except _spool.SpoolError as exc:
        entry.update(status="failed", message="%s; and the document could not be spooled: %s" % (reason, exc))
        return entry
    entry.update(status="spooled", message="%s; the document is kept in the spool and sent on the next run" % reason)
    return entry


def _deliver_one(client, spool, server, document, deviceid, tag, contact):
    entry = {"server": display_url(server), "status": "failed", "message": None}
    if contact:
        try:
            answer = client.contact(server, deviceid, tag)
        except GLPIError as exc:
            entry.update(http_status=exc.status, attempts=exc.attempts)
            if exc.unreachable:
                return _spool_it(spool, server, document, deviceid, entry, exc.message)
            entry["message"] = "contact refused: %s" % exc.message
            return entry
        entry.update(expiration=answer.expiration, disabled=list(answer.disabled))
        if answer.message:
            entry["contact_message"] = answer.message
        if "inventory" in answer.disabled:
            entry.update(status="disabled", message=answer.message or "GLPI disabled the inventory task for this agent")
            return entry
        # GLPI's expiration is the inventory frequency in hours: as GLPI Agent, send no new inventory before it is due.
        last = spool.last_accepted(server, deviceid)
        if answer.expiration and last is not None and spool.now() < last + answer.expiration * 3600:
            due = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(last + answer.expiration * 3600))
            entry.update(status="not_due", next_inventory=due,
                         message="GLPI expects the next inventory of %s after %s (every %s h)" % (deviceid, due, answer.expiration))
            return entry

    last_error = {}

    def send_spooled(spooled):
        try:
            client.submit(server, spooled.document, deviceid=spooled.deviceid)
        except GLPIError as exc:
            last_error["error"] = exc
            if exc.unreachable or exc.auth_failed:
                return _spool.UNREACHABLE
            return _spool.REJECTED, exc.message
        return _spool.SENT

    try:
        report = spool.drain(send_spooled, server=server)
    except _spool.SpoolError as exc:
        entry["spool_error"] = str(exc)
        report = None
    if report is not None:
        entry["spool"] = {"sent": len(report.sent), "rejected": len(report.rejected), "remaining": report.remaining}
        error = last_error.get("error")
        if report.unreachable and error is not None and error.unreachable:
            entry.update(http_status=error.status, attempts=error.attempts)
            return _spool_it(spool, server, document, deviceid, entry, error.message)
    try:
        answer = client.submit(server, document, deviceid=deviceid)
    except GLPIError as exc:
        entry.update(http_status=exc.status, attempts=exc.attempts)
        if exc.unreachable:
            return _spool_it(spool, server, document, deviceid, entry, exc.message)
        entry["message"] = exc.message
        return entry
    entry.update(status="sent", http_status=answer.status)
    if contact:
        spool.note_accepted(server, deviceid)
    if answer.expiration is not None:
        entry["expiration"] = answer.expiration
    if answer.message:
        entry["message"] = answer.message
    return entry


# ---------------------------------------------------------------------------
# what the action plugins share


def server_options(params):
    """The GLPI server options out of a task's validated parameters."""
    return {name: params.get(name) for name in glpi_server_argument_spec()}


def client_for_task(params, ansible_version=None):
    """A ``GLPIClient`` for a task whose parameters name a server, else ``None``; raises ``GLPIConfigError``."""
    options = server_options(params)
    if not options.get("server"):
        return None
    return GLPIClient(options, ansible_version=ansible_version)


def planned_delivery(client):
    """What ``deliver`` would do, for check mode: nothing is sent, nothing is spooled."""
    servers = [{"server": display_url(server), "status": "not sent (check mode)"} for server in client.servers]
    return {"status": "check_mode", "failed": False, "spooled": False,
            "msg": "check mode: the document would be sent to %s" % ", ".join(entry["server"] for entry in servers),
            "servers": servers}
