# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From a recorded collector result to a GLPI document valid against both official schemas."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _linux as linux_sections

DELL_DMI = {
    "attributes": {
        "bios_date": "03/14/2014", "bios_vendor": "Dell Inc.", "bios_version": "2.1.3",
        "board_name": "0CNCJW", "board_vendor": "Dell Inc.", "chassis_type": "23",
        "product_name": "PowerEdge R630", "sys_vendor": "Dell Inc.", "product_serial": "4CJKQ42",
        "product_uuid": "4c4c4544-0043-4a10-804b-b4c04f513432", "chassis_serial": "4CJKQ42",
    },
    "unreadable": [],
}


def test_debian_vm_document_is_valid_for_glpi_10_and_11(collected_debian_vm, assert_valid_inventory):
    document, warnings = inv.build_inventory(collected_debian_vm, "vm-2026-11-23-03-02-29")
    assert warnings == []
    assert_valid_inventory(document)
    assert document["deviceid"] == "vm-2026-11-23-03-02-29"
    assert document["itemtype"] == "Computer"
    assert document["action"] == "inventory"
    assert document["content"]["versionclient"].endswith("_v" + inv.COLLECTION_VERSION)


def test_debian_vm_sections(collected_debian_vm):
    content = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]
    assert content["hardware"] == {
        "name": "vm", "memory": 24105, "swap": 0, "dns": "10.255.255.53", "defaultgateway": "192.0.2.1",
        "vmsystem": "Docker", "lastloggeduser": "glpiops-it", "datelastloggeduser": "Mon Nov 23 07:11",
    }
    assert content["operatingsystem"]["name"] == "Debian GNU/Linux"
    assert content["operatingsystem"]["version"] == "12.11"
    assert content["operatingsystem"]["full_name"] == "Debian GNU/Linux 12 (bookworm)"
    assert content["operatingsystem"]["kernel_name"] == "linux"
    assert content["operatingsystem"]["timezone"] == {"name": "UTC", "offset": "+0000"}
    assert content["operatingsystem"]["boot_time"] == "2026-11-23 01:44:55"
    # As GLPI Agent without dmidecode: arch "i386" (its module's name) and no speed, as the model name gives none.
    assert content["cpus"] == [{
        "name": "AMD EPYC", "manufacturer": "AMD", "core": 2, "thread": 1,
        "familynumber": "25", "model": "17", "stepping": 1, "arch": "i386",
    }]
    # No DMI, and /.dockerenv: GLPI Agent reports this VM as Docker, with an empty serial (reference inventory).
    assert content["hardware"]["vmsystem"] == "Docker"
    assert content["bios"] == {"ssn": ""}
    assert "uuid" not in content["hardware"]


def test_the_connection_user_is_never_the_last_logged_user(collected_debian_vm, assert_valid_inventory):
    # The recorded VM's wtmp holds only the sessions of glpiops-it, the account Ansible logged in with.
    hardware = inv.build_inventory(collected_debian_vm, "vm-x", connection_user="glpiops-it")[0]["content"]["hardware"]
    assert "lastloggeduser" not in hardware and "datelastloggeduser" not in hardware
    collected_debian_vm["sources"]["last"] = "alice tty1 Mon Nov 23 06:50 - 07:00 (00:10)\n" + collected_debian_vm["sources"]["last"]
    document = inv.build_inventory(collected_debian_vm, "vm-x", connection_user="glpiops-it")[0]
    assert_valid_inventory(document)
    assert document["content"]["hardware"]["lastloggeduser"] == "alice"
    assert document["content"]["hardware"]["datelastloggeduser"] == "Mon Nov 23 06:50"


def test_networks_one_entry_per_address_with_gateway_on_ipv4(collected_debian_vm):
    networks = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]["networks"]
    eth0 = [n for n in networks if n["description"] == "eth0"]
    assert [n.get("ipaddress") or n.get("ipaddress6") for n in eth0] == ["192.0.2.2", "fd00::2", "fe80::fc:ff:fe00:1"]
    assert eth0[0]["ipgateway"] == "192.0.2.1" and "ipgateway" not in eth0[1]
    assert {n["type"] for n in eth0} == {"ethernet"} and not eth0[0]["virtualdev"]
    assert eth0[0]["driver"] == "virtio_net"
    ifb0 = [n for n in networks if n["description"] == "ifb0"]
    assert len(ifb0) == 1 and ifb0[0]["status"] == "down" and ifb0[0]["virtualdev"] is True
    assert networks[0]["description"] == "lo" and networks[0]["type"] == "loopback"


