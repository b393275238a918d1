# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A GLPI server's native inventory endpoint, for tests: what FACTS §2 and the recorded transcript show.

GLPI itself cannot be installed here.  This stand-in answers as GLPI 10.0.12 did in
``shared/reference/glpi/inventory-endpoint-transcript.txt`` (status lines, headers, bodies to
the byte) and as GLPI's code says where the transcript is silent:

- ``POST <root>front/inventory.php`` (and, as GLPI 11, ``<root>`` and ``<root>Inventory``); ``GET`` -> 405;
- compression chosen by the request's ``Content-Type`` (zlib, gzip, deflate, none), the answer compressed alike;
- ``{"RESPONSE":"SEND"}`` without a ``GLPI-Agent-ID`` header, ``{"expiration":"24","status":"ok"}`` with one
  (``expiration`` a string, as 10.0.12 sends it); legacy XML requests get an XML ``REPLY``;
- ``contact``: the tasks GLPI does not run come back under ``disabled`` with a message;
- 400 ``JSON not well formed!``; a document that fails the schema (strict GLPI 10 one, or GLPI 11's) -> 400 (10)
  or 500 (11) ``JSON does not validate. Violations:``;
- HTTP Basic and GLPI 11 OAuth2 (``<root>api.php/token``, client credentials, scope ``inventory``) -> 401;
- switches: inventory disabled, and faults (slow answers, N answers 500, N dropped connections, N answers 429).

It records every request and every accepted document for the tests' assertions.
Run alone: ``python tests/stand_ins/glpi_server.py --port 8080 [--glpi-version 11] [--basic user:password]``.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hmac
import http.server
import json
import os
import pathlib
import re
import secrets
import socket
import ssl
import threading
import time
import zlib

REFERENCE = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "glpi"
SCHEMAS = {10: REFERENCE / "inventory.schema-glpi10.json", 11: REFERENCE / "inventory.schema.json"}

# Request Content-Type -> compression (GLPI's AbstractRequest::handleContentType).
COMPRESSIONS = {
    "application/x-zlib": "zlib", "application/x-compress-zlib": "zlib",
    "application/x-gzip": "gzip", "application/x-compress-gzip": "gzip",
    "application/x-deflate": "deflate", "application/x-compress-deflate": "deflate",
    "application/json": "none", "application/xml": "none", "text/xml": "none",
}
# Tasks a GLPI server without plugins runs (anything else in a contact comes back as disabled).
SUPPORTED_TASKS = ("inventory", "netdiscovery", "netinventory", "esx", "collect", "deploy", "wakeonlan")
TAIL_HEADERS = (("Accept", "*/*"), ("Cache-Control", "no-cache,no-store"), ("Connection", "close"), ("Pragma", "no-cache"))
MSG_BAD_JSON = "JSON not well formed!"
MSG_BAD_CREDENTIALS = "Access denied. Wrong login or password for basic authentication."
MSG_NO_AUTH = "Authorization header required to send an inventory"
MSG_BAD_TOKEN = "Access denied. The access token is invalid or has expired."
MSG_DISABLED = "Inventory is disabled"


def compress(data, compression):
    if compression == "zlib":
        return zlib.compress(data)
    if compression == "gzip":
        return gzip.compress(data)
    if compression == "deflate":
        raw = zlib.compressobj(wbits=-15)
        return raw.compress(data) + raw.flush()
    return data


def uncompress(data, compression):
    if compression == "zlib":
        return zlib.decompress(data)
    if compression == "gzip":
        return gzip.decompress(data)
    if compression == "deflate":
        return zlib.decompress(data, -15)
    return data


def violations(validator, document):
    """GLPI's ``Violations:`` text for ``document``: one line per error, with GLPI's ``#->properties:...`` paths."""
    lines = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = "->".join("properties:%s" % part if isinstance(part, str) else "items:%s" % part for part in error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties":
            extra = re.findall(r"'([^']+)' was unexpected", message)
            message = "Additional properties not allowed: %s" % ", ".join(extra or [message])
        lines.append("%s at #%s" % (message, ("->" + path) if path else ""))
    return "\n".join(lines)


class GLPIServer:
    """A GLPI inventory endpoint on 127.0.0.1; use as a context manager.

    ``glpi_version`` 10 or 11 (schema, validation status, paths); ``root`` the GLPI root path (``/`` or
    ``/glpi/``); ``basic=(login, password)`` or ``oauth=(client_id, client_secret)`` require credentials;
    ``tls=(certfile, keyfile)`` serves HTTPS.  ``url`` is GLPI's root URL, ``inventory_url`` the endpoint.
    """

    def __init__(self, glpi_version=10, root="/", basic=None, oauth=None, tls=None, token_lifetime=3600,
                 expiration="24", port=0):
        import jsonschema  # the tests' venv has it; the collection does not need it

        if glpi_version not in SCHEMAS:
            raise ValueError("glpi_version is 10 or 11")
        schema = json.loads(SCHEMAS[glpi_version].read_text(encoding="utf-8"))
        self.validator = jsonschema.Draft7Validator(schema)
        self.glpi_version = glpi_version
        self.root = "/" + root.strip("/") + "/" if root.strip("/") else "/"
        self.basic = basic
        self.oauth = oauth
        self.token_lifetime = token_lifetime
        self.expiration = expiration
        self.inventory_enabled = True
        self._lock = threading.Lock()
        self._requests = []
        self._accepted = []
        self._tokens = {}
        self._faults = {}
        self._delay = 0.0
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), _make_handler(self))
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self._httpd.server_address[1]
        self._thread = None

    # -- life ------------------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="glpi-stand-in", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, self.root)

    @property
    def inventory_url(self):
        return self.url + "front/inventory.php"

    # -- switches --------------------------------------------------------------------------------
    def fail(self, mode, times=1, retry_after=None):
        """The next ``times`` requests get ``mode``: ``"500"``, ``"429"`` (with ``retry_after``) or ``"drop"``."""
        with self._lock:
            self._faults = {"mode": mode, "times": times, "retry_after": retry_after}

    def slow(self, seconds):
        """Every answer waits ``seconds`` first (0 to stop)."""
        self._delay = float(seconds)

    def revoke_tokens(self):
        """Forget every access token handed out, as an expired or revoked one."""
        with self._lock:
            self._tokens.clear()

    def _take_fault(self):
        with self._lock:
            if self._faults.get("times", 0) > 0:
                self._faults["times"] -= 1
                return dict(self._faults)
        return None

    # -- records ---------------------------------------------------------------------------------
    def requests(self):
        with self._lock:
            return list(self._requests)

    def accepted(self):
        """The accepted inventory documents (dicts, or XML text), in order."""
        with self._lock:
            return list(self._accepted)

    def reset(self):
        with self._lock:
            self._requests.clear()
            self._accepted.clear()
            self._faults = {}
        self._delay = 0.0

    def _record(self, entry):
        with self._lock:
            self._requests.append(entry)

    def _accept(self, document):
        with self._lock:
            self._accepted.append(document)

    # -- GLPI's answers --------------------------------------------------------------------------
    def issue_token(self, body):
        """``(status, answer)`` of ``api.php/token`` for a client-credentials request."""
        if not self.oauth or self.glpi_version < 11:
            return 404, {"status": "error", "message": "Not found"}
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        if not isinstance(request, dict):
            request = {}
        client_id, client_secret = self.oauth
        if request.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "The authorization grant type is not supported.",
                         "message": "The authorization grant type is not supported."}
        if not (hmac.compare_digest(str(request.get("client_id", "")).encode(), client_id.encode())
                and hmac.compare_digest(str(request.get("client_secret", "")).encode(), client_secret.encode())):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed",
                         "message": "Client authentication failed"}
        if "inventory" not in str(request.get("scope", "")).split():
            return 400, {"error": "invalid_scope", "error_description": "The requested scope is invalid, unknown, or malformed",
                         "message": "The requested scope is invalid, unknown, or malformed"}
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.time() + self.token_lifetime
        return 200, {"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": token}

    def authorized(self, header):
        """``None`` when the ``Authorization`` header is good enough, else GLPI's 401 message."""
        if self.basic:
            if not header:
                return MSG_NO_AUTH
            scheme, _unused_sep, value = header.partition(" ")
            try:
                login, _unused_colon, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return MSG_BAD_CREDENTIALS
            if scheme.lower() != "basic" or not (hmac.compare_digest(login.encode(), self.basic[0].encode())
                                                 and hmac.compare_digest(password.encode(), self.basic[1].encode())):
                return MSG_BAD_CREDENTIALS
        if self.oauth:
            if not header:
                return MSG_NO_AUTH
            scheme, _unused_sep, token = header.partition(" ")
            with self._lock:
                expiry = self._tokens.get(token.strip())
            if scheme.lower() != "bearer" or expiry is None or expiry < time.time():
                return MSG_BAD_TOKEN
        return None

    def answer_inventory(self, body_text, agent_id):
        """``(status, answer)``: ``answer`` a dict (JSON) or str (XML) for an uncompressed request body."""
        if body_text.lstrip().startswith("<"):
            return self._answer_xml(body_text)
        try:
            request = json.loads(body_text)
        except ValueError:
            return 400, {"status": "error", "message": MSG_BAD_JSON, "expiration": 24}
        if not isinstance(request, dict):
            return 400, {"status": "error", "message": MSG_BAD_JSON, "expiration": 24}
        if request.get("action") == "contact":
            return 200, self._answer_contact(request)
        if not self.inventory_enabled:
            return (403 if self.glpi_version >= 11 else 400), {"status": "error", "message": MSG_DISABLED, "expiration": 24}
        errors = violations(self.validator, request)
        if errors:
            status = 400 if self.glpi_version < 11 else 500
            return status, {"status": "error", "message": "JSON does not validate. Violations:\n" + errors, "expiration": 24}
        self._accept(request)
        if agent_id:
            return 200, {"expiration": self.expiration, "status": "ok"}
        return 200, {"RESPONSE": "SEND"}

    def _answer_contact(self, request):
        answer = {"expiration": self.expiration, "status": "ok"}
        installed = request.get("installed-tasks") or []
        unsupported = [task for task in installed if isinstance(task, str) and task not in SUPPORTED_TASKS]
        if not self.inventory_enabled and "inventory" in installed:
            unsupported.append("inventory")
        if unsupported:
            answer = {"message": ", ".join("%s task not supported" % task for task in unsupported), "disabled": unsupported,
                      "expiration": self.expiration, "status": "ok",
                      "tasks": {"inventory": {"server": "glpi", "version": "%d.0.12" % self.glpi_version}}}
        return answer

    def _answer_xml(self, text):
        query = re.search(r"<QUERY>\s*([^<]*?)\s*</QUERY>", text)
        query = query.group(1).upper() if query else ""
        if query == "PROLOG":
            return 200, '<?xml version="1.0" encoding="UTF-8"?>\n<REPLY><PROLOG_FREQ>%s</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>' % self.expiration
        if query != "INVENTORY" or not re.search(r"<DEVICEID>[^<]+</DEVICEID>", text):
            return 400, '<?xml version="1.0" encoding="UTF-8"?>\n<REPLY><ERROR>XML not well formed!</ERROR></REPLY>'
        if not self.inventory_enabled:
            return (403 if self.glpi_version >= 11 else 400), '<?xml version="1.0" encoding="UTF-8"?>\n<REPLY><ERROR>%s</ERROR></REPLY>' % MSG_DISABLED
        self._accept(text)
        return 200, '<?xml version="1.0" encoding="UTF-8"?>\n<REPLY><RESPONSE>SEND</RESPONSE></REPLY>'

    def is_inventory_path(self, path):
        path = path.split("?", 1)[0]
        paths = {self.root + "front/inventory.php"}
        if self.glpi_version >= 11:
            paths.update({self.root, self.root + "Inventory"})
        return path in paths


