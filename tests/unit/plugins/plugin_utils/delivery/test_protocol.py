# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GLPI inventory endpoint protocol: URLs, headers, bodies, answers."""

from __future__ import annotations

import json
import uuid
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _protocol as p


@pytest.mark.parametrize("server, expected", [
    ("https://glpi.example.com", "https://glpi.example.com/front/inventory.php"),
    ("https://glpi.example.com/", "https://glpi.example.com/front/inventory.php"),
    ("HTTPS://glpi.example.com:8443/glpi", "https://glpi.example.com:8443/glpi/front/inventory.php"),
    ("http://glpi.example.com/glpi/", "http://glpi.example.com/glpi/front/inventory.php"),
    ("https://glpi.example.com/front/inventory.php", "https://glpi.example.com/front/inventory.php"),
    ("https://glpi.example.com/Inventory", "https://glpi.example.com/Inventory"),
    ("https://example.com/inventory/", "https://example.com/inventory/front/inventory.php"),
    ("https://example.com/Inventory/", "https://example.com/Inventory/front/inventory.php"),
    ("https://glpi.example.com/plugins/glpiinventory/", "https://glpi.example.com/plugins/glpiinventory/"),
    ("https://glpi.example.com/marketplace/glpiinventory/", "https://glpi.example.com/marketplace/glpiinventory/"),
    ("  https://glpi.example.com/?entity=2#frag ", "https://glpi.example.com/front/inventory.php?entity=2"),
    ("https://[2001:db8::1]:8080", "https://[2001:db8::1]:8080/front/inventory.php"),
])
def test_inventory_url_normalises_a_glpi_root(server, expected):
    assert p.inventory_url(server) == expected


@pytest.mark.parametrize("server", [
    "https://admin:S3cr%40t!@glpi.example.com/",
    "https://admin@glpi.example.com/",
    "https://:S3cr%40t!@glpi.example.com/front/inventory.php",
])
def test_url_with_credentials_is_refused_without_showing_them(server):
    with pytest.raises(p.GLPIURLError) as info:
        p.inventory_url(server)
    message = str(info.value)
    assert "S3cr" not in message and "admin" not in message
    assert "username and password" in message and "client_id" in message
    assert "https://glpi.example.com/" in message


@pytest.mark.parametrize("server", ["", "   ", None, 42, "glpi.example.com", "ftp://glpi.example.com/", "https:///front/inventory.php",
                                    "https://glpi.example.com:99999/", "file:///etc/passwd"])
def test_unusable_urls_are_refused(server):
    with pytest.raises(p.GLPIURLError):
        p.inventory_url(server)


@pytest.mark.parametrize("url, root", [
    ("https://glpi.example.com/front/inventory.php", "https://glpi.example.com/"),
    ("https://glpi.example.com/glpi/front/inventory.php?x=1", "https://glpi.example.com/glpi/"),
    ("https://glpi.example.com/Inventory", "https://glpi.example.com/"),
    ("https://glpi.example.com/glpi/index.php", "https://glpi.example.com/glpi/"),
])
def test_glpi_root_and_token_url(url, root):
    assert p.glpi_root(url) == root
    assert p.token_url(url) == root + "api.php/token"


def test_display_url_hides_userinfo_and_query():
    assert p.display_url("https://u:pw@glpi.example.com/front/inventory.php?token=abc") == "https://glpi.example.com/front/inventory.php"
    assert p.display_url("http://[bad") == "<invalid URL>"


def test_agent_id_is_a_stable_uuid5_of_the_deviceid():
    first = p.agent_id("web01-2026-11-23-01-44-55")
    assert first == p.agent_id("web01-2026-11-23-01-44-55")
    assert uuid.UUID(first).version == 5
    assert first == str(uuid.uuid5(uuid.UUID("1e44623f-8581-481e-be06-e95a7fc06438"), "web01-2026-11-23-01-44-55"))
    assert first != p.agent_id("web02-2026-11-23-01-44-55")