@pytest.mark.parametrize("speed,expected", [("1000", "1000"), ("-1", "0"), (None, "0")])
def test_network_speed_is_the_sysfs_speed_of_an_up_interface_in_mbps(collected_debian_vm, speed, expected):
    # virtio reports -1 (unknown): 0, as GLPI Agent over ssh (run locally, its ethtool fallback turns -1 into 4294967295).
    attributes = collected_debian_vm["sources"]["net_interfaces"]["eth0"]["attributes"]
    attributes.pop("speed")
    if speed is not None:
        attributes["speed"] = speed
    networks = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]["networks"]
    assert {(n["status"], n["speed"]) for n in networks if n["description"] == "eth0"} == {("up", expected)}


def test_network_status_is_the_up_flag_and_a_down_interface_has_no_speed(collected_debian_vm):
    sources = collected_debian_vm["sources"]
    sources["net_interfaces"]["eth0"]["attributes"].update(speed="1000", operstate="down", carrier="0")
    sources["ip_addr"] = sources["ip_addr"].replace("eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>", "eth0: <BROADCAST,MULTICAST>")
    networks = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]["networks"]
    assert {(n["status"], n["speed"]) for n in networks if n["description"] == "eth0"} == {("down", "0")}
    # Without ``ip``, sysfs's operstate says it.
    del sources["ip_addr"]
    sources["net_interfaces"]["eth0"]["attributes"]["operstate"] = "up"
    networks = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]["networks"]
    assert {(n["status"], n["speed"]) for n in networks if n["description"] == "eth0"} == {("up", "1000")}


def test_bios_from_dmi_with_glpi_date_format(collected_debian_vm, assert_valid_inventory):
    collected_debian_vm["sources"]["dmi"] = DELL_DMI
    collected_debian_vm["sources"]["virtualization"]["docker_marker"] = False
    collected_debian_vm["sources"]["dmesg"] = ""
    document, _warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert_valid_inventory(document)
    bios = document["content"]["bios"]
    assert bios["bdate"] == "2014-03-14"
    assert bios["smodel"] == "PowerEdge R630" and bios["ssn"] == "4CJKQ42"
    assert document["content"]["hardware"]["uuid"] == "4C4C4544-0043-4A10-804B-B4C04F513432"
    assert document["content"]["hardware"]["vmsystem"] == "Physical"


def test_unreadable_dmi_attributes_become_one_warning(collected_debian_vm):
    dmi = copy.deepcopy(DELL_DMI)
    for name in ("product_serial", "product_uuid"):
        del dmi["attributes"][name]
    dmi["unreadable"] = ["product_uuid", "product_serial"]
    collected_debian_vm["sources"]["dmi"] = dmi
    _document, warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert warnings == ["dmi: product_serial, product_uuid readable by root only (use become to report them)"]


def test_collector_errors_become_warnings_naming_the_source(collected_debian_vm, assert_valid_inventory):
    del collected_debian_vm["sources"]["ip_addr"]
    collected_debian_vm["errors"] = {"ip_addr": "ip timed out after 10s"}
    document, warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert warnings == ["ip_addr: ip timed out after 10s"]
    assert_valid_inventory(document)
    assert all("ipaddress" not in n for n in document["content"]["networks"])


