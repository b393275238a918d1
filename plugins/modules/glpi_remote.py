#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_remote
short_description: Register a remote computer with GLPI Agent for agentless inventory (glpi-remote)
version_added: 0.1.0
description:
  - Adds, updates or removes a I(remote) of GLPI Agent, a computer the agent inventories over ssh or WinRM
    without being installed there, as C(glpi-remote add) and C(glpi-remote delete) do, but idempotently.
  - Runs on the host where GLPI Agent is installed (its C(glpi-remote) tool and its var directory); use
    C(delegate_to) or a play on that host, and usually O(ignore:become=true), since the agent's files belong to root.
  - An existing remote is found by O(deviceid), else by protocol, host, port and, when given, O(username). It is
    re-added only when something differs, always with C(?deviceid=) in its URL so that the agent updates it in place
    instead of creating a duplicate.
  - The password never appears on a command line. The agent keeps it inside the stored URL, which must therefore reach
    C(glpi-remote) whole; since C(glpi-remote) is a Perl script, the module runs it with C(perl -e) and hands it its
    arguments on standard input. User name and password are percent-encoded in the URL.
  - C(glpi-remote) exits 0 when the connection check fails or the protocol is not supported; the module reads its output
    and fails with its words, every password masked.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  state:
    description:
      - V(present) registers the remote (or updates it), V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  url:
    description:
      - The remote as C(glpi-remote) takes it, for example C(ssh://inventory@web01.example.org:2222?mode=libssh2) or
        C(winrm://Administrator@win01.example.org:5986/?mode=ssl).
      - Percent-encode reserved characters of a password written here; better give it in O(password).
      - Mutually exclusive with O(protocol), O(host), O(port), O(username) and O(mode).
    type: str
  protocol:
    description:
      - How the agent reaches the remote. V(winrm) is WinRM with basic authentication, over HTTPS with O(mode=ssl).
      - When O(host) is set without O(protocol), V(ssh).
    type: str
    choices: [ssh, winrm]
  host:
    description:
      - Name or address of the remote, as the agent host reaches it.
    type: str
  port:
    description:
      - Port of the remote. When not set, the agent's defaults apply, C(22) for ssh, C(5985) for WinRM and C(5986)
        for WinRM with O(mode=ssl).
    type: int
  username:
    description:
      - User the agent logs in as on the remote.
      - With ssh, a user with a key in the C(~/.ssh) of the user the agent runs as needs no O(password).
      - When set, it is part of what identifies an existing remote.
    type: str
  password:
    description:
      - Password of O(username). Stored by the agent with the remote (it needs it for every scheduled inventory).
      - Reserved characters are percent-encoded by the module.
    type: str
  mode:
    description:
      - Connection modes, combined by the agent. With ssh, V(libssh2) (the agent's default), V(ssh) (one OpenSSH
        connection per command) and V(perl) (requires Perl on the remote); with WinRM, V(ssl) for HTTPS.
    type: list
    elements: str
    choices: [ssh, libssh2, perl, ssl]
  target:
    description:
      - The agent target the remote belongs to, as C(glpi-remote list targets) shows them, for example C(server0)
        or C(local0). A target exists once the agent ran with its C(server) or C(local) setting.
      - Required unless the agent has exactly one server target, the rule of C(glpi-remote).
      - A remote registered with another target is moved to this one.
      - With O(state=absent), removes the remote from this target only; when not set, from every target.
    type: str
  deviceid:
    description:
      - The deviceid of the remote, its identity in GLPI. When set, the remote is looked up by it first.
      - When not set, a new remote gets the deviceid the agent reads on the remote (C(~/.glpi-agent-deviceid) of the
        ssh user, or the registry over WinRM) and creates there when missing; without the connection check, one made
        of the host name and the time.
      - ASCII letters, digits, C(.), C(_) and C(-) only, ending with a letter, digit or C(_), as the agent reads it from the URL.
    type: str
  check_connection:
    description:
      - Let C(glpi-remote) connect to the remote before registering it, as it does by default. With V(false), it
        registers the remote without trying it (C(--no-check)).
      - With the check, the deviceid the remote already stores wins over O(deviceid).
    type: bool
    default: true
  update_password:
    description:
      - V(always) compares O(password) with the stored one (the module reads it with C(glpi-remote list -X)) and updates
        the remote when they differ, also to remove a stored password when O(password) is not set.
      - V(on_create) sets the password only when the remote is added; an update for another reason keeps the stored one.
    type: str
    choices: [always, on_create]
    default: always
extends_documentation_fragment:
  - glpiops.glpi.glpi_remote_tool
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the registered remotes and targets, reports the change, and runs nothing that writes.
  diff_mode:
    support: full
    details: Shows the remote before and after, passwords masked.
  platform:
    platforms: posix
notes:
  - When C(glpi-remote) is not a Perl script (a wrapper), its arguments go on its command line, and a password in them is
    visible to local users in the process list while it runs; the module warns then. On Windows, GLPI Agent's
    C(glpi-remote) is such a wrapper, and this module does not support Windows agent hosts.
  - The stored password is kept in clear by the agent, in its var directory (mode 0660).
  - These modules are not in the C(glpiops.glpi.glpi) action group, since their O(username) and O(password) are
    the remote's, not the GLPI server's.
seealso:
  - module: glpiops.glpi.glpi_remote_info
  - name: GLPI Agent remote inventory
    description: glpi-remote and the remoteinventory task.
    link: https://glpi-agent.readthedocs.io/en/latest/tasks/remote-inventory.html
"""

EXAMPLES = r"""
- name: Register a Linux server over ssh, with a key-only user (no password stored)
  become: true
  glpiops.glpi.glpi_remote:
    protocol: ssh
    host: web01.example.org
    username: inventory
    target: server0

- name: Register a Windows server over WinRM on HTTPS
  become: true
  glpiops.glpi.glpi_remote:
    protocol: winrm
    host: win01.example.org
    port: 5986
    mode: ssl
    username: Administrator
    password: "{{ vault_winrm_password }}"
    target: server0

- name: Register every host of the linux group with the agent on the GLPI Agent host
  hosts: glpi_agent
  become: true
  tasks:
    - name: Register each Linux host as a remote of server0
      glpiops.glpi.glpi_remote:
        protocol: ssh
        host: "{{ hostvars[item].ansible_host | default(item) }}"
        username: inventory
        password: "{{ hostvars[item].inventory_password | default(omit) }}"
        update_password: on_create
        target: server0
      loop: "{{ groups['linux'] }}"
      loop_control:
        label: "{{ item }}"

- name: Remove a remote by its deviceid
  become: true
  glpiops.glpi.glpi_remote:
    deviceid: web01-2026-11-22-09-43-37
    state: absent
"""

RETURN = r"""
remote:
  description:
    - The remote as registered (or as it would be, in check mode); with O(state=absent), the one removed.
    - Null when nothing matched O(state=absent).
  returned: always
  type: dict
  contains:
    deviceid:
      description: Its deviceid; null in check mode for a new remote whose deviceid the agent will choose.
      type: str
      sample: web01-2026-11-22-09-43-37
    url:
      description: Its URL, the password replaced by C(********).
      type: str
      sample: ssh://inventory:********@web01.example.org?deviceid=web01-2026-11-22-09-43-37
    target:
      description: The agent target it belongs to.
      type: str
      sample: server0
    next_run:
      description: When the agent inventories it next, as C(glpi-remote list) says.
      type: str
      sample: on next agent run
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
      sample: 22
    username:
      description: The user the agent logs in as.
      type: str
      sample: inventory
    modes:
      description: Its connection modes.
      type: list
      elements: str
      sample: [libssh2]
  sample:
    deviceid: web01-2026-11-22-09-43-37
    url: ssh://inventory@web01.example.org?deviceid=web01-2026-11-22-09-43-37
    target: server0
    next_run: on next agent run
    protocol: ssh
    host: web01.example.org
    port: 22
    username: inventory
    modes: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._deviceid import valid_deviceid
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote import (
    GlpiRemoteError,
    check_modes,
    from_module,
    remote_argument_spec,
    remote_from_options,
    remote_tool_argument_spec,
    run_module,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_output import NEXT_RUN_UNSCHEDULED, describe_remote, select_target
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_url import PROTOCOLS, effective_port, parse_url, remote_url, same_remote
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import MASK, mask_url

IDENTITY_OPTIONS = ("protocol", "host", "port", "username", "mode")


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        target=dict(type="str"),
        deviceid=dict(type="str"),
        check_connection=dict(type="bool", default=True),
        update_password=dict(type="str", choices=["always", "on_create"], default="always", no_log=False),
        **remote_argument_spec(),
        **remote_tool_argument_spec()
    )


def wanted_remote(params):
    """The remote the task describes -> dict(protocol, host, port, username, password, modes, deviceid, path)."""
    want = remote_from_options(params)
    if params["url"]:
        if params["deviceid"] and want["deviceid"] and params["deviceid"] != want["deviceid"]:
            raise GlpiRemoteError("url names deviceid %s, deviceid says %s" % (want["deviceid"], params["deviceid"]))
        want["deviceid"] = params["deviceid"] or want["deviceid"]
    else:
        want.update(protocol=params["protocol"] or "ssh", deviceid=params["deviceid"])
    if want["protocol"] not in PROTOCOLS:
        raise GlpiRemoteError("unsupported protocol %r: glpi-remote supports ssh and winrm (WinRM over HTTPS is "
                              "winrm://host:5986/?mode=ssl)" % want["protocol"])
    check_modes(want["protocol"], want["modes"])
    if want["deviceid"] and not valid_deviceid(want["deviceid"], in_url=True):
        raise GlpiRemoteError("deviceid %r: only letters, digits, '.', '_' and '-' (GLPI Agent reads no other)" % want["deviceid"])
    if want["password"] is not None and not want["username"]:
        raise GlpiRemoteError("password needs username")
    if want["host"] is not None and not want["host"]:
        raise GlpiRemoteError("host is empty")
    return want


def find_registrations(remotes, want):
    """The registered rows of the wanted remote: by deviceid, else by protocol, host, port (and user when given)."""
    if want["deviceid"]:
        rows = [r for r in remotes if r["deviceid"] == want["deviceid"]]
        if rows or not want["host"]:
            return rows
    if not want["host"]:
        return []
    return [r for r in remotes if same_remote(r["url"], want["protocol"], want["host"], want["port"], want["username"], want["modes"])]


def _view(row_or_remote, password=None):
    view = dict(deviceid=row_or_remote.get("deviceid"), url=mask_url(row_or_remote.get("url")), target=row_or_remote.get("target"))
    if password is not None:
        view["password"] = password
    return view


def ensure_present(tool, want, params, check_mode):
    """-> (changed, remote, diff, warnings)."""
    target, error = select_target(tool.targets(), params["target"])
    if error:
        raise GlpiRemoteError(error)
    rows = find_registrations(tool.remotes(show_passwords=True), want)
    deviceids = sorted(set(r["deviceid"] for r in rows))
    if len(deviceids) > 1:
        raise GlpiRemoteError("%d registered remotes match %s://%s: %s; set deviceid to choose one (state=absent without "
                              "deviceid removes them all)" % (len(deviceids), want["protocol"], want["host"], ", ".join(deviceids)))

    current = next((r for r in rows if r["target"] == target), rows[0] if rows else None)
    stored = parse_url(current["url"]) if current else None
    if current:
        password = want["password"] if params["update_password"] == "always" else stored["password"]
        username = want["username"] if want["username"] is not None else stored["username"]
        deviceid = want["deviceid"] or current["deviceid"]
        differences = []
        if set(r["target"] for r in rows) != {target}:
            differences.append("target")
        if deviceid != current["deviceid"]:
            differences.append("deviceid")
        if (stored["protocol"], (stored["host"] or "").lower()) != (want["protocol"], want["host"].lower()):
            differences.append("host")
        if effective_port(stored["protocol"], stored["port"], stored["modes"]) != effective_port(want["protocol"], want["port"], want["modes"]):
            differences.append("port")
        if username != stored["username"]:
            differences.append("username")
        if set(stored["modes"]) != set(want["modes"]):
            differences.append("mode")
        if password != stored["password"]:
            differences.append("password")
    else:
        password, username, deviceid, differences = want["password"], want["username"], want["deviceid"], ["new"]

    url = remote_url(dict(want, username=username, password=password, deviceid=deviceid))
    before = _view(current, MASK if stored["password"] else None) if current else {}
    if current and not differences:
        return False, describe_remote(current), dict(before=before, after=before), []

    after_password = None
    if password:
        after_password = MASK if not current or password == stored["password"] else MASK + " (changed)"
    after = _view(dict(deviceid=deviceid, url=url, target=target), after_password)
    diff = dict(before=before, after=after)
    if check_mode:
        remote = describe_remote(dict(deviceid=deviceid, url=url, target=target, next_run=NEXT_RUN_UNSCHEDULED))
        return True, remote, diff, []

    changes, warnings = tool.add(url, target, check=params["check_connection"])
    registered = next((c for c in changes if c["target"] == target), changes[0])
    if deviceid and registered["deviceid"] != deviceid:
        warnings.append("the remote identifies itself as %s (the deviceid it stores), not %s; registered as %s"
                        % (registered["deviceid"], deviceid, registered["deviceid"]))
    # One remote, one registration: drop the old ones (another target, another deviceid).
    old_ids = set(deviceids)
    stale = [r["index"] for r in tool.remotes()
             if (r["deviceid"] in old_ids or r["deviceid"] == registered["deviceid"])
             and (r["deviceid"], r["target"]) != (registered["deviceid"], registered["target"])]
    if stale:
        tool.delete(stale)
    final = next((r for r in tool.remotes() if (r["deviceid"], r["target"]) == (registered["deviceid"], registered["target"])), None)
    remote = describe_remote(final or dict(deviceid=registered["deviceid"], url=url, target=target, next_run=NEXT_RUN_UNSCHEDULED))
    diff["after"]["deviceid"] = registered["deviceid"]
    return True, remote, diff, warnings


def ensure_absent(tool, want, params, check_mode):
    """-> (changed, remote, diff, warnings)."""
    rows = find_registrations(tool.remotes(), want)
    if params["target"]:
        rows = [r for r in rows if r["target"] == params["target"]]
    if not rows:
        return False, None, dict(before={}, after={}), []
    diff = dict(before=_view(rows[0]), after={})
    if not check_mode:
        refs = [r["index"] for r in rows] if params["target"] else sorted(set(r["deviceid"] for r in rows))
        tool.delete(refs)
    return True, describe_remote(rows[0]), diff, []


def run(module, tool):
    params = module.params
    if params["state"] == "present" and not (params["url"] or params["host"]):
        raise GlpiRemoteError("state=present needs url or host")
    want = wanted_remote(params)
    tool.add_secret(want["password"])
    module.no_log_values.update(tool.secrets)
    if tool.exposes_argv and want["password"]:
        module.warn("%s is not a Perl script: the remote's URL, password included, is on its command line, visible to local "
                    "users while it runs" % tool.path)
    ensure = ensure_present if params["state"] == "present" else ensure_absent
    changed, remote, diff, warnings = ensure(tool, want, params, module.check_mode)
    for warning in warnings:
        module.warn(warning)
    if remote:
        remote.pop("index", None)  # a list position, not the remote's: glpi_remote_info returns it
    return dict(changed=changed, remote=remote, diff=diff)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("url", name) for name in IDENTITY_OPTIONS],
        required_one_of=[("url", "host", "deviceid")],
    )
    run_module(module, lambda: from_module(module, module.params["glpi_remote_path"], module.params["vardir"]), lambda tool: run(module, tool))


if __name__ == "__main__":
    main()
