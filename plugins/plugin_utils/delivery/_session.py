# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP transport of the GLPI client: one ``requests`` session per worker, and what a network failure means.

Private to the glpiops.glpi collection: no compatibility promise.

``worker_session()`` is this process's ``requests.Session`` (keep-alive across the
hosts a forked worker handles); its connections say which thread waits for the head
of an answer, so that ``cut_connection`` (the head-drip watchdog, armed by the client
for the delivery deadline) can shut down the socket of an answer that drips in.
``network_failure`` classifies a ``requests`` exception, ``describe_exception`` puts
it in a short, secret-free sentence.
"""

from __future__ import annotations

import errno
import os
import socket
import threading

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import display_url

try:
    import requests
    import requests.adapters
    import requests.exceptions
    import urllib3.exceptions
except ImportError as _import_error:  # pragma: no cover - sanity's import test runs without requests
    requests = None
    REQUESTS_IMPORT_ERROR = _import_error
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = requests is not None

_SESSIONS = {}
# Thread id -> the connection that thread is waiting on for the head of an answer (see _watched_pools).
_WAITING = {}


def _watched_pools():
    """urllib3 pool classes whose connections say, while they wait for an answer's head, which thread waits.

    A server can send the head of its answer one byte at a time, each byte within the read time-out: only closing
    the socket stops that.  ``GLPIClient._send`` arms a timer for the delivery deadline (``cut_connection``) that
    shuts down the connection its thread waits on.
    """
    from urllib3.connection import HTTPConnection, HTTPSConnection  # pylint: disable=import-outside-toplevel
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool  # pylint: disable=import-outside-toplevel

    class Watched(object):
        def getresponse(self, *args, **kwargs):
            _WAITING[threading.get_ident()] = self
            try:
                return super(Watched, self).getresponse(*args, **kwargs)
            finally:
                _WAITING.pop(threading.get_ident(), None)

    class WatchedHTTPConnection(Watched, HTTPConnection):
        pass

    class WatchedHTTPSConnection(Watched, HTTPSConnection):
        pass

    class WatchedHTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTPConnection

    class WatchedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPSConnection

    return {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


def cut_connection(thread_id, fired):
    """The delivery deadline passed: shut down the connection ``thread_id`` waits on, if it waits."""
    fired.set()
    connection = _WAITING.get(thread_id)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def watched_session():
    """A new ``requests.Session`` whose direct connections are watched, so that a deadline (``cut_connection``) can
    cut an answer whose head drips in (not through a proxy)."""
    session = requests.Session()
    pools = _watched_pools()
    for prefix in ("http://", "https://"):
        adapter = requests.adapters.HTTPAdapter()
        adapter.poolmanager.pool_classes_by_scheme = dict(pools)
        session.mount(prefix, adapter)
    return session


def worker_session():
    """This process's ``watched_session()`` (one per forked worker, reused for keep-alive)."""
    pid = os.getpid()
    session = _SESSIONS.get(pid)
    if session is None:
        _SESSIONS.clear()  # sessions inherited from the parent must not be shared
        session = _SESSIONS[pid] = watched_session()
    return session


class Dripped(GLPIOpsError):
    """The answer was still coming in when the deadline passed."""


def read_body(raw, limit, remaining):
    """At most ``limit`` + 1 bytes of an answer (``raw``: urllib3's response), as they come, no content decoding.

    ``remaining()`` gives the seconds left before the caller's deadline (``None``: no deadline); it is checked
    between two reads, each bounded by the read time-out, and ``Dripped`` is raised when it passed before the end.
    urllib3's own errors while reading become the ``requests`` exceptions they mean (``ReadTimeout``,
    ``ChunkedEncodingError``), which ``network_failure`` classifies like the others.
    """
    try:
        if not hasattr(raw, "read1"):  # urllib3 older than 2.3: the socket time-out still bounds each read
            return raw.read(limit + 1, decode_content=False) or b""
        chunks, size = [], 0
        while size <= limit:
            left = remaining()
            if left is not None and left <= 0:
                raise Dripped()
            chunk = raw.read1(min(65536, limit + 1 - size), decode_content=False)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc


def _exception_chain(exc, depth=8):
    """``exc`` and the exceptions it wraps (``args``, urllib3's ``reason``, causes), breadth first, bounded."""
    seen, queue, chain = set(), [exc], []
    while queue and len(chain) < depth * 4:
        current = queue.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        chain.append(current)
        queue.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        queue.extend(item for item in (getattr(current, "reason", None), current.__cause__, current.__context__)
                     if isinstance(item, BaseException))
    return chain


def network_failure(exc):
    """What a ``requests`` exception means: ``refused``, ``unresolved``, ``connect_timeout``, ``read_timeout``,
    ``aborted`` (the connection broke once the request was under way), ``tls``, ``proxy`` or ``other``."""
    if requests is not None:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return "connect_timeout"
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return "read_timeout"
        if isinstance(exc, requests.exceptions.SSLError):
            return "tls"
    chain = _exception_chain(exc)
    names = {type(item).__name__ for item in chain}
    for item in chain:
        if isinstance(item, socket.gaierror) or type(item).__name__ == "NameResolutionError":
            return "unresolved"
        if isinstance(item, ConnectionRefusedError) or getattr(item, "errno", None) == errno.ECONNREFUSED:
            return "refused"
    if requests is not None and isinstance(exc, requests.exceptions.ProxyError):
        return "proxy"
    if names & {"NewConnectionError", "ConnectTimeoutError"}:
        return "refused" if "NewConnectionError" in names else "connect_timeout"
    if names & {"ProtocolError", "RemoteDisconnected", "ConnectionResetError", "BrokenPipeError", "IncompleteRead",
                "ChunkedEncodingError"}:
        return "aborted"
    if requests is not None and isinstance(exc, requests.exceptions.Timeout):
        return "read_timeout"
    return "other"


def _innermost(exc):
    """The most telling words of a ``requests`` exception: the innermost OS or TLS error, one line."""
    for item in reversed(_exception_chain(exc)):
        if isinstance(item, OSError) and (item.strerror or getattr(item, "reason", None)):
            text = item.strerror or str(item.reason)
            return "[Errno %s] %s" % (item.errno, text) if item.errno else text
    text = " ".join(str(exc).split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(exc).__name__)


_FAILURE_WORDS = {
    "refused": "%s refused the connection",
    "unresolved": "the host name of %s does not resolve",
    "connect_timeout": "no connection to %s in time",
    "read_timeout": "no answer from %s in time",
    "aborted": "the connection to %s broke before GLPI answered",
    "proxy": "cannot reach %s through the proxy",
    "tls": "TLS error with %s",
    "other": "request to %s failed",
}


def describe_exception(exc, url, failure=None):
    """A short, secret-free sentence for a ``requests`` exception."""
    failure = failure or network_failure(exc)
    words = _FAILURE_WORDS[failure] % display_url(url)
    if failure in ("read_timeout", "connect_timeout"):
        return "%s (%s)" % (words, type(exc).__name__)
    return "%s: %s" % (words, _innermost(exc))