def test_sources_cut_short_make_one_warning_and_a_comment_in_the_document(collected_debian_vm, assert_valid_inventory):
    collected_debian_vm["errors"] = {"ip_addr": "ip exited with rc 1: no such device"}
    collected_debian_vm["incomplete"] = {
        "lspci": "lspci output larger than 33554432 bytes: cut short",
        "snap": "skipped: collection deadline of 120 s passed",
        "flatpak": "skipped: collection deadline of 120 s passed",
    }
    document, warnings = inv.build_inventory(collected_debian_vm, "vm-x", provider={"ansible-core": "2.19.14"})
    assert warnings == [
        "ip_addr: ip exited with rc 1: no such device",
        "the inventory is incomplete: flatpak, snap (skipped: collection deadline of 120 s passed); "
        "lspci (lspci output larger than 33554432 bytes: cut short)",
    ]
    assert inv.incomplete_sources(collected_debian_vm) == collected_debian_vm["incomplete"]
    assert document["content"]["versionprovider"]["comments"] == [
        "ansible-core 2.19.14",
        "incomplete: flatpak: skipped: collection deadline of 120 s passed",
        "incomplete: lspci: lspci output larger than 33554432 bytes: cut short",
        "incomplete: snap: skipped: collection deadline of 120 s passed",
    ]
    assert_valid_inventory(document)  # comments are free text in GLPI 10's strict schema too


def test_a_complete_inventory_says_nothing_of_it(collected_debian_vm):
    collected_debian_vm["incomplete"] = {}
    document, warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert warnings == [] and inv.incomplete_sources(collected_debian_vm) == {}
    assert "comments" not in document["content"]["versionprovider"]


def test_windows_sources_skipped_for_the_time_budget_are_incomplete():
    from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._collector import BUDGET_SKIPPED, COLLECTOR_SCRIPT

    assert "'%s'" % BUDGET_SKIPPED in COLLECTOR_SCRIPT
    collected = {"os_family": "windows", "sources": {}, "errors": {"Get-Softwares": BUDGET_SKIPPED, "wmi:Win32_Bios": "Access denied"}}
    assert inv.incomplete_sources(collected) == {"Get-Softwares": BUDGET_SKIPPED}
    assert inv.source_warnings(collected) == ["wmi:Win32_Bios: Access denied",
                                              "the inventory is incomplete: Get-Softwares (%s)" % BUDGET_SKIPPED]


def test_warnings_from_the_targets_text_have_their_control_characters_escaped(collected_debian_vm, monkeypatch):
    collected_debian_vm["errors"] = {"dmesg": "dmesg: \x1b[2J\x1b[H cleared", "ip\x1b[8m": "hidden"}
    collected_debian_vm["incomplete"] = {"lspci": "lspci \x1b]0;owned\x07 timed out after 10s"}
    monkeypatch.setitem(linux_sections.SECTION_BUILDERS, "cpus", lambda sources: int("\x1b[31m"))
    document, warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert warnings == [
        "dmesg: dmesg: \\x1b[2J\\x1b[H cleared",
        "ip\\x1b[8m: hidden",
        "the inventory is incomplete: lspci (lspci \\x1b]0;owned\\x07 timed out after 10s)",
        "cpus: section dropped (ValueError: invalid literal for int() with base 10: '\\x1b[31m')",
    ]
    assert not any("\x1b" in warning or "\x07" in warning for warning in warnings)
    assert "incomplete: lspci: lspci \\x1b]0;owned\\x07 timed out after 10s" in document["content"]["versionprovider"]["comments"]


def test_a_failing_section_is_dropped_with_a_warning(collected_debian_vm, monkeypatch, assert_valid_inventory):
    def broken(sources):
        raise ValueError("odd input")

    monkeypatch.setitem(linux_sections.SECTION_BUILDERS, "cpus", broken)
    document, warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert "cpus" not in document["content"]
    assert warnings == ["cpus: section dropped (ValueError: odd input)"]
    assert_valid_inventory(document)


@pytest.mark.parametrize("garbage", ["", "\x00\x01\xff", "MemTotal: lots kB\nprocessor: x\n:::\n", "btime -1\n"])
def test_garbage_sources_still_give_a_valid_document(collected_debian_vm, garbage, assert_valid_inventory):
    for name, value in list(collected_debian_vm["sources"].items()):
        if isinstance(value, str):
            collected_debian_vm["sources"][name] = garbage
    document, _warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert_valid_inventory(document)


def test_tag_and_itemtype_go_to_the_top_level(collected_debian_vm, assert_valid_inventory):
    document, _warnings = inv.build_inventory(collected_debian_vm, "vm-x", itemtype="Unmanaged", tag="paris")
    assert document["tag"] == "paris" and document["itemtype"] == "Unmanaged"
    assert_valid_inventory(document)


