# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Target-side primitives: every source has its own time limit and fails alone."""

from __future__ import annotations

import sys

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _sources as s
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_linux import Gatherer


def test_run_command_returns_stdout_in_the_c_locale():
    out = s.run_command([sys.executable, "-c", "import os; print(os.environ['LC_ALL'])"], timeout=10)
    assert out == "C\n"


def test_run_command_times_out_and_kills_the_process():
    with pytest.raises(s.SourceUnavailable, match=r"timed out after 0.5s"):
        s.run_command([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


def test_run_command_missing_command():
    with pytest.raises(s.SourceUnavailable, match="command not found: no-such-command-glpiops"):
        s.run_command(["no-such-command-glpiops"], timeout=5)


def test_run_command_failure_quotes_the_last_stderr_line():
    with pytest.raises(s.SourceUnavailable, match=r"exited with rc 3: boom"):
        s.run_command([sys.executable, "-c", "import sys; sys.stderr.write('x\\nboom\\n'); sys.exit(3)"], timeout=5)


def test_read_text_missing_file(tmp_path):
    with pytest.raises(s.SourceUnavailable, match="not found"):
        s.read_text(str(tmp_path / "absent"))


def test_read_attributes_skips_unreadable(tmp_path):
    (tmp_path / "address").write_text("02:fc:00:00:00:01\n")
    (tmp_path / "speed").mkdir()  # reading a directory fails like sysfs' EINVAL does
    assert s.read_attributes(str(tmp_path), ["address", "speed", "absent"]) == {"address": "02:fc:00:00:00:01"}


def test_gatherer_keeps_each_source_or_its_reason():
    g = Gatherer(timeout=5)
    g.gather("ok", lambda: "value")
    g.gather("refused", s.read_text, "/proc/self/no-such-file")
    g.gather("optional", s.read_text, "/proc/self/no-such-file", optional=True)
    g.gather("bug", lambda: 1 / 0)
    assert g.sources == {"ok": "value"}
    assert set(g.errors) == {"refused", "bug"}
    assert g.errors["bug"].startswith("unexpected ZeroDivisionError")
