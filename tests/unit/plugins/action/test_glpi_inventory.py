# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin with ``_execute_module`` replaced by a recorded collector result."""

from __future__ import annotations

import copy
import json
import os
from unittest.mock import MagicMock

import pytest


from ansible_collections.glpiops.glpi.plugins.action.glpi_inventory import ActionModule
from tests.unit.plugins.action._actions import make_action


def make_plugin(args, collected, check_mode=False, diff=False, become=False, remote_user="alice"):
    return make_action(ActionModule, args, collected, check_mode=check_mode, diff=diff, become=become, remote_user=remote_user)


def test_writes_the_document_and_reports_it(tmp_path, collected_debian_vm, assert_valid_inventory):
    plugin = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm)
    result = plugin.run(task_vars={})
    path = tmp_path / "vm-2026-11-23-03-02-29.json"
    assert result["path"] == str(path)
    assert result["changed"] is True
    assert result["deviceid"] == "vm-2026-11-23-03-02-29"
    assert result["sections"]["networks"] == 7
    assert "inventory" not in result
    assert_valid_inventory(json.loads(path.read_text()))
    # Only the collector's options travel to the target.
    sent = plugin._execute_module.call_args.kwargs["module_args"]
    assert set(sent) == {"deviceid", "deviceid_path", "collect_timeout", "collect_deadline", "collect_processes", "collect_envs"}
    assert sent["collect_processes"] is False and sent["collect_envs"] is False  # opt-in: may hold secrets


def test_second_run_with_the_same_inventory_is_not_a_change(tmp_path, collected_debian_vm):
    make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    written = (tmp_path / "vm-2026-11-23-03-02-29.json").read_text()
    later = copy.deepcopy(collected_debian_vm)
    later["sources"]["clock"] = 1795424400.0  # an hour later: only accesslog differs
    result = make_plugin({"local_path": str(tmp_path)}, later).run(task_vars={})
    assert result["changed"] is False
    assert (tmp_path / "vm-2026-11-23-03-02-29.json").read_text() == written


def test_check_mode_writes_nothing_but_reports_the_change(tmp_path, collected_debian_vm):
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm, check_mode=True).run(task_vars={})
    assert result["changed"] is True and os.listdir(tmp_path) == []


def test_diff_names_the_changed_sections(tmp_path, collected_debian_vm):
    make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    collected_debian_vm["sources"]["meminfo"] = "MemTotal: 2048000 kB\nSwapTotal: 0 kB\n"
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm, diff=True).run(task_vars={})
    before = dict(line.split(": ") for line in result["diff"]["before"].splitlines())
    after = dict(line.split(": ") for line in result["diff"]["after"].splitlines())
    assert [name for name in after if before[name] != after[name]] == ["hardware"]


def test_return_inventory_without_a_file(collected_debian_vm):
    result = make_plugin({"return_inventory": True, "tag": "paris"}, collected_debian_vm).run(task_vars={})
    assert result["inventory"]["tag"] == "paris" and "path" not in result


@pytest.mark.parametrize("remote_user,expected", [("glpiops-it", None), ("alice", "glpiops-it")])
def test_the_login_user_of_ansible_is_not_the_last_logged_user(collected_debian_vm, remote_user, expected):
    result = make_plugin({"return_inventory": True}, collected_debian_vm, remote_user=remote_user).run(task_vars={})
    assert result["inventory"]["content"]["hardware"].get("lastloggeduser") == expected


def test_nowhere_to_send_is_refused_before_collecting(collected_debian_vm):
    plugin = make_plugin({}, collected_debian_vm)
    result = plugin.run(task_vars={})
    assert result["failed"] and "set server, local_path, or return_inventory=true" in result["msg"]
    plugin._execute_module.assert_not_called()


def test_bad_option_value_names_the_option(collected_debian_vm, tmp_path):
    result = make_plugin({"local_path": str(tmp_path), "itemtype": "Toaster"}, collected_debian_vm).run(task_vars={})
    assert result["failed"] and "itemtype" in result["msg"]


@pytest.mark.parametrize("deadline", [0, 300])
def test_the_collection_deadline_travels_to_the_target(collected_debian_vm, deadline):
    plugin = make_plugin({"return_inventory": True, "collect_deadline": deadline}, collected_debian_vm)
    assert not plugin.run(task_vars={}).get("failed")
    assert plugin._execute_module.call_args.kwargs["module_args"]["collect_deadline"] == deadline