def test_no_cpus_for_a_machine_glpi_agent_has_no_cpu_module_for(collected_debian_vm, assert_valid_inventory):
    collected_debian_vm["sources"]["uname"]["machine"] = "s390x"
    document, _warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    assert "cpus" not in document["content"]
    assert document["content"]["operatingsystem"]["arch"] == "s390x"
    assert_valid_inventory(document)


def test_boot_time_is_in_the_targets_local_time(collected_debian_vm):
    collected_debian_vm["sources"]["timezone"] = {"abbreviation": "CET", "offset": "+0100", "zone": "Europe/Paris"}
    system = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]["operatingsystem"]
    assert system["boot_time"] == "2026-11-23 02:44:55"
    assert system["timezone"] == {"name": "CET", "offset": "+0100"}


def test_section_fingerprints_change_only_for_changed_sections(collected_debian_vm):
    before, _warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    collected_debian_vm["sources"]["meminfo"] = "MemTotal: 2048000 kB\nSwapTotal: 0 kB\n"
    after, _warnings = inv.build_inventory(collected_debian_vm, "vm-x")
    a, b = inv.section_fingerprints(before), inv.section_fingerprints(after)
    assert [name for name in a if a[name] != b[name]] == ["hardware"]


def test_render_is_stable(collected_debian_vm):
    document, _warnings = inv.build_inventory(collected_debian_vm, "vm-x", now=1795420800)
    again = inv.build_inventory(collected_debian_vm, "vm-x", now=1795420800)[0]
    assert inv.render_document(document) == inv.render_document(again)
    assert document["content"]["accesslog"] == {"logdate": "2026-11-23 08:00:00"}
    assert inv.section_counts(document) == {"accesslog": 1, "bios": 1, "controllers": 6, "cpus": 1, "drives": 1, "firewalls": 1, "hardware": 1,
                                            "local_groups": 1, "local_users": 26, "networks": 7, "operatingsystem": 1, "softwares": 720, "storages": 1,
                                            "versionprovider": 1}


def test_a_later_run_of_an_unchanged_machine_is_no_change(collected_debian_vm, assert_valid_inventory):
    first = inv.build_inventory(collected_debian_vm, "vm-x", now=1795420800, provider={"ansible-core": "2.19.14"})[0]
    later = inv.build_inventory(collected_debian_vm, "vm-x", now=1795424400, provider={"ansible-core": "2.20.0"})[0]
    assert_valid_inventory(later)
    assert first != later
    assert inv.without_volatile(first) == inv.without_volatile(later)
    collected_debian_vm["sources"]["last"] = "glpiops-it pts/1 127.0.0.1 Mon Nov 23 09:15 still logged in\n"
    relogged = inv.build_inventory(collected_debian_vm, "vm-x", now=1795424400)[0]
    assert relogged["content"]["hardware"]["datelastloggeduser"] == "Mon Nov 23 09:15"
    assert inv.without_volatile(relogged) == inv.without_volatile(first)
    assert later["content"]["versionprovider"] == {"name": "glpiops.glpi", "version": inv.COLLECTION_VERSION,
                                                   "program": "glpiops.glpi.glpi_inventory", "comments": ["ansible-core 2.20.0"]}
    df = collected_debian_vm["sources"]["df"].splitlines()
    vda = next(line.split() for line in df if line.startswith("/dev/vda "))
    used, available = int(vda[3]), int(vda[4])
    collected_debian_vm["sources"]["df"] = "\n".join(
        " ".join(vda[:3] + [str(used + 51200), str(available - 51200)] + vda[5:]) if line.startswith("/dev/vda ") else line
        for line in df)
    fuller = inv.build_inventory(collected_debian_vm, "vm-x", now=1795424400)[0]
    assert [d["free"] for d in fuller["content"]["drives"]] != [d["free"] for d in first["content"]["drives"]]
    assert inv.without_volatile(fuller) == inv.without_volatile(first)  # 50 MB more used is no change of the machine
    assert inv.section_fingerprints(fuller) == inv.section_fingerprints(first)
    collected_debian_vm["sources"]["df"] = "\n".join(
        "/dev/vda ext4 300000000 23770836 1024000 23% /" if line.startswith("/dev/vda ") else line for line in df)
    changed = inv.build_inventory(collected_debian_vm, "vm-x", now=1795424400)[0]
    assert inv.without_volatile(changed) != inv.without_volatile(first)  # a grown disk is
    assert inv.section_fingerprints(changed)["drives"] != inv.section_fingerprints(first)["drives"]


