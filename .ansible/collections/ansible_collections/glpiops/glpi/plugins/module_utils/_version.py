# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's version, as announced to GLPI.  Private to glpiops.glpi.

A unit test keeps it equal to ``galaxy.yml``'s version.
"""

from __future__ import annotations

COLLECTION_VERSION = "0.1.0"
