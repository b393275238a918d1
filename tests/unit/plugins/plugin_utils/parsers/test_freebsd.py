# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FreeBSD parsers (GEOM + dmesg, mfiutil, ifconfig, sysctl, df, swapctl) against GLPI Agent's corpus; fuzzed."""

from __future__ import annotations


import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _freebsd as bsd
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _packages as pk
from tests._reference import reference_path


def bsd_storages(case):
    """The ``storages`` view of a bsd/ sample: mfiutil's output, or GEOM's tree with its dmesg companion."""
    if case.name == "storages/mfiutil":
        return bsd.storages_from_mfiutil(case.read_text())
    if case.name == "storages/pfsense1":
        dmesg = [path for name, path in case.extra_inputs.items() if name.endswith(".dmesg.txt")]
        # storages.t sorts the list by name
        return sorted(bsd.storages(case.read_text(), case.read_text(dmesg[0])), key=lambda entry: entry.get("name", ""))
    pytest.fail("%r: no storages parser for this sample" % case)
    return None


def check_storages_like_agent(case, assert_same_as_agent):
    """Every field as the agent's JSON form, ``disksize`` checked on its own (docs/corpus-differences.md: GEOM's bytes)."""
    actual = bsd_storages(case)
    expected = case.inventory["storages"]
    assert_same_as_agent(case, actual, expected)
    sizes = [entry.get("disksize") for entry in actual]
    if case.name == "storages/pfsense1":
        assert sizes == [entry["disksize"] // 1000000 for entry in expected]  # the agent sends bytes, GLPI wants MB
    else:
        assert sizes == [entry["disksize"] for entry in expected]
    return actual


@pytest.mark.corpus("bsd")
def test_bsd_views_match_glpi_agent(corpus_case, assert_same_as_agent, assert_valid_inventory):
    if corpus_case.view == "storages":
        section = check_storages_like_agent(corpus_case, assert_same_as_agent)
    elif corpus_case.view == "softwares":
        section = pk.parse_pkg_info(corpus_case.read_text())
        assert_same_as_agent(corpus_case, section, corpus_case.inventory["softwares"])
    else:
        pytest.fail("%r: unknown view of bsd/" % corpus_case)
    assert_valid_inventory({"deviceid": "test-bsd", "content": {"versionclient": "test", corpus_case.view: section}})


IFCONFIG = """em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
\toptions=81009b<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,VLAN_HWCSUM,VLAN_HWFILTER>
\tether 08:00:27:aa:bb:cc
\tinet 192.168.56.10 netmask 0xffffff00 broadcast 192.168.56.255
\tinet6 fe80::a00:27ff:feaa:bbcc%em0 prefixlen 64 scopeid 0x1
\tmedia: Ethernet autoselect (1000baseT <full-duplex>)
\tstatus: active
\tnd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
\tinet6 ::1 prefixlen 128
pflog0: flags=0<> metric 0 mtu 33160
"""


def test_freebsd_ifconfig():
    assert bsd.networks(IFCONFIG, "192.168.56.1") == [
        {"description": "em0", "status": "up", "mac": "08:00:27:aa:bb:cc", "mtu": 1500, "ipaddress": "192.168.56.10",
         "ipmask": "255.255.255.0", "ipsubnet": "192.168.56.0", "ipaddress6": "fe80::a00:27ff:feaa:bbcc", "virtualdev": False,
         "ipgateway": "192.168.56.1"},
        {"description": "lo0", "status": "down", "mtu": 16384, "ipaddress": "127.0.0.1", "ipmask": "255.0.0.0",
         "ipsubnet": "127.0.0.0", "ipaddress6": "::1", "type": "loopback", "virtualdev": True},
        {"description": "pflog0", "status": "down", "mtu": 33160, "virtualdev": True},
    ]


def test_freebsd_sysctl_memory_swap_cpus_drives():
    sysctl = bsd.parse_sysctl("hw.model: Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz\nhw.ncpu: 2\nhw.physmem: 4270092288\n"
                              "hw.machine_arch: amd64\n")
    assert bsd.memory_mb(sysctl) == 4072
    assert bsd.swap_mb("Total:           2097152         0\n") == 2048
    assert bsd.cpus(sysctl) == [{"name": "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", "manufacturer": "Intel", "speed": 1600,
                                 "arch": "amd64"}] * 2
    assert bsd.cpus(sysctl, [{"name": "X", "speed": 3000}]) == [{"name": "X", "speed": 1600}]
    df = ("Filesystem  Type  1024-blocks    Used   Avail Capacity  Mounted on\n"
          "/dev/ada0p2 ufs     30450716 5000000 23000000    18%    /\n"
          "devfs       devfs          1       1        0   100%    /dev\n"
          "zroot/home  zfs     20000000    1000 19999000     0%    /home\n")
    assert bsd.drives(df) == [
        {"volumn": "/dev/ada0p2", "filesystem": "ufs", "total": 29737, "free": 22460, "type": "/"},
        {"volumn": "zroot/home", "filesystem": "zfs", "total": 19531, "free": 19530, "type": "/home"}]


def _corpus_texts():
    root = reference_path("glpi-agent-corpus", "bsd", "storages")
    return [path.read_text(encoding="utf-8", errors="replace") for path in sorted(root.glob("*.txt"))]


def _check(text):
    for result in (bsd.storages(text, text), bsd.storages_from_mfiutil(text), bsd.networks(text, "10.0.0.1"),
                   bsd.cpus(bsd.parse_sysctl(text)), bsd.drives(text), bsd.geom_disks(text)):
        assert isinstance(result, list) and all(isinstance(entry, dict) for entry in result)
    assert bsd.swap_mb(text) is None or isinstance(bsd.swap_mb(text), int)
    assert bsd.memory_mb(bsd.parse_sysctl(text)) is None or isinstance(bsd.memory_mb(bsd.parse_sysctl(text)), int)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda raw: raw.decode("latin-1"))))
def test_fuzz_random_text(text):
    _check(text)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_corpus(mutate, data):
    text = data.draw(st.sampled_from(_corpus_texts() + [IFCONFIG]))
    text = mutate(text.encode("utf-8"), data.draw(st.integers(0, 2 ** 32))).decode("utf-8", "replace")
    _check(text)
