# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows reader of the Hyper-V guests (``virtualmachines``) a host runs.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import clean, instances, integer, text


# --- hyper-v -------------------------------------------------------------------------------------------------------

_VM_STATES = {2: "running", 3: "off", 32768: "paused", 32769: "off", 32770: "blocked", 32771: "blocked",
              32773: "blocked", 32774: "shutdown", 32776: "blocked", 32777: "blocked"}


def virtual_machines(computer_systems, memory_settings=None, processor_settings=None, system_settings=None):
    """GLPI Agent's Hyper-V ``virtualmachines`` from the ``root/virtualization/v2`` classes (the host, which has no
    ``InstallDate``, is left out)."""
    def by_vm(objects, field):
        found = {}
        for obj in instances(objects):
            match = re.match(r"^Microsoft:([^\\]+)", text(obj.get("InstanceID")) or "")
            if match and obj.get(field) is not None:
                found[match.group(1)] = obj.get(field)
        return found
    memory, vcpu = by_vm(memory_settings, "VirtualQuantity"), by_vm(processor_settings, "VirtualQuantity")
    bios_guid = {key: (text(value) or "").strip("{}") for key, value in by_vm(system_settings, "BIOSGUID").items()}
    result = []
    for obj in instances(computer_systems):
        if not text(obj.get("InstallDate")) and not isinstance(obj.get("InstallDate"), dict):
            continue
        name = text(obj.get("Name"))
        result.append(clean({
            "subsystem": "MS HyperV", "vmtype": "HyperV", "status": _VM_STATES.get(integer(obj.get("EnabledState")), "off"),
            "name": text(obj.get("ElementName")), "uuid": bios_guid.get(name) or None,
            "memory": integer(memory.get(name)), "vcpu": integer(vcpu.get(name)),
        }))
    return result
