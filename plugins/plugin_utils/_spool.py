# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller's spool of inventory documents GLPI could not be reached for.

Private to the glpiops.glpi collection: no compatibility promise.

One directory (mode 0700) on the controller, one file (mode 0600) per document:
``<created ns, 20 digits>-<server key>-<random>.json``, a JSON envelope
``{"format": 1, "server": ..., "deviceid": ..., "created": ..., "document": {...}}``
so the names sort oldest first and the server a document is for is known
without reading it.

Ansible runs each host's task in its own forked worker, so several processes use
the spool at once.  The rules that keep every document sent once and never lost:

- ``put`` writes a hidden temporary file, fsyncs it and renames it into place:
  a reader sees the whole document or nothing.
- A worker ``claim``s a document by renaming it to
  ``<name>.claimed-<pid>-<unix time>`` before sending it.  ``rename`` is atomic,
  so exactly one worker gets it; the others skip it.
- The claimed file is deleted (``complete``) only after GLPI accepted the
  document, renamed back (``release``) when GLPI could not be reached, or moved
  to ``rejected/`` (``reject``) when GLPI refused it, so that one bad document
  cannot block the queue.
- ``recover`` renames back the claims of workers that died (their pid is gone)
  or that are older than ``stale_after`` seconds.

The spool belongs to one controller: pids of another machine mean nothing here.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import re
import time

from ansible_collections.glpiops.glpi.plugins.plugin_utils._atomic import fsync_directory, write_atomic

SENT = "sent"
REJECTED = "rejected"
UNREACHABLE = "unreachable"

FORMAT = 1
REJECTED_DIR = "rejected"
_ENTRY_RE = re.compile(r"^(\d{20})-([0-9a-f]{12})-([0-9a-f]{8,32})\.json$")
_CLAIM_RE = re.compile(r"^(?P<entry>\d{20}-[0-9a-f]{12}-[0-9a-f]{8,32}\.json)\.claimed-(?P<pid>\d+)-(?P<ts>\d+)$")


class SpoolError(Exception):
    """The spool directory or one of its files cannot be used."""


class SpoolCorrupt(SpoolError):
    """A spooled file that is not a spool envelope."""


def server_key(server):
    """The 12 hex digits that tag a server's documents in their file names."""
    return hashlib.sha256(str(server).encode("utf-8")).hexdigest()[:12]


@dataclasses.dataclass(frozen=True)
class SpoolEntry:
    """A spooled document, as loaded from its claimed file."""

    name: str
    server: str
    deviceid: str | None
    created: float
    document: object


@dataclasses.dataclass(frozen=True)
class Claim:
    """A document this process claimed: ``name`` is its spool name, ``path`` the claimed file."""

    name: str
    path: str


@dataclasses.dataclass
class DrainReport:
    """What ``Spool.drain`` did: names sent and rejected, whether it stopped, what is left."""

    sent: list = dataclasses.field(default_factory=list)
    rejected: list = dataclasses.field(default_factory=list)
    unreachable: bool = False
    remaining: int = 0
    recovered: int = 0

    def as_dict(self):
        return dataclasses.asdict(self)


def _pid_alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError as exc:
        return exc.errno != errno.ESRCH
    return True


