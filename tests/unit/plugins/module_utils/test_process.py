# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_process: the one way the collection runs a program on a target (deadline, caps, everything killed)."""

from __future__ import annotations

import os
import sys
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._process import run_process


def test_stdin_cwd_env_and_exit_code(tmp_path):
    code = "import os, sys; sys.stdout.write(sys.stdin.read() + os.getcwd() + os.environ['X']); sys.stderr.write('e'); sys.exit(4)"
    finished = run_process([sys.executable, "-c", code], 30, stdin_data=b"in:", env=dict(os.environ, X=":x"), cwd=str(tmp_path))
    assert finished == (4, ("in:%s:x" % tmp_path).encode(), b"e", None)


def test_an_earlier_end_wins_over_the_timeout():
    ends = time.monotonic() + 0.5
    finished = run_process([sys.executable, "-c", "import time; time.sleep(60)"], 60, ends=ends)
    assert finished.stop == "timeout" and finished.rc is not None and finished.rc < 0  # killed, and reaped


def test_each_stream_has_its_cap():
    finished = run_process([sys.executable, "-c", "import sys; sys.stdout.write('x' * 100000)"], 30, max_output=1000)
    assert finished.stop == "stdout" and len(finished.stdout) == 1001
    finished = run_process([sys.executable, "-c", "import sys; sys.stderr.write('x' * 100000)"], 30, max_errors=10)
    assert finished.stop == "stderr" and len(finished.stderr) == 11
