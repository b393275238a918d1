# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local target: <deviceid>.json written atomically, or a clear error and nothing half-written."""

from __future__ import annotations

import os

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _files as files
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _local_target as lt


def test_document_path_refuses_a_deviceid_that_is_not_a_file_name():
    assert lt.document_path("/srv/inv", "web01-2026") == "/srv/inv/web01-2026.json"
    for bad in ("../etc/passwd", "a/b", "..", ""):
        with pytest.raises(lt.LocalTargetError, match="cannot be used as a file name"):
            lt.document_path("/srv/inv", bad)


def test_write_creates_the_directory_and_replaces_atomically(tmp_path):
    path = str(tmp_path / "out" / "web01.json")
    lt.write_document_text(path, "{}\n")
    lt.write_document_text(path, '{"a": 1}\n')
    assert lt.read_document_text(path) == '{"a": 1}\n'
    assert os.listdir(tmp_path / "out") == ["web01.json"]


def test_unwritable_directory_is_a_clear_error_and_leaves_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / "web01.json")
    lt.write_document_text(path, "old\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)  # module_utils._files.write_atomic writes it
    with pytest.raises(lt.LocalTargetError, match="is not writable: Permission denied"):
        lt.write_document_text(path, "new\n")
    assert lt.read_document_text(path) == "old\n"


def test_failure_after_the_temporary_file_removes_it(tmp_path, monkeypatch):
    path = str(tmp_path / "web01.json")

    def fail_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail_replace)
    with pytest.raises(lt.LocalTargetError, match="No space left on device"):
        lt.write_document_text(path, "new\n")
    assert os.listdir(tmp_path) == []


def test_a_file_in_the_way_of_the_directory(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(lt.LocalTargetError, match="cannot be created"):
        lt.write_document_text(str(blocker / "web01.json"), "{}")
