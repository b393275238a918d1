# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Atomic, durable writes of the controller's own files (spool, token cache).

Private to the glpiops.glpi collection: no compatibility promise.

A reader sees the old file or the new one, never half of one, and a crash after
``write_atomic`` returned keeps the new one: the data is written to a temporary file
in the same directory, synced, renamed over the target, and the directory synced.
"""

from __future__ import annotations

import os
import tempfile


def fsync_directory(path):
    """Make a rename in ``path`` durable; a filesystem that cannot sync directories is left as it is."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path, data, mode=0o600, prefix=".tmp-"):
    """Replace ``path`` with the bytes ``data`` (file mode ``mode``) atomically; raises ``OSError``."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_directory(directory)
