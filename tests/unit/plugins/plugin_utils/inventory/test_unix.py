# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whole documents for macOS and FreeBSD targets, from sources made of GLPI Agent's recorded outputs."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv

DARWIN_DF = ("Filesystem     1024-blocks      Used Available Capacity  Mounted on\n"
             "/dev/disk3s1s1   482797652  10000000 300000000     4%    /\n"
             "devfs                  200       200         0   100%    /dev\n")
DARWIN_MOUNT = "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\ndevfs on /dev (devfs, local, nobrowse)\n"
FREEBSD_IFCONFIG = ("em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
                    "\tether 08:00:27:aa:bb:cc\n\tinet 192.168.56.10 netmask 0xffffff00 broadcast 192.168.56.255\n"
                    "\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n\tstatus: active\n"
                    "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n")
NETSTAT = "Routing tables\n\nInternet:\nDestination        Gateway            Flags     Netif Expire\ndefault            192.168.56.1       UGS         em0\n"


def _corpus(reference, *parts):
    return reference("glpi-agent-corpus", *parts).read_text(encoding="utf-8", errors="replace")


def _common(system, release, machine):
    return {
        "clock": 1716000000.0,
        "uname": {"sysname": system, "nodename": "host1.example.org", "release": release, "version": "", "machine": machine},
        "hostname": "host1.example.org",
        "hostname_fqdn": "host1.example.org\n",
        "timezone": {"abbreviation": "CEST", "offset": "+0200", "zone": "Europe/Paris"},
        "resolv_conf": "nameserver 192.168.56.1\n",
        "netstat_routes": NETSTAT,
    }


@pytest.fixture
def collected_darwin(reference):
    sp = ("macos", "system_profiler")
    sources = _common("Darwin", "23.5.0", "arm64")
    sources.update({
        "sw_vers": "ProductName:\tmacOS\nProductVersion:\t14.5\nBuildVersion:\t23F79\n",
        "system_profiler": _corpus(reference, *sp, "10.6-intel.txt"),
        "system_profiler_applications": _corpus(reference, *sp, "sample5.SPApplicationsDataType-xml.txt"),
        "system_profiler_storages": {
            "SPSerialATADataType": _corpus(reference, *sp, "SPSerialATADataType.xml"),
            "SPUSBDataType": _corpus(reference, *sp, "SPUSBDataType3.xml"),
            "SPDiscBurningDataType": _corpus(reference, *sp, "SPDiscBurningDataType.xml"),
            "SPCardReaderDataType": _corpus(reference, *sp, "SPCardReaderDataType_with_inserted_card.xml"),
            "SPFireWireDataType": _corpus(reference, *sp, "SPFireWireDataType.xml"),
        },
        "sysctl_cpu": _corpus(reference, *sp, "10.6-macmini.sysctl.txt"),
        "sysctl": "kern.boottime: { sec = 1715990000, usec = 0 } Sat May 18 00:00:00 2024\nhw.memsize: 2147483648\n"
                  "vm.swapusage: total = 1024.00M  used = 0.00M  free = 1024.00M  (encrypted)\n",
        "ioreg_platform": _corpus(reference, "macos", "ioreg", "IOPlatformExpertDevice-2.txt"),
        "ioreg_usb": {"IOUSBDevice": _corpus(reference, "macos", "ioreg", "IOUSBDevice1.txt")},
        "ioreg_displays": {"AppleCLCD2": _corpus(reference, "macos", "ioreg", "AppleCLCD2-2.txt")},
        "ifconfig": _corpus(reference, "macos", "ifconfig", "macosx-01.txt"),
        "networksetup": _corpus(reference, "macos", "ifconfig", "macosx-01-networksetup.txt"),
        "df": DARWIN_DF,
        "mount": DARWIN_MOUNT,
    })
    return {"raw_format": 1, "os_family": "darwin", "sources": sources, "errors": {"networksetup": "timed out after 10s"}}


