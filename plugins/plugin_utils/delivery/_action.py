# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The base of the action plugins that deliver to GLPI (``glpi_inventory``, ``glpi_inventory_submit``).

Private to the glpiops.glpi collection: no compatibility promise.

``DeliveryAction.run`` is what both share: check mode supported, no async, the
errors that fail the task with their message, and the result masked at the edge.
AnsibleModule's masking does not apply to action plugins: every result goes through
the client's own masking (the collection's one masking function) before Ansible
sees it.  A subclass sets ``self._client`` to its ``GLPIClient`` and implements
``_run(task_vars)``.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError


class DeliveryAction(ActionBase):
    """An action plugin that runs on the controller and may deliver to GLPI; see the module's docstring."""

    TRANSFERS_FILES = False
    # The errors that fail the task with their own message: Ansible's, and every error of the collection.
    TASK_ERRORS = (AnsibleActionFail, GLPIOpsError)

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        result = super(DeliveryAction, self).run(tmp, task_vars)
        del tmp
        self._client = None
        try:
            result.update(self._run(task_vars or {}))
        except self.TASK_ERRORS as exc:
            result.update(failed=True, msg=str(exc))
        # AnsibleModule's masking does not apply to action plugins: the one masking function does, at the edge.
        return self._client.mask(result) if self._client else result

    def _run(self, task_vars):
        """The task's result dict; sets ``self._client`` as soon as it has one."""
        raise NotImplementedError
