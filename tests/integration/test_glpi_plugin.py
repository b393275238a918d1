# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.glpi_plugin and glpi_plugin_info against stand-in GLPI 10 and 11 trees under real PHP.

First the stand-in replays the lab's transcript (tests/fixtures/reference/glpi/plugin-console-transcript.txt):
every call, same stdout, stderr, rc and glpi_plugins row after it.  Then the modules run in real
``ansible-playbook -vvv`` runs (connection local); what GLPI stored is read back from the stand-in's
"database" files, independently of the modules.
"""

from __future__ import annotations

import pytest

from _glpi_stand_in import build_glpi_tree  # noqa: E402  pylint: disable=import-error
from test_glpi_network import php, run_tasks  # noqa: E402,F401  pylint: disable=import-error,unused-import
from tests._plugin_transcript import transcript_calls

CALLS = transcript_calls()


def _lab_tree(tmp_path, version):
    """The lab's starting point: pluginsGLPI/example in plugins/example, no route to GLPI Network."""
    tree = build_glpi_tree(tmp_path / ("glpi-" + version), version=version)
    if version.startswith("10"):
        tree.add_plugin("example", "0.0.1", name="Plugin Example")
        tree.store_plugin_row("example", 2, "0.0.1", name="Plugin Example")
    else:
        tree.add_plugin("example", "0.1.0", name="Plugin Example")
    tree.answer("unreachable")
    return tree


@pytest.mark.parametrize("version", sorted({call["version"] for call in CALLS}))
def test_the_stand_in_replays_the_lab_transcript(tmp_path, version):
    tree = _lab_tree(tmp_path, version)
    calls = [call for call in CALLS if call["version"] == version]
    assert len(calls) >= 14
    row = tree.plugin_rows().get("example")
    assert (row and {"directory": "example", "state": row["state"], "version": row["version"]}) == (calls[0]["row_before"] or None)
    for call in calls:
        proc = tree.console(*call["args"])
        stdout = proc.stdout.replace(str(tree.root), "<glpi tree>")
        stderr = proc.stderr.replace(str(tree.root), "<glpi tree>")
        assert (stdout, stderr, proc.returncode) == (call["stdout"], call["stderr"], call["rc"]), call["args"]
        row = tree.plugin_rows().get("example")
        assert (row and {"directory": "example", "state": row["state"], "version": row["version"]}) == (call["row_after"] or None), call["args"]
