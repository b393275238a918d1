# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GLPI test double answers like the recorded GLPI 10.0.12 (transcript replay) and like GLPI 11's source."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import pathlib
import re
import shlex
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib

import pytest

from tests._reference import REFERENCE, reference_path
from tests.glpi_double import GLPIDouble, make_test_ca
from tests.glpi_double._double import zlib_bomb
from tests.glpi_double.server import default_schema_dir

ROOT = pathlib.Path(__file__).resolve().parents[3]
AGENT_ID = "a31ff7b5-4d8d-4e39-891e-0cca91d9df13"
# the transcript's sample files, as they are stored beside it
SAMPLES = {
    "/srv/lab/samples/local-inventory.json": "glpi-agent/local-inventory.json",
    "/srv/lab/samples/remote/vm-2026-11-22-09-43-37.json": "glpi-agent/remote-ssh-inventory.json",
}
# GLPI 10.0.12's answer to an XML inventory sent with a GLPI-Agent-ID header (FACTS.md, verified 2026-12-04)
GLPI_10_XML_INVENTORY_ANSWER = b'<?xml version="1.0" encoding="UTF-8"?><REPLY><expiration>24</expiration><status>ok</status></REPLY>'
# what curl/7.88.1 sends besides the command line's headers
CURL_HEADERS = [("User-Agent", "curl/7.88.1"), ("Accept", "*/*")]


_reference = reference_path  # tests/fixtures/reference; a missing file fails the test with its path


@pytest.fixture(scope="module", autouse=True)
def _schemas_present():
    path = default_schema_dir() / "inventory.schema-glpi10.json"  # $GLPI_DOUBLE_SCHEMA_DIR or tests/fixtures/reference/glpi
    if not path.exists():
        pytest.fail("fixture %s is missing" % path, pytrace=False)


@pytest.fixture(scope="module")
def agent_document():
    return json.loads(_reference("glpi-agent", "local-inventory.json").read_text())


@pytest.fixture
def glpi10():
    with GLPIDouble(glpi_version=10) as double:
        yield double
    assert double.errors() == []  # no exception in the server threads


@pytest.fixture
def glpi11():
    with GLPIDouble(glpi_version=11) as double:
        yield double
    assert double.errors() == []  # no exception in the server threads


