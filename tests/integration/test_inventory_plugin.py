# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin glpiops.glpi.glpi run by the real ansible-inventory and ansible-playbook.

GLPI cannot be installed here: ``tests/glpi_api_double`` answers as GLPI 10.0.12's legacy REST API did in the recorded
transcript (it is tested against it, ``tests/unit/glpi_api_double``).  Everything else is real: the installed
collection, ansible-inventory's plugin loading and cache, and a playbook over the real sshd that targets a group the
plugin made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from test_inventory_over_ssh import ROOT, host_vars, recap  # noqa: E402  pylint: disable=import-error

sys.path.insert(0, str(ROOT))
from tests.glpi_api_double import LegacyAPIDouble, V2APIDouble, computer, computers  # noqa: E402  pylint: disable=import-error,wrong-import-position

TOKEN = "integration-token-" + "k" * 22
CLIENT_ID, CLIENT_SECRET, API_PASSWORD = "integration-client", "integration-secret-" + "q" * 21, "Api-pass-" + "z" * 11
V2_ENV = {"GLPI_USER_TOKEN": "", "GLPI_CLIENT_SECRET": CLIENT_SECRET, "GLPI_PASSWORD": API_PASSWORD}


def ansible(tool, tmp_path, *args, env_extra=None):
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
               ANSIBLE_SSH_CONTROL_PATH_DIR=str(tmp_path / "cp"), ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_PIPELINING="true",
               GLPI_USER_TOKEN=TOKEN)
    env.update(env_extra or {})
    cmd = [shutil.which(tool, path=env.get("PATH")) or tool] + list(args)
    return subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=600, cwd=str(tmp_path))


def plain(value):
    """A value of ``ansible-inventory --list``: ansible-core 2.19 marks inventory strings as untrusted data."""
    return value["__ansible_unsafe"] if isinstance(value, dict) and "__ansible_unsafe" in value else value


def source(tmp_path, glpi, **config):
    path = tmp_path / "test.glpi.yml"
    path.write_text(yaml.safe_dump(dict({"plugin": "glpiops.glpi.glpi", "url": glpi.base_url}, **config)))
    return str(path)


def test_ansible_inventory_list_and_graph(tmp_path):
    with LegacyAPIDouble(computers=computers(2345), user_tokens={TOKEN: "glpi"}) as glpi:
        path = source(tmp_path, glpi, keyed_groups=[{"key": "glpi_type", "prefix": "type"}])
        listed = ansible("ansible-inventory", tmp_path, "-i", path, "--list")
        graph = ansible("ansible-inventory", tmp_path, "-i", path, "--graph")
        endpoints = [exchange.endpoint for exchange in glpi.requests_seen()]
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    hostvars = data["_meta"]["hostvars"]
    assert len(hostvars) == 2345 and plain(hostvars["host-00042"]["ansible_host"]) == computer(42)["ip_addresses"][2]
    assert plain(hostvars["host-00042"]["glpi_serial"]) == computer(42)["serial"]
    lyon = [record["name"] for record in computers(2345) if record["entity"] == "Root entity > Lyon"]
    assert sorted(data["glpi_entity_root_entity_lyon"]["hosts"]) == lyon
    assert graph.returncode == 0, graph.stderr
    assert "|--@glpi_os_ubuntu_24_04_1_lts:" in graph.stdout and "|--@type_Laptop:" in graph.stdout
    # two runs, each: a session, 3 pages of 1000, the end of the session
    assert endpoints == (["initSession"] + ["search/Computer"] * 3 + ["killSession"]) * 2
    assert TOKEN not in listed.stdout + listed.stderr + graph.stdout + graph.stderr


def test_ansible_inventory_list_and_graph_over_the_high_level_api_with_api_auto(tmp_path):
    with V2APIDouble(computers=computers(2345), clients={CLIENT_ID: CLIENT_SECRET}, logins={"ansible": API_PASSWORD}) as glpi:
        path = source(tmp_path, glpi, client_id=CLIENT_ID, username="ansible",
                      keyed_groups=[{"key": "glpi_type", "prefix": "type"}])
        listed = ansible("ansible-inventory", tmp_path, "-i", path, "--list", env_extra=V2_ENV)
        graph = ansible("ansible-inventory", tmp_path, "-i", path, "--graph", env_extra=V2_ENV)
        routes = [exchange.endpoint for exchange in glpi.requests_seen()]
    assert listed.returncode == 0, listed.stderr
    hostvars = json.loads(listed.stdout)["_meta"]["hostvars"]
    assert len(hostvars) == 2345 and "ansible_host" not in hostvars["host-00042"]
    assert plain(hostvars["host-00042"]["glpi_serial"]) == computer(42)["serial"]
    assert plain(hostvars["host-00042"]["glpi_entity"]) == computer(42)["entity"]
    lyon = [record["name"] for record in computers(2345) if record["entity"] == "Root entity > Lyon"]
    assert sorted(json.loads(listed.stdout)["glpi_entity_root_entity_lyon"]["hosts"]) == lyon
    assert graph.returncode == 0, graph.stderr
    assert "|--@type_Laptop:" in graph.stdout and "glpi_os_" not in graph.stdout
    # two runs, each: one token, 3 pages of 1000
    assert routes == (["/token"] + ["/v2.0/Assets/Computer"] * 3) * 2
    output = listed.stdout + listed.stderr + graph.stdout + graph.stderr
    assert CLIENT_SECRET not in output and API_PASSWORD not in output
    assert not any(token in output for token in glpi.tokens)


