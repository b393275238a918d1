# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GLPI inventory endpoint test double: ``GLPIDouble`` in tests, ``python -m tests.glpi_double.server --help`` as a process.

The code lives in ``_double.py`` so that running this module with ``-m`` does not import it twice.
"""

from __future__ import annotations

import sys

from ._double import Exchange, GLPIDouble, default_schema_dir, main

__all__ = ["Exchange", "GLPIDouble", "default_schema_dir", "main"]

if __name__ == "__main__":
    sys.exit(main())
