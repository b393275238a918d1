# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text from targets and servers reaches the terminal with its control characters escaped."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable


@pytest.mark.parametrize("text, shown", [
    ("dmesg: \x1b[2J\x1b[Hgone", "dmesg: \\x1b[2J\\x1b[Hgone"),
    ("bell\x07 and\rreturn", "bell\\x07 and\\x0dreturn"),
    ("c1 \x9b31m", "c1 \\x9b31m"),
    ("line\u2028separator", "line\\u2028separator"),
    ("two\nlines", "two\\x0alines"),
    ("tab\tkept, ünïcödé kept", "tab\tkept, ünïcödé kept"),
])
def test_control_characters_are_escaped(text, shown):
    assert printable(text) == shown


def test_newlines_can_be_kept_and_other_values_pass():
    assert printable("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"
    assert printable(None) is None and printable(3) == 3
    text = "plain"
    assert printable(text) is text
