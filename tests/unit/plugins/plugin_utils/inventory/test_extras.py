# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LVM, virtual machines, remote_mgmt and sysfs batteries in a whole document: both GLPI schemas accept it."""

from __future__ import annotations

import copy
import pathlib

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv

HERE = pathlib.Path(__file__).resolve().parents[1] / "parsers"


def _sources_of(module):
    """The recorded texts of a parser's test module (no second copy of them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_extras_%s" % module, HERE / ("%s.py" % module))
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


LVM = _sources_of("test_lvm")
VMS = _sources_of("test_virtualmachines")
REMOTE = _sources_of("test_remote_mgmt")
BATTERIES = _sources_of("test_batteries")
WIFI = _sources_of("test_wifi")

EXTRA_SOURCES = {
    "lvm": {"pvs": LVM.PVS, "vgs": LVM.VGS, "lvs": LVM.LVS},
    "docker": {"ps": VMS.DOCKER_PS, "inspect": VMS.DOCKER_INSPECT},
    "podman": {"ps": VMS.DOCKER_PS.splitlines()[1] + "\n"},
    "libvirt": {"default": {"list": VMS.VIRSH_LIST, "dumpxml": {"debian12": VMS.DUMPXML}}},
    "lxc": {"containers": {"web": {"state": VMS.LXC_STATE, "config": VMS.LXC_CONFIG, "machine_id": "0123abcd\n", "hostname": "web\n"}}},
    "teamviewer": REMOTE.TEAMVIEWER_INFO,
    "anydesk": [["/etc/anydesk/system.conf", "ad.anynet.id=987654321\n"]],
    "supremo": REMOTE.SUPREMO_INFO,
    "rustdesk": REMOTE.RUSTDESK,
    "tacticalrmm": REMOTE.TACTICALRMM,
    "meshcentral": REMOTE.MESHCENTRAL,
    "power_supplies": {"AC": BATTERIES.MAINS, "BAT0": BATTERIES.ENERGY_BATTERY, "BAT1": BATTERIES.CHARGE_BATTERY},
    "wireless": {"eth0": {"iwconfig": WIFI.IWCONFIG}},
}


def test_document_with_the_new_sections_validates_against_both_schemas(collected_debian_vm, assert_valid_inventory):
    collected = copy.deepcopy(collected_debian_vm)
    collected["sources"].update(copy.deepcopy(EXTRA_SOURCES))
    collected["sources"]["net_interfaces"]["eth0"]["wireless"] = True
    document, warnings = inv.build_inventory(collected, "vm-2026-11-23-03-02-29", now=1795420800)
    assert_valid_inventory(document)
    content = document["content"]
    radio = [entry for entry in content["networks"] if entry["description"] == "eth0"]
    assert radio and all(entry["type"] == "wifi" and entry["wifi_ssid"] == "Office 5G" and entry["wifi_bssid"] == "3C:28:6D:11:22:33"
                         and entry["wifi_mode"] == "Managed" and entry["wifi_version"] == "802.11" and entry["speed"] == "867"
                         for entry in radio)
    assert len(content["physical_volumes"]) == 2 and len(content["volume_groups"]) == 1 and len(content["logical_volumes"]) == 4
    assert len(content["virtualmachines"]) == 3 + 1 + 4 + 1
    assert [entry["type"] for entry in content["remote_mgmt"]] == ["anydesk", "meshcentral", "rustdesk", "supremo", "tacticalrmm",
                                                                   "teamviewer"]
    assert content["remote_mgmt"][-1] == {"id": "1234567890", "type": "teamviewer"}
    assert [battery["serial"] for battery in content["batteries"]] == ["11643", "815"]
    assert not [warning for warning in warnings if "section dropped" in warning or "incomplete" in warning]
    # The sections come in SECTION_ORDER, which follows the schema's own order of content keys.
    assert list(content) == [name for name in inv.SECTION_ORDER if name in content] + ["versionclient"]
    order = list(inv.SECTION_ORDER)
    # As in the schema: the LVM sections between local_users and memories, in this order.
    assert order.index("local_users") + 1 == order.index("physical_volumes") < order.index("volume_groups") < \
        order.index("logical_volumes") == order.index("memories") - 1


def test_incomplete_entries_are_left_out_with_a_warning(collected_debian_vm, assert_valid_inventory):
    collected = copy.deepcopy(collected_debian_vm)
    # A physical volume whose size is no number lacks a required field: it goes, the others stay.
    collected["sources"]["lvm"] = {"pvs": LVM.PVS.replace("62.91 62.91", "x 62.91", 1)}
    collected["sources"]["docker"] = {"ps": "not the format\n"}
    document, warnings = inv.build_inventory(collected, "vm-2026-11-23-03-02-29")
    assert_valid_inventory(document)
    assert [volume["device"] for volume in document["content"]["physical_volumes"]] == ["/dev/loop1"]
    assert "physical_volumes: 1 incomplete entry left out" in warnings
    assert "virtualmachines" not in document["content"]


def test_refused_lvm_is_a_warning_naming_the_source(collected_debian_vm):
    collected = copy.deepcopy(collected_debian_vm)
    collected["errors"] = {"lvm": "pvs, vgs and lvs need root (use become)"}
    document, warnings = inv.build_inventory(collected, "vm-2026-11-23-03-02-29")
    assert "lvm: pvs, vgs and lvs need root (use become)" in warnings
    assert not {"physical_volumes", "volume_groups", "logical_volumes"} & set(document["content"])


_LEAF = st.one_of(st.none(), st.text(max_size=80), st.booleans())
_SHAPES = st.one_of(
    st.none(), st.text(max_size=50), st.integers(),
    st.lists(st.one_of(st.text(max_size=5), st.lists(st.text(max_size=30))), max_size=3),
    st.dictionaries(st.text(max_size=10), st.one_of(_LEAF, st.dictionaries(st.text(max_size=8), _LEAF))),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(sorted(EXTRA_SOURCES)), _SHAPES))
def test_wrong_shapes_of_the_new_sources_cost_nothing_but_their_sections(collected_debian_vm, assert_valid_inventory, replaced):
    collected = copy.deepcopy(collected_debian_vm)
    collected["sources"].update(copy.deepcopy(EXTRA_SOURCES))
    collected["sources"].update(replaced)
    document, warnings = inv.build_inventory(collected, "vm-2026-11-23-03-02-29")
    assert_valid_inventory(document)
    assert not [warning for warning in warnings if "section dropped" in warning]
