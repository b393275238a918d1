# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one atomic writer and the one file lock: the old file or the new one, one holder at a time, deadlines kept."""

from __future__ import annotations

import multiprocessing
import os
import stat

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _files as f
from tests.unit._fake_time import FakeTime


def test_write_atomic_replaces_the_file_with_its_mode_and_leaves_no_temporary_file(tmp_path):
    path = str(tmp_path / "state.json")
    f.write_atomic(path, b"old\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    f.write_atomic(path, b"new\n", mode=0o644, prefix=".state.", suffix=".tmp")
    with open(path, "rb") as handle:
        assert handle.read() == b"new\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert os.listdir(tmp_path) == ["state.json"]


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_a_failing_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, broken):
    path = str(tmp_path / "state.json")
    f.write_atomic(path, b"old\n")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f.os, broken, fail)
    with pytest.raises(OSError, match="No space left on device") as raised:
        f.write_atomic(path, b"new\n")
    monkeypatch.undo()
    assert not isinstance(raised.value, f.TemporaryFileError)
    with open(path, "rb") as handle:
        assert handle.read() == b"old\n"
    assert os.listdir(tmp_path) == ["state.json"]


def test_an_interrupted_write_removes_its_temporary_file(tmp_path, monkeypatch):
    path = str(tmp_path / "state.json")

    def interrupt(*args):
        raise KeyboardInterrupt()

    monkeypatch.setattr(f.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        f.write_atomic(path, b"new\n")
    assert os.listdir(tmp_path) == []


def test_an_unwritable_directory_is_told_apart(tmp_path):
    with pytest.raises(f.TemporaryFileError) as raised:
        f.write_atomic(str(tmp_path / "missing" / "state.json"), b"new\n")
    assert isinstance(raised.value, OSError) and raised.value.strerror
    assert os.listdir(tmp_path) == []


def test_fsync_directory_ignores_what_cannot_be_synced(tmp_path):
    f.fsync_directory(str(tmp_path))
    f.fsync_directory(str(tmp_path / "missing"))


def _hold(path, ready, release):
    with f.file_lock(path):
        ready.set()
        release.wait(30)


def test_the_lock_excludes_a_second_holder(tmp_path):
    path = str(tmp_path / "state.lock")
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold, args=(path, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with f.file_lock(path, wait=0) as held:
            assert held is False
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        release.set()
        holder.join(30)
    with f.file_lock(path, wait=0) as held:
        assert held is True


def test_the_lock_is_exclusive_within_a_process_and_released_after_the_block(tmp_path):
    path = str(tmp_path / "state.lock")
    with f.file_lock(path) as held:
        assert held is True
        with f.file_lock(path, wait=0) as second:  # another open file description: flock excludes it too
            assert second is False
    with f.file_lock(path, wait=0) as held:
        assert held is True


def test_the_deadline_is_honoured_with_an_injected_clock_and_sleep(tmp_path):
    path = str(tmp_path / "state.lock")
    fake = FakeTime(now=1000.0)
    with f.file_lock(path):
        with f.file_lock(path, wait=1.0, sleep=fake.sleep, clock=fake.clock, pause=0.25) as held:
            assert held is False
    assert fake.sleeps == [0.25] * 4 and fake.now == 1001.0
    fake = FakeTime(now=1000.0)
    with f.file_lock(path):
        with f.file_lock(path, wait=0, sleep=fake.sleep, clock=fake.clock) as held:
            assert held is False
    assert fake.sleeps == []  # wait=0: one try, no sleep


def test_one_of_several_lock_files_is_held(tmp_path):
    paths = [str(tmp_path / ("slot-%d.lock" % index)) for index in range(2)]
    fake = FakeTime(now=1000.0)
    with f.file_lock(paths, wait=0) as first:
        with f.file_lock(paths, wait=0) as second:
            with f.file_lock(paths, wait=0.5, sleep=fake.sleep, clock=fake.clock, pause=lambda: 0.125) as third:
                assert (first, second, third) == (True, True, False)
    assert fake.sleeps == [0.125] * 4
    with pytest.raises(ValueError):
        with f.file_lock(paths):
            pass


def test_a_lock_file_that_cannot_be_opened_raises(tmp_path):
    with pytest.raises(OSError):
        with f.file_lock(str(tmp_path / "missing" / "state.lock")):
            pass
