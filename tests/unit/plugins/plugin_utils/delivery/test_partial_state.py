# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's store of confirmed section digests: one file per server and device, unreadable means none."""

from __future__ import annotations

import os
import stat

from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _partial_state as ps

SERVER = "https://glpi.example.com/front/inventory.php"
STATE = {"format": 1, "sections": {"hardware": {"sha256": "ab" * 32, "length": 12}}, "postponed": 3}


def test_saved_state_reads_back_per_server_and_device(tmp_path):
    assert ps.save_state(str(tmp_path), SERVER, "pc-1", STATE) is None
    assert ps.load_state(str(tmp_path), SERVER, "pc-1") == STATE
    assert ps.load_state(str(tmp_path), SERVER, "pc-2") is None
    assert ps.load_state(str(tmp_path), "https://other.example.com/", "pc-1") is None
    # the same server spelled otherwise (default port, case of the host) has the same state
    assert ps.load_state(str(tmp_path), "https://GLPI.example.com:443/front/inventory.php", "pc-1") == STATE
    (path,) = list(tmp_path.iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_default_directory_is_inside_the_spool(tmp_path):
    assert ps.state_directory(str(tmp_path)) == os.path.join(str(tmp_path), "partial")
    assert ps.state_directory(str(tmp_path), str(tmp_path / "elsewhere")) == str(tmp_path / "elsewhere")


def test_unreadable_states_read_as_none(tmp_path):
    directory = str(tmp_path)
    path = ps.state_path(directory, SERVER, "pc-1")
    for content in (b"{truncated", b"[1, 2]", b"\xff\xfe", b"[" * 100000 + b"]" * 100000, b" " * (ps.STATE_MAX + 1)):
        with open(path, "wb") as handle:
            handle.write(content)
        assert ps.load_state(directory, SERVER, "pc-1") is None


def test_an_unwritable_directory_is_a_reason_not_an_exception(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    reason = ps.save_state(str(blocker / "partial"), SERVER, "pc-1", STATE)
    assert reason and "partial_state_path" in reason and "cannot be written" in reason
