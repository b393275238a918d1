#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: glpi_inventory
short_description: Agentless GLPI inventory of a host over Ansible's own connection
version_added: 0.1.0
description:
  - Collects, in one module execution per host, the inventory that GLPI Agent would send for that host,
    and shapes it on the controller into GLPI's native inventory format (a JSON document valid against the
    GLPI 10 and GLPI 11 inventory schemas).
  - No agent is installed on the target. The task's own connection (C(ssh), C(paramiko_ssh), C(local), ...)
    carries a small collector that reads C(/proc), C(/sys) and a few commands, each with its own time limit.
  - Linux targets report every section GLPI Agent reports on them; macOS and FreeBSD targets report hardware, bios,
    operating system, CPUs, memories, storages, drives, networks and softwares from their native tools
    (C(system_profiler), C(sysctl), C(ioreg), C(geom), C(pkg), ...). Other systems fail with a clear message.
  - A source that is missing, refused (for example serial numbers without O(ignore:become)) or too slow is
    dropped alone and named in RV(warnings); it never fails the host.
  - Every command has a time limit (O(collect_timeout)) and an output cap (32 MiB), every file read a size cap, and the
    whole collection a deadline (O(collect_deadline)). A source one of them cut short is named in RV(incomplete_sources)
    and in a warning, and the document says it is incomplete in C(content.versionprovider.comments).
  - Sends the document to each GLPI server of O(server) over GLPI's native inventory protocol, as GLPI Agent
    does, and/or writes C(<deviceid>.json) into O(local_path) on the controller, the same file GLPI Agent writes with
    C(--local DIR --json), ready for M(glpiops.glpi.glpi_inventory_submit), C(glpi-injector) or GLPI's inventory endpoint.
  - Every result says whether the document reached GLPI without any text to parse; RV(delivered) is true only when
    every server accepted it, RV(spooled) is the path of the spool file when it did not.
  - By default a document that could not be delivered is kept in O(spool_path) (one per host and server, the newest)
    and sent first by the next run that reaches that server; the task then succeeds with a warning and
    RV(status=spooled), or RV(status=unconfirmed) when the document was sent but GLPI did not answer (it may have
    imported it, so it is sent again by the next run, never at once). O(fail_on_undelivered=true) makes both a task
    failure. GLPI's refusal of the document (its own error answer), a redirection, or a URL that is not GLPI's
    endpoint always fail the task.
  - The GLPI server options can be set once for a play with C(module_defaults) and the group
    C(group/glpiops.glpi.glpi), or with C(GLPI_*) environment variables on the controller.
author:
  - glpiops.glpi engineers (@glpiops)
