# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The storages section, smartctl and hdparm, against GLPI Agent's corpus; fuzzed."""

from __future__ import annotations

import base64
import json
import random

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _storages as storages
from tests._reference import reference_path

# pci.ids' name for the virtio vendor id: on a target the collector reads it from the distribution's pci.ids.
PCI_VENDORS = {"1af4": "Red Hat, Inc."}


def _decode_tree(node):
    """The corpus' JSON form of a dumped tree back to file contents: base64 -> bytes, ["link", x] -> x."""
    if isinstance(node, dict):
        if set(node) == {"__base64__"}:
            return base64.b64decode(node["__base64__"])
        return {key: _decode_tree(value) for key, value in node.items()}
    if isinstance(node, list) and len(node) == 2 and node[0] == "link":
        return node[1]
    return node


def raw_from_corpus_dump(dump):
    """Map a corpus ``storages/*.input.json`` (the agent's test root) onto ``storages_from_sources``' input."""
    raw = {"pci_vendors": PCI_VENDORS}
    system = _decode_tree(dump.get("sys") or {})
    raw["block"] = system.get("block") or {}
    if (system.get("class") or {}).get("scsi_generic"):
        raw["scsi_generic"] = system["class"]["scsi_generic"]
    per_disk = {"smartctl-": "smartctl", "hdparm-": "hdparm", "lvm-": "lvm"}
    if dump.get("udisksctl"):
        per_disk["udisksctl-"] = "udisksctl"
        raw["udisksctl"] = {}
    if "fdisk" in dump:  # the agent reads fdisk-<disk> for the disk identifier only when "fdisk" (fdisk -v) is there
        per_disk["fdisk-"] = "fdisk"
    for key, value in dump.items():
        for prefix, name in per_disk.items():
            if key.startswith(prefix):
                raw.setdefault(name, {})[key[len(prefix):]] = value
    if "hdparm" in dump:
        raw["hdparm_version"] = dump["hdparm"]
    if "lshal" in dump:
        raw["lshal"] = dump["lshal"]
    udev = ((dump.get("dev") or {}).get(".udev") or {}).get("db")
    if isinstance(udev, dict):
        raw["udev_db"] = udev
    return raw


def _document(section, entries):
    return {"action": "inventory", "deviceid": "host-2026-01-01-00-00-00", "itemtype": "Computer",
            "content": {"versionclient": "test", section: entries}}


def _agent_form(entry):
    """A corpus partial storage record (serialnumber) in GLPI's inventory keys (serial)."""
    entry = dict(entry or {})
    if "serialnumber" in entry:
        entry["serial"] = entry.pop("serialnumber")
    return entry


def _storages_expected(case):
    # conftest's CorpusCase.expected derives "<name>.input.expected.json" from "<name>.input.json": read it here.
    path = case.path(case.entry["input"].replace(".input.json", ".expected.json"))
    return json.loads(path.read_text())[case.view]


@pytest.mark.corpus("storages")
def test_storages_like_glpi_agent(corpus_case, assert_same_as_agent, assert_valid_inventory):
    assert corpus_case.view == "storages", "unhandled view %s" % corpus_case.view
    raw = raw_from_corpus_dump(json.loads(corpus_case.read_text()))
    actual = storages.storages_from_sources(raw)
    assert_same_as_agent(corpus_case, actual, [_agent_form(entry) for entry in _storages_expected(corpus_case)])
    # The typed form the agent sends (ints, ``serial``) is exactly ours.
    assert actual == corpus_case.inventory["storages"]
    assert_valid_inventory(_document("storages", actual))


def _smartctl(text):
    """What storages_from_sources takes from a disk's ``smartctl -i`` (its reader, then the section's cleaning)."""
    return storages._clean(storages._smartctl_info(text) or {})  # pylint: disable=protected-access


def _hdparm(text):
    """What storages_from_sources takes from a disk's ``hdparm -I`` (its reader, then the section's cleaning)."""
    return storages._clean(storages._hdparm_info(text) or {})  # pylint: disable=protected-access


@pytest.mark.corpus("smartctl")
def test_smartctl_like_glpi_agent(corpus_case, assert_same_as_agent):
    assert corpus_case.view == "smartctl_info", "unhandled view %s" % corpus_case.view
    actual = _smartctl(corpus_case.read_text())
    assert_same_as_agent(corpus_case, actual, _agent_form(corpus_case.expected))


