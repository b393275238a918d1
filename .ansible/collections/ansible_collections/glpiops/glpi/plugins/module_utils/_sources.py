# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read files and run commands on the target, each with its own time limit.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  ``AnsibleModule.run_command``
has no timeout, so one slow or hung source (a stuck NFS mount, a ``dmidecode`` on a
broken BIOS) would hang the whole host.  Every primitive here raises
:class:`SourceUnavailable` with a short reason instead, so the collector can drop
that source alone and report it as a warning.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess

# The C locale keeps command output parseable whatever the target's language is.
_C_LOCALE_ENV = {"LC_ALL": "C", "LANG": "C", "LANGUAGE": "C"}
_SEARCH_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_MAX_BYTES = 16 * 1024 * 1024


class SourceUnavailable(Exception):
    """A source could not be read: missing, not permitted, timed out or failed."""


def find_command(name, extra_paths=()):
    """Return the absolute path of ``name`` or ``None`` (searches sbin dirs too)."""
    dirs = list(os.environ.get("PATH", "").split(os.pathsep)) + list(_SEARCH_PATH) + list(extra_paths)
    for directory in dirs:
        if not directory:
            continue
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def run_command(argv, timeout, ok_rcs=(0,), stdin_data=None, env=None):
    """Run ``argv`` (a list, never a shell string) and return its stdout as text.

    Raises :class:`SourceUnavailable` when the command is missing, exits with a
    code outside ``ok_rcs``, or runs longer than ``timeout`` seconds (the whole
    process group is killed then).
    """
    path = argv[0] if os.path.isabs(argv[0]) else find_command(argv[0])
    if path is None:
        raise SourceUnavailable("command not found: %s" % argv[0])
    extra_env = env
    env = dict(os.environ)
    env.update(_C_LOCALE_ENV)
    env.update(extra_env or {})
    try:
        proc = subprocess.Popen(
            [path] + list(argv[1:]),
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise SourceUnavailable("cannot run %s: %s" % (argv[0], exc.strerror or exc))
    try:
        out, err = proc.communicate(input=stdin_data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise SourceUnavailable("%s timed out after %ss" % (argv[0], timeout))
    if proc.returncode not in ok_rcs:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise SourceUnavailable(
            "%s exited with rc %s%s" % (argv[0], proc.returncode, (": " + detail[-1][:200]) if detail else "")
        )
    return out.decode("utf-8", "replace")


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, OSError):
        pass


def read_text(path, max_bytes=_MAX_BYTES):
    """Return a file's content as text, or raise :class:`SourceUnavailable`."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes)
    except OSError as exc:
        raise SourceUnavailable(_os_reason(path, exc))
    return data.decode("utf-8", "replace")


def read_first_line(path):
    """Return the first line of a small file (sysfs attribute), stripped."""
    text = read_text(path, 65536)
    return text.splitlines()[0].strip() if text else ""


def read_attributes(directory, names):
    """Read sysfs-style attribute files; unreadable ones are left out.

    Returns a dict ``{name: stripped value}``.  Missing or refused attributes are
    normal in sysfs (a virtual NIC has no ``speed``), so they are not errors.
    """
    values = {}
    for name in names:
        try:
            values[name] = read_first_line(os.path.join(directory, name))
        except (SourceUnavailable, IndexError):
            continue
    return values


def list_dir(path):
    """Sorted directory entries, or raise :class:`SourceUnavailable`."""
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        raise SourceUnavailable(_os_reason(path, exc))


def link_basename(path):
    """Base name of a symlink's target (``.../drivers/e1000e`` -> ``e1000e``) or ``None``."""
    try:
        return os.path.basename(os.readlink(path))
    except OSError:
        return None


def _os_reason(path, exc):
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: %s" % path
    if exc.errno == errno.ENOENT:
        return "not found: %s" % path
    return "%s: %s" % (path, exc.strerror or exc)
