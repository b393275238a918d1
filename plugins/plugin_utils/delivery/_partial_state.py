# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the controller keeps what each GLPI server confirmed of each device's sections (change-only inventories).

Private to the glpiops.glpi collection: no compatibility promise.

One small JSON file per server and deviceid, ``<server key>-<deviceid key>.json`` in one directory (by default
``partial/`` inside the spool, so that it lives wherever the spool lives), written atomically with mode 0600.
What is in it is ``inventory/_partial``'s business; this module only reads and writes it.  A state that cannot
be read (missing, truncated, too large, another format) reads as ``None``: a full inventory follows, never a
wrong partial.  A state that cannot be written costs the next run a full inventory, never the delivery: the
caller gets the reason and warns.
"""

from __future__ import annotations

import json
import os

from ansible_collections.glpiops.glpi.plugins.module_utils._files import write_atomic
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import canonical_url
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._spool import device_key, server_key

# A state holds one digest per section (a few kB); anything larger is not one this collection wrote.
STATE_MAX = 1 << 20
DIRECTORY = "partial"


def state_directory(spool_path, partial_state_path=None):
    """The directory of the states: ``partial_state_path`` when given, else ``partial/`` in the spool."""
    return os.path.expanduser(partial_state_path) if partial_state_path else os.path.join(os.path.expanduser(spool_path), DIRECTORY)


def state_path(directory, server, deviceid):
    """The state file of ``deviceid`` on GLPI ``server`` (its canonical URL: one state however it is spelled)."""
    return os.path.join(directory, "%s-%s.json" % (server_key(canonical_url(server)), device_key(deviceid)))


def load_state(directory, server, deviceid):
    """The stored state, or ``None`` when there is none this collection can read."""
    try:
        with open(state_path(directory, server, deviceid), "rb") as handle:
            data = handle.read(STATE_MAX + 1)
    except OSError:
        return None
    if len(data) > STATE_MAX:
        return None
    try:
        state = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return state if isinstance(state, dict) else None


def save_state(directory, server, deviceid, state):
    """Store ``state``; ``None`` when done, else why it could not be (the directory or the file cannot be written)."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        write_atomic(state_path(directory, server, deviceid),
                     json.dumps(state, sort_keys=True, separators=(",", ":")).encode("utf-8"), mode=0o600)
    except OSError as exc:
        return "partial_state_path %s cannot be written: %s" % (directory, exc.strerror or exc)
    return None
