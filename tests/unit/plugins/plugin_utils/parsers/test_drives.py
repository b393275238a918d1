# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drives section from df -P -T -k, with GLPI Agent's filters and units."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _drives as d

DF = """Filesystem              Type     1024-blocks     Used Available Capacity Mounted on
devtmpfs                devtmpfs    12334460        0  12334460       0% /dev
/dev/vda                ext4       264212084 23770836  82620076      23% /
overlay                 overlay     1000000   100000    900000      10% /var/lib/docker/overlay2/x/merged
/dev/sdb1               vfat          523248     6220    517028       2% /media/My Disk
proc                    proc               0        0         0       -  /proc
/dev/sdc1               ext4         1000000  1000000         0     100% /full
"""


def test_drives_like_the_agent():
    links = {"by-uuid": {"2b1f-0c3d": "/dev/sdb1", "0b6e8f3a-1c1e": "/dev/vda"}, "by-label": {"My\\x20Disk": "/dev/sdb1"}}
    assert d.drives(DF, links) == [
        # The agent's values on this very VM: {"filesystem":"ext4","free":81211,"total":258019,"type":"/","volumn":"/dev/vda"}
        {"volumn": "/dev/vda", "filesystem": "ext4", "total": 258019, "free": 80683, "type": "/", "serial": "0b6e8f3a-1c1e"},
        {"volumn": "/dev/sdb1", "filesystem": "vfat", "total": 510, "free": 504, "type": "/media/My Disk",
         "serial": "2b1f-0c3d", "label": "My Disk"},
    ]


def test_no_header_no_drives():
    assert d.drives("/dev/vda ext4 1 1 1 1% /") == []


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_never_raises(text):
    assert isinstance(d.drives(text, {"by-uuid": {"x": text}}), list)
    assert isinstance(d.drives(DF.splitlines()[0] + "\n" + text), list)
