# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The "local" target: ``<deviceid>.json`` files in a directory on the controller.

Private to the glpiops.glpi collection: no compatibility promise.

Files are replaced atomically (``module_utils._files.write_atomic``), so a reader
or a crash sees the old document or the new one, never half of one.
"""

from __future__ import annotations

import os

from ansible_collections.glpiops.glpi.plugins.module_utils._files import TemporaryFileError, write_atomic


class LocalTargetError(Exception):
    """The directory or the file cannot be written; the message says which and why."""


def document_path(directory, deviceid):
    """``<directory>/<deviceid>.json``; a deviceid that is not a plain file name is refused."""
    if not deviceid or deviceid in (".", "..") or "/" in deviceid or "\\" in deviceid or "\x00" in deviceid:
        raise LocalTargetError("deviceid %r cannot be used as a file name" % deviceid)
    return os.path.join(directory, deviceid + ".json")


def read_document_text(path):
    """The current content of ``path``, or ``None`` when it does not exist or cannot be read."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def write_document_text(path, text, mode=0o644):
    """Write ``text`` to ``path`` atomically, creating the directory when missing."""
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise LocalTargetError("local_path %s cannot be created: %s" % (directory, exc.strerror or exc))
    if not os.path.isdir(directory):
        raise LocalTargetError("local_path %s is not a directory" % directory)
    try:
        write_atomic(path, text.encode("utf-8"), mode=mode, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except TemporaryFileError as exc:
        raise LocalTargetError("local_path %s is not writable: %s" % (directory, exc.strerror or exc))
    except OSError as exc:
        raise LocalTargetError("%s cannot be written: %s" % (path, exc.strerror or exc))
