# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's GLPI plugin console transcript (tests/fixtures/reference/glpi/plugin-console-transcript.txt), read into calls.

Each call: the GLPI version of its section, its arguments, stdout and stderr as recorded (lines joined with
newlines, a final newline when there was output), rc, and the ``glpi_plugins`` row after it (``None`` when
there was none), plus the row before the first call of each section.
"""

from __future__ import annotations

import re
import shlex

from tests._reference import reference_path

_SECTION = re.compile(r"^==== GLPI (\d+\.\d+\.\d+)")
_ROW = re.compile(r"^\s*\(glpi_plugins row: (?:(\S+) state= (\d+) version= (\S+))?\s*\)$")


def _row(match):
    if match.group(1) is None:
        return None
    return {"directory": match.group(1), "state": int(match.group(2)), "version": match.group(3)}


def transcript_calls():
    """``[{"version", "args", "stdout", "stderr", "rc", "row_before", "row_after"}]`` in recorded order."""
    text = reference_path("glpi", "plugin-console-transcript.txt").read_text()
    calls, version, row, current = [], None, None, None
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            version, row, current = section.group(1), None, None
            continue
        if line.startswith("$ php bin/console "):
            current = {"version": version, "args": shlex.split(line[len("$ php bin/console "):]), "stdout": [], "stderr": [],
                       "rc": None, "row_before": row}
            calls.append(current)
            continue
        match = _ROW.match(line)
        if match:
            row = _row(match)
            if current is not None:
                current["row_after"] = row
                current = None
            continue
        if current is None:
            continue
        for stream in ("stdout", "stderr"):
            if line.startswith(stream + ":"):
                current[stream].append(line[len(stream) + 2:] if line.startswith(stream + ": ") else "")
        if line.startswith("rc="):
            current["rc"] = int(line[3:])
    for call in calls:
        for stream in ("stdout", "stderr"):
            call[stream] = "\n".join(call[stream]) + "\n" if call[stream] else ""
    return calls
