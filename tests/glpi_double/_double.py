# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for GLPI's native inventory endpoint, for tests (never shipped in plugins/).

It answers like GLPI 10.0.12 (recorded, tests/fixtures/reference/glpi/inventory-endpoint-transcript.txt)
or GLPI 11 (read in the source): same status codes, bodies, content types and compression rules,
the ``contact`` action, the legacy XML protocol, HTTP Basic and OAuth2 client-credentials auth,
plus fault modes a client must survive (slow answers, 500s, dropped connections, 429, redirects,
hung and dripping answers, compression bombs, slow serialised imports).
Every request and every accepted document is recorded. Pure stdlib, jsonschema optional.

In pytest::

    with GLPIDouble(glpi_version=10) as glpi:
        post(glpi.url, ...)
        assert glpi.accepted_documents()[0]["deviceid"] == ...

As a process: ``python -m tests.glpi_double.server --port 8080 --glpi-version 11``.
The implementation; import it from ``tests.glpi_double`` or ``tests.glpi_double.server``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import email.utils
import gzip
import http.server
import json
import os
import pathlib
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from urllib.parse import parse_qs, urlsplit

DEFAULT_FREQUENCY = 24  # AbstractRequest::DEFAULT_FREQUENCY, an int in error answers
GLPI_FULL_VERSIONS = {"10": "10.0.12", "11": "11.0.1"}
PHP_EXPIRES = "Thu, 19 Nov 1981 08:52:00 GMT"  # what PHP's session module sends
SESSION_COOKIE = "glpi_5b54c73bf441e2afa8ca5e0e9a09563c"
JSON_NOT_WELL_FORMED = "JSON not well formed!"
XML_NOT_WELL_FORMED = "XML not well formed!"
AUTH_HEADER_REQUIRED = "Authorization header required to send an inventory"
AUTH_BASIC_DENIED = "Access denied. Wrong login or password for basic authentication."
AUTH_SCOPE_DENIED = 'Access denied. Agent must authenticate using client credentials and have the "inventory" OAuth scope'
KNOWN_TASKS = ("inventory", "netdiscovery", "netinventory", "esx", "collect", "deploy", "wakeonlan", "remoteinventory")
# Content-Type (lower-cased, exact) -> compression, as AbstractRequest::handleContentType
COMPRESSIONS = {
    "application/x-zlib": "zlib", "application/x-compress-zlib": "zlib",
    "application/x-gzip": "gzip", "application/x-compress-gzip": "gzip",
    "application/x-deflate": "deflate", "application/x-compress-deflate": "deflate",
    "application/x-br": "br", "application/x-compress-br": "br",
}
COMPRESSED_CONTENT_TYPES = {"zlib": "application/x-compress-zlib", "gzip": "application/x-compress-gzip",
                            "deflate": "application/x-compress-deflate", "br": "application/x-br"}
# Request headers GLPI's Headers\Common declares, echoed back in the answer (response name, property)
ECHOED_HEADERS = (("Accept", "accept"), ("GLPI-Agent-ID", "glpi-agent-id"), ("GLPI-Request-ID", "glpi-request-id"),
                  ("GLPI-CryptoKey-ID", "glpi-cryptokey-id"), ("GLPI-Proxy-ID", "glpi-proxy-id"))
HTML = "text/html; charset=UTF-8"
XML_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'  # GLPI 10.0.12 answers, recorded 2026-12-04 (no newline after it)
BOMB_PREFIX = b'{"status":"ok","x":"'
BOMB_SUFFIX = b'"}'
_BOMB_CHUNK = 1 << 20
_bomb_cache = {}
_bomb_lock = threading.Lock()


