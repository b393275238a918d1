# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Deviceids kept on the controller for targets that cannot keep their own.

Private to the glpiops.glpi collection: no compatibility promise.

A target whose ``deviceid_path`` cannot be written (read-only root, no home)
would get a new deviceid on every run, and GLPI a new agent each time.  The
controller then remembers the deviceid per inventory host in one JSON file,
``{"<inventory_hostname>": "<deviceid>"}``.  Forks update it under an exclusive
lock and replace it atomically, so concurrent hosts never lose each other's ids.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os

from ansible_collections.glpiops.glpi.plugins.plugin_utils._local_target import LocalTargetError, write_document_text


def _read(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise LocalTargetError("deviceid_state_path %s cannot be read: %s" % (path, getattr(exc, "strerror", None) or exc))
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def _locked(path):
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
        handle = open(path + ".lock", "a")  # pylint: disable=consider-using-with
    except OSError as exc:
        raise LocalTargetError("deviceid_state_path %s cannot be created: %s" % (path, exc.strerror or exc))
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def recall_deviceid(path, host):
    """The deviceid remembered for ``host``, or ``None``."""
    value = _read(path).get(host)
    return value if isinstance(value, str) and value else None


def remember_deviceid(path, host, deviceid):
    """Keep ``deviceid`` for ``host`` unless one is already kept; return the one that is kept now."""
    with _locked(path):
        data = _read(path)
        kept = data.get(host)
        if isinstance(kept, str) and kept:
            return kept
        data[host] = deviceid
        write_document_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=0o600)
        return deviceid
