# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GLPI plugin states and console answers, on every call of the lab's transcript (read from the fixture file)."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_plugin_console as console
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_plugin_state as state
from tests._plugin_transcript import transcript_calls

CALLS = transcript_calls()

# What each recorded answer is, in recorded order (the transcript has 30 calls).
KINDS = [
    "username_invalid", "done", "already", "done", "done", "already", "done", "already", "invalid_directory", "done", "already",
    "unreachable", "failed", "failed",
    "root_refused", None, "done", "already", None, "done", "already", None, "done", "already", "done", "already",
    "key_invalid", "key_invalid", "failed", "failed",
]


def _record_of_row(row):
    return state.record(row["directory"], row["state"], version=row["version"]) if row else None


def test_the_transcript_is_read_whole():
    assert len(CALLS) == 30 == len(KINDS)
    assert [call["version"] for call in CALLS].count("10.0.12") == 14
    assert all(call["rc"] in (0, 1) for call in CALLS)


@pytest.mark.parametrize("index", range(len(CALLS)))
def test_every_answer_is_sorted_and_exit_codes_are_not_taken_for_states(index):
    call = CALLS[index]
    if KINDS[index] is None:  # plugin:list --format json: parsed below
        return
    outcome = console.interpret(call["rc"], call["stdout"], call["stderr"])
    assert outcome["kind"] == KINDS[index], (call["args"], outcome)
    assert all(state.ROOT_WARNING not in line for line in outcome["said"]) or outcome["kind"] == "root_refused"
    before, after = _record_of_row(call["row_before"]), _record_of_row(call["row_after"])
    if outcome["kind"] == "already":
        # rc 1, and yet the plugin is where it was asked to be: only a new read tells.
        assert call["rc"] == 1 and before == after
    if outcome["kind"] == "done" and call["args"][0] != "plugin:install":
        assert before["state_number"] != after["state_number"]


def test_install_force_prints_sql_errors_and_exits_0_on_10():
    call = next(call for call in CALLS if "-f" in call["args"])
    outcome = console.interpret(call["rc"], call["stdout"], call["stderr"])
    assert (call["rc"], outcome["kind"], outcome["sql_errors"]) == (0, "done", 8)
    assert call["row_after"]["state"] == state.NOTACTIVATED


def test_after_install_and_deactivate_glpi_stores_4_on_10_and_11():
    for call in CALLS:
        if call["args"][0] in ("plugin:install", "plugin:deactivate") and call["rc"] == 0:
            assert state.record("example", call["row_after"]["state"])["state"] == "disabled"
        if call["args"][0] == "plugin:activate" and call["row_after"]:
            assert call["row_after"]["state"] in (state.ACTIVATED, state.NOTACTIVATED)


@pytest.mark.parametrize("index", [i for i, call in enumerate(CALLS) if "json" in call["args"]])
def test_plugin_list_json_after_the_root_warning_gives_the_stored_state(index):
    call = CALLS[index]
    plugins = state.parse_list(call["stdout"])
    row = call["row_after"]
    if row is None:
        assert plugins == {}
        return
    plugin = plugins[row["directory"]]
    assert (plugin["state_number"], plugin["version"]) == (row["state"], row["version"])
    assert plugin["install_method"] == "manual" and plugin["name"] == "Plugin Example"
    assert plugin["state_label"] == json.loads(call["stdout"].splitlines()[-1])[0]["state"]


def test_plugin_list_without_json_is_an_error():
    refused = CALLS[KINDS.index("root_refused")]
    with pytest.raises(state.ListParseError, match="running as root"):
        state.parse_list(refused["stdout"])


@pytest.mark.parametrize("index", range(len(CALLS)))
def test_the_modules_command_lines_are_the_recorded_ones(index):
    call = CALLS[index]
    args = call["args"]
    step = {value: key for key, value in console.COMMANDS.items()}.get(args[0])
    if step is None or "-f" in args or (args[0] == "plugin:list" and "json" not in args):
        return
    kernel = call["version"].startswith("11")
    key = args[1] if len(args) > 1 and not args[1].startswith("-") else None
    argv = console.console_argv("php", "/glpi", step, key, kernel=kernel, allow_superuser=True,
                                username=args[args.index("-u") + 1] if "-u" in args else None)
    assert argv[:2] == ["php", os.path.join("/glpi", "bin", "console")] and argv[2:] == args


def test_allow_superuser_and_config_dir_reach_only_the_glpi_that_knows_them():
    ten = console.console_argv("php", "/g", "activate", "x", kernel=False, allow_superuser=True, config_dir="/etc/glpi")
    eleven = console.console_argv("php", "/g", "install", "x", kernel=True, allow_superuser=False, username="glpi", config_dir="/etc/glpi")
    assert "--allow-superuser" not in ten and "--config-dir=/etc/glpi" in ten
    assert "--allow-superuser" not in eleven and "-u" not in eleven and not [a for a in eleven if a.startswith("--config-dir")]


