# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The options of ``glpiops.glpi.glpi_inventory``, defined once.

Private to the glpiops.glpi collection: no compatibility promise.

The module (target side) and its action plugin (controller side) both use this
spec: the module because validate-modules compares its spec with its
DOCUMENTATION, the action plugin to validate the task's arguments before anything
runs.  Only the action plugin enforces the cross-option rules, because it passes
the module the collector options alone.
"""

from __future__ import annotations

from ansible_collections.glpiops.glpi.plugins.module_utils._deviceid import DEFAULT_DEVICEID_PATH
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import glpi_server_argument_spec

# GLPI Agent's own default for full-inventory-postpone: at most 14 change-only inventories between two full ones.
DEFAULT_FULL_INVENTORY_POSTPONE = 14
ITEMTYPES = ("Computer", "Unmanaged", "Phone", "NetworkEquipment", "Printer")

# Options the collector on the target needs; everything else stays on the controller.
COLLECTOR_OPTIONS = ("deviceid", "deviceid_path", "collect_timeout", "collect_deadline", "collect_processes", "collect_envs")


def inventory_argument_spec():
    """The task's options: where and how to collect, then where to deliver (``glpi_server_argument_spec``)."""
    spec = dict(
        local_path=dict(type="path"),
        deviceid=dict(type="str"),
        deviceid_path=dict(type="path", default=DEFAULT_DEVICEID_PATH),
        tag=dict(type="str"),
        itemtype=dict(type="str", default="Computer", choices=list(ITEMTYPES)),
        collect_timeout=dict(type="int", default=10),
        collect_deadline=dict(type="int", default=120),
        deviceid_state_path=dict(type="path", default="~/.ansible/glpiops.glpi/deviceids.json"),
        collect_processes=dict(type="bool", default=False),
        collect_envs=dict(type="bool", default=False),
        return_inventory=dict(type="bool", default=False),
        full_inventory_postpone=dict(type="int", default=DEFAULT_FULL_INVENTORY_POSTPONE),
        partial_state_path=dict(type="path"),
    )
    spec.update(glpi_server_argument_spec())
    return spec


def submit_argument_spec():
    """The options of ``glpiops.glpi.glpi_inventory_submit``: the files, then the GLPI server options."""
    spec = dict(
        path=dict(type="list", elements="str", required=True),
    )
    spec.update(glpi_server_argument_spec())
    return spec