def test_user_agent_names_the_collection_and_version():
    assert p.user_agent() == "glpiops.glpi/%s" % COLLECTION_VERSION
    assert p.user_agent("2.19.1") == "glpiops.glpi/%s ansible-core/2.19.1" % COLLECTION_VERSION
    headers = p.request_headers("web01", p.CONTENT_TYPE_ZLIB)
    assert headers["GLPI-Agent-ID"] == p.agent_id("web01") and headers["Content-Type"] == "application/x-compress-zlib"


def test_encode_body_zlib_and_plain():
    document = {"deviceid": "web01", "content": {"hardware": {"name": "wéb01"}}}
    body, ctype = p.encode_body(document)
    assert ctype == "application/x-compress-zlib" and body[:1] == b"\x78"
    assert json.loads(zlib.decompress(body).decode("utf-8")) == document
    body, ctype = p.encode_body(document, "none")
    assert ctype == "application/json" and json.loads(body.decode("utf-8")) == document
    assert p.encode_body('{"a":1}', "none")[0] == b'{"a":1}'
    assert p.encode_body(b'{"a":1}', "none")[0] == b'{"a":1}'
    with pytest.raises(ValueError):
        p.encode_body(document, "gzip")


def test_contact_request():
    request = p.contact_request("web01", tag="paris")
    assert request["action"] == "contact" and request["deviceid"] == "web01" and request["tag"] == "paris"
    assert request["installed-tasks"] == ["inventory"] and request["enabled-tasks"] == ["inventory"]
    assert "tag" not in p.contact_request("web01")


@pytest.mark.parametrize("status, body, accepted, retryable, message", [
    (200, b'{"status":"ok","expiration":"24"}', True, False, None),
    (200, b'{"RESPONSE":"SEND"}', True, False, None),
    (200, b"<?xml version='1.0'?><REPLY><RESPONSE>SEND</RESPONSE></REPLY>", True, False, None),
    (200, b'{"status":"error","message":"Inventory is disabled"}', False, False, "Inventory is disabled"),
    (200, b"<html><title>Login</title></html>", False, False, "Login"),
    (200, b"", False, False, "empty answer"),
    (400, b'{"status":"error","message":"JSON not well formed!","expiration":24}', False, False, "JSON not well formed!"),
    (500, b'{"status":"error","message":"JSON does not validate. Violations:\\nx"}', False, False, "JSON does not validate. Violations: x"),
    (500, b"<html><head><title>500 Internal Server Error</title></head></html>", False, True, "500 Internal Server Error"),
    (502, b"Bad gateway", False, True, "Bad gateway"),
    (503, b"", False, True, None),
    (429, b"slow down", False, True, "slow down"),
    (404, b"Not Found", False, False, "Not Found"),
    (405, b"", False, False, None),
])
def test_parse_answer(status, body, accepted, retryable, message):
    answer = p.parse_answer(status, "application/json", body)
    assert (answer.accepted, answer.retryable, answer.message) == (accepted, retryable, message)
    assert (answer.error is None) == accepted
    if not accepted:
        assert answer.error.startswith("GLPI answered HTTP %d" % status)


def test_parse_answer_auth_and_expiration_and_disabled():
    answer = p.parse_answer(401, "text/plain", b"Access denied. Wrong login or password for basic authentication.")
    assert answer.auth_failed and not answer.retryable and "Wrong login" in answer.message
    answer = p.parse_answer(403, "application/json", b'{"status":"error","message":"Inventory is disabled"}')
    assert not answer.auth_failed and answer.message == "Inventory is disabled"
    contact = (b'{"message":"remoteinventory task not supported","disabled":["remoteinventory"],"expiration":"24",'
               b'"status":"ok","tasks":{"inventory":{"server":"glpi","version":"10.0.12"}}}')
    answer = p.parse_answer(200, "application/x-compress-zlib", zlib.compress(contact))
    assert answer.accepted and answer.expiration == 24 and answer.disabled == ("remoteinventory",)
    assert answer.tasks["inventory"]["version"] == "10.0.12" and answer.message == "remoteinventory task not supported"
    assert p.parse_answer(200, None, b'{"status":"ok","expiration":12}').expiration == 12
    assert p.parse_answer(200, None, b'{"status":"ok","expiration":"soon"}').expiration is None
    assert p.parse_answer(429, None, b"", retry_after="7").retry_after == 7.0
    assert p.parse_answer(429, None, b"", retry_after="Wed, 21 Oct 2015 07:28:00 GMT").retry_after is None


