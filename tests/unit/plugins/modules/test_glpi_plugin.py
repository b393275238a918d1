# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpi_plugin's decisions, with a GLPI host that only remembers one plugin row and answers the console like the transcript."""

from __future__ import annotations

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import GlpiNetworkError
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_console import interpret
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_state import record
from ansible_collections.glpiops.glpi.plugins.modules import glpi_plugin as m

PARAMS = {"state": "enabled", "source": "local", "src": None, "version": None}


class FakeHost:
    """GLPI with one plugin: ``row`` (state, version) or None, and the files' version."""

    version = "10.0.12"

    class server:  # pylint: disable=invalid-name,too-few-public-methods
        glpi_path = "/var/www/glpi"

    def __init__(self, state=None, version="1.0", files="1.0", activation_works=True, config_ok=True):
        self.row = None if state is None else {"state": state, "version": version}
        self.files = files
        self.ran = []
        self.activation_works = activation_works
        self.config_ok = config_ok
        self.answer = {}

    def read(self):
        if self.row is None:
            return {"p": record("p", None, files_version=self.files)} if self.files else {}
        number = self.row["state"]
        if self.files and self.files != self.row["version"] and number in (1, 3, 4):
            return {"p": record("p", 6, version=self.row["version"], files_version=self.files, was_active=number == 1)}
        return {"p": record("p", number, version=self.row["version"], files_version=self.files)}

    def refresh(self, key):
        if self.files != self.row["version"] and self.row["state"] in (1, 3, 4):
            self.row["state"] = 6

    def argv(self, step, key):
        return ["php", "bin/console", "plugin:" + step, key]

    def console(self, step, key):
        self.ran.append("plugin:%s %s" % (step, key))
        state = self.row["state"] if self.row else None
        if step == "install":
            if state in (1, 3, 4):
                return interpret(1, 'Plugin "p" is already installed. Use --force option to force reinstallation.\n', "")
            self.row = {"state": 4 if self.config_ok else 3, "version": self.files}
            return interpret(0, 'SQL Error "1062": Duplicate entry\nPlugin "p" has been installed and can be activated.\n', "")
        if step == "activate":
            if state == 1:
                return interpret(1, 'Plugin "p" is already active.\n', "")
            if self.activation_works:
                self.row["state"] = 1
                return interpret(0, 'Plugin "p" has been activated.\n', "")
            return interpret(1, "Plugin prerequisites are not matching, it cannot be activated.\n", "")
        if step == "deactivate":
            self.row["state"] = 4
            return interpret(0, 'Plugin "p" has been deactivated.\n', "")
        if step == "uninstall":
            self.row["state"] = 2
            return interpret(0, 'Plugin "p" has been uninstalled.\n', "")
        raise AssertionError(step)


def test_enabled_from_not_installed_installs_then_activates_and_warns_of_sql_errors():
    host = FakeHost(state=2)
    result = m.ensure(host, "p", PARAMS, check_mode=False)
    assert result["changed"] is True and result["state"] == "enabled"
    assert host.ran == ["plugin:install p", "plugin:activate p"]
    assert result["warnings"] == ["plugin:install p printed 1 SQL errors (GLPI exits 0 on them); GLPI reports the plugin disabled"]
    assert result["diff"]["before"].startswith("state: not_installed") and result["diff"]["after"].startswith("state: enabled")


@pytest.mark.parametrize("state", ["present", "enabled", "disabled", "absent"])
def test_second_run_changes_nothing(state):
    host = FakeHost(state=2)
    m.ensure(host, "p", dict(PARAMS, state=state), check_mode=False)
    ran = list(host.ran)
    again = m.ensure(host, "p", dict(PARAMS, state=state), check_mode=False)
    assert again["changed"] is False and host.ran == ran


def test_check_mode_runs_nothing_and_predicts():
    host = FakeHost(state=1)
    result = m.ensure(host, "p", dict(PARAMS, state="absent"), check_mode=True)
    assert result["changed"] is True and host.ran == [] and host.row["state"] == 1
    assert result["plugin"]["state"] == "not_installed" and result["before"]["state"] == "enabled"


def test_a_step_that_does_not_take_is_reported_with_the_state_reached():
    host = FakeHost(state=2, activation_works=False)
    with pytest.raises(GlpiNetworkError) as error:
        m.ensure(host, "p", PARAMS, check_mode=False)
    assert "plugin:activate p left plugin p disabled (rc 1; GLPI said: Plugin prerequisites are not matching" in error.value.msg
    assert error.value.msg.endswith("The plugin is now disabled.")
    assert error.value.details["changed"] is True and error.value.details["plugin"]["state"] == "disabled"


def test_an_updated_plugin_that_was_active_is_updated_and_reactivated_by_present():
    host = FakeHost(state=1, version="1.0", files="1.1")
    result = m.ensure(host, "p", dict(PARAMS, state="present"), check_mode=False)
    assert host.ran == ["plugin:install p", "plugin:activate p"]
    assert result["plugin"]["version"] == "1.1" and result["state"] == "enabled" and result["before"]["update_waiting"] is True


def test_an_updated_plugin_that_was_not_active_stays_inactive():
    host = FakeHost(state=4, version="1.0", files="1.1")
    result = m.ensure(host, "p", dict(PARAMS, state="present"), check_mode=False)
    assert host.ran == ["plugin:install p"] and result["state"] == "disabled"


def test_needs_configuration_before_activation():
    host = FakeHost(state=2, config_ok=False)
    with pytest.raises(GlpiNetworkError, match="must be configured before it can be activated") as error:
        m.ensure(host, "p", PARAMS, check_mode=False)
    assert error.value.details["state"] == "to_configure" and host.ran == ["plugin:install p"]
    host = FakeHost(state=2, config_ok=False)
    result = m.ensure(host, "p", dict(PARAMS, state="present"), check_mode=False)
    assert result["warnings"][-1] == "plugin p must be configured in GLPI before it can be activated"


def test_missing_plugin_without_src_is_not_found():
    host = FakeHost(files=None)
    with pytest.raises(GlpiNetworkError, match="plugin p not found: GLPI has no directory p"):
        m.ensure(host, "p", PARAMS, check_mode=False)
    assert host.ran == []
    assert m.ensure(FakeHost(files=None), "p", dict(PARAMS, state="absent"), check_mode=False)["changed"] is False


def test_a_version_pin_without_src_fails_before_any_command():
    host = FakeHost(state=4, files="1.0")
    with pytest.raises(GlpiNetworkError, match="has files of version 1.0, not 2.0; give src"):
        m.ensure(host, "p", dict(PARAMS, version="2.0"), check_mode=False)
    assert host.ran == []
