# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The GLPI agent identity of a target: its ``deviceid``.

Private to the glpiops.glpi collection: no compatibility promise.

GLPI finds an agent row by ``deviceid``, so it must stay the same from run to run.
GLPI Agent's ssh remote inventory keeps it in ``~/.glpi-agent-deviceid`` (one line)
in the home of the ssh login user; reading and writing that same file makes both
paths land on the same GLPI agent.  Target-side code: standard library only.
"""

from __future__ import annotations

import re
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._files import write_atomic

DEFAULT_DEVICEID_PATH = "~/.glpi-agent-deviceid"
_IP_RE = re.compile(r"^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)$")
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")
# What GLPI Agent reads whole from a remote URL's ``?deviceid=``: ASCII letters, digits, ``_``, ``.`` and ``-``, its
# pattern (``deviceid=([\w.-]+)\b``) ending on a word boundary.
URL_DEVICEID_RE = re.compile(r"\A[\w.-]*\w\Z", re.ASCII)


def make_deviceid(hostname, when=None):
    """GLPI Agent's format: ``<short hostname>-YYYY-MM-DD-HH-MM-SS`` in local time.

    A host name with characters a deviceid cannot hold (white space, a newline, ``/``) has each run of them written
    ``_``, the same way every run: the deviceid stays one token, and one file name on the controller.
    """
    host = (hostname or "").strip()
    if not _IP_RE.match(host):
        host = host.split(".", 1)[0]
    host = _UNSAFE_RE.sub("_", host).strip("_.") or "localhost"
    stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.localtime(when))
    return "%s-%s" % (host, stamp)


def valid_deviceid(value, in_url=False):
    """Whether ``value`` is a usable deviceid: one non-empty printable token (what the deviceid file may hold).

    ``in_url``: also one GLPI Agent reads whole from a remote URL's ``?deviceid=`` (:data:`URL_DEVICEID_RE`), a
    narrower set.  Every deviceid :func:`make_deviceid` makes is valid either way.
    """
    if not (bool(value) and not any(c.isspace() for c in value) and value.isprintable()):
        return False
    return not in_url or bool(URL_DEVICEID_RE.match(value))


def read_deviceid(path):
    """The deviceid stored at ``path``, or ``None`` when absent or unusable."""
    try:
        with open(path, "r") as handle:
            value = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value if valid_deviceid(value) else None


def write_deviceid(path, deviceid):
    """Store ``deviceid`` atomically (a crash leaves the old file or the new one)."""
    write_atomic(path, (deviceid + "\n").encode("utf-8"), mode=0o644, prefix=".glpi-agent-deviceid.", suffix="")


def resolve_deviceid(path, hostname, check_mode=False):
    """Return ``(deviceid, state, error)`` for the target.

    ``state`` is ``"read"`` (found at ``path``), ``"created"`` (generated and
    stored), ``"generated"`` (check mode: computed, not stored) or ``"unsaved"``
    (generated but ``path`` cannot be written; ``error`` says why).
    """
    existing = read_deviceid(path)
    if existing:
        return existing, "read", None
    deviceid = make_deviceid(hostname)
    if check_mode:
        return deviceid, "generated", None
    try:
        write_deviceid(path, deviceid)
    except OSError as exc:
        return deviceid, "unsaved", "cannot write %s: %s" % (path, exc.strerror or exc)
    return deviceid, "created", None
