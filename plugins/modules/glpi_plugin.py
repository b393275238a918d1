#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_plugin
short_description: Install, enable, disable or uninstall a GLPI plugin, truthfully
version_added: 0.1.0
description:
  - Puts one GLPI plugin in the wanted state with GLPI's own console (C(plugin:install), C(plugin:activate),
    C(plugin:deactivate), C(plugin:uninstall), C(marketplace:download)), on GLPI 9.5, 10.0 and 11.0. Runs on the GLPI server host.
  - The console's exit codes do not tell what happened (C(plugin:activate) on an active plugin exits 1, C(plugin:install -f)
    prints SQL errors and exits 0). So the plugin's state is read from GLPI before and after every step, never inferred from
    an exit code, and C(changed) is the difference between the state read first and the one read last.
  - GLPI 11 is read with C(plugin:list --format json); GLPI 9.5 and 10.0, which have no listing command, with GLPI's own
    C(Plugin) class, through a small PHP program given to O(php_path) on stdin. Both give the plugin's files' version, so a
    plugin whose files are newer than the installed version ("to update") is seen, and updated.
  - A plugin "to update" is updated (C(plugin:install)) by every state but V(absent), and enabled again when it was active
    before its files changed (on GLPI 9.5/10, and on 11 when GLPI had not marked it yet).
  - Nothing half done. Plugin files are unpacked beside C(marketplace/<name>) and renamed into place. A step that leaves the
    plugin in another state than it should fails the task, with GLPI's words and the state the plugin is now in.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  name:
    description:
      - The plugin's key, the name of its directory under C(plugins/) or C(marketplace/) (letters and digits only), for
        example V(fields) or V(formcreator).
    type: str
    required: true
    aliases: [key]
  state:
    description:
      - V(present) installs the plugin (its files there, GLPI's install run), leaving its activation as it is.
      - V(enabled) installs it if needed and activates it; V(disabled) installs it if needed and deactivates it.
      - V(absent) deactivates and uninstalls it (GLPI runs the plugin's uninstall, which usually drops its tables). The
        files stay.
    type: str
    choices: [present, enabled, disabled, absent]
    default: enabled
  source:
    description:
      - Where the plugin's files come from when they are not on the server yet (or not at the O(version) wanted).
      - V(local) uses the files already in C(plugins/) or C(marketplace/), or O(src).
      - V(marketplace) downloads them through GLPI's marketplace (C(marketplace:download)); this needs the instance to be
        registered with GLPI Network (see O(registration_key)) and GLPI to reach C(services.glpi-network.com).
    type: str
    choices: [local, marketplace]
    default: local
  src:
    description:
      - A plugin archive (C(.zip), C(.tar.gz), C(.tgz), C(.tar.bz2), C(.tar.xz)) or directory B(on the GLPI host), unpacked into
        C(marketplace/<name>) when the plugin's files are missing or not at O(version). Its C(setup.php) may be at its top,
        in C(<name>/) or in its only directory.
      - Upload it first (M(ansible.builtin.copy), M(ansible.builtin.get_url)); the module reads only local paths.
      - Members that would land outside the plugin's directory, links, devices, and archives that would unpack to more
        than 512 MiB or 100,000 entries are refused before anything is written.
    type: path
  version:
    description:
      - The plugin version wanted. When the files on the server have another version, O(src) is unpacked; the task fails
        when the files then still have another version.
      - GLPI's marketplace always downloads the newest version compatible with the server, so with
        O(source=marketplace) the pin is checked, not chosen.
    type: str
  glpi_user:
    description:
      - Login of the GLPI account that GLPI 9.5 and 10.0's C(plugin:install) runs as (its C(--username) option, which it
        requires when run without a terminal). GLPI opens a session for this account so that the plugin's install code
        has a user with rights; it must exist in GLPI and should be a super-admin.
      - The default V(glpi) is the super-admin account GLPI's installer creates. Not given to GLPI 11, which does not need it.
    type: str
    default: glpi
  registration_key:
    description:
      - GLPI Network registration key to store before a marketplace download, when the instance is not registered with
        it yet (as M(glpiops.glpi.glpi_network_register) with O(glpiops.glpi.glpi_network_register#module:validate=false)
        stores it). Only used with O(source=marketplace).
      - Given to GLPI's console on stdin, never on a command line; never shown in results, messages or diffs.
    type: str
extends_documentation_fragment:
  - glpiops.glpi.glpi_install
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the plugin's state and tells what would change; runs no console command and unpacks nothing.
  diff_mode:
    support: full
    details: The plugin's state and version before and after.
  platform:
    platforms: posix
notes:
  - Run it as the web server user (O(ignore:become_user=www-data) on Debian, C(apache) on Red Hat family systems), who owns
    GLPI's C(files/) and C(marketplace/); files written as root break GLPI later. GLPI 11's console refuses root unless
    O(allow_superuser=true).
  - State numbers are those of GLPI's C(Plugin) class; RV(plugin.state) gives them in words.
seealso:
  - module: glpiops.glpi.glpi_plugin_info
  - module: glpiops.glpi.glpi_network_register
  - name: GLPI plugins from automation
    description: GLPI 10 and 11 differences, the web server user, the marketplace (docs/plugins.md).
    link: https://github.com/glpiops/glpi/blob/main/docs/plugins.md
"""

EXAMPLES = r"""
- name: Enable the Fields plugin already unpacked in plugins/fields
  glpiops.glpi.glpi_plugin:
    name: fields
  become: true
  become_user: www-data

- name: Upload a plugin release, then install it without enabling it
  block:
    - name: Upload the archive
      ansible.builtin.copy:
        src: files/glpi-formcreator-2.13.9.tar.bz2
        dest: /tmp/glpi-formcreator-2.13.9.tar.bz2
        mode: "0644"

    - name: Install Formcreator 2.13.9 from the archive
      glpiops.glpi.glpi_plugin:
        name: formcreator
        src: /tmp/glpi-formcreator-2.13.9.tar.bz2
        version: 2.13.9
        state: present
      become: true
      become_user: www-data

- name: Download and enable a plugin from GLPI's marketplace (instance registered with GLPI Network)
  glpiops.glpi.glpi_plugin:
    name: datainjection
    source: marketplace
    registration_key: "{{ vault_glpi_network_registration_key }}"
  become: true
  become_user: www-data

- name: Uninstall a plugin on GLPI 11 run as root (not advised)
  glpiops.glpi.glpi_plugin:
    name: example
    state: absent
    glpi_path: /var/www/glpi
    allow_superuser: true
"""

RETURN = r"""
plugin:
  description: The plugin as GLPI reports it at the end of the task (before it, in check mode).
  returned: always
  type: dict
  contains:
    key:
      description: The plugin's directory name.
      type: str
      sample: example
    name:
      description: The plugin's name, as it gives it.
      type: str
      sample: Plugin Example
    version:
      description: The installed version GLPI stores (the files' version for a plugin GLPI has no row for).
      type: str
      sample: 0.1.0
    files_version:
      description: The version of the plugin's files on the server; V(null) when they are missing.
      type: str
      sample: 0.1.0
    state:
      description:
        - V(enabled), V(disabled) (installed, not activated), V(to_configure), V(to_update) (files newer than the
          installed version), V(not_installed), V(to_clean), V(replaced), V(new), or V(missing) (no files, no row).
      type: str
      sample: enabled
    state_number:
      description: GLPI's number for the state (C(glpi_plugins.state)); V(null) when GLPI has no row for the plugin.
      type: int
      sample: 1
    state_label:
      description: GLPI's own words for the state.
      type: str
      sample: Enabled
    install_method:
      description: V(manual) (in C(plugins/)) or V(marketplace) (in C(marketplace/)).
      type: str
      sample: manual
    update_waiting:
      description: Whether the plugin's files are newer than the installed version.
      type: bool
      sample: false
    was_active:
      description: Whether a plugin waiting for its update was active before its files changed.
      type: bool
      sample: false
before:
  description: The plugin as GLPI reported it before the task, with the same keys as RV(plugin).
  returned: always
  type: dict
state:
  description: RV(plugin.state), for short.
  returned: always
  type: str
  sample: enabled
commands:
  description: The console commands run, in order (never with a secret).
  returned: always
  type: list
  elements: str
  sample: [plugin:install example, plugin:activate example]
glpi_version:
  description: The GLPI version of the server.
  returned: always
  type: str
  sample: 11.0.8
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import (
    GlpiNetworkError,
    glpi_install_argument_spec,
    normalize_key,
    run_module,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin import PluginHost
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_console import failure_message, marketplace_problem
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_state import (
    ACTIVATED,
    INSTALLED,
    NOTACTIVATED,
    NOTINSTALLED,
    TOBECONFIGURED,
    key_problem,
    plan,
    record,
)

# What each console step must leave: a test on the plugin's GLPI state number.
EXPECTED = {
    "install": lambda number: number in INSTALLED,
    "activate": lambda number: number == ACTIVATED,
    "deactivate": lambda number: number in (TOBECONFIGURED, NOTACTIVATED),
    "uninstall": lambda number: number not in INSTALLED,
}


def _summary(plugin):
    return "state: %s\nversion: %s\nfiles_version: %s\n" % (plugin["state"], plugin["version"], plugin["files_version"])


def _fingerprint(plugin):
    return (plugin["state_number"], plugin["version"], plugin["files_version"])


class Run:
    """One task: the host, what was read first, what is read now."""

    def __init__(self, host, key):
        self.host = host
        self.key = key
        self.before = self.read()
        self.current = self.before
        self.warnings = []

    def read(self, refresh=None):
        if refresh:
            self.host.refresh(refresh)
        self.current = self.host.read().get(self.key) or record(self.key, None)
        return self.current

    def fail(self, msg):
        details = self.result()
        for unused in ("warnings", "diff"):
            details.pop(unused)
        raise GlpiNetworkError("%s. The plugin is now %s." % (msg.rstrip("."), self.current["state"]), **details)

    def result(self):
        return {"changed": _fingerprint(self.before) != _fingerprint(self.current), "plugin": self.current, "before": self.before,
                "state": self.current["state"], "commands": list(self.host.ran), "glpi_version": self.host.version,
                "diff": {"before_header": self.key, "after_header": self.key, "before": _summary(self.before), "after": _summary(self.current)},
                "warnings": self.warnings}


def needs_files(current, version):
    """Whether the plugin's files must be (re)placed: missing, or not at the ``version`` wanted."""
    return current["files_version"] is None or bool(version and current["files_version"] != version)


def fetch(run, params, registration_key):
    """Bring the plugin's files: unpack ``src`` or download through GLPI's marketplace; then read again."""
    key, host = run.key, run.host
    if params["source"] == "local" and not params["src"]:
        if run.current["files_version"] is None:
            run.fail("plugin %s not found: GLPI has no directory %s under plugins/ or marketplace/ of %s; give src (an archive or "
                     "directory on the GLPI host) or source: marketplace" % (key, key, host.server.glpi_path))
        run.fail("plugin %s has files of version %s, not %s; give src to replace them" % (key, run.current["files_version"], params["version"]))
    if params["source"] == "marketplace":
        problem = marketplace_problem(host.answer.get("marketplace_enable"))
        if problem:
            run.fail(problem)
    problem = host.writable_problem()
    if problem:
        run.fail(problem)
    if params["src"]:
        host.unpack(key, params["src"])
        run.read()
    else:
        if registration_key:
            store_registration_key(host, registration_key)
        outcome = host.console("download", key)
        run.read()
        if run.current["files_version"] is None:
            run.fail(failure_message("download", key, outcome, run.current["state"]))
    if params["version"] and run.current["files_version"] != params["version"]:
        run.fail("plugin %s's files are of version %s after %s, not %s" % (
            key, run.current["files_version"], "unpacking src" if params["src"] else "the marketplace download (GLPI downloads its newest "
            "compatible version: give src to pin another)", params["version"]))


def store_registration_key(host, key):
    """Store the GLPI Network key (on the console's stdin) unless it is already the stored one."""
    stored = host.server.read_key([key]).get("key") or ""
    if stored != key:
        host.server.write_key(key, [key, stored])


def predict(current, wanted, version):
    """What check mode reports: the plugin as it would be."""
    number = {"enabled": ACTIVATED, "absent": NOTINSTALLED if current["state_number"] is not None else None}.get(wanted)
    if wanted == "disabled":
        number = current["state_number"] if current["state_number"] in (TOBECONFIGURED, NOTACTIVATED) else NOTACTIVATED
    if wanted == "present":
        number = current["state_number"] if current["state_number"] in INSTALLED else NOTACTIVATED
        number = ACTIVATED if current.get("was_active") else number
    files = version or current["files_version"]
    return record(current["key"], number, version=files if wanted != "absent" else current["version"], name=current["name"],
                  method=current["install_method"], files_version=files, label=None)


def ensure(host, key, params, check_mode, registration_key=None):
    """Take plugin ``key`` to ``params["state"]``; the module's result (raises GlpiNetworkError with the state reached)."""
    run = Run(host, key)
    wanted, version = params["state"], params["version"]
    fetching = wanted != "absent" and needs_files(run.current, version)
    steps = [step for step in plan(run.current, wanted, params["source"]) if step != "fetch"]
    if check_mode:
        if fetching or steps:
            run.current = predict(run.current, wanted, version if fetching else None)
        result = run.result()
        result["changed"] = bool(fetching or steps)
        return result
    if fetching:
        was_active = run.current["state_number"] == ACTIVATED
        fetch(run, params, registration_key)
        if was_active and run.current["state_number"] != ACTIVATED:
            run.current["was_active"] = True
        steps = [step for step in plan(run.current, wanted, params["source"]) if step != "fetch"]
    for step in steps:
        if step == "refresh":
            run.read(refresh=key)
            continue
        outcome = host.console(step, key)
        run.read()
        if not EXPECTED[step](run.current["state_number"]):
            run.fail(failure_message(step, key, outcome, run.current["state"]))
        if outcome["sql_errors"]:
            run.warnings.append("%s %s printed %d SQL errors (GLPI exits 0 on them); GLPI reports the plugin %s" % (
                host.argv(step, key)[2], key, outcome["sql_errors"], run.current["state"]))
        if step == "install" and run.current["state_number"] == TOBECONFIGURED:
            if wanted == "enabled":
                run.fail("plugin %s is installed but must be configured before it can be activated (GLPI: %s); configure it "
                         "in GLPI, then run the task again" % (key, run.current["state_label"]))
            run.warnings.append("plugin %s must be configured in GLPI before it can be activated" % key)
    return run.result()


def run_task(module):
    params = module.params
    problem = key_problem(params["name"])
    if problem:
        raise GlpiNetworkError(problem)
    registration_key = normalize_key(params["registration_key"])
    if registration_key and params["source"] != "marketplace":
        raise GlpiNetworkError("registration_key is only used with source: marketplace")
    if params["src"] and params["source"] == "marketplace":
        raise GlpiNetworkError("src and source: marketplace exclude each other: src is unpacked by the module, the marketplace downloads")
    if registration_key:
        module.no_log_values.add(registration_key)
    host = PluginHost(module, params["glpi_path"], params["php_path"], params["config_dir"], params["allow_superuser"],
                      glpi_user=params["glpi_user"], secrets=[registration_key])
    return ensure(host, params["name"], params, module.check_mode, registration_key)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True, aliases=["key"]),
            state=dict(type="str", default="enabled", choices=["present", "enabled", "disabled", "absent"]),
            source=dict(type="str", default="local", choices=["local", "marketplace"]),
            src=dict(type="path"),
            version=dict(type="str"),
            glpi_user=dict(type="str", default="glpi"),
            registration_key=dict(type="str", no_log=True),
            **glpi_install_argument_spec()
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda: run_task(module))


if __name__ == "__main__":
    main()