def test_the_collection_deadline_is_120_seconds_by_default_and_never_negative(collected_debian_vm):
    plugin = make_plugin({"return_inventory": True}, collected_debian_vm)
    plugin.run(task_vars={})
    assert plugin._execute_module.call_args.kwargs["module_args"]["collect_deadline"] == 120
    result = make_plugin({"return_inventory": True, "collect_deadline": -1}, collected_debian_vm).run(task_vars={})
    assert result["failed"] and "collect_deadline must be 0 (no limit) or more seconds, got -1" in result["msg"]


def test_deviceid_that_is_not_a_file_name_is_refused(collected_debian_vm, tmp_path):
    result = make_plugin({"local_path": str(tmp_path), "deviceid": "../x"}, collected_debian_vm).run(task_vars={})
    assert result["failed"] and "cannot be used as a file name" in result["msg"]


def test_unwritable_local_path_fails_clearly(collected_debian_vm, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = make_plugin({"local_path": str(blocker / "sub")}, collected_debian_vm).run(task_vars={})
    assert result["failed"] and "local_path" in result["msg"] and "cannot be created" in result["msg"]


def test_target_without_python_gets_a_message_saying_so(tmp_path):
    collected = {"failed": True, "rc": 127, "module_stdout": "", "module_stderr": "/bin/sh: 1: /usr/bin/python3: not found\n",
                 "msg": "The module failed to execute correctly, you probably need to set the interpreter."}
    result = make_plugin({"local_path": str(tmp_path)}, collected).run(task_vars={})
    assert result["failed"]
    assert "Python is required on the target" in result["msg"] and "ansible_python_interpreter" in result["msg"]
    assert "/usr/bin/python3: not found" in result["msg"]


# Recorded with ansible-core 2.19 over connection: local, a PATH whose first python3.13 is a pyenv shim for a version not
# selected, and interpreter discovery picking it.
PYENV_SHIM_FAILURE = {
    "failed": True, "changed": False, "rc": 127, "module_stdout": "",
    "module_stderr": "pyenv: python3.13: command not found\n\nThe `python3.13' command exists in these Python versions:\n  3.13.0\n",
    "msg": "Module result deserialization failed: No start of json char found",
    "ansible_facts": {"discovered_interpreter_python": "/root/.pyenv/shims/python3.13"},
}


def test_failing_pyenv_shim_is_named_with_the_way_out(tmp_path):
    result = make_plugin({"local_path": str(tmp_path)}, copy.deepcopy(PYENV_SHIM_FAILURE)).run(task_vars={})
    assert result["failed"] and result["rc"] == 127
    assert "(/root/.pyenv/shims/python3.13) is a pyenv shim that fails: pyenv: python3.13: command not found" in result["msg"]
    assert "Set the ansible_python_interpreter variable" in result["msg"] and "ansible_playbook_python" in result["msg"]
    assert "Python is required" not in result["msg"]  # there is a Python: the one chosen does not run


def test_failing_interpreter_set_by_the_user_is_named(tmp_path):
    collected = copy.deepcopy(PYENV_SHIM_FAILURE)
    del collected["ansible_facts"]  # no discovery: ansible_python_interpreter was set
    result = make_plugin({"local_path": str(tmp_path)}, collected).run(task_vars={"ansible_python_interpreter": "python3.13"})
    assert "(python3.13) is a pyenv shim that fails" in result["msg"]
    missing = {"failed": True, "rc": 127, "module_stdout": "", "module_stderr": "/bin/sh: 1: /opt/py/bin/python3: not found\n"}
    result = make_plugin({"local_path": str(tmp_path)}, missing).run(task_vars={"ansible_python_interpreter": "/opt/py/bin/python3"})
    assert "Python is required on the target" in result["msg"] and "not found (/opt/py/bin/python3)" in result["msg"]


def test_collector_failure_is_reported_as_such(tmp_path):
    collected = {"failed": True, "raw_format": 1, "msg": "glpi_inventory does not support Darwin targets yet"}
    result = make_plugin({"local_path": str(tmp_path)}, collected).run(task_vars={})
    assert result["msg"] == "collection failed on the target: glpi_inventory does not support Darwin targets yet"


def test_failure_messages_from_the_target_have_their_control_characters_escaped(tmp_path):
    collected = {"failed": True, "raw_format": 1, "msg": "boom \x1b[2J\x1b]0;owned\x07"}
    result = make_plugin({"local_path": str(tmp_path)}, collected).run(task_vars={})
    assert result["msg"] == "collection failed on the target: boom \\x1b[2J\\x1b]0;owned\\x07"
    collected = {"failed": True, "rc": 127, "module_stdout": "", "module_stderr": "/bin/sh: \x1b[2Jpython3: not found\n"}
    result = make_plugin({"local_path": str(tmp_path)}, collected).run(task_vars={})
    assert "/bin/sh: \\x1b[2Jpython3: not found" in result["msg"] and "\x1b" not in result["msg"]


def test_collector_warnings_have_their_control_characters_escaped(tmp_path, collected_debian_vm):
    collected_debian_vm["errors"] = {"dmesg": "dmesg exited with rc 1: \x1b[2J\x1b[3J"}
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    assert result["warnings"] == ["dmesg: dmesg exited with rc 1: \\x1b[2J\\x1b[3J"]


def test_mixed_versions_are_detected(tmp_path, collected_debian_vm):
    collected_debian_vm["raw_format"] = 99
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    assert result["failed"] and "mixed glpiops.glpi versions" in result["msg"]


@pytest.mark.parametrize("become,expected", [(False, "~/.glpi-agent-deviceid"), (True, "~alice/.glpi-agent-deviceid")])
def test_deviceid_file_stays_in_the_login_users_home_under_become(tmp_path, collected_debian_vm, become, expected):
    plugin = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm, become=become)
    plugin.run(task_vars={})
    assert plugin._execute_module.call_args.kwargs["module_args"]["deviceid_path"] == expected


