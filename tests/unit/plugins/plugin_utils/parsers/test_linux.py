# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Linux parsers on recorded outputs: one behaviour per test."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _linux as linux_sections
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _linux as p

DEBIAN_OS_RELEASE = '''PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
'''

UBUNTU_OS_RELEASE = '''NAME="Ubuntu"
VERSION="22.04.3 LTS (Jammy Jellyfish)"
ID=ubuntu
PRETTY_NAME="Ubuntu 22.04.3 LTS"
VERSION_ID="22.04"
'''


def test_os_release_debian_takes_the_complete_version_from_debian_version():
    assert p.parse_os_release(DEBIAN_OS_RELEASE, debian_version="12.11\n") == {
        "name": "Debian GNU/Linux",
        "version": "12.11",
        "full_name": "Debian GNU/Linux 12 (bookworm)",
    }


def test_os_release_debian_testing_codename_keeps_the_os_release_version():
    assert p.parse_os_release(DEBIAN_OS_RELEASE, debian_version="trixie/sid\n")["version"] == "12 (bookworm)"


def test_os_release_ubuntu_uses_version():
    assert p.parse_os_release(UBUNTU_OS_RELEASE)["version"] == "22.04.3 LTS (Jammy Jellyfish)"


def test_os_release_centos_vague_version_is_fixed_from_centos_release():
    text = 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n'
    release = p.parse_os_release(text, centos_release="CentOS Linux release 7.9.2009 (Core)\n")
    assert release["version"] == "7.9.2009 (Core)"


def test_meminfo_reads_kilobytes():
    values = p.parse_meminfo("MemTotal:       24684084 kB\nSwapTotal:      1048572 kB\nHugePages_Total:       0\n")
    assert values["MemTotal"] == 24684084
    assert values["SwapTotal"] == 1048572


def test_boot_epoch_from_proc_stat():
    assert p.parse_boot_epoch("cpu  1 2 3\nbtime 1795398295\nprocesses 10\n") == 1795398295
    assert p.parse_boot_epoch("cpu  1 2 3\n") is None


def test_resolv_conf_nameservers_in_order_without_duplicates():
    text = "# comment\nsearch example.org\nnameserver 10.0.0.53\nnameserver 10.0.0.54\nnameserver 10.0.0.53\n"
    assert p.parse_resolv_conf(text) == ["10.0.0.53", "10.0.0.54"]


