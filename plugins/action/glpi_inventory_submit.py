# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of ``glpiops.glpi.glpi_inventory_submit``: saved inventories to GLPI, on the controller.

Nothing runs on the target.  The documentation lives with the module of the same name.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import glpi_server_constraints
from ansible_collections.glpiops.glpi.plugins.module_utils._inventory_spec import submit_argument_spec
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._action import DeliveryAction
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._client import GLPIClient
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._deliver import deliver, server_options, undelivered_outcome
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._inventory_files import (
    InventoryFileError,
    expand_paths,
    parse_inventory_file,
    read_inventory_file,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._spool import Spool


class ActionModule(DeliveryAction):
    _VALID_ARGS = frozenset(submit_argument_spec())

    def _run(self, task_vars):
        del task_vars  # nothing runs on the target
        validation, params = self.validate_argument_spec(argument_spec=submit_argument_spec(), **glpi_server_constraints())
        params = validation.validated_parameters
        client = self._client = GLPIClient(server_options(params), ansible_version=ANSIBLE_CORE_VERSION)
        files, unmatched = expand_paths(params["path"])
        if unmatched:
            raise AnsibleActionFail("path: no inventory file matches %s; nothing was sent" % ", ".join(unmatched))

        loaded, documents = [], []
        for path in files:
            # Every file on its own: a bad one is reported, the others are still sent.
            try:
                loaded.append((path,) + parse_inventory_file(read_inventory_file(path)))
            except InventoryFileError as exc:
                documents.append(dict(path=path, deviceid=None, status="invalid", delivered=False, spooled=None, msg=str(exc)))

        spool = Spool(params["spool_path"])
        warnings, failures = [], []
        replayed = False
        for path, document, deviceid in loaded:
            if self._task.check_mode:
                documents.append(dict(path=path, deviceid=deviceid, status="check_mode", delivered=False, spooled=None,
                                      msg="would be sent"))
                continue
            delivery = deliver(client, spool, document, deviceid=deviceid)
            documents.append(dict(path=path, deviceid=deviceid, status=delivery["status"], delivered=delivery["delivered"],
                                  spooled=delivery["spooled"], msg=delivery["msg"], servers=delivery["servers"]))
            replayed = replayed or any((entry.get("spool") or {}).get("sent") for entry in delivery["servers"])
            warnings.extend(warning for warning in delivery["warnings"] if warning not in warnings)
            failure, _warning = undelivered_outcome(delivery, params["fail_on_undelivered"])
            if failure:
                failures.append("%s: %s" % (path, failure))

        counts = {status: sum(1 for entry in documents if entry["status"] == status)
                  for status in ("sent", "spooled", "unconfirmed", "failed", "invalid")}
        attempted = [entry for entry in documents if entry["status"] != "check_mode"]
        result = dict(documents=documents, changed=counts["sent"] > 0 or replayed, counts=counts,
                      sent=counts["sent"], spooled=counts["spooled"] + counts["unconfirmed"],
                      delivered=bool(attempted) and all(entry["delivered"] for entry in attempted))
        failures = ["%s: %s" % (entry["path"], entry["msg"]) for entry in documents if entry["status"] == "invalid"] + failures
        if failures:
            result.update(failed=True, msg="%d of %d documents were not delivered: %s" % (len(failures), len(documents), "; ".join(failures)))
        elif result["spooled"]:
            warnings.append("%d of %d documents were not delivered%s, kept in the spool %s to be sent by the next run that reaches GLPI"
                            % (result["spooled"], len(documents), " for sure (GLPI may have imported them)" if counts["unconfirmed"] else "",
                               params["spool_path"]))
        if warnings:
            result["warnings"] = warnings
        return result
