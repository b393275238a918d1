#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_remote_info
short_description: List the remotes and targets of GLPI Agent (glpi-remote list)
version_added: 0.1.0
description:
  - Returns the remote computers GLPI Agent inventories over ssh or WinRM (C(glpi-remote list)) and the agent's
    targets (C(glpi-remote list targets)), parsed.
  - Passwords are always masked, also those C(glpi-remote) itself shows in clear (a password stored with a reserved
    character written as is, such as C(!)).
  - Runs on the host where GLPI Agent is installed; usually with O(ignore:become=true), since the agent's files belong to root.
author:
  - glpiops.glpi engineers (@glpiops)
extends_documentation_fragment:
  - glpiops.glpi.glpi_remote_tool
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads only; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: glpiops.glpi.glpi_remote
"""

EXAMPLES = r"""
- name: Read the agent's remotes and targets
  become: true
  glpiops.glpi.glpi_remote_info:
  register: agent

- name: Show the deviceids of the remotes of server0
  ansible.builtin.debug:
    msg: "{{ agent.remotes | selectattr('target', 'equalto', 'server0') | map(attribute='deviceid') | list }}"

- name: Fail when the agent has no server target to register remotes with
  ansible.builtin.assert:
    that: agent.targets | selectattr('type', 'equalto', 'server') | list | length > 0
    fail_msg: run GLPI Agent once with its server setting first
"""

RETURN = r"""
remotes:
  description: The registered remotes, in the order of C(glpi-remote list).
  returned: success
  type: list
  elements: dict
  contains:
    index:
      description: Its number in C(glpi-remote list), what C(glpi-remote delete) accepts; it changes as remotes come and go.
      type: int
      sample: 1
    deviceid:
      description: Its deviceid, its identity in GLPI.
      type: str
      sample: web01-2026-11-22-09-43-37
    url:
      description: Its URL, the password replaced by C(********).
      type: str
      sample: ssh://inventory:********@web01.example.org:2222
    target:
      description: The agent target it belongs to.
      type: str
      sample: server0
    next_run:
      description: When the agent inventories it next, C(on next agent run) until its first inventory.
      type: str
      sample: Sun Nov 22 11:38:19 2026
    protocol:
      description: V(ssh) or V(winrm).
      type: str
      sample: ssh
    host:
      description: Its host.
      type: str
      sample: web01.example.org
    port:
      description: The port the agent connects to.
      type: int
      sample: 2222
    username:
      description: The user the agent logs in as; null when the URL names none.
      type: str
      sample: inventory
    modes:
      description: Its connection modes (C(?mode=)).
      type: list
      elements: str
      sample: [libssh2]
targets:
  description: The agent's targets, in the order of C(glpi-remote list targets). Remotes go to C(server) and C(local) ones.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Its id, what O(glpiops.glpi.glpi_remote#module:target) takes.
      type: str
      sample: server0
    type:
      description: Its type, V(server) or V(local) for those that hold remotes.
      type: str
      sample: server
    url:
      description: The GLPI server URL of a server target.
      type: str
      returned: for server targets
      sample: https://glpi.example.org/
    path:
      description: The directory of a local target.
      type: str
      returned: for other targets
      sample: /var/lib/glpi-inventory
    maxdelay:
      description: The target's maximum delay between runs, in seconds.
      type: int
      sample: 3600
    next_run:
      description: When the agent runs for this target next.
      type: str
      sample: Sun Nov 22 11:38:19 2026
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote import from_module, remote_tool_argument_spec, run_module
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_output import describe_remote


def run(tool):
    remotes = [describe_remote(row) for row in tool.remotes()]
    return dict(changed=False, remotes=remotes, targets=tool.targets())


def main():
    module = AnsibleModule(
        argument_spec=remote_tool_argument_spec(),
        supports_check_mode=True,
    )
    # Passwords the tool printed in clear (parsed in remotes()) are masked in the whole result too.
    run_module(module, lambda: from_module(module, module.params["glpi_remote_path"], module.params["vardir"]), run)


if __name__ == "__main__":
    main()
