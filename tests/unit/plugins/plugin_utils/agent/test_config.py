# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GLPI Agent configuration as data: what the agent role writes to conf.d, the registry and the msiexec command line."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.agent._config import (
    AGENT_CONFIG_KEYS, AgentConfigError, agent_cfg, agent_settings, masked, msi_arguments,
)


def test_settings_are_text_as_the_agent_reads_them():
    settings = agent_settings(server=["https://a.example/", "https://b.example/"], tag="lab",
                              config={"lazy": True, "no-httpd": False, "remote-workers": 4, "no-category": ["process", "environment"], "logfile": None})
    assert settings == {"lazy": "1", "no-category": "process,environment", "no-httpd": "0", "remote-workers": "4",
                        "server": "https://a.example/,https://b.example/", "tag": "lab"}


def test_unset_role_variables_are_left_out():
    assert agent_settings(server=[], local="", tag=None, config={}) == {}


@pytest.mark.parametrize("config, message", [
    ({"remote_workers": 2}, "remote_workers (did you mean remote-workers?)"),
    ({"servr": "x"}, "unknown GLPI Agent configuration key(s): servr"),
    ({"delaytime": [1, 2]}, "'delaytime' takes one value, not a list"),
    ({"tasks": ["inventory,remoteinventory"]}, "splits values on commas"),
    ({"tag": "a\nb"}, "cannot span lines"),
    ({"tag": {"a": 1}}, "not a configuration value"),
])
def test_what_the_agent_would_ignore_or_misread_is_an_error(config, message):
    with pytest.raises(AgentConfigError, match=None) as error:
        agent_settings(config=config)
    assert message in str(error.value)


def test_a_key_given_twice_is_an_error():
    with pytest.raises(AgentConfigError, match="both"):
        agent_settings(tag="a", config={"tag": "b"})


def test_config_must_be_a_dictionary():
    with pytest.raises(AgentConfigError, match="dictionary"):
        agent_settings(config=["server"])


def test_known_keys_are_those_of_the_agent():
    assert {"server", "local", "tag", "remote", "remote-workers", "remote-scheduling", "httpd-trust", "no-task", "logfile"} <= AGENT_CONFIG_KEYS
    assert "include" not in AGENT_CONFIG_KEYS and "conf-file" not in AGENT_CONFIG_KEYS


def test_cfg_quotes_what_the_agent_would_cut_or_trim():
    text = agent_cfg({"password": "a#b", "tag": " padded", "server": "https://glpi/", "user": "'q"}, header="Managed\nby Ansible")
    assert text == ('# Managed\n# by Ansible\npassword = "a#b"\nserver = https://glpi/\ntag = " padded"\nuser = "\'q"\n')


def test_msi_command_line_for_a_scheduled_task():
    settings = agent_settings(server="https://glpi.example.org/", tag="Paris office", config={"remote-workers": 2, "debug": 1})
    assert msi_arguments(r"C:\Windows\Temp\GLPI-Agent-1.11-x64.msi", settings, execmode="task", task_frequency="daily",
                         log_path=r"C:\Windows\Temp\GLPI-Agent-1.11-x64.msi.log", extra_properties={"ADDLOCAL": "ALL"}) == [
        "/i", r"C:\Windows\Temp\GLPI-Agent-1.11-x64.msi", "/quiet", "/norestart", "/l*v", r"C:\Windows\Temp\GLPI-Agent-1.11-x64.msi.log",
        "SERVER=https://glpi.example.org/", 'TAG="Paris office"', "REMOTE_WORKERS=2", "EXECMODE=2", "TASK_FREQUENCY=daily", "RUNNOW=0",
        "ADD_FIREWALL_EXCEPTION=0", "ADDLOCAL=ALL"]


@pytest.mark.parametrize("execmode, expected", [("service", "EXECMODE=1"), ("manual", "EXECMODE=3")])
def test_msi_execmode(execmode, expected):
    args = msi_arguments("a.msi", {}, execmode=execmode, runnow=True, add_firewall_exception=True)
    assert expected in args and "RUNNOW=1" in args and "ADD_FIREWALL_EXCEPTION=1" in args
    assert not any(a.startswith("TASK_FREQUENCY=") for a in args)


def test_msi_doubles_inner_quotes():
    assert 'TAG="say ""hi"""' in msi_arguments("a.msi", {"tag": 'say "hi"'})


@pytest.mark.parametrize("kwargs, message", [
    (dict(execmode="timer"), "Windows run mode"),
    (dict(task_frequency="weekly"), "task frequency"),
    (dict(extra_properties={"addlocal": "ALL"}), "MSI property names"),
])
def test_msi_refuses_what_msiexec_would_not_take(kwargs, message):
    with pytest.raises(AgentConfigError, match=message):
        msi_arguments("a.msi", {}, **kwargs)


def test_masked_hides_credentials_only():
    assert masked({"password": "x", "oauth-client-secret": "y", "user": "u", "tag": ""}) == {
        "password": "********", "oauth-client-secret": "********", "user": "u", "tag": ""}


def test_secrets_are_no_msiexec_properties():
    args = msi_arguments("C:\\Temp\\agent.msi", {"server": "https://glpi/", "user": "agent", "password": "s3cret", "oauth-client-secret": "x"})
    assert "SERVER=https://glpi/" in args
    assert not [arg for arg in args if "s3cret" in arg or arg.startswith(("PASSWORD=", "OAUTH_CLIENT_SECRET="))]
