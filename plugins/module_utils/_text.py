# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Text from a target or a server, made safe to show on an operator's terminal.

Private to the glpiops.glpi collection: no compatibility promise.  Standard library only (modules import it too).

A warning built from a ``dmesg`` line or a server's error page reaches the operator's terminal as it is: an escape
sequence in it can clear the screen, hide lines or retitle the window.  ``printable`` writes every control
character (C0, DEL, C1, and the line and paragraph separators) as a visible ``\\xNN``/``\\uNNNN`` escape.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

_KEEP = frozenset("\t")


def _escape(char):
    code = ord(char)
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def _is_control(char):
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029)


def printable(text, keep_newlines=False):
    """``text`` with its control characters escaped (tabs kept, newlines too with ``keep_newlines``)."""
    if not isinstance(text, str):
        return text
    if not any(_is_control(char) for char in text):
        return text
    keep = _KEEP | ({"\n"} if keep_newlines else set())
    return "".join(_escape(char) if _is_control(char) and char not in keep else char for char in text)