def default_schema_dir():
    """Where the official schemas sit: $GLPI_DOUBLE_SCHEMA_DIR, else tests/fixtures/reference/glpi (in the repository)."""
    env = os.environ.get("GLPI_DOUBLE_SCHEMA_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "glpi"


def _php_json(value):
    """json_encode() as PHP writes it by default: compact, ``/`` escaped, non-ASCII as \\uXXXX."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def _compress(data, method):
    if method == "zlib":
        return zlib.compress(data)  # gzcompress(): RFC 1950
    if method == "gzip":
        return gzip.compress(data)
    if method == "deflate":
        return zlib.compress(data)[2:-4]  # gzdeflate(): raw RFC 1951
    return data


def _decompress(data, method):
    if method == "zlib":
        return zlib.decompress(data)
    if method == "gzip":
        return gzip.decompress(data)
    if method == "deflate":
        return zlib.decompress(data, -15)
    return data


def _adler32_repeat(value, byte, count):
    """adler32 continued over ``count`` times the byte ``byte``, without the bytes."""
    low, high = value & 0xFFFF, value >> 16
    high = (high + count * low + byte * (count * (count + 1) // 2)) % 65521
    low = (low + count * byte) % 65521
    return (high << 16) | low


def zlib_bomb(expanded_size):
    """A zlib stream (RFC 1950) inflating to ``expanded_size`` bytes ``{"status":"ok","x":"    ...    "}``.

    Built without the expanded data: one full-flushed deflate block of 1 MiB of spaces is compressed once and
    repeated (a full flush resets the history, so every copy is the same bytes), the adler32 is computed
    arithmetically. About 1 kB per MiB (2 GiB: 2 MB); cached per size.
    """
    expanded_size = int(expanded_size)
    if expanded_size < 0:
        raise ValueError("expanded_size must be >= 0")
    with _bomb_lock:
        cached = _bomb_cache.get(expanded_size)
        if cached is not None:
            return cached
        frame = len(BOMB_PREFIX) + len(BOMB_SUFFIX)
        if expanded_size <= 2 * _BOMB_CHUNK:
            plain = (BOMB_PREFIX + b" " * max(0, expanded_size - frame) + BOMB_SUFFIX)[:expanded_size]
            data = zlib.compress(plain, 9)
        else:
            spaces = expanded_size - frame
            blocks, rest = divmod(spaces, _BOMB_CHUNK)
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            parts = [b"\x78\xda", deflate.compress(BOMB_PREFIX) + deflate.flush(zlib.Z_FULL_FLUSH)]
            block = deflate.compress(b" " * _BOMB_CHUNK) + deflate.flush(zlib.Z_FULL_FLUSH)
            parts.extend([block] * blocks)
            parts.append(deflate.compress(b" " * rest) + deflate.compress(BOMB_SUFFIX) + deflate.flush())
            checksum = zlib.adler32(BOMB_SUFFIX, _adler32_repeat(zlib.adler32(BOMB_PREFIX), 0x20, spaces))
            parts.append(struct.pack(">I", checksum))
            data = b"".join(parts)
        _bomb_cache[expanded_size] = data
        return data


def _resume_text(message, version):
    """GLPI 10 cuts error messages with Html::resume_text(250); GLPI 11 with mb_substr(0, 250)."""
    if len(message) <= 250:
        return message
    return message[:250] + ("&nbsp;(...)" if version == "10" else "")


def _schema_path_text(path):
    parts = ["#"]
    for element in path:
        parts.append("items:%s" % element if isinstance(element, int) else "properties:%s" % element)
    return "->".join(parts)


def _violation(error):
    """One violation in the words of GLPI's validator (swaggest/json-schema): ``<message> at #->properties:...``."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in allowed]
        message = "Additional properties not allowed: %s" % ", ".join(extra)
    else:
        message = error.message
    return "%s at %s" % (message, _schema_path_text(error.absolute_path))


class Exchange:
    """One recorded request and what the double answered (``status`` None: connection dropped)."""

    def __init__(self, method, path, query, headers, raw_body, client):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers  # list of (name, value), as received
        self.raw_body = raw_body
        self.client = client
        self.time = time.time()
        self.body = None  # decompressed bytes, when the double got that far
        self.document = None  # parsed JSON document (dict) or XML text
        self.action = None
        self.status = None
        self.response_headers = []
        self.response_body = b""
        self.response_document = None  # decoded answer (dict for JSON, text for XML)
        self.fault = None
        self.accepted = False
        self.import_seconds = 0.0  # the import time the double gave it (set_import_time)
        self.import_span = None  # (start, end) of its import on time.monotonic(), when it had one
        self.delay = 0.0  # the delay the double waited before answering (set_delay)

    def header(self, name, default=None):
        """A request header, case-insensitively."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def response_header(self, name, default=None):
        lname = name.lower()
        for key, value in self.response_headers:
            if key.lower() == lname:
                return value
        return default

    def as_dict(self):
        return {"method": self.method, "path": self.path, "query": self.query, "headers": self.headers,
                "action": self.action, "status": self.status, "fault": self.fault, "accepted": self.accepted,
                "document": self.document, "response_headers": self.response_headers,
                "response_document": self.response_document, "time": self.time}

    def __repr__(self):
        return "<Exchange %s %s -> %s%s>" % (self.method, self.path, self.status, " (%s)" % self.fault if self.fault else "")


class _Answer:
    def __init__(self, status, body=b"", content_type=None, headers=None, compression=None, document=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or []
        self.compression = compression
        self.document = document
        self.hang = None  # seconds to keep the connection silent, then close it without an answer
        self.drip = None  # seconds between two bytes of the body


class _Fault:
    def __init__(self, kind, count, target, **params):
        self.kind = kind
        self.count = count
        self.target = target
        self.params = params


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # bursts of parallel clients must not wait for SYN retransmissions

    def __init__(self, address, handler, double):
        self.double = double
        self.ssl_context = None
        super().__init__(address, handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            # handshake in the handler thread, so a slow or plain-text client cannot stall accept()
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        # TLS handshake failures, clients hanging up: recorded, not printed; connections cut by stop(): ignored
        if not self.double.stopping.is_set():
            self.double.note_error(sys.exc_info()[1])


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GLPI-double"
    sys_version = ""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.double.verbose:
            sys.stderr.write("glpi-double: %s\n" % (format % args))

    def setup(self):
        super().setup()
        self.server.double.track_connection(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.double.track_connection(self.connection, False)

    def _hang_up(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _drip(self, payload, interval):
        """Status line and headers are out; send the body one byte every ``interval`` seconds."""
        stopping = self.server.double.stopping
        try:
            for index in range(len(payload)):
                if stopping.wait(interval):
                    break
                self.wfile.write(payload[index:index + 1])
        except OSError:
            pass  # the client gave up: that is what the fault is for
        self._hang_up()

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self):
        double = self.server.double
        body = self._read_body()
        split = urlsplit(self.path)
        exchange = Exchange(self.command, split.path, split.query, list(self.headers.items()), body, self.client_address)
        try:
            answer = double.respond(exchange)
        except Exception as exc:  # pylint: disable=broad-except
            double.note_error(exc)
            answer = _Answer(500, ("double failed: %r" % exc).encode(), HTML)
        self.close_connection = True  # pylint: disable=attribute-defined-outside-init
        if answer is None:  # drop the connection without a word
            exchange.fault = exchange.fault or "drop"
            double.record(exchange)
            self._hang_up()
            return
        if answer.hang is not None:  # say nothing for a while, then hang up
            double.record(exchange)
            double.stopping.wait(answer.hang)
            self._hang_up()
            return
        payload = answer.body
        headers = [("Host", self.headers.get("Host", "%s:%s" % self.server.server_address[:2]))]
        headers.append(("Date", email.utils.formatdate(usegmt=True)))
        headers.append(("Connection", "close"))
        headers.extend(answer.headers)
        if answer.content_type:
            headers.append(("Content-Type", answer.content_type))
        headers.append(("Content-Length", str(len(payload))))
        exchange.status = answer.status
        exchange.response_headers = headers
        exchange.response_body = payload
        exchange.response_document = answer.document
        double.record(exchange)
        self.send_response_only(answer.status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if answer.drip is not None:
            self._drip(payload, answer.drip)
        else:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve


class GLPIDouble:
    """A GLPI inventory endpoint on 127.0.0.1 (port 0: any free port), in a thread.

    Runtime switches (plain attributes, safe to change while serving): ``enabled``, ``basic_auth``,
    ``oauth_client``, ``token_lifetime``, ``expiration``, ``delay``, ``import_time``, ``import_serial``.
    Faults: ``fail_next()``, ``drop_next()``, ``throttle_next()``, ``redirect_next()``, ``hang_next()``,
    ``drip_next()``, ``bomb_next()``, ``set_delay()``, ``set_import_time()``. Records: ``requests_seen()``,
    ``accepted_documents()``, ``accepted_counts()``, ``contacts()``, ``tokens_issued()``,
    ``max_concurrent_imports()``, ``reset()``.
    """

    def __init__(self, host="127.0.0.1", port=0, glpi_version=10, root="", tls=None, enabled=True,
                 basic_auth=None, oauth_client=None, token_lifetime=3600, expiration="24",
                 glpi_full_version=None, schema_dir=None, validate=True, record_dir=None, verbose=False):
        self.glpi_version = str(glpi_version).split(".", maxsplit=1)[0]
        if self.glpi_version not in ("10", "11"):
            raise ValueError("glpi_version must be 10 or 11, not %r" % (glpi_version,))
        if oauth_client is not None and self.glpi_version != "11":
            raise ValueError("OAuth2 client credentials exist only in GLPI 11")
        self.host = host
        self.root = "/" + root.strip("/") if root.strip("/") else ""
        self.tls = tls
        self.enabled = enabled
        self.basic_auth = tuple(basic_auth) if basic_auth else None  # (login, password)
        self.oauth_client = tuple(oauth_client) if oauth_client else None  # (client_id, client_secret)
        self.token_lifetime = token_lifetime
        self.expiration = expiration  # CFG_GLPI inventory_frequency: a string from the database
        self.glpi_full_version = glpi_full_version or GLPI_FULL_VERSIONS[self.glpi_version]
        self.delay = 0.0
        self.import_time = 0.0  # seconds every accepted inventory takes to "import"
        self.import_serial = True  # imports one at a time, like GLPI
        self.verbose = verbose
        self.record_dir = pathlib.Path(record_dir) if record_dir else None
        self.stopping = threading.Event()  # set by stop(): every wait of the double ends at once
        self._lock = threading.Lock()
        self._import_lock = threading.Lock()
        self._exchanges = []
        self._faults = []
        self._tokens = {}
        self._errors = []
        self._connections = set()
        self._in_flight = 0
        self._max_in_flight = 0
        self.validator = None
        if validate:
            self.validator = self._load_validator(pathlib.Path(schema_dir) if schema_dir else default_schema_dir())
        self._server = _Server((host, port), _Handler, self)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self._server.ssl_context = context
        self.port = self._server.server_address[1]
        self._thread = None

    # -- life cycle ---------------------------------------------------------------------------------

    def _load_validator(self, schema_dir):
        filename = "inventory.schema-glpi10.json" if self.glpi_version == "10" else "inventory.schema.json"
        path = schema_dir / filename
        if not path.exists():
            raise FileNotFoundError("GLPI inventory schema %s not found (pass schema_dir= or validate=False)" % path)
        import jsonschema  # pylint: disable=import-outside-toplevel
        schema = json.loads(path.read_text(encoding="utf-8"))
        return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="glpi-double-%s" % self.port, daemon=True)
            self._thread.start()
        return self

    def stop(self):
        """Stop serving; hung, dripping, delayed and importing handlers end at once, open connections are cut."""
        self.stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # clients that never finish their request would keep server_close() waiting
            try:
                socket.socket.shutdown(connection, socket.SHUT_RDWR)  # the plain socket under TLS too
            except OSError:
                pass
        self._server.server_close()  # joins the handler threads

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def serve_forever(self):
        """Serve in the calling thread (the command line)."""
        self._server.serve_forever(poll_interval=0.2)

    # -- addresses ----------------------------------------------------------------------------------

    @property
    def base_url(self):
        """``http(s)://127.0.0.1:<port><root>``, no trailing slash."""
        return "%s://%s:%s%s" % ("https" if self.tls else "http", self.host, self.port, self.root)

    @property
    def url(self):
        """The inventory endpoint: ``<base_url>/front/inventory.php``."""
        return self.base_url + "/front/inventory.php"

    @property
    def token_url(self):
        """GLPI 11's OAuth2 token endpoint: ``<base_url>/api.php/token``."""
        return self.base_url + "/api.php/token"

    # -- faults -------------------------------------------------------------------------------------

    def fail_next(self, count=1, status=500, body=None, content_type=HTML, target="inventory"):
        """The next ``count`` requests to ``target`` ("inventory", "token" or "any") get ``status`` and ``body``.

        ``body`` (str, sent as UTF-8, or bytes) can be anything: a proxy's HTML login page with ``status=200``,
        megabytes of garbage.
        """
        if body is None:
            body = "<html><body><h1>%d Internal Server Error</h1></body></html>" % status
        body = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self._add_fault(_Fault("fail", count, target, status=status, body=body, content_type=content_type))

    def drop_next(self, count=1, target="inventory"):
        """The next ``count`` requests are read, then the connection is closed without an answer."""
        self._add_fault(_Fault("drop", count, target))

    def throttle_next(self, count=1, retry_after=1, target="inventory"):
        """The next ``count`` requests get 429 Too Many Requests with ``Retry-After: <retry_after>``."""
        self._add_fault(_Fault("throttle", count, target, retry_after=retry_after))

    def redirect_next(self, count=1, location=None, status=302, target="inventory"):
        """The next ``count`` requests get ``status`` with ``Location: <location>`` and a small HTML page.

        ``location`` defaults to the same path (and query) on the double itself (``http(s)://127.0.0.1:<port>``);
        any absolute URL works, e.g. another double's ``url``. The request is not processed.
        """
        self._add_fault(_Fault("redirect", count, target, location=location, status=int(status)))

    def hang_next(self, count=1, seconds=30.0, target="inventory"):
        """The next ``count`` requests are read, then nothing is sent for ``seconds``, then the connection is
        closed without an answer (``stop()`` ends the wait at once). Recorded at once, ``status`` None."""
        self._add_fault(_Fault("hang", count, target, seconds=float(seconds)))

    def drip_next(self, count=1, interval=2.0, body=None, target="inventory"):
        """The next ``count`` answers come with their status line and headers (``Content-Length`` of the whole
        body) at once, then the body one byte every ``interval`` seconds (``stop()`` cuts it).

        ``body`` None: the double's normal answer (the request is processed, the document accepted as usual);
        else 200 ``application/json`` with ``body`` (str or bytes), the request not processed.
        """
        if body is not None:
            body = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self._add_fault(_Fault("drip", count, target, interval=float(interval), body=body))

    def bomb_next(self, count=1, expanded_size=2 ** 31, target="inventory"):
        """The next ``count`` requests get 200 ``application/x-compress-zlib`` with a zlib stream that inflates
        to ``expanded_size`` bytes (``{"status":"ok","x":"`` + spaces + ``"}``); see ``zlib_bomb()``."""
        zlib_bomb(expanded_size)  # built (and cached) now, not while a client waits
        self._add_fault(_Fault("bomb", count, target, expanded_size=int(expanded_size)))

    def set_delay(self, seconds):
        """Wait ``seconds`` before answering every request (0: answer at once)."""
        self.delay = float(seconds)

    def set_import_time(self, seconds, serial=True):
        """Every inventory the double accepts takes ``seconds`` before its answer, like GLPI's import (1.3-2.7 s
        for a large document). ``serial``: one import at a time (N concurrent documents take N * ``seconds``),
        as GLPI serialises them. 0: answer at once.  ``seconds`` may be a function of the accepted request body's
        length in bytes (uncompressed) -> seconds, a model of GLPI's import cost; each accepted ``Exchange`` then
        keeps the time it was given in ``import_seconds``."""
        self.import_time = seconds if callable(seconds) else float(seconds)
        self.import_serial = bool(serial)

    def clear_faults(self):
        """Forget pending faults, the delay and the import time."""
        with self._lock:
            self._faults = []
        self.delay = 0.0
        self.import_time = 0.0

    def revoke_tokens(self):
        """Forget every issued OAuth2 token: the next Bearer request gets 401."""
        with self._lock:
            self._tokens.clear()

    def _add_fault(self, fault):
        if fault.target not in ("inventory", "token", "any"):
            raise ValueError("target must be inventory, token or any")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, target):
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and fault.target in (target, "any"):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- records ------------------------------------------------------------------------------------

    def requests_seen(self):
        """Every request so far (``Exchange`` objects), oldest first."""
        with self._lock:
            return list(self._exchanges)

    def inventory_requests(self):
        """The requests to the inventory endpoint (faulted ones included)."""
        return [exchange for exchange in self.requests_seen() if exchange.action != "token"]

    def accepted_documents(self):
        """The inventory documents GLPI would have imported, oldest first (dicts; XML ones as text)."""
        return [exchange.document for exchange in self.requests_seen() if exchange.accepted]

    def accepted_counts(self):
        """How many documents were accepted per ``deviceid`` (``DEVICEID`` for XML; None when absent)."""
        counts = {}
        for document in self.accepted_documents():
            if isinstance(document, dict):
                deviceid = document.get("deviceid")
            else:
                try:
                    deviceid = ET.fromstring(document).findtext("DEVICEID")
                except (ET.ParseError, ValueError):
                    deviceid = None
            counts[deviceid] = counts.get(deviceid, 0) + 1
        return counts

    def stored_computers(self):
        """``{deviceid: content}``: what GLPI would hold for each device after the accepted JSON documents, in order.

        GLPI's rule (FACTS.md, "Partial inventories"): a full document replaces what GLPI held; a document with
        ``"partial": true`` updates only the sections it carries, the others stay as they were.
        """
        stored = {}
        for document in self.accepted_documents():
            if not isinstance(document, dict):
                continue
            content = document.get("content") or {}
            if document.get("partial") is True and document.get("deviceid") in stored:
                stored[document["deviceid"]] = dict(stored[document["deviceid"]], **content)
            else:
                stored[document.get("deviceid")] = dict(content)
        return stored

    def max_concurrent_imports(self):
        """The most requests to the inventory endpoint processed at the same time so far (from the request read
        to the answer ready, whatever the answer; token requests not counted)."""
        with self._lock:
            return self._max_in_flight

    def contacts(self):
        """The ``contact`` documents received."""
        return [exchange.document for exchange in self.requests_seen() if exchange.action == "contact"]

    def tokens_issued(self):
        return [exchange.response_document for exchange in self.requests_seen()
                if exchange.action == "token" and exchange.status == 200]

    def errors(self):
        """Exceptions seen by the server threads (TLS handshake failures, clients hanging up, double bugs)."""
        with self._lock:
            return list(self._errors)

    def wait_for_requests(self, count, timeout=5.0):
        """Wait until ``count`` requests were recorded; return them (fewer on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.requests_seen()
            if len(seen) >= count:
                return seen
            time.sleep(0.01)
        return self.requests_seen()

    def reset(self):
        """Forget records, faults, delay, import time, tokens and ``max_concurrent_imports()`` (configuration stays)."""
        with self._lock:
            self._exchanges = []
            self._faults = []
            self._tokens.clear()
            self._errors = []
            self._max_in_flight = self._in_flight
        self.delay = 0.0
        self.import_time = 0.0

    def record(self, exchange):
        with self._lock:
            self._exchanges.append(exchange)
            index = len(self._exchanges)
        if self.record_dir is not None and exchange.accepted:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            name = "%04d-%s" % (index, exchange.document.get("deviceid", "x") if isinstance(exchange.document, dict) else "xml")
            target = self.record_dir / (name + (".json" if isinstance(exchange.document, dict) else ".xml"))
            text = json.dumps(exchange.document, indent=1) if isinstance(exchange.document, dict) else exchange.document
            target.write_text(text, encoding="utf-8")

    def note_error(self, exc):
        with self._lock:
            self._errors.append(exc)

    def track_connection(self, connection, open_):
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- protocol -----------------------------------------------------------------------------------

    def _route(self, path):
        if path == self.root + "/api.php/token":
            return "token"
        if path == self.root + "/front/inventory.php":
            return "inventory"
        if self.glpi_version == "11" and path == self.root + "/Inventory":
            return "inventory"
        if path in (self.root + "/", self.root or "/"):
            return "index"
        return None

    def respond(self, exchange):
        route = self._route(exchange.path)
        if route in ("inventory", "index"):
            with self._lock:
                self._in_flight += 1
                self._max_in_flight = max(self._max_in_flight, self._in_flight)
            try:
                return self._respond(exchange, route)
            finally:
                with self._lock:
                    self._in_flight -= 1
        return self._respond(exchange, route)

    def _respond(self, exchange, route):
        target = "token" if route == "token" else "inventory"
        if route == "token":
            exchange.action = "token"
        exchange.delay = self.delay
        if self.delay > 0:
            self.stopping.wait(self.delay)
        fault = self._take_fault(target) if route else None
        if fault is not None:
            exchange.fault = fault.kind
            params = fault.params
            if fault.kind == "drop":
                return None
            if fault.kind == "throttle":
                return _Answer(429, b"Too Many Requests", "text/plain; charset=UTF-8",
                               [("Retry-After", str(params["retry_after"]))])
            if fault.kind == "redirect":
                return self._redirect(exchange, params["status"], params["location"])
            if fault.kind == "hang":
                answer = _Answer(None)
                answer.hang = params["seconds"]
                return answer
            if fault.kind == "bomb":
                return _Answer(200, zlib_bomb(params["expanded_size"]), COMPRESSED_CONTENT_TYPES["zlib"], self.php_headers())
            if fault.kind == "drip":
                if params["body"] is None:
                    answer = self._respond_normally(exchange, route)
                else:
                    answer = _Answer(200, params["body"], "application/json")
                answer.drip = params["interval"]
                return answer
            return _Answer(params["status"], params["body"], params["content_type"])
        return self._respond_normally(exchange, route)

    def _respond_normally(self, exchange, route):
        if route is None:
            return _Answer(404, b"<html><body><h1>Not Found</h1></body></html>", HTML)
        if route == "token":
            return self._token(exchange)
        if route == "index" and (exchange.method != "POST" or not exchange.raw_body):
            return _Answer(200, b"<html><body>GLPI (test double) login page</body></html>", HTML, self.php_headers())
        answer = self._inventory(exchange)
        if exchange.accepted:
            self._import_wait(exchange)
        return answer

    def _import_wait(self, exchange):
        seconds, serial = self.import_time, self.import_serial
        if callable(seconds):
            seconds = float(seconds(len(exchange.body or b"")))
        exchange.import_seconds = seconds
        if seconds <= 0:
            return
        if not serial:
            started = time.monotonic()
            self.stopping.wait(seconds)
            exchange.import_span = (started, time.monotonic())
            return
        while not self._import_lock.acquire(timeout=0.05):
            if self.stopping.is_set():
                return
        try:
            started = time.monotonic()
            self.stopping.wait(seconds)
            exchange.import_span = (started, time.monotonic())
        finally:
            self._import_lock.release()

    def _redirect(self, exchange, status, location):
        if location is None:
            location = "%s://%s:%s%s%s" % ("https" if self.tls else "http", self.host, self.port, exchange.path,
                                           "?" + exchange.query if exchange.query else "")
        phrase = http.server.BaseHTTPRequestHandler.responses.get(status, ("Redirect",))[0]
        escaped = location.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        body = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>%d %s</title>\n'
                '</head><body>\n<h1>%s</h1>\n<p>The document has moved <a href="%s">here</a>.</p>\n</body></html>\n'
                % (status, phrase, phrase, escaped))
        return _Answer(status, body.encode("utf-8"), "text/html; charset=iso-8859-1", [("Location", location)])

    @staticmethod
    def php_headers():
        return [("X-Powered-By", "PHP/8.2.36"),
                ("Set-Cookie", "%s=%s; path=/; HttpOnly" % (SESSION_COOKIE, secrets.token_hex(13))),
                ("Expires", PHP_EXPIRES)]

    def _inventory(self, exchange):
        request = _InventoryRequest(self, exchange)
        return request.run()

    # -- OAuth2 (GLPI 11, league/oauth2-server) ---------------------------------------------------

    def _token(self, exchange):
        if self.glpi_version != "11":
            return _Answer(404, b"<html><body><h1>Not Found</h1></body></html>", HTML)
        if exchange.method != "POST":
            return _Answer(405, b'{"title":"Method Not Allowed"}', "application/json")
        params = {}
        ctype = (exchange.header("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if ctype == "application/json":
                params = json.loads(exchange.raw_body.decode("utf-8") or "{}")
            else:
                params = {key: values[0] for key, values in parse_qs(exchange.raw_body.decode("utf-8")).items()}
        except (ValueError, UnicodeDecodeError):
            params = {}
        if not isinstance(params, dict):
            params = {}
        exchange.document = {key: ("***" if key == "client_secret" else value) for key, value in params.items()}
        auth = exchange.header("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                client_id, client_secret = base64.b64decode(auth[6:].strip()).decode("utf-8").split(":", 1)
                params.setdefault("client_id", client_id)
                params.setdefault("client_secret", client_secret)
            except (ValueError, binascii.Error, UnicodeDecodeError):
                pass
        grant = params.get("grant_type")
        if grant != "client_credentials":
            return self._oauth_error(400, "unsupported_grant_type",
                                     "The authorization grant type is not supported by the authorization server.",
                                     "Check that all required parameters have been provided")
        if not self.oauth_client or (params.get("client_id"), params.get("client_secret")) != self.oauth_client:
            return self._oauth_error(401, "invalid_client", "Client authentication failed")
        scopes = str(params.get("scope") or "").split()
        for scope in scopes:
            if scope not in ("inventory", "api", "user", "email", "status", "graphql"):
                return self._oauth_error(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed",
                                         "Check the `%s` scope" % scope)
        token = "double." + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (time.monotonic() + self.token_lifetime, tuple(scopes))
        document = {"token_type": "Bearer", "expires_in": int(self.token_lifetime), "access_token": token}
        return _Answer(200, json.dumps(document, separators=(",", ":")).encode(), "application/json; charset=UTF-8",
                       [("Cache-Control", "no-store"), ("Pragma", "no-cache")], document=document)

    @staticmethod
    def _oauth_error(status, error, description, hint=None):
        document = {"error": error, "error_description": description}
        if hint:
            document["hint"] = hint
        headers = []
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="OAuth"'))
        return _Answer(status, json.dumps(document, separators=(",", ":")).encode(), "application/json", headers,
                       document=document)

    def bearer_scopes(self, authorization):
        """The scopes of a valid unexpired Bearer token, or None."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        token = authorization[7:].strip()
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]


