# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Deviceids on the controller: kept for targets that cannot keep their own, and one per host.

Private to the glpiops.glpi collection: no compatibility promise.

A target whose ``deviceid_path`` cannot be written (read-only root, no home)
would get a new deviceid on every run, and GLPI a new agent each time: the
controller keeps one for it.  And two targets can make the same deviceid: GLPI
Agent's format is ``<short hostname>-<local time to the second>``, so
``web.paris.example.com`` and ``web.lyon.example.com`` collected in the same
second (routine with forks) get one, and GLPI would see one agent for two
machines.  The controller therefore records every host's deviceid, and gives a
host whose target holds a deviceid another host already has a distinct one, the
same every run.

One JSON file, ``{"<inventory_hostname>": {"deviceid": ..., "why": ..., "target": ...}}``
(a plain string, the first release's form, is a kept deviceid).  ``why`` is
``kept`` (the target cannot keep one), ``assigned`` (the target's own, ``target``,
is another host's) or ``seen``.  Forks update it under an exclusive lock and
replace it atomically, so concurrent hosts never lose each other's ids.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.module_utils._files import file_lock, write_atomic

KEPT, ASSIGNED, SEEN = "kept", "assigned", "seen"


class DeviceidStateError(GLPIOpsError):
    """The controller's deviceid state (``deviceid_state_path``) cannot be read, locked or written."""


_AGENT_FORMAT = re.compile(r"^(?P<host>.+)-(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})$")
_STAMP = "%Y-%m-%d-%H-%M-%S"


def _read(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            data = json.loads(handle.read(64 << 20))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        raise DeviceidStateError("deviceid_state_path %s cannot be read: %s" % (path, getattr(exc, "strerror", None) or exc))
    return data if isinstance(data, dict) else {}


def _entry(value):
    """One host's record, whatever release wrote it; None when unusable."""
    if isinstance(value, str) and value:
        return {"deviceid": value, "why": KEPT}
    if isinstance(value, dict) and isinstance(value.get("deviceid"), str) and value["deviceid"]:
        return value
    return None


def _entries(path):
    return {host: entry for host, entry in ((host, _entry(value)) for host, value in _read(path).items()) if entry}


@contextlib.contextmanager
def _locked(path):
    directory = os.path.dirname(path) or "."
    with contextlib.ExitStack() as stack:
        try:
            os.makedirs(directory, exist_ok=True)
            stack.enter_context(file_lock(path + ".lock", mode=0o666))
        except OSError as exc:
            raise DeviceidStateError("deviceid_state_path %s cannot be created: %s" % (path, exc.strerror or exc))
        yield


def _write(path, entries):
    try:
        write_atomic(path, (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode("utf-8"), mode=0o600,
                     prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except OSError as exc:
        raise DeviceidStateError("deviceid_state_path %s cannot be written: %s" % (path, exc.strerror or exc))


def distinct_deviceid(deviceid, taken):
    """``deviceid`` or, when it is in ``taken``, the next one of the same form that is not: GLPI Agent's form gets
    one second later each time (``web-2026-12-06-05-37-25``), any other form a counter (``x-2``)."""
    if deviceid not in taken:
        return deviceid
    match = _AGENT_FORMAT.match(deviceid)
    if match:
        try:
            when = datetime.datetime.strptime(match.group("stamp"), _STAMP)
        except ValueError:
            match = None
    for step in range(1, 100000):
        if match:
            candidate = "%s-%s" % (match.group("host"), (when + datetime.timedelta(seconds=step)).strftime(_STAMP))
        else:
            candidate = "%s-%d" % (deviceid, step + 1)
        if candidate not in taken:
            return candidate
    raise DeviceidStateError("no distinct deviceid left for %s" % deviceid)


def settle_deviceid(path, host, deviceid, source, check_mode=False):
    """``(deviceid, source, note)``: the deviceid to report for ``host``, one no other host of the state has.

    ``source`` is the collector's (``option``, ``target``, ``created``, ``unsaved``, ``generated``).  A target that
    could not keep its deviceid gets the one the controller keeps (``controller``); a target whose own deviceid is
    another host's gets a distinct one, kept for the next runs (``controller``, ``note`` says why).  Check mode
    reads the state and writes nothing.
    """
    if check_mode:
        return _settle(_entries(path), host, deviceid, source)[:3]
    with _locked(path):
        entries = _entries(path)
        settled, settled_source, note, record = _settle(entries, host, deviceid, source)
        if record is not None and entries.get(host) != record:
            entries[host] = record
            _write(path, entries)
    return settled, settled_source, note


def _settle(entries, host, deviceid, source):
    """The pure decision: ``(deviceid, source, note, record)`` (``record``: this host's new entry, or None)."""
    mine = entries.get(host)
    others = {entry["deviceid"]: other for other, entry in entries.items() if other != host}
    if source in ("unsaved", "generated"):
        if mine:  # kept, assigned, or the one its target had until it could no longer keep it: the same agent
            return mine["deviceid"], "controller", None, (None if mine.get("why") != SEEN else {"deviceid": mine["deviceid"], "why": KEPT})
        if source == "generated":  # check mode: nothing is kept
            return deviceid, source, None, None
        kept = distinct_deviceid(deviceid, others)
        return kept, "controller", None, {"deviceid": kept, "why": KEPT}
    if mine and mine.get("why") == ASSIGNED and mine.get("target") == deviceid:
        return mine["deviceid"], "controller", None, None
    if source != "option" and deviceid in others:
        assigned = distinct_deviceid(deviceid, set(others) | {deviceid})
        note = ("deviceid %s of this target is already the deviceid of host %s: this host is inventoried as %s, kept in the "
                "controller's deviceid state for the next runs" % (deviceid, others[deviceid], assigned))
        return assigned, "controller", note, {"deviceid": assigned, "why": ASSIGNED, "target": deviceid}
    return deviceid, source, None, {"deviceid": deviceid, "why": SEEN}