def test_collector_warnings_reach_the_task(tmp_path, collected_debian_vm):
    collected_debian_vm["errors"] = {"hostname_fqdn": "hostname timed out after 10s"}
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    assert result["warnings"] == ["hostname_fqdn: hostname timed out after 10s"]


def test_sources_cut_short_are_named_in_the_result_a_warning_and_the_document(tmp_path, collected_debian_vm):
    collected_debian_vm["incomplete"] = {"lspci": "lspci output larger than 33554432 bytes: cut short",
                                         "dpkg": "skipped: collection deadline of 120 s passed"}
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    assert result["incomplete_sources"] == ["dpkg", "lspci"]
    assert result["warnings"] == ["the inventory is incomplete: dpkg (skipped: collection deadline of 120 s passed); "
                                  "lspci (lspci output larger than 33554432 bytes: cut short)"]
    document = json.loads((tmp_path / "vm-2026-11-23-03-02-29.json").read_text())
    assert "incomplete: lspci: lspci output larger than 33554432 bytes: cut short" in document["content"]["versionprovider"]["comments"]


def test_a_complete_inventory_has_no_incomplete_sources(tmp_path, collected_debian_vm):
    result = make_plugin({"local_path": str(tmp_path)}, collected_debian_vm).run(task_vars={})
    assert result["incomplete_sources"] == [] and "warnings" not in result


def test_a_target_that_cannot_store_its_deviceid_keeps_one_on_the_controller(tmp_path, collected_debian_vm):
    state = tmp_path / "state" / "deviceids.json"
    unsaved = copy.deepcopy(collected_debian_vm)
    unsaved.update(deviceid="vm-2026-11-23-09-00-00", deviceid_source="unsaved")
    unsaved["errors"] = {"deviceid": "cannot write /home/x/.glpi-agent-deviceid: Read-only file system"}
    args = {"local_path": str(tmp_path / "out"), "deviceid_state_path": str(state)}
    first = make_plugin(args, unsaved).run(task_vars={"inventory_hostname": "web01"})
    assert (first["deviceid"], first["deviceid_source"]) == ("vm-2026-11-23-09-00-00", "controller")
    assert json.loads(state.read_text()) == {"web01": {"deviceid": "vm-2026-11-23-09-00-00", "why": "kept"}}
    assert oct(state.stat().st_mode & 0o777) == "0o600"
    # The next run generates another id on the target: the controller's wins, so GLPI sees one agent.
    unsaved["deviceid"] = "vm-2026-11-24-09-00-00"
    second = make_plugin(args, unsaved).run(task_vars={"inventory_hostname": "web01"})
    assert second["deviceid"] == "vm-2026-11-23-09-00-00"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["vm-2026-11-23-09-00-00.json"]
    # Another host gets its own entry; the first is kept.
    other = make_plugin(args, dict(unsaved, deviceid="db01-2026-11-24-09-00-00")).run(task_vars={"inventory_hostname": "db01"})
    assert other["deviceid"] == "db01-2026-11-24-09-00-00"
    assert json.loads(state.read_text()) == {"db01": {"deviceid": "db01-2026-11-24-09-00-00", "why": "kept"},
                                             "web01": {"deviceid": "vm-2026-11-23-09-00-00", "why": "kept"}}