class _InventoryRequest:
    """One inventory request, walked through the way Glpi\\Inventory\\Request does it."""

    def __init__(self, double, exchange):
        self.double = double
        self.exchange = exchange
        self.version = double.glpi_version
        self.mode = None  # "json" | "xml"
        self.compression = None
        self.status = 200
        self.response = None  # dict (JSON mode) or list of (name, value) (XML mode)
        self.extra_headers = []
        self.content_type_header = exchange.header("Content-Type")

    # mirrors of AbstractRequest helpers

    def set_mode(self, mode):
        self.mode = mode
        self.response = {} if mode == "json" else []

    def handle_content_type(self):
        ctype = (self.content_type_header or "").lower()
        if ctype in COMPRESSIONS:
            self.compression = COMPRESSIONS[ctype]
        elif ctype == "application/xml":
            self.compression = "none"
            self.set_mode("xml")
        elif ctype == "application/json":
            self.set_mode("json")
            self.compression = "none"
        else:
            self.compression = "none"

    def add_error(self, message, status=500):
        self.status = status
        if not message:
            return
        message = _resume_text(message, self.version)
        if self.mode == "json":
            self.add_to_response({"status": "error", "message": message, "expiration": DEFAULT_FREQUENCY})
        else:
            self.add_to_response({"ERROR": ("cdata", message)})

    def add_to_response(self, entries):
        if self.mode == "xml":
            self.response.extend(entries.items())
            return
        if self.response is None:
            self.response = {}
        for name, content in entries.items():
            if name == "message" and name in self.response:
                self.response[name] += ";" + content
            elif name == "disabled":
                self.response.setdefault(name, []).append(content)
            else:
                self.response[name] = content

    def content_type(self):
        if self.compression in COMPRESSED_CONTENT_TYPES:
            return COMPRESSED_CONTENT_TYPES[self.compression]
        return "application/xml" if self.mode == "xml" else "application/json"

    def _xml_text(self):
        parts = [XML_PROLOG, "<REPLY>"]
        for name, content in self.response:
            if isinstance(content, tuple):
                parts.append("<%s><![CDATA[%s]]></%s>" % (name, content[1].replace("]]>", "]]]]><![CDATA[>"), name))
            else:
                text = str(content).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                parts.append("<%s>%s</%s>" % (name, text, name))
        parts.append("</REPLY>")
        return "".join(parts)

    def answer(self):
        """The HTTP answer, headers in the order PHP and Headers\\Common send them."""
        headers = self.double.php_headers()
        document = None
        if self.response is None or self.mode is None:
            body = b""
            # no mode: GLPI sends no Content-Type of its own (PHP's default applies) but echoes the request's
            headers.append(("Content-Type", self.content_type_header or HTML))
        else:
            if self.mode == "json":
                document = self.response
                text = _php_json(self.response) if self.response != {} else "[]"
            else:
                text = document = self._xml_text()
            body = _compress(text.encode("utf-8"), self.compression)
            headers.append(("Content-Type", self.content_type()))
        echoed = [(name, self.exchange.header(key)) for name, key in ECHOED_HEADERS if self.exchange.header(key)]
        headers.extend(pair for pair in echoed if pair[0] == "Accept")
        headers.extend([("Cache-Control", "no-cache,no-store"), ("Connection", "close"), ("Pragma", "no-cache")])
        headers.extend(pair for pair in echoed if pair[0] != "Accept")
        headers.extend(self.extra_headers)
        return _Answer(self.status, body, None, headers, document=document)

    # the request itself

    def run(self):
        exchange = self.exchange
        double = self.double
        if not double.enabled:
            if self.version == "10":
                return _Answer(200, b"Inventory is disabled", HTML, double.php_headers())
            return _Answer(403, b"Inventory is disabled", HTML)
        self.handle_content_type()
        if exchange.method != "POST":
            if parse_qs(exchange.query).get("action") == ["getConfig"]:
                self.set_mode("json")
                self.compression = "none"
                self.add_error("Protocol not supported", 400)
            else:
                self.add_error(None, 405)
            return self.answer()
        if self.compression == "br":
            self.set_mode("json")
            self.compression = "none"
            self.add_error("Brotli PHP extension is missing!", 415)
            return self.answer()
        base_mode = self.mode
        if not self.authenticate():
            return self.answer()
        self.mode, self.response = base_mode, ({} if base_mode == "json" else [] if base_mode == "xml" else None)
        try:
            data = _decompress(exchange.raw_body, self.compression)
        except (zlib.error, OSError, EOFError) as exc:
            if self.version == "11":
                self.set_mode("json")
                self.add_error("%s(): data error (%s)" % ({"zlib": "gzuncompress", "gzip": "gzdecode"}.get(
                    self.compression, "gzinflate"), exc), 500)
                return self.answer()
            data = b""
        exchange.body = data
        if self.mode is None:
            self.set_mode("json" if data[:1] == b"{" else "xml")
        if self.mode == "xml":
            self.handle_xml(data)
        else:
            self.handle_json(data)
        return self.answer()

    def authenticate(self):
        double = self.double
        if double.oauth_client is None and double.basic_auth is None:
            return True
        self.set_mode("json")
        authorization = self.exchange.header("Authorization")
        if double.oauth_client is not None:
            scopes = double.bearer_scopes(authorization)
            if scopes is None:
                self.add_error(AUTH_HEADER_REQUIRED, 401)
                return False
            if "inventory" not in scopes:
                self.add_error(AUTH_SCOPE_DENIED, 401)
                return False
            return True
        if authorization is None:
            self.extra_headers.append(("WWW-Authenticate", 'Basic realm="basic"'))
            self.add_error(AUTH_HEADER_REQUIRED, 401)
            return False
        allowed = False
        if authorization[:6].lower() == "basic " and authorization[6:].strip():
            try:
                login, separator, password = base64.b64decode(authorization[6:].strip()).decode("utf-8").partition(":")
                allowed = separator == ":" and (login, password) == tuple(double.basic_auth)
            except (ValueError, binascii.Error, UnicodeDecodeError):
                allowed = False
        if not allowed:
            if self.version == "11":
                self.extra_headers.append(("WWW-Authenticate", 'Basic realm="basic"'))
            self.add_error(AUTH_BASIC_DENIED, 401)
        return allowed

    def handle_json(self, data):
        exchange = self.exchange
        try:
            document = json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            document = None
        if not isinstance(document, dict):
            self.add_error(JSON_NOT_WELL_FORMED, 400)
            return
        exchange.document = document
        action = document.get("action", document.get("query", "inventory"))
        exchange.action = action
        if action == "contact":
            self.contact(document)
        elif action == "get_params":
            self.add_to_response({"expiration": self.double.expiration, "status": "ok"})
        elif action == "prolog":
            self.prolog()
        elif action == "inventory":
            self.inventory(document)
        else:
            self.add_error("Query '%s' is not supported." % action, 501)

    def handle_xml(self, data):
        exchange = self.exchange
        try:
            root = ET.fromstring(data)
        except (ET.ParseError, ValueError):
            root = None
        if root is None:
            self.add_error(XML_NOT_WELL_FORMED, 400)
            return
        exchange.document = data.decode("utf-8", "replace")
        query = root.findtext("QUERY")
        action = (query if query is not None else "inventory").lower()
        exchange.action = action
        if action == "prolog":
            self.prolog()
        elif action == "inventory":
            exchange.accepted = True
            self.inventory_ok()
        else:
            self.add_error("Query '%s' is not supported." % action, 501)

    def prolog(self):
        if self.exchange.header("GLPI-Agent-ID"):
            self.set_mode("json")
            self.add_to_response({"expiration": self.double.expiration, "status": "ok"})
        else:
            self.add_to_response({"PROLOG_FREQ": self.double.expiration, "RESPONSE": "SEND"})

    def contact(self, document):
        response = {"expiration": self.double.expiration, "status": "ok"}
        tasks = document.get("enabled-tasks")
        for task in tasks if isinstance(tasks, list) else []:
            task = str(task)
            if task == "inventory":
                response.setdefault("tasks", {})[task] = {"server": "glpi", "version": self.double.glpi_full_version}
                continue
            if task not in KNOWN_TASKS:
                self.add_error("Task '%s' is not supported." % task, 400)
            self.add_to_response({"message": "%s task not supported" % task, "disabled": task})
        self.add_to_response(response)

    def inventory(self, document):
        exchange = self.exchange
        validator = self.double.validator
        if validator is not None:
            errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
            if errors:
                from jsonschema.exceptions import best_match  # pylint: disable=import-outside-toplevel
                message = "JSON does not validate. Violations:\n" + _violation(best_match(errors))
                self.add_error(message, 400 if self.version == "10" else 500)
                return
        exchange.accepted = True
        self.inventory_ok()
        if self.version == "11" and validator is not None and isinstance(document.get("content"), dict):
            known = set(validator.schema["properties"]["content"]["properties"])
            ignored = [key for key in document["content"] if key not in known]
            if ignored:
                # imported, but Request::handleMessages() turns the warning into a 500
                self.add_error("Following keys has been ignored during process: %s" % ", ".join(ignored), 500)

    def inventory_ok(self):
        if self.exchange.header("GLPI-Agent-ID"):
            self.add_to_response({"expiration": self.double.expiration, "status": "ok"})
        else:
            self.add_to_response({"RESPONSE": "SEND"})


