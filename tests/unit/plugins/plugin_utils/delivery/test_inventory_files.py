# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory files on the controller: <deviceid>.json written atomically to local_path (or a clear error and
nothing half-written); which saved files a task names, and what each holds."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils import _files as file_helpers
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _inventory_files as lt
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._inventory_files import (
    InventoryFileError,
    expand_paths,
    parse_inventory_file,
)

XML = b"""<?xml version="1.0" encoding="UTF-8" ?>
<REQUEST>
  <CONTENT><HARDWARE><NAME>vm</NAME></HARDWARE></CONTENT>
  <DEVICEID>vm-2026-11-22-09-43-37</DEVICEID>
  <QUERY>INVENTORY</QUERY>
</REQUEST>
"""


def test_the_agents_own_local_json_is_an_inventory(reference):
    data = reference("glpi-agent", "local-inventory.json").read_bytes()
    document, deviceid = parse_inventory_file(data)
    assert deviceid == json.loads(data)["deviceid"] and document["content"]["hardware"]


def test_the_agents_xml_is_sent_as_it_is_with_its_deviceid():
    document, deviceid = parse_inventory_file(b"\xef\xbb\xbf" + XML)
    assert deviceid == "vm-2026-11-22-09-43-37" and document == XML.decode()


@pytest.mark.parametrize("data, message", [
    (b"", "neither JSON nor XML"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "not an object"),
    (b'{"content": {}}', "no deviceid"),
    (b'{"deviceid": "x", "content": []}', "no content"),
    (b'{"deviceid": "x", "content": {}, "action": "contact"}', "not an inventory"),
    (b"<html><body>Not found</body></html>", "REQUEST"),
    (b"<REQUEST><QUERY>INVENTORY</QUERY></REQUEST>", "DEVICEID"),
    (b"<REQUEST><DEVICEID>x</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>", "PROLOG"),
])
def test_what_is_not_an_inventory_is_named(data, message):
    with pytest.raises(InventoryFileError, match=message):
        parse_inventory_file(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda text: text.encode("utf-8")))
def test_garbage_gives_a_document_or_a_clear_error(data):
    try:
        document, deviceid = parse_inventory_file(data)
    except InventoryFileError as exc:
        assert str(exc)
    else:
        assert isinstance(deviceid, str) and deviceid and isinstance(document, (dict, str))


def test_files_directories_and_patterns(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b.xml").write_text("<REQUEST/>")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    files, unmatched = expand_paths([str(tmp_path), str(tmp_path / "*.json"), str(tmp_path / "nothing-*.json"),
                                     str(tmp_path / "missing.json")])
    assert files == [str(tmp_path / "a.json"), str(tmp_path / "b.xml")]
    assert unmatched == [str(tmp_path / "nothing-*.json"), str(tmp_path / "missing.json")]


# -- the local target ------------------------------------------------------------


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


def test_a_previous_file_is_read_up_to_its_cap(tmp_path):
    path = tmp_path / "web01.json"
    path.write_text('{"a": "%s"}\n' % ("x" * 100), encoding="utf-8")
    assert lt.read_document_text(str(path), limit=200) == path.read_text(encoding="utf-8")
    assert lt.read_document_text(str(path), limit=50) is None  # not read whole: replaced, never compared by its head
    path.write_bytes(b"\xff\xfe")
    assert lt.read_document_text(str(path)) is None


def test_unwritable_directory_is_a_clear_error_and_leaves_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / "web01.json")
    lt.write_document_text(path, "old\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(file_helpers.tempfile, "mkstemp", refuse)  # module_utils._files.write_atomic writes it
    with pytest.raises(lt.LocalTargetError, match="is not writable: Permission denied"):
        lt.write_document_text(path, "new\n")
    assert lt.read_document_text(path) == "old\n"


def test_failure_after_the_temporary_file_removes_it(tmp_path, monkeypatch):
    path = str(tmp_path / "web01.json")

    def fail_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_helpers.os, "replace", fail_replace)
    with pytest.raises(lt.LocalTargetError, match="No space left on device"):
        lt.write_document_text(path, "new\n")
    assert os.listdir(tmp_path) == []


def test_a_file_in_the_way_of_the_directory(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(lt.LocalTargetError, match="cannot be created"):
        lt.write_document_text(str(blocker / "web01.json"), "{}")
