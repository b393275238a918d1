# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's spool: atomic writes, claims by rename, crash recovery, parallel draining."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _files as file_helpers
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _spool as s

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
    names = [spool.put(doc(n), SERVER).name for n in range(3)]
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
    mine = spool.put(doc(1), SERVER).name
    theirs = spool.put(doc(2), OTHER).name
    assert spool.pending(SERVER) == [mine] and spool.pending(OTHER) == [theirs] and spool.pending() == [mine, theirs]


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    spool = s.Spool(tmp_path, clock=Clock())

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_helpers.os, "replace", broken_replace)  # the rename of module_utils._files.write_atomic
    with pytest.raises(s.SpoolError, match="No space left"):
        spool.put(doc(1), SERVER).name
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
        for n in range(8):  # eight devices: one device keeps one document only
            spool.put(dict(big, deviceid="big-%d" % n), SERVER)
    finally:
        stop.set()
        thread.join()
    assert seen["bad"] == [] and seen["loaded"] > 0
    assert len(spool.pending()) == 8 and [name for name in os.listdir(tmp_path) if name.startswith(".tmp-")] == []


def test_claim_is_exclusive_and_release_complete_reject(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    first, second, third = (spool.put(doc(n), SERVER).name for n in range(3))
    claim = spool.claim(first)
    assert claim is not None and spool.claim(first) is None
    assert spool.pending() == [second, third] and len(spool.claimed()) == 1
    assert os.path.basename(claim.path).startswith(first + ".claimed-%s-%d-" % (s.host_key(), os.getpid()))
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
    names = [spool.put(doc(n), SERVER).name for n in range(5)]
    spool.put(doc(99), OTHER).name
    sent = []

    def send(entry):
        sent.append((entry.name, entry.deviceid))
        return s.SENT if len(sent) < 3 else s.UNREACHABLE

    report = spool.drain(send, server=SERVER)
    assert [name for name, _deviceid in sent] == names[:3]
    assert sent[1][1] == "host001-2026-11-23-00-00-00"
    assert report.sent == names[:2] and report.remaining == 3  # stopped: the last three are still pending
    assert spool.pending(SERVER) == names[2:] and spool.claimed() == []


def test_drain_rejects_refused_and_corrupt_documents_and_goes_on(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    bad = spool.put(doc(1), SERVER).name
    good = spool.put(doc(2), SERVER).name
    (tmp_path / ("%020d-%s-%s.json" % (1, s.server_key(SERVER), "deadbeef"))).write_text("{truncated")
    report = spool.drain(lambda entry: (s.REJECTED, "no") if entry.name == bad else s.SENT, server=SERVER)
    assert report.sent == [good] and len(report.rejected) == 2 and bad in report.rejected
    assert spool.pending() == [] and len(spool.rejected()) == 2


def test_exception_in_send_gives_the_document_back(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    name = spool.put(doc(1), SERVER).name

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
    name = spool.put(doc(1), SERVER).name
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
    name = spool.put(doc(1), SERVER).name
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
    name = spool.put(doc(1), SERVER).name
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
    names = [spool.put(doc(n), SERVER if n % 3 else OTHER).name for n in range(120)]
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


# --- one document per device, one queue per server however its URL is spelled ----------------------------------


def test_put_keeps_one_document_per_server_and_device_the_newest(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    first = spool.put(doc(1, "web"), SERVER)
    other_server = spool.put(doc(1, "web"), OTHER)
    other_device = spool.put(doc(2, "db"), SERVER)
    second = spool.put(doc(3, "web"), SERVER)
    assert first.replaced == () and second.replaced == (first.name,)
    assert second.path == os.path.join(spool.path, second.name)
    assert spool.pending(SERVER) == [other_device.name, second.name] and spool.pending(OTHER) == [other_server.name]
    assert json.loads((tmp_path / second.name).read_text())["document"]["content"] == {"n": 3}


def test_a_spool_of_the_first_release_is_read_and_replaced_by_deviceid(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    legacy = "%020d-%s-%s.json" % (5, s.server_key(SERVER), "0123456789abcdef")
    envelope = {"format": 1, "server": SERVER, "deviceid": "web", "created": 5.0, "document": doc(0, "web")}
    (tmp_path / legacy).write_text(json.dumps(envelope))
    assert spool.pending(SERVER) == [legacy] and spool.of_device(SERVER, "web") == [legacy]
    newer = spool.put(doc(1, "web"), SERVER)
    assert newer.replaced == (legacy,) and spool.pending() == [newer.name]


@pytest.mark.parametrize("spelling", ["HTTPS://GLPI.Example.COM/front/inventory.php", "https://glpi.example.com:443/front/inventory.php"])
def test_the_spool_queue_of_a_server_does_not_depend_on_the_spelling_of_its_url(tmp_path, spelling):
    spool = s.Spool(tmp_path, clock=Clock())
    kept = spool.put(doc(1), spelling)
    assert spool.pending(SERVER) == [kept.name] and spool.of_device(SERVER, doc(1)["deviceid"]) == [kept.name]
    assert json.loads((tmp_path / kept.name).read_text())["server"] == SERVER
    assert spool.pending(OTHER) == []


def test_drain_leaves_the_documents_of_the_device_being_delivered(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    mine = spool.put(doc(1, "web"), SERVER).name
    theirs = spool.put(doc(2, "db"), SERVER).name
    report = spool.drain(lambda entry: s.SENT, server=SERVER, skip_deviceid="web")
    assert report.sent == [theirs] and spool.pending() == [mine]


def test_unconfirmed_documents_say_so_in_their_envelope(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    kept = spool.put(doc(1), SERVER, unconfirmed=True, reason="no answer in time")
    envelope = json.loads((tmp_path / kept.name).read_text())
    assert envelope["unconfirmed"] is True and envelope["reason"] == "no answer in time"
    entry = spool.load(spool.claim(kept.name))
    assert entry.unconfirmed and entry.deviceid == doc(1)["deviceid"]


@pytest.mark.parametrize("content", [b"{truncated", b"", b"\xff\xfe not utf-8", b"[" * 200000, b'{"format": 1}'])
def test_a_file_that_is_not_a_spooled_document_is_kept_aside_with_its_reason(tmp_path, content):
    spool = s.Spool(tmp_path, clock=Clock())
    broken = "%020d-%s-%s.json" % (1, s.server_key(SERVER), "deadbeefdeadbeef")
    (tmp_path / broken).write_bytes(content)
    good = spool.put(doc(2), SERVER).name
    report = spool.drain(lambda entry: s.SENT, server=SERVER)
    assert report.sent == [good] and report.rejected == [broken] and report.reasons[broken]
    assert spool.rejected() == [broken]
    assert (tmp_path / "rejected" / broken).read_bytes() == content  # kept as it was, never deleted
    assert (tmp_path / "rejected" / (broken + ".reason")).read_text().strip() == report.reasons[broken]


def _drain_and_hang(path, ready):
    spool = s.Spool(path)

    def send(entry):
        ready.set()
        time.sleep(60)  # SIGKILLed while "sending"
        return s.SENT

    spool.drain(send)


def test_sigkill_during_replay_loses_nothing(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    names = [spool.put(doc(n), SERVER).name for n in range(3)]
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    worker = context.Process(target=_drain_and_hang, args=(str(tmp_path), ready))
    worker.start()
    assert ready.wait(30)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(30)
    assert worker.exitcode == -signal.SIGKILL
    assert len(spool.claimed()) == 1 and len(spool.pending()) == 2
    sent = []
    report = s.Spool(tmp_path).drain(lambda entry: sent.append(entry.name) or s.SENT)
    assert report.recovered == 1 and sorted(sent) == sorted(names) and os.listdir(tmp_path) == []


def _hold_lock(path, ready, release):
    spool = s.Spool(path)
    with spool.device_lock(SERVER, "web", wait=0) as held:
        assert held
        ready.set()
        release.wait(30)


def test_device_lock_is_exclusive_across_processes(tmp_path):
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        spool = s.Spool(tmp_path)
        with spool.device_lock(SERVER, "web", wait=0) as held:
            assert held is False
        with spool.device_lock(SERVER, "db", wait=0) as held:
            assert held is True  # another device is free
        with spool.device_lock(SERVER.upper().replace("/FRONT/INVENTORY.PHP", "/front/inventory.php"), "web", wait=0.2,
                               sleep=lambda seconds: time.sleep(0.01)) as held:
            assert held is False  # the same server however spelled
    finally:
        release.set()
        holder.join(30)
    with s.Spool(tmp_path).device_lock(SERVER, "web", wait=0) as held:
        assert held is True


def test_an_unusable_spool_never_blocks_a_delivery_on_its_lock(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with s.Spool(blocker / "spool").device_lock(SERVER, "web") as held:
        assert held is True


def test_superseded_compares_when_the_documents_were_made(tmp_path):
    clock = Clock()
    spool = s.Spool(tmp_path, clock=clock)
    assert spool.superseded(SERVER, "web", 10.0) is False
    spool.note_accepted(SERVER, "web", created=20.0)
    assert spool.superseded(SERVER, "web", 10.0) is True and spool.superseded(SERVER, "web", 30.0) is False
    spool.note_accepted(SERVER, "web", created=15.0)  # an older one accepted later: the newest made stays the mark
    assert spool.superseded(SERVER, "web", 18.0) is True
    assert spool.last_accepted(SERVER, "web") == clock.now


def test_drain_deletes_obsolete_and_gives_back_skipped(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    obsolete = spool.put(doc(1), SERVER).name
    skipped = spool.put(doc(2), SERVER).name
    report = spool.drain(lambda entry: s.OBSOLETE if entry.name == obsolete else s.SKIPPED, server=SERVER)
    assert report.obsolete == [obsolete] and report.sent == [] and spool.pending() == [skipped] and spool.claimed() == []


def test_a_document_released_after_a_newer_one_of_its_device_was_spooled_goes(tmp_path):
    spool = s.Spool(tmp_path, clock=Clock())
    old = spool.put(doc(1, "web"), SERVER)
    claim = spool.claim(old.name)
    newer = spool.put(doc(2, "web"), SERVER)  # cannot remove the claimed one
    assert newer.replaced == ()
    spool.release(claim)
    assert spool.pending() == [newer.name] and spool.claimed() == []


def test_a_claim_of_another_machine_waits_for_its_lease(tmp_path):
    # AWX job pods may share one spool volume: the pid of another machine's worker says nothing here.
    clock = Clock()
    spool = s.Spool(tmp_path, stale_after=600, clock=clock)
    name = spool.put(doc(1), SERVER).name
    dead_here = 2 ** 22 + 12345  # no such pid on this machine
    other = "%s.claimed-%s-%d-%d" % (name, "0badc0de" if s.host_key() != "0badc0de" else "0badc0df", dead_here, int(clock.now))
    os.rename(os.path.join(spool.path, name), os.path.join(spool.path, other))
    assert spool.recover() == 0 and spool.pending() == []
    clock.now += 601
    assert spool.recover() == 1 and spool.pending() == [name]


def test_a_claim_of_a_dead_worker_of_this_machine_is_taken_back_at_once(tmp_path):
    clock = Clock()
    spool = s.Spool(tmp_path, stale_after=600, clock=clock)
    name = spool.put(doc(1), SERVER).name
    mine = "%s.claimed-%s-%d-%d" % (name, s.host_key(), 2 ** 22 + 12345, int(clock.now))
    os.rename(os.path.join(spool.path, name), os.path.join(spool.path, mine))
    assert spool.recover() == 1 and spool.pending() == [name]


def _take_slot(path, slots, started, release, held_log):
    spool = s.Spool(path)
    with spool.delivery_slot(SERVER, slots, wait=30) as held:
        with open(held_log, "a") as log:
            log.write("%d %s\n" % (os.getpid(), held))
        started.release()
        release.wait(30)


def test_delivery_slots_cap_concurrent_deliveries_across_processes(tmp_path):
    context = multiprocessing.get_context("fork")
    started, release = context.Semaphore(0), context.Event()
    log = str(tmp_path / "held.log")
    holders = [context.Process(target=_take_slot, args=(str(tmp_path), 2, started, release, log)) for _n in range(2)]
    for holder in holders:
        holder.start()
    try:
        assert started.acquire(timeout=30) and started.acquire(timeout=30)
        spool = s.Spool(tmp_path)
        with spool.delivery_slot(SERVER, 2, wait=0.3, sleep=lambda seconds: time.sleep(0.01)) as held:
            assert held is False  # both slots taken by the two other processes
        with spool.delivery_slot(OTHER, 2, wait=0) as held:
            assert held is True  # another server has its own slots
    finally:
        release.set()
        for holder in holders:
            holder.join(30)
    assert [line.split()[1] for line in open(log).read().splitlines()] == ["True", "True"]
    with s.Spool(tmp_path).delivery_slot(SERVER, 2, wait=0) as held:
        assert held is True
