# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 19: slow, busy, hostile and odd servers, against the GLPI double; every wait has a deadline."""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import socket
import threading

import pytest

from ansible_collections.glpiops.glpi.plugins.action.glpi_inventory import ActionModule as InventoryAction
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _client as c
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _deliver as d
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._spool import Spool
from tests.glpi_double import GLPIDouble, make_test_ca
from tests.unit.plugins.action._actions import make_action

DOCUMENT = {"deviceid": "web01-2026-11-23-01-44-55", "content": {"hardware": {"name": "web01"}, "versionclient": "glpiops.glpi"}}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def finishes(function, seconds=60.0):
    """``function()``'s value, or a failure when it did not return within ``seconds`` (a hang guard, not a benchmark)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("value", function()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert "value" in outcome, "still running after %s s" % seconds
    return outcome["value"]


@pytest.fixture
def inventory(collected_debian_vm, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def run(**args):
        args.setdefault("spool_path", str(tmp_path / "spool"))
        args.setdefault("timeout", 5)
        plugin = make_action(InventoryAction, args, json.loads(json.dumps(collected_debian_vm)))
        return plugin.run(task_vars={"inventory_hostname": "vm"})
    return run


def test_a_server_that_drips_its_answer_is_cut_at_the_delivery_deadline(inventory):
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.drip_next(1, interval=0.5, body='{"status":"ok","expiration":"24","padding":"%s"}' % ("x" * 200))
        result = finishes(lambda: inventory(server=[glpi.base_url], delivery_deadline=2))
        assert len(glpi.inventory_requests()) == 1
    entry = result["delivery"]["servers"][0]
    assert result["status"] == "unconfirmed" and entry["deadline_reached"] is True and entry["elapsed"] >= 2
    assert "did not arrive whole before the delivery deadline" in entry["message"] and result["spooled"]


def test_a_body_stalling_past_the_read_timeout_is_unconfirmed_and_spooled(inventory):
    # The head comes at once, then the body stalls longer than import_timeout: urllib3's own ReadTimeoutError while
    # reading the body must be told like any other read time-out (the inventory went out: unconfirmed, never resent).
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.drip_next(1, interval=4, body='{"status":"ok","expiration":"24","padding":"%s"}' % ("x" * 50))
        result = finishes(lambda: inventory(server=[glpi.base_url], import_timeout=1, delivery_deadline=60))
        assert len(glpi.inventory_requests()) == 1
    entry = result["delivery"]["servers"][0]
    assert result["status"] == "unconfirmed" and entry["deadline_reached"] is False and result["spooled"]
    assert "may have imported it" in entry["message"]


class HeadDripper:
    """A server that reads the request, then sends the head of its answer one byte every ``interval`` seconds."""

    def __init__(self, interval=0.2):
        self.interval = interval
        self.stop = threading.Event()
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = "http://127.0.0.1:%d/" % self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection):
        with connection:
            connection.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            self.requests += 1
            head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * 100000
            for index in range(len(head)):
                if self.stop.wait(self.interval):
                    return
                try:
                    connection.sendall(head[index:index + 1])
                except OSError:
                    return

    def close(self):
        self.stop.set()
        self.sock.close()


def test_a_server_that_drips_the_head_of_its_answer_is_cut_at_the_delivery_deadline(inventory):
    server = HeadDripper()
    try:
        result = finishes(lambda: inventory(server=[server.url], delivery_deadline=2))
    finally:
        server.close()
    entry = result["delivery"]["servers"][0]
    assert server.requests == 1 and result["status"] == "unconfirmed" and entry["deadline_reached"] is True
    assert "before the delivery deadline of 2 s" in entry["message"] and 2 <= entry["elapsed"] < 30


def test_a_zlib_bomb_answer_is_refused_without_inflating_it(inventory):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.bomb_next(1, expanded_size=2 ** 31)
        result = inventory(server=[glpi.base_url])
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result["failed"] and "larger than" in result["msg"] and result["status"] == "failed"
    assert grown_mib < 256, "an answer that inflates to 2 GiB must not be inflated (grew %d MiB)" % grown_mib


@pytest.mark.parametrize("body", ["<RESPONSE>" + " " * 200000, "<html><title>" * 50000, "<REPLY><status>" + " " * 200000])
def test_hostile_answers_are_parsed_without_hanging(inventory, body):
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.fail_next(1, status=200, body=body)
        result = finishes(lambda: inventory(server=[glpi.base_url]))
    assert result["failed"] and result["delivered"] is False and len(result["msg"]) < 2000


def test_control_characters_from_the_server_are_escaped(inventory):
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.fail_next(1, status=400, content_type="application/json",
                       body=json.dumps({"status": "error", "message": "bad \x1b[2J\x1b[Hdocument\x07"}))
        result = inventory(server=[glpi.base_url])
    assert "\x1b" not in result["msg"] and "\x07" not in result["msg"] and "\\x1b[2J" in result["msg"]


# -- server-wide faults never set spooled documents aside ---------------------------------------------------------------


def _spool_one(tmp_path, server):
    spool = Spool(tmp_path / "spool")
    return spool, spool.put(dict(DOCUMENT, deviceid="spooled-2026-11-20-00-00-00"), c.GLPIClient({"server": [server]}).servers[0])


@pytest.mark.parametrize("fault", ["redirect", "proxy_login", "not_found", "disabled"])
def test_server_wide_faults_keep_every_spooled_document(inventory, tmp_path, fault):
    with GLPIDouble(glpi_version=10) as glpi:
        spool, kept = _spool_one(tmp_path, glpi.base_url)
        if fault == "redirect":
            glpi.redirect_next(2, status=307, location="https://elsewhere.example.com/front/inventory.php")
        elif fault == "proxy_login":
            glpi.fail_next(2, status=200, body="<html><title>Proxy login required</title><form></form></html>")
        elif fault == "not_found":
            glpi.fail_next(2, status=404, body="<html><title>404 Not Found</title></html>")
        else:
            glpi.enabled = False
        result = inventory(server=[glpi.base_url])
    assert result["failed"] and result["delivered"] is False
    assert spool.pending() == [kept.name] and spool.rejected() == [], "a fault of the server is no fault of the document"


def test_a_certificate_that_is_not_trusted_keeps_every_spooled_document(inventory, tmp_path):
    pki = make_test_ca(tmp_path / "pki")
    with GLPIDouble(glpi_version=10, tls=(pki.server_cert, pki.server_key)) as glpi:
        spool, kept = _spool_one(tmp_path, glpi.base_url)
        result = inventory(server=[glpi.base_url], validate_certs=True)
        assert glpi.accepted_documents() == []
    assert result["failed"] and "certificate" in result["msg"].lower()
    assert spool.pending() == [kept.name] and spool.rejected() == []


def test_a_refusal_by_glpi_itself_sets_the_spooled_document_aside_and_says_so(inventory, tmp_path):
    with GLPIDouble(glpi_version=10) as glpi:
        spool, kept = _spool_one(tmp_path, glpi.base_url)
        glpi.fail_next(1, status=400, content_type="application/json",
                       body='{"status":"error","message":"JSON does not validate. Violations: x","expiration":24}')
        result = inventory(server=[glpi.base_url])
    assert result["delivered"] and spool.rejected() == [kept.name]
    assert any(kept.name in warning and "JSON does not validate" in warning for warning in result["warnings"])


def test_a_spelling_of_the_url_never_strands_spooled_documents(inventory, tmp_path):
    port = free_port()
    spool, kept = _spool_one(tmp_path, "http://LOCALHOST:%d/" % port)
    with GLPIDouble(glpi_version=10, port=port) as glpi:
        result = inventory(server=["http://localhost:%d" % port])
        deviceids = [document["deviceid"] for document in glpi.accepted_documents()]
    assert result["delivered"] and "spooled-2026-11-20-00-00-00" in deviceids and spool.pending() == []
    assert not os.path.exists(kept.path)


# -- the token cache, the local file ------------------------------------------------------------------------------------


def test_an_unwritable_token_cache_still_delivers_with_a_warning(inventory, tmp_path):
    blocker = tmp_path / "read-only-home"
    blocker.write_text("")
    with GLPIDouble(glpi_version=11, oauth_client=("client", "s3cret")) as glpi:
        result = inventory(server=[glpi.base_url], client_id="client", client_secret="s3cret", token_cache_path=str(blocker / "tokens"))
    assert result["delivered"] and not result.get("failed")
    assert any("token cache" in warning for warning in result["warnings"])


def test_the_token_cache_lives_where_token_cache_path_says(inventory, tmp_path):
    with GLPIDouble(glpi_version=11, oauth_client=("client", "s3cret")) as glpi:
        assert inventory(server=[glpi.base_url], client_id="client", client_secret="s3cret", token_cache_path=str(tmp_path / "tokens"))["delivered"]
        assert inventory(server=[glpi.base_url], client_id="client", client_secret="s3cret", token_cache_path=str(tmp_path / "tokens"))["delivered"]
        assert len(glpi.tokens_issued()) == 1
    assert [name for name in os.listdir(tmp_path / "tokens") if name.endswith(".json")]
    assert os.stat(tmp_path / "tokens").st_mode & 0o777 == 0o700


def test_a_local_file_that_cannot_be_written_does_not_stop_delivery(inventory, tmp_path):
    blocker = tmp_path / "full-disk"
    blocker.write_text("")
    with GLPIDouble(glpi_version=10) as glpi:
        result = inventory(server=[glpi.base_url], local_path=str(blocker / "out"))
        assert len(glpi.accepted_documents()) == 1
    assert result["failed"] and result["delivered"] is True and result["status"] == "sent"
    assert "inventory file was not written" in result["msg"] and result["local_error"]


# -- a busy GLPI: concurrent deliveries capped across processes ----------------------------------------------------------


def _deliver_in_worker(url, spool_path, index, slots, results):
    client = c.GLPIClient({"server": [url], "max_concurrent_deliveries": slots, "timeout": 30})
    result = d.deliver(client, Spool(spool_path), dict(DOCUMENT, deviceid="host%02d-2026-11-23-00-00-00" % index))
    results.put((index, result["status"]))


def test_concurrent_deliveries_to_one_server_are_capped_across_processes(tmp_path):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    with GLPIDouble(glpi_version=10, validate=False) as glpi:
        glpi.set_import_time(0.3, serial=False)
        workers = [context.Process(target=_deliver_in_worker, args=(glpi.url, str(tmp_path / "spool"), index, 2, results))
                   for index in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        statuses = dict(results.get(timeout=5) for _worker in workers)
        peak = glpi.max_concurrent_imports()
        posts = len(glpi.inventory_requests())
    assert statuses == {index: "sent" for index in range(8)}
    assert posts == 8 and 1 <= peak <= 2, "at most two inventories at once from this controller (saw %d)" % peak
