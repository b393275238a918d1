# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one base of every error the collection raises on purpose.

Private to the glpiops.glpi collection: no compatibility promise.

Each concern keeps its own class (``GLPIError`` for a GLPI server, ``SpoolError``, ``LocalTargetError``,
``GlpiRemoteError`` for GLPI Agent's tools...), all derived from ``GLPIOpsError``, so a module or an action
plugin catches one thing to turn a failure into a failed task with its message.  The messages are written for
the operator and carry no secret: whoever raises one masks first.  Target-side code may use it (standard
library only, Python 3.8+).
"""

from __future__ import annotations


class GLPIOpsError(Exception):
    """An error of the glpiops.glpi collection: its message is fit for a failed task's ``msg``."""