def test_inflate_sniffs_zlib_and_survives_lies():
    assert p.inflate(zlib.compress(b'{"a":1}'), "application/json") == (b'{"a":1}', False)
    assert p.inflate(b'{"a":1}', "application/x-compress-zlib") == (b'{"a":1}', False)
    assert p.inflate(b"x\x9cgarbage", "application/x-compress-zlib") == (b"x\x9cgarbage", False)


# What GLPI 10.0.12 answers an XML inventory (FACTS, verified on the real server 2026-12-04).
GLPI10_XML_OK = b'<?xml version="1.0" encoding="UTF-8"?><REPLY><expiration>24</expiration><status>ok</status></REPLY>'


@pytest.mark.parametrize("content_type, body", [
    ("application/xml", GLPI10_XML_OK),
    ("application/x-compress-zlib", zlib.compress(GLPI10_XML_OK)),
    ("application/xml", b'<?xml version="1.0"?>\n<REPLY><RESPONSE>SEND</RESPONSE><PROLOG_FREQ>24</PROLOG_FREQ></REPLY>\n'),
])
def test_glpi_xml_answers_are_success(content_type, body):
    answer = p.parse_answer(200, content_type, body)
    assert answer.accepted and answer.expiration == 24 and not answer.refused


def test_glpi_xml_error_is_glpis_refusal_with_its_message():
    body = b'<?xml version="1.0"?>\n<REPLY><ERROR><![CDATA[XML not well formed!]]></ERROR></REPLY>'
    answer = p.parse_answer(400, "application/xml", body)
    assert answer.refused and not answer.accepted and not answer.retryable and answer.message == "XML not well formed!"
    assert answer.error == "GLPI answered HTTP 400: XML not well formed!"


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><REPLY><status>&b;</status></REPLY>',
    b"<REPLY><status>ok</status>",  # not well formed
    b"<OTHER><status>ok</status></OTHER>",
])
def test_xml_that_is_not_a_glpi_reply_is_not_success(body):
    answer = p.parse_answer(200, "application/xml", body)
    assert not answer.accepted and not answer.refused and answer.message


@pytest.mark.parametrize("status, retryable", [(200, False), (404, False), (502, True)])
def test_html_pages_give_a_clear_error_with_the_http_status(status, retryable):
    page = b"<html><head><title>Proxy authentication required</title></head><body><form>...</form></body></html>"
    answer = p.parse_answer(status, "text/html; charset=UTF-8", page)
    assert not answer.accepted and not answer.refused and answer.retryable == retryable
    assert answer.error == "GLPI answered HTTP %d: Proxy authentication required" % status


def test_glpi_11_ignored_keys_answer_means_imported():
    body = b'{"status":"error","message":"Following keys has been ignored during process: extra","expiration":24}'
    answer = p.parse_answer(500, "application/json", body)
    assert answer.accepted and "ignored" in answer.message


def _finishes(function, seconds=60.0):
    """Run ``function`` in a thread; whether it returned within ``seconds`` (a hang guard, not a benchmark)."""
    import threading
    done = threading.Event()
    thread = threading.Thread(target=lambda: (function(), done.set()), daemon=True)
    thread.start()
    return done.wait(seconds)


