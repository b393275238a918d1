# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A GLPI inventory endpoint test double (see README.md): ``from tests.glpi_double import GLPIDouble, make_test_ca``."""

from __future__ import annotations

__all__ = ["GLPIDouble", "Exchange", "make_test_ca"]


def __getattr__(name):
    # lazy, so that ``python -m tests.glpi_double.server`` does not import server.py twice
    if name in ("GLPIDouble", "Exchange"):
        from . import server  # pylint: disable=import-outside-toplevel

        return getattr(server, name)
    if name == "make_test_ca":
        from . import _tls  # pylint: disable=import-outside-toplevel

        return _tls.make_test_ca
    raise AttributeError(name)
