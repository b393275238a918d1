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
from ansible.plugins.action import ActionBase

from ansible_collections.glpiops.glpi.plugins.module_utils._inventory_spec import submit_argument_spec
from ansible_collections.glpiops.glpi.plugins.plugin_utils._glpi_client import (
    GLPIConfigError,
    GLPIClient,
    deliver,
    server_options,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils._inventory_files import (
    InventoryFileError,
    expand_paths,
    parse_inventory_file,
)
from ansible_collections.glpiops.glpi.plugins.plugin_utils._spool import Spool


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(submit_argument_spec())

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        try:
            result.update(self._run())
        except (AnsibleActionFail, GLPIConfigError) as exc:
            result.update(failed=True, msg=str(exc))
        return result

    def _run(self):
        validation, params = self.validate_argument_spec(argument_spec=submit_argument_spec())
        params = validation.validated_parameters
        client = GLPIClient(server_options(params), ansible_version=ANSIBLE_CORE_VERSION)
        files, unmatched = expand_paths(params["path"])
        if unmatched:
            raise AnsibleActionFail("path: no inventory file matches %s; nothing was sent" % ", ".join(unmatched))

        loaded, documents = [], []
        for path in files:
            try:
                with open(path, "rb") as handle:
                    loaded.append((path,) + parse_inventory_file(handle.read()))
            except (OSError, InventoryFileError) as exc:
                documents.append(dict(path=path, deviceid=None, status="invalid", msg=str(getattr(exc, "strerror", None) or exc)))

        spool = Spool(params["spool_path"])
        for path, document, deviceid in loaded:
            if self._task.check_mode:
                documents.append(dict(path=path, deviceid=deviceid, status="check_mode", msg="would be sent"))
                continue
            delivery = deliver(client, spool, document, deviceid=deviceid)
            documents.append(dict(path=path, deviceid=deviceid, status=delivery["status"], msg=delivery["msg"]))

        counts = {status: sum(1 for entry in documents if entry["status"] == status) for status in ("sent", "spooled")}
        result = dict(documents=documents, changed=counts["sent"] > 0, **counts)
        bad = [entry for entry in documents if entry["status"] in ("failed", "invalid")]
        if bad:
            result.update(failed=True, msg="%d of %d documents were not accepted: %s" % (
                len(bad), len(documents), "; ".join("%s: %s" % (entry["path"], entry["msg"]) for entry in bad)))
        elif counts["spooled"]:
            result["warnings"] = ["%d documents kept in the spool %s, to be sent by the next run that reaches GLPI"
                                  % (counts["spooled"], params["spool_path"])]
        return client.mask(result)
