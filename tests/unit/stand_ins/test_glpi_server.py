# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GLPI stand-in answers as the real GLPI 10.0.12 did, and as FACTS §2 says where nothing was recorded.

Each ``curl -i`` call of the endpoint transcript is replayed over a raw socket: same status line, same
headers in the same order (the date, the session cookie and the port change from run to run), same body
to the byte.  The documents of the transcript's lab are the reference samples of the same machine.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import pathlib
import re
import shlex
import socket
import sys
import threading
import urllib.error
import urllib.request
import zlib

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "stand_ins"))
import glpi_server  # noqa: E402  pylint: disable=import-error,wrong-import-position

REFERENCE = glpi_server.REFERENCE.parent
TRANSCRIPT = REFERENCE / "glpi" / "inventory-endpoint-transcript.txt"
LAB_FILES = {
    "/srv/lab/samples/local-inventory.json": REFERENCE / "glpi-agent" / "local-inventory.json",
    "/srv/lab/samples/remote/vm-2026-11-22-09-43-37.json": REFERENCE / "glpi-agent" / "remote-ssh-inventory.json",
}

if not TRANSCRIPT.exists():  # pragma: no cover - the reference sits beside the project in the glpiops workspace
    if os.environ.get("CI") == "true":
        raise RuntimeError("under CI the transcript %s must be present" % TRANSCRIPT)
    pytest.skip("transcript %s is absent" % TRANSCRIPT, allow_module_level=True)

VOLATILE_HEADERS = {"date", "set-cookie", "host"}


def transcript_calls():
    """``[(argv, status_line, [(header, value)], body)]`` of every recorded ``curl -i`` call."""
    calls = []
    for block in re.split(r"^\$ ", TRANSCRIPT.read_text(encoding="utf-8"), flags=re.M)[1:]:
        command, _unused_nl, answer = block.partition("\n")
        head, _unused_blank, body = answer.partition("\n\n")
        lines = head.splitlines()
        body = re.sub(r"WALL [\d.]+ s\s*$", "", body).rstrip("\n")
        headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
        calls.append((shlex.split(command), lines[0], headers, body))
    return calls


def curl_request(argv, port):
    """The raw HTTP request ``curl -s -i -X POST -H ... --data...`` sends."""
    header, data = None, b""
    for index, arg in enumerate(argv):
        if arg == "-H":
            header = argv[index + 1]
        elif arg == "--data-binary":
            data = LAB_FILES[argv[index + 1].lstrip("@")].read_bytes()
        elif arg == "--data":
            data = argv[index + 1].encode("utf-8")
    url = argv[-1]
    path = "/" + url.split("/", 3)[3]
    return (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n%s\r\nContent-Length: %d\r\n\r\n"
            % (path.encode(), port, header.encode(), len(data)) + data)


