# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared integration fixtures: the real OpenSSH server on 127.0.0.1 and its throwaway user."""

from __future__ import annotations

import pytest

from _sshd import TEST_USER as USER, SSHServer, ensure_openssh, ensure_user, process_running  # noqa: E402  pylint: disable=import-error


@pytest.fixture(scope="module")
def sshd():
    """A private sshd (own config, host keys, port; LogLevel VERBOSE) for ``USER``, stopped by PID afterwards."""
    ensure_openssh()
    ensure_user(USER)
    server = SSHServer(user=USER)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert not process_running(server.pid), "sshd %s still running after stop()" % server.pid