@pytest.mark.corpus("hdparm")
def test_hdparm_like_glpi_agent(corpus_case, assert_same_as_agent):
    assert corpus_case.view == "hdparm_info", "unhandled view %s" % corpus_case.view
    actual = _hdparm(corpus_case.read_text())
    assert_same_as_agent(corpus_case, actual, _agent_form(corpus_case.expected))


# --- behaviour on hand-made inputs -------------------------------------------------------------------------------

SATA_DISK = {
    "size": "976773168\n", "removable": "0\n",
    "device": {"vendor": "ATA     \n", "model": "WDC WD5000AAKS-4\n", "rev": "1D06\n",
               "vpd_pg80": b"\x00\x80\x00\x14     WD-WCAWF9240358", "subsystem": "/sys/bus/scsi"},
}


def test_sysfs_alone_gives_a_sata_disk_with_maker_from_model():
    assert storages.storages_from_sources({"block": {"sda": SATA_DISK}}) == [{
        "name": "sda", "description": "SATA", "disksize": 500107, "firmware": "1D06",
        "manufacturer": "Western Digital", "model": "WDC WD5000AAKS-4", "serial": "WD-WCAWF9240358", "type": "disk",
    }]


def test_smartctl_completes_and_replaces_the_truncated_model():
    smartctl = ("=== START OF INFORMATION SECTION ===\nDevice Model:     WDC WD5000AAKS-40V6A0\n"
                "LU WWN Device Id: 5 0014ee 103508438\nSATA Version is:  SATA 2.6, 3.0 Gb/s\n")
    disk = storages.storages_from_sources({"block": {"sda": SATA_DISK}, "smartctl": {"sda": smartctl}})[0]
    assert disk["model"] == "WDC WD5000AAKS-40V6A0"
    assert disk["interface"] == "SATA" and disk["wwn"] == "50014ee103508438"


def test_hdparm_is_ignored_when_older_than_9_15():
    hdparm = "\tModel Number:       SAMSUNG SSD\n\tTransport:   Serial, SATA 1.0a\n"
    raw = {"block": {"sdb": {"size": "100\n", "device": {"vendor": "Generic-\n"}}}, "hdparm": {"sdb": hdparm}}
    assert storages.storages_from_sources(dict(raw, hdparm_version="hdparm v9.14\n"))[0].get("interface") is None
    assert storages.storages_from_sources(dict(raw, hdparm_version="hdparm v9.43\n"))[0]["interface"] == "SATA"


def test_disk_names_and_kinds():
    raw = {"block": {
        "loop0": {"size": "0\n"},                          # no device folder: not a disk
        "dm-0": {},
        "vda": {"size": "104857600\n", "serial": "083795e2-5c8f-4b8c-8",
                "device": {"vendor": "0x1af4\n", "subsystem": "/sys/bus/virtio"}},
        "nvme0n1": {"size": "500118192\n", "device": {"model": "PM951 NVMe SAMSUNG 256GB   \n", "serial": "  S29N \n",
                                                      "subsystem": "/sys/class/nvme", "device": {"subsystem": "/sys/bus/pci"}}},
        "sr0": {"size": "2097151\n", "removable": "1\n", "device": {"vendor": "HL-DT-ST\n", "subsystem": "/sys/bus/scsi"}},
        "mmcblk0": {"size": "0\n", "removable": "0\n", "device": {"subsystem": "/sys/bus/mmc"}},
    }, "pci_vendors": PCI_VENDORS, "udisksctl": {"mmcblk0": "    HintAuto:                   true\n"}}
    by_name = {disk["name"]: disk for disk in storages.storages_from_sources(raw)}
    assert sorted(by_name) == ["mmcblk0", "nvme0n1", "sr0", "vda"]
    assert by_name["vda"] == {"name": "vda", "description": "Virtual", "disksize": 53687, "manufacturer": "Red Hat, Inc.",
                              "serial": "083795e2-5c8f-4b8c-8", "type": "disk"}
    assert by_name["nvme0n1"]["description"] == "PCI" and by_name["nvme0n1"]["interface"] == "NVME"
    assert by_name["nvme0n1"]["manufacturer"] == "Samsung" and by_name["nvme0n1"]["serial"] == "S29N"
    assert by_name["sr0"]["description"] == "SCSI" and by_name["sr0"]["type"] == "removable"
    assert by_name["mmcblk0"] == {"name": "mmcblk0", "description": "MMC", "type": "removable"}


