#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_network_info
short_description: GLPI Network registration state of a GLPI server
version_added: 0.1.0
description:
  - Reports whether a GLPI Network registration key is stored on a GLPI server, a masked form of it, and, when asked,
    what GLPI Network says about it (validity, owner, subscription). Changes nothing.
  - The key is read with GLPI's own PHP classes (a small PHP program given to O(php_path) on stdin), on GLPI 9.5, 10.0 and 11.0.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  validate:
    description:
      - Also ask GLPI Network about the stored key (through GLPI, forcing a refresh of its one-day cache).
      - The task does not fail when the key is refused or GLPI Network cannot be reached; RV(registered) and
        RV(validation_message) say so.
    type: bool
    default: false
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
  - Run it as the web server user (O(ignore:become_user=www-data) on Debian), who can read GLPI's C(config/) directory.
seealso:
  - module: glpiops.glpi.glpi_network_register
"""

EXAMPLES = r"""
- name: Read the GLPI Network registration state
  glpiops.glpi.glpi_network_info:
  become: true
  become_user: www-data
  register: glpi_network

- name: Fail the pipeline when the server is not registered with a running subscription
  glpiops.glpi.glpi_network_info:
    glpi_path: /usr/share/glpi
    config_dir: /etc/glpi
    validate: true
  become: true
  become_user: www-data
  register: glpi_network
  failed_when: not glpi_network.registered or not glpi_network.subscription.running
"""

RETURN = r"""
key_present:
  description: Whether a registration key is stored.
  returned: always
  type: bool
  sample: true
masked_key:
  description: The stored key's length and fingerprint, never its characters; empty when no key is stored.
  returned: always
  type: str
  sample: <684 characters, sha256:1f0c7be0d5a5e2c4>
fingerprint:
  description: SHA-256 fingerprint (first 16 hex digits) of the stored key, as M(glpiops.glpi.glpi_network_register) shows it.
  returned: always
  type: str
  sample: sha256:1f0c7be0d5a5e2c4
glpi_version:
  description: The GLPI version of the server.
  returned: always
  type: str
  sample: 10.0.12
registered:
  description:
    - Whether GLPI Network accepted the stored key; V(false) when none is stored.
    - V(null) when GLPI Network was not asked (O(validate=false)).
  returned: always
  type: bool
  sample: true
reachable:
  description: Whether GLPI could ask GLPI Network. V(null) when not asked.
  returned: always
  type: bool
  sample: true
validation_message:
  description: GLPI Network's words about the key, or why it could not be asked.
  returned: when O(validate=true) and a key is stored
  type: str
  sample: The registration key is valid.
owner:
  description: Name of the key's owner.
  returned: when GLPI Network accepted the key
  type: str
  sample: Example Org
subscription:
  description: The subscription the key carries.
  returned: when GLPI Network accepted the key
  type: dict
  contains:
    title:
      description: Name of the offer.
      type: str
      sample: GLPI Network Basic
    running:
      description: Whether the subscription is running.
      type: bool
      sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import (
    GlpiServer,
    connectivity_message,
    fingerprint,
    glpi_install_argument_spec,
    mask_key,
    run_module,
    undecryptable_warning,
)


def registration_info(server, validate):
    """The module's result for ``server`` (read-only)."""
    answer = server.validate() if validate else None
    if answer is None:
        current = server.read_key()
        state, facts = None, {"registered": None}
    else:
        state, facts, current = answer
    key = current.get("key") or ""
    result = {"changed": False, "key_present": bool(current.get("stored")), "masked_key": mask_key(key), "fingerprint": fingerprint(key),
              "glpi_version": server.version, "reachable": None, "warnings": []}
    warning = undecryptable_warning(current)
    if warning:
        result["warnings"].append(warning)
    result.update(facts)
    if state == "unreachable":
        result.update(reachable=False, validation_message=connectivity_message(current))
    elif state is not None and state != "absent":
        result["reachable"] = True
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            validate=dict(type="bool", default=False),
            **glpi_install_argument_spec()
        ),
        supports_check_mode=True,
    )
    params = module.params
    run_module(module, lambda: registration_info(GlpiServer(module, params["glpi_path"], params["php_path"], params["config_dir"],
                                                            params["allow_superuser"]),
                                                 params["validate"]))


if __name__ == "__main__":
    main()
