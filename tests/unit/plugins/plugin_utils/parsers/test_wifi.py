# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wifi_* fields of networks entries, from iwconfig (GLPI Agent's source) or iw."""

from __future__ import annotations


from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _wifi

# The layout of `iwconfig wlan0` (wireless-tools 30) for an associated station ...
IWCONFIG = (
    'wlan0     IEEE 802.11  ESSID:"Office 5G"  \n'
    "          Mode:Managed  Frequency:5.18 GHz  Access Point: 3C:28:6D:11:22:33   \n"
    "          Bit Rate=867 Mb/s   Tx-Power=22 dBm   \n"
    "          Retry short limit:7   RTS thr:off   Fragment thr:off\n"
    "          Power Management:on\n"
    "          Link Quality=61/70  Signal level=-49 dBm  \n"
    "          Rx invalid nwid:0  Rx invalid crypt:0  Rx invalid frag:0\n"
    "\n"
)
# ... one that is not, and `iw dev wlan0 info` / `iw dev wlan0 link` (iw 5.19) for the associated one.
IWCONFIG_IDLE = "wlan0     IEEE 802.11abgn  ESSID:off/any  \n          Mode:Managed  Access Point: Not-Associated   Tx-Power=16 dBm\n"
IW_INFO = """Interface wlan0
\tifindex 3
\twdev 0x1
\taddr a0:b1:c2:d3:e4:f5
\tssid Office 5G
\ttype managed
\twiphy 0
\tchannel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz
\ttxpower 22.00 dBm
"""
IW_LINK = """Connected to 3c:28:6d:11:22:33 (on wlan0)
\tSSID: Office 5G
\tfreq: 5180
\tRX: 1234567 bytes (4321 packets)
\tTX: 234567 bytes (1234 packets)
\tsignal: -49 dBm
\trx bitrate: 780.0 MBit/s VHT-MCS 8 80MHz short GI VHT-NSS 2
\ttx bitrate: 866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2
"""


def test_iwconfig_like_the_agent():
    assert _wifi.parse_iwconfig(IWCONFIG) == {"wifi_version": "802.11", "wifi_ssid": "Office 5G", "wifi_mode": "Managed",
                                              "wifi_bssid": "3C:28:6D:11:22:33", "bitrate": 867}
    assert _wifi.parse_iwconfig(IWCONFIG_IDLE) == {"wifi_version": "802.11abgn", "wifi_mode": "Managed"}


def test_iw_gives_the_same_facts_but_no_version():
    assert _wifi.parse_iw(IW_INFO, IW_LINK) == {"wifi_ssid": "Office 5G", "wifi_mode": "Managed", "wifi_bssid": "3C:28:6D:11:22:33",
                                                "bitrate": 866}
    assert _wifi.parse_iw("Interface wlan1\n\ttype AP\n", "Not connected.\n") == {"wifi_mode": "Master"}


def test_by_interface():
    raw = {"wlan0": {"iwconfig": IWCONFIG}, "wlan1": {"iw_info": IW_INFO, "iw_link": None}, "wlan2": {"iwconfig": ""}, 3: {}}
    found = _wifi.wifi_by_interface(raw)
    assert sorted(found) == ["wlan0", "wlan1"] and found["wlan1"] == {"wifi_ssid": "Office 5G", "wifi_mode": "Managed"}
    assert _wifi.wifi_by_interface(None) == {}


def _check(result):
    assert isinstance(result, dict)
    for key, value in result.items():
        assert key in ("wifi_version", "wifi_ssid", "wifi_mode", "wifi_bssid", "bitrate")
        assert isinstance(value, int if key == "bitrate" else str) and value != ""


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=300)), st.one_of(st.none(), st.text(max_size=300)))
def test_fuzz_random(first, second):
    _check(_wifi.parse_iwconfig(first))
    _check(_wifi.parse_iw(first, second))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_fuzz_mutated_recordings(mutate, seed):
    texts = [mutate(text.encode("utf-8"), seed + index).decode("utf-8", "replace") for index, text in enumerate((IWCONFIG, IW_INFO, IW_LINK))]
    _check(_wifi.parse_iwconfig(texts[0]))
    _check(_wifi.parse_iw(texts[1], texts[2]))
