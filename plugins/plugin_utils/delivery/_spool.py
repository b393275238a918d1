# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller's spool of inventory documents GLPI could not be reached for.

Private to the glpiops.glpi collection: no compatibility promise.

One directory (mode 0700) on the controller, one file (mode 0600) per document:
``<created ns, 20 digits>-<server key>-<deviceid key>-<random>.json``, a JSON envelope
``{"format": 1, "server": ..., "deviceid": ..., "created": ..., "document": {...}}``
(plus ``"unconfirmed": true`` and a ``"reason"`` when GLPI may have imported it already)
so the names sort oldest first and the server and device a document is for are known
without reading it.  Names of the first release (without the deviceid key) are still read.

The spool holds at most one document per server and deviceid: ``put`` removes the
older ones of the same device (the newest inventory replaces them), and a document
GLPI accepted makes the older spooled ones of its device obsolete (``discard``).

Ansible runs each host's task in its own forked worker, so several processes use
the spool at once.  The rules that keep every document sent once and never lost:

- ``put`` writes a hidden temporary file, fsyncs it and renames it into place:
  a reader sees the whole document or nothing.
- A worker ``claim``s a document by renaming it to
  ``<name>.claimed-<host key>-<pid>-<unix time>`` before sending it.  ``rename`` is atomic,
  so exactly one worker gets it; the others skip it.
- The claimed file is deleted (``complete``) only after GLPI accepted the
  document, renamed back (``release``) when GLPI could not be reached, or moved
  to ``rejected/`` (``reject``) when GLPI refused it, so that one bad document
  cannot block the queue.
- ``recover`` renames back the claims of workers of this machine that died
  (their pid is gone), and any claim older than ``stale_after`` seconds (the
  lease): a pid of another machine sharing the spool (AWX job pods on one
  volume) means nothing here, so its claims are only taken back when their lease
  ran out.  A claim is held for one request, which the delivery deadline bounds.
- At most ``max_concurrent_deliveries`` documents go to one server at a time
  from every process sharing the spool: ``delivery_slot`` holds one of that many
  ``flock``ed files in ``slots/``.
- A file that is not a spool envelope (truncated, not JSON) is moved to
  ``rejected/`` with its reason and reported: never deleted, never a crash.
- GLPI keeps the last inventory it imported, so documents of one device must
  reach it in the order they were made.  Whoever sends a document of a device
  holds that device's lock (``device_lock``, an ``flock`` in ``locks/``) and,
  once GLPI accepted it, notes when that document was made (``note_accepted``);
  a spooled document older than the last one accepted is obsolete and deleted
  unsent.  A worker that finds a device locked leaves its spooled document for
  later instead of waiting.

"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import random
import re
import socket
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._files import file_lock, fsync_directory, write_atomic
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import canonical_url
from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError

SENT = "sent"
REJECTED = "rejected"
UNREACHABLE = "unreachable"
SKIPPED = "skipped"  # another worker is sending a document of that device now: leave it for later
OBSOLETE = "obsolete"  # GLPI accepted a newer document of that device: delete it unsent

# How long a worker waits for another one to finish sending a document of the same device.
LOCK_WAIT = 300.0

FORMAT = 1
REJECTED_DIR = "rejected"
# <stamp>-<server key>[-<deviceid key>]-<random>.json; anchored, no nested repetition: linear on any name.
_ENTRY_RE = re.compile(r"^(\d{20})-([0-9a-f]{12})-(?:([0-9a-f]{12})-)?([0-9a-f]{8,32})\.json$")
_CLAIM_RE = re.compile(r"^(?P<entry>\d{20}-[0-9a-f]{12}-(?:[0-9a-f]{12}-)?[0-9a-f]{8,32}\.json)\.claimed-"
                       r"(?:(?P<host>[0-9a-f]{8})-)?(?P<pid>\d+)-(?P<ts>\d+)$")
# The largest spooled file read back (a document is a few hundred kB).
ENTRY_MAX = 64 << 20


class SpoolError(GLPIOpsError):
    """The spool directory or one of its files cannot be used."""


class SpoolCorrupt(SpoolError):
    """A spooled file that is not a spool envelope."""


def host_key():
    """8 hex digits naming this machine in claims (its host name, hashed: a name may hold any character)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:8]


def server_key(server):
    """The 12 hex digits that tag a server's documents in their file names (of the URL as written)."""
    return hashlib.sha256(str(server).encode("utf-8")).hexdigest()[:12]


