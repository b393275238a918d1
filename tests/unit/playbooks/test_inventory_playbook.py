# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.inventory over connection: local on a machine whose PATH starts with a failing pyenv shim (no sshd, no GLPI)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"
SHIM = """#!/bin/sh
echo "pyenv: python3.13: command not found" >&2
echo "" >&2
echo "The \\`python3.13' command exists in these Python versions:" >&2
echo "  3.13.0" >&2
exit 127
"""


@pytest.fixture
def run_playbook(tmp_path):
    """Run the packaged playbook with a fake, failing python3.13 (and python3, python) first in PATH."""
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3.13", "python3", "python"):
        (shims / name).write_text(SHIM.replace("python3.13", name))
        (shims / name).chmod(0o755)
    collections = tmp_path / "collections" / "ansible_collections" / "glpiops"
    collections.mkdir(parents=True)
    (collections / "glpi").symlink_to(ROOT)
    if not PLAYBOOK.exists():
        pytest.skip("ansible-playbook is not beside %s" % sys.executable)

    def run(inventory_line):
        inventory = tmp_path / "hosts.ini"
        inventory.write_text(inventory_line + "\n")
        env = dict(os.environ, PATH="%s:%s" % (shims, os.environ["PATH"]), ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"),
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_INTERPRETER_PYTHON="auto_silent", ANSIBLE_RETRY_FILES_ENABLED="false")
        env.pop("PYTHONPATH", None)
        done = subprocess.run([str(PLAYBOOK), "-i", str(inventory), "glpiops.glpi.inventory", "-e", "glpi_local_path=%s" % (tmp_path / "out")],
                              env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120, check=False)
        return done.returncode, done.stdout + done.stderr, tmp_path / "out"

    return run


def test_connection_local_uses_the_controller_python_not_a_discovered_shim(run_playbook):
    rc, output, out = run_playbook("localhost ansible_connection=local")
    # Every python, python3 and python3.13 in PATH fails: success means the collector ran on ansible_playbook_python.
    assert rc == 0, output
    assert "ok=3" in output and "failed=0" in output
    written = list(out.glob("*.json"))
    assert len(written) == 1 and json.loads(written[0].read_text())["deviceid"]


def test_an_interpreter_set_in_the_inventory_is_kept_and_its_failure_explained(run_playbook):
    rc, output, out = run_playbook("localhost ansible_connection=local ansible_python_interpreter=python3.13")
    assert rc != 0
    assert "skipped=1" in output and "failed=1" in output
    assert "(python3.13) is a pyenv shim that fails: pyenv: python3.13: command not found" in output
    assert "Set the ansible_python_interpreter variable" in output
    assert not list(out.glob("*.json"))
