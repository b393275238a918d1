# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The glpi_agent_* filters: the role's view of plugin_utils/agent/_config, errors as filter errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.glpiops.glpi.plugins.filter.glpi_agent import FilterModule

FILTERS = FilterModule().filters()


def test_filters_are_registered():
    assert sorted(FILTERS) == ["glpi_agent_cfg", "glpi_agent_msi_arguments", "glpi_agent_settings"]


def test_settings_then_cfg():
    settings = FILTERS["glpi_agent_settings"]({"lazy": True}, server="https://glpi/", tag="lab")
    assert FILTERS["glpi_agent_cfg"](settings, header="Managed") == "# Managed\nlazy = 1\nserver = https://glpi/\ntag = lab\n"


def test_unknown_key_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="remote_workers"):
        FILTERS["glpi_agent_settings"]({"remote_workers": 1})


@pytest.mark.parametrize("categories", [["process", "softwares"], "process,softwares"])
def test_unknown_inventory_category_is_a_filter_error_naming_it(categories):
    with pytest.raises(AnsibleFilterError, match=r"no-category.*'softwares'; known categories: accesslog, antivirus"):
        FILTERS["glpi_agent_settings"]({"no-category": categories})


def test_known_inventory_categories_pass():
    settings = FILTERS["glpi_agent_settings"]({"no-category": ["process", "environment", "local_user", "remote_mgmt"]})
    assert settings == {"no-category": "process,environment,local_user,remote_mgmt"}


def test_mask():
    assert FILTERS["glpi_agent_settings"]({"password": "s"}, mask=True) == {"password": "********"}


def test_msi_arguments_error():
    with pytest.raises(AnsibleFilterError, match="Windows run mode"):
        FILTERS["glpi_agent_msi_arguments"]({}, "a.msi", execmode="cron")
