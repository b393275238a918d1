# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # How to reach GLPI Agent's glpi-remote tool: plugins/module_utils/_glpi_remote.py's remote_tool_argument_spec().
    DOCUMENTATION = r"""
options:
  glpi_remote_path:
    description:
      - Path of the C(glpi-remote) tool. By default it is searched in C(PATH), C(/usr/local/bin), C(/opt/glpi-agent/bin)
        and C(/Applications/GLPI-Agent.app/bin).
    type: path
  vardir:
    description:
      - The agent's var directory (C(--vardir)), where its targets and remotes are stored. By default, the agent's own.
    type: path
  command_timeout:
    description:
      - Seconds the C(glpi-remote) runs of one task may take together. A run still going then is stopped, with every
        process it started, and the task fails saying so.
    type: int
    default: 600
"""
