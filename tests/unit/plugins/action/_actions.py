# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An action plugin instance with a mocked task and connection, and ``_execute_module`` returning a recorded result."""

from __future__ import annotations

from unittest.mock import MagicMock

from ansible.playbook.play_context import PlayContext


def make_action(cls, args, collected=None, check_mode=False, diff=False, become=False, remote_user="alice"):
    task = MagicMock()
    task.args = args
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = 0
    play_context = PlayContext()
    play_context.check_mode = check_mode
    play_context.become = become
    play_context.remote_user = remote_user
    connection = MagicMock()
    connection.get_option.side_effect = lambda name: remote_user if name == "remote_user" else None
    connection._shell = MagicMock(SHELL_FAMILY="sh")
    plugin = cls(task, connection, play_context, loader=MagicMock(), templar=None, shared_loader_obj=None)
    plugin._execute_module = MagicMock(return_value=collected)
    return plugin