def _split_pair(text, what):
    if not text or ":" not in text:
        raise argparse.ArgumentTypeError("%s must be <name>:<secret>" % what)
    return tuple(text.split(":", 1))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.glpi_double.server", description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--glpi-version", choices=("10", "11"), default="10")
    parser.add_argument("--root", default="", help="URL path prefix, e.g. /glpi")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--basic-auth", type=lambda text: _split_pair(text, "--basic-auth"), help="login:password")
    parser.add_argument("--oauth-client", type=lambda text: _split_pair(text, "--oauth-client"), help="client_id:secret (GLPI 11)")
    parser.add_argument("--token-lifetime", type=int, default=3600)
    parser.add_argument("--disabled", action="store_true", help="answer as with the inventory switched off")
    parser.add_argument("--no-validate", action="store_true", help="accept documents without schema validation")
    parser.add_argument("--schema-dir", help="directory holding inventory.schema-glpi10.json / inventory.schema.json")
    parser.add_argument("--record-dir", help="write every accepted document there")
    parser.add_argument("--import-time", type=float, default=0.0, metavar="S",
                        help="every accepted inventory waits S seconds before its answer (GLPI's import time)")
    parser.add_argument("--serial", action="store_true", help="with --import-time: one import at a time, like GLPI")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    double = GLPIDouble(host=args.host, port=args.port, glpi_version=args.glpi_version, root=args.root,
                        tls=(args.tls_cert, args.tls_key) if args.tls_cert else None, enabled=not args.disabled,
                        basic_auth=args.basic_auth, oauth_client=args.oauth_client, token_lifetime=args.token_lifetime,
                        schema_dir=args.schema_dir, validate=not args.no_validate, record_dir=args.record_dir,
                        verbose=args.verbose)
    double.set_import_time(args.import_time, serial=args.serial)
    print("GLPI %s double listening on %s" % (double.glpi_full_version, double.url), flush=True)
    try:
        double.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        double.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
