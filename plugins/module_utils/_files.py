# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's one atomic file writer and one file lock (controller and target side).

Private to the glpiops.glpi collection: no compatibility promise.

``write_atomic``: a reader sees the old file or the new one, never half of one, and
a crash after it returned keeps the new one: the data is written to a temporary file
in the same directory, synced, renamed over the target, and the directory synced.

``file_lock``: an exclusive ``flock`` on a lock file, held for a ``with`` block:
blocking, or tried until a deadline (``wait``) with an injectable clock and sleep;
given several lock files, it holds whichever one comes free first.

Standard library only, Python 3.8+: modules use it on the targets.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import tempfile
import time
from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError


class TemporaryFileError(GLPIOpsError, OSError):
    """``write_atomic`` could not create its temporary file: the directory is not writable (nothing was written)."""


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


def write_atomic(path, data, mode=0o600, prefix=".tmp-", suffix=".part"):
    """Replace ``path`` with the bytes ``data`` (file mode ``mode``) atomically and durably.

    The temporary file, ``<prefix><random><suffix>`` beside ``path``, is removed when anything fails.  Raises
    ``TemporaryFileError`` (an ``OSError``) when it cannot be created, ``OSError`` for any later failure.
    """
    directory = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
    except OSError as exc:
        error = TemporaryFileError(*exc.args)
        error.filename = exc.filename
        raise error from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_directory(directory)


def _try_lock(fd):
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def file_lock(path, wait=None, sleep=time.sleep, clock=time.monotonic, pause=0.05, mode=0o600):
    """Hold an exclusive ``flock`` on the lock file ``path`` (created with ``mode`` when missing) for a ``with`` block.

    ``wait=None``: block until it is held, yield True.  Else try at once, then every ``pause`` seconds (a number, or a
    function returning one) on ``clock`` until ``wait`` seconds passed, and yield False when it never came free.
    ``path`` may be a list of lock files: one of them is held, whichever is free (tried in a new random order each
    round, so that waiters spread over them; a list needs a ``wait``).  Raises ``OSError`` when a lock file cannot be
    opened or locked (nothing is held then).
    """
    paths = [path] if isinstance(path, (str, bytes, os.PathLike)) else list(path)
    if wait is None and len(paths) != 1:
        raise ValueError("file_lock: blocking on several lock files is not supported, give a wait")
    fds = []
    try:
        for one in paths:
            fds.append(os.open(one, os.O_RDWR | os.O_CREAT, mode))
        held = _acquire(fds, wait, sleep, clock, pause)
        if held is None:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    finally:
        for fd in fds:
            os.close(fd)


def _acquire(fds, wait, sleep, clock, pause):
    """The descriptor of ``fds`` now locked, or None when none came free within ``wait`` seconds."""
    if wait is None:
        fcntl.flock(fds[0], fcntl.LOCK_EX)
        return fds[0]
    deadline = clock() + max(0.0, wait)
    order = list(fds)
    while True:
        if len(order) > 1:
            random.shuffle(order)
        for fd in order:
            if _try_lock(fd):
                return fd
        if clock() >= deadline:
            return None
        sleep(pause() if callable(pause) else pause)
