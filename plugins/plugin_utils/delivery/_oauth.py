# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""OAuth2 access tokens of the GLPI client: the cache the forked workers share, and secret fingerprints.

Private to the glpiops.glpi collection: no compatibility promise.

``TokenCache`` keeps one token per (token URL, client id, fingerprint of the client
secret) in files of mode 0600, under a file lock so that one worker fetches a token
while the others wait and then read it.  ``secret_fingerprint`` tells secrets apart
without storing them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._files import file_lock, write_atomic
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import DEFAULT_TOKEN_CACHE_PATH

TOKEN_MARGIN = 60  # seconds: a cached token this close to its end is renewed first


def secret_fingerprint(secret, context):
    """A slow, salted fingerprint of ``secret`` (PBKDF2-SHA256), to tell secrets apart without storing them."""
    salt = b"glpiops.glpi token cache\0" + context.encode("utf-8")
    return hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, 100000).hex()[:32]


class TokenCache:
    """Access tokens shared by the forked workers of a run, in files of mode 0600.

    One file per (token URL, client id, fingerprint of the client secret) in ``directory`` (mode 0700), guarded by
    an ``flock`` on a lock file beside it: the first worker that needs a token fetches it while the others wait,
    then they all read it.  A changed secret is another key: a token got with the old secret is never used for it.
    """

    def __init__(self, directory=DEFAULT_TOKEN_CACHE_PATH, clock=time.time):
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self._clock = clock

    def _paths(self, key):
        digest = hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:32]
        base = os.path.join(self.directory, "token-" + digest)
        return base + ".json", base + ".lock"

    @contextlib.contextmanager
    def _locked(self, key):
        """Hold the key's lock for a ``with`` block, which gets the token file's path; raises ``OSError`` when the
        directory cannot be used."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        if os.stat(self.directory).st_mode & 0o077:
            os.chmod(self.directory, 0o700)
        path, lock_path = self._paths(key)
        with file_lock(lock_path):
            yield path

    def _read(self, path):
        try:
            with open(path, "r", encoding="utf-8") as handle:
                data = json.loads(handle.read(65536))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        expires_at = data.get("expires_at")
        if not isinstance(expires_at, (int, float)) or expires_at - TOKEN_MARGIN <= self._clock():
            return None
        return data["access_token"]

    def get(self, key, fetch):
        """The cached token for ``key`` (a tuple of str), or ``fetch()`` -> ``(token, expires_in)`` stored.

        Raises ``OSError`` when the cache cannot be used (the caller then fetches without it).
        """
        with self._locked(key) as path:
            token = self._read(path)
            if token:
                return token
            token, expires_in = fetch()
            data = json.dumps({"access_token": token, "expires_at": self._clock() + expires_in}).encode("utf-8")
            write_atomic(path, data)
            return token

    def invalidate(self, key, token):
        """Forget ``token`` (GLPI refused it), unless another worker already replaced it."""
        with contextlib.ExitStack() as stack:
            try:
                path = stack.enter_context(self._locked(key))
            except OSError:
                return
            try:
                with open(path, "r", encoding="utf-8") as handle:
                    data = json.loads(handle.read(65536))
                if isinstance(data, dict) and data.get("access_token") == token:
                    os.unlink(path)
            except (OSError, ValueError, RecursionError):
                pass
