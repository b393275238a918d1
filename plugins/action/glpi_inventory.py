# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of ``glpiops.glpi.glpi_inventory``.

Runs the collector module once on the target over the task's own connection,
shapes its raw result into a GLPI inventory document on the controller, sends it
to the GLPI servers of ``server`` and/or writes ``<deviceid>.json`` into
``local_path``.  The documentation lives with the module of the same name.

The target-side module gets the collector options only: no GLPI server option,
and so no GLPI secret, ever leaves the controller.  AnsibleModule's masking does
not apply to action plugins: every result of the delivery goes through the
client's own masking.
"""

from __future__ import annotations

import json
import re
import time

from ansible.errors import AnsibleActionFail
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.glpiops.glpi.plugins.module_utils._collector_unix import RAW_FORMAT
from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import glpi_server_constraints
from ansible_collections.glpiops.glpi.plugins.module_utils._inventory_spec import (
    COLLECTOR_OPTIONS,
    inventory_argument_spec,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._document import (
    build_inventory,
    incomplete_sources,
    without_volatile,
    render_document,
    section_counts,
    section_fingerprints,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._deviceid import DeviceidStateError, settle_deviceid
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._partial import plan_delivery, state_after_delivery
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._partial_state import load_state, save_state, state_directory
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._action import DeliveryAction
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._deliver import (
    client_for_task,
    deliver,
    planned_delivery,
    undelivered_outcome,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._spool import Spool
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._collector import (
    RAW_FORMAT as WINDOWS_RAW_FORMAT,
    collector_command,
    collector_script,
    parse_collector_output,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._inventory_files import (
    LocalTargetError,
    document_path,
    read_document_text,
    write_document_text,
)

COLLECTOR = "glpiops.glpi.glpi_inventory"


PYENV_NOT_FOUND = re.compile(r"^pyenv: (\S+): command not found", re.MULTILINE)


def python_missing_message(collected, interpreter=None):
    """A clear message when the collector could not start: no Python on the target, or one that fails (a pyenv shim).

    ``interpreter`` is the one Ansible used (discovered or ansible_python_interpreter), when known.
    """
    output = "%s\n%s" % (collected.get("module_stderr", ""), collected.get("module_stdout", ""))
    used = " (%s)" % printable(str(interpreter)) if interpreter else ""
    shim = PYENV_NOT_FOUND.search(output)
    if shim:
        # pyenv puts a shim for every version it knows in PATH; interpreter discovery can pick one that the
        # current pyenv selection does not provide, and the shim then exits 127 instead of running Python.
        return (
            "the Python interpreter Ansible chose on the target%s is a pyenv shim that fails: pyenv: %s: command not found. "
            "Set the ansible_python_interpreter variable for this host to a Python that runs (Python 3.8 or newer), e.g. "
            "/usr/bin/python3, or \"{{ ansible_playbook_python }}\" with connection: local."
            % (used, printable(shim.group(1)))
        )
    if collected.get("rc") == 127 or "not found" in output or "No such file" in output:
        first = printable(next((line.strip() for line in output.splitlines() if line.strip()), ""))
        return (
            "Python is required on the target to run the glpi_inventory collector (Python 3.8 or newer): %s%s. "
            "Install it, or point the ansible_python_interpreter variable at it." % (first or "no interpreter found", used)
        )
    return None


def fingerprint_text(document):
    return "".join("%s: %s\n" % item for item in section_fingerprints(document).items()) if document else ""


class ChangeOnly(object):
    """Change-only inventories for one device: what each server gets (``inventory/_partial``), and the state kept once
    GLPI confirmed it (``delivery/_partial_state``).  ``postpone`` 0: every inventory is full, no state is read."""

    def __init__(self, directory, deviceid, postpone):
        self.directory = directory
        self.deviceid = deviceid
        self.postpone = postpone
        self._states = {}

    def plan(self, server, document):
        state = load_state(self.directory, server, self.deviceid) if self.postpone else None
        self._states[server] = state
        return plan_delivery(document, state, self.postpone)

    def confirmed(self, server, plan):
        if not self.postpone:
            return None
        return save_state(self.directory, server, self.deviceid, state_after_delivery(self._states.get(server), plan))


def _partial_summary(delivery):
    """The task result's ``partial``, ``sections_sent``, ``postponed``: of the first server (each server's are in
    ``delivery.servers``); ``partial`` is true when any server got a change-only inventory."""
    servers = delivery["servers"]
    first = servers[0] if servers else {}
    return dict(partial=any(entry.get("partial") for entry in servers), sections_sent=first.get("sections_sent"),
                postponed=first.get("postponed"))


class ActionModule(DeliveryAction):
    _VALID_ARGS = frozenset(inventory_argument_spec())

    def _run(self, task_vars):
        spec = inventory_argument_spec()
        # deviceid_path is a path on the target: expanding "~" here would name the controller's home.
        spec["deviceid_path"] = dict(spec["deviceid_path"], type="str")
        validation, params = self.validate_argument_spec(argument_spec=spec, **glpi_server_constraints())
        params = validation.validated_parameters
        # Bad server options fail the task before anything runs on the target.
        client = self._client = client_for_task(params, ansible_version=ANSIBLE_CORE_VERSION)
        if not client and not params["local_path"] and not params["return_inventory"]:
            raise AnsibleActionFail("glpi_inventory needs somewhere to send the document: set server, local_path, or return_inventory=true")
        if params["deviceid"]:
            document_path(".", params["deviceid"])  # refuse an unusable deviceid before collecting
        if params["collect_timeout"] < 1:
            raise AnsibleActionFail("collect_timeout must be at least 1 second, got %s" % params["collect_timeout"])
        if params["collect_deadline"] < 0:
            raise AnsibleActionFail("collect_deadline must be 0 (no limit) or more seconds, got %s" % params["collect_deadline"])
        if params["full_inventory_postpone"] < 0:
            raise AnsibleActionFail("full_inventory_postpone must be 0 (every inventory full) or more, got %s" % params["full_inventory_postpone"])

        if self._windows_target():
            collected = self._collect_windows(params)
            expected_format = WINDOWS_RAW_FORMAT
        else:
            collected = self._execute_module(
                module_name=COLLECTOR,
                module_args=self._collector_args(params),
                task_vars=task_vars,
            )
            expected_format = RAW_FORMAT
        if collected.get("failed"):
            interpreter = (collected.get("ansible_facts") or {}).get("discovered_interpreter_python") \
                or getattr(self, "_discovered_interpreter", None) or task_vars.get("ansible_python_interpreter")
            message = python_missing_message(collected, interpreter) if "raw_format" not in collected else None
            message = message or "collection failed on the target: %s" % printable(str(collected.get("msg", "unknown error")))
            return dict(failed=True, msg=message,
                        **{k: v for k, v in collected.items() if k in ("rc", "module_stderr", "module_stdout", "exception")})
        if collected.get("raw_format") != expected_format:
            raise AnsibleActionFail(
                "the collector on the target returned format %r, this controller expects %r: mixed glpiops.glpi versions?"
                % (collected.get("raw_format"), expected_format)
            )

        deviceid, deviceid_source, deviceid_note = self._deviceid(collected, params, task_vars)
        provider = {"ansible-core": ANSIBLE_CORE_VERSION, "target python": collected.get("python_version")}
        document, warnings = build_inventory(collected, deviceid, itemtype=params["itemtype"], tag=params["tag"],
                                             now=time.time(), provider=provider, connection_user=self._get_remote_user())
        result = dict(
            changed=bool(collected.get("changed")),
            deviceid=deviceid,
            deviceid_source=deviceid_source,
            sections=section_counts(document),
            incomplete_sources=sorted(incomplete_sources(collected)),
        )
        failures = []
        if params["local_path"]:
            # The two destinations are independent: a file that cannot be written does not stop the delivery.
            try:
                written = self._write_local(params["local_path"], document)
            except LocalTargetError as exc:
                written = dict(path=None, changed=False, local_error=str(exc))
                failures.append("the inventory file was not written: %s" % exc)
            written["changed"] = written["changed"] or result["changed"]
            result.update(written)
        if client:
            delivered = self._deliver(client, params, document)
            if delivered.pop("failure", None):
                failures.append(delivered.pop("msg"))
            result.update(delivered)
        if params["return_inventory"]:
            result["inventory"] = document
        if deviceid_note:
            warnings = list(warnings) + [deviceid_note]
        if warnings:
            result.setdefault("warnings", []).extend(warnings)
        if failures:
            result.update(failed=True, msg="; ".join(failures))
        return result

    def _deliver(self, client, params, document):
        """Send ``document`` to every server.  Not delivered but spooled: a warning (a failure with
        ``fail_on_undelivered``); refused by GLPI or not kept: a failure."""
        partial = ChangeOnly(state_directory(params["spool_path"], params["partial_state_path"]), document.get("deviceid"),
                             params["full_inventory_postpone"])
        if self._task.check_mode:
            delivery = planned_delivery(client)
            for entry, server in zip(delivery["servers"], client.servers):
                entry.update(partial.plan(server, document).result())
            return dict(delivery=delivery, delivered=False, spooled=None, status="check_mode", **_partial_summary(delivery))
        delivery = deliver(client, Spool(params["spool_path"]), document, tag=params["tag"], partial=partial)
        result = dict(delivery=delivery, delivered=delivery["delivered"], spooled=delivery["spooled"], status=delivery["status"],
                      **_partial_summary(delivery))
        # GLPI stored an inventory (this host's, or a spooled one): a change on the server.
        if any(entry["delivered"] or (entry.get("spool") or {}).get("sent") for entry in delivery["servers"]):
            result["changed"] = True
        result["warnings"] = list(delivery["warnings"])
        failure, warning = undelivered_outcome(delivery, params["fail_on_undelivered"])
        if failure:
            result.update(failure=True, msg=failure)
        elif warning:
            result["warnings"].append(warning)
        return result

    def _windows_target(self):
        """Windows (winrm, psrp, or ssh into PowerShell): the connection's shell is PowerShell's."""
        return getattr(getattr(self._connection, "_shell", None), "SHELL_FAMILY", "") == "powershell"

    def _collect_windows(self, params):
        """Run the PowerShell collector in one execution: the script goes in as the command's input, not in its
        command line (``-EncodedCommand`` would hit the command line's length limit)."""
        budget = max(60, params["collect_timeout"] * 30)
        script = collector_script(check_mode=self._task.check_mode, cim_timeout=params["collect_timeout"], time_budget=budget,
                                  store_deviceid=not params["deviceid"])
        outcome = self._low_level_execute_command(collector_command(self._connection._shell), in_data=script)
        collected, error = parse_collector_output(outcome.get("stdout", ""))
        if error:
            return dict(failed=True, msg=printable("the PowerShell collector failed (rc %s): %s %s"
                                                   % (outcome.get("rc"), error, (outcome.get("stderr") or "").strip()[:500])))
        if params["deviceid"]:
            collected.update(deviceid=params["deviceid"], deviceid_source="option")
        elif collected.get("deviceid_source") == "read":
            collected["deviceid_source"] = "target"  # the words of the Linux collector, documented in RETURN
        return collected

    def _deviceid(self, collected, params, task_vars):
        """``(deviceid, source, note)``: the target's deviceid, unless the controller must keep or assign one
        (a target that cannot store its own; a deviceid another host already has)."""
        host = task_vars.get("inventory_hostname") or self._play_context.remote_addr or "localhost"
        source = collected.get("deviceid_source")
        try:
            return settle_deviceid(params["deviceid_state_path"], host, collected["deviceid"], source, check_mode=self._task.check_mode)
        except DeviceidStateError as exc:
            if source in ("unsaved", "generated"):
                raise  # without the state this host would be a new agent in GLPI on every run
            return collected["deviceid"], source, "deviceids are not checked for duplicates across hosts: %s" % exc

    def _collector_args(self, params):
        args = {name: params[name] for name in COLLECTOR_OPTIONS}
        # "~" must be the home of the login user, not of the become user: name it.
        path = args["deviceid_path"]
        remote_user = self._get_remote_user()
        if path.startswith("~/") and self._play_context.become and remote_user:
            args["deviceid_path"] = "~%s/%s" % (remote_user, path[2:])
        return args

    def _write_local(self, directory, document):
        path = document_path(directory, document["deviceid"])
        text = render_document(document)
        previous_text = read_document_text(path)
        previous = None
        if previous_text:
            try:
                previous = json.loads(previous_text)
            except ValueError:
                previous = None
        # The time of the run alone (accesslog) is no change: the file is rewritten when the machine changed.
        changed = previous is None or without_volatile(previous) != without_volatile(document)
        result = dict(path=path, changed=changed)
        if self._task.diff:
            result["diff"] = dict(
                before_header=path, after_header=path,
                before=fingerprint_text(previous), after=fingerprint_text(document),
            )
        if changed and not self._task.check_mode:
            write_document_text(path, text)
        return result
