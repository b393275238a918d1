# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one process on the target with a deadline and output caps, and kill everything it started when it overruns.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  ``AnsibleModule.run_command`` has no time-out and no output
cap: a hung ``glpi-agent``, GLPI console or ``dmidecode`` would hold the task forever, a runaway one exhaust the
target's memory.  ``run_process`` is the one way the collection runs a program: an argv list (never a shell
string), optional bytes on stdin, stdout and stderr read as they come up to their caps, and at ``timeout`` seconds
the program's process group and every process still holding its pipes killed (see ``_kill_everything``).
"""

from __future__ import annotations

import collections
import os
import selectors
import signal
import subprocess
import time

# How long the pipes may stay open once the command has exited: longer means a daemonized child holds them.
_EXIT_GRACE = 0.5
# How long to wait for a killed process to be reaped (one stuck in the kernel cannot be, and is left behind).
_REAP_WAIT = 2
_READ_CHUNK = 65536

# ``stop``: None when the program finished by itself; "timeout", "stdout" or "stderr" (that stream passed its cap)
# when it was killed.  ``stdout``/``stderr``: bytes, at most cap + 1 each.
Finished = collections.namedtuple("Finished", "rc stdout stderr stop")


def run_process(argv, timeout, stdin_data=None, env=None, cwd=None, max_output=32 << 20, max_errors=1 << 20, ends=None):
    """Run ``argv`` (``argv[0]`` an absolute path or a name ``subprocess`` finds) and return ``Finished``.

    ``timeout``: seconds before it is killed; ``ends`` (``time.monotonic``) an earlier end when given.  ``env``: the
    whole environment (``None``: this process's).  Raises ``OSError`` when it cannot be started.
    """
    limit = time.monotonic() + timeout
    ends = limit if ends is None else min(ends, limit)
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        list(argv),
        stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,  # its own process group, killed whole
    )
    try:
        out, err, stop = _read_output(proc, stdin_data, ends, max_output, max_errors)
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return Finished(proc.returncode, out, err, stop)


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
