# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the tests find the reference material: tests/fixtures/reference, inside the repository.

Schemas, transcripts and the GLPI Agent corpus are copied there (see its README.md for origin and licence), so a plain
clone runs every test.  A missing file is a broken checkout: the test fails with the path, it is never skipped.
"""

from __future__ import annotations

import pathlib

REFERENCE = pathlib.Path(__file__).resolve().parent / "fixtures" / "reference"
CORPUS = REFERENCE / "glpi-agent-corpus"


def reference_path(*parts):
    """The path of a file of tests/fixtures/reference; the calling test fails when it is missing."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        import pytest  # pylint: disable=import-outside-toplevel

        pytest.fail("fixture %s is missing (tests/fixtures/reference is part of the repository)" % path, pytrace=False)
    return path
