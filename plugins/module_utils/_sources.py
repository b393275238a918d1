# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read files and run commands on the target, each with its own limits.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  ``AnsibleModule.run_command``
has no timeout and no output cap, so one slow, hung or runaway source (a stuck NFS
mount, a ``dmidecode`` on a broken BIOS, a 200 MB ``lspci``) would hang the whole host
or exhaust its memory.  Every primitive here raises :class:`SourceUnavailable` with a
short reason instead, so the collector can drop that source alone and report it as a
warning; :class:`SourceCutShort` when a limit (time-out, output cap, the collection's
deadline) cut the source short, so the inventory can say it is incomplete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import signal
import subprocess
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable

# The C locale keeps command output parseable whatever the target's language is.
_C_LOCALE_ENV = {"LC_ALL": "C", "LANG": "C", "LANGUAGE": "C"}
_SEARCH_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_MAX_BYTES = 16 * 1024 * 1024
# Output caps of one command.  The largest honest outputs are a few MB (rpm/dpkg queries of thousands of packages,
# ps of a busy host) and the kernel's largest ring buffer is 32 MiB; stderr is only read for its last line.
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
MAX_ERROR_BYTES = 1024 * 1024
# How long the pipes may stay open once the command has exited: longer means a daemonized child holds them.
_EXIT_GRACE = 0.5
# How long to wait for a killed process to be reaped (one stuck in the kernel cannot be, and is left behind).
_REAP_WAIT = 2
_READ_CHUNK = 65536


# The limits of the source the collector runs now (see Limits.applied); None outside a collection.
_active = None


class SourceUnavailable(GLPIOpsError):
    """A source could not be read: missing, not permitted, timed out or failed."""


class SourceCutShort(SourceUnavailable):
    """A source a limit cut short: its time-out, its output cap, or the collection's deadline."""


class Limits(object):
    """The deadline of the whole collection (``time.monotonic``), and the reason of every read it or a cap cut short.

    ``seconds`` 0 or ``None``: no deadline.  The collector makes one ``Limits`` the active one while a source runs
    (:meth:`applied`), so that the commands a source runs deep inside (one per disk, one per snap) obey it too and
    the cuts of the commands the source swallowed are still known.
    """

    def __init__(self, seconds=None):
        self.seconds = seconds or None
        self.ends = time.monotonic() + seconds if seconds else None
        self.cuts = []

    def remaining(self):
        """Seconds left, ``None`` without a deadline."""
        return None if self.ends is None else self.ends - time.monotonic()

    def passed(self):
        return self.ends is not None and time.monotonic() >= self.ends

    def deadline_reason(self):
        return "collection deadline of %s s passed" % self.seconds

    def cut(self, reason):
        """Record ``reason`` and return the :class:`SourceCutShort` to raise."""
        self.cuts.append(reason)
        return SourceCutShort(reason)

    @contextlib.contextmanager
    def applied(self):
        """Make these the limits of every read and command until the block ends."""
        global _active  # pylint: disable=global-statement
        previous, _active = _active, self
        try:
            yield self
        finally:
            _active = previous


def _limits(limits):
    return limits or _active or Limits()


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


def run_command(argv, timeout, ok_rcs=(0,), stdin_data=None, env=None, max_output=MAX_OUTPUT_BYTES,
                max_errors=MAX_ERROR_BYTES, limits=None):
    """Run ``argv`` (a list, never a shell string) and return its stdout as text.

    Raises :class:`SourceUnavailable` when the command is missing or exits with a code outside ``ok_rcs``, and
    :class:`SourceCutShort` when it runs longer than ``timeout`` seconds or than the collection's deadline allows,
    or writes more than ``max_output`` bytes to stdout or ``max_errors`` to stderr.  Every process the command
    started is killed then, even one that left its process group (see :func:`_kill_everything`).
    """
    rc, out, err = run_process(argv, timeout, stdin_data=stdin_data, env=env, max_output=max_output, max_errors=max_errors,
                               limits=limits)
    if rc not in ok_rcs:
        detail = err.strip().splitlines()
        raise SourceUnavailable(
            "%s exited with rc %s%s" % (argv[0], rc, (": " + printable(detail[-1][:200])) if detail else "")
        )
    return out