def test_messages_say_what_to_do():
    root = CALLS[KINDS.index("root_refused")]
    message = console.failure_message("list", "example", console.interpret(root["rc"], root["stdout"], root["stderr"]), "unknown")
    assert "become_user" in message and "allow_superuser: true" in message
    unreachable = CALLS[KINDS.index("unreachable")]
    message = console.failure_message("download", "example", console.interpret(unreachable["rc"], unreachable["stdout"], unreachable["stderr"]),
                                      "not_installed")
    assert "cannot be reached" in message and "Could not resolve host: services.glpi-network.com" in message
    key = CALLS[KINDS.index("key_invalid")]
    message = console.failure_message("download", "example", console.interpret(key["rc"], key["stdout"], key["stderr"]), "not_installed")
    assert "registration key is missing or invalid" in message and "glpi_network_register" in message
    user = CALLS[0]
    assert "glpi_user" in console.failure_message("install", "example", console.interpret(user["rc"], user["stdout"], user["stderr"]), "not_installed")
    nosuch = CALLS[KINDS.index("invalid_directory")]
    assert console.failure_message("activate", "nosuch", console.interpret(nosuch["rc"], nosuch["stdout"], nosuch["stderr"]),
                                   "missing").startswith("plugin nosuch not found")


def test_marketplace_switch():
    assert console.marketplace_problem(None) is None and console.marketplace_problem(3) is None and console.marketplace_problem(1) is None
    assert "GLPI_MARKETPLACE_ENABLE is 0" in console.marketplace_problem(0)
    assert "GLPI_MARKETPLACE_ENABLE is 2" in console.marketplace_problem("2")


def test_key_problem():
    assert state.key_problem("example") is None
    for bad in ("", "../x", "a b", "-f", "x/y"):
        assert state.key_problem(bad)


# --- GLPI 10's rows, read by the program -------------------------------------------------------

def _answer(**rows):
    return {"plugins": [dict({"directory": key}, **row) for key, row in rows.items()], "files": {}}


def test_rows_and_files_make_the_same_records_as_glpi_11():
    answer = _answer(example={"name": "Plugin Example", "version": "0.0.1", "state": 4, "files_version": "0.0.1", "base": "plugins"})
    answer["files"] = {"example": {"base": "plugins", "version": "0.0.1"}, "fresh": {"base": "marketplace", "version": "2.0", "name": "Fresh"}}
    plugins = state.records_from_program(answer)
    eleven = state.parse_list(CALLS[18]["stdout"])
    assert set(plugins["example"]) == set(eleven["example"])
    assert plugins["example"]["state"] == eleven["example"]["state"] == "disabled"
    assert plugins["fresh"]["state"] == "not_installed" and plugins["fresh"]["install_method"] == "marketplace"


def test_newer_files_mean_to_update_and_remember_activation():
    plugins = state.records_from_program(_answer(
        active={"version": "1.0", "state": 1, "files_version": "1.1", "base": "plugins"},
        idle={"version": "1.0", "state": 4, "files_version": "1.1", "base": "plugins"},
        marked={"version": "1.0", "state": 6, "files_version": "1.1", "base": "plugins"},
        new={"version": "1.0", "state": 2, "files_version": "1.1", "base": "plugins"},
        gone={"version": "1.0", "state": 1, "files_version": None, "base": None}))
    assert [plugins[k]["state"] for k in ("active", "idle", "marked", "new", "gone")] == ["to_update", "to_update", "to_update", "not_installed", "to_clean"]
    assert plugins["active"]["was_active"] and not plugins["idle"]["was_active"]
    assert plugins["active"]["update_waiting"] and not plugins["new"]["update_waiting"]


def test_program_answer_is_found_after_notices():
    assert state.parse_program_output("Notice: x\n\n%s{\"glpi_version\": \"10.0.12\"}\n" % state.PROGRAM_MARKER) == {"glpi_version": "10.0.12"}
    assert state.parse_program_output("PHP Fatal error") is None
    program = state.read_program("/var/www/glpi", None, "legacy", refresh="example")
    assert "getList()" in program and "checkPluginState" in program and "/var/www/glpi" not in program


# --- planning ------------------------------------------------------------------------------------

def _rec(number, files=True, was_active=False):
    return state.record("p", number, version="1", files_version="1" if files else None, was_active=was_active)


@pytest.mark.parametrize("number, wanted, steps", [
    (state.NOTINSTALLED, "present", ["install"]),
    (state.NOTINSTALLED, "enabled", ["install", "activate"]),
    (state.NOTINSTALLED, "disabled", ["install"]),
    (state.NOTINSTALLED, "absent", []),
    (state.NOTACTIVATED, "present", []),
    (state.NOTACTIVATED, "enabled", ["activate"]),
    (state.NOTACTIVATED, "disabled", []),
    (state.NOTACTIVATED, "absent", ["uninstall"]),
    (state.ACTIVATED, "present", []),
    (state.ACTIVATED, "enabled", []),
    (state.ACTIVATED, "disabled", ["deactivate"]),
    (state.ACTIVATED, "absent", ["deactivate", "uninstall"]),
    (state.TOBECONFIGURED, "enabled", ["activate"]),
    (state.NOTUPDATED, "present", ["refresh", "install"]),
    (state.NOTUPDATED, "enabled", ["refresh", "install", "activate"]),
    (state.NOTUPDATED, "disabled", ["refresh", "install"]),
    (state.NOTUPDATED, "absent", ["uninstall"]),
    (None, "absent", []),
])
def test_plan(number, wanted, steps):
    assert state.plan(_rec(number), wanted) == steps


def test_plan_reactivates_an_updated_plugin_that_was_active_and_fetches_missing_files():
    assert state.plan(_rec(state.NOTUPDATED, was_active=True), "present") == ["refresh", "install", "activate"]
    missing = state.record("p", None)
    assert missing["state"] == "missing"
    assert state.plan(missing, "enabled") == ["fetch", "install", "activate"]
    assert state.plan(missing, "absent") == []
