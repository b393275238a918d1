# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin glpiops.glpi.glpi, loaded and run by Ansible itself (plugin loader, InventoryManager,
DataLoader) against the legacy API stand-in."""

from __future__ import annotations

import pathlib
import sys

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from tests.glpi_api_double import LegacyAPIDouble, computer, computers

ROOT = pathlib.Path(__file__).resolve().parents[4]
TOKEN = "inventory-token-" + "z" * 24
APP_TOKEN = "app-token-" + "q" * 30


@pytest.fixture(scope="module", autouse=True)
def _collection_loader():
    """Ansible finds glpiops.glpi as ansible-inventory would: through its collection loader.

    The modules other tests imported the plain way (PYTHONPATH) are set aside while the loader is installed, and put
    back afterwards, so each side keeps its own module objects.
    """
    plain = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "ansible_collections"}
    for name in plain:
        del sys.modules[name]
    _AnsibleCollectionFinder(paths=[str(ROOT / ".cache" / "src")])._install()  # pylint: disable=protected-access
    yield
    _AnsibleCollectionFinder._remove()  # pylint: disable=protected-access
    for name in [name for name in sys.modules if name.split(".")[0] == "ansible_collections"]:
        del sys.modules[name]
    sys.modules.update(plain)


@pytest.fixture(autouse=True)
def _only_this_plugin(monkeypatch):
    monkeypatch.setattr(C, "INVENTORY_ENABLED", ["glpiops.glpi.glpi"])
    for name in ("GLPI_URL", "GLPI_USER_TOKEN", "GLPI_APP_TOKEN", "GLPI_USERNAME", "GLPI_PASSWORD", "GLPI_ENTITIES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def glpi():
    with LegacyAPIDouble(computers=computers(25), user_tokens={TOKEN: "glpi"}) as double:
        yield double


def source(tmp_path, name="test.glpi.yml", **config):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict({"plugin": "glpiops.glpi.glpi"}, **config)))
    return str(path)


def manager(path, cache=True):
    return InventoryManager(loader=DataLoader(), sources=[path], cache=cache)


def parse_error(path):
    """The error the plugin raises for ``path``, run the way InventoryManager runs it."""
    plugin = inventory_loader.get("glpiops.glpi.glpi")
    with pytest.raises(AnsibleError) as caught:
        plugin.parse(InventoryData(), DataLoader(), path, cache=False)
    return str(caught.value)


def searches(glpi):
    return [exchange for exchange in glpi.requests_seen() if exchange.endpoint == "search/Computer"]


def test_the_plugin_reads_only_its_own_files(tmp_path):
    plugin = inventory_loader.get("glpiops.glpi.glpi")
    assert plugin.NAME == "glpiops.glpi.glpi"
    for name, accepted in (("a.glpi.yml", True), ("a.glpi.yaml", True), ("a.yml", False), ("glpi.yml", False)):
        (tmp_path / name).write_text("plugin: glpiops.glpi.glpi\n")
        assert plugin.verify_file(str(tmp_path / name)) is accepted, name


def test_every_computer_is_a_host_with_its_glpi_variables(tmp_path, glpi):
    inventory = manager(source(tmp_path, url=glpi.base_url, user_token=TOKEN, page_size=10))
    assert sorted(host.name for host in inventory.get_hosts()) == ["host-%05d" % number for number in range(1, 26)]
    variables = inventory.get_host("host-00004").get_vars()
    expected = computer(4)
    assert (variables["glpi_id"], variables["glpi_serial"], variables["glpi_uuid"], variables["glpi_entity"]) == (
        4, expected["serial"], expected["uuid"], expected["entity"])
    assert variables["glpi_ip_addresses"] == expected["ip_addresses"] and variables["ansible_host"] == expected["ip_addresses"][2]
    assert variables["glpi_os_name"] == expected["os_name"] and variables["glpi_agent_deviceid"] == expected["agent"]
    assert [exchange.endpoint for exchange in glpi.requests_seen()] == ["initSession"] + ["search/Computer"] * 3 + ["killSession"]


def test_default_groups(tmp_path, glpi):
    inventory = manager(source(tmp_path, url=glpi.base_url, user_token=TOKEN))
    paris = sorted(host.name for host in inventory.groups["glpi_entity_root_entity_paris"].get_hosts())
    assert paris == [record["name"] for record in computers(25) if record["entity"] == "Root entity > Paris"]
    assert {"glpi_location_lyon_lab", "glpi_state_in_use", "glpi_os_microsoft_windows_11_pro"} <= set(inventory.groups)
    only_os = manager(source(tmp_path, "b.glpi.yml", url=glpi.base_url, user_token=TOKEN, group_by=["os"], group_prefix="g_"))
    assert sorted(only_os.groups) == ["all", "g_os_debian_gnu_linux_12_bookworm", "g_os_microsoft_windows_11_pro",
                                      "g_os_ubuntu_24_04_1_lts", "ungrouped"]


def test_address_preference_and_networks(tmp_path, glpi):
    inventory = manager(source(tmp_path, url=glpi.base_url, user_token=TOKEN, address_preference=["ipv6", "ipv4"]))
    assert inventory.get_host("host-00010").get_vars()["ansible_host"] == "fd00::a"
    none = manager(source(tmp_path, "n.glpi.yml", url=glpi.base_url, user_token=TOKEN, address_networks=["192.168.0.0/16"]))
    assert "ansible_host" not in none.get_host("host-00010").get_vars()


def test_compose_groups_keyed_groups(tmp_path, glpi):
    inventory = manager(source(
        tmp_path, url=glpi.base_url, user_token=TOKEN,
        compose={"ansible_user": "'admin' if glpi_os_name is search('Windows') else 'ansible'"},
        groups={"laptops": "glpi_type == 'Laptop'"},
        keyed_groups=[{"key": "glpi_manufacturer", "prefix": "vendor"}]))
    windows = [record["name"] for record in computers(25) if "Windows" in record["os_name"]]
    assert windows and all(inventory.get_host(name).get_vars()["ansible_user"] == "admin" for name in windows)
    assert inventory.get_host("host-00001").get_vars()["ansible_user"] == "ansible"
    assert sorted(host.name for host in inventory.groups["laptops"].get_hosts()) == [
        record["name"] for record in computers(25) if record["type"] == "Laptop"]
    assert {"vendor_LENOVO", "vendor_Dell_Inc_"} <= set(inventory.groups)


def test_glpi_fields_are_data_never_templates(tmp_path):
    lab = [computer(1, name="web", serial="{{ 6 * 7 }}", model="{{ lookup('env', 'HOME') }}")]
    with LegacyAPIDouble(computers=lab, user_tokens={TOKEN: "glpi"}) as glpi:
        inventory = manager(source(tmp_path, url=glpi.base_url, user_token=TOKEN,
                                   compose={"serial_seen": "glpi_serial", "model_seen": "glpi_model"}))
    variables = inventory.get_host("web").get_vars()
    assert (variables["serial_seen"], variables["model_seen"]) == ("{{ 6 * 7 }}", "{{ lookup('env', 'HOME') }}")


def test_strict_fails_on_a_bad_expression_and_lenient_skips_it(tmp_path, glpi):
    config = dict(url=glpi.base_url, user_token=TOKEN, compose={"x": "no_such_variable.y"})
    assert "x" not in manager(source(tmp_path, **config)).get_host("host-00001").get_vars()
    assert "no_such_variable" in parse_error(source(tmp_path, "s.glpi.yml", strict=True, **config))


def test_filters_reach_glpi_as_criteria(tmp_path, glpi):
    inventory = manager(source(tmp_path, url=glpi.base_url, user_token=TOKEN, entities=["Root entity > Lyon"],
                               states=["In stock"], name_pattern="^host-0001", last_inventory_days=30))
    expected = [record["name"] for record in computers(25) if record["entity"] == "Root entity > Lyon"
                and record["state"] == "In stock" and record["name"].startswith("host-0001")]
    assert expected and sorted(host.name for host in inventory.get_hosts()) == expected
    assert "criteria%5B0%5D%5Bcriteria%5D%5B0%5D%5Bvalue%5D=%5ERoot+entity+%3E+Lyon%24" in searches(glpi)[0].query


def test_options_from_environment_variables(tmp_path, glpi, monkeypatch):
    monkeypatch.setenv("GLPI_URL", glpi.base_url)
    monkeypatch.setenv("GLPI_USER_TOKEN", TOKEN)
    monkeypatch.setenv("GLPI_ENTITIES", "Root entity > Paris")
    monkeypatch.setenv("GLPI_PAGE_SIZE", "4")
    monkeypatch.setenv("GLPI_GROUP_BY", "state,os")
    inventory = manager(source(tmp_path))
    paris = [record["name"] for record in computers(25) if record["entity"] == "Root entity > Paris"]
    assert sorted(host.name for host in inventory.get_hosts()) == paris
    assert len(searches(glpi)) == -(-len(paris) // 4)
    assert not any(name.startswith("glpi_entity_") for name in inventory.groups)


def test_a_cached_second_run_asks_glpi_nothing(tmp_path, glpi):
    config = dict(url=glpi.base_url, user_token=TOKEN, cache=True, cache_plugin="ansible.builtin.jsonfile",
                  cache_connection=str(tmp_path / "cache"), cache_timeout=3600)
    first = manager(source(tmp_path, **config))
    seen = len(glpi.requests_seen())
    second = manager(source(tmp_path, **config))
    assert seen == 3 and len(glpi.requests_seen()) == seen
    assert sorted(host.name for host in second.get_hosts()) == sorted(host.name for host in first.get_hosts())
    assert second.get_host("host-00002").get_vars()["glpi_serial"] == "SN00000002"
    cached = (tmp_path / "cache").iterdir()
    assert all(TOKEN not in path.read_text() for path in cached)
    manager(source(tmp_path, **config), cache=False)  # --flush-cache: GLPI is asked again
    assert len(glpi.requests_seen()) == 2 * seen


def test_without_cache_every_run_asks_glpi(tmp_path, glpi):
    path = source(tmp_path, url=glpi.base_url, user_token=TOKEN)
    manager(path)
    manager(path)
    assert [exchange.endpoint for exchange in glpi.requests_seen()].count("initSession") == 2


@pytest.mark.parametrize("settings, config, words", [
    ({"user_tokens": {}}, {}, "refused the user token"),
    ({"enable_api": False}, {}, "legacy REST API is disabled"),
    ({"can_view_computers": False}, {}, "may not read computers"),
    ({"app_token": APP_TOKEN}, {"app_token": "wrong-" + APP_TOKEN}, "option app_token"),
])
def test_errors_fail_the_source_with_one_clear_message(tmp_path, settings, config, words):
    with LegacyAPIDouble(computers=computers(5), **dict({"user_tokens": {TOKEN: "glpi"}}, **settings)) as glpi:
        message = parse_error(source(tmp_path, url=glpi.base_url, user_token=TOKEN, **config))
    assert message.startswith("glpiops.glpi.glpi: ") and words in message
    assert TOKEN not in message and APP_TOKEN not in message


def test_a_failing_page_fails_the_inventory(tmp_path):
    with LegacyAPIDouble(computers=computers(30), user_tokens={TOKEN: "glpi"}) as glpi:
        glpi.fail_search(2)
        message = parse_error(source(tmp_path, url=glpi.base_url, user_token=TOKEN, page_size=10))
    assert "page 2" in message and "no inventory is made from part of the computers" in message


def test_a_bad_url_names_the_option(tmp_path):
    assert "option url" in parse_error(source(tmp_path, url="http://127.0.0.1:9/glpi", user_token=TOKEN))


@pytest.mark.parametrize("config, words", [
    ({"page_size": 0}, "page_size must be at least 1"),
    ({"request_deadline": 0}, "request_deadline must be at least 1"),
    ({"address_networks": ["10.0.0.0/33"]}, "address_networks"),
    ({"api": "v2"}, "api"),
])
def test_bad_options(tmp_path, glpi, config, words):
    assert words in parse_error(source(tmp_path, url=glpi.base_url, user_token=TOKEN, **config))