def test_serial_from_partition_table_or_lvm_when_sysfs_has_none():
    raw = {"block": {"sda": {"size": "2048\n", "device": {"vendor": "QEMU    \n", "model": "QEMU HARDDISK\n"}},
                     "sdb": {"size": "2048\n", "device": {"vendor": "QEMU    \n"}}},
           "fdisk": {"sda": "Disk /dev/sda: 1 MiB\nDisklabel type: dos\nDisk identifier: 0x0004a5b2\n", "sdb": ""},
           "lvm": {"sdb": "  Zk3mDd-8Xyq-AAAA\n"}}
    disks = storages.storages_from_sources(raw)
    assert [disk.get("serial") for disk in disks] == ["0004a5b2", "Zk3mDd-8Xyq-AAAA"]


def test_multipath_keeps_one_disk_per_map():
    multipath = ("mpatha (3600508b1001c) dm-0 HP,LOGICAL VOLUME\nsize=10G features='0' hwhandler='0' wp=rw\n"
                 "`-+- policy='round-robin 0' prio=0 status=active\n  |- 1:0:0:1 sdb 8:16 active undef running\n"
                 "  `- 2:0:0:1 sdc 8:32 active undef running\n")
    raw = {"block": {name: {"size": "2048\n", "device": {}} for name in ("sda", "sdb", "sdc")}, "multipath": multipath}
    assert [disk["name"] for disk in storages.storages_from_sources(raw)] == ["sda", "sdb"]


def test_legacy_udev_database_fills_missing_fields():
    raw = {"block": {"sda": {"size": "2048\n", "device": {}}},
           "udev_db": {"block:sda": "N:sda\nS:disk/by-path/pci-0000:00:1f.2-scsi-0:0:1:0\nE:ID_VENDOR=Maxtor\n"
                                    "E:ID_MODEL=6Y080L0\nE:ID_SERIAL=Maxtor_6Y080L0_Y2\nE:ID_BUS=usb\n"}}
    assert storages.storages_from_sources(raw) == [{
        "name": "sda", "description": "USB", "disksize": 1, "manufacturer": "Maxtor", "model": "6Y080L0",
        "serial": "Maxtor_6Y080L0_Y2", "type": "disk", "scsi_coid": "0", "scsi_chid": "0", "scsi_unid": "1", "scsi_lun": "0",
    }]


def test_hal_only_when_sysfs_has_no_disk():
    lshal = ("udi = '/org/freedesktop/Hal/devices/storage_serial_ST380011A'\n  block.device = '/dev/hda'  (string)\n"
             "  info.vendor = 'Seagate'  (string)\n  storage.model = 'ST380011A'  (string)\n"
             "  storage.size = 80026361856  (0x12a2a0b800)  (uint64)\n  storage.drive_type = 'disk'  (string)\n\n")
    assert storages.storages_from_sources({"lshal": lshal}) == [{
        "name": "hda", "description": "IDE", "disksize": 76319, "manufacturer": "Seagate", "model": "ST380011A", "type": "disk",
    }]
    assert [d["name"] for d in storages.storages_from_sources({"lshal": lshal, "block": {"sda": SATA_DISK}})] == ["sda"]


@pytest.mark.parametrize("text, expected", [
    ("", {}),
    ("User Capacity:    128 035 676 160 bytes\n", {"type": "disk", "description": "SATA", "disksize": 128035}),
    ("User Capacity:    1.5 TB\n", {"type": "disk", "description": "SATA", "disksize": 1500000}),
    ("User Capacity:    2 GiB\n", {"type": "disk", "description": "SATA", "disksize": 2048}),
    ("Vendor: SEAGATE\nProduct: ST3300655SS\nTransport protocol: SAS (SPL-3)\n",
     {"type": "disk", "description": "SAS", "interface": "SAS", "manufacturer": "Seagate", "model": "ST3300655SS"}),
])
def test_smartctl_values(text, expected):
    assert _smartctl(text) == expected


# --- fuzzing: no exception escapes, the result keeps its shape ----------------------------------------------------


def _corpus_texts(folder, suffix=".txt"):
    """The corpus samples the fuzzers start from (tests/fixtures/reference); a missing folder fails the collection."""
    found = sorted(path.read_bytes() for path in reference_path("glpi-agent-corpus", folder).glob("*" + suffix))
    assert found, "no %s sample in the corpus folder %s" % (suffix, folder)
    return found


SMARTCTL_SAMPLES = _corpus_texts("smartctl")
HDPARM_SAMPLES = _corpus_texts("hdparm")
DUMPS = [json.loads(data or b"{}") for data in _corpus_texts("storages", ".input.json")]


