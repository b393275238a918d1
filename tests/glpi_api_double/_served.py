# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the two API stand-ins share: an HTTP server on 127.0.0.1 answering JSON like Apache, the record of every
request (``Exchange``), and the cache of what a search computed once per list of computers (``forget``)."""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import urlsplit

# The most of a request body the stand-ins read (a token request is a few hundred bytes).
REQUEST_BODY_MAX = 1 << 20


class Exchange:
    """One recorded request and the status answered."""

    def __init__(self, method, path, query, headers):
        self.method, self.path, self.query, self.headers = method, path, query, headers
        self.status = None
        self.response_headers = {}
        self.response_document = None

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def endpoint(self):
        """What follows ``apirest.php/`` (``initSession``, ``search/Computer``...) or ``api.php`` (``/token``...)."""
        if "apirest.php/" in self.path:
            return self.path.split("apirest.php/", 1)[-1]
        return self.path.split("/api.php", 1)[-1]

    def __repr__(self):
        return "<Exchange %s %s?%s -> %s>" % (self.method, self.path, self.query, self.status)


class ServedDouble:
    """A stand-in served on ``host`` (port chosen by the system) until ``stop()``; a subclass answers one request with
    ``answer(exchange, body) -> (status, headers, document)``, a document being JSON-able or ``bytes`` (an HTML page);
    ``json_type`` is the ``Content-Type`` of its JSON answers, ``get_headers`` added to every GET answer."""

    json_type = "application/json"
    get_headers = {}

    def __init__(self, host="127.0.0.1"):
        self.computers = getattr(self, "computers", [])
        self._exchanges = []
        self._lock = threading.Lock()
        self._cache, self._cache_of, self._cache_len = {}, None, 0  # see forget()
        self._server = http.server.ThreadingHTTPServer((host, 0), type("Handler", (_Handler,), {"double": self}))
        self._server.daemon_threads = True

    # -- life cycle
    def start(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return "http://%s:%d" % (host, port)

    # -- records
    def requests_seen(self):
        with self._lock:
            return list(self._exchanges)

    def reset(self):
        with self._lock:
            self._exchanges = []

    def record(self, exchange):
        with self._lock:
            self._exchanges.append(exchange)

    # -- what a search computed, once per list of computers
    def _cached(self, key, build):
        """``build()``, kept while ``self.computers`` is the same list of the same length (see ``forget``)."""
        with self._lock:
            if self._cache_of is not self.computers or self._cache_len != len(self.computers):
                self._cache, self._cache_of, self._cache_len = {}, self.computers, len(self.computers)
            if key in self._cache:
                return self._cache[key]
        value = build()
        with self._lock:
            self._cache[key] = value
        return value

    def forget(self):
        """Drop what the searches computed: to call after changing, in place, a record of ``computers``.

        Each page is cut from what the first request of a search computed; appending to or replacing ``computers``
        starts afresh."""
        with self._lock:
            self._cache_of = None


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    double = None
    # TCP_NODELAY, as Apache sets it: else the body, written after the headers, waits for the client's delayed ACK
    # (40 ms a request on Linux) whenever it is shorter than a segment
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def do_GET(self):
        split = urlsplit(self.path)
        length = min(int(self.headers.get("Content-Length") or 0), REQUEST_BODY_MAX)
        body = self.rfile.read(length) if length else b""
        exchange = Exchange(self.command, split.path, split.query, list(self.headers.items()))
        exchange.client = self.client_address[0]
        status, headers, document = self.double.answer(exchange, body)
        exchange.status, exchange.response_headers, exchange.response_document = status, headers, document
        self.double.record(exchange)
        if isinstance(document, bytes):
            payload, content_type = document, "text/html; charset=iso-8859-1"
        else:
            payload, content_type = json.dumps(document, separators=(",", ":")).encode("utf-8"), self.double.json_type
        self.send_response(status)
        if self.command == "GET":
            headers = dict(headers, **self.double.get_headers)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_DELETE = do_GET
