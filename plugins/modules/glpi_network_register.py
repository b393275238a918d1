#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_network_register
short_description: Register a GLPI server with GLPI Network, idempotently and verifiably
version_added: 0.1.0
description:
  - Stores the GLPI Network registration key of a GLPI server, as the key field of GLPI's B(Setup > General > GLPI Network)
    tab does, from automation. Runs on the GLPI server host.
  - No GLPI release has a C(glpi:network:register) nor a C(glpi:network:test) console command, whatever some documentation
    says. This module uses what GLPI really provides, on GLPI 9.5, 10.0 and 11.0.
  - Reads before it writes. The current key is read with GLPI's own PHP classes (a small PHP program given to O(php_path) on
    stdin); the same key again changes nothing.
  - Writes with C(php bin/console config:set glpinetwork_registration_key), the key given on the console's B(stdin) when it
    prompts for the value, never on a command line. GLPI encrypts it with its C(glpicrypt.key).
  - Verifies. The stored value is read back and must decrypt to the key. With O(validate), GLPI asks GLPI Network about the key
    (forcing a refresh of GLPI's one-day cache); when GLPI Network refuses the key or cannot be reached, the previous key
    (or none) is written back and the task fails, so no unverified key is left behind.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  registration_key:
    description:
      - The registration key from the GLPI Network services portal (base64 text). Surrounding whitespace is removed, as
        GLPI's web form does.
      - Required with O(state=present), unless O(test_connectivity=true).
      - Never logged, never shown in results or diffs (only a SHA-256 fingerprint is).
    type: str
  state:
    description:
      - V(present) stores O(registration_key); V(absent) clears the stored key.
    type: str
    choices: [present, absent]
    default: present
  validate:
    description:
      - Ask GLPI Network whether the key is valid and what subscription it carries, and fail (restoring the previous key)
        when it is refused or GLPI Network cannot be reached.
      - V(false) stores the key without checking it, for servers with no access to C(services.glpi-network.com).
    type: bool
    default: true
  test_connectivity:
    description:
      - Only check that GLPI reaches GLPI Network (C(https://services.glpi-network.com), through GLPI's proxy settings),
        what the non-existent C(glpi:network:test) command is said to do. Nothing is written then, and
        O(registration_key) must be left out.
      - Fails when GLPI Network cannot be reached.
    type: bool
    default: false
extends_documentation_fragment:
  - glpiops.glpi.glpi_install
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the stored key and compares; writes nothing and does not ask GLPI Network.
  diff_mode:
    support: full
    details: Before and after are SHA-256 fingerprints of the keys, never the keys.
  platform:
    platforms: posix
notes:
  - Run it as the web server user (O(ignore:become_user=www-data) on Debian, C(apache) on Red Hat family systems), which owns
    GLPI's C(files/) and C(config/); files created as root would break GLPI. GLPI 11's console also warns when run as root.
  - GLPI 10.0's console reports an unreachable database as rc 129, "The update of the GLPI database is necessary"; the
    module's message says so.
  - Uses only the standard library on the host, plus GLPI and its PHP.
seealso:
  - module: glpiops.glpi.glpi_network_info
  - name: GLPI Network registration from automation
    description: Why there is no C(glpi:network:register), and how registration works (docs/glpi-network.md).
    link: https://github.com/glpiops/glpi/blob/main/docs/glpi-network.md
"""

EXAMPLES = r"""
- name: Register the GLPI server with GLPI Network (key from Ansible Vault)
  glpiops.glpi.glpi_network_register:
    registration_key: "{{ vault_glpi_network_registration_key }}"
  become: true
  become_user: www-data

- name: Register a packaged GLPI (configuration in /etc/glpi)
  glpiops.glpi.glpi_network_register:
    registration_key: "{{ vault_glpi_network_registration_key }}"
    glpi_path: /usr/share/glpi
    config_dir: /etc/glpi
  become: true
  become_user: www-data

- name: Register from an AWX / Automation Controller survey (a password-type survey answer)
  glpiops.glpi.glpi_network_register:
    registration_key: "{{ glpi_network_key }}"
  become: true
  become_user: www-data
  register: glpi_network

- name: Show what GLPI Network said
  ansible.builtin.debug:
    msg: "{{ glpi_network.validation_message }} ({{ glpi_network.subscription.title | default('no subscription') }})"

- name: Store the key on a server with no egress to GLPI Network (not checked)
  glpiops.glpi.glpi_network_register:
    registration_key: "{{ vault_glpi_network_registration_key }}"
    validate: false
  become: true
  become_user: www-data

- name: Check that GLPI reaches GLPI Network (what "glpi:network:test" is said to do)
  glpiops.glpi.glpi_network_register:
    test_connectivity: true
  become: true
  become_user: www-data

- name: Unregister
  glpiops.glpi.glpi_network_register:
    state: absent
  become: true
  become_user: www-data
"""

RETURN = r"""
registered:
  description:
    - Whether GLPI Network accepted the stored key. V(false) when no key is stored.
    - V(null) when GLPI Network was not asked (O(validate=false), check mode, O(test_connectivity=true)).
  returned: always
  type: bool
  sample: true
validation_message:
  description: GLPI Network's words about the key, as GLPI shows them.
  returned: when GLPI Network was asked
  type: str
  sample: The registration key is valid.
owner:
  description: Name of the key's owner, as GLPI Network knows it.
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
      description: Whether the subscription is running (V(false) once it has ended).
      type: bool
      sample: true
fingerprint:
  description: SHA-256 fingerprint (first 16 hex digits) of the key stored at the end of the task; empty when none.
  returned: unless O(test_connectivity=true)
  type: str
  sample: sha256:1f0c7be0d5a5e2c4
glpi_version:
  description: The GLPI version of the server.
  returned: unless O(test_connectivity=true)
  type: str
  sample: 10.0.12
reachable:
  description: Whether GLPI reaches GLPI Network.
  returned: when O(test_connectivity=true)
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import (
    GlpiNetworkError,
    GlpiServer,
    connectivity_message,
    fingerprint,
    glpi_install_argument_spec,
    key_diff,
    key_shape_problem,
    normalize_key,
    run_module,
    undecryptable_warning,
)


def _not_asked(result):
    result.update(registered=None)
    return result


def _validate_or_restore(server, previous, secrets, restore):
    """Ask GLPI Network about the stored key; on refusal or no answer, write ``previous`` back when ``restore``."""
    state, facts, answer = server.validate(secrets)
    if state in ("valid", "terminated"):
        return facts
    restored = ""
    if restore:
        server.write_key(previous, secrets)
        restored = " The previous key was restored." if previous else " No key was left stored."
    if state == "unreachable":
        raise GlpiNetworkError(connectivity_message(answer) + restored, **facts)
    raise GlpiNetworkError("GLPI Network refused the registration key: %s%s" % (facts["validation_message"] or "the key is invalid", restored),
                           **facts)


def _read_current(server, secrets=()):
    """The stored key ('' when none, or when GLPI cannot decrypt it: it is then replaced) and warnings."""
    current = server.read_key(secrets)
    warning = undecryptable_warning(current)
    return current.get("key") or "", bool(current.get("stored")), [warning + "; it is replaced"] if warning else []


def ensure_present(server, key, validate, check_mode):
    """Store ``key``; returns the result (``changed``, ``diff``, registration facts)."""
    secrets = [key]
    previous, unused_stored, warnings = _read_current(server, secrets)
    secrets.append(previous)
    result = {"warnings": warnings, "changed": previous != key, "diff": key_diff(previous, key),
              "glpi_version": server.version, "fingerprint": fingerprint(key)}
    if check_mode:
        return _not_asked(result)
    if result["changed"]:
        server.write_key(key, secrets)
    if not validate:
        return _not_asked(result)
    result.update(_validate_or_restore(server, previous, secrets, restore=result["changed"]))
    return result


def ensure_absent(server, check_mode):
    """Clear the stored key."""
    previous, stored, warnings = _read_current(server)
    result = {"warnings": warnings, "changed": stored, "diff": key_diff(previous, ""), "glpi_version": server.version,
              "fingerprint": "", "registered": False}
    if result["changed"] and not check_mode:
        server.write_key("", [previous])
    return result


def run(module):
    params = module.params
    key = params["registration_key"]
    if params["test_connectivity"]:
        if key is not None:
            raise GlpiNetworkError("test_connectivity only checks that GLPI reaches GLPI Network: leave registration_key out")
    elif params["state"] == "present" and not normalize_key(key):
        raise GlpiNetworkError("registration_key is required (and must not be blank) with state=present")
    server = GlpiServer(module, params["glpi_path"], params["php_path"], params["config_dir"], params["allow_superuser"])
    if params["test_connectivity"]:
        reachable, message = server.connectivity()
        if not reachable:
            raise GlpiNetworkError(message, reachable=False, registered=None)
        return {"changed": False, "reachable": True, "registered": None, "msg": message}
    if params["state"] == "absent":
        return ensure_absent(server, module.check_mode)
    key = normalize_key(key)
    module.no_log_values.add(key)  # the trimmed key is no substring of the raw value Ansible already masks
    result = ensure_present(server, key, params["validate"], module.check_mode)
    problem = key_shape_problem(key)
    if problem:
        result["warnings"].append("The registration key does not look like a GLPI Network key (%s); check that it was copied whole." % problem)
    if result.get("subscription") and result["subscription"].get("running") is False:
        result["warnings"].append("GLPI Network accepted the key, but its subscription has ended: %s" % result.get("validation_message"))
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            registration_key=dict(type="str", no_log=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            validate=dict(type="bool", default=True),
            test_connectivity=dict(type="bool", default=False),
            **glpi_install_argument_spec()
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda: run(module))


if __name__ == "__main__":
    main()