@pytest.mark.parametrize("body", [
    b"<RESPONSE>" + b" " * 200000,
    b"<REPLY><RESPONSE>" + b" " * 200000 + b"x",
    b"<html><title>" * 200000,
    b"<title" * 200000,
    b"<" * 200000,
])
def test_hostile_answers_are_parsed_in_linear_time(body):
    # The old regular expressions took 121 s on 6,000 spaces (cubic): 200,000 would never end.
    answers = []
    assert _finishes(lambda: answers.append(p.parse_answer(200, "text/html", body)))
    assert not answers[0].accepted and len(answers[0].message or "") <= p.MESSAGE_MAX


def test_a_zlib_bomb_is_cut_at_answer_max():
    bomb = zlib.compress(b'{"status":"ok","x":"' + b" " * (64 << 20), 9)
    assert len(bomb) < 100000
    answer = p.parse_answer(200, "application/x-compress-zlib", bomb)
    assert answer.oversized and not answer.accepted and "larger than" in answer.message
    data, oversized = p.inflate(bomb, "application/x-compress-zlib")
    assert oversized and len(data) == p.ANSWER_MAX


def test_messages_are_masked_before_they_are_cut():
    secret = "s3cr3t-Secret-value"
    text = "x" * (p.MESSAGE_MAX - 10) + " " + secret
    body = json.dumps({"status": "error", "message": text}).encode()
    unmasked = p.parse_answer(400, "application/json", body)
    assert "s3cr3t" in unmasked.message  # the cut split the secret: masking afterwards would miss it
    masked = p.parse_answer(400, "application/json", body, mask=lambda value: value.replace(secret, "********"))
    assert "s3cr3t" not in masked.message and masked.message.endswith(" ********")


@pytest.mark.parametrize("url, canonical", [
    ("HTTP://LOCALHOST:80/front/inventory.php", "http://localhost/front/inventory.php"),
    ("https://Glpi.Example.com:443/glpi/front/inventory.php?x=1", "https://glpi.example.com/glpi/front/inventory.php?x=1"),
    ("https://glpi.example.com:8443/Inventory", "https://glpi.example.com:8443/Inventory"),
    ("http://[::1]:8080/front/inventory.php", "http://[::1]:8080/front/inventory.php"),
])
def test_canonical_url(url, canonical):
    assert p.canonical_url(url) == canonical


@settings(max_examples=300, deadline=None)
@given(
    status=st.one_of(st.integers(min_value=-5, max_value=700), st.none(), st.text(max_size=4)),
    content_type=st.one_of(st.none(), st.sampled_from(["application/json", "application/x-compress-zlib", "application/x-gzip",
                                                       "application/x-deflate", "text/html"]), st.text(max_size=20)),
    body=st.one_of(st.binary(max_size=300), st.text(max_size=300), st.none(),
                   st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                                lambda children: st.lists(children, max_size=4) | st.dictionaries(
                                    st.sampled_from(["status", "message", "expiration", "disabled", "tasks", "RESPONSE", "ERROR"]),
                                    children, max_size=5), max_leaves=15).map(lambda value: json.dumps(value).encode())),
    compress=st.booleans(),
    retry_after=st.one_of(st.none(), st.text(max_size=6)),
)
def test_parse_answer_never_raises(status, content_type, body, compress, retry_after):
    if compress and isinstance(body, bytes):
        body = zlib.compress(body)
    answer = p.parse_answer(status, content_type, body, retry_after)
    assert isinstance(answer, p.Answer)
    assert not answer.accepted or 200 <= answer.status < 300
    assert not (answer.accepted and answer.retryable)
    assert answer.message is None or (isinstance(answer.message, str) and len(answer.message) <= p.MESSAGE_MAX)
    assert answer.expiration is None or (isinstance(answer.expiration, int) and answer.expiration >= 0)
    assert isinstance(answer.disabled, tuple) and all(isinstance(task, str) for task in answer.disabled)
