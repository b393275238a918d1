# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GLPI computers as Ansible hosts: the address for ansible_host, the variables, the default groups, the names."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._hosts import (
    COMPUTER_FIELDS,
    choose_address,
    default_groups,
    host_names,
    inventory_hosts,
    safe_group_name,
)

# the recorded GLPI's "vm": search option 126 as GLPI 10.0.12 answered it (api-transcript.txt)
VM_ADDRESSES = ["127.0.0.1", "::1", "192.0.2.2", "fd00::2", "fe80::fc:ff:fe00:1"]


def _computer(number, **fields):
    computer = {field: None for field in COMPUTER_FIELDS}
    computer.update(id=number, name="host-%d" % number, groups=[], ip_addresses=[])
    computer.update(fields)
    return computer


@pytest.mark.parametrize("preference, networks, expected", [
    (["ipv4", "ipv6"], [], "192.0.2.2"),
    (["ipv6", "ipv4"], [], "fd00::2"),
    (["ipv6"], [], "fd00::2"),
    (["ipv4", "ipv6"], ["fd00::/8"], "fd00::2"),
    (["ipv4"], ["10.0.0.0/8"], None),
    (["ipv4"], ["192.0.2.0/24"], "192.0.2.2"),
    (["ipv4"], ["127.0.0.0/8"], "127.0.0.1"),  # loopback only when a network names it
    (["ipv6"], ["fe80::/10"], "fe80::fc:ff:fe00:1"),
])
def test_the_address_skips_loopback_and_link_local(preference, networks, expected):
    assert choose_address(VM_ADDRESSES, preference=preference, networks=networks) == expected


def test_the_first_usable_address_in_glpis_order_wins():
    assert choose_address(["169.254.1.1", "0.0.0.0", "224.0.0.1", "10.1.2.3", "192.0.2.7"]) == "10.1.2.3"
    assert choose_address(["not an address", None, "fe80::1%eth0"]) is None
    assert choose_address([]) is None and choose_address(None) is None


def test_a_bad_network_is_a_value_error():
    with pytest.raises(ValueError):
        choose_address(VM_ADDRESSES, networks=["10.0.0.0/33"])


def test_group_names_are_safe_and_lower_case():
    assert safe_group_name("Root entity > Paris") == "root_entity_paris"
    assert safe_group_name("Debian GNU/Linux 12 (bookworm)") == "debian_gnu_linux_12_bookworm"
    assert safe_group_name("--") == ""


def test_default_groups_by_entity_location_state_os():
    computer = _computer(1, entity="Root entity > Paris", location="Paris > Floor 1", state="In use",
                         os_name="Ubuntu 24.04.1 LTS")
    assert default_groups(computer) == ["glpi_entity_root_entity_paris", "glpi_location_paris_floor_1",
                                        "glpi_state_in_use", "glpi_os_ubuntu_24_04_1_lts"]
    assert default_groups(computer, group_by=["os"], prefix="g_") == ["g_os_ubuntu_24_04_1_lts"]
    assert default_groups(_computer(2, entity="Root entity")) == ["glpi_entity_root_entity"]  # no value, no group


def test_names_shared_by_two_computers_stay_two_hosts():
    names = host_names([_computer(7, name="web"), _computer(3, name="web"), _computer(4, name=" "), _computer(5)])
    assert names == {3: "web", 7: "web_7", 4: "glpi-computer-4", 5: "host-5"}


def test_inventory_hosts_carry_every_glpi_field_and_ansible_host():
    computer = _computer(2, name="vm", serial="S1", entity="Root entity", ip_addresses=VM_ADDRESSES, groups=["Servers"])
    [(name, variables, groups)] = inventory_hosts([computer, dict(computer)])  # the same id twice is one host
    assert name == "vm" and groups == ["glpi_entity_root_entity"]
    assert sorted(variables) == sorted(["glpi_" + field for field in COMPUTER_FIELDS] + ["ansible_host"])
    assert (variables["ansible_host"], variables["glpi_serial"], variables["glpi_groups"]) == ("192.0.2.2", "S1", ["Servers"])
    [(_name, no_address, _groups)] = inventory_hosts([_computer(3, ip_addresses=["127.0.0.1"])])
    assert "ansible_host" not in no_address
