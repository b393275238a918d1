# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private OpenSSH server on 127.0.0.1 for integration tests.

The machine's own sshd (if any) is never touched: this server has its own host
keys, config, port, pid file and log, all under a temporary directory, and is
stopped by its PID.  Only the throwaway test user may log in, with a key made
for the run.
"""

from __future__ import annotations

import os
import pathlib
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SSHD = "/usr/sbin/sshd"
# The throwaway user the tests and the benchmark log in as.
TEST_USER = "glpiops-it"
_ACCEPTED = re.compile(r"Accepted publickey for (\S+) from 127\.0\.0\.1")


def ensure_openssh():
    """Install openssh-server/-client with apt-get when missing, without starting the system daemon."""
    if os.path.exists(SSHD) and shutil.which("ssh") and shutil.which("ssh-keygen"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # policy-rc.d 101: the package's postinst must not start (or enable) the system sshd.
    policy = pathlib.Path("/usr/sbin/policy-rc.d")
    had_policy = policy.exists()
    if not had_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True, timeout=600)
        proc = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "openssh-server", "openssh-client"],
                              check=False, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError("apt-get install openssh-server failed:\n%s%s" % (proc.stdout, proc.stderr))
    finally:
        if not had_policy:
            policy.unlink()
    if not os.path.exists(SSHD):
        raise RuntimeError("%s is still missing after installing openssh-server" % SSHD)


def ensure_packages(packages, paths):
    """Install Debian ``packages`` with apt-get unless every one of ``paths`` exists already."""
    if all(os.path.exists(path) for path in paths):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + list(packages),
                          check=False, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True, timeout=600)
        proc = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + list(packages),
                              check=False, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError("apt-get install %s failed:\n%s%s" % (" ".join(packages), proc.stdout, proc.stderr))


def ensure_user(name):
    """Create a login user with a home and /bin/sh when missing; return its passwd entry."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True, capture_output=True)
    # An account with a locked password ("!") is refused by sshd even for keys when UsePAM is off; "*" is not locked.
    subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True)
    return pwd.getpwnam(name)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SSHServer:
    """``start()`` a private sshd for ``user``; ``stop()`` ends it by PID."""

    host = "127.0.0.1"

    def __init__(self, user, port=None):
        self.user = user
        self.port = port or free_port()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="glpiops-sshd-"))
        # sshd (StrictModes) wants key files and their directories owned by root or the user, not group/world writable.
        self.dir.chmod(0o755)
        self.config_path = self.dir / "sshd_config"
        self.log_path = self.dir / "sshd.log"
        self.pid_path = self.dir / "sshd.pid"
        self.key_path = str(self.dir / "client_ed25519")
        self.known_hosts_path = str(self.dir / "known_hosts")
        entry = pwd.getpwnam(user)
        # sshd's StrictModes refuses key files under /tmp (world-writable): use the user's own ~/.ssh, as a real login does.
        # One file per server, never the shared authorized_keys: two servers alive at once (a module's own server
        # beside the shared fixture's, or two test runs on one machine) each replaced the other's key, and the loser's
        # logins failed with "Permission denied (publickey)", reported by Ansible as "unreachable".
        self.authorized_keys_path = pathlib.Path(entry.pw_dir) / ".ssh" / ("authorized_keys.glpiops-%d" % self.port)
        self._uid, self._gid = entry.pw_uid, entry.pw_gid
        self.pid = None

    # -- set-up --------------------------------------------------------------------------

    def _keygen(self, path, kind):
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "glpiops-it", "-f", str(path)],
                       check=True, capture_output=True)

    def _write_files(self):
        host_keys = []
        known = []
        for kind in ("ed25519", "rsa", "ecdsa"):
            path = self.dir / ("ssh_host_%s_key" % kind)
            self._keygen(path, kind)
            host_keys.append(path)
            public = (self.dir / ("ssh_host_%s_key.pub" % kind)).read_text().split()[:2]
            known.append("[%s]:%d %s" % (self.host, self.port, " ".join(public)))
        pathlib.Path(self.known_hosts_path).write_text("\n".join(known) + "\n")

        self._keygen(self.key_path, "ed25519")
        ssh_dir = self.authorized_keys_path.parent
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        self.authorized_keys_path.write_text(pathlib.Path(self.key_path + ".pub").read_text())
        self.authorized_keys_path.chmod(0o600)
        for path in (ssh_dir, self.authorized_keys_path):
            os.chown(path, self._uid, self._gid)

        lines = [
            "ListenAddress %s:%d" % (self.host, self.port),
            *("HostKey %s" % key for key in host_keys),
            "PidFile %s" % self.pid_path,
            "AuthorizedKeysFile %s" % self.authorized_keys_path,
            "AllowUsers %s" % self.user,
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin no",
            "UsePAM no",
            "StrictModes yes",
            "LogLevel VERBOSE",
            "MaxStartups 100:30:200",
            "MaxSessions 100",
            "Subsystem sftp internal-sftp",
        ]
        self.config_path.write_text("\n".join(lines) + "\n")

    def start(self, timeout=20):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation directory
        self._write_files()
        check = subprocess.run([SSHD, "-t", "-f", str(self.config_path)], check=False, capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("sshd -t rejected %s: %s" % (self.config_path, check.stderr))
        # sshd daemonises; it writes its PID file once it listens.
        subprocess.run([SSHD, "-f", str(self.config_path), "-E", str(self.log_path)], check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid_path.exists() and self.pid_path.read_text().strip():
                self.pid = int(self.pid_path.read_text().strip())
                if self._listening():
                    return self
            time.sleep(0.05)
        raise RuntimeError("sshd did not start on %s:%d; log:\n%s" % (self.host, self.port, self.log()))

    def _listening(self):
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as sock:
                return sock.recv(4).startswith(b"SSH-")
        except OSError:
            return False

    # -- tear-down -------------------------------------------------------------------------

    def stop(self, timeout=10):
        if self.pid is None:
            return
        # Sessions (kept open by the client's ControlPersist) are the listener's children: end them with it.
        for pid in [self.pid] + children(self.pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process_running(self.pid):
            time.sleep(0.05)
        if process_running(self.pid):
            os.kill(self.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)
        try:
            self.authorized_keys_path.unlink()
        except FileNotFoundError:
            pass

    # -- observation ------------------------------------------------------------------------

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def accepted_publickey_count(self):
        """How many public-key logins of ``user`` this server's log records."""
        return sum(1 for match in _ACCEPTED.finditer(self.log()) if match.group(1) == self.user)


def children(pid):
    """PIDs whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[-1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def process_running(pid):
    """True while ``pid`` runs; a zombie left for a non-reaping init counts as ended."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