def run_process(argv, timeout, stdin_data=None, env=None, cwd=None, max_output=MAX_OUTPUT_BYTES, max_errors=MAX_ERROR_BYTES,
                limits=None):
    """Run ``argv`` with the limits of :func:`run_command`; ``(rc, stdout, stderr)`` as text, whatever the rc.

    Raises :class:`SourceUnavailable` when the command cannot be started, :class:`SourceCutShort` when a limit cut it short.
    """
    limits = _limits(limits)
    path = argv[0] if os.path.isabs(argv[0]) else find_command(argv[0])
    if path is None:
        raise SourceUnavailable("command not found: %s" % argv[0])
    remaining = limits.remaining()
    if remaining is not None and remaining <= 0:
        raise limits.cut("%s skipped: %s" % (argv[0], limits.deadline_reason()))
    by_deadline = remaining is not None and remaining < timeout
    ends = time.monotonic() + (remaining if by_deadline else timeout)
    extra_env = env
    env = dict(os.environ)
    env.update(_C_LOCALE_ENV)
    env.update(extra_env or {})
    try:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [path] + list(argv[1:]),
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its own process group, killed whole
        )
    except OSError as exc:
        raise SourceUnavailable("cannot run %s: %s" % (argv[0], exc.strerror or exc))
    try:
        out, err, stop = _read_output(proc, stdin_data, ends, max_output, max_errors)
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    if stop == "timeout" and by_deadline:
        raise limits.cut("%s cut short: %s" % (argv[0], limits.deadline_reason()))
    if stop == "timeout":
        raise limits.cut("%s timed out after %ss" % (argv[0], timeout))
    if stop == "stdout":
        raise limits.cut("%s output larger than %d bytes: cut short" % (argv[0], max_output))
    if stop == "stderr":
        raise limits.cut("%s error output larger than %d bytes: cut short" % (argv[0], max_errors))
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _read_output(proc, stdin_data, ends, max_output, max_errors):
    """Feed stdin and read stdout and stderr as they come, until the command has exited and closed them.

    Returns ``(stdout, stderr, stop)``: ``stop`` is ``None`` when the command finished, ``"timeout"`` when ``ends``
    (``time.monotonic``) came first, ``"stdout"``/``"stderr"`` when that stream passed its cap.  The command and
    what it started are killed on a stop, and also when the pipes stay open after it exited (a daemonized child
    holding them): nothing here waits past ``ends``.
    """
    streams = {proc.stdout.fileno(): ("stdout", bytearray(), max_output), proc.stderr.fileno(): ("stderr", bytearray(), max_errors)}
    # The read and write ends of a pipe share one inode: it finds the processes that still hold the write end.
    inodes = {os.fstat(fd).st_ino for fd in streams}
    pending = memoryview(stdin_data) if stdin_data is not None else None
    stop, exited_at = None, None
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        if pending is not None:
            os.set_blocking(proc.stdin.fileno(), False)
            selector.register(proc.stdin.fileno(), selectors.EVENT_WRITE)
        while stop is None and selector.get_map():
            now = time.monotonic()
            if now >= ends:
                stop = "timeout"
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at >= _EXIT_GRACE:
                break  # exited, but something it started keeps the pipes open: not worth waiting for
            # Wake up now and then to see the command exit while a child holds the pipes.
            for key, _events in selector.select(min(ends - now, _EXIT_GRACE / 2)):
                if key.fd not in streams:
                    pending = _feed(proc, selector, pending)
                    continue
                name, buffer, cap = streams[key.fd]
                chunk = _read_chunk(key.fd, min(_READ_CHUNK, cap + 1 - len(buffer)))
                if chunk is None:
                    continue
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                buffer.extend(chunk)
                if len(buffer) > cap:
                    stop = name
                    break
        open_pipes = any(fd in streams for fd in selector.get_map())
    if stop is None and not open_pipes:
        stop = _wait(proc, ends)
    if stop is not None or open_pipes:
        _kill_everything(proc, inodes)
    return bytes(streams[proc.stdout.fileno()][1]), bytes(streams[proc.stderr.fileno()][1]), stop


def _read_chunk(fd, size):
    try:
        return os.read(fd, size)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _feed(proc, selector, pending):
    """Write what the pipe takes of ``pending``; close stdin when all is written or the command stopped reading."""
    try:
        written = os.write(proc.stdin.fileno(), pending[:_READ_CHUNK])
    except BlockingIOError:
        return pending
    except OSError:  # EPIPE: the command does not read its input
        written = len(pending)
    pending = pending[written:]
    if not pending:
        selector.unregister(proc.stdin.fileno())
        proc.stdin.close()
    return pending


def _wait(proc, ends):
    """Wait for the command to exit until ``ends``; ``"timeout"`` when it does not (it closed its output early)."""
    try:
        proc.wait(timeout=max(0, ends - time.monotonic()))
    except subprocess.TimeoutExpired:
        return "timeout"
    return None


def _kill_everything(proc, inodes):
    """Kill the command's process group, then (Linux) every process that still holds its stdout or stderr.

    A child that called ``setsid()`` left the group and would outlive the command; on Linux ``/proc`` tells
    which processes hold the pipes.  Elsewhere such a child is left to die of ``SIGPIPE`` once our ends are closed.
    """
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for _round in range(3):  # a holder may have forked while it was killed
        holders = _pipe_holders(inodes)
        if not holders:
            break
        for pid in holders:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)
    try:
        proc.wait(timeout=_REAP_WAIT)
    except subprocess.TimeoutExpired:
        pass  # stuck in the kernel (a hung NFS mount): it cannot be reaped, and is not waited for


def _pipe_holders(inodes):
    """Pids, other than this process, that have one of the pipes ``inodes`` open (``/proc``: Linux only)."""
    wanted = {"pipe:[%d]" % inode for inode in inodes}
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return set()
    own = str(os.getpid())
    holders = set()
    for pid in pids:
        if pid == own:
            continue
        directory = "/proc/%s/fd" % pid
        try:
            fds = os.listdir(directory)
        except OSError:
            continue  # gone, or another user's (then not ours to kill either)
        for fd in fds:
            try:
                if os.readlink(os.path.join(directory, fd)) in wanted:
                    holders.add(int(pid))
                    break
            except OSError:
                continue
    return holders


def read_text(path, max_bytes=_MAX_BYTES, whole=True, limits=None):
    """Return a file's content as text, or raise :class:`SourceUnavailable`.

    A file larger than ``max_bytes`` raises :class:`SourceCutShort`: half a package database or half a log would be
    taken for the whole.  ``whole=False`` returns its first ``max_bytes`` instead, for a reader that wants a head.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SourceUnavailable(_os_reason(path, exc))
    if len(data) > max_bytes:
        if whole:
            raise _limits(limits).cut("%s larger than %d bytes: cut short" % (path, max_bytes))
        data = data[:max_bytes]
    return data.decode("utf-8", "replace")


def read_first_line(path):
    """Return the first line of a small file (sysfs attribute), stripped."""
    text = read_text(path, 65536, whole=False)
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
