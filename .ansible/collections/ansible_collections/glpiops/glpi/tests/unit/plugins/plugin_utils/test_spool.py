# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's spool: atomic writes, claims by rename, crash recovery, parallel draining."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils import _spool as s

SERVER = "https://glpi.example.com/front/inventory.php"
OTHER = "https://other.example.com/front/inventory.php"


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        self.now += 1.0
        return self.now


def doc(n, deviceid=None):
    return {"deviceid": deviceid or "host%03d-2026-11-23-00-00-00" % n, "content": {"n": n}}


def test_put_is_private_and_pending_is_oldest_first(tmp_path):
    spool = s.Spool(tmp_path / "spool", clock=Clock())
    names = [spool.put(doc(n), SERVER) for n in range(3)]
    assert stat.S_IMODE(os.stat(spool.path).st_mode) == 0o700
    for name in names:
        assert stat.S_IMODE(os.stat(os.path.join(spool.path, name)).st_mode) == 0o600
    assert spool.pending() == names == sorted(names)
    envelope = json.loads((tmp_path / "spool" / names[0]).read_text())
    assert envelope["server"] == SERVER and envelope["deviceid"] == "host000-2026-11-23-00-00-00" and envelope["document"] == doc(0)


def test_existing_directory_is_made_private(tmp_path):
    path = tmp_path / "spool"
    path.mkdir(mode=0o755)
    os.chmod(path, 0o755)
    s.Spool(path).put(doc(1), SERVER)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700


