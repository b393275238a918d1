# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters of the glpiops.glpi.agent role: GLPI Agent configuration as data (documented in the .yml files beside this one)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.glpiops.glpi.plugins.plugin_utils.agent._config import AgentConfigError, agent_cfg, agent_settings, masked, msi_arguments


def glpi_agent_settings(config=None, server=None, local=None, tag=None, mask=False):
    """Validated settings ``{key: text}``; unknown keys fail the task."""
    try:
        settings = agent_settings(server=server, local=local, tag=tag, config=config)
    except AgentConfigError as e:
        raise AnsibleFilterError(str(e)) from e
    return masked(settings) if mask else settings


def glpi_agent_cfg(settings, header=None):
    """The text of a conf.d/*.cfg file."""
    try:
        return agent_cfg(dict(settings or {}), header=header)
    except (AgentConfigError, TypeError, AttributeError) as e:
        raise AnsibleFilterError("glpi_agent_cfg: %s" % e) from e


def glpi_agent_msi_arguments(settings, msi_path, execmode="service", task_frequency="hourly", add_firewall_exception=False, runnow=False,
                             log_path=None, extra_properties=None):
    """The msiexec argument list."""
    try:
        return msi_arguments(msi_path, dict(settings or {}), execmode=execmode, task_frequency=task_frequency,
                             add_firewall_exception=add_firewall_exception, runnow=runnow, log_path=log_path, extra_properties=extra_properties)
    except AgentConfigError as e:
        raise AnsibleFilterError(str(e)) from e


class FilterModule:
    """GLPI Agent configuration filters."""

    def filters(self):
        return {
            "glpi_agent_settings": glpi_agent_settings,
            "glpi_agent_cfg": glpi_agent_cfg,
            "glpi_agent_msi_arguments": glpi_agent_msi_arguments,
        }
