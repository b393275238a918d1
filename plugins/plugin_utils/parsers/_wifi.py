# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wifi fields of a wireless interface's ``networks`` entries.

Private to the glpiops.glpi collection: no compatibility promise.

GLPI Agent reads ``iwconfig <interface>``: ``wifi_version`` after ``IEEE``, ``wifi_ssid``
from ``ESSID:"..."``, ``wifi_mode`` after ``Mode:``, ``wifi_bssid`` the ``Access Point``
MAC, and the speed from a whole ``Bit Rate=<n> Mb/s`` when sysfs gave none.
iwconfig (wireless-tools) is gone from many systems; then ``iw dev <interface> info``
and ``link`` give the same facts under other names (the mode in iwconfig's words,
the BSSID in its upper case); ``iw`` has no single protocol name, so no
``wifi_version`` then.
"""

from __future__ import annotations

import re

_MAC = r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}"
# iw's interface types in iwconfig's words.
_IW_MODES = {"managed": "Managed", "AP": "Master", "IBSS": "Ad-Hoc", "monitor": "Monitor", "mesh point": "Mesh"}


def _clean(fields):
    return {key: value for key, value in fields.items() if value is not None and value != ""}


def parse_iwconfig(text):
    """``iwconfig <if>`` -> ``{"wifi_version", "wifi_ssid", "wifi_mode", "wifi_bssid", "bitrate"}`` (what it shows)."""
    fields = {}
    if not isinstance(text, str):
        return fields
    for line in text.splitlines():
        for key, pattern in (("wifi_version", r"IEEE (\S+)"), ("wifi_ssid", r'ESSID:"([^"]+)"'), ("wifi_mode", r"Mode:(\S+)"),
                             ("wifi_bssid", r"Access Point: (%s)" % _MAC)):
            match = re.search(pattern, line)
            if match:
                fields[key] = match.group(1)
        match = re.match(r"^\s+Bit Rate=(\d{1,9})\s+Mb/s", line)
        if match:
            fields["bitrate"] = int(match.group(1))
    return _clean(fields)


def parse_iw(info, link):
    """``iw dev <if> info`` and ``iw dev <if> link`` -> the same fields as ``parse_iwconfig`` (no version)."""
    fields = {}
    for line in info.splitlines() if isinstance(info, str) else []:
        match = re.match(r"^\s+(ssid|type) (.+?)\s*$", line)
        if match and match.group(1) == "ssid":
            fields["wifi_ssid"] = match.group(2)
        elif match:
            fields["wifi_mode"] = _IW_MODES.get(match.group(2), match.group(2))
    for line in link.splitlines() if isinstance(link, str) else []:
        match = re.match(r"^Connected to (%s)" % _MAC, line)
        if match:
            fields["wifi_bssid"] = match.group(1).upper()
        match = re.match(r"^\s+SSID: (.+?)\s*$", line)
        if match:
            fields.setdefault("wifi_ssid", match.group(1))
        match = re.match(r"^\s+tx bitrate: (\d{1,9})(?:\.\d+)? MBit/s", line)
        if match:
            fields["bitrate"] = int(match.group(1))
    return _clean(fields)


def wifi_by_interface(raw):
    """The collector's ``wireless`` source (``{interface: {"iwconfig": text} or {"iw_info", "iw_link"}}``) -> fields per interface."""
    found = {}
    if not isinstance(raw, dict):
        return found
    for name, facts in raw.items():
        if not isinstance(name, str) or not isinstance(facts, dict):
            continue
        if "iwconfig" in facts:
            fields = parse_iwconfig(facts.get("iwconfig"))
        else:
            fields = parse_iw(facts.get("iw_info"), facts.get("iw_link"))
        if fields:
            found[name] = fields
    return found