def _check_storage_entries(entries):
    assert isinstance(entries, list)
    for entry in entries:
        assert isinstance(entry, dict) and entry
        for key, value in entry.items():
            assert isinstance(value, int if key == "disksize" else str), (key, value)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2ff), max_size=400))
def test_fuzz_smartctl_and_hdparm_on_random_text(text):
    # The private readers have no safety net: a bug shows here.
    assert isinstance(storages._smartctl_info(text) or {}, dict)  # pylint: disable=protected-access
    assert isinstance(storages._hdparm_info(text) or {}, dict)  # pylint: disable=protected-access
    assert isinstance(storages._smartctl_info(text.encode("utf-8", "surrogatepass")) or {}, dict)  # pylint: disable=protected-access


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SMARTCTL_SAMPLES + HDPARM_SAMPLES), st.integers(0, 2 ** 32))
def test_fuzz_smartctl_and_hdparm_on_mutated_samples(mutate, sample, seed):
    text = mutate(sample, seed).decode("utf-8", "replace")
    assert isinstance(storages._smartctl_info(text) or {}, dict)  # pylint: disable=protected-access
    assert isinstance(storages._hdparm_info(text) or {}, dict)  # pylint: disable=protected-access


_FILE = st.one_of(st.none(), st.text(max_size=40), st.binary(max_size=40), st.lists(st.text(max_size=10), max_size=3))
_DEVICE = st.dictionaries(st.sampled_from(["vendor", "model", "rev", "firmware_rev", "serial", "vpd_pg80", "wwid", "type",
                                           "subsystem", "block"]), _FILE, max_size=6)
_BLOCK = st.dictionaries(st.sampled_from(["size", "removable", "serial", "wwid", "device"]),
                         st.one_of(_FILE, _DEVICE), max_size=5)
_NAMES = st.sampled_from(["sda", "sdb", "vda", "hda", "sr0", "nvme0n1", "sg0", "fd0", "xvda", "dm-0", "loop0", ""])
_RAW = st.fixed_dictionaries({}, optional={
    "block": st.dictionaries(_NAMES, st.one_of(_BLOCK, _FILE), max_size=4),
    "scsi_generic": st.dictionaries(_NAMES, st.dictionaries(st.just("device"), st.one_of(_DEVICE, _FILE))),
    "smartctl": st.dictionaries(_NAMES, _FILE), "hdparm": st.dictionaries(_NAMES, _FILE), "fdisk": st.dictionaries(_NAMES, _FILE),
    "lvm": st.dictionaries(_NAMES, _FILE), "udisksctl": st.one_of(_FILE, st.dictionaries(_NAMES, _FILE)),
    "hdparm_version": _FILE, "multipath": _FILE, "lshal": _FILE, "udev_db": st.one_of(_FILE, st.dictionaries(_NAMES, _FILE)),
    "pci_vendors": st.one_of(_FILE, st.dictionaries(st.text(max_size=5), _FILE)),
})


@settings(max_examples=200, deadline=None)
@given(_RAW)
def test_fuzz_storages_on_random_sources(raw):
    _check_storage_entries(storages._storages(raw))  # pylint: disable=protected-access


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(DUMPS), st.integers(0, 2 ** 32))
def test_fuzz_storages_on_mutated_corpus_dumps(mutate, dump, seed):
    raw = raw_from_corpus_dump(dump)
    rnd = random.Random(seed)
    for name, value in list(raw.items()):
        if isinstance(value, dict):
            for key, text in list(value.items()):
                if isinstance(text, str) and rnd.random() < 0.5:
                    value[key] = mutate(text.encode("utf-8"), rnd.randrange(2 ** 32)).decode("utf-8", "replace")
        elif isinstance(value, str):
            raw[name] = mutate(value.encode("utf-8"), seed).decode("utf-8", "replace")
    for block in list((raw.get("block") or {}).values())[:20]:
        device = block.get("device") if isinstance(block, dict) else None
        for key in list((device or {}).keys()):
            if isinstance(device[key], (str, bytes)) and rnd.random() < 0.3:
                data = device[key] if isinstance(device[key], bytes) else device[key].encode("utf-8")
                device[key] = mutate(data, rnd.randrange(2 ** 32))
    _check_storage_entries(storages._storages(raw))  # pylint: disable=protected-access
    _check_storage_entries(storages.storages_from_sources(raw))


@pytest.mark.parametrize("raw", [None, [], "x", {"block": "x"}, {"block": {"sda": None}}, {"block": {"sda": {"device": "x"}}}])
def test_odd_shapes_give_no_disk_rather_than_an_error(raw):
    assert isinstance(storages.storages_from_sources(raw), list)