class Spool:
    """A spool directory; see the module's docstring for the rules."""

    def __init__(self, path, stale_after=3600, clock=time.time):
        self.path = os.path.abspath(os.path.expanduser(str(path)))
        self.stale_after = stale_after
        self._clock = clock

    # -- directory -------------------------------------------------------
    def _ensure(self, path=None):
        path = path or self.path
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o700)
        except OSError as exc:
            raise SpoolError("cannot use the spool directory %s: %s" % (path, exc.strerror or exc)) from None
        return path

    def _names(self):
        try:
            return sorted(os.listdir(self.path))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SpoolError("cannot read the spool directory %s: %s" % (self.path, exc.strerror or exc)) from None

    # -- writing ---------------------------------------------------------
    def put(self, document, server, deviceid=None):
        """Spool ``document`` for ``server``; returns its name.  Atomic and durable."""
        self._ensure()
        if deviceid is None and isinstance(document, dict) and isinstance(document.get("deviceid"), str):
            deviceid = document["deviceid"]
        created = self._clock()
        envelope = {"format": FORMAT, "server": server, "deviceid": deviceid, "created": created, "document": document}
        data = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        stamp = int(created * 1e9)
        name = "%020d-%s-%s.json" % (stamp, server_key(server), os.urandom(8).hex())
        try:
            write_atomic(os.path.join(self.path, name), data)
        except OSError as exc:
            raise SpoolError("cannot write to the spool directory %s: %s" % (self.path, exc.strerror or exc)) from None
        return name

    # -- when GLPI last accepted a host's inventory (for contact's expiration) --
    def _accepted_path(self, server, deviceid):
        digest = hashlib.sha256(str(deviceid).encode("utf-8")).hexdigest()[:16]
        return os.path.join(self.path, "accepted"), "%s-%s" % (server_key(server), digest)

    def now(self):
        """This spool's clock (``time.time`` unless a test gave another)."""
        return self._clock()

    def last_accepted(self, server, deviceid):
        """The time GLPI ``server`` last accepted ``deviceid``'s inventory, as noted by ``note_accepted``; or None."""
        directory, name = self._accepted_path(server, deviceid)
        try:
            with open(os.path.join(directory, name), "r", encoding="utf-8") as handle:
                return float(handle.read().strip())
        except (OSError, ValueError):
            return None

    def note_accepted(self, server, deviceid, when=None):
        """Remember that ``server`` accepted ``deviceid``'s inventory now (or at ``when``); errors are ignored."""
        directory, name = self._accepted_path(server, deviceid)
        try:
            self._ensure(directory)
            write_atomic(os.path.join(directory, name), ("%.3f\n" % (self._clock() if when is None else when)).encode("ascii"))
        except (OSError, SpoolError):
            pass

    # -- reading ---------------------------------------------------------
    def pending(self, server=None):
        """Names of the unclaimed documents (for ``server`` only, when given), oldest first."""
        key = server_key(server) if server is not None else None
        names = []
        for name in self._names():
            match = _ENTRY_RE.match(name)
            if match and (key is None or match.group(2) == key):
                names.append(name)
        return names

    def claimed(self):
        """Names of the claimed files, whoever holds them."""
        return [name for name in self._names() if _CLAIM_RE.match(name)]

    def claim(self, name):
        """Claim ``name`` for this process; ``None`` when another worker was first."""
        if not _ENTRY_RE.match(name):
            raise ValueError("not a spool entry name: %r" % name)
        claimed = "%s.claimed-%d-%d" % (name, os.getpid(), int(self._clock()))
        source = os.path.join(self.path, name)
        target = os.path.join(self.path, claimed)
        try:
            os.rename(source, target)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SpoolError("cannot claim %s: %s" % (source, exc.strerror or exc)) from None
        return Claim(name=name, path=target)

    def load(self, claim):
        """The ``SpoolEntry`` of a claim; raises ``SpoolCorrupt`` for a file that is not an envelope."""
        try:
            with open(claim.path, "rb") as handle:
                envelope = json.loads(handle.read().decode("utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise SpoolCorrupt("cannot read spooled document %s: %s" % (claim.name, exc)) from None
        if (
            not isinstance(envelope, dict) or envelope.get("format") != FORMAT
            or not isinstance(envelope.get("server"), str) or "document" not in envelope
        ):
            raise SpoolCorrupt("spooled file %s is not a spool envelope" % claim.name)
        created = envelope.get("created")
        return SpoolEntry(
            name=claim.name,
            server=envelope["server"],
            deviceid=envelope.get("deviceid") if isinstance(envelope.get("deviceid"), str) else None,
            created=float(created) if isinstance(created, (int, float)) and not isinstance(created, bool) else 0.0,
            document=envelope["document"],
        )

    # -- ending a claim --------------------------------------------------
    def complete(self, claim):
        """GLPI accepted it: delete the claimed file (gone already is fine: a stale claim was recovered)."""
        try:
            os.unlink(claim.path)
        except FileNotFoundError:
            return
        fsync_directory(self.path)

    def release(self, claim):
        """Not sent: give the document back to the queue under its own name."""
        try:
            os.rename(claim.path, os.path.join(self.path, claim.name))
        except FileNotFoundError:
            pass

    def reject(self, claim, reason=None):
        """GLPI refused it: move it to ``rejected/`` with a ``.reason`` file beside it."""
        directory = self._ensure(os.path.join(self.path, REJECTED_DIR))
        try:
            os.rename(claim.path, os.path.join(directory, claim.name))
        except FileNotFoundError:
            return
        if reason:
            try:
                write_atomic(os.path.join(directory, claim.name + ".reason"), (str(reason) + "\n").encode("utf-8"))
            except OSError:
                pass

    def rejected(self):
        """Names of the documents in ``rejected/``."""
        try:
            return sorted(name for name in os.listdir(os.path.join(self.path, REJECTED_DIR)) if _ENTRY_RE.match(name))
        except OSError:
            return []

    def recover(self):
        """Give back the claims of dead workers and the stale ones; returns how many."""
        now = self._clock()
        recovered = 0
        for name in self.claimed():
            match = _CLAIM_RE.match(name)
            pid, stamp = int(match.group("pid")), int(match.group("ts"))
            stale = self.stale_after is not None and now - stamp > self.stale_after
            if pid == os.getpid() and not stale:
                continue
            if not stale and _pid_alive(pid):
                continue
            try:
                os.rename(os.path.join(self.path, name), os.path.join(self.path, match.group("entry")))
            except FileNotFoundError:
                continue
            recovered += 1
        return recovered

    # -- the loop --------------------------------------------------------
    def drain(self, send, server=None, limit=None):
        """Send the pending documents (of ``server``, when given), oldest first.

        ``send(entry)`` gets a ``SpoolEntry`` and returns ``SENT``, ``REJECTED``,
        ``UNREACHABLE`` or a ``(outcome, message)`` pair.  A sent document is
        deleted, a rejected one moved to ``rejected/``; ``UNREACHABLE`` gives the
        document back and stops the loop.  An exception from ``send`` gives the
        document back and propagates.
        """
        report = DrainReport(recovered=self.recover())
        done = 0
        for name in self.pending(server):
            if limit is not None and done >= limit:
                break
            claim = self.claim(name)
            if claim is None:
                continue
            try:
                entry = self.load(claim)
            except SpoolCorrupt as exc:
                self.reject(claim, str(exc))
                report.rejected.append(name)
                continue
            try:
                outcome = send(entry)
            except BaseException:
                self.release(claim)
                raise
            message = None
            if isinstance(outcome, tuple):
                outcome, message = (tuple(outcome) + (None,))[:2]
            done += 1
            if outcome == SENT:
                self.complete(claim)
                report.sent.append(name)
            elif outcome == REJECTED:
                self.reject(claim, message)
                report.rejected.append(name)
            else:
                self.release(claim)
                report.unreachable = True
                break
        report.remaining = len(self.pending(server))
        return report