def _make_handler(server):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "Apache"
        sys_version = ""

        def log_message(self, *args):  # quiet: tests read the records instead
            del args

        def _send(self, status, body, content_type="application/json", extra=()):
            """GLPI 10.0.12's answer as recorded: PHP's built-in server, headers in its order, no length, then close."""
            self.send_response_only(status)
            self.send_header("Host", self.headers.get("Host", "127.0.0.1"))
            self.send_header("Date", self.date_time_string())
            self.send_header("Connection", "close")
            self.send_header("X-Powered-By", "PHP/8.2.36")
            self.send_header("Set-Cookie", "glpi_5b54c73bf441e2afa8ca5e0e9a09563c=%s; path=/; HttpOnly" % secrets.token_hex(13))
            self.send_header("Expires", "Thu, 19 Nov 1981 08:52:00 GMT")
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            for name, value in TAIL_HEADERS:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

        def _entry(self, body=b"", text=None, status=None):
            return {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                    "raw_body": body, "body": text, "status": status}

        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.split("?", 1)[0].endswith("inventory.php") or server.is_inventory_path(self.path):
                server._record(self._entry(status=405))
                self._send(405, json.dumps({"status": "error", "message": "Method Not Allowed"}).encode())
                return
            server._record(self._entry(status=404))
            self._send(404, b"Not Found", "text/plain")

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if server._delay:
                time.sleep(server._delay)
            fault = server._take_fault()
            if fault:
                server._record(self._entry(body, status=fault["mode"]))
                if fault["mode"] == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault["mode"] == "429":
                    extra = (("Retry-After", str(fault["retry_after"])),) if fault.get("retry_after") is not None else ()
                    self._send(429, b"Too Many Requests", "text/plain", extra)
                    return
                self._send(int(fault["mode"]), b"<html><body><h1>Internal Server Error</h1></body></html>", "text/html")
                return

            path = self.path.split("?", 1)[0]
            if path == server.root + "api.php/token":
                status, answer = server.issue_token(body)
                server._record(self._entry(body, status=status))
                self._send(status, json.dumps(answer).encode())
                return
            if not server.is_inventory_path(path):
                server._record(self._entry(body, status=404))
                self._send(404, b"Not Found", "text/plain")
                return

            content_type = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            compression = COMPRESSIONS.get(content_type)
            denied = server.authorized(self.headers.get("Authorization"))
            if denied:
                server._record(self._entry(body, status=401))
                extra = (("WWW-Authenticate", 'Basic realm="basic"'),) if server.basic else ()
                self._send(401, json.dumps({"status": "error", "message": denied, "expiration": 24}).encode(), extra=extra)
                return
            if compression is None:
                server._record(self._entry(body, status=400))
                self._send(400, json.dumps({"status": "error", "message": "Content type %s not supported" % content_type,
                                            "expiration": 24}).encode())
                return
            try:
                text = uncompress(body, compression).decode("utf-8")
            except (OSError, zlib.error, UnicodeDecodeError, EOFError):
                server._record(self._entry(body, status=400))
                self._send(400, json.dumps({"status": "error", "message": "Data cannot be uncompressed", "expiration": 24}).encode())
                return
            status, answer = server.answer_inventory(text, self.headers.get("GLPI-Agent-ID"))
            server._record(self._entry(body, text, status))
            if isinstance(answer, str):
                payload, answer_type = answer.encode("utf-8"), "application/xml"
            else:
                payload, answer_type = json.dumps(answer, separators=(",", ":")).encode("utf-8"), "application/json"
            if compression != "none":
                payload, answer_type = compress(payload, compression), content_type
            self._send(status, payload, answer_type)

    return Handler