def test_debian_vm_matches_the_agents_sections_where_the_machine_is_the_same(collected_debian_vm, reference):
    """The real agent's inventory of this kind of VM: drives, firewall, groups, os identity agree."""
    import json

    agent = json.loads(reference("glpi-agent", "local-inventory.json").read_text())["content"]
    content = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]
    assert [(x["volumn"], x["filesystem"], x["type"], x["total"]) for x in content["drives"]] == \
        [(x["volumn"], x["filesystem"], x["type"], x["total"]) for x in agent["drives"]]
    assert content["firewalls"] == agent["firewalls"]
    assert content["storages"] == agent["storages"]
    # No lspci in the recording: sysfs and the target's pci.ids give the agent's controllers all the same.
    assert "lspci" not in collected_debian_vm["sources"]
    assert content["controllers"] == agent["controllers"]
    assert content["local_groups"] == agent["local_groups"]
    assert content["operatingsystem"]["hostid"] == agent["operatingsystem"]["hostid"]
    agent_users = {u["login"]: u for u in agent["local_users"]}
    for user in content["local_users"]:
        if user["login"] in agent_users:
            assert user == agent_users[user["login"]]
    assert "install_date" not in content["operatingsystem"]  # no birth time on this fs: the agent's 1970 date is a quirk


def test_with_root_dmidecode_gives_bios_memories_slots_ports_and_power(collected_debian_vm, reference, assert_valid_inventory):
    """A real server's dmidecode dump (GLPI Agent's corpus) as the target's: the dmidecode sections appear and agree."""
    collected_debian_vm["sources"]["dmidecode"] = reference("glpi-agent-corpus", "dmidecode", "hp-dl180.txt").read_text()
    collected_debian_vm["sources"]["virtualization"]["docker_marker"] = False
    collected_debian_vm["sources"]["dmesg"] = ""
    agent = json.loads(reference("glpi-agent-corpus", "dmidecode", "hp-dl180.inventory.json").read_text())
    document = inv.build_inventory(collected_debian_vm, "vm-x")[0]
    assert_valid_inventory(document)
    content = document["content"]
    for section in ("memories", "ports", "slots"):
        assert content.get(section, []) == agent[section], section
    # The agent's typed form makes "Hot Replaceable: No" true (any non-empty Perl string is); this collection sends false.
    assert [dict(p, hotreplaceable=None) for p in content["powersupplies"]] == \
        [dict(p, hotreplaceable=None) for p in agent["powersupplies"]]
    assert [p["hotreplaceable"] for p in content["powersupplies"]] == [False]
    assert {k: v for k, v in content["bios"].items() if k in agent["bios"]} == agent["bios"]
    assert content["hardware"]["uuid"] == agent["hardware"]["uuid"].upper()
    assert content["hardware"]["chassis_type"] == agent["hardware"]["chassis_type"]
    assert content["hardware"]["vmsystem"] == "Physical"


def test_an_unusable_dmidecode_falls_back_to_sysfs(collected_debian_vm):
    collected_debian_vm["sources"]["dmidecode"] = "# dmidecode 3.4\n/sys/firmware/dmi/tables/smbios_entry_point: Permission denied\n"
    content = inv.build_inventory(collected_debian_vm, "vm-x")[0]["content"]
    assert "memories" not in content and content["bios"] == {"ssn": ""}


def test_monitors_from_the_targets_edid_files(collected_debian_vm, reference, assert_valid_inventory):
    import base64

    blob = reference("glpi-agent-corpus", "edid", "crt.13.txt").read_bytes()
    collected_debian_vm["sources"]["edids"] = {"card0-VGA-1": base64.b64encode(blob).decode("ascii")}
    document = inv.build_inventory(collected_debian_vm, "vm-x")[0]
    assert_valid_inventory(document)
    (monitor,) = document["content"]["monitors"]
    assert monitor["base64"].replace("\n", "") == base64.b64encode(blob).decode("ascii")
    assert monitor.get("caption")
