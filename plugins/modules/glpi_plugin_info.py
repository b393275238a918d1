#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_plugin_info
short_description: The plugins of a GLPI server, their versions and states
version_added: 0.1.0
description:
  - Lists every plugin GLPI knows or has files of, with its key, name, version, state (in words and GLPI's number), install
    method, and whether an update is waiting (files newer than the installed version). Changes nothing.
  - The same result on GLPI 9.5, 10.0 and 11.0. GLPI 11 is read with C(plugin:list --format json); GLPI 9.5 and 10.0, which
    have no listing command, with GLPI's own C(Plugin) class through a small PHP program given to O(php_path) on stdin;
    the plugins' files are read with GLPI's C(Plugin) class on every version.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  names:
    description:
      - Only these plugins (their keys). Default is every plugin.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - glpiops.glpi.glpi_install
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs the same in check mode; it never changes anything.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Run it as the web server user (O(ignore:become_user=www-data) on Debian); GLPI 11's console refuses root unless
    O(allow_superuser=true).
seealso:
  - module: glpiops.glpi.glpi_plugin
"""

EXAMPLES = r"""
- name: Read the plugins of the GLPI server
  glpiops.glpi.glpi_plugin_info:
  become: true
  become_user: www-data
  register: glpi_plugins

- name: List the plugins waiting for their update
  ansible.builtin.debug:
    msg: "{{ glpi_plugins.plugins | selectattr('update_waiting') | map(attribute='key') | list }}"

- name: Fail when the Fields plugin is not enabled
  glpiops.glpi.glpi_plugin_info:
    names: [fields]
  become: true
  become_user: www-data
  register: fields
  failed_when: fields.plugins | selectattr('state', 'equalto', 'enabled') | list | length == 0
"""

RETURN = r"""
plugins:
  description: The plugins, sorted by key; the keys of each are those of M(glpiops.glpi.glpi_plugin)'s RV(glpiops.glpi.glpi_plugin#module:plugin).
  returned: always
  type: list
  elements: dict
  sample:
    - key: example
      name: Plugin Example
      version: 0.1.0
      files_version: 0.1.0
      state: enabled
      state_number: 1
      state_label: Enabled
      install_method: manual
      update_waiting: false
      was_active: false
glpi_version:
  description: The GLPI version of the server.
  returned: always
  type: str
  sample: 10.0.12
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import glpi_install_argument_spec, run_module
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin import PluginHost
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_state import record


def plugins_info(host, names):
    """The module's result: every plugin (or the ``names`` asked, missing ones included) in key order."""
    plugins = host.read()
    if names:
        plugins = {name: plugins.get(name) or record(name, None) for name in names}
    return {"changed": False, "plugins": [plugins[key] for key in sorted(plugins)], "glpi_version": host.version}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            names=dict(type="list", elements="str", default=[]),
            **glpi_install_argument_spec()
        ),
        supports_check_mode=True,
    )
    params = module.params
    run_module(module, lambda: plugins_info(PluginHost(module, params["glpi_path"], params["php_path"], params["config_dir"],
                                                       params["allow_superuser"]), params["names"]))


if __name__ == "__main__":
    main()
