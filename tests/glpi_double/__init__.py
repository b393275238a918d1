# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A GLPI inventory endpoint test double (see README.md): ``from tests.glpi_double import GLPIDouble, make_test_ca``."""

from __future__ import annotations

from ._double import Exchange, GLPIDouble
from ._tls import TestCA, make_test_ca

__all__ = ["Exchange", "GLPIDouble", "TestCA", "make_test_ca"]