def test_pending_filters_by_server(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    mine = spool.put(doc(1), SERVER)
    theirs = spool.put(doc(2), OTHER)
    assert spool.pending(SERVER) == [mine] and spool.pending(OTHER) == [theirs] and spool.pending() == [mine, theirs]


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    spool = s.Spool(tmp_path, clock=Clock())

    def broken_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(s.os, "rename", broken_rename)
    with pytest.raises(s.SpoolError, match="No space left"):
        spool.put(doc(1), SERVER)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_no_partial_document_is_ever_visible(tmp_path):
    spool = s.Spool(tmp_path)
    big = {"deviceid": "big", "content": {"softwares": [{"name": "package-%05d" % n, "version": "1.0"} for n in range(20000)]}}
    stop = threading.Event()
    seen = {"loaded": 0, "bad": []}

    def reader():
        while not stop.is_set():
            for name in spool.pending():
                try:
                    with open(os.path.join(spool.path, name), "rb") as handle:
                        json.loads(handle.read())
                    seen["loaded"] += 1
                except FileNotFoundError:
                    continue
                except ValueError as exc:
                    seen["bad"].append((name, str(exc)))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _n in range(8):
            spool.put(big, SERVER)
    finally:
        stop.set()
        thread.join()
    assert seen["bad"] == [] and seen["loaded"] > 0
    assert len(spool.pending()) == 8 and [name for name in os.listdir(tmp_path) if name.startswith(".tmp-")] == []


def test_claim_is_exclusive_and_release_complete_reject(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    first, second, third = (spool.put(doc(n), SERVER) for n in range(3))
    claim = spool.claim(first)
    assert claim is not None and spool.claim(first) is None
    assert spool.pending() == [second, third] and len(spool.claimed()) == 1
    assert os.path.basename(claim.path).startswith(first + ".claimed-%d-" % os.getpid())
    entry = spool.load(claim)
    assert entry.name == first and entry.server == SERVER and entry.document == doc(0)
    spool.release(claim)
    assert spool.pending() == [first, second, third]
    spool.complete(spool.claim(first))
    spool.reject(spool.claim(second), "GLPI answered HTTP 400: JSON does not validate")
    assert spool.pending() == [third] and spool.rejected() == [second]
    assert (tmp_path / "rejected" / (second + ".reason")).read_text().startswith("GLPI answered HTTP 400")
    with pytest.raises(ValueError):
        spool.claim("../../etc/passwd")


def test_drain_sends_oldest_first_and_stops_when_unreachable(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    names = [spool.put(doc(n), SERVER) for n in range(5)]
    spool.put(doc(99), OTHER)
    sent = []

    def send(entry):
        sent.append((entry.name, entry.deviceid))
        return s.SENT if len(sent) < 3 else s.UNREACHABLE

    report = spool.drain(send, server=SERVER)
    assert [name for name, _deviceid in sent] == names[:3]
    assert sent[1][1] == "host001-2026-11-23-00-00-00"
    assert report.sent == names[:2] and report.unreachable and report.remaining == 3
    assert spool.pending(SERVER) == names[2:] and spool.claimed() == []


def test_drain_rejects_refused_and_corrupt_documents_and_goes_on(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    bad = spool.put(doc(1), SERVER)
    good = spool.put(doc(2), SERVER)
    (tmp_path / ("%020d-%s-%s.json" % (1, s.server_key(SERVER), "deadbeef"))).write_text("{truncated")
    report = spool.drain(lambda entry: (s.REJECTED, "no") if entry.name == bad else s.SENT, server=SERVER)
    assert report.sent == [good] and len(report.rejected) == 2 and bad in report.rejected
    assert spool.pending() == [] and len(spool.rejected()) == 2


def test_exception_in_send_gives_the_document_back(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    name = spool.put(doc(1), SERVER)

    def send(entry):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        spool.drain(send)
    assert spool.pending() == [name] and spool.claimed() == []


def _claim_and_die(path, name):
    spool = s.Spool(path)
    assert spool.claim(name) is not None
    os._exit(3)  # a crash: neither complete nor release


def test_claim_of_a_crashed_worker_is_recovered(tmp_path):
    spool = s.Spool(tmp_path)
    name = spool.put(doc(1), SERVER)
    worker = multiprocessing.get_context("fork").Process(target=_claim_and_die, args=(str(tmp_path), name))
    worker.start()
    worker.join()
    assert worker.exitcode == 3
    assert spool.pending() == [] and len(spool.claimed()) == 1
    report = spool.drain(lambda entry: s.SENT)
    assert report.recovered == 1 and report.sent == [name] and os.listdir(tmp_path) == []


def test_stale_claim_of_a_live_worker_is_recovered_after_stale_after(tmp_path):
    clock = Clock()
    spool = s.Spool(tmp_path, stale_after=600, clock=clock)
    name = spool.put(doc(1), SERVER)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        os.rename(os.path.join(spool.path, name), os.path.join(spool.path, "%s.claimed-%d-%d" % (name, live.pid, int(clock.now))))
        assert spool.recover() == 0
        clock.now += 601
        assert spool.recover() == 1 and spool.pending() == [name]
    finally:
        live.kill()
        live.wait()


def test_complete_after_recovery_is_harmless(tmp_path):
    clock = Clock()
    spool = s.Spool(tmp_path, stale_after=10, clock=clock)
    name = spool.put(doc(1), SERVER)
    claim = spool.claim(name)
    clock.now += 100
    assert spool.recover() == 1
    spool.complete(claim)
    spool.release(claim)
    assert spool.pending() == [name]


def _drain_worker(path, log_path, barrier):
    spool = s.Spool(path)
    barrier.wait()

    def send(entry):
        with open(log_path, "a") as log:
            log.write("%s %s %d\n" % (entry.name, entry.deviceid, os.getpid()))
        time.sleep(0.002)  # like a network round trip: lets every worker get some
        return s.SENT

    report = spool.drain(send)
    os._exit(0 if report.remaining == 0 else 5)


def test_parallel_workers_send_every_document_exactly_once(tmp_path):
    spool_dir = tmp_path / "spool"
    spool = s.Spool(spool_dir)
    names = [spool.put(doc(n), SERVER if n % 3 else OTHER) for n in range(120)]
    log_path = str(tmp_path / "sent.log")
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(6)
    workers = [context.Process(target=_drain_worker, args=(str(spool_dir), log_path, barrier)) for _n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0] * 6
    lines = [line.split() for line in open(log_path).read().splitlines()]
    assert sorted(line[0] for line in lines) == sorted(names)  # each exactly once
    assert {line[1] for line in lines} == {doc(n)["deviceid"] for n in range(120)}
    assert len({line[2] for line in lines}) > 1, "expected the work to be shared"
    assert os.listdir(spool_dir) == []
