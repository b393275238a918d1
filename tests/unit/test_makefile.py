# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make help` lists every target of the Makefile (issue 15): each .PHONY target has a rule and a line in the help."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"


def phony_targets(text):
    """The names listed in .PHONY, continuation lines included."""
    joined = text.replace("\\\n", " ")
    names = []
    for line in joined.splitlines():
        if line.startswith(".PHONY:"):
            names.extend(line.split(":", 1)[1].split())
    return names


def rule_targets(text):
    """The plain names that have a rule ("name: ..."), not variables ("name := ...") nor files or patterns."""
    names = set()
    for line in text.replace("\\\n", " ").splitlines():
        match = re.match(r"^([A-Za-z][A-Za-z0-9_.-]*(?:\s+[A-Za-z][A-Za-z0-9_.-]*)*)\s*:(?![=:])", line)
        if match:
            names.update(match.group(1).split())
    return names


def missing_from_help(targets, help_text):
    """The targets for which the help has no "make <target>" line."""
    listed = set(re.findall(r"^\s*make\s+([A-Za-z0-9_.-]+)", help_text, flags=re.MULTILINE))
    return [target for target in targets if target not in listed]


def make_help():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run([make, "-s", "--no-print-directory", "help"], cwd=str(ROOT), capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_every_phony_target_has_a_rule_and_every_rule_is_phony():
    text = MAKEFILE.read_text()
    phony = phony_targets(text)
    assert "help" in phony and "bench-publish" in phony
    assert len(phony) == len(set(phony)), "a target is listed twice in .PHONY"
    assert sorted(set(phony) - rule_targets(text)) == [], ".PHONY targets without a rule"
    assert sorted(rule_targets(text) - set(phony)) == [], "rules missing from .PHONY"


def test_make_help_lists_every_target():
    phony = phony_targets(MAKEFILE.read_text())
    assert missing_from_help(phony, make_help()) == []


def test_the_help_check_fails_on_a_missing_target():
    help_text = "make inventory   does this\nmake test        does that\n"
    assert missing_from_help(["inventory", "test"], help_text) == []
    assert missing_from_help(["inventory", "test", "bench-publish"], help_text) == ["bench-publish"]
    # "make test" does not count for "make test-units"
    assert missing_from_help(["test-units"], help_text) == ["test-units"]


def test_the_parsers_read_continuations_and_skip_variables():
    text = ".PHONY: a b \\\n        c\nX := 1\nY ?= 2\na: b\nb c:\n\t@echo\n$(VENV)/.installed: x\n"
    assert phony_targets(text) == ["a", "b", "c"]
    assert rule_targets(text) == {"a", "b", "c"}
