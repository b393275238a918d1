# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sshd harness itself: a real login works, only with the run's key, and stop() ends the server."""

from __future__ import annotations

import os
import subprocess

import pytest

from _sshd import SSHServer, ensure_openssh, ensure_user, process_running  # noqa: E402  pylint: disable=import-error

USER = "glpiops-it"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: installs openssh-server, creates a throwaway user")


def ssh(server, *command, key=None):
    args = ["ssh", "-p", str(server.port), "-i", key or server.key_path, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=%s" % server.known_hosts_path, "-o", "StrictHostKeyChecking=yes",
            "%s@%s" % (server.user, server.host)] + list(command)
    return subprocess.run(args, check=False, capture_output=True, text=True, timeout=60)


def test_login_runs_as_the_user_and_is_logged_then_stop_ends_the_daemon(tmp_path):
    ensure_openssh()
    ensure_user(USER)
    server = SSHServer(user=USER).start()
    try:
        proc = ssh(server, "id", "-un")
        assert proc.returncode == 0, proc.stderr + server.log()
        assert proc.stdout.strip() == USER
        assert server.accepted_publickey_count() == 1

        other = tmp_path / "other_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
        refused = ssh(server, "true", key=str(other))
        assert refused.returncode == 255 and "Permission denied" in refused.stderr
        assert server.accepted_publickey_count() == 1
    finally:
        server.stop()
    assert not process_running(server.pid)
    probe = ssh(server, "true")
    assert probe.returncode == 255