def request(double, method="POST", path=None, body=b"", headers=(), context=None):
    """One HTTP exchange: (status, reason, [(header, value)], body)."""
    if double.tls:
        connection = http.client.HTTPSConnection(double.host, double.port, timeout=10, context=context)
    else:
        connection = http.client.HTTPConnection(double.host, double.port, timeout=10)
    try:
        connection.putrequest(method, path or _path(double.url), skip_host=any(name == "Host" for name, _unused in headers),
                              skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method == "POST":
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, response.reason, response.getheaders(), response.read()
    finally:
        connection.close()


def _path(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def post_json(double, document, headers=(), path=None, compress=None):
    body = json.dumps(document).encode() if not isinstance(document, bytes) else document
    ctype = "application/json"
    if compress == "zlib":
        body, ctype = zlib.compress(body), "application/x-compress-zlib"
    elif compress == "gzip":
        body, ctype = gzip.compress(body), "application/x-compress-gzip"
    elif compress == "deflate":
        body, ctype = zlib.compress(body)[2:-4], "application/x-compress-deflate"
    return request(double, body=body, headers=[("Content-Type", ctype)] + list(headers), path=path)


def header(headers, name):
    values = [value for key, value in headers if key.lower() == name.lower()]
    return values[0] if values else None


# -- the recorded exchanges ------------------------------------------------------------------------


def parse_transcript(text):
    """[(curl argv, status line, [(header, value)], body)] from the curl -i transcript."""
    exchanges = []
    for block in re.split(r"\n(?=\$ curl )", text.strip()):
        command, _unused_newline, rest = block.partition("\n")
        head, _unused_blank, body = rest.replace("\r\n", "\n").partition("\n\n")
        lines = head.split("\n")
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
        body = re.sub(r"WALL [0-9.]+ s$", "", body.strip())
        exchanges.append((shlex.split(command[2:]), lines[0], headers, body))
    return exchanges


def curl_request(argv):
    """(method, url, headers, body) of a recorded curl command line."""
    method, url, headers, body = "GET", None, [], b""
    args = iter(argv[1:])
    for arg in args:
        if arg == "-X":
            method = next(args)
        elif arg == "-H":
            name, value = next(args).split(":", 1)
            headers.append((name.strip(), value.strip()))
        elif arg in ("--data", "--data-binary"):
            value = next(args)
            if value.startswith("@"):
                body = _reference(*SAMPLES[value[1:]].split("/")).read_bytes()
            else:
                body = value.encode()
            method = "POST" if method == "GET" else method
        elif arg.startswith("http"):
            url = arg
        elif arg not in ("-s", "-i"):
            raise AssertionError("unexpected curl argument %r" % arg)
    return method, url, headers, body


def _transcript():
    path = REFERENCE / "glpi" / "inventory-endpoint-transcript.txt"  # a missing one fails test_transcript_holds_exchanges
    return parse_transcript(path.read_text()) if path.exists() else []


def test_transcript_holds_exchanges():
    assert len(parse_transcript(_reference("glpi", "inventory-endpoint-transcript.txt").read_text())) == 4


@pytest.mark.parametrize("index", range(len(_transcript()) or 1))
def test_replays_the_recorded_transcript(glpi10, index):
    exchanges = _transcript()
    if not exchanges:
        _reference("glpi", "inventory-endpoint-transcript.txt")
    argv, status_line, recorded_headers, recorded_body = exchanges[index]
    method, url, headers, body = curl_request(argv)
    recorded_host = header(recorded_headers, "Host")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    status, reason, answer_headers, answer_body = request(glpi10, method, path, body,
                                                          [("Host", recorded_host)] + CURL_HEADERS + headers)
    assert "HTTP/1.1 %d %s" % (status, reason) == status_line
    assert answer_body.decode() == recorded_body
    # same headers, same order; Date and the session id vary; Content-Length is extra (php -S closes instead)
    expected = [(name, "<date>" if name == "Date" else re.sub(r"=[a-z0-9]+;", "=<id>;", value))
                for name, value in recorded_headers]
    actual = [(name, "<date>" if name == "Date" else re.sub(r"=[a-z0-9]+;", "=<id>;", value))
              for name, value in answer_headers if name != "Content-Length"]
    assert actual == expected
    assert glpi10.requests_seen()[-1].status == status


def test_recorded_imports_are_the_accepted_documents(glpi10):
    exchanges = _transcript() or pytest.fail("fixture %s is missing" % (REFERENCE / "glpi" / "inventory-endpoint-transcript.txt"),
                                             pytrace=False)
    for argv, status_line, _unused_headers, _unused_body in exchanges:
        method, url, headers, body = curl_request(argv)
        assert request(glpi10, method, _path(url), body, CURL_HEADERS + headers)[0] == int(status_line.split()[1])
    accepted = glpi10.accepted_documents()
    assert [doc["deviceid"] for doc in accepted] == ["vm-2026-11-22-09-42-40", "vm-2026-11-22-09-43-37"]
    assert [doc["deviceid"] for doc in glpi10.contacts()] == ["x"]


# -- protocol details read in GLPI's source -------------------------------------------------------


@pytest.mark.parametrize("compress, content_type", [("zlib", "application/x-compress-zlib"),
                                                    ("gzip", "application/x-compress-gzip"),
                                                    ("deflate", "application/x-compress-deflate")])
def test_agent_answer_is_compressed_like_the_request(glpi10, agent_document, compress, content_type):
    status, _unused_reason, headers, body = post_json(glpi10, agent_document, [("GLPI-Agent-ID", AGENT_ID)], compress=compress)
    assert status == 200
    assert header(headers, "Content-Type") == content_type
    assert header(headers, "GLPI-Agent-ID") == AGENT_ID
    plain = {"zlib": zlib.decompress, "gzip": gzip.decompress, "deflate": lambda data: zlib.decompress(data, -15)}[compress](body)
    assert plain == b'{"expiration":"24","status":"ok"}'
    assert glpi10.accepted_documents() == [agent_document]
    exchange = glpi10.requests_seen()[0]
    assert exchange.document == agent_document and exchange.action == "inventory" and exchange.accepted
    assert exchange.response_document == {"expiration": "24", "status": "ok"}


def test_x_zlib_alias_and_bad_compressed_json(glpi10):
    status, _unused_reason, headers, body = request(glpi10, body=zlib.compress(b"{ bad content"),
                                                    headers=[("Content-Type", "application/x-zlib"), ("GLPI-Agent-ID", AGENT_ID)])
    assert (status, header(headers, "Content-Type")) == (400, "application/x-compress-zlib")
    assert zlib.decompress(body) == b'{"status":"error","message":"JSON not well formed!","expiration":24}'


def test_get_is_405_without_content(glpi10, glpi11):
    for double in (glpi10, glpi11):
        status, _unused_reason, headers, body = request(double, "GET")
        assert (status, body, header(headers, "Content-Type")) == (405, b"", "text/html; charset=UTF-8")
        status, _unused_reason, headers, body = request(double, "GET", _path(double.url) + "?action=getConfig")
        assert (status, body) == (400, b'{"status":"error","message":"Protocol not supported","expiration":24}')


def test_contact_disables_unsupported_tasks(glpi10):
    contact = {"action": "contact", "deviceid": "vm-1", "name": "GLPI-Agent", "version": "1.12",
               "installed-tasks": ["inventory", "remoteinventory"], "enabled-tasks": ["inventory", "remoteinventory"]}
    status, _unused_reason, _unused_headers, body = post_json(glpi10, contact, [("GLPI-Agent-ID", AGENT_ID)], compress="zlib")
    assert status == 200
    assert zlib.decompress(body) == (b'{"message":"remoteinventory task not supported","disabled":["remoteinventory"],'
                                     b'"expiration":"24","status":"ok","tasks":{"inventory":{"server":"glpi","version":"10.0.12"}}}')
    assert glpi10.contacts() == [contact] and glpi10.accepted_documents() == []
    status, _unused_reason, _unused_headers, body = post_json(glpi10, dict(contact, **{"enabled-tasks": ["deploy", "esx"]}))
    assert json.loads(body) == {"message": "deploy task not supported;esx task not supported", "disabled": ["deploy", "esx"],
                                "expiration": "24", "status": "ok"}


def test_schema_violation_glpi10_is_400(glpi10, agent_document):
    document = dict(agent_document, content=dict(agent_document["content"], accountinfo={"keyname": "TAG"}))
    status, _unused_reason, _unused_headers, body = post_json(glpi10, document)
    assert status == 400
    assert json.loads(body) == {"status": "error", "expiration": 24, "message": "JSON does not validate. Violations:\n"
                                "Additional properties not allowed: accountinfo at #->properties:content"}
    assert glpi10.accepted_documents() == [] and glpi10.requests_seen()[0].document == document


def test_schema_violation_glpi11_is_500(glpi11, agent_document):
    document = dict(agent_document, unknown_root_key=1)
    status, _unused_reason, _unused_headers, body = post_json(glpi11, document)
    assert status == 500
    assert json.loads(body)["message"] == ("JSON does not validate. Violations:\n"
                                           "Additional properties not allowed: unknown_root_key at #")
    document = dict(agent_document)
    del document["deviceid"]
    status, _unused_reason, _unused_headers, body = post_json(glpi11, document)
    assert status == 500 and json.loads(body)["message"].startswith("JSON does not validate. Violations:\n")
    assert glpi11.accepted_documents() == []


def test_glpi11_imports_unknown_content_keys_but_answers_500(glpi11, agent_document):
    document = dict(agent_document, content=dict(agent_document["content"], accountinfo={"keyname": "TAG"}))
    status, _unused_reason, _unused_headers, body = post_json(glpi11, document, [("GLPI-Agent-ID", AGENT_ID)])
    assert status == 500
    assert json.loads(body) == {"expiration": 24, "status": "error",
                                "message": "Following keys has been ignored during process: accountinfo"}
    assert glpi11.accepted_documents() == [document]


def test_long_messages_are_cut_like_glpi(glpi10, glpi11, agent_document):
    document = dict(agent_document, content=dict(agent_document["content"], hardware=dict(agent_document["content"]["hardware"])))
    document["content"]["hardware"]["name"] = ["x" * 400]
    for double, suffix in ((glpi10, "&nbsp;(...)"), (glpi11, "")):
        message = json.loads(post_json(double, document)[3])["message"]
        assert len(message) == 250 + len(suffix) and message.endswith("x" + suffix)


def test_unknown_action_is_501(glpi10):
    status, _unused_reason, _unused_headers, body = post_json(glpi10, {"action": "register", "deviceid": "x"})
    assert (status, json.loads(body)["message"]) == (501, "Query 'register' is not supported.")


def test_legacy_xml(glpi10):
    prolog = b'<?xml version="1.0" encoding="UTF-8" ?><REQUEST><DEVICEID>dev</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>'
    status, _unused_reason, headers, body = request(glpi10, body=prolog, headers=[("Content-Type", "application/xml")])
    assert (status, header(headers, "Content-Type")) == (200, "application/xml")
    assert body == b'<?xml version="1.0" encoding="UTF-8"?><REPLY><PROLOG_FREQ>24</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>'
    status, _unused_reason, headers, body = request(glpi10, body=zlib.compress(prolog),
                                                    headers=[("Content-Type", "application/x-compress-zlib"), ("GLPI-Agent-ID", AGENT_ID)])
    assert (status, zlib.decompress(body)) == (200, b'{"expiration":"24","status":"ok"}')
    inventory = b"<REQUEST><DEVICEID>dev</DEVICEID><QUERY>INVENTORY</QUERY><CONTENT><HARDWARE/></CONTENT></REQUEST>"
    status, _unused_reason, headers, body = request(glpi10, body=inventory, headers=[("Content-Type", "application/xml")])
    assert (status, body) == (200, b'<?xml version="1.0" encoding="UTF-8"?><REPLY><RESPONSE>SEND</RESPONSE></REPLY>')
    assert glpi10.accepted_documents() == [inventory.decode()]
    status, _unused_reason, headers, body = request(glpi10, body=b"<REQUEST>", headers=[("Content-Type", "application/xml")])
    assert (status, body) == (400, b'<?xml version="1.0" encoding="UTF-8"?><REPLY><ERROR><![CDATA[XML not well formed!]]></ERROR></REPLY>')


def test_xml_inventory_answer_is_byte_equal_to_glpi_10_0_12(glpi10):
    facts = _reference("FACTS.md")  # the constant above is the recorded answer, as FACTS.md quotes it
    assert GLPI_10_XML_INVENTORY_ANSWER.decode() in facts.read_text(encoding="utf-8")
    inventory = b"<REQUEST><DEVICEID>dev-xml</DEVICEID><QUERY>INVENTORY</QUERY><CONTENT><HARDWARE/></CONTENT></REQUEST>"
    status, _unused_reason, headers, body = request(glpi10, body=inventory,
                                                    headers=[("Content-Type", "application/xml"), ("GLPI-Agent-ID", AGENT_ID)])
    assert (status, header(headers, "Content-Type")) == (200, "application/xml")
    assert body == GLPI_10_XML_INVENTORY_ANSWER
    assert glpi10.accepted_counts() == {"dev-xml": 1}
    status, _unused_reason, _unused_headers, body = request(glpi10, body=b"<REQUEST><QUERY>",
                                                            headers=[("Content-Type", "application/xml"), ("GLPI-Agent-ID", AGENT_ID)])
    assert (status, body) == (400, b'<?xml version="1.0" encoding="UTF-8"?><REPLY><ERROR><![CDATA[XML not well formed!]]></ERROR></REPLY>')


def test_mode_is_guessed_without_content_type(glpi10, agent_document):
    assert request(glpi10, body=json.dumps(agent_document).encode())[3] == b'{"RESPONSE":"SEND"}'
    assert request(glpi10, body=b"{ bad content", headers=[("GLPI-Agent-ID", AGENT_ID)])[:1] == (400,)


def test_without_validation_anything_json_is_accepted():
    with GLPIDouble(validate=False) as double:
        assert post_json(double, {"deviceid": "x", "whatever": 1})[0] == 200
        assert double.accepted_documents() == [{"deviceid": "x", "whatever": 1}]


def test_inventory_disabled():
    with GLPIDouble(glpi_version=10, enabled=False) as double:
        status, _unused_reason, _unused_headers, body = post_json(double, {"deviceid": "x"})
        assert (status, body) == (200, b"Inventory is disabled")
        double.enabled = True
        assert post_json(double, {"deviceid": "x"})[0] == 400
    with GLPIDouble(glpi_version=11, enabled=False) as double:
        assert post_json(double, {"deviceid": "x"})[:1] == (403,)
        assert double.accepted_documents() == []


def test_routes_under_a_root_path(agent_document):
    with GLPIDouble(glpi_version=11, root="/glpi/") as double:
        assert double.url.endswith(":%d/glpi/front/inventory.php" % double.port)
        for path in ("/glpi/front/inventory.php", "/glpi/", "/glpi", "/glpi/Inventory"):
            assert post_json(double, agent_document, path=path)[0] == 200, path
        assert post_json(double, agent_document, path="/front/inventory.php")[0] == 404
        assert request(double, "GET", "/glpi/")[0] == 200
        assert len(double.accepted_documents()) == 4
    with GLPIDouble(glpi_version=10) as double:
        assert post_json(double, agent_document, path="/Inventory")[0] == 404
        assert post_json(double, agent_document, path="/")[0] == 200


# -- authentication ---------------------------------------------------------------------------------


def _basic(login, password):
    return "Basic " + base64.b64encode(("%s:%s" % (login, password)).encode()).decode()


@pytest.mark.parametrize("version", [10, 11])
def test_basic_auth(version, agent_document):
    with GLPIDouble(glpi_version=version, basic_auth=("a_login", "a_password")) as double:
        status, _unused_reason, headers, body = post_json(double, agent_document)
        assert (status, header(headers, "WWW-Authenticate")) == (401, 'Basic realm="basic"')
        assert body == b'{"status":"error","message":"Authorization header required to send an inventory","expiration":24}'
        for wrong in (_basic("a_login", "nope"), base64.b64encode(b"a_login:a_password").decode(), "Basic !!!", "Basic "):
            status, _unused_reason, headers, body = post_json(double, agent_document, [("Authorization", wrong)])
            assert (status, json.loads(body)["message"]) == (401, "Access denied. Wrong login or password for basic authentication.")
        status, _unused_reason, _unused_headers, body = request(double, body=b"<REQUEST><QUERY>PROLOG</QUERY></REQUEST>",
                                                                headers=[("Content-Type", "application/xml")])
        assert status == 401 and body.startswith(b'{"status":"error"')
        assert post_json(double, agent_document, [("Authorization", _basic("a_login", "a_password"))])[0] == 200
        double.basic_auth = None
        assert post_json(double, agent_document)[0] == 200
        assert len(double.accepted_documents()) == 2


@pytest.mark.parametrize("password", ["p", "!", "p!a$s", "it's", 'say "hi"', "with space", " ", "100%", "%41%3A",
                                      "a:b", "::", "p:a:ss", "pässwörd", "密码€", "!$'\" %:é"])
def test_basic_auth_with_any_password(password):
    with GLPIDouble(validate=False, basic_auth=("agent", password)) as double:
        assert post_json(double, {"deviceid": "x"}, [("Authorization", _basic("agent", password))])[0] == 200
        for wrong in (password + "x", password[:-1], password.upper() if password.upper() != password else password + " "):
            assert post_json(double, {"deviceid": "x"}, [("Authorization", _basic("agent", wrong))])[0] == 401, wrong
        assert post_json(double, {"deviceid": "x"}, [("Authorization", _basic("agent:" + password, ""))])[0] == 401
        assert double.accepted_counts() == {"x": 1}
        assert double.errors() == []


def test_basic_auth_compares_utf8_bytes_like_php():
    with GLPIDouble(validate=False, basic_auth=("agent", "pässwörd")) as double:
        latin1 = "Basic " + base64.b64encode("agent:pässwörd".encode("latin-1")).decode()
        assert post_json(double, {"deviceid": "x"}, [("Authorization", latin1)])[0] == 401
        assert post_json(double, {"deviceid": "x"}, [("Authorization", _basic("agent", "pässwörd"))])[0] == 200
        assert post_json(double, {"deviceid": "x"}, [("Authorization", _basic("agent", "pässwörd").replace("Basic", "basic"))])[0] == 200
        double.basic_auth = ["agent", "p"]  # a list works as well as a tuple
        assert post_json(double, {"deviceid": "x"}, [("Authorization", _basic("agent", "p"))])[0] == 200
        assert double.errors() == []


def _token(double, client=("agent", "s3cret"), scope="inventory", grant="client_credentials"):
    body = json.dumps({"grant_type": grant, "client_id": client[0], "client_secret": client[1], "scope": scope}).encode()
    status, _unused_reason, headers, answer = request(double, path=_path(double.token_url), body=body,
                                                      headers=[("Content-Type", "application/json")])
    return status, headers, json.loads(answer)


def test_oauth2_client_credentials(agent_document):
    with GLPIDouble(glpi_version=11, oauth_client=("agent", "s3cret"), token_lifetime=0.5) as double:
        status, headers, token = _token(double)
        assert status == 200 and header(headers, "Cache-Control") == "no-store"
        assert list(token) == ["token_type", "expires_in", "access_token"]
        assert token["token_type"] == "Bearer" and token["expires_in"] == 0
        bearer = [("Authorization", "Bearer " + token["access_token"])]
        assert post_json(double, agent_document, bearer)[0] == 200
        status, _unused_reason, _unused_headers, body = post_json(double, agent_document, [("Authorization", "Bearer nope")])
        assert (status, json.loads(body)["message"]) == (401, "Authorization header required to send an inventory")
        assert post_json(double, agent_document)[0] == 401
        time.sleep(0.6)  # expired: the client must fetch a new token
        assert post_json(double, agent_document, bearer)[0] == 401
        double.token_lifetime = 3600
        status, _unused_headers, token = _token(double)
        assert (status, token["expires_in"]) == (200, 3600)
        bearer = [("Authorization", "Bearer " + token["access_token"])]
        assert post_json(double, agent_document, bearer)[0] == 200
        double.revoke_tokens()
        assert post_json(double, agent_document, bearer)[0] == 401
        assert len(double.tokens_issued()) == 2 and len(double.accepted_documents()) == 2
        assert double.requests_seen()[0].document["client_secret"] == "***"


def test_oauth2_errors():
    with GLPIDouble(glpi_version=11, oauth_client=("agent", "s3cret")) as double:
        expected = {"error": "invalid_client", "error_description": "Client authentication failed"}
        assert _token(double, client=("agent", "wrong"))[::2] == (401, expected)
        status, _unused_headers, answer = _token(double, grant="password")
        assert (status, answer["error"]) == (400, "unsupported_grant_type")
        status, _unused_headers, answer = _token(double, scope="bogus")
        assert (status, answer["error"], answer["hint"]) == (400, "invalid_scope", "Check the `bogus` scope")
        status, _unused_headers, token = _token(double, scope="api")
        assert status == 200
        status, _unused_reason, _unused_headers, body = post_json(double, {"deviceid": "x"},
                                                                  [("Authorization", "Bearer " + token["access_token"])])
        expected = 'Access denied. Agent must authenticate using client credentials and have the "inventory" OAuth scope'
        assert (status, json.loads(body)["message"]) == (401, expected)
        form = b"grant_type=client_credentials&client_id=agent&client_secret=s3cret&scope=inventory"
        status = request(double, path=_path(double.token_url), body=form,
                         headers=[("Content-Type", "application/x-www-form-urlencoded")])[0]
        assert status == 200
    with GLPIDouble(glpi_version=10) as double:
        assert _token_status(double) == 404
    with pytest.raises(ValueError):
        GLPIDouble(glpi_version=10, oauth_client=("a", "b"))


def _token_status(double):
    return request(double, path=_path(double.token_url), body=b"{}", headers=[("Content-Type", "application/json")])[0]


# -- faults -----------------------------------------------------------------------------------------


def test_fail_n_times_then_ok(glpi10, agent_document):
    glpi10.fail_next(2)
    statuses = [post_json(glpi10, agent_document)[0] for _unused_index in range(3)]
    assert statuses == [500, 500, 200]
    assert [exchange.fault for exchange in glpi10.requests_seen()] == ["fail", "fail", None]
    assert len(glpi10.accepted_documents()) == 1
    glpi10.fail_next(1, status=503, body="maintenance", content_type="text/plain")
    assert post_json(glpi10, agent_document)[::3] == (503, b"maintenance")


def test_drop_connection(glpi10, agent_document):
    glpi10.drop_next(2)
    for _unused_index in range(2):
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            post_json(glpi10, agent_document)
    assert post_json(glpi10, agent_document)[0] == 200
    seen = glpi10.requests_seen()
    assert [(exchange.status, exchange.fault) for exchange in seen] == [(None, "drop"), (None, "drop"), (200, None)]


def test_throttle_with_retry_after(glpi10, agent_document):
    glpi10.throttle_next(1, retry_after=7)
    status, _unused_reason, headers, _unused_body = post_json(glpi10, agent_document)
    assert (status, header(headers, "Retry-After")) == (429, "7")
    assert post_json(glpi10, agent_document)[0] == 200


def test_slow_answers(glpi10):
    glpi10.set_delay(0.3)
    started = time.monotonic()
    assert post_json(glpi10, {"action": "contact", "deviceid": "x"})[0] == 200
    assert time.monotonic() - started >= 0.3
    glpi10.set_delay(0)
    post_json(glpi10, {"action": "contact", "deviceid": "x"})
    assert [exchange.delay for exchange in glpi10.requests_seen()] == [0.3, 0.0]  # the double's record, not a clock


def test_faults_target_the_token_endpoint(agent_document):
    with GLPIDouble(glpi_version=11, oauth_client=("agent", "s3cret")) as double:
        double.fail_next(1, target="token")
        assert post_json(double, agent_document)[0] == 401  # not consumed by the inventory endpoint
        assert _token_status_ok(double) == 500
        assert _token(double)[0] == 200
        double.throttle_next(1, target="any")
        assert _token_status_ok(double) == 429
        with pytest.raises(ValueError):
            double.fail_next(1, target="elsewhere")


def _token_status_ok(double):
    body = b'{"grant_type":"client_credentials","client_id":"agent","client_secret":"s3cret","scope":"inventory"}'
    return request(double, path=_path(double.token_url), body=body, headers=[("Content-Type", "application/json")])[0]


def test_reset_forgets_records_and_faults(glpi10, agent_document):
    post_json(glpi10, agent_document)
    glpi10.fail_next(5)
    glpi10.set_delay(1)
    glpi10.reset()
    assert glpi10.requests_seen() == [] and glpi10.accepted_documents() == [] and glpi10.delay == 0
    assert post_json(glpi10, agent_document)[0] == 200


def test_records_concurrent_requests(glpi10):
    documents = [{"action": "contact", "deviceid": "host-%02d" % index} for index in range(24)]
    threads = [threading.Thread(target=post_json, args=(glpi10, document)) for document in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(glpi10.wait_for_requests(24)) == 24
    assert sorted(doc["deviceid"] for doc in glpi10.contacts()) == [doc["deviceid"] for doc in documents]
    exchange = glpi10.requests_seen()[0]
    assert exchange.header("content-type") == "application/json" and exchange.response_header("Pragma") == "no-cache"
    assert json.dumps(exchange.as_dict())


def test_fail_with_hostile_bodies_and_a_200_login_page(glpi10, agent_document):
    login_page = ('<!DOCTYPE html><html><head><title>Proxy login</title></head><body><form method="post" action="/login">'
                  '<input name="user"><input name="password" type="password"></form></body></html>')
    glpi10.fail_next(1, status=200, body=login_page)
    status, _unused_reason, headers, body = post_json(glpi10, agent_document, [("GLPI-Agent-ID", AGENT_ID)])
    assert (status, header(headers, "Content-Type"), body) == (200, "text/html; charset=UTF-8", login_page.encode())
    assert header(headers, "GLPI-Agent-ID") is None  # not GLPI talking
    hostile = [("<RESPONSE>" + " " * 6000, "application/xml"), ("<title>" * 20000, "text/html"),
               (b"\x00\xff" * 50000, "application/x-compress-zlib"), ("é" * 10000, "application/json")]
    for body, content_type in hostile:
        glpi10.fail_next(1, status=200, body=body, content_type=content_type)
        status, _unused_reason, headers, answer = post_json(glpi10, agent_document)
        expected = body if isinstance(body, bytes) else body.encode("utf-8")
        assert (status, header(headers, "Content-Type"), answer) == (200, content_type, expected)
        assert header(headers, "Content-Length") == str(len(expected))
    glpi10.fail_next(1, status=502, body="<title>" * 20000)
    assert post_json(glpi10, agent_document)[::3] == (502, b"<title>" * 20000)
    assert [exchange.fault for exchange in glpi10.requests_seen()] == ["fail"] * 6
    assert glpi10.accepted_documents() == []


def test_redirect_to_the_double_itself(glpi10, agent_document):
    glpi10.redirect_next(1)
    status, _unused_reason, headers, body = post_json(glpi10, agent_document, path=_path(glpi10.url) + "?a=1")
    assert status == 302
    assert header(headers, "Location") == "http://127.0.0.1:%d/front/inventory.php?a=1" % glpi10.port
    assert header(headers, "Content-Type").startswith("text/html") and b"The document has moved" in body
    assert post_json(glpi10, agent_document)[0] == 200  # one redirect only
    assert [(exchange.status, exchange.fault) for exchange in glpi10.requests_seen()] == [(302, "redirect"), (200, None)]
    assert glpi10.accepted_documents() == [agent_document]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_double_records_what_arrives(status, agent_document):
    with GLPIDouble(basic_auth=("agent", "pw")) as first, GLPIDouble() as second:
        first.redirect_next(1, location=second.url, status=status)
        authorization = [("Authorization", _basic("agent", "pw"))]
        answer_status, _unused_reason, headers, _unused_body = post_json(first, agent_document, authorization)
        assert (answer_status, header(headers, "Location")) == (status, second.url)
        exchange = first.requests_seen()[0]
        assert (exchange.fault, exchange.header("Authorization"), exchange.accepted) == ("redirect", authorization[0][1], False)
        # a client that follows it and keeps its credentials: the second double sees them
        assert post_json(second, agent_document, authorization)[0] == 200
        assert second.requests_seen()[0].header("Authorization") == authorization[0][1]
        # one that drops them
        assert post_json(second, agent_document)[0] == 200
        assert second.requests_seen()[1].header("Authorization") is None
        assert first.errors() == [] and second.errors() == []


def test_urllib_follows_a_redirect_with_the_authorization_header(agent_document):
    with GLPIDouble() as first, GLPIDouble() as second:
        first.redirect_next(1, location=second.url)
        req = urllib.request.Request(first.url, data=json.dumps(agent_document).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": _basic("agent", "pw")})
        with pytest.raises(urllib.error.HTTPError) as caught:  # urllib turns a 302 POST into a GET: 405
            urllib.request.urlopen(req, timeout=10)
        assert caught.value.code == 405
        caught.value.close()
        followed = second.wait_for_requests(1)[0]
        assert (followed.method, followed.header("Authorization")) == ("GET", _basic("agent", "pw"))


def _raw_post(double, body=b'{"action":"contact","deviceid":"x"}', timeout=10, path=None):
    """A connected socket that has sent one whole POST request."""
    connection = socket.create_connection((double.host, double.port), timeout=timeout)
    head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (path or _path(double.url), double.host, double.port, len(body)))
    connection.sendall(head.encode() + body)
    return connection


def _read_all(connection):
    chunks = []
    while True:
        try:
            chunk = connection.recv(65536)
        except ConnectionError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_hang_then_close_without_an_answer(glpi10):
    glpi10.hang_next(1, seconds=0.4)
    started = time.monotonic()
    with _raw_post(glpi10) as connection:
        assert _read_all(connection) == b""
    assert time.monotonic() - started >= 0.35
    exchange = glpi10.requests_seen()[0]
    assert (exchange.status, exchange.fault, exchange.raw_body) == (None, "hang", b'{"action":"contact","deviceid":"x"}')
    assert glpi10.contacts() == []  # not processed
    assert post_json(glpi10, {"action": "contact", "deviceid": "x"})[0] == 200


def test_hang_until_the_client_times_out(glpi10):
    glpi10.hang_next(1, seconds=5, target="any")
    connection = http.client.HTTPConnection(glpi10.host, glpi10.port, timeout=0.3)
    connection.request("POST", _path(glpi10.url), body=b"{}", headers={"Content-Type": "application/json"})
    with pytest.raises(socket.timeout):
        connection.getresponse()
    connection.close()
    assert glpi10.requests_seen()[0].fault == "hang"


def test_drip_a_given_body(glpi10):
    glpi10.drip_next(1, interval=0.1, body=b'{"a":1}')
    with _raw_post(glpi10) as connection:
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(4096)
        head, _unused_sep, body = received.partition(b"\r\n\r\n")
        started = time.monotonic()
        head += b"\r\n"
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nContent-Length: 7\r\n" in head
        assert b"\r\nContent-Type: application/json\r\n" in head
        sizes = []
        while len(body) < 7:
            chunk = connection.recv(4096)
            assert chunk, body
            sizes.append(len(chunk))
            body += chunk
        assert body == b'{"a":1}' and len(sizes) >= 5  # about one byte at a time
        assert time.monotonic() - started >= 0.5
        assert connection.recv(10) == b""
    exchange = glpi10.requests_seen()[0]
    assert (exchange.status, exchange.fault, exchange.response_body) == (200, "drip", b'{"a":1}')
    assert glpi10.contacts() == []


def test_drip_the_normal_answer(glpi10, agent_document):
    glpi10.drip_next(1, interval=0.02)
    started = time.monotonic()
    status, _unused_reason, headers, body = post_json(glpi10, agent_document, [("GLPI-Agent-ID", AGENT_ID)])
    assert (status, body, header(headers, "GLPI-Agent-ID")) == (200, b'{"expiration":"24","status":"ok"}', AGENT_ID)
    assert time.monotonic() - started >= 0.02 * len(body) * 0.9
    assert glpi10.accepted_documents() == [agent_document]
    assert glpi10.requests_seen()[0].fault == "drip"
    # a read timeout catches it only when one byte takes longer than the timeout
    glpi10.drip_next(1, interval=0.5)
    connection = http.client.HTTPConnection(glpi10.host, glpi10.port, timeout=0.3)
    connection.request("POST", _path(glpi10.url), body=json.dumps(agent_document).encode(),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert (response.status, response.getheader("Content-Length")) == (200, "19")  # {"RESPONSE":"SEND"}
    with pytest.raises(socket.timeout):
        response.read()
    connection.close()


def test_drip_to_a_client_that_hangs_up(glpi10):
    glpi10.drip_next(1, interval=0.05, body=b"x" * 100)
    with _raw_post(glpi10) as connection:
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(4096)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a RST
    time.sleep(0.4)  # the double notices on its next writes
    assert glpi10.requests_seen()[0].fault == "drip"
    assert glpi10.errors() == []


def test_bomb(glpi10):
    size = 2 ** 24 + 12345
    glpi10.bomb_next(1, expanded_size=size)
    status, _unused_reason, headers, body = post_json(glpi10, {"action": "contact", "deviceid": "x"}, [("GLPI-Agent-ID", AGENT_ID)])
    assert (status, header(headers, "Content-Type")) == (200, "application/x-compress-zlib")
    assert len(body) < size // 500
    plain = zlib.decompress(body)
    assert len(plain) == size and plain.startswith(b'{"status":"ok","x":"   ') and plain.endswith(b'   "}')
    assert plain == b'{"status":"ok","x":"' + b" " * (size - 22) + b'"}'
    assert glpi10.requests_seen()[0].fault == "bomb" and glpi10.contacts() == []
    started = time.monotonic()
    glpi10.bomb_next(1)  # 2 GiB
    status, _unused_reason, _unused_headers, body = post_json(glpi10, {"deviceid": "x"})
    assert status == 200 and len(body) < 4 * 2 ** 20
    inflater = zlib.decompressobj()
    assert inflater.decompress(body, 2 ** 20).startswith(b'{"status":"ok","x":"    ')
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("size", [0, 1, 21, 22, 1000, 2 * 2 ** 20, 2 * 2 ** 20 + 1, 2 ** 26 + 7])
def test_zlib_bomb_inflates_to_the_exact_size(size):
    data = zlib_bomb(size)
    assert zlib_bomb(size) is data  # cached
    inflater = zlib.decompressobj()
    total, head, tail, pending = 0, b"", b"", data
    while True:
        out = inflater.decompress(pending, 2 ** 22)
        pending = inflater.unconsumed_tail
        head = head or out[:30]
        tail = (tail + out)[-2:]
        total += len(out)
        if not out and not pending:
            break
    assert inflater.eof and total == size  # eof: the adler32 checked out
    expected = (b'{"status":"ok","x":"' + b" " * max(0, size - 22) + b'"}')[:size]
    assert (head, tail) == (expected[:30], expected[-2:])


def _post_at_once(double, documents):
    threads = [threading.Thread(target=post_json, args=(double, doc)) for doc in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(exchange.import_span for exchange in double.requests_seen() if exchange.accepted)


def test_import_time_serialises_imports(agent_document):
    """What the double did is read from its own record of each import, not from the test's clock: a busy machine
    can delay a request, never make two serial imports overlap."""
    documents = [dict(agent_document, deviceid="host-%d" % index) for index in range(3)]
    with GLPIDouble(glpi_version=10) as double:
        double.set_import_time(0.4)
        assert (double.import_time, double.import_serial) == (0.4, True)
        spans = _post_at_once(double, documents)
        assert len(spans) == 3 and all(end - start >= 0.4 * 0.9 for start, end in spans)
        assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:])), "serial imports overlapped: %s" % spans
        assert double.accepted_counts() == {"host-0": 1, "host-1": 1, "host-2": 1}
        # not serial: the three imports run at the same time (each one lasts long enough for the others to arrive)
        double.reset()
        assert double.max_concurrent_imports() == 0 and double.import_time == 0
        double.set_import_time(3.0, serial=False)
        spans = _post_at_once(double, documents)
        assert len(spans) == 3 and max(start for start, _end in spans) < min(end for _start, end in spans), spans
        assert double.max_concurrent_imports() == 3
        assert double.errors() == []


def test_import_time_applies_to_accepted_inventories_only(glpi10, agent_document):
    glpi10.set_import_time(5)
    started = time.monotonic()
    assert post_json(glpi10, {"action": "contact", "deviceid": "x"})[0] == 200
    assert post_json(glpi10, {"deviceid": "x"})[0] == 400  # schema violation: no import
    assert post_json(glpi10, b"{ bad")[0] == 400
    glpi10.fail_next(1)
    assert post_json(glpi10, agent_document)[0] == 500
    assert all(exchange.import_span is None for exchange in glpi10.requests_seen())  # none of them was imported
    assert time.monotonic() - started < 5 * 4  # had they been, each would have taken 5 s
    assert glpi10.max_concurrent_imports() == 1
    glpi10.clear_faults()
    assert glpi10.import_time == 0
    assert post_json(glpi10, agent_document)[0] == 200


def test_stop_ends_hang_drip_and_imports_at_once(agent_document):
    double = GLPIDouble(glpi_version=10).start()
    double.set_import_time(30)
    outcomes = []

    def client(body, path=None):
        try:
            with _raw_post(double, body, timeout=20, path=path) as connection:
                outcomes.append(_read_all(connection))
        except OSError as exc:
            outcomes.append(exc)

    document = json.dumps(agent_document).encode()
    threads = [threading.Thread(target=client, args=(document,)), threading.Thread(target=client, args=(document,))]
    for thread in threads:  # two imports: one importing, one waiting for it
        thread.start()
    deadline = time.monotonic() + 5
    while double.max_concurrent_imports() < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    double.hang_next(1, seconds=30)
    double.drip_next(1, interval=30, body=b"never")
    for _unused_index in range(2):
        threads.append(threading.Thread(target=client, args=(b'{"action":"contact","deviceid":"x"}',)))
        threads[-1].start()
        while len([exchange for exchange in double.requests_seen() if exchange.fault]) < len(threads) - 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    silent = socket.create_connection((double.host, double.port), timeout=20)  # a client that never sends a request
    started = time.monotonic()
    double.stop()
    assert time.monotonic() - started < 15  # not held by the hung (30 s) and dripping (30 s) answers
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
    silent.close()
    assert len(outcomes) == 4 and double.errors() == []
    assert [exchange.fault for exchange in double.requests_seen()][:2] == ["hang", "drip"]


# -- TLS and the command line -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["cryptography", "openssl"])
def test_tls(tmp_path, backend, agent_document):
    if backend == "cryptography":
        pytest.importorskip("cryptography")
    ca = make_test_ca(tmp_path, backend=backend)
    with GLPIDouble(tls=(ca.server_cert, ca.server_key)) as double:
        assert double.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=ca.ca_cert)
        assert request(double, body=json.dumps(agent_document).encode(), headers=[("Content-Type", "application/json")],
                       context=context)[0] == 200
        with pytest.raises(ssl.SSLError):  # the CA is not trusted by default
            request(double, body=b"{}", context=ssl.create_default_context())
        with socket.create_connection((double.host, double.port), timeout=5) as plain:  # a plain-text client
            plain.sendall(b"POST /front/inventory.php HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            plain.recv(100)
        localhost = ssl.create_default_context(cafile=ca.ca_cert)
        connection = http.client.HTTPSConnection("localhost", double.port, timeout=10, context=localhost)
        connection.request("POST", "/front/inventory.php", body=b'{"action":"contact","deviceid":"x"}',
                           headers={"Content-Type": "application/json"})
        assert connection.getresponse().status == 200
        connection.close()
        assert len(double.accepted_documents()) == 1


def test_command_line(tmp_path, agent_document):
    process = subprocess.Popen([sys.executable, "-m", "tests.glpi_double.server", "--port", "0", "--glpi-version", "11",
                                "--root", "/glpi", "--basic-auth", "u:p:!x", "--record-dir", str(tmp_path),
                                "--import-time", "0.3", "--serial"],
                               cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.match(r"GLPI 11\.0\.1 double listening on (http://127\.0\.0\.1:(\d+)(/glpi/front/inventory\.php))$", line.strip())
        assert match, line + process.stderr.read() if process.poll() is not None else line
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(2)), timeout=10)
        started = time.monotonic()
        connection.request("POST", match.group(3), body=json.dumps(agent_document).encode(),
                           headers={"Content-Type": "application/json", "Authorization": _basic("u", "p:!x")})
        assert connection.getresponse().status == 200
        assert time.monotonic() - started >= 0.25  # --import-time
        connection.close()
        recorded = list(tmp_path.glob("*.json"))
        assert len(recorded) == 1 and json.loads(recorded[0].read_text()) == agent_document
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_stored_computers_apply_partial_documents_like_glpi(glpi11):
    base = {"action": "inventory", "deviceid": "pc-2026-12-06-08-00-00", "itemtype": "Computer",
            "content": {"versionclient": "GLPI-Agent_v1.11", "hardware": {"name": "pc"}, "bios": {"ssn": "1"},
                        "softwares": [{"name": "bash"}], "drives": [{"volumn": "/", "type": "/"}]}}
    assert post_json(glpi11, base)[0] == 200
    partial = dict(base, partial=True, content={"versionclient": "GLPI-Agent_v1.11", "hardware": {"name": "pc2"}})
    assert post_json(glpi11, partial)[0] == 200
    stored = glpi11.stored_computers()[base["deviceid"]]
    assert stored["hardware"] == {"name": "pc2"} and stored["softwares"] == [{"name": "bash"}] and "drives" in stored
    # a full document replaces everything: a section it lacks is gone
    full = dict(base, content={"versionclient": "GLPI-Agent_v1.11", "hardware": {"name": "pc3"}})
    assert post_json(glpi11, full)[0] == 200
    assert glpi11.stored_computers()[base["deviceid"]] == full["content"]


def test_import_time_may_be_a_model_of_the_document_size(glpi11):
    glpi11.set_import_time(lambda size: size / 1e6, serial=True)
    small = {"action": "inventory", "deviceid": "pc-2026-12-06-08-00-00", "content": {"versionclient": "x", "hardware": {"name": "pc"}}}
    large = dict(small, content=dict(small["content"], softwares=[{"name": "package-%05d" % i} for i in range(2000)]))
    assert post_json(glpi11, small)[0] == 200 and post_json(glpi11, large)[0] == 200
    first, second = [exchange for exchange in glpi11.requests_seen() if exchange.accepted]
    assert first.import_seconds == len(first.body) / 1e6 and second.import_seconds == len(second.body) / 1e6
    assert second.import_seconds > 20 * first.import_seconds