options:
  local_path:
    description:
      - Directory on the B(controller) where C(<deviceid>.json) is written. It is created when missing.
      - The file is replaced atomically, so a reader never sees half a document.
      - At least one of O(server), O(local_path) and O(return_inventory=true) is required.
    type: path
  deviceid:
    description:
      - The GLPI agent identity to report for this host. GLPI finds the agent by this value, so keep it stable.
      - When not set, the deviceid stored in O(deviceid_path) on the target is used; when that file is
        missing, one is generated in GLPI Agent's format C(<short hostname>-YYYY-MM-DD-HH-MM-SS) and stored there.
    type: str
  deviceid_path:
    description:
      - File on the target that holds the host's deviceid, one line.
      - The default is the file GLPI Agent's own ssh remote inventory uses, so both land on the same GLPI agent.
      - C(~) is the home of the user the connection logs in as, also under O(ignore:become).
    type: path
    default: ~/.glpi-agent-deviceid
  tag:
    description:
      - Inventory tag sent at the top level of the document; GLPI's entity rules can use it.
    type: str
  itemtype:
    description:
      - GLPI item type of the inventoried asset.
    type: str
    default: Computer
    choices: [Computer, Unmanaged, Phone, NetworkEquipment, Printer]
  collect_timeout:
    description:
      - Time limit in seconds for each source (command or file) on the target. A source that takes longer is
        dropped and named in RV(incomplete_sources) and RV(warnings).
    type: int
    default: 10
  collect_deadline:
    description:
      - Time limit in seconds for the whole collection on the target. Each command gets O(collect_timeout) or the
        time left, whichever is shorter; once the time is up, the remaining sources are skipped. The sources cut short
        or skipped are named in RV(incomplete_sources) and RV(warnings).
      - The default bounds a host whose tools hang (34 hanging tools at O(collect_timeout=10) would take about 6 minutes)
        and leaves a healthy host, which takes seconds, a wide margin (macOS C(system_profiler) may take a minute).
      - V(0) sets no limit.
    type: int
    default: 120
  deviceid_state_path:
    description:
      - File on the controller that records the deviceid of each inventory host, so that every host keeps one
        deviceid, and one agent in GLPI, from run to run, and no two hosts share one.
      - A host whose O(deviceid_path) cannot be written (read-only filesystem, no home directory) gets the deviceid
        kept there. A host whose target holds the deviceid of another host (two machines with the same short host
        name that made their deviceid in the same second) gets a distinct one, kept there, with a warning.
      - Keep it on persistent storage, shared by the controllers that inventory the same hosts; in AWX or other
        ephemeral job environments use a persistent volume. When it cannot be written, deviceids are not checked
        across hosts (a warning says so), and a target that cannot keep its own deviceid fails.
    type: path
    default: ~/.ansible/glpiops.glpi/deviceids.json
  collect_processes:
    description:
      - Report the running processes (section C(processes)), from C(ps), as GLPI Agent does.
      - Off by default, whatever the GLPI version, because command lines may hold secrets (passwords and tokens given as
        arguments) and the list changes on every run. GLPI 11 stores the processes it receives, command lines included,
        so turning this on puts them in GLPI's database; GLPI Agent sends them unless its C(no-category) names C(process).
    type: bool
    default: false
  collect_envs:
    description:
      - Report the environment variables of the connection's session on the target (section C(envs)).
      - Off by default, because environments often hold secrets (tokens, passwords), which would then be stored in GLPI.
    type: bool
    default: false
  return_inventory:
    description:
      - Return the whole GLPI inventory document in RV(inventory).
      - Off by default, because the document can be large.
    type: bool
    default: false
  full_inventory_postpone:
    description:
      - Change-only (partial) inventories, as GLPI Agent's C(full-inventory-postpone). When GLPI already confirmed a
        full inventory of the host, the next runs send only the sections that changed since GLPI last confirmed them,
        with C(hardware), C(bios), C(accesslog) and C(versionprovider); GLPI keeps every section left out as it was.
        GLPI imports such a document about 20 times faster than a full one when the software list did not change
        (see the collection's docs/partial-inventory.md).
      - At most this many change-only inventories in a row; the next one is full. V(0) sends every inventory whole.
      - A full inventory also goes out when no confirmed state is found for the host and server (first run, state
        lost or unreadable), when a section disappeared (a partial cannot tell GLPI to empty it), and when every
        section changed. A section counts as known to GLPI only once GLPI confirmed a document that carried it; a
        partial that is spooled or fails leaves the state as it was, so the next run sends those sections again.
      - Only for O(server); the file written to O(local_path) and RV(inventory) are always the full document.
      - The same default as GLPI Agent's. If a computer is deleted in GLPI, or GLPI's database restored, set V(0)
        for one run (or delete the state in O(partial_state_path)) so that GLPI gets everything again.
    type: int
    default: 14
  partial_state_path:
    description:
      - Directory on the controller that keeps, per GLPI server and deviceid, the digests of the sections GLPI
        confirmed (see O(full_inventory_postpone)).
      - Defaults to the C(partial) directory inside O(spool_path). In AWX or other ephemeral job environments put it
        (or O(spool_path)) on a persistent volume; a state that is missing means a full inventory, never a wrong
        partial one.
    type: path
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
    details: Collects and shapes the inventory, but writes nothing, neither on the controller nor the deviceid on the target,
      and sends nothing to GLPI.
  diff_mode:
    support: full
    details: Shows which sections of the document changed since the file written for that deviceid.
  platform:
    platforms: [posix, windows]
notes:
  - Python 3.8 or newer is required on POSIX targets, as for most Ansible modules.
  - Windows targets need no Python. Over C(winrm), C(psrp) (or C(ssh) into PowerShell) a PowerShell 5.1 collector
    script is sent as the input of one command, and its raw result is shaped on the controller like Linux's.
    The deviceid is kept in C(HKLM\Software\GLPI-Agent\Remote\deviceid), as GLPI Agent's WinRM remote inventory does;
    O(deviceid_path), O(collect_processes), O(collect_envs) and O(collect_deadline) do not apply (the PowerShell collector has
    its own time budget, 30 times O(collect_timeout) and at least 60 seconds). Without administrator rights some
    sections are reduced and named in RV(warnings). See the collection's C(docs/windows.md).
  - Serial numbers and the system UUID are readable by root only; use O(ignore:become=true) to report them.
  - The C(paramiko_ssh) connection works too; ansible-core deprecated it in 2.19 and plans its removal in 2.21.
seealso:
  - name: GLPI inventory format
    description: The JSON schema of GLPI's native inventory.
    link: https://github.com/glpi-project/inventory_format
"""

EXAMPLES = r"""
- name: Inventory every host into local files, ready for GLPI
  glpiops.glpi.glpi_inventory:
    local_path: "{{ playbook_dir }}/glpi-inventory"

- name: Inventory with serial numbers, tagged for GLPI's entity rules
  become: true
  glpiops.glpi.glpi_inventory:
    local_path: /srv/glpi-inventory
    tag: datacenter-paris

- name: Inventory every host straight into GLPI (HTTP Basic, credentials from the vault)
  become: true
  glpiops.glpi.glpi_inventory:
    server: https://glpi.example.com/
    username: "{{ vault_glpi_inventory_user }}"
    password: "{{ vault_glpi_inventory_password }}"
    ca_path: /etc/pki/glpi-ca.pem
    spool_path: /var/lib/ansible/glpi_spool

- name: Into GLPI 11 with an OAuth client, and a copy of each document on the controller
  glpiops.glpi.glpi_inventory:
    server: https://glpi.example.com/
    client_id: "{{ vault_glpi_client_id }}"
    client_secret: "{{ vault_glpi_client_secret }}"
    local_path: /srv/glpi-inventory

- name: Keep the document for later tasks, without writing a file
  glpiops.glpi.glpi_inventory:
    return_inventory: true
  register: glpi

- name: Show the operating system GLPI will see
  ansible.builtin.debug:
    msg: "{{ glpi.inventory.content.operatingsystem.full_name }}"
"""

RETURN = r"""
deviceid:
  description: The deviceid reported for the host.
  returned: success
  type: str
  sample: web01-2026-11-23-10-42-07
deviceid_source:
  description:
    - Where the deviceid came from. V(option) (O(deviceid)), V(target) (read from O(deviceid_path)),
      V(created) (generated and stored in O(deviceid_path)), V(controller) (kept in O(deviceid_state_path) because
      the target could not store it, see RV(warnings)) or V(generated) (generated and not stored, in check mode).
  returned: success
  type: str
  sample: target
path:
  description: The file written on the controller, or that would be written in check mode.
  returned: when O(local_path) is set
  type: str
  sample: /srv/glpi-inventory/web01-2026-11-23-10-42-07.json
sections:
  description: Number of entries in each section of the document (1 for a single-object section).
  returned: success
  type: dict
  sample: {"hardware": 1, "bios": 1, "operatingsystem": 1, "cpus": 1, "networks": 5}
warnings:
  description: Sources that were dropped and why. They are also shown as task warnings.
  returned: success
  type: list
  elements: str
  sample: ["dmi: product_serial, product_uuid need root (use become)"]
incomplete_sources:
  description:
    - The sources a limit cut short or skipped, sorted; empty when the inventory is complete. The document lacks what
      they would have given, so GLPI may drop, for example, the packages of a package manager whose listing was cut short.
    - The limits are O(collect_timeout) per command, 32 MiB of output per command, a size cap per file read, and
      O(collect_deadline) for the whole collection (the sources left when it passed are skipped). On Windows, the
      sources the PowerShell collector skipped when its time budget was used up.
    - A warning that starts with C(the inventory is incomplete) gives each one's reason. The document says it too, in
      C(content.versionprovider.comments), with one line per source (the word C(incomplete), the source, its reason).
  returned: success
  type: list
  elements: str
  sample: ["lspci", "snap"]
delivered:
  description:
    - Whether every GLPI server of O(server) accepted the document. False when it was spooled, unconfirmed, refused,
      not due or disabled, and in check mode.
  returned: when O(server) is set
  type: bool
  sample: true
spooled:
  description:
    - The path of the file that keeps the document in O(spool_path) for the next run, or V(null) when it was not
      spooled. With several servers, the file of the first server it was spooled for (each server's is in RV(delivery)).
  returned: when O(server) is set
  type: str
  sample: /home/ansible/.ansible/glpi_spool/01796535899678961152-be45e6845973-2a21fe6d592a-f143884ee707f663.json
status:
  description:
    - V(sent) (GLPI accepted the document), V(not_due) (with O(contact), GLPI's inventory frequency has not passed
      since it last accepted this host's), V(disabled) (GLPI's answer to O(contact) disabled the inventory),
      V(unconfirmed) (the document was sent but no answer came in time, or the connection broke while GLPI answered;
      GLPI may have imported it; it is kept in O(spool_path) and sent again by the next run, never at once),
      V(spooled) (GLPI could not be reached; refused or unresolvable at once, time-outs and C(429)/C(5xx) after the
      retries; kept in O(spool_path)), V(failed) (GLPI refused the document, the credentials, or the URL is not its
      endpoint; or the document could not be kept), or V(check_mode). The worst status of the servers.
  returned: when O(server) is set
  type: str
  sample: sent
partial:
  description:
    - Whether a change-only inventory was sent (or, in check mode, would be) to a server of O(server); see
      O(full_inventory_postpone).
  returned: when O(server) is set
  type: bool
  sample: true
sections_sent:
  description:
    - The content sections sent to the first server of O(server) (each server's are in RV(delivery)); every section of
      the document for a full inventory.
  returned: when O(server) is set
  type: list
  elements: str
  sample: ["accesslog", "bios", "hardware", "networks", "versionprovider"]
postponed:
  description:
    - How many change-only inventories in a row the first server got, this one included; V(0) for a full inventory.
  returned: when O(server) is set
  type: int
  sample: 3
delivery:
  description: What happened with each GLPI server of O(server).
  returned: when O(server) is set
  type: dict
  contains:
    status:
      description: The same as RV(status).
      type: str
      sample: sent
    delivered:
      description: The same as RV(delivered).
      type: bool
    spooled:
      description: The same as RV(spooled).
      type: str
    msg:
      description: One line per server, with GLPI's own message when it refused the document.
      type: str
    warnings:
      description: Spooled documents set aside (moved to C(rejected/)) and spool or token cache problems.
      type: list
      elements: str
    servers:
      description:
        - One entry per server, with its C(server) URL, C(status), C(delivered), C(spooled) (spool file or V(null)),
          C(replaced) (older spooled documents of this host that this one replaced), GLPI's C(message), the
          C(http_status), the number of C(attempts) really made, the inventory frequency C(expiration) (hours) and
          C(disabled) tasks GLPI answered, C(spool) (C(sent), C(rejected) as a list of C(name) and C(reason),
          C(remaining)) for the documents the spool held for that server, and C(partial), C(sections_sent),
          C(postponed) and C(full_reason) (why the inventory was full, or V(null)) for that server.
      type: list
      elements: dict
      sample: [{"server": "https://glpi.example.com/front/inventory.php", "status": "sent", "delivered": true,
                "spooled": null, "http_status": 200, "attempts": 1, "expiration": 24,
                "spool": {"sent": 2, "rejected": [], "remaining": 0}}]
inventory:
  description: The GLPI inventory document.
  returned: when O(return_inventory=true)
  type: dict
  sample: {"deviceid": "web01-2026-11-23-10-42-07", "itemtype": "Computer", "action": "inventory", "content": {}}
"""

import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.glpiops.glpi.plugins.module_utils._collector_darwin import collect as collect_darwin
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_freebsd import collect as collect_freebsd
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_linux import collect as collect_linux
from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import RAW_FORMAT
from ansible_collections.glpiops.glpi.plugins.module_utils._deviceid import resolve_deviceid
from ansible_collections.glpiops.glpi.plugins.module_utils._inventory_spec import inventory_argument_spec

# platform.system() -> (os_family the controller builds for, the collector that runs on the target).
COLLECTORS = {
    "Linux": ("linux", collect_linux),
    "Darwin": ("darwin", collect_darwin),
    "FreeBSD": ("freebsd", collect_freebsd),
}


def run(module):
    """Collect on the target; the action plugin shapes the result on the controller."""
    params = module.params
    system = platform.system()
    if system not in COLLECTORS:
        module.fail_json(msg="glpi_inventory does not support %s targets (supported: %s)" % (system or "unknown", ", ".join(sorted(COLLECTORS))))
    os_family, collect = COLLECTORS[system]

    sources, errors, incomplete = collect(timeout=params["collect_timeout"], processes=params["collect_processes"],
                                          envs=params["collect_envs"], deadline=params["collect_deadline"])
    result = dict(changed=False, raw_format=RAW_FORMAT, os_family=os_family, sources=sources, errors=errors,
                  incomplete=incomplete, python_version=platform.python_version())

    if params["deviceid"]:
        result.update(deviceid=params["deviceid"], deviceid_source="option")
    else:
        path = params["deviceid_path"]
        deviceid, state, error = resolve_deviceid(path, sources.get("hostname"), module.check_mode)
        source = {"read": "target", "created": "created", "unsaved": "unsaved"}.get(state, "generated")
        result.update(deviceid=deviceid, deviceid_source=source, changed=(state == "created"))
        if error:
            errors["deviceid"] = error
    return result


def main():
    module = AnsibleModule(argument_spec=inventory_argument_spec(), supports_check_mode=True)
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
