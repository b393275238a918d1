#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_inventory_submit
short_description: Send saved GLPI inventory files to GLPI
version_added: 0.1.0
description:
  - Sends existing inventory documents to each GLPI server of O(server) over GLPI's native inventory protocol,
    with the same client, options, retries and spool as M(glpiops.glpi.glpi_inventory).
  - For networks where inventories are collected in one place and delivered from another, the role of GLPI Agent's
    C(glpi-injector).
  - Accepts the C(<deviceid>.json) files of M(glpiops.glpi.glpi_inventory) and GLPI Agent's C(--local) output,
    JSON or XML. Each document keeps its own deviceid.
  - The files are read on the B(controller), as the spool lives there; run the task once, for example with
    C(run_once) or on C(localhost).
author:
  - glpiops.glpi engineers (@glpiops)
options:
  path:
    description:
      - Inventory files on the controller. Each item is a file, a directory (its C(*.json) and C(*.xml) files),
        or a glob pattern such as C(/srv/inventories/*.json).
      - An item that matches no file fails the task, naming the item; nothing is sent then.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - glpiops.glpi.glpi_server
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Reads and checks every file and reports what would be sent; sends and spools nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - C(changed) is true when GLPI accepted at least one document, as every accepted document updates its asset in GLPI.
  - Each file is read and checked on its own (at most 64 MiB; JSON nested too deeply, XML with a DTD and files that
    are no inventory are reported as V(invalid)); the other files are still sent, and the task fails at the end.
seealso:
  - module: glpiops.glpi.glpi_inventory
"""

EXAMPLES = r"""
- name: Send the inventories collected on an isolated network
  glpiops.glpi.glpi_inventory_submit:
    path: /srv/glpi-inventory/
    server: https://glpi.example.com/
    username: "{{ vault_glpi_inventory_user }}"
    password: "{{ vault_glpi_inventory_password }}"
  delegate_to: localhost
  run_once: true

- name: Send GLPI Agent's local XML and JSON files, with the server options of the play
  module_defaults:
    group/glpiops.glpi.glpi:
      server: https://glpi.example.com/
      client_id: "{{ vault_glpi_client_id }}"
      client_secret: "{{ vault_glpi_client_secret }}"
  block:
    - name: Submit
      glpiops.glpi.glpi_inventory_submit:
        path:
          - /var/tmp/agent-output/*.xml
          - /var/tmp/agent-output/*.json
      run_once: true
"""

RETURN = r"""
documents:
  description: One entry per file, in the order sent.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    deviceid:
      description: The deviceid of its document.
      type: str
    status:
      description:
        - V(sent), V(unconfirmed) (sent, no answer, so GLPI may have imported it; kept in O(spool_path)), V(spooled)
          (GLPI could not be reached; kept in O(spool_path)), V(disabled), V(failed), V(invalid) (not an inventory
          document) or V(check_mode). See RV(glpiops.glpi.glpi_inventory#module:status) for each status.
      type: str
    delivered:
      description: Whether every server accepted this document.
      type: bool
    spooled:
      description: The spool file that keeps this document for the next run, or V(null).
      type: str
    msg:
      description: What happened, with GLPI's own message when it refused the document.
      type: str
    servers:
      description: Per server, as RV(glpiops.glpi.glpi_inventory#module:delivery.servers).
      type: list
      elements: dict
  sample: [{"path": "/srv/glpi-inventory/web01-2026-11-23-10-42-07.json", "deviceid": "web01-2026-11-23-10-42-07",
            "status": "sent", "delivered": true, "spooled": null, "msg": "https://glpi.example.com/front/inventory.php: sent"}]
delivered:
  description: Whether GLPI accepted every document (false in check mode and when no document was sent).
  returned: always
  type: bool
  sample: true
counts:
  description: How many documents ended with each status.
  returned: always
  type: dict
  sample: {"sent": 11, "spooled": 0, "unconfirmed": 1, "failed": 0, "invalid": 0}
sent:
  description: How many documents GLPI accepted.
  returned: always
  type: int
  sample: 12
spooled:
  description:
    - How many documents were not delivered and were kept in O(spool_path) (statuses V(spooled) and V(unconfirmed));
      each one's file is in its RV(documents[].spooled).
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import glpi_server_constraints
from ansible_collections.glpiops.glpi.plugins.module_utils._inventory_spec import submit_argument_spec


def main():
    module = AnsibleModule(argument_spec=submit_argument_spec(), supports_check_mode=True, **glpi_server_constraints())
    module.fail_json(msg="glpiops.glpi.glpi_inventory_submit runs on the controller through its action plugin; "
                         "call it by its full name from a playbook")


if __name__ == "__main__":
    main()
