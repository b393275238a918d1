# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every Unix collector (Linux, macOS, FreeBSD) shares: the :class:`Gatherer` that runs sources, and the sources alike everywhere.

Private to the glpiops.glpi collection: no compatibility promise.

A source is a small function that returns plain data (file contents, command output)
without interpreting it: parsing and shaping happen on the controller.  The
:class:`Gatherer` runs them one by one; a source that is missing, refused or too slow
is dropped alone and named in ``errors`` or ``incomplete``, it never fails the host.
The system collectors are ``_collector_linux``, ``_collector_darwin`` and ``_collector_freebsd``.
"""

from __future__ import annotations

import os
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._sources import Limits, SourceCutShort, SourceUnavailable, read_text
from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable

# Bumped when the shape of ``sources`` changes, so the controller can refuse a
# collector it does not understand (mixed collection versions).
RAW_FORMAT = 1


class Gatherer(object):
    """Runs sources one by one, keeping each result, the reason it failed, or the reason it was cut short.

    ``errors``: sources that are missing, refused or failed.  ``incomplete``: sources a limit cut short (a time-out,
    an output cap, the collection's ``deadline`` in seconds), in whole or in part: the inventory lacks what they
    would have given.  Once the deadline has passed, the remaining sources are not run, and are named there too.
    """

    def __init__(self, timeout, deadline=None):
        self.timeout = timeout
        self.limits = Limits(deadline)
        self.sources = {}
        self.errors = {}
        self.incomplete = {}

    def gather(self, name, func, *args, **kwargs):
        optional = kwargs.pop("optional", False)
        if self.limits.passed():
            self.incomplete[name] = "skipped: %s" % self.limits.deadline_reason()
            return
        first_cut, cut_short = len(self.limits.cuts), None
        with self.limits.applied():
            try:
                self.sources[name] = func(*args, **kwargs)
            except SourceCutShort as exc:
                cut_short = str(exc)  # normally among the cuts already
            except SourceUnavailable as exc:
                reason = str(exc)
                if not (optional and reason.startswith(("not found", "command not found"))):
                    self.errors[name] = printable(reason)  # reasons quote the target's text: on to a terminal
            except Exception as exc:  # pylint: disable=broad-except
                # A bug or an oddity of one source must not cost the whole inventory.
                self.errors[name] = printable("unexpected %s: %s" % (type(exc).__name__, exc))
        cuts = self.limits.cuts[first_cut:] or ([cut_short] if cut_short else [])
        if cuts:
            # Also the cuts a source swallowed (one disk's smartctl): what it returned lacks their part.
            self.incomplete[name] = printable(_summary(cuts))


def _summary(reasons, shown=3):
    """The distinct ``reasons``, the first ``shown`` of them, and how many more."""
    distinct = list(dict.fromkeys(reasons))
    more = len(distinct) - shown
    return "; ".join(distinct[:shown]) + ("; and %d more" % more if more > 0 else "")


def uname():
    """``os.uname()`` as a dict."""
    info = os.uname()
    return {
        "sysname": info.sysname,
        "nodename": info.nodename,
        "release": info.release,
        "version": info.version,
        "machine": info.machine,
    }


def timezone():
    """The local time zone: its abbreviation, UTC offset and name (``/etc/timezone``, else the ``/etc/localtime`` link)."""
    zone = None
    try:
        zone = read_text("/etc/timezone").strip() or None
    except SourceUnavailable:
        link = None
        try:
            link = os.readlink("/etc/localtime")
        except OSError:
            pass
        if link and "zoneinfo/" in link:
            zone = link.split("zoneinfo/", 1)[1]
    return {"abbreviation": time.strftime("%Z"), "offset": time.strftime("%z"), "zone": zone}