def test_a_deviceid_read_on_the_target_ignores_the_controller_state(tmp_path, collected_debian_vm):
    state = tmp_path / "deviceids.json"
    state.write_text('{"web01": "old-2020-01-01-00-00-00"}\n')  # the first release's form: a kept deviceid
    result = make_plugin({"local_path": str(tmp_path), "deviceid_state_path": str(state)}, collected_debian_vm).run(
        task_vars={"inventory_hostname": "web01"})
    assert (result["deviceid"], result["deviceid_source"]) == ("vm-2026-11-23-03-02-29", "target")
    assert json.loads(state.read_text())["web01"] == {"deviceid": "vm-2026-11-23-03-02-29", "why": "seen"}


def test_two_hosts_with_one_deviceid_get_distinct_ones_every_run(tmp_path, collected_debian_vm):
    # web.paris.example.com and web.lyon.example.com, collected in the same second: GLPI Agent's format gives one id.
    state = tmp_path / "deviceids.json"
    args = {"local_path": str(tmp_path / "out"), "deviceid_state_path": str(state)}
    collected = dict(copy.deepcopy(collected_debian_vm), deviceid="web-2026-11-23-03-02-29", deviceid_source="created")
    paris = make_plugin(args, collected).run(task_vars={"inventory_hostname": "web.paris.example.com"})
    lyon = make_plugin(args, collected).run(task_vars={"inventory_hostname": "web.lyon.example.com"})
    assert paris["deviceid"] == "web-2026-11-23-03-02-29" and paris["deviceid_source"] == "created"
    assert lyon["deviceid"] == "web-2026-11-23-03-02-30" and lyon["deviceid_source"] == "controller"
    assert any("already the deviceid of host web.paris.example.com" in warning for warning in lyon["warnings"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["web-2026-11-23-03-02-29.json", "web-2026-11-23-03-02-30.json"]
    # Next run, both targets read the same id from their files: the same answer, no new agent in GLPI.
    collected["deviceid_source"] = "target"
    assert make_plugin(args, collected).run(task_vars={"inventory_hostname": "web.lyon.example.com"})["deviceid"] == "web-2026-11-23-03-02-30"
    assert make_plugin(args, collected).run(task_vars={"inventory_hostname": "web.paris.example.com"})["deviceid"] == "web-2026-11-23-03-02-29"


def test_an_unwritable_deviceid_state_only_warns_for_a_target_that_keeps_its_own(tmp_path, collected_debian_vm):
    blocker = tmp_path / "file"
    blocker.write_text("")
    args = {"local_path": str(tmp_path / "out"), "deviceid_state_path": str(blocker / "deviceids.json")}
    result = make_plugin(args, collected_debian_vm).run(task_vars={"inventory_hostname": "web01"})
    assert not result.get("failed") and result["deviceid"] == "vm-2026-11-23-03-02-29"
    assert any("not checked for duplicates" in warning for warning in result["warnings"])


def _closed_port_url():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d/glpi/" % sock.getsockname()[1]


def test_glpi_secrets_never_travel_to_the_target(collected_debian_vm, tmp_path):
    args = {"server": [_closed_port_url()], "username": "inventory", "password": "s3cr3t:p@ss",
            "retries": 0, "spool_path": str(tmp_path / "spool")}
    plugin = make_plugin(args, collected_debian_vm)
    result = plugin.run(task_vars={})
    sent = plugin._execute_module.call_args.kwargs["module_args"]
    assert set(sent) == {"deviceid", "deviceid_path", "collect_timeout", "collect_deadline", "collect_processes", "collect_envs"}
    assert result["delivery"]["status"] == "spooled" and not result.get("failed")
    assert any("spool" in warning for warning in result["warnings"])
    assert "s3cr3t" not in json.dumps(result)
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1


def test_a_server_url_with_credentials_is_refused_before_collecting(collected_debian_vm):
    plugin = make_plugin({"server": ["https://admin:hunter2@glpi.example.com/"]}, collected_debian_vm)
    result = plugin.run(task_vars={})
    assert result["failed"] and "username" in result["msg"] and "hunter2" not in json.dumps(result)
    plugin._execute_module.assert_not_called()


def test_check_mode_sends_nothing_and_spools_nothing(collected_debian_vm, tmp_path):
    args = {"server": [_closed_port_url()], "spool_path": str(tmp_path / "spool")}
    result = make_plugin(args, collected_debian_vm, check_mode=True).run(task_vars={})
    assert result["delivery"]["status"] == "check_mode" and not result.get("failed")
    assert not (tmp_path / "spool").exists()


def test_server_options_fall_back_to_the_controllers_environment(collected_debian_vm, tmp_path, monkeypatch):
    monkeypatch.setenv("GLPI_SERVER", _closed_port_url())
    monkeypatch.setenv("GLPI_USERNAME", "inventory")
    monkeypatch.setenv("GLPI_PASSWORD", "from-the-env")
    monkeypatch.setenv("GLPI_SPOOL_PATH", str(tmp_path / "spool"))
    monkeypatch.setenv("GLPI_RETRIES", "0")
    result = make_plugin({}, collected_debian_vm).run(task_vars={})
    assert result["delivery"]["status"] == "spooled", result
    assert "from-the-env" not in json.dumps(result)
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1


WINDOWS_COLLECTED = {
    "raw_format": 1, "os_family": "windows", "deviceid": "WKS-042-2026-11-23-09-00-00", "deviceid_source": "read", "changed": False,
    "sources": {
        "clock": 1795420800,
        "wmi": {
            "Win32_ComputerSystem": [{"Name": "WKS-042", "Domain": "corp.example", "Manufacturer": "Dell Inc.", "Model": "Latitude 7480",
                                      "TotalPhysicalMemory": "17066323968", "PartOfDomain": True}],
            "Win32_OperatingSystem": [{"Caption": "Microsoft Windows 11 Pro", "Version": "10.0.22631", "BuildNumber": "22631",
                                       "OSArchitecture": "64-bit", "CSName": "WKS-042"}],
            "Win32_BIOS": [{"SMBIOSBIOSVersion": "1.35.0", "Manufacturer": "Dell Inc.", "SerialNumber": "ABC1234"}],
        },
        "registry": {},
    },
    "errors": {"bitlocker": "needs admin"},
}


def make_windows_plugin(args, stdout, rc=0):
    plugin = make_plugin(args, {})
    plugin._connection._shell = MagicMock(SHELL_FAMILY="powershell")
    plugin._connection._shell._encode_script.return_value = "powershell -NoProfile -EncodedCommand UgBFAEEARAA="
    plugin._low_level_execute_command = MagicMock(return_value={"rc": rc, "stdout": stdout, "stderr": ""})
    return plugin


def test_windows_runs_the_powershell_collector_once_with_the_script_as_input(tmp_path, assert_valid_inventory):
    clixml = "#< CLIXML\r\n<Objs Version=\"1.1.0.1\"></Objs>\r\n"
    plugin = make_windows_plugin({"local_path": str(tmp_path)}, clixml + json.dumps(WINDOWS_COLLECTED))
    result = plugin.run(task_vars={})
    assert not result.get("failed"), result
    plugin._execute_module.assert_not_called()  # no .ps1 module, no Python on the target
    (call,) = plugin._low_level_execute_command.call_args_list
    command, script = call.args[0], call.kwargs["in_data"]
    assert len(command) < 2000 and "Win32_ComputerSystem" in script and "Win32_ComputerSystem" not in command
    assert result["deviceid"] == "WKS-042-2026-11-23-09-00-00" and result["deviceid_source"] == "target"
    document = json.loads((tmp_path / "WKS-042-2026-11-23-09-00-00.json").read_text())
    assert_valid_inventory(document)
    assert document["content"]["hardware"]["name"] == "WKS-042"
    assert document["content"]["operatingsystem"]["full_name"] == "Microsoft Windows 11 Pro"  # name is "Windows", as the agent says
    assert any("bitlocker" in warning for warning in result["warnings"])


def test_windows_collector_failure_is_reported_with_its_output():
    result = make_windows_plugin({"return_inventory": True}, "Access is denied.", rc=1).run(task_vars={})
    assert result["failed"] and "PowerShell collector failed (rc 1)" in result["msg"] and "Access is denied" in result["msg"]


def test_windows_collector_failure_output_has_its_control_characters_escaped():
    result = make_windows_plugin({"return_inventory": True}, "Access \x1b[2Jis denied.", rc=1).run(task_vars={})
    assert result["failed"] and "\x1b" not in result["msg"] and "Access \\x1b[2Jis denied" in result["msg"]


def test_windows_with_a_deviceid_option_leaves_the_registry_alone():
    plugin = make_windows_plugin({"return_inventory": True, "deviceid": "fixed-id"}, json.dumps(WINDOWS_COLLECTED))
    result = plugin.run(task_vars={})
    assert result["deviceid"] == "fixed-id" and result["deviceid_source"] == "option"
    script = plugin._low_level_execute_command.call_args.kwargs["in_data"]
    assert "$StoreDeviceId = $false" in script
    plugin = make_windows_plugin({"return_inventory": True}, json.dumps(WINDOWS_COLLECTED))
    plugin.run(task_vars={})
    assert "$StoreDeviceId = $true" in plugin._low_level_execute_command.call_args.kwargs["in_data"]