@pytest.fixture
def collected_freebsd(reference):
    sources = _common("FreeBSD", "14.1-RELEASE", "amd64")
    sources.update({
        "freebsd_version": "14.1-RELEASE-p3\n",
        "sysctl": "hw.model: Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz\nhw.ncpu: 2\nhw.physmem: 4270092288\nhw.machine_arch: amd64\n"
                  "kern.boottime: { sec = 1715990000, usec = 0 } Sat May 18 00:00:00 2024\n"
                  "kern.hostuuid: 4c4c4544-0048-3610-8052-b4c04f384833\n",
        "geom_confxml": _corpus(reference, "bsd", "storages", "pfsense1.sysctl-kern.geom.confxml.txt"),
        "dmesg": _corpus(reference, "bsd", "storages", "pfsense1.dmesg.txt"),
        "mfiutil": _corpus(reference, "bsd", "storages", "mfiutil.txt"),
        "dmidecode": _corpus(reference, "dmidecode", "freebsd-8.1.txt"),
        "ifconfig": FREEBSD_IFCONFIG,
        "df": "Filesystem  Type  1024-blocks    Used   Avail Capacity  Mounted on\n/dev/ada0p2 ufs 30450716 5000000 23000000 18% /\n"
              "devfs devfs 1 1 0 100% /dev\n",
        "swapctl": "Total:           2097152         0\n",
        "pkg_info": _corpus(reference, "bsd", "pkg_info", "sample1.txt"),
    })
    return {"raw_format": 1, "os_family": "freebsd", "sources": sources, "errors": {}}


REQUIRED = ("hardware", "operatingsystem", "cpus", "memories", "networks", "drives", "softwares")


def test_macos_document_is_valid_for_glpi_10_and_11(collected_darwin, assert_valid_inventory):
    document, warnings = inv.build_inventory(collected_darwin, "host1-2024-05-18-00-00-00")
    assert_valid_inventory(document)
    content = document["content"]
    assert set(REQUIRED) <= set(content), sorted(content)
    assert {"bios", "storages", "videos", "usbdevices", "monitors"} <= set(content)
    assert warnings == ["networksetup: timed out after 10s"]
    assert content["hardware"]["uuid"] == "00000000-0000-1000-8000-001EC20C3627"
    assert content["hardware"]["memory"] == 2048 and content["hardware"]["swap"] == 1024
    assert content["hardware"]["defaultgateway"] == "192.168.56.1"
    assert content["operatingsystem"]["name"] == "MacOSX"
    assert content["operatingsystem"]["full_name"] == "Mac OS X"
    assert content["operatingsystem"]["version"].startswith("10.6")
    assert content["operatingsystem"]["boot_time"] == "2024-05-18 01:53:20"
    assert content["bios"]["smodel"] == "iMac7,1" and content["bios"]["ssn"] == "W8805BRDX89"
    assert content["cpus"][0]["manufacturer"] == "Intel"
    assert content["drives"] == [{"volumn": "/dev/disk3s1s1", "total": 471482, "free": 292968, "type": "/", "filesystem": "apfs"}]
    assert "vmsystem" not in content["hardware"]


def test_freebsd_document_is_valid_for_glpi_10_and_11(collected_freebsd, assert_valid_inventory):
    document, warnings = inv.build_inventory(collected_freebsd, "host1-2024-05-18-00-00-00")
    assert_valid_inventory(document)
    assert warnings == []
    content = document["content"]
    assert set(REQUIRED) <= set(content), sorted(content)
    assert content["operatingsystem"]["name"] == "FreeBSD" and content["operatingsystem"]["version"] == "14.1-RELEASE-p3"
    assert content["operatingsystem"]["kernel_name"] == "freebsd"
    assert content["hardware"]["memory"] == 4072 and content["hardware"]["swap"] == 2048
    assert content["hardware"]["uuid"] == "4C4C4544-0048-3610-8052-B4C04F384833"
    assert all(cpu.get("speed") == 2400 for cpu in content["cpus"])
    assert [storage["name"] for storage in content["storages"]][:2] == ["ada0", "cd0"]
    assert len(content["storages"]) == 8
    assert content["networks"][0]["ipgateway"] == "192.168.56.1"
    assert [drive["volumn"] for drive in content["drives"]] == ["/dev/ada0p2"]


@pytest.mark.parametrize("family", ["darwin", "freebsd"])
def test_empty_or_garbage_sources_still_give_a_valid_document(family, assert_valid_inventory):
    for sources in ({}, {name: "\x00garbage\nwith: colons\n  and: more" for name in (
            "system_profiler", "sysctl", "sysctl_cpu", "ifconfig", "df", "mount", "geom_confxml", "dmesg", "pkg_info",
            "system_profiler_applications", "ioreg_platform", "sw_vers", "netstat_routes", "swapctl")}):
        document, _warnings = inv.build_inventory({"raw_format": 1, "os_family": family, "sources": sources, "errors": {}}, "x")
        assert_valid_inventory(document)


def test_linux_stays_the_default(collected_debian_vm):
    collected_debian_vm.pop("os_family", None)
    content = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]
    assert "operatingsystem" in content and content["operatingsystem"]["kernel_name"] == "linux"
