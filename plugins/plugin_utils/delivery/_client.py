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

``deliver(client, spool, document)`` is the whole delivery of one host's
document: optional contact, re-sending the spool, sending, spooling when not
delivered; it returns a result dict (mask it with ``client.mask`` before showing).

Secrets (password, client secret, access tokens, the Basic header) never appear
in what this module raises: every message goes through the collection's one
masking function, ``module_utils._secrets.mask``, before it is cut.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import random
import socket
import threading
import time
import urllib.parse
import warnings

from ansible_collections.glpiops.glpi.plugins.module_utils._files import file_lock, write_atomic
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import (
    DEFAULT_TOKEN_CACHE_PATH,
    glpi_server_argument_spec,
    server_option_problems,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask, secret_forms
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _spool
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

try:
    import requests
    import requests.adapters
    import requests.exceptions
except ImportError as _import_error:  # pragma: no cover - sanity's import test runs without requests
    requests = None
    REQUESTS_IMPORT_ERROR = _import_error
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = requests is not None

DEFAULT_TOKEN_CACHE = DEFAULT_TOKEN_CACHE_PATH
BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0
TOKEN_MARGIN = 60  # seconds: a cached token this close to its end is renewed first
DEFAULTS = {
    "compression": "zlib",
    "contact": False,
    "validate_certs": True,
    "timeout": 30,
    "import_timeout": 120,
    "delivery_deadline": 600,
    "max_concurrent_deliveries": 4,
    "token_cache_path": DEFAULT_TOKEN_CACHE,
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

# Delivery statuses of one server, from the best to the worst.
STATUSES = ("sent", "not_due", "disabled", "unconfirmed", "spooled", "failed")


# ---------------------------------------------------------------------------
# errors


class GLPIError(Exception):
    """A request GLPI did not accept; the message is already masked.  ``kind``: see the module's docstring."""

    def __init__(self, message, server=None, status=None, kind=SERVER, attempts=0, answer=None):
        super().__init__(message)
        self.message = message
        self.server = server
        self.status = status
        self.kind = kind
        self.attempts = attempts
        self.answer = answer

    @property
    def unreachable(self):
        """Nothing reached GLPI: keep the document and try on the next run."""
        return self.kind == UNREACHABLE

    @property
    def auth_failed(self):
        return self.kind == AUTH

    def as_dict(self):
        return {
            "server": self.server,
            "message": self.message,
            "http_status": self.status,
            "kind": self.kind,
            "attempts": self.attempts,
        }


class GLPIConfigError(GLPIError):
    """The options cannot work (bad URL, half of a credential pair, requests missing)."""

    def __init__(self, message, server=None):
        super().__init__(message, server=server, kind=CONFIG)


# ---------------------------------------------------------------------------
# transport settings


_SESSIONS = {}
# Thread id -> the connection that thread is waiting on for the head of an answer (see _watched_pools).
_WAITING = {}


def _watched_pools():
    """urllib3 pool classes whose connections say, while they wait for an answer's head, which thread waits.

    A server can send the head of its answer one byte at a time, each byte within the read time-out: only closing
    the socket stops that.  ``_send`` arms a timer for the delivery deadline that shuts down the connection its
    thread waits on.
    """
    from urllib3.connection import HTTPConnection, HTTPSConnection  # pylint: disable=import-outside-toplevel
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool  # pylint: disable=import-outside-toplevel

    class Watched(object):
        def getresponse(self, *args, **kwargs):
            _WAITING[threading.get_ident()] = self
            try:
                return super(Watched, self).getresponse(*args, **kwargs)
            finally:
                _WAITING.pop(threading.get_ident(), None)

    class WatchedHTTPConnection(Watched, HTTPConnection):
        pass

    class WatchedHTTPSConnection(Watched, HTTPSConnection):
        pass

    class WatchedHTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTPConnection

    class WatchedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPSConnection

    return {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


def _cut(thread_id, fired):
    """The delivery deadline passed: shut down the connection ``thread_id`` waits on, if it waits."""
    fired.set()
    connection = _WAITING.get(thread_id)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def worker_session():
    """This process's ``requests.Session`` (one per forked worker, reused for keep-alive), its direct connections
    watched so that the delivery deadline can cut an answer whose head drips in (not through a proxy)."""
    pid = os.getpid()
    session = _SESSIONS.get(pid)
    if session is None:
        _SESSIONS.clear()  # sessions inherited from the parent must not be shared
        session = _SESSIONS[pid] = requests.Session()
        pools = _watched_pools()
        for prefix in ("http://", "https://"):
            adapter = requests.adapters.HTTPAdapter()
            adapter.poolmanager.pool_classes_by_scheme = dict(pools)
            session.mount(prefix, adapter)
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


def _exception_chain(exc, depth=8):
    """``exc`` and the exceptions it wraps (``args``, urllib3's ``reason``, causes), breadth first, bounded."""
    seen, queue, chain = set(), [exc], []
    while queue and len(chain) < depth * 4:
        current = queue.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        chain.append(current)
        queue.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        queue.extend(item for item in (getattr(current, "reason", None), current.__cause__, current.__context__)
                     if isinstance(item, BaseException))
    return chain


def network_failure(exc):
    """What a ``requests`` exception means: ``refused``, ``unresolved``, ``connect_timeout``, ``read_timeout``,
    ``aborted`` (the connection broke once the request was under way), ``tls``, ``proxy`` or ``other``."""
    if requests is not None:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return "connect_timeout"
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return "read_timeout"
        if isinstance(exc, requests.exceptions.SSLError):
            return "tls"
    chain = _exception_chain(exc)
    names = {type(item).__name__ for item in chain}
    for item in chain:
        if isinstance(item, socket.gaierror) or type(item).__name__ == "NameResolutionError":
            return "unresolved"
        if isinstance(item, ConnectionRefusedError) or getattr(item, "errno", None) == errno.ECONNREFUSED:
            return "refused"
    if requests is not None and isinstance(exc, requests.exceptions.ProxyError):
        return "proxy"
    if names & {"NewConnectionError", "ConnectTimeoutError"}:
        return "refused" if "NewConnectionError" in names else "connect_timeout"
    if names & {"ProtocolError", "RemoteDisconnected", "ConnectionResetError", "BrokenPipeError", "IncompleteRead",
                "ChunkedEncodingError"}:
        return "aborted"
    if requests is not None and isinstance(exc, requests.exceptions.Timeout):
        return "read_timeout"
    return "other"


def _innermost(exc):
    """The most telling words of a ``requests`` exception: the innermost OS or TLS error, one line."""
    for item in reversed(_exception_chain(exc)):
        if isinstance(item, OSError) and (item.strerror or getattr(item, "reason", None)):
            text = item.strerror or str(item.reason)
            return "[Errno %s] %s" % (item.errno, text) if item.errno else text
    text = " ".join(str(exc).split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(exc).__name__)


_FAILURE_WORDS = {
    "refused": "%s refused the connection",
    "unresolved": "the host name of %s does not resolve",
    "connect_timeout": "no connection to %s in time",
    "read_timeout": "no answer from %s in time",
    "aborted": "the connection to %s broke before GLPI answered",
    "proxy": "cannot reach %s through the proxy",
    "tls": "TLS error with %s",
    "other": "request to %s failed",
}


def describe_exception(exc, url, failure=None):
    """A short, secret-free sentence for a ``requests`` exception."""
    failure = failure or network_failure(exc)
    words = _FAILURE_WORDS[failure] % display_url(url)
    if failure in ("read_timeout", "connect_timeout"):
        return "%s (%s)" % (words, type(exc).__name__)
    return "%s: %s" % (words, _innermost(exc))


# TLS failures that sending again cannot cure: a refused certificate, http spoken to https.
_PERSISTENT_TLS_WORDS = ("certificate", "wrong_version_number", "hostname", "unsupported_protocol", "no_protocols",
                         "handshake_failure")


# ---------------------------------------------------------------------------
# OAuth2 token cache


def secret_fingerprint(secret, context):
    """A slow, salted fingerprint of ``secret`` (PBKDF2-SHA256), to tell secrets apart without storing them."""
    salt = b"glpiops.glpi token cache\0" + context.encode("utf-8")
    return hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, 100000).hex()[:32]


class TokenCache:
    """Access tokens shared by the forked workers of a run, in files of mode 0600.

    One file per (token URL, client id, fingerprint of the client secret) in ``directory`` (mode 0700), guarded by
    an ``flock`` on a lock file beside it: the first worker that needs a token fetches it while the others wait,
    then they all read it.  A changed secret is another key: a token got with the old secret is never used for it.
    """

    def __init__(self, directory=DEFAULT_TOKEN_CACHE, clock=time.time):
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self._clock = clock

    def _paths(self, key):
        digest = hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:32]
        base = os.path.join(self.directory, "token-" + digest)
        return base + ".json", base + ".lock"

    @contextlib.contextmanager
    def _locked(self, key):
        """Hold the key's lock for a ``with`` block, which gets the token file's path; raises ``OSError`` when the
        directory cannot be used."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        if os.stat(self.directory).st_mode & 0o077:
            os.chmod(self.directory, 0o700)
        path, lock_path = self._paths(key)
        with file_lock(lock_path):
            yield path

    def _read(self, path):
        try:
            with open(path, "r", encoding="utf-8") as handle:
                data = json.loads(handle.read(65536))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        expires_at = data.get("expires_at")
        if not isinstance(expires_at, (int, float)) or expires_at - TOKEN_MARGIN <= self._clock():
            return None
        return data["access_token"]

    def get(self, key, fetch):
        """The cached token for ``key`` (a tuple of str), or ``fetch()`` -> ``(token, expires_in)`` stored.

        Raises ``OSError`` when the cache cannot be used (the caller then fetches without it).
        """
        with self._locked(key) as path:
            token = self._read(path)
            if token:
                return token
            token, expires_in = fetch()
            data = json.dumps({"access_token": token, "expires_at": self._clock() + expires_in}).encode("utf-8")
            write_atomic(path, data)
            return token

    def invalidate(self, key, token):
        """Forget ``token`` (GLPI refused it), unless another worker already replaced it."""
        with contextlib.ExitStack() as stack:
            try:
                path = stack.enter_context(self._locked(key))
            except OSError:
                return
            try:
                with open(path, "r", encoding="utf-8") as handle:
                    data = json.loads(handle.read(65536))
                if isinstance(data, dict) and data.get("access_token") == token:
                    os.unlink(path)
            except (OSError, ValueError, RecursionError):
                pass


# ---------------------------------------------------------------------------
# the client


@dataclasses.dataclass
class _Retry:
    """One failed attempt worth repeating."""

    message: str
    retry_after: float | None = None


class _Dripped(Exception):
    """The answer was still coming in when the delivery deadline passed."""


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
            timer = threading.Timer(remaining, _cut, (threading.get_ident(), fired))
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
        except _Dripped:
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
        raw = response.raw
        if not hasattr(raw, "read1"):  # urllib3 older than 2.3: the socket time-out still bounds each read
            return raw.read(ANSWER_MAX + 1, decode_content=False) or b""
        chunks, size = [], 0
        while size <= ANSWER_MAX:
            remaining = self.remaining()
            if remaining is not None and remaining <= 0:
                raise _Dripped()
            chunk = raw.read1(min(65536, ANSWER_MAX + 1 - size), decode_content=False)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

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


# ---------------------------------------------------------------------------
# one host's delivery


def deliver(client, spool, document, deviceid=None, tag=None, contact=None):
    """Deliver ``document`` to every server of ``client``; a result dict (not masked yet: ``client.mask`` it).

    For each server: the ``contact`` request first when asked (no inventory when GLPI says the inventory task is
    disabled, or before it is due); then the spooled documents for that server, oldest first, except the older ones of
    this device, which ``document`` replaces; then ``document``.  A document that could not be delivered goes to
    ``spool`` (a ``_spool.Spool``), replacing the older one of its device.  Result::

        {"status": one of STATUSES (the worst of the servers),
         "delivered": bool (every server accepted it), "spooled": path or None (the first server's spool file),
         "failed": bool, "msg": str, "warnings": [str],
         "servers": [{"server", "status", "delivered", "spooled", "replaced", "message", "http_status", "attempts",
                      "expiration", "disabled", "spool": {"sent", "rejected": [{"name", "reason"}], "remaining"}}]}
    """
    if deviceid is None and isinstance(document, dict):
        deviceid = document.get("deviceid")
    if contact is None:
        contact = bool(client.options.get("contact"))
    results = [_deliver_one(client, spool, server, document, deviceid, tag, contact) for server in client.servers]
    status = max((entry["status"] for entry in results), key=STATUSES.index)
    msg = "; ".join("%s: %s%s" % (entry["server"], entry["status"], (" (%s)" % entry["message"]) if entry.get("message") else "") for entry in results)
    warnings_ = list(client.warnings)
    for entry in results:
        for rejected in (entry.get("spool") or {}).get("rejected") or ():
            warnings_.append("a spooled document for %s was moved to %s: %s"
                             % (entry["server"], os.path.join(spool.path, _spool.REJECTED_DIR, rejected["name"]), rejected["reason"]))
        if entry.get("spool_error"):
            warnings_.append("spool %s: %s" % (spool.path, entry["spool_error"]))
    return {
        "status": status,
        "delivered": all(entry["delivered"] for entry in results),
        "spooled": next((entry["spooled"] for entry in results if entry["spooled"]), None),
        "failed": any(entry["status"] == "failed" for entry in results),
        "msg": msg,
        "warnings": warnings_,
        "servers": results,
    }


def _keep(spool, server, document, deviceid, entry, error):
    """Keep a document that was not delivered in the spool; ``entry`` says so (or why it could not be kept)."""
    unconfirmed = error.kind == UNCONFIRMED
    entry.update(http_status=error.status, attempts=error.attempts)
    try:
        kept = spool.put(document, server, deviceid, unconfirmed=unconfirmed, reason=error.message)
    except _spool.SpoolError as exc:
        entry.update(status="failed", message="%s; and the document could not be kept in the spool: %s" % (error.message, exc))
        return entry
    entry.update(status=UNCONFIRMED if unconfirmed else "spooled", spooled=kept.path, replaced=list(kept.replaced),
                 message="%s; the document is kept in the spool and sent again by the next run%s"
                 % (error.message, " (it replaces %d older one%s of this device)" % (len(kept.replaced), "" if len(kept.replaced) == 1 else "s")
                    if kept.replaced else ""))
    return entry


def _contact(client, spool, server, deviceid, tag, entry):
    """GLPI Agent's contact; ``None`` to go on with the inventory, else the error or GLPI's decision not to take it."""
    try:
        answer = client.contact(server, deviceid, tag)
    except GLPIError as exc:
        return exc
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
    return None


def _replay(client, spool, server, deviceid, entry):
    """Send the spooled documents of ``server`` (not those of ``deviceid``); the error that stopped it, if any."""
    stopped = {}

    def send_spooled(spooled):
        with spool.device_lock(server, spooled.deviceid, wait=0) as held:
            if not held:
                return _spool.SKIPPED  # that device's worker is sending it a newer one right now
            if spool.superseded(server, spooled.deviceid, spooled.created):
                return _spool.OBSOLETE  # GLPI has a newer inventory of that device: this one would overwrite it
            try:
                with _slot(client, spool, server, replay=True):
                    client.submit(server, spooled.document, deviceid=spooled.deviceid)
            except GLPIError as exc:
                if exc.kind == REFUSED:
                    # GLPI itself turned this document down: set it aside so that it does not block the others.
                    return _spool.REJECTED, exc.message
                # Anything about the server (down, busy, credentials, URL): stop, keep every document.
                stopped["error"] = exc
                return _spool.UNREACHABLE
            spool.note_accepted(server, spooled.deviceid, created=spooled.created)
        return _spool.SENT

    try:
        report = spool.drain(send_spooled, server=server, skip_deviceid=deviceid)
    except _spool.SpoolError as exc:
        entry["spool_error"] = str(exc)
        return None
    entry["spool"] = {"sent": len(report.sent), "remaining": report.remaining, "obsolete": len(report.obsolete),
                      "rejected": [{"name": name, "reason": report.reasons.get(name) or ""} for name in report.rejected]}
    return stopped.get("error")


@contextlib.contextmanager
def _slot(client, spool, server, replay=False):
    """One of ``max_concurrent_deliveries`` slots for an inventory to ``server``; raises ``GLPIError`` when none came
    free in time (the delivery deadline; for a spooled document, ``timeout``: the new one must keep time to go)."""
    wait = max(0.0, client.remaining() or 0.0)
    if replay:
        wait = min(wait, float(client.options["timeout"]))
    with spool.delivery_slot(server, client.options["max_concurrent_deliveries"], wait) as held:
        if not held:
            raise GLPIError("%d deliveries from this controller to %s were still under way after %.0f s (max_concurrent_deliveries)"
                            % (client.options["max_concurrent_deliveries"], display_url(server), wait),
                            server=display_url(server), kind=UNREACHABLE)
        yield


def _deliver_one(client, spool, server, document, deviceid, tag, contact):
    client.start_delivery()
    started = time.monotonic()
    entry = _deliver_one_timed(client, spool, server, document, deviceid, tag, contact)
    remaining = client.remaining()
    entry.update(elapsed=round(time.monotonic() - started, 1), deadline_reached=remaining is not None and remaining <= 0)
    return entry


def _deliver_one_timed(client, spool, server, document, deviceid, tag, contact):
    entry = {"server": display_url(server), "status": "failed", "delivered": False, "spooled": None, "message": None,
             "http_status": None, "attempts": 0}
    if contact:
        outcome = _contact(client, spool, server, deviceid, tag, entry)
        if isinstance(outcome, GLPIError):
            if outcome.kind == UNREACHABLE:
                return _keep(spool, server, document, deviceid, entry, outcome)
            entry.update(http_status=outcome.status, attempts=outcome.attempts, message="contact refused: %s" % outcome.message)
            return entry
        if outcome is not None:
            return outcome

    stopped = _replay(client, spool, server, deviceid, entry)
    if stopped is not None and stopped.kind in (UNREACHABLE, UNCONFIRMED):
        # GLPI is down or busy importing: this document waits in the spool too instead of adding to the load.
        error = GLPIError("not sent, as re-sending the spool found GLPI %s: %s" % (
            "unreachable" if stopped.kind == UNREACHABLE else "not answering", stopped.message),
            server=stopped.server, status=stopped.status, kind=UNREACHABLE, attempts=0)
        return _keep(spool, server, document, deviceid, entry, error)
    created = spool.now()
    # Holding the device's lock: no worker replays an older document of this device while this one is on its way.
    with spool.device_lock(server, deviceid, wait=max(0.0, client.remaining() or 0.0)):
        try:
            with _slot(client, spool, server):
                answer = client.submit(server, document, deviceid=deviceid)
        except GLPIError as exc:
            if exc.kind in (UNREACHABLE, UNCONFIRMED):
                return _keep(spool, server, document, deviceid, entry, exc)
            entry.update(http_status=exc.status, attempts=exc.attempts, message=exc.message)
            return entry
        spool.note_accepted(server, deviceid, created=created)
    entry.update(status="sent", delivered=True, http_status=answer.status, attempts=answer.attempts)
    try:
        obsolete = spool.of_device(server, deviceid) if deviceid is not None else []
        spool.discard(obsolete)
    except _spool.SpoolError as exc:
        entry["spool_error"] = str(exc)
        obsolete = []
    if obsolete:
        entry["replaced"] = obsolete
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


def undelivered_outcome(delivery, fail_on_undelivered=False):
    """``(failure, warning)`` for a ``deliver`` result: the message that fails the task, or the one that warns.

    GLPI's refusals and documents that could not even be kept fail; a document kept in the spool (``spooled``,
    ``unconfirmed``) warns, or fails with ``fail_on_undelivered``; ``not_due`` and ``disabled`` are GLPI's decisions.
    """
    if delivery["failed"]:
        return "GLPI did not accept the inventory: %s" % delivery["msg"], None
    kept = [entry for entry in delivery["servers"] if entry["status"] in ("spooled", UNCONFIRMED)]
    if not kept:
        return None, None
    unconfirmed = any(entry["status"] == UNCONFIRMED for entry in kept)
    text = "not delivered%s, kept in the spool to be sent by the next run that reaches GLPI: %s" % (
        " for sure (GLPI may have imported it)" if unconfirmed else "", delivery["msg"])
    if fail_on_undelivered:
        return "the inventory was %s (fail_on_undelivered)" % text, None
    return None, "the inventory was " + text


def planned_delivery(client):
    """What ``deliver`` would do, for check mode: nothing is sent, nothing is spooled."""
    servers = [{"server": display_url(server), "status": "check_mode", "delivered": False, "spooled": None}
               for server in client.servers]
    return {"status": "check_mode", "delivered": False, "spooled": None, "failed": False, "warnings": [],
            "msg": "check mode: the document would be sent to %s" % ", ".join(entry["server"] for entry in servers),
            "servers": servers}