def server_keys(server):
    """The keys a server's documents may carry: of its canonical URL, and of its spelling (older spools)."""
    return {server_key(canonical_url(server)), server_key(server)}


def device_key(deviceid):
    """The 12 hex digits that tag a device's documents in their file names."""
    return hashlib.sha256(str(deviceid).encode("utf-8")).hexdigest()[:12]


@dataclasses.dataclass(frozen=True)
class Spooled:
    """A document ``put`` kept: its ``name`` and ``path``, and the names of the older copies it ``replaced``."""

    name: str
    path: str
    replaced: tuple = ()


@dataclasses.dataclass(frozen=True)
class SpoolEntry:
    """A spooled document, as loaded from its claimed file."""

    name: str
    server: str
    deviceid: str | None
    created: float
    document: object
    unconfirmed: bool = False


@dataclasses.dataclass(frozen=True)
class Claim:
    """A document this process claimed: ``name`` is its spool name, ``path`` the claimed file."""

    name: str
    path: str


@dataclasses.dataclass
class DrainReport:
    """What ``Spool.drain`` did: names sent, rejected (``reasons``: name -> why) and obsolete, what is left."""

    sent: list = dataclasses.field(default_factory=list)
    rejected: list = dataclasses.field(default_factory=list)
    reasons: dict = dataclasses.field(default_factory=dict)
    obsolete: list = dataclasses.field(default_factory=list)
    remaining: int = 0
    recovered: int = 0


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
    def put(self, document, server, deviceid=None, unconfirmed=False, reason=None):
        """Spool ``document`` for ``server``; returns a ``Spooled``.  Atomic and durable.

        The older pending documents of the same server and deviceid are removed once the new one is in place.
        ``unconfirmed``: GLPI may have imported it already (no answer after it was sent); ``reason`` says why.
        """
        self._ensure()
        if deviceid is None and isinstance(document, dict) and isinstance(document.get("deviceid"), str):
            deviceid = document["deviceid"]
        server = canonical_url(server)
        created = self._clock()
        envelope = {"format": FORMAT, "server": server, "deviceid": deviceid, "created": created, "document": document}
        if unconfirmed:
            envelope["unconfirmed"] = True
        if reason:
            envelope["reason"] = str(reason)
        data = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        stamp = int(created * 1e9)
        device = device_key(deviceid) + "-" if deviceid is not None else ""
        name = "%020d-%s-%s%s.json" % (stamp, server_key(server), device, os.urandom(8).hex())
        path = os.path.join(self.path, name)
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise SpoolError("cannot write to the spool directory %s: %s" % (self.path, exc.strerror or exc)) from None
        replaced = ()
        if deviceid is not None:
            replaced = tuple(older for older in self.of_device(server, deviceid) if older < name)
            self.discard(replaced)
        return Spooled(name=name, path=path, replaced=replaced)

    def of_device(self, server, deviceid):
        """Names of the pending documents of ``server`` for ``deviceid``, oldest first."""
        key = device_key(deviceid)
        found = []
        for name in self.pending(server):
            match = _ENTRY_RE.match(name)
            if match.group(3) is not None:
                if match.group(3) == key:
                    found.append(name)
            elif self._peek_deviceid(name) == deviceid:  # a name of the first release: the envelope says
                found.append(name)
        return found

    def _peek_deviceid(self, name):
        try:
            with open(os.path.join(self.path, name), "rb") as handle:
                envelope = json.loads(handle.read(ENTRY_MAX).decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return envelope.get("deviceid") if isinstance(envelope, dict) else None

    def discard(self, names):
        """Delete pending documents that a newer one of the same device made obsolete (gone already is fine)."""
        removed = False
        for name in names:
            try:
                os.unlink(os.path.join(self.path, name))
                removed = True
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SpoolError("cannot remove %s from the spool: %s" % (name, exc.strerror or exc)) from None
        if removed:
            fsync_directory(self.path)

    # -- when GLPI last accepted a host's inventory (for contact's expiration) --
    def _accepted_path(self, server, deviceid):
        digest = hashlib.sha256(str(deviceid).encode("utf-8")).hexdigest()[:16]
        return os.path.join(self.path, "accepted"), "%s-%s" % (server_key(canonical_url(server)), digest)

    def now(self):
        """This spool's clock (``time.time`` unless a test gave another)."""
        return self._clock()

    def _accepted(self, server, deviceid):
        """``(accepted, created)`` of the last document of ``deviceid`` GLPI ``server`` accepted, each a float or None."""
        directory, name = self._accepted_path(server, deviceid)
        try:
            with open(os.path.join(directory, name), "r", encoding="ascii") as handle:
                fields = handle.read(200).split()
        except (OSError, ValueError):
            return None, None
        values = []
        for field in fields[:2]:
            try:
                values.append(float(field))
            except ValueError:
                values.append(None)
        values += [None] * (2 - len(values))
        return values[0], values[1]

    def last_accepted(self, server, deviceid):
        """The time GLPI ``server`` last accepted ``deviceid``'s inventory, as noted by ``note_accepted``; or None."""
        return self._accepted(server, deviceid)[0]

    def superseded(self, server, deviceid, created):
        """Whether GLPI ``server`` already accepted a document of ``deviceid`` made after ``created``."""
        newest = self._accepted(server, deviceid)[1]
        return newest is not None and created is not None and created < newest

    def note_accepted(self, server, deviceid, when=None, created=None):
        """Remember that ``server`` accepted ``deviceid``'s inventory now (or at ``when``), a document made at
        ``created`` (default: the same time); errors are ignored."""
        directory, name = self._accepted_path(server, deviceid)
        when = self._clock() if when is None else when
        created = when if created is None else created
        previous = self._accepted(server, deviceid)[1]
        if previous is not None and previous > created:
            created = previous  # an older document accepted later does not make the newer one obsolete
        try:
            self._ensure(directory)
            write_atomic(os.path.join(directory, name), ("%.6f %.6f\n" % (when, created)).encode("ascii"))
        except (OSError, SpoolError):
            pass

    @contextlib.contextmanager
    def device_lock(self, server, deviceid, wait=LOCK_WAIT, sleep=time.sleep):
        """Hold the lock of ``(server, deviceid)`` while sending one of its documents.

        Yields True when held; False when another process held it for ``wait`` seconds (0: do not wait), or when
        the spool cannot hold locks (an unwritable directory must not stop a delivery).
        """
        if deviceid is None:
            yield True
            return
        with contextlib.ExitStack() as stack:
            try:
                directory = self._ensure(os.path.join(self.path, "locks"))
                path = os.path.join(directory, "%s-%s.lock" % (server_key(canonical_url(server)), device_key(deviceid)))
                held = stack.enter_context(file_lock(path, wait=wait, sleep=sleep))
            except (OSError, SpoolError):
                held = True
            yield held

    # -- reading ---------------------------------------------------------
    def pending(self, server=None):
        """Names of the unclaimed documents (for ``server`` only, when given), oldest first."""
        keys = server_keys(server) if server is not None else None
        names = []
        for name in self._names():
            match = _ENTRY_RE.match(name)
            if match and (keys is None or match.group(2) in keys):
                names.append(name)
        return names

    def claimed(self):
        """Names of the claimed files, whoever holds them."""
        return [name for name in self._names() if _CLAIM_RE.match(name)]

    def claim(self, name):
        """Claim ``name`` for this process; ``None`` when another worker was first."""
        if not _ENTRY_RE.match(name):
            raise ValueError("not a spool entry name: %r" % name)
        claimed = "%s.claimed-%s-%d-%d" % (name, host_key(), os.getpid(), int(self._clock()))
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
                data = handle.read(ENTRY_MAX + 1)
        except OSError as exc:
            raise SpoolCorrupt("cannot read spooled document %s: %s" % (claim.name, exc.strerror or exc)) from None
        if len(data) > ENTRY_MAX:
            raise SpoolCorrupt("spooled file %s is larger than %d bytes" % (claim.name, ENTRY_MAX))
        try:
            envelope = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise SpoolCorrupt("spooled file %s is not JSON (truncated?): %s" % (claim.name, str(exc)[:200])) from None
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
            unconfirmed=envelope.get("unconfirmed") is True,
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
        """Not sent: give the document back to the queue under its own name.

        Unless a newer document of the same server and device was spooled while it was claimed: then this one is
        obsolete and goes (``put`` cannot remove a claimed file; either ``put`` or this sees the other).
        """
        try:
            os.rename(claim.path, os.path.join(self.path, claim.name))
        except FileNotFoundError:
            return
        match = _ENTRY_RE.match(claim.name)
        if match.group(3) is None:
            return
        for name in self._names():
            other = _ENTRY_RE.match(name)
            if other and other.group(2) == match.group(2) and other.group(3) == match.group(3) and name > claim.name:
                self.discard([claim.name])
                return

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
        """Give back the claims of dead workers of this machine and every claim past its lease; returns how many."""
        now = self._clock()
        here = host_key()
        recovered = 0
        for name in self.claimed():
            match = _CLAIM_RE.match(name)
            pid, stamp = int(match.group("pid")), int(match.group("ts"))
            stale = self.stale_after is not None and now - stamp > self.stale_after
            local = match.group("host") in (None, here)  # claims of the first release carry no host: this one's
            if not stale and (not local or pid == os.getpid() or _pid_alive(pid)):
                continue
            try:
                os.rename(os.path.join(self.path, name), os.path.join(self.path, match.group("entry")))
            except FileNotFoundError:
                continue
            recovered += 1
        return recovered

    @contextlib.contextmanager
    def delivery_slot(self, server, slots, wait, sleep=time.sleep):
        """Hold one of ``slots`` delivery slots of ``server`` shared by every process using this spool.

        Yields True when held; False when none came free within ``wait`` seconds.  A spool that cannot hold locks
        yields True: it cannot coordinate, and must not stop a delivery.
        """
        with contextlib.ExitStack() as stack:
            try:
                directory = self._ensure(os.path.join(self.path, "slots"))
                key = server_key(canonical_url(server))
                paths = [os.path.join(directory, "%s-%d.lock" % (key, index)) for index in range(max(1, int(slots)))]
                # waiters spread over the slots instead of all queueing on the first
                held = stack.enter_context(file_lock(paths, wait=wait, sleep=sleep, pause=lambda: 0.05 + random.random() * 0.1))
            except (OSError, SpoolError):
                held = True
            yield held

    # -- the loop --------------------------------------------------------
    def drain(self, send, server=None, limit=None, skip_deviceid=None):
        """Send the pending documents (of ``server``, when given), oldest first.

        ``send(entry)`` gets a ``SpoolEntry`` and returns ``SENT``, ``REJECTED``,
        ``UNREACHABLE``, ``SKIPPED``, ``OBSOLETE`` or a ``(outcome, message)`` pair.
        A sent or obsolete document is deleted, a rejected one moved to
        ``rejected/``; a skipped one is given back; ``UNREACHABLE`` gives the
        document back and stops the loop.  An exception from ``send`` gives the
        document back and propagates.  A file that is not a spool envelope is
        moved to ``rejected/`` with the reason.  The documents of ``skip_deviceid``
        are left alone (the caller has a newer one of that device).
        """
        report = DrainReport(recovered=self.recover())
        done = 0
        skip_key = device_key(skip_deviceid) if skip_deviceid is not None else None
        for name in self.pending(server):
            if limit is not None and done >= limit:
                break
            if skip_key is not None and _ENTRY_RE.match(name).group(3) == skip_key:
                continue
            claim = self.claim(name)
            if claim is None:
                continue
            try:
                entry = self.load(claim)
            except SpoolCorrupt as exc:
                self.reject(claim, str(exc))
                report.rejected.append(name)
                report.reasons[name] = str(exc)
                continue
            if skip_deviceid is not None and entry.deviceid == skip_deviceid:
                self.release(claim)
                continue
            try:
                outcome = send(entry)
            except BaseException:
                self.release(claim)
                raise
            message = None
            if isinstance(outcome, tuple):
                outcome, message = (tuple(outcome) + (None,))[:2]
            if outcome == SKIPPED:
                self.release(claim)
                continue
            if outcome == OBSOLETE:
                self.complete(claim)
                report.obsolete.append(name)
                continue
            done += 1
            if outcome == SENT:
                self.complete(claim)
                report.sent.append(name)
            elif outcome == REJECTED:
                self.reject(claim, message)
                report.rejected.append(name)
                report.reasons[name] = message or "refused by GLPI"
            else:
                self.release(claim)
                break
        report.remaining = len(self.pending(server))
        return report
