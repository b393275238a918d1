# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version announced to GLPI is the collection's version."""

from __future__ import annotations

import pathlib
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION


def test_version_matches_galaxy_yml():
    galaxy = (pathlib.Path(__file__).resolve().parents[3] / "galaxy.yml").read_text()
    assert re.search(r"^version:\s*(\S+)\s*$", galaxy, re.MULTILINE).group(1) == COLLECTION_VERSION
