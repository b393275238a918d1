#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_remote_inventory
short_description: Inventory GLPI Agent's remotes now (glpi-agent --tasks remoteinventory) and tell what happened
version_added: 0.1.0
description:
  - Runs GLPI Agent's C(remoteinventory) task on the host where the agent is installed (the I(collector)), now, instead of
    waiting for the agent's next scheduled run, and returns the outcome for each remote.
  - "What it inventories: every registered remote (of O(target) when set), the registered remotes named by O(deviceid),
    or one ad-hoc remote given by O(url) or O(host) (not registered: it is handed to the agent's C(--remote) option for this
    run only). Remotes are registered with M(glpiops.glpi.glpi_remote)."
  - "Where results go: the destination of the agent's target (its GLPI server, or its local directory), or O(local_path),
    where the agent writes one complete C(<deviceid>.json) per remote (C(--json --full)) and sends nothing."
  - The agent exits 0 even when remotes failed; the outcome of each remote is read from the agent's log lines
    (C(New inventory from <deviceid> for <target>), C(Inventory saved in <file>), C(Remoteinventory worker[N] failed to handle <url>))
    and checked against the files written.
  - Passwords never appear on a command line. C(glpi-agent) and C(glpi-remote) are Perl scripts, so the module runs them with
    C(perl -e) and hands them their arguments on standard input, the C(--remote) URL with its password included. Results,
    messages and the log lines returned show C(********) instead of every password.
  - Runs on the collector; use C(delegate_to) or a play on that host, and usually O(ignore:become=true), since the agent's
    files belong to root.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  target:
    description:
      - The agent target whose remotes to inventory, as C(glpi-remote list targets) shows them (C(server0), C(local0)...).
        The run is limited to that target, and its results go to that target's server or directory unless O(local_path) is set.
      - With an ad-hoc remote (O(url), O(host)) and no O(local_path), required unless the agent has exactly one target.
      - When not set (and no other selection), every registered remote of every target of the agent's configuration.
    type: str
  deviceid:
    description:
      - Inventory only these registered remotes (by deviceid). Without O(local_path) they must belong to one target.
      - The module reads their stored URLs with C(glpi-remote list -X) and hands them to the agent's C(--remote) option.
    type: list
    elements: str
  url:
    description:
      - An ad-hoc remote, as C(glpi-remote) takes it, for example C(ssh://inventory@web01.example.org?mode=libssh2).
        It is not registered; the agent inventories it for this run only.
      - Better give the password in O(password). A comma is not allowed (the agent splits C(--remote) on commas).
      - Mutually exclusive with O(deviceid), O(host), O(port), O(username) and O(mode).
    type: str
  protocol:
    description:
      - Protocol of an ad-hoc remote given by O(host). V(winrm) is WinRM with basic authentication.
    type: str
    choices: [ssh, winrm]
    default: ssh
  host:
    description:
      - Host of an ad-hoc remote, as the collector reaches it.
    type: str
  port:
    description:
      - Port of an ad-hoc remote; the agent's defaults otherwise (C(22), C(5985), C(5986) with O(mode=ssl)).
    type: int
  username:
    description:
      - User the agent logs in as on an ad-hoc remote.
    type: str
  password:
    description:
      - Password of O(username) on an ad-hoc remote. Percent-encoded by the module; never on a command line, never in a file.
    type: str
  mode:
    description:
      - Connection modes of an ad-hoc remote (ssh V(libssh2), V(ssh), V(perl); WinRM V(ssl)).
    type: list
    elements: str
    choices: [ssh, libssh2, perl, ssl]
  local_path:
    description:
      - Write the inventories as C(<local_path>/<deviceid>.json) (always complete, C(--json --full)) instead of the
        target's destination; nothing is sent to a server. The directory must exist.
      - The agent's server targets are switched off for the run with C(--server=,) (the agent splits its server setting on
        commas, leaving an empty list), and the selected remotes are handed to C(--remote), from whatever target they are registered with.
    type: path
  return_inventory:
    description:
      - Return the inventory documents written (O(local_path), or a local target's directory) in RV(inventories).
      - Inventories sent to a server are not returned.
    type: bool
    default: false
  remote_workers:
    description:
      - How many remotes the agent inventories in parallel (C(--remote-workers)); the agent's setting when not set.
    type: int
  timeout:
    description:
      - The agent's connection timeout in seconds (C(--timeout)); the agent's setting when not set.
    type: int
  force:
    description:
      - Ignore the remotes' next-run dates (C(--force)), which matter with the agent's C(remote-scheduling) setting and
        for remotes that failed recently.
    type: bool
    default: false
  fail_on_error:
    description:
      - Fail the task when any remote failed. By default only a run where every remote failed fails; partial failures are
        reported in RV(remotes) and as warnings.
    type: bool
    default: false
  glpi_agent_path:
    description:
      - Path of C(glpi-agent). By default searched in C(PATH), C(/usr/local/bin), C(/opt/glpi-agent/bin) and
        C(/Applications/GLPI-Agent.app/bin).
    type: path
  glpi_remote_path:
    description:
      - Path of C(glpi-remote), used to read targets and registered remotes. By default beside C(glpi-agent), then where
        O(glpi_agent_path) is searched.
    type: path
  conf_file:
    description:
      - The agent's configuration file (C(--conf-file)); the agent's own by default.
    type: path
  vardir:
    description:
      - The agent's var directory (C(--vardir)), where its targets and remotes are stored; the agent's own by default.
    type: path
  command_timeout:
    description:
      - Seconds the programs the module runs (C(glpi-agent --version), C(glpi-remote list), the inventory run) may take
        together. A run still going then is stopped, with every process it started, and the task fails saying so.
      - Give it room for every remote, O(timeout) each, O(remote_workers) at a time.
    type: int
    default: 3600
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the agent's version, targets and remotes, runs no inventory, and returns the command it would run.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Requires GLPI Agent 1.0 or later (the first with the C(remoteinventory) task).
  - The agent's C(--remote) option splits on commas, so a stored URL holding a literal comma cannot be handed to it.
  - When a single remote is inventoried and fails, the agent logs why at debug level only; the module then says that no
    inventory was produced.
  - This module is not in the C(glpiops.glpi.glpi) action group, since its O(username) and O(password) are the remote's,
    not the GLPI server's.
seealso:
  - module: glpiops.glpi.glpi_remote
  - module: glpiops.glpi.glpi_remote_info
  - name: GLPI Agent remote inventory
    description: glpi-remote and the remoteinventory task.
    link: https://glpi-agent.readthedocs.io/en/latest/tasks/remote-inventory.html
"""

EXAMPLES = r"""
- name: Inventory every remote of server0 now, results to the GLPI server
  become: true
  glpiops.glpi.glpi_remote_inventory:
    target: server0
    force: true

- name: Inventory two registered remotes into a directory and read the documents
  become: true
  glpiops.glpi.glpi_remote_inventory:
    deviceid:
      - web01-2026-11-22-09-43-37
      - db01-2026-11-22-09-50-12
    local_path: /var/tmp/glpi-remote-inventory
    return_inventory: true
  register: inventory_run

- name: Inventory a computer that is not registered, over ssh with a password
  become: true
  glpiops.glpi.glpi_remote_inventory:
    host: 192.0.2.10
    username: inventory
    password: "{{ vault_inventory_password }}"
    local_path: /var/tmp/glpi-remote-inventory
    fail_on_error: true

- name: Show what failed
  ansible.builtin.debug:
    msg: "{{ inventory_run.remotes | selectattr('status', 'eq', 'failed') | map(attribute='message') | list }}"
"""

RETURN = r"""
remotes:
  description:
    - One entry per remote of the run, in the order of the agent's log.
  returned: always
  type: list
  elements: dict
  contains:
    deviceid:
      description: The remote's deviceid; null for a remote that failed before the agent knew it.
      type: str
      sample: web01-2026-11-22-09-43-37
    target:
      description: The agent target the inventory was made for.
      type: str
      sample: local0
    url:
      description: The remote's URL, password replaced by C(********); null when only the log named the remote.
      type: str
      sample: ssh://inventory:********@web01.example.org
    status:
      description: V(ok), V(failed), or V(pending) in check mode.
      type: str
      sample: ok
    message:
      description: What happened, in the agent's words where it said something, passwords masked.
      type: str
      sample: inventory saved in /var/tmp/glpi-remote-inventory/web01-2026-11-22-09-43-37.json
    file:
      description: The file the agent wrote for it; null when it sent the inventory to a server or failed.
      type: str
      sample: /var/tmp/glpi-remote-inventory/web01-2026-11-22-09-43-37.json
inventories:
  description:
    - The inventory documents written, by deviceid (JSON as a dict; XML as a string).
    - A document larger than 32 MiB is not returned (null, with a warning); it stays in its file.
  returned: when O(return_inventory=true)
  type: dict
  sample: {"web01-2026-11-22-09-43-37": {"deviceid": "web01-2026-11-22-09-43-37", "action": "inventory", "content": {}}}
command:
  description:
    - The arguments given to C(glpi-agent) (on its standard input), passwords masked; in check mode, what would be run.
  returned: always
  type: list
  elements: str
  sample: ["--tasks", "remoteinventory", "--logger", "stderr", "--server=,", "--local", "/var/tmp/inv", "--json", "--full"]
log:
  description: The agent's log lines (its standard error), passwords masked. Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: ["[info] target local0: local /var/tmp/inv", "[info] running task RemoteInventory"]
agent_version:
  description: The version of GLPI Agent, as C(glpi-agent --version) prints it.
  returned: always
  type: str
  sample: "1.11"
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote import (
    GlpiRemote,
    GlpiRemoteError,
    agent_from_module,
    check_modes,
    find_tool,
    module_runner,
    remote_argument_spec,
    remote_from_options,
    run_module,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_output import (
    NO_TARGET,
    parse_agent_log,
    remote_outcomes,
    supports_remote_inventory,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_url import PROTOCOLS, parse_url, remote_url, with_deviceid
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask_url

# The largest inventory file returned in the result (the agent's documents are well under 1 MiB for one computer).
DOCUMENT_MAX = 32 << 20

HOW_TO_CREATE_A_TARGET = ("a target exists once GLPI Agent ran with its server or local setting: configure server or local in "
                          "agent.cfg and run glpi-agent once, or set local_path")


def argument_spec():
    return dict(
        target=dict(type="str"),
        deviceid=dict(type="list", elements="str"),
        local_path=dict(type="path"),
        return_inventory=dict(type="bool", default=False),
        remote_workers=dict(type="int"),
        timeout=dict(type="int"),
        force=dict(type="bool", default=False),
        fail_on_error=dict(type="bool", default=False),
        glpi_agent_path=dict(type="path"),
        glpi_remote_path=dict(type="path"),
        conf_file=dict(type="path"),
        vardir=dict(type="path"),
        command_timeout=dict(type="int", default=3600),
        **remote_argument_spec(protocol_default="ssh")
    )


def adhoc_url(params):
    """The URL of the ad-hoc remote the task describes, or None."""
    if params["url"]:
        url = params["url"]
        if params["password"] is not None:
            remote = remote_from_options(params)
            if not remote["username"]:
                raise GlpiRemoteError("password needs a user name in url")
            url = remote_url(remote)
    elif params["host"]:
        check_modes(params["protocol"], params["mode"])
        if params["password"] is not None and not params["username"]:
            raise GlpiRemoteError("password needs username")
        url = remote_url(remote_from_options(params))
    else:
        return None
    if parse_url(url)["protocol"] not in PROTOCOLS:
        raise GlpiRemoteError("unsupported protocol %r: GLPI Agent inventories ssh and winrm remotes" % parse_url(url)["protocol"])
    if "," in url:
        raise GlpiRemoteError("the remote's URL holds a comma, which GLPI Agent's --remote option splits on")
    return url


def holder(targets, target_id):
    found = [t for t in targets if t["id"] == target_id and t.get("type") in ("server", "local")]
    if not found:
        holders = ", ".join(sorted(t["id"] for t in targets if t.get("type") in ("server", "local"))) or "none; " + HOW_TO_CREATE_A_TARGET
        raise GlpiRemoteError("No such '%s' target available to handle remotes (targets: %s)" % (target_id, holders))
    return found[0]


def destination_args(target):
    """Limit the run to ``target``: its own server or directory, the other kind switched off."""
    if target["type"] == "server":
        if not target.get("url"):
            raise GlpiRemoteError("glpi-remote shows no URL for target %s" % target["id"])
        return ["--local=,", "--server", target["url"]]
    if not target.get("path"):
        raise GlpiRemoteError("glpi-remote shows no path for target %s" % target["id"])
    return ["--server=,", "--local", target["path"]]


def plan(params, remote_tool_factory):
    """What to run -> (args for glpi-agent, expected remotes, the tool used to read remotes or None).

    ``remote_tool_factory()`` -> :class:`GlpiRemote`, called only when targets or remotes must be read.
    """
    url = adhoc_url(params)
    local_path = params["local_path"]
    args, expected, tool, remotes_arg = [], [], None, None
    if url:
        target_id = params["target"]
        if not local_path:
            tool = remote_tool_factory()
            targets = tool.targets()
            if not target_id:
                holders = [t for t in targets if t.get("type") in ("server", "local")]
                if len(holders) != 1:
                    raise GlpiRemoteError("set target or local_path: GLPI Agent has %s target (%s)" % (
                        "no" if not holders else "more than one", ", ".join(t["id"] for t in holders) or HOW_TO_CREATE_A_TARGET))
                target_id = holders[0]["id"]
            args += destination_args(holder(targets, target_id))
        expected = [dict(deviceid=parse_url(url)["deviceid"], url=url, target=target_id if not local_path else "local0")]
        remotes_arg = [url]
    else:
        tool = remote_tool_factory()
        targets = tool.targets()
        if params["target"]:
            target = holder(targets, params["target"])
        wanted = params["deviceid"]
        rows = tool.remotes(show_passwords=bool(wanted or local_path))
        if wanted:
            missing = [d for d in wanted if d not in set(r["deviceid"] for r in rows)]
            if missing:
                raise GlpiRemoteError("No such remote: %s (registered: %s)" % (", ".join(missing), ", ".join(sorted(set(r["deviceid"] for r in rows)))
                                                                               or "none"))
            rows = [r for r in rows if r["deviceid"] in wanted]
        if params["target"]:
            rows = [r for r in rows if r["target"] == params["target"]]
            if wanted and not rows:
                raise GlpiRemoteError("none of %s belongs to target %s" % (", ".join(wanted), params["target"]))
        unique = []
        for row in rows:
            if row["deviceid"] not in [r["deviceid"] for r in unique]:
                unique.append(row)
        rows = unique
        if not local_path:
            if wanted or params["target"]:
                target_ids = sorted(set(r["target"] for r in rows)) or [params["target"]]
                if len(target_ids) > 1:
                    raise GlpiRemoteError("the remotes belong to targets %s: inventory one target at a time, set target, or set local_path"
                                          % ", ".join(target_ids))
                args += destination_args(holder(targets, target_ids[0]))
            elif not [t for t in targets if t.get("type") in ("server", "local")]:
                raise GlpiRemoteError("GLPI Agent has no target: " + HOW_TO_CREATE_A_TARGET)
        if wanted or local_path:
            remotes_arg = [with_deviceid(r["url"], r["deviceid"]) for r in rows]
            commas = [r["deviceid"] for r, u in zip(rows, remotes_arg) if "," in u]
            if commas:
                raise GlpiRemoteError("the stored URL of %s holds a comma, which GLPI Agent's --remote option splits on" % ", ".join(commas))
        expected = [dict(deviceid=r["deviceid"], url=u, target="local0" if local_path else r["target"])
                    for r, u in zip(rows, remotes_arg or [r["url"] for r in rows])]
    if local_path:
        args += ["--server=,", "--local", local_path, "--json", "--full"]
    if remotes_arg is not None:
        args += ["--remote", ",".join(remotes_arg)] if remotes_arg else []
    if params["remote_workers"] is not None:
        args += ["--remote-workers", str(params["remote_workers"])]
    if params["timeout"] is not None:
        args += ["--timeout", str(params["timeout"])]
    if params["force"]:
        args.append("--force")
    head = ["--tasks", "remoteinventory", "--logger", "stderr"]
    if params["conf_file"]:
        head = ["--conf-file", params["conf_file"]] + head
    return head + args, expected, tool, remotes_arg


def read_document(path, warn):
    """The document the agent wrote in ``path`` (JSON as a dict, else text); ``None`` when it cannot be read or is
    larger than ``DOCUMENT_MAX`` (``warn`` says so)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(DOCUMENT_MAX + 1)
    except (IOError, OSError):
        return None
    if len(data) > DOCUMENT_MAX:
        warn("%s holds more than %d bytes: not returned in inventories (the file itself is kept)" % (path, DOCUMENT_MAX))
        return None
    text = data.decode("utf-8", "replace")
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def run(module, agent, remote_tool_factory):
    params = module.params
    version = agent.version()
    if not supports_remote_inventory(version):
        raise GlpiRemoteError("%s is %s Agent %s: remote inventory needs GLPI Agent 1.0 or later"
                              % (agent.path, version.get("provider"), version.get("version")))
    if params["local_path"] and not os.path.isdir(params["local_path"]):
        raise GlpiRemoteError("local_path %s is not a directory" % params["local_path"])
    args, expected, tool, remotes_arg = plan(params, remote_tool_factory)
    if tool:
        agent.secrets.update(tool.secrets)
    for remote in expected:
        agent.add_secret(parse_url(remote["url"])["password"])
    module.no_log_values.update(agent.secrets)
    if agent.exposes_argv and any(parse_url(r["url"])["password"] for r in expected) and remotes_arg:
        raise GlpiRemoteError("%s is not a Perl script: the remote's password would be on its command line; refusing" % agent.path)
    command = [",".join(agent.mask(mask_url(u)) for u in remotes_arg) if index and args[index - 1] == "--remote" else agent.mask(arg)
               for index, arg in enumerate(args)]
    result = dict(changed=False, command=command, log=[], agent_version=version["version"], remotes=[])
    if not expected:
        module.warn("no remote to inventory: register remotes with glpiops.glpi.glpi_remote")
        return result
    if module.check_mode:
        result["remotes"] = [dict(deviceid=r["deviceid"], target=r["target"], url=mask_url(r["url"]), status="pending", file=None,
                                  message="would be inventoried") for r in expected]
        result["changed"] = True
        return result

    rc, stdout, stderr = agent.run(args)
    log = parse_agent_log(stderr)
    result["log"] = [line for line in stderr.splitlines() if line.strip()]
    if rc != 0 or log["no_target"]:
        if log["no_target"]:
            raise GlpiRemoteError("GLPI Agent has no target (%s): %s" % (NO_TARGET, HOW_TO_CREATE_A_TARGET), rc=rc, stdout=stdout, stderr=stderr)
        raise GlpiRemoteError("glpi-agent failed (exit code %s): %s" % (rc, " ".join(stderr.split()) or stdout.strip()), rc=rc, stdout=stdout,
                              stderr=stderr)
    files = [i["file"] for i in log["inventories"] if i.get("file") and os.path.isfile(i["file"])]
    outcomes = remote_outcomes(expected, log, files)
    for outcome in outcomes:
        outcome["message"] = agent.mask(outcome["message"])
    result["remotes"] = outcomes
    result["changed"] = any(o["status"] == "ok" for o in outcomes)
    if params["return_inventory"]:
        result["inventories"] = dict((o["deviceid"], read_document(o["file"], module.warn)) for o in outcomes if o["status"] == "ok" and o["file"])
        if any(o["status"] == "ok" and not o["file"] for o in outcomes):
            module.warn("inventories sent to a server are not returned; set local_path to get them")
    failed = [o for o in outcomes if o["status"] == "failed"]
    if failed and (len(failed) == len(outcomes) or params["fail_on_error"]):
        words = "every remote failed" if len(failed) == len(outcomes) else "%d of %d remotes failed" % (len(failed), len(outcomes))
        error = GlpiRemoteError("%s: %s" % (words, "; ".join("%s: %s" % (o["deviceid"] or o["url"], o["message"]) for o in failed)),
                                rc=rc, stdout=stdout, stderr=stderr)
        error.result = result
        raise error
    for outcome in failed:
        module.warn("%s: %s" % (outcome["deviceid"] or outcome["url"], outcome["message"]))
    return result


def remote_tool_factory(module, agent):
    def factory():
        path = module.params["glpi_remote_path"]
        extra = [os.path.dirname(agent.path)]
        if not path and os.path.isfile(os.path.join(extra[0], "glpi-remote")):
            path = os.path.join(extra[0], "glpi-remote")
        path, perl = find_tool(module, "glpi-remote", path, "glpi_remote_path", extra)
        return GlpiRemote(module_runner(module), path, vardir=module.params["vardir"], perl=perl)

    return factory


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("url", name) for name in ("deviceid", "host", "port", "username", "mode")] + [("deviceid", "host")],
    )
    run_module(module, lambda: agent_from_module(module, module.params["glpi_agent_path"], module.params["vardir"]),
               lambda agent: run(module, agent, remote_tool_factory(module, agent)))


if __name__ == "__main__":
    main()
