# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GLPI client against a real HTTP server on 127.0.0.1 (http.server in a thread)."""

from __future__ import annotations

import base64
import http.server
import json
import multiprocessing
import os
import shutil
import socket
import ssl
import stat
import subprocess
import threading
import time
import urllib.parse
import uuid
import zlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import MASK, basic_token, mask, secret_forms
from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _client as c
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _deliver as d
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _oauth as o
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _protocol as p
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _session as sess
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._spool import Spool
from tests.unit._fake_time import FakeTime

OK = (200, {"Content-Type": "application/json"}, b'{"expiration":"24","status":"ok"}')
PASSWORD = "p@ss:wörd/&%="
SECRET = "cl1ent-s3cret+/="
DOCUMENT = {"deviceid": "web01-2026-11-23-01-44-55", "content": {"hardware": {"name": "web01"}, "versionclient": "glpiops.glpi"}}


class FakeGLPI:
    """A scripted HTTP/1.1 server: each request takes the next scripted answer (or ``default``)."""

    def __init__(self, tls_context=None):
        self.requests = []
        self.script = []
        self.default = OK
        self.token_answers = []
        self.tokens_issued = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                body = zlib.decompress(raw) if "zlib" in (self.headers.get("Content-Type") or "") else raw
                request = {"path": self.path, "headers": dict(self.headers.items()), "raw": raw, "body": body,
                           "port": self.client_address[1]}
                fake.requests.append(request)
                if self.path.endswith("/api.php/token"):
                    answer = fake.token_answers.pop(0) if fake.token_answers else None
                    if answer is None:
                        token = "tok-%s" % uuid.uuid4().hex
                        fake.tokens_issued.append(token)
                        answer = (200, {"Content-Type": "application/json"},
                                  json.dumps({"token_type": "Bearer", "access_token": token, "expires_in": 3600}).encode())
                else:
                    answer = fake.script.pop(0) if fake.script else fake.default
                if callable(answer):
                    answer = answer(request)
                if answer == "drop":
                    self.close_connection = True
                    return
                if isinstance(answer, tuple) and answer[0] == "sleep":
                    time.sleep(answer[1])
                    answer = fake.default
                status, headers, payload = answer
                if "zlib" in (self.headers.get("Content-Type") or "") and headers.get("Content-Type") == "application/json":
                    headers = dict(headers, **{"Content-Type": "application/x-compress-zlib"})
                    payload = zlib.compress(payload)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gave up (time-out tests) is expected

        self.server = Server(("127.0.0.1", 0), Handler)
        if tls_context is not None:
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        scheme = "https" if tls_context is not None else "http"
        self.url = "%s://127.0.0.1:%d/" % (scheme, self.server.server_address[1])
        self.inventory_url = self.url + "front/inventory.php"

    def inventory_requests(self):
        return [request for request in self.requests if request["path"].endswith("inventory.php")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def glpi():
    server = FakeGLPI()
    yield server
    server.close()


def make_client(glpi, tmp_path=None, fake_time=None, **options):
    fake_time = fake_time or FakeTime()
    options.setdefault("server", [glpi.url])
    options.setdefault("timeout", 5)
    token_cache = o.TokenCache(str(tmp_path / "tokens")) if tmp_path is not None else None
    client = c.GLPIClient(options, session=__import__("requests").Session(), sleep=fake_time.sleep, clock=fake_time.clock,
                          jitter=lambda: 0.5, token_cache=token_cache)
    return client, fake_time


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the request ---------------------------------------------------------------


def test_submit_sends_zlib_json_with_glpi_agent_headers(glpi):
    client, fake_time = make_client(glpi)
    answer = client.submit(glpi.inventory_url, DOCUMENT)
    assert answer.accepted and answer.expiration == 24 and fake_time.sleeps == []
    request = glpi.requests[0]
    assert request["path"] == "/front/inventory.php"
    assert request["headers"]["Content-Type"] == "application/x-compress-zlib"
    assert json.loads(request["body"]) == DOCUMENT
    assert request["headers"]["User-Agent"] == "glpiops.glpi/%s" % COLLECTION_VERSION
    assert request["headers"]["GLPI-Agent-ID"] == p.agent_id(DOCUMENT["deviceid"])
    assert "Authorization" not in request["headers"]
    assert client.servers == [glpi.inventory_url]


def test_plain_json_when_compression_none(glpi):
    client, _unused_time = make_client(glpi, compression="none")
    client.submit(glpi.inventory_url, DOCUMENT)
    request = glpi.requests[0]
    assert request["headers"]["Content-Type"] == "application/json" and json.loads(request["raw"]) == DOCUMENT


def test_legacy_answer_shape_is_success(glpi):
    glpi.script = [(200, {"Content-Type": "application/json"}, b'{"RESPONSE":"SEND"}')]
    client, _unused_time = make_client(glpi, compression="none")
    assert client.submit(glpi.inventory_url, DOCUMENT).accepted


def test_one_session_keeps_the_connection_alive(glpi):
    client, _unused_time = make_client(glpi)
    for _n in range(3):
        client.submit(glpi.inventory_url, DOCUMENT)
    assert len({request["port"] for request in glpi.requests}) == 1


def test_worker_session_is_one_per_process():
    assert sess.worker_session() is sess.worker_session()


# -- retries ---------------------------------------------------------------------


def test_500_then_ok_is_retried_with_backoff(glpi):
    glpi.script = [(500, {"Content-Type": "text/html"}, b"<title>Internal Server Error</title>"),
                   (502, {}, b"Bad Gateway")]
    client, fake_time = make_client(glpi)
    assert client.submit(glpi.inventory_url, DOCUMENT).accepted
    assert len(glpi.requests) == 3
    assert fake_time.sleeps == [0.75, 1.5]  # 1 s then 2 s ceilings, half of it random (jitter 0.5)


@pytest.mark.parametrize("status, body, auth_failed", [
    (400, b'{"status":"error","message":"JSON does not validate. Violations:\\nAdditional properties not allowed: foo","expiration":24}', False),
    (401, b"Access denied. Wrong login or password for basic authentication.", True),
    (403, b'{"status":"error","message":"Inventory is disabled"}', False),
    (404, b"Not Found", False),
    (500, b'{"status":"error","message":"Inventory import failed: x"}', False),
])
def test_no_retry_on_refusals_and_glpi_message_is_quoted(glpi, status, body, auth_failed):
    glpi.script = [(status, {"Content-Type": "application/json"}, body)]
    client, fake_time = make_client(glpi)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    error = info.value
    assert len(glpi.requests) == 1 and fake_time.sleeps == []
    assert error.kind != c.UNREACHABLE and error.status == status and (error.kind == c.AUTH) == auth_failed and error.attempts == 1
    assert error.message.startswith("GLPI answered HTTP %d: " % status)
    assert (json.loads(body)["message"].split("\n")[0] if body.startswith(b"{") else body.decode()) in error.message.replace(" Additional", "\nAdditional")


def test_retries_are_bounded_in_count(glpi):
    glpi.default = (503, {}, b"")
    client, fake_time = make_client(glpi, retries=4, retry_max_wait=1000)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.UNREACHABLE and info.value.attempts == 5 and len(glpi.requests) == 5
    assert "gave up after 5 attempts" in info.value.message
    assert fake_time.sleeps == [0.75, 1.5, 3.0, 6.0]


def test_retries_are_bounded_in_total_time(glpi):
    glpi.default = (503, {}, b"")
    client, fake_time = make_client(glpi, retries=50, retry_max_wait=20)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.UNREACHABLE
    assert sum(fake_time.sleeps) <= 20 and max(fake_time.sleeps) <= c.BACKOFF_MAX
    assert len(glpi.requests) < 10


def test_backoff_is_exponential_jittered_and_capped():
    client = c.GLPIClient({"server": ["http://127.0.0.1:1/"]}, jitter=lambda: 1.0)
    assert [client.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    client = c.GLPIClient({"server": ["http://127.0.0.1:1/"]}, jitter=lambda: 0.0)
    assert [client.backoff(n) for n in range(1, 4)] == [0.5, 1, 2]
    assert client.backoff(1, retry_after=9) == 9


def test_429_retry_after_is_followed(glpi):
    glpi.script = [(429, {"Retry-After": "7"}, b"")]
    client, fake_time = make_client(glpi)
    assert client.submit(glpi.inventory_url, DOCUMENT).accepted
    assert fake_time.sleeps == [7.0]


def test_connection_refused_is_unreachable_at_once(tmp_path):
    # Nothing listens: waiting seconds in this run cannot change that (it took 6.6-10.7 s and said "4 attempts").
    url = "http://127.0.0.1:%d/" % free_port()
    fake_time = FakeTime()
    client = c.GLPIClient({"server": [url], "retries": 3, "password": PASSWORD, "username": "glpi"},
                          sleep=fake_time.sleep, clock=fake_time.clock, jitter=lambda: 0.5)
    with pytest.raises(c.GLPIError) as info:
        client.submit(client.servers[0], DOCUMENT)
    assert info.value.kind == c.UNREACHABLE and info.value.attempts == 1 and fake_time.sleeps == []
    assert "%sfront/inventory.php refused the connection" % url in info.value.message and "Connection refused" in info.value.message
    assert "attempts" not in info.value.message


def _requests_error(*chain):
    """A requests ConnectionError wrapping ``chain`` the way urllib3 does (MaxRetryError.reason)."""
    import requests
    import urllib3.exceptions

    reason = chain[-1]
    for outer in reversed(chain[:-1]):
        outer.__cause__ = reason
        reason = outer
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/front/inventory.php", reason))


def _unresolved():
    import urllib3.exceptions

    return urllib3.exceptions.NameResolutionError("glpi.invalid", None, socket.gaierror(-2, "Name or service not known"))


def test_network_failures_are_told_apart():
    import requests
    import urllib3.exceptions

    assert sess.network_failure(_requests_error(_unresolved())) == "unresolved"
    refused = urllib3.exceptions.NewConnectionError(None, "refused")
    assert sess.network_failure(_requests_error(refused, ConnectionRefusedError(111, "Connection refused"))) == "refused"
    aborted = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    assert sess.network_failure(requests.exceptions.ConnectionError(aborted)) == "aborted"
    assert sess.network_failure(requests.exceptions.ConnectTimeout("x")) == "connect_timeout"
    assert sess.network_failure(requests.exceptions.ReadTimeout("x")) == "read_timeout"
    assert sess.network_failure(requests.exceptions.SSLError("certificate verify failed")) == "tls"


def test_an_unresolvable_server_is_unreachable_at_once(glpi, monkeypatch):
    error = _requests_error(_unresolved())
    client, fake_time = make_client(glpi, server=["https://glpi.invalid/"])

    def request(*args, **kwargs):
        raise error

    monkeypatch.setattr(client.session, "request", request)
    with pytest.raises(c.GLPIError) as info:
        client.submit(client.servers[0], DOCUMENT)
    assert info.value.kind == c.UNREACHABLE and info.value.attempts == 1 and fake_time.sleeps == []
    assert "host name of https://glpi.invalid/front/inventory.php does not resolve" in info.value.message


def test_a_connection_broken_after_the_inventory_went_out_is_unconfirmed_never_resent(glpi):
    glpi.script = ["drop"]
    client, fake_time = make_client(glpi)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.UNCONFIRMED and "may have imported it" in info.value.message
    assert len(glpi.requests) == 1 and fake_time.sleeps == [] and info.value.attempts == 1


def test_a_dropped_contact_is_retried(glpi):
    glpi.script = ["drop"]
    client, fake_time = make_client(glpi)
    assert client.contact(glpi.inventory_url, "web01").accepted
    assert len(glpi.requests) == 2 and len(fake_time.sleeps) == 1


def test_an_inventory_without_answer_in_time_is_unconfirmed_never_resent(glpi):
    # GLPI imports one document in 1.3-2.7 s and serialises imports: sending it again adds to its load.
    glpi.script = [("sleep", 0.6)]
    client, fake_time = make_client(glpi, timeout=5, import_timeout=0.3)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.UNCONFIRMED and "no answer from" in info.value.message
    assert len(glpi.requests) == 1 and fake_time.sleeps == []


def test_a_contact_without_answer_in_time_is_retried(glpi):
    glpi.script = [("sleep", 0.6)]
    client, fake_time = make_client(glpi, timeout=0.3)
    assert client.contact(glpi.inventory_url, "web01").accepted
    assert len(fake_time.sleeps) == 1


def test_a_504_from_a_gateway_is_unconfirmed(glpi):
    glpi.script = [(504, {"Content-Type": "text/html"}, b"<title>504 Gateway Time-out</title>")]
    client, fake_time = make_client(glpi)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.UNCONFIRMED and info.value.status == 504 and len(glpi.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_never_followed(glpi, status):
    glpi.script = [(status, {"Location": "https://glpi.example.com/front/inventory.php?x=secret"}, b"")]
    client, _unused_time = make_client(glpi, username="glpi", password=PASSWORD)
    with pytest.raises(c.GLPIError, match=r"redirection to https://glpi.example.com/front/inventory.php; redirections are not followed") as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.SERVER and info.value.status == status and len(glpi.requests) == 1
    assert "secret" not in info.value.message


def test_the_answer_read_is_capped(glpi):
    glpi.script = [(200, {"Content-Type": "application/json"}, b'{"status":"ok","x":"' + b" " * (3 << 20) + b'"}')]
    client, _unused_time = make_client(glpi)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.SERVER and "larger than" in info.value.message


# -- contact -----------------------------------------------------------------------


def test_contact_reports_expiration_and_disabled_tasks(glpi):
    glpi.script = [(200, {"Content-Type": "application/json"},
                    b'{"message":"remoteinventory task not supported","disabled":["remoteinventory"],"expiration":"24","status":"ok"}')]
    client, _unused_time = make_client(glpi)
    answer = client.contact(glpi.inventory_url, "web01", tag="paris")
    assert answer.expiration == 24 and answer.disabled == ("remoteinventory",)
    request = json.loads(glpi.requests[0]["body"])
    assert request["action"] == "contact" and request["deviceid"] == "web01" and request["tag"] == "paris"


# -- authentication ------------------------------------------------------------------


def test_basic_auth_header(glpi):
    client, _unused_time = make_client(glpi, username="glpi-inventory", password=PASSWORD)
    client.submit(glpi.inventory_url, DOCUMENT)
    expected = base64.b64encode(("glpi-inventory:" + PASSWORD).encode("utf-8")).decode()
    assert glpi.requests[0]["headers"]["Authorization"] == "Basic " + expected


def test_oauth2_token_is_fetched_cached_and_shared(glpi, tmp_path):
    client, _unused_time = make_client(glpi, tmp_path, client_id="inventory-client", client_secret=SECRET)
    client.submit(glpi.inventory_url, DOCUMENT)
    token_request = glpi.requests[0]
    assert token_request["path"] == "/api.php/token"
    assert json.loads(token_request["body"]) == {"grant_type": "client_credentials", "client_id": "inventory-client",
                                                 "client_secret": SECRET, "scope": "inventory"}
    token = glpi.tokens_issued[0]
    assert glpi.requests[1]["headers"]["Authorization"] == "Bearer " + token
    cache_dir = tmp_path / "tokens"
    files = [name for name in os.listdir(cache_dir) if name.endswith(".json")]
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(cache_dir / files[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700
    assert json.loads((cache_dir / files[0]).read_text())["access_token"] == token
    # another worker (another client, same cache) reuses the token
    other, _unused_time = make_client(glpi, tmp_path, client_id="inventory-client", client_secret=SECRET)
    other.submit(glpi.inventory_url, DOCUMENT)
    assert len(glpi.tokens_issued) == 1 and glpi.requests[-1]["headers"]["Authorization"] == "Bearer " + token


def test_oauth2_token_is_refreshed_once_on_401(glpi, tmp_path):
    glpi.script = [(401, {}, b""), OK]
    client, fake_time = make_client(glpi, tmp_path, client_id="inventory-client", client_secret=SECRET)
    assert client.submit(glpi.inventory_url, DOCUMENT).accepted
    assert len(glpi.tokens_issued) == 2 and fake_time.sleeps == []
    inventory = glpi.inventory_requests()
    assert [r["headers"]["Authorization"] for r in inventory] == ["Bearer " + token for token in glpi.tokens_issued]
    glpi.script = [(401, {}, b""), (401, {}, b"")]
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.AUTH and "client_id and client_secret" in info.value.message
    assert len(glpi.tokens_issued) == 3


def test_expired_cached_token_is_renewed(glpi, tmp_path):
    wall = {"now": 1000.0}
    cache = o.TokenCache(str(tmp_path / "tokens"), clock=lambda: wall["now"])
    client = c.GLPIClient({"server": [glpi.url], "client_id": "id", "client_secret": SECRET}, token_cache=cache)
    client.submit(glpi.inventory_url, DOCUMENT)
    wall["now"] += 3600 - o.TOKEN_MARGIN + 1
    client.submit(glpi.inventory_url, DOCUMENT)
    assert len(glpi.tokens_issued) == 2


def test_oauth2_refused_credentials_never_show_the_secret(glpi, tmp_path):
    glpi.token_answers = [(401, {"Content-Type": "application/json"},
                           json.dumps({"error": "invalid_client", "error_description": "bad secret " + SECRET}).encode())]
    client, _unused_time = make_client(glpi, tmp_path, client_id="inventory-client", client_secret=SECRET)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind == c.AUTH and "refused the OAuth2 client credentials" in info.value.message
    assert SECRET not in info.value.message and "********" in info.value.message and SECRET not in str(info.value)


def test_secrets_echoed_by_the_server_are_masked(glpi):
    def echo(request):
        message = "denied for %s, header %s, form %s" % (PASSWORD, request["headers"]["Authorization"], urllib.parse.quote(PASSWORD, safe=""))
        return 400, {"Content-Type": "application/json"}, json.dumps({"status": "error", "message": message}).encode()

    glpi.script = [echo]
    client, _unused_time = make_client(glpi, username="glpi", password=PASSWORD)
    with pytest.raises(c.GLPIError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    error = info.value
    text = repr((error.server, error.message, error.status, error.kind, error.attempts)) + str(error)
    assert PASSWORD not in text and urllib.parse.quote(PASSWORD, safe="") not in text
    assert basic_token("glpi", PASSWORD) not in text and text.count("********") >= 3


def test_mask_covers_raw_percent_encoded_and_base64_forms():
    basic = base64.b64encode(("admin:" + PASSWORD).encode()).decode()
    data = {
        "msg": "failed with %s" % PASSWORD,
        "url": "https://admin:%s@glpi/" % urllib.parse.quote(PASSWORD, safe=""),
        "form": "password=" + urllib.parse.quote_plus(PASSWORD),
        "nested": [("Authorization: Basic " + basic,), {"key": PASSWORD}],
        "json": json.dumps({"p": PASSWORD}),
        "bytes": PASSWORD.encode(),
        "number": 42,
    }
    masked = mask(data, secret_forms([PASSWORD, None, ""], basic=[("admin", PASSWORD)]))
    flat = repr(masked)
    assert PASSWORD not in flat and urllib.parse.quote(PASSWORD, safe="") not in flat
    assert urllib.parse.quote_plus(PASSWORD) not in flat and basic not in flat and json.dumps(PASSWORD)[1:-1] not in flat
    # Keys are never masked (issue 13: masking renamed "spooled" with a password "pool"); values are.
    assert masked["number"] == 42 and masked["nested"][1] == {"key": MASK}
    assert mask({PASSWORD: 1}, secret_forms([PASSWORD])) == {PASSWORD: 1}
    assert masked["msg"] == "failed with ********"
    assert mask(ValueError("x " + PASSWORD), secret_forms([PASSWORD])) == "x ********"
    assert mask("nothing", secret_forms([])) == "nothing"


# -- options -------------------------------------------------------------------------


def test_url_with_credentials_is_refused():
    with pytest.raises(c.GLPIConfigError) as info:
        c.GLPIClient({"server": ["https://glpi:%s@glpi.example.com/" % urllib.parse.quote(PASSWORD, safe="")], "password": PASSWORD})
    assert "username and password" in info.value.message and "wörd" not in info.value.message and "w%C3%B6rd" not in info.value.message


@pytest.mark.parametrize("options, match", [
    ({}, "no GLPI server"),
    ({"server": ["https://glpi.example.com"], "username": "glpi"}, "parameters are required together: username, password"),
    ({"server": ["https://glpi.example.com"], "client_id": "x"}, "parameters are required together: client_id, client_secret"),
    ({"server": ["https://glpi.example.com"], "client_key": "/k.pem"}, "missing parameter\\(s\\) required by 'client_key': client_cert"),
    ({"server": ["https://glpi.example.com"], "timeout": 0}, "timeout must be more than 0 seconds"),
    ({"server": ["https://glpi.example.com"], "username": "a", "password": "b", "client_id": "x", "client_secret": "y"}, "mutually exclusive"),
    ({"server": ["https://glpi.example.com"], "compression": "gzip"}, "compression"),
])
def test_inconsistent_options_are_refused(options, match):
    with pytest.raises(c.GLPIConfigError, match=match):
        c.GLPIClient(options)


def test_tls_and_proxy_options_map_onto_requests():
    assert c.request_settings({}) == {"verify": True, "timeout": 30}
    assert c.request_settings({"validate_certs": False, "ca_path": "/x/ca.pem"})["verify"] is False
    settings = c.request_settings({"validate_certs": True, "ca_path": "~/ca.pem", "client_cert": "/c.pem", "client_key": "/k.pem",
                                   "proxy": "http://proxy:3128", "timeout": 7})
    assert settings == {"verify": os.path.expanduser("~/ca.pem"), "cert": ("/c.pem", "/k.pem"), "timeout": 7,
                        "proxies": {"http": "http://proxy:3128", "https": "http://proxy:3128"}}
    assert c.request_settings({"client_cert": "/both.pem"})["cert"] == "/both.pem"


def test_proxy_is_used_and_its_password_masked(glpi):
    proxy = "http://proxyuser:%s@127.0.0.1:%d" % (urllib.parse.quote(PASSWORD, safe=""), glpi.server.server_address[1])
    client, _unused_time = make_client(glpi, server=["http://glpi.invalid/"], proxy=proxy, compression="none")
    assert client.submit(client.servers[0], DOCUMENT).accepted
    request = glpi.requests[0]
    assert request["path"] == "http://glpi.invalid/front/inventory.php"
    assert request["headers"]["Proxy-Authorization"].startswith("Basic ")
    assert PASSWORD not in repr(client.mask(proxy)) and urllib.parse.quote(PASSWORD, safe="") not in client.mask(proxy)


@pytest.fixture(scope="module")
def tls_material(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    directory = tmp_path_factory.mktemp("tls")

    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=directory, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA", "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr")
    (directory / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "ext.cnf", "-out", "server.pem")
    return directory


def test_tls_ca_path_and_validate_certs(tls_material):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls_material / "server.pem"), str(tls_material / "server.key"))
    server = FakeGLPI(tls_context=context)
    try:
        client, fake_time = make_client(server)
        with pytest.raises(c.GLPIError) as info:
            client.submit(server.inventory_url, DOCUMENT)
        assert "TLS error" in info.value.message and info.value.kind != c.UNREACHABLE and fake_time.sleeps == []
        client, _unused_time = make_client(server, ca_path=str(tls_material / "ca.pem"))
        assert client.submit(server.inventory_url, DOCUMENT).accepted
        client, _unused_time = make_client(server, validate_certs=False)
        assert client.submit(server.inventory_url, DOCUMENT).accepted
    finally:
        server.close()


# -- one host's delivery, with the spool --------------------------------------------------


def test_deliver_spools_when_unreachable_then_resends_oldest_first(glpi, tmp_path):
    spool = Spool(tmp_path / "spool")
    glpi.default = (503, {}, b"")
    client, _unused_time = make_client(glpi, retries=1)
    older = dict(DOCUMENT, deviceid="db01-2026-11-20-00-00-00")
    result = d.deliver(client, spool, older)
    assert result["status"] == "spooled" and result["spooled"] and not result["failed"]
    assert "kept in the spool" in result["servers"][0]["message"]
    result = d.deliver(client, spool, DOCUMENT)
    assert result["status"] == "spooled" and len(spool.pending()) == 2
    assert len(glpi.requests) == 2 + 2, "a drain that finds GLPI down spools the new document without retrying again"
    glpi.requests.clear()
    glpi.default = OK
    newest = dict(DOCUMENT, deviceid="web02-2026-11-23-00-00-00")
    result = d.deliver(client, spool, newest)
    assert result["status"] == "sent" and result["servers"][0]["spool"] == {"sent": 2, "rejected": [], "remaining": 0, "obsolete": 0}
    assert result["delivered"] and result["spooled"] is None
    sent = [json.loads(request["body"])["deviceid"] for request in glpi.requests]
    assert sent == ["db01-2026-11-20-00-00-00", DOCUMENT["deviceid"], "web02-2026-11-23-00-00-00"]
    assert [r["headers"]["GLPI-Agent-ID"] for r in glpi.requests] == [p.agent_id(deviceid) for deviceid in sent]
    assert spool.pending() == []


def test_deliver_rejected_spooled_document_does_not_block(glpi, tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.put({"deviceid": "bad", "content": {}}, glpi.inventory_url)
    glpi.script = [(400, {"Content-Type": "application/json"}, b'{"status":"error","message":"JSON does not validate."}')]
    client, _unused_time = make_client(glpi)
    result = d.deliver(client, spool, DOCUMENT)
    rejected = result["servers"][0]["spool"]["rejected"]
    assert result["status"] == "sent" and len(rejected) == 1 and len(spool.rejected()) == 1
    assert rejected[0]["name"] == spool.rejected()[0] and "JSON does not validate" in rejected[0]["reason"]
    assert any("moved to" in warning and "JSON does not validate" in warning for warning in result["warnings"])


def test_deliver_failure_quotes_glpi_and_is_not_spooled(glpi, tmp_path):
    spool = Spool(tmp_path / "spool")
    glpi.script = [(400, {"Content-Type": "application/json"}, b'{"status":"error","message":"JSON not well formed!"}')]
    client, _unused_time = make_client(glpi, username="glpi", password=PASSWORD)
    result = d.deliver(client, spool, DOCUMENT)
    assert result["status"] == "failed" and result["failed"] and "JSON not well formed!" in result["msg"]
    assert spool.pending() == [] and PASSWORD not in repr(result)


def test_deliver_with_contact_respects_disabled_inventory(glpi, tmp_path):
    spool = Spool(tmp_path / "spool")
    glpi.script = [(200, {"Content-Type": "application/json"},
                    b'{"message":"inventory task disabled","disabled":["inventory"],"expiration":"12","status":"ok"}')]
    client, _unused_time = make_client(glpi, contact=True)
    result = d.deliver(client, spool, DOCUMENT)
    assert result["status"] == "disabled" and result["servers"][0]["expiration"] == 12
    assert len(glpi.requests) == 1 and json.loads(glpi.requests[0]["body"])["action"] == "contact"
    glpi.script = [(200, {"Content-Type": "application/json"},
                    b'{"message":"remoteinventory task not supported","disabled":["remoteinventory"],"expiration":"24","status":"ok"}')]
    result = d.deliver(client, spool, DOCUMENT)
    entry = result["servers"][0]
    assert result["status"] == "sent" and entry["disabled"] == ["remoteinventory"] and entry["expiration"] == 24


def test_deliver_with_contact_sends_no_inventory_before_glpi_expects_one(glpi, tmp_path):
    now = [1795420800.0]
    spool = Spool(tmp_path / "spool", clock=lambda: now[0])
    client, _unused_time = make_client(glpi, contact=True)
    assert d.deliver(client, spool, DOCUMENT)["status"] == "sent"
    actions = [json.loads(request["body"]).get("action", "inventory") for request in glpi.requests]
    assert actions[0] == "contact" and len(actions) == 2
    now[0] += 23 * 3600  # GLPI answered expiration "24": not due yet
    result = d.deliver(client, spool, DOCUMENT)
    entry = result["servers"][0]
    assert result["status"] == "not_due" and entry["next_inventory"] == "2026-11-24 08:00:00 UTC", result
    assert len(glpi.requests) == 3  # the contact only
    now[0] += 2 * 3600
    assert d.deliver(client, spool, DOCUMENT)["status"] == "sent" and len(glpi.requests) == 5
    client, _unused_time = make_client(glpi, contact=False)  # without contact: every run sends, as asked
    assert d.deliver(client, spool, DOCUMENT)["status"] == "sent"


def test_deliver_to_several_servers(glpi, tmp_path):
    spool = Spool(tmp_path / "spool")
    down = "http://127.0.0.1:%d/glpi" % free_port()
    client, _unused_time = make_client(glpi, server=[glpi.url, down], retries=0)
    result = d.deliver(client, spool, DOCUMENT)
    assert [entry["status"] for entry in result["servers"]] == ["sent", "spooled"] and result["status"] == "spooled"
    assert spool.pending(glpi.inventory_url) == [] and len(spool.pending(down + "/front/inventory.php")) == 1


def _submit_in_worker(url, cache_dir, barrier):
    barrier.wait()
    client = c.GLPIClient({"server": [url], "client_id": "inventory-client", "client_secret": SECRET}, token_cache=o.TokenCache(cache_dir))
    os._exit(0 if client.submit(client.servers[0], DOCUMENT).accepted else 4)


def test_forked_workers_share_one_token(glpi, tmp_path):
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(6)
    workers = [context.Process(target=_submit_in_worker, args=(glpi.url, str(tmp_path / "tokens"), barrier)) for _n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0] * 6
    assert len(glpi.tokens_issued) == 1 and len(glpi.inventory_requests()) == 6
    assert {r["headers"]["Authorization"] for r in glpi.inventory_requests()} == {"Bearer " + glpi.tokens_issued[0]}


def test_missing_client_certificate_is_a_configuration_error(glpi, tmp_path):
    client, fake_time = make_client(glpi, client_cert=str(tmp_path / "missing.pem"))
    with pytest.raises(c.GLPIConfigError) as info:
        client.submit(glpi.inventory_url, DOCUMENT)
    assert info.value.kind != c.UNREACHABLE and fake_time.sleeps == [] and glpi.requests == []


def test_http_spoken_to_https_is_not_retried(tls_material):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls_material / "server.pem"), str(tls_material / "server.key"))
    server = FakeGLPI()
    try:
        client, fake_time = make_client(server, server=[server.url.replace("http:", "https:")], validate_certs=False)
        with pytest.raises(c.GLPIError) as info:
            client.submit(client.servers[0], DOCUMENT)
        assert "TLS error" in info.value.message and info.value.kind != c.UNREACHABLE and fake_time.sleeps == []
    finally:
        server.close()


@settings(max_examples=150, deadline=None)
@given(secret=st.text(min_size=1, max_size=20), user=st.text(max_size=10))
def test_client_mask_leaves_no_form_of_the_secret(secret, user):
    assume("*" not in secret and "|" not in secret and ":" not in user)
    client = c.GLPIClient({"server": ["https://glpi.example.com/"], "username": user or "u", "password": secret})
    forms = [secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret), json.dumps(secret)[1:-1],
             base64.b64encode(("%s:%s" % (user or "u", secret)).encode("utf-8", "surrogatepass")).decode()]
    assume(all(form.strip() == form and form for form in forms))
    masked = client.mask({"result": [" | ".join(forms)]})["result"][0]
    assert masked.split(" | ") == [MASK] * len(forms)


def test_a_spooled_document_older_than_an_accepted_one_is_never_sent(glpi, tmp_path):
    # GLPI keeps the last inventory it imported: replaying an older one after a newer one would roll the asset back.
    spool = Spool(tmp_path / "spool")
    client, _unused_time = make_client(glpi)
    old = spool.put(dict(DOCUMENT, deviceid="db01"), client.servers[0])
    spool.note_accepted(client.servers[0], "db01", created=spool.now() + 10)  # a newer db01 reached GLPI meanwhile
    result = d.deliver(client, spool, DOCUMENT)
    assert result["delivered"] and result["servers"][0]["spool"]["obsolete"] == 1
    assert [json.loads(request["body"])["deviceid"] for request in glpi.requests] == [DOCUMENT["deviceid"]]
    assert spool.pending() == [] and not os.path.exists(old.path)


def test_a_device_being_sent_by_another_worker_is_left_for_later(glpi, tmp_path):
    spool = Spool(tmp_path / "spool")
    client, _unused_time = make_client(glpi)
    other = spool.put(dict(DOCUMENT, deviceid="db01"), client.servers[0])
    with spool.device_lock(client.servers[0], "db01") as held:
        assert held
        result = d.deliver(client, spool, DOCUMENT)
    assert result["delivered"] and spool.pending() == [other.name]
    assert [json.loads(request["body"])["deviceid"] for request in glpi.requests] == [DOCUMENT["deviceid"]]