def test_the_disabled_high_level_api_fails_the_source_naming_the_setting(tmp_path):
    with V2APIDouble(computers=computers(3), clients={CLIENT_ID: CLIENT_SECRET}, logins={"ansible": API_PASSWORD},
                     enable_hlapi=False) as glpi:
        result = ansible("ansible-inventory", tmp_path, "-i", source(tmp_path, glpi, api="v2", client_id=CLIENT_ID,
                                                                     username="ansible"), "--list",
                         env_extra=dict(V2_ENV, ANSIBLE_INVENTORY_UNPARSED_FAILED="true"))
    assert result.returncode != 0
    assert "High-Level API is disabled" in result.stderr and "enable_hlapi" in result.stderr
    assert CLIENT_SECRET not in result.stdout + result.stderr and API_PASSWORD not in result.stdout + result.stderr


def test_a_cached_second_ansible_inventory_run_asks_glpi_nothing(tmp_path):
    with LegacyAPIDouble(computers=computers(30), user_tokens={TOKEN: "glpi"}) as glpi:
        path = source(tmp_path, glpi, cache=True, cache_plugin="ansible.builtin.jsonfile",
                      cache_connection=str(tmp_path / "cache"), cache_timeout=600)
        first = ansible("ansible-inventory", tmp_path, "-i", path, "--list")
        seen = len(glpi.requests_seen())
        second = ansible("ansible-inventory", tmp_path, "-i", path, "--list")
        after = len(glpi.requests_seen())
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert seen == 3 and after == seen
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_a_refused_token_fails_the_source_without_showing_it(tmp_path):
    with LegacyAPIDouble(computers=computers(3), user_tokens={"another-token": "glpi"}) as glpi:
        result = ansible("ansible-inventory", tmp_path, "-i", source(tmp_path, glpi), "--list",
                         env_extra={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert result.returncode != 0
    assert "GLPI refused the user token" in result.stderr and "option user_token" in result.stderr
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                    reason="needs root: installs openssh-server, creates a throwaway user")
def test_a_playbook_targets_a_group_the_plugin_made(sshd, tmp_path):
    connection = host_vars(sshd, "ssh")
    lab = [computer(1, name="target", entity="Root entity > Paris", ip_addresses=["127.0.0.1", "::1"]),
           computer(2, name="elsewhere", entity="Root entity > Lyon", ip_addresses=["127.0.0.1"])]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "glpi_entity_root_entity_paris", "gather_facts": False,
        "tasks": [{"ansible.builtin.command": "hostname", "register": "out", "changed_when": False},
                  {"ansible.builtin.debug": {"msg": "GLPI {{ glpi_id }} {{ glpi_serial }} at {{ ansible_host }}: {{ out.stdout }}"}}],
    }]))
    # ansible_host from GLPI's addresses (127.0.0.1 only because a network names it); the rest of the connection
    # (the harness's port, user, key) composed as literals
    compose = {name: repr(str(value)) for name, value in connection.items() if name != "ansible_host"}
    with LegacyAPIDouble(computers=lab, user_tokens={TOKEN: "glpi"}) as glpi:
        path = source(tmp_path, glpi, address_networks=["127.0.0.0/8"], compose=compose)
        result = ansible("ansible-playbook", tmp_path, "-i", path, str(playbook))
    assert result.returncode == 0, result.stdout + result.stderr
    assert recap(result.stdout, "target") == {"ok": 2, "changed": 0, "unreachable": 0, "failed": 0, "skipped": 0,
                                              "rescued": 0, "ignored": 0}
    assert "elsewhere" not in result.stdout
    assert "GLPI 1 %s at 127.0.0.1: " % computer(1)["serial"] in result.stdout
    assert sshd.accepted_publickey_count() > 0
