# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Change-only (partial) inventories: which sections of a document GLPI must get this run.

Private to the glpiops.glpi collection: no compatibility promise.  Pure functions, no I/O; the state they read
and return is stored by ``delivery/_sections_state``.

The rules are GLPI Agent's ``full-inventory-postpone`` (its ``Inventory.pm`` ``computeChecksum``), with one change
that makes a partial safe to lose: a section counts as known to GLPI only once GLPI confirmed a delivery carrying
it (``state_after_delivery``), so a partial that is spooled or fails leaves the state as it was and the next run
sends those sections again.

* A section's digest is SHA-256 over its canonical JSON, with what ``_document.without_volatile`` leaves out
  (the free space of drives, the last logged-in user) left out: those alone never make a section "changed".
* ``accesslog`` and ``versionprovider`` are never digested and always sent; ``hardware`` and ``bios`` are always
  sent; ``operatingsystem`` goes with ``softwares`` (GLPI needs it to import software); when ``users`` is left
  out, ``lastloggeduser``/``datelastloggeduser`` are removed from ``hardware`` (they would contradict GLPI's
  stored users).
* A full inventory goes out when: postponing is off (0); the document is not JSON (GLPI takes XML documents
  whole); there is no usable state (first run, state lost: never a wrong partial); a section the state knows
  disappeared (a partial cannot tell GLPI to empty it); or the partials since the last full one reached the limit.
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._document import without_volatile

STATE_FORMAT = 1
NEVER_DIGESTED = ("accesslog", "versionprovider", "versionclient")
ALWAYS_SENT = ("hardware", "bios")
LAST_USER_FIELDS = ("lastloggeduser", "datelastloggeduser")


def section_digest(value):
    """``{"sha256": hex, "length": n}`` of one section (canonical JSON: sorted keys, no spaces, UTF-8)."""
    encoded = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return {"sha256": hashlib.sha256(encoded).hexdigest(), "length": len(encoded)}


def section_digests(document):
    """The digest of every section a partial may leave out, volatile fields excluded."""
    content = without_volatile(document).get("content") or {}
    return {name: section_digest(value) for name, value in sorted(content.items()) if name not in NEVER_DIGESTED}


def usable_state(state):
    """``state`` when it is one this version wrote and can trust, else ``None`` (a full inventory follows)."""
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return None
    sections, postponed = state.get("sections"), state.get("postponed")
    if not isinstance(sections, dict) or not isinstance(postponed, int) or isinstance(postponed, bool) or postponed < 0:
        return None
    for digest in sections.values():
        if not isinstance(digest, dict) or not isinstance(digest.get("sha256"), str) or not isinstance(digest.get("length"), int):
            return None
    return state


class Plan(object):
    """What goes out this run: ``document`` (partial or the full one), and why.

    ``partial`` (bool), ``sections`` (the content sections sent, sorted), ``postponed`` (partials in a row
    counting this one; 0 for a full inventory), ``reason`` (why full, or ``None``), ``digests`` (of the whole
    document, for ``state_after_delivery``).
    """

    def __init__(self, document, partial, postponed, reason, digests):
        self.document = document
        self.partial = partial
        self.postponed = postponed
        self.reason = reason
        self.digests = digests
        content = document.get("content") if isinstance(document, dict) else None
        self.sections = sorted(name for name in (content or {}) if name != "versionclient")

    def result(self):
        """The task result's view of the plan."""
        return {"partial": self.partial, "sections_sent": self.sections, "postponed": self.postponed,
                "full_reason": self.reason}


def _full(document, reason, digests):
    return Plan(document, False, 0, reason, digests)


def plan_delivery(document, state, postpone):
    """The document to send given the last confirmed ``state`` of this device on this server and ``postpone``,
    the most partials allowed in a row (``full_inventory_postpone``; 0 turns partial inventories off)."""
    if not isinstance(document, dict):
        return _full(document, "not a JSON document: XML goes whole", {})
    digests = section_digests(document)
    if not postpone or postpone < 1:
        return _full(document, "full_inventory_postpone is 0", digests)
    state = usable_state(state)
    if state is None:
        return _full(document, "no state for this device and server (first run, or the state is lost)", digests)
    gone = sorted(set(state["sections"]) - set(digests))
    if gone:
        return _full(document, "section%s disappeared: %s" % ("s" if len(gone) > 1 else "", ", ".join(gone)), digests)
    if state["postponed"] >= postpone:
        return _full(document, "%d partial inventories in a row (full_inventory_postpone)" % state["postponed"], digests)
    changed = {name for name, digest in digests.items() if state["sections"].get(name) != digest}
    content = document.get("content") or {}
    keep = changed | set(ALWAYS_SENT) | set(NEVER_DIGESTED)
    if "softwares" in changed:
        keep.add("operatingsystem")
    sent = {name: value for name, value in content.items() if name in keep}
    if set(sent) == set(content):
        return _full(document, "every section changed", digests)
    if "users" not in sent and isinstance(sent.get("hardware"), dict):
        sent["hardware"] = {key: value for key, value in sent["hardware"].items() if key not in LAST_USER_FIELDS}
    partial = dict(document, content=sent, partial=True)
    return Plan(partial, True, state["postponed"] + 1, None, digests)


def state_after_delivery(state, plan):
    """The state once GLPI confirmed ``plan.document``: a full inventory replaces it, a partial updates the
    sections it carried.  Call it only on a confirmed delivery; on anything else keep the old state."""
    if not plan.partial:
        return {"format": STATE_FORMAT, "sections": dict(plan.digests), "postponed": 0}
    sections = dict(usable_state(state)["sections"])
    sections.update((name, plan.digests[name]) for name in plan.sections if name in plan.digests)
    return {"format": STATE_FORMAT, "sections": sections, "postponed": plan.postponed}
