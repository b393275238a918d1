# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 13: every result of glpi_inventory and glpi_inventory_submit tells the truth, against the GLPI double."""

from __future__ import annotations

import json
import os
import socket
import zlib

import pytest

from ansible_collections.glpiops.glpi.plugins.action.glpi_inventory import ActionModule as InventoryAction
from ansible_collections.glpiops.glpi.plugins.action.glpi_inventory_submit import ActionModule as SubmitAction
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import MASK
from tests.glpi_double import GLPIDouble
from tests.unit.plugins.action._actions import make_action

DEVICEID = "vm-2026-11-23-03-02-29"  # of the recorded collector result (collected_debian_vm)
SPECIAL_SECRETS = ["p", "ok", "id", "pool", "!$'\" %ä€", "100%-sure", "p@ss:wörd/&=+"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inventory(collected_debian_vm, tmp_path, monkeypatch):
    """``inventory(**args)`` -> the result of one glpi_inventory task (spool and token cache under tmp_path)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def run(check_mode=False, **args):
        args.setdefault("spool_path", str(tmp_path / "spool"))
        args.setdefault("timeout", 5)
        plugin = make_action(InventoryAction, args, json.loads(json.dumps(collected_debian_vm)), check_mode=check_mode)
        result = plugin.run(task_vars={"inventory_hostname": "vm"})
        json.dumps(result)  # what Ansible will serialise
        return result
    return run


def spool_files(tmp_path):
    spool = tmp_path / "spool"
    return sorted(name for name in os.listdir(spool) if name.endswith(".json")) if spool.exists() else []


# -- 1. a short secret never corrupts the result -------------------------------------------------------------------


@pytest.mark.parametrize("password", SPECIAL_SECRETS)
def test_a_short_or_special_password_delivers_and_never_corrupts_the_result(inventory, password):
    with GLPIDouble(glpi_version=10, basic_auth=("agent", password)) as glpi:
        result = inventory(server=[glpi.base_url], username="agent", password=password)
    assert not result.get("failed"), result.get("msg")
    assert result["delivered"] is True and result["spooled"] is None and result["status"] == "sent"
    assert set(result["delivery"]["servers"][0]) >= {"server", "status", "delivered", "spooled", "attempts"}
    assert glpi.accepted_documents()[0]["deviceid"] == DEVICEID


def test_a_password_that_is_a_status_word_leaves_delivered_and_spooled_truthful(inventory, tmp_path):
    # A value that *is* the secret is masked, even "spooled"; the booleans and the path still tell the truth.
    result = inventory(server=["http://127.0.0.1:%d/" % free_port()], username="agent", password="spooled")
    assert result["status"] == MASK and result["delivered"] is False and not result.get("failed")
    assert result["spooled"] == str(tmp_path / "spool" / spool_files(tmp_path)[0])


@pytest.mark.parametrize("password", ["p", "ok", "id", "pool"])
def test_a_short_password_with_glpi_down_still_reports_spooled(inventory, tmp_path, password):
    result = inventory(server=["http://127.0.0.1:%d/" % free_port()], username="agent", password=password)
    assert not result.get("failed"), result.get("msg")
    assert result["status"] == "spooled" and result["delivered"] is False
    assert result["spooled"] == str(tmp_path / "spool" / spool_files(tmp_path)[0])
    assert "spooled" in result["delivery"]["servers"][0]


def test_a_wrong_password_fails_and_is_never_shown(inventory):
    with GLPIDouble(glpi_version=10, basic_auth=("agent", "right")) as glpi:
        result = inventory(server=[glpi.base_url], username="agent", password="wr0ng pässword")
    assert result["failed"] and "HTTP 401" in result["msg"] and "check username and password" in result["msg"]
    assert "wr0ng" not in json.dumps(result) and len(glpi.inventory_requests()) == 1


# -- 2. GLPI's XML answer is success -------------------------------------------------------------------------------


XML_DOCUMENT = ("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<REQUEST><CONTENT><HARDWARE><NAME>vm</NAME></HARDWARE></CONTENT>"
                "<DEVICEID>vm-2026-11-22-09-43-37</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>\n")


@pytest.fixture
def submit(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def run(check_mode=False, **args):
        args.setdefault("spool_path", str(tmp_path / "spool"))
        args.setdefault("timeout", 5)
        result = make_action(SubmitAction, args, check_mode=check_mode).run(task_vars={})
        json.dumps(result)
        return result
    return run


@pytest.mark.parametrize("compression", ["none", "zlib"])
def test_an_xml_inventory_answered_in_xml_is_delivered(submit, tmp_path, compression):
    path = tmp_path / "vm.xml"
    path.write_text(XML_DOCUMENT)
    with GLPIDouble(glpi_version=10) as glpi:
        result = submit(path=[str(path)], server=[glpi.base_url], compression=compression)
        answer = glpi.inventory_requests()[0]
    assert not result.get("failed"), result.get("msg")
    assert result["delivered"] and result["sent"] == 1 and result["documents"][0]["status"] == "sent"
    body = answer.response_body if compression == "none" else zlib.decompress(answer.response_body)
    assert body == b'<?xml version="1.0" encoding="UTF-8"?><REPLY><expiration>24</expiration><status>ok</status></REPLY>'


def test_an_html_error_page_is_a_clear_error_with_the_status(submit, tmp_path, collected_debian_vm):
    path = tmp_path / "vm.xml"
    path.write_text(XML_DOCUMENT)
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.fail_next(1, status=404, body="<html><head><title>404 Not Found</title></head><body>" + "<p>" * 5000 + "</body></html>")
        result = submit(path=[str(path)], server=[glpi.base_url])
    assert result["failed"] and "GLPI answered HTTP 404: 404 Not Found" in result["msg"]
    assert "Traceback" not in result["msg"] and not result["delivered"]


# -- 3. the OAuth token cache knows which secret got the token ------------------------------------------------------


def test_a_wrong_client_secret_never_rides_on_a_cached_token(inventory, tmp_path):
    with GLPIDouble(glpi_version=11, oauth_client=("inventory-client", "right-s3cret")) as glpi:
        first = inventory(server=[glpi.base_url], client_id="inventory-client", client_secret="right-s3cret")
        wrong = inventory(server=[glpi.base_url], client_id="inventory-client", client_secret="rotated-or-typo")
        again = inventory(server=[glpi.base_url], client_id="inventory-client", client_secret="right-s3cret")
        issued = glpi.tokens_issued()
    assert first["delivered"] and again["delivered"]
    assert wrong["failed"] and "refused the OAuth2 client credentials" in wrong["msg"] and not wrong["delivered"]
    assert len(issued) == 1, "the right secret's token is still cached; the wrong secret got none"
    assert not any(("right-s3cret" in json.dumps(result) or "rotated-or-typo" in json.dumps(result)) for result in (first, wrong, again))
    for name in os.listdir(tmp_path / "home" / ".ansible" / "glpi_tokens"):
        text = (tmp_path / "home" / ".ansible" / "glpi_tokens" / name).read_text()
        assert "right-s3cret" not in text and "rotated" not in text and "right-s3cret" not in name


@pytest.mark.parametrize("secret", SPECIAL_SECRETS)
def test_a_revoked_token_is_dropped_and_the_request_sent_once_more(inventory, secret):
    with GLPIDouble(glpi_version=11, oauth_client=("client", secret)) as glpi:
        assert inventory(server=[glpi.base_url], client_id="client", client_secret=secret)["delivered"]
        glpi.revoke_tokens()
        result = inventory(server=[glpi.base_url], client_id="client", client_secret=secret)
        statuses = [exchange.status for exchange in glpi.inventory_requests()]
    assert result["delivered"] and statuses == [200, 401, 200] and len(glpi.tokens_issued()) == 2
    if len(secret) > 4:  # a short one is a part of many words, which are left alone
        assert secret not in json.dumps(result, ensure_ascii=False).replace(MASK, "")


# -- 4. one spool copy per device; delivered / spooled / fail_on_undelivered -------------------------------------------


def test_glpi_down_keeps_one_copy_per_device_then_delivers_it_once(inventory, tmp_path):
    port = free_port()
    server = "http://127.0.0.1:%d/" % port
    results = [inventory(server=[server]) for _run in range(3)]
    assert [result["status"] for result in results] == ["spooled"] * 3
    assert all(not result.get("failed") and result["delivered"] is False for result in results)
    files = spool_files(tmp_path)
    assert len(files) == 1 and results[-1]["spooled"] == str(tmp_path / "spool" / files[0])
    assert results[0]["delivery"]["servers"][0]["replaced"] == [] and len(results[2]["delivery"]["servers"][0]["replaced"]) == 1
    assert "replaces 1 older one" in results[2]["delivery"]["msg"]
    assert all(any("not delivered" in warning for warning in result["warnings"]) for result in results)
    with GLPIDouble(glpi_version=10, port=port) as glpi:
        result = inventory(server=[server])
    assert result["delivered"] and result["status"] == "sent" and spool_files(tmp_path) == []
    assert [document["deviceid"] for document in glpi.accepted_documents()] == [DEVICEID], "sent once, the newest"


def test_fail_on_undelivered_fails_and_still_keeps_the_document(inventory, tmp_path):
    result = inventory(server=["http://127.0.0.1:%d/" % free_port()], fail_on_undelivered=True)
    assert result["failed"] and "fail_on_undelivered" in result["msg"] and result["status"] == "spooled"
    assert result["spooled"] and os.path.exists(result["spooled"]) and result["delivered"] is False


def test_no_answer_after_the_document_went_out_is_unconfirmed_and_not_resent(inventory, tmp_path):
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.hang_next(1, seconds=10)
        result = inventory(server=[glpi.base_url], import_timeout=1)
        assert len(glpi.inventory_requests()) == 1, "never re-sent at once"
        assert result["status"] == "unconfirmed" and result["delivered"] is False and not result.get("failed")
        assert "GLPI may have imported it" in result["delivery"]["msg"] and result["spooled"]
        assert json.loads(open(result["spooled"]).read())["unconfirmed"] is True
        later = inventory(server=[glpi.base_url])
    assert later["delivered"] and spool_files(tmp_path) == []
    assert len(glpi.inventory_requests()) == 2


# -- 5. refused and unresolvable servers: no retry in the run, honest attempts ---------------------------------------


def test_a_refused_port_is_spooled_at_once_with_one_attempt(inventory):
    result = inventory(server=["http://127.0.0.1:%d/" % free_port()], retries=3)
    entry = result["delivery"]["servers"][0]
    assert entry["status"] == "spooled" and entry["attempts"] == 1
    assert "refused the connection" in entry["message"] and "gave up" not in entry["message"]


# -- 6. server options are validated from the one argument spec ---------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    ({"client_key": "/etc/ssl/private/agent.key"}, ["client_key", "client_cert"]),
    ({"username": "agent"}, ["username", "password"]),
    ({"client_id": "x", "client_secret": "y", "username": "a", "password": "b"}, ["mutually exclusive", "username", "client_id"]),
    ({"timeout": 0}, ["timeout"]),
    ({"retries": -1}, ["retries"]),
])
def test_inconsistent_server_options_fail_naming_them_before_collecting(collected_debian_vm, tmp_path, args, words):
    args = dict(args, server=["https://glpi.example.com/"], spool_path=str(tmp_path / "spool"))
    plugin = make_action(InventoryAction, args, collected_debian_vm)
    result = plugin.run(task_vars={})
    assert result["failed"] and all(word in result["msg"] for word in words), result["msg"]
    plugin._execute_module.assert_not_called()


# -- 7. redirects never carry the credentials --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_refused_and_never_followed(inventory, tmp_path, status):
    with GLPIDouble(glpi_version=10, basic_auth=("agent", "p")) as elsewhere, GLPIDouble(glpi_version=10, basic_auth=("agent", "p")) as glpi:
        glpi.redirect_next(1, location=elsewhere.url, status=status)
        result = inventory(server=[glpi.base_url], username="agent", password="p")
        assert elsewhere.requests_seen() == [] and len(glpi.inventory_requests()) == 1
    assert result["failed"] and result["status"] == "failed" and "redirection to %s" % elsewhere.url in result["msg"]
    assert "not followed" in result["msg"] and spool_files(tmp_path) == []


# -- the spool that cannot be written, check mode --------------------------------------------------------------------------


def test_an_unwritable_spool_is_a_clear_error_that_still_reports_the_delivery(inventory, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    result = inventory(server=["http://127.0.0.1:%d/" % free_port()], spool_path=str(blocker / "spool"))
    assert result["failed"] and result["status"] == "failed" and result["delivered"] is False and result["spooled"] is None
    assert "refused the connection" in result["msg"] and "could not be kept in the spool" in result["msg"]
    assert str(blocker / "spool") in result["msg"]


def test_an_unwritable_spool_does_not_stop_a_delivery(inventory, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with GLPIDouble(glpi_version=10) as glpi:
        result = inventory(server=[glpi.base_url], spool_path=str(blocker / "spool"))
    assert result["delivered"] and not result.get("failed") and len(glpi.accepted_documents()) == 1


def test_check_mode_sends_nothing_and_writes_nothing(inventory, tmp_path):
    with GLPIDouble(glpi_version=10) as glpi:
        result = inventory(check_mode=True, server=[glpi.base_url], local_path=str(tmp_path / "out"))
        assert glpi.requests_seen() == []
    assert result["status"] == "check_mode" and result["delivered"] is False and result["spooled"] is None
    assert not (tmp_path / "spool").exists() and not (tmp_path / "out").exists()


def test_a_corrupt_spool_file_is_set_aside_reported_and_the_rest_delivered(inventory, tmp_path):
    from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _spool

    with GLPIDouble(glpi_version=10) as glpi:
        (tmp_path / "spool").mkdir(mode=0o700)
        broken = "%020d-%s-%s.json" % (1, _spool.server_key(glpi.url), "0123456789abcdef")
        (tmp_path / "spool" / broken).write_text('{"format": 1, "server": "x", "docu')
        result = inventory(server=[glpi.base_url])
    assert result["delivered"] and not result.get("failed")
    assert any(broken in warning and "not JSON" in warning for warning in result["warnings"])
    assert (tmp_path / "spool" / "rejected" / broken).exists()


# -- glpi_inventory_submit: bad files never stop the good ones -------------------------------------------------------------


def test_submit_reports_every_bad_file_and_sends_the_good_ones(submit, tmp_path, collected_debian_vm):
    drop = tmp_path / "drop"
    drop.mkdir()
    good = {"deviceid": "good-%d", "content": {"versionclient": "x", "hardware": {"name": "good"}}}
    for n in range(3):
        (drop / ("good%d.json" % n)).write_text(json.dumps(dict(good, deviceid="good-%d" % n)))
    (drop / "deep.json").write_text("[" * 200000)
    (drop / "spaces.xml").write_text("<REQUEST><DEVICEID>x</DEVICEID><QUERY>" + " " * 6000)
    (drop / "entities.xml").write_text('<!DOCTYPE r [<!ENTITY a "a">]><REQUEST><DEVICEID>&a;</DEVICEID></REQUEST>')
    with GLPIDouble(glpi_version=10, validate=False) as glpi:
        result = submit(path=[str(drop)], server=[glpi.base_url])
    statuses = {os.path.basename(entry["path"]): entry["status"] for entry in result["documents"]}
    assert statuses == {"good0.json": "sent", "good1.json": "sent", "good2.json": "sent",
                        "deep.json": "invalid", "spaces.xml": "invalid", "entities.xml": "invalid"}
    assert result["failed"] and "3 of 6 documents were not delivered" in result["msg"] and result["sent"] == 3
    assert sorted(document["deviceid"] for document in glpi.accepted_documents()) == ["good-0", "good-1", "good-2"]


@pytest.mark.parametrize("password", ["p", "ok", "pool"])
def test_submit_with_a_short_password_keeps_its_result_intact(submit, tmp_path, password):
    path = tmp_path / "vm.xml"
    path.write_text(XML_DOCUMENT)
    result = submit(path=[str(path)], server=["http://127.0.0.1:%d/" % free_port()], username="agent", password=password)
    assert not result.get("failed") and result["spooled"] == 1 and result["delivered"] is False
    assert result["documents"][0]["status"] == "spooled" and result["documents"][0]["spooled"].startswith(str(tmp_path / "spool"))
    assert result["counts"] == {"sent": 0, "spooled": 1, "unconfirmed": 0, "failed": 0, "invalid": 0}


def test_submit_check_mode_sends_nothing(submit, tmp_path):
    path = tmp_path / "vm.xml"
    path.write_text(XML_DOCUMENT)
    with GLPIDouble(glpi_version=10) as glpi:
        result = submit(check_mode=True, path=[str(path)], server=[glpi.base_url])
        assert glpi.requests_seen() == []
    assert result["documents"][0]["status"] == "check_mode" and result["delivered"] is False and not (tmp_path / "spool").exists()