def make_test_ca(directory):
    """A CA and a server certificate for 127.0.0.1/localhost made with ``openssl``; returns their paths."""
    import subprocess

    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: str(directory / name) for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "ext.cnf")}
    pathlib.Path(paths["ext.cnf"]).write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")

    def openssl(*args):
        subprocess.run(("openssl",) + args, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=glpiops test CA",
            "-keyout", paths["ca.key"], "-out", paths["ca.pem"])
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", paths["server.key"], "-out", paths["server.csr"])
    openssl("x509", "-req", "-in", paths["server.csr"], "-CA", paths["ca.pem"], "-CAkey", paths["ca.key"], "-CAcreateserial",
            "-days", "2", "-extfile", paths["ext.cnf"], "-out", paths["server.pem"])
    return {"ca": paths["ca.pem"], "cert": paths["server.pem"], "key": paths["server.key"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--glpi-version", type=int, default=10, choices=(10, 11))
    parser.add_argument("--root", default="/")
    parser.add_argument("--basic", help="login:password")
    parser.add_argument("--oauth", help="client_id:client_secret")
    args = parser.parse_args()
    basic = tuple(args.basic.split(":", 1)) if args.basic else None
    oauth = tuple(args.oauth.split(":", 1)) if args.oauth else None
    with GLPIServer(args.glpi_version, args.root, basic=basic, oauth=oauth, port=args.port) as server:
        print("GLPI stand-in at %s (pid %d)" % (server.inventory_url, os.getpid()), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