def exchange(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _unused_sep, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return lines[0], [tuple(line.split(": ", 1)) for line in lines[1:]], body.decode("utf-8")


@pytest.fixture(name="glpi")
def glpi_fixture():
    with glpi_server.GLPIServer(glpi_version=10) as server:
        yield server


def test_the_transcript_is_read_whole():
    calls = transcript_calls()
    assert len(calls) == TRANSCRIPT.read_text().count("\n$ ") + 1 == 4


@pytest.mark.parametrize("index", range(4))
def test_replays_each_recorded_call(glpi, index):
    argv, status_line, headers, body = transcript_calls()[index]
    got_status, got_headers, got_body = exchange(glpi.port, curl_request(argv, glpi.port))
    assert got_status == status_line
    assert [name for name, _unused in got_headers] == [name for name, _unused in headers]
    assert [h for h in got_headers if h[0].lower() not in VOLATILE_HEADERS] == [h for h in headers if h[0].lower() not in VOLATILE_HEADERS]
    assert got_body == body
    accepted = glpi.accepted()
    assert len(accepted) == (1 if body == '{"RESPONSE":"SEND"}' else 0)


def post(url, data, content_type="application/json", headers=None):
    request = urllib.request.Request(url, data=data, method="POST", headers=dict({"Content-Type": content_type}, **(headers or {})))
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(name="document")
def document_fixture():
    return json.loads(LAB_FILES["/srv/lab/samples/local-inventory.json"].read_text())


@pytest.mark.parametrize("content_type, pack, unpack", [
    ("application/x-compress-zlib", zlib.compress, zlib.decompress),
    ("application/x-zlib", zlib.compress, zlib.decompress),
    ("application/x-compress-gzip", gzip.compress, gzip.decompress),
    ("application/x-deflate", lambda d: glpi_server.compress(d, "deflate"), lambda d: zlib.decompress(d, -15)),
])
def test_compression_follows_the_content_type_and_the_agent_id_gives_the_status_answer(glpi, document, content_type, pack, unpack):
    status, headers, body = post(glpi.inventory_url, pack(json.dumps(document).encode()), content_type, {"GLPI-Agent-ID": "x"})
    assert status == 200 and headers["Content-Type"] == content_type
    assert unpack(body) == b'{"expiration":"24","status":"ok"}'
    assert glpi.accepted() == [document]


def test_contact_reports_the_tasks_glpi_does_not_run(glpi):
    request = {"action": "contact", "deviceid": "x", "installed-tasks": ["inventory", "remoteinventory"]}
    status, _unused_headers, body = post(glpi.inventory_url, json.dumps(request).encode())
    assert status == 200
    assert json.loads(body) == {"message": "remoteinventory task not supported", "disabled": ["remoteinventory"], "expiration": "24",
                                "status": "ok", "tasks": {"inventory": {"server": "glpi", "version": "10.0.12"}}}
    assert glpi.accepted() == []


@pytest.mark.parametrize("version, code", [(10, 400), (11, 500)])
def test_a_document_glpi_10_refuses_over_one_unknown_key(document, version, code):
    document["content"]["hardware"]["surprise"] = 1
    with glpi_server.GLPIServer(glpi_version=version) as glpi:
        status, _unused_headers, body = post(glpi.inventory_url, json.dumps(document).encode())
    if version == 10:
        assert status == code
        answer = json.loads(body)
        assert answer["message"].startswith("JSON does not validate. Violations:\n")
        assert "Additional properties not allowed: surprise at #->properties:content->properties:hardware" in answer["message"]
    else:  # GLPI 11's schema tolerates unknown keys under content
        assert status == 200
    document["content"].pop("versionclient")
    with glpi_server.GLPIServer(glpi_version=version) as glpi:
        status, _unused_headers, body = post(glpi.inventory_url, json.dumps(document).encode())
    assert status == code and "JSON does not validate" in json.loads(body)["message"]


def test_get_is_refused_with_405(glpi):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(glpi.inventory_url, timeout=10)
    assert error.value.code == 405


def test_basic_authentication(document):
    data = json.dumps(document).encode()
    with glpi_server.GLPIServer(basic=("inventory", "p@ss:w0rd")) as glpi:
        status, headers, body = post(glpi.inventory_url, data)
        assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="basic"'
        wrong = "Basic " + base64.b64encode(b"inventory:nope").decode()
        status, _unused_headers, body = post(glpi.inventory_url, data, headers={"Authorization": wrong})
        assert status == 401 and json.loads(body)["message"] == glpi_server.MSG_BAD_CREDENTIALS
        right = "Basic " + base64.b64encode("inventory:p@ss:w0rd".encode()).decode()
        status, _unused_headers, body = post(glpi.inventory_url, data, headers={"Authorization": right})
        assert status == 200 and glpi.accepted() == [document]


def test_oauth_client_credentials_then_bearer_tokens(document):
    data = json.dumps(document).encode()
    with glpi_server.GLPIServer(glpi_version=11, oauth=("id", "secret")) as glpi:
        token_url = glpi.url + "api.php/token"
        status, _unused_headers, body = post(token_url, json.dumps({"grant_type": "client_credentials", "client_id": "id",
                                                                    "client_secret": "bad", "scope": "inventory"}).encode())
        assert status == 401 and json.loads(body)["error"] == "invalid_client"
        status, _unused_headers, body = post(token_url, json.dumps({"grant_type": "client_credentials", "client_id": "id",
                                                                    "client_secret": "secret", "scope": "inventory"}).encode())
        token = json.loads(body)
        assert status == 200 and token["token_type"] == "Bearer" and token["expires_in"] == 3600
        bearer = {"Authorization": "Bearer " + token["access_token"]}
        assert post(glpi.inventory_url, data)[0] == 401
        assert post(glpi.url + "Inventory", data, headers=bearer)[0] == 200  # GLPI 11's other path
        glpi.revoke_tokens()
        assert post(glpi.inventory_url, data, headers=bearer)[0] == 401


def test_inventory_disabled(document):
    for version, code in ((10, 400), (11, 403)):
        with glpi_server.GLPIServer(glpi_version=version) as glpi:
            glpi.inventory_enabled = False
            status, _unused_headers, body = post(glpi.inventory_url, json.dumps(document).encode())
            assert status == code and json.loads(body)["message"] == glpi_server.MSG_DISABLED


def test_xml_inventory_and_prolog(glpi):
    xml = b"<?xml version='1.0'?><REQUEST><DEVICEID>vm-1</DEVICEID><QUERY>INVENTORY</QUERY><CONTENT/></REQUEST>"
    status, headers, body = post(glpi.inventory_url, zlib.compress(xml), "application/x-compress-zlib")
    assert status == 200 and b"<RESPONSE>SEND</RESPONSE>" in zlib.decompress(body)
    assert glpi.accepted() == [xml.decode()]


def test_faults_then_recovery(glpi, document):
    data = json.dumps(document).encode()
    glpi.fail("500", times=2)
    assert [post(glpi.inventory_url, data)[0] for _unused in range(3)] == [500, 500, 200]
    glpi.fail("429", times=1, retry_after=7)
    status, headers, _unused_body = post(glpi.inventory_url, data)
    assert status == 429 and headers["Retry-After"] == "7"
    glpi.fail("drop", times=1)
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        post(glpi.inventory_url, data)
    assert post(glpi.inventory_url, data)[0] == 200
    assert [entry["status"] for entry in glpi.requests()] == ["500", "500", 200, "429", "drop", 200]


def test_slow_answers_and_bad_json(glpi):
    glpi.slow(0.3)
    done = threading.Event()
    threading.Timer(0.1, lambda: done.set() if not glpi.requests() else None).start()
    status, _unused_headers, body = post(glpi.inventory_url, b"{bad json")
    assert done.is_set()  # no answer yet after 0.1 s
    assert status == 400 and json.loads(body) == {"status": "error", "message": "JSON not well formed!", "expiration": 24}
