# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GLPI's APIs for listing computers, for tests (see README.md): ``from tests.glpi_api_double import LegacyAPIDouble, V2APIDouble``."""

from __future__ import annotations

from ._computers import SEARCH_OPTIONS, cell, computer, computers
from ._legacy import LegacyAPIDouble, php_query
from ._served import Exchange
from ._v2 import V2APIDouble, v2_record

__all__ = ["Exchange", "LegacyAPIDouble", "SEARCH_OPTIONS", "V2APIDouble", "cell", "computer", "computers", "php_query",
           "v2_record"]