def test_default_route_from_proc_net_route_lowest_metric_first():
    text = (
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "wlan0\t00000000\tFE01A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    )
    assert p.parse_proc_net_route(text) == [("eth0", "192.0.2.1"), ("wlan0", "192.168.1.254")]


def test_masks_and_subnets():
    assert p.ipv4_mask_and_subnet("192.168.0.10", 24) == ("255.255.255.0", "192.168.0.0")
    assert p.ipv4_mask_and_subnet("192.168.41.6", None) == (None, None)
    assert p.ipv6_mask_and_subnet("fe80::223:18ff:fe91:db8d", 64) == ("ffff:ffff:ffff:ffff::", "fe80::")


@pytest.mark.corpus("ip")
def test_ip_corpus_like_glpi_agent(corpus_case, assert_same_as_agent):
    """GLPI Agent's own ip outputs: the same default gateway, and the same entry per address (networks section)."""
    text = corpus_case.read_text()
    if corpus_case.view == "default_gateway":
        routes = p.parse_ip_default_routes(text)
        assert routes and routes[0][1] == corpus_case.expected
    elif corpus_case.view == "interfaces":
        networks = linux_sections.build_networks({"ip_addr": text})
        fields = ("description", "ipaddress", "ipmask", "ipsubnet", "ipaddress6", "ipmask6", "ipsubnet6", "mac", "status")
        # The corpus's parser sees no sysfs: compare what it knows, in the typed inventory form it sends.
        ours = [{key: entry[key] for key in fields if key in entry} for entry in networks]
        assert_same_as_agent(corpus_case, ours, corpus_case.inventory["interfaces"])
    else:
        pytest.fail("no handler for view %s" % corpus_case.view)


@pytest.mark.parametrize("text", ["", "\x00\xff garbage", "1: eth0: <UP> mtu x\n    inet 999.1.1.1/99\n", "2: broken"])
def test_ip_addr_never_raises_on_garbage(text):
    assert isinstance(p.parse_ip_addr(text), dict)


def test_hostid_and_epochs():
    assert p.parse_hostid("007f0100\n") == "007f0100"
    assert p.parse_hostid("hostid: command not found") is None
    # stat -c %W prints 0 when the filesystem keeps no birth time: unknown, not 1970.
    assert p.install_epoch({"base_files_list": "0\n", "root": "1700000000\n"}) == 1700000000
    assert p.install_epoch({"rpm_basesystem": "1600000000\n", "root": "1700000000\n"}) == 1600000000
    assert p.install_epoch({"base_files_list": "-\n"}) is None


def test_install_epoch_without_birth_times_is_the_oldest_installation_marker():
    markers = {"/var/log/installer": "1690000000", "/etc/machine-id": "1680000000", "/root/anaconda-ks.cfg": "0"}
    assert p.install_epoch({"base_files_list": "0\n", "root": "0\n", "markers": markers}) == 1680000000
    # A birth time, when known, is what the agent reports: it wins.
    assert p.install_epoch({"root": "1700000000\n", "markers": markers}) == 1700000000
    assert p.install_epoch({"root": "0\n", "markers": {"/etc/machine-id": "0"}}) is None
    assert p.install_epoch({"markers": "garbage"}) is None


def test_ssh_host_key_is_the_first_ssh_key_in_sorted_order():
    keys = {"ssh_host_rsa_key.pub": "ssh-rsa AAAAB3Nza root@vm\n", "ssh_host_ecdsa_key.pub": "ecdsa-sha2-nistp256 AAAAE2 root@vm\n",
            "ssh_host_ed25519_key.pub": "ssh-ed25519 AAAAC3Nz root@vm\n"}
    assert p.ssh_host_key(keys) == "ssh-ed25519 AAAAC3Nz"
    assert p.ssh_host_key({}) is None


def test_firewall_status():
    running = ("* firewalld.service - firewalld - dynamic firewall daemon\n"
               "     Loaded: loaded (/usr/lib/systemd/system/firewalld.service; enabled; preset: enabled)\n"
               "     Active: active (running) since Mon 2026-11-23 07:00:00 UTC; 1h ago\n")
    assert p.firewall_status({"firewalld": running}) == [{"description": "firewalld", "status": "on"}]
    assert p.firewall_status({"firewalld": running.replace("active (running)", "inactive (dead)")})[0]["status"] == "off"
    assert p.firewall_status({"firewalld": ""}) == [{"description": "firewalld", "status": "off"}]
    assert p.firewall_status({"ufw": "Status: active\n\nTo Action From\n"}) == [{"description": "ufw", "status": "on"}]
    assert p.firewall_status({"ufw": "Status: inactive\n"})[0]["status"] == "off"
    assert p.firewall_status(None) == []


def test_ipv6_host_route_mask_is_all_ones_not_the_agents_quirk():
    # The one place this collection departs from the agent on ip (docs/corpus-differences.md).
    assert p.ipv6_mask_and_subnet("::1", 128) == ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1")
    assert p.ipv6_mask_and_subnet("2001:db8::5", 127) == ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "2001:db8::4")


def test_default_routes_from_ip_when_proc_is_hidden():
    text = "default via 10.0.0.1 dev eth1 proto dhcp metric 600\ndefault via 192.168.1.254 dev wlan0 metric 100\n"
    assert p.default_routes("", text) == [("wlan0", "192.168.1.254"), ("eth1", "10.0.0.1")]
    assert p.default_routes("", "") == []
