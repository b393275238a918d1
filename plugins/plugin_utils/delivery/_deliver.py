# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One host's delivery to GLPI: contact, re-sending the spool, sending, spooling what was not delivered.

Private to the glpiops.glpi collection: no compatibility promise.

``deliver(client, spool, document)`` is the whole delivery of one host's document
with a ``_client.GLPIClient`` and a ``_spool.Spool``; it returns a result dict (mask
it with ``client.mask`` before showing).  The action plugins also share
``client_for_task``/``server_options`` (a client out of a task's options),
``undelivered_outcome`` (what fails the task, what warns) and ``planned_delivery``
(check mode).
"""

from __future__ import annotations

import contextlib
import os
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_server_spec import glpi_server_argument_spec
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery import _spool
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._client import REFUSED, UNCONFIRMED, UNREACHABLE, GLPIClient, GLPIError
from ansible_collections.glpiops.glpi.plugins.plugin_utils.delivery._protocol import display_url

# Delivery statuses of one server, from the best to the worst.
STATUSES = ("sent", "not_due", "disabled", "unconfirmed", "spooled", "failed")


def deliver(client, spool, document, deviceid=None, tag=None, contact=None, partial=None):
    """Deliver ``document`` to every server of ``client``; a result dict (not masked yet: ``client.mask`` it).

    For each server: the ``contact`` request first when asked (no inventory when GLPI says the inventory task is
    disabled, or before it is due); then the spooled documents for that server, oldest first, except the older ones of
    this device, which ``document`` replaces; then ``document``.  A document that could not be delivered goes to
    ``spool`` (a ``_spool.Spool``), replacing the older one of its device.

    ``partial`` (change-only inventories) is ``None`` or an object with ``plan(server, document)``, a plan whose
    ``document`` goes to that server instead (``plan.result()`` joins the server's entry), and ``confirmed(server,
    plan)``, called only once GLPI accepted it (``None``, or a warning).  Result::

        {"status": one of STATUSES (the worst of the servers),
         "delivered": bool (every server accepted it), "spooled": path or None (the first server's spool file),
         "failed": bool, "msg": str, "warnings": [str],
         "servers": [{"server", "status", "delivered", "spooled", "replaced", "message", "http_status", "attempts",
                      "expiration", "disabled", "spool": {"sent", "rejected": [{"name", "reason"}], "remaining"}}]}
    """
    if deviceid is None and isinstance(document, dict):
        deviceid = document.get("deviceid")
    if contact is None:
        contact = bool(client.options.get("contact"))
    results = [_deliver_one(client, spool, server, document, deviceid, tag, contact, partial) for server in client.servers]
    status = max((entry["status"] for entry in results), key=STATUSES.index)
    msg = "; ".join("%s: %s%s" % (entry["server"], entry["status"], (" (%s)" % entry["message"]) if entry.get("message") else "") for entry in results)
    warnings_ = list(client.warnings)
    for entry in results:
        for rejected in (entry.get("spool") or {}).get("rejected") or ():
            warnings_.append("a spooled document for %s was moved to %s: %s"
                             % (entry["server"], os.path.join(spool.path, _spool.REJECTED_DIR, rejected["name"]), rejected["reason"]))
        if entry.get("spool_error"):
            warnings_.append("spool %s: %s" % (spool.path, entry["spool_error"]))
        if entry.get("partial_error"):
            warnings_.append("%s: %s; the next run sends a full inventory" % (entry["server"], entry.pop("partial_error")))
    return {
        "status": status,
        "delivered": all(entry["delivered"] for entry in results),
        "spooled": next((entry["spooled"] for entry in results if entry["spooled"]), None),
        "failed": any(entry["status"] == "failed" for entry in results),
        "msg": msg,
        "warnings": warnings_,
        "servers": results,
    }


def _keep(spool, server, document, deviceid, entry, error):
    """Keep a document that was not delivered in the spool; ``entry`` says so (or why it could not be kept)."""
    unconfirmed = error.kind == UNCONFIRMED
    entry.update(http_status=error.status, attempts=error.attempts)
    try:
        kept = spool.put(document, server, deviceid, unconfirmed=unconfirmed, reason=error.message)
    except _spool.SpoolError as exc:
        entry.update(status="failed", message="%s; and the document could not be kept in the spool: %s" % (error.message, exc))
        return entry
    entry.update(status=UNCONFIRMED if unconfirmed else "spooled", spooled=kept.path, replaced=list(kept.replaced),
                 message="%s; the document is kept in the spool and sent again by the next run%s"
                 % (error.message, " (it replaces %d older one%s of this device)" % (len(kept.replaced), "" if len(kept.replaced) == 1 else "s")
                    if kept.replaced else ""))
    return entry


def _contact(client, spool, server, deviceid, tag, entry):
    """GLPI Agent's contact; ``None`` to go on with the inventory, else the error or GLPI's decision not to take it."""
    try:
        answer = client.contact(server, deviceid, tag)
    except GLPIError as exc:
        return exc
    entry.update(expiration=answer.expiration, disabled=list(answer.disabled))
    if answer.message:
        entry["contact_message"] = answer.message
    if "inventory" in answer.disabled:
        entry.update(status="disabled", message=answer.message or "GLPI disabled the inventory task for this agent")
        return entry
    # GLPI's expiration is the inventory frequency in hours: as GLPI Agent, send no new inventory before it is due.
    last = spool.last_accepted(server, deviceid)
    if answer.expiration and last is not None and spool.now() < last + answer.expiration * 3600:
        due = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(last + answer.expiration * 3600))
        entry.update(status="not_due", next_inventory=due,
                     message="GLPI expects the next inventory of %s after %s (every %s h)" % (deviceid, due, answer.expiration))
        return entry
    return None


def _replay(client, spool, server, deviceid, entry):
    """Send the spooled documents of ``server`` (not those of ``deviceid``); the error that stopped it, if any."""
    stopped = {}

    def send_spooled(spooled):
        with spool.device_lock(server, spooled.deviceid, wait=0) as held:
            if not held:
                return _spool.SKIPPED  # that device's worker is sending it a newer one right now
            if spool.superseded(server, spooled.deviceid, spooled.created):
                return _spool.OBSOLETE  # GLPI has a newer inventory of that device: this one would overwrite it
            try:
                with _slot(client, spool, server, replay=True):
                    client.submit(server, spooled.document, deviceid=spooled.deviceid)
            except GLPIError as exc:
                if exc.kind == REFUSED:
                    # GLPI itself turned this document down: set it aside so that it does not block the others.
                    return _spool.REJECTED, exc.message
                # Anything about the server (down, busy, credentials, URL): stop, keep every document.
                stopped["error"] = exc
                return _spool.UNREACHABLE
            spool.note_accepted(server, spooled.deviceid, created=spooled.created)
        return _spool.SENT

    try:
        report = spool.drain(send_spooled, server=server, skip_deviceid=deviceid)
    except _spool.SpoolError as exc:
        entry["spool_error"] = str(exc)
        return None
    entry["spool"] = {"sent": len(report.sent), "remaining": report.remaining, "obsolete": len(report.obsolete),
                      "rejected": [{"name": name, "reason": report.reasons.get(name) or ""} for name in report.rejected]}
    return stopped.get("error")


@contextlib.contextmanager
def _slot(client, spool, server, replay=False):
    """One of ``max_concurrent_deliveries`` slots for an inventory to ``server``; raises ``GLPIError`` when none came
    free in time (the delivery deadline; for a spooled document, ``timeout``: the new one must keep time to go)."""
    wait = max(0.0, client.remaining() or 0.0)
    if replay:
        wait = min(wait, float(client.options["timeout"]))
    with spool.delivery_slot(server, client.options["max_concurrent_deliveries"], wait) as held:
        if not held:
            raise GLPIError("%d deliveries from this controller to %s were still under way after %.0f s (max_concurrent_deliveries)"
                            % (client.options["max_concurrent_deliveries"], display_url(server), wait),
                            server=display_url(server), kind=UNREACHABLE)
        yield


def _deliver_one(client, spool, server, document, deviceid, tag, contact, partial=None):
    client.start_delivery()
    started = time.monotonic()
    plan = partial.plan(server, document) if partial is not None else None
    entry = _deliver_one_timed(client, spool, server, plan.document if plan is not None else document, deviceid, tag, contact)
    if plan is not None:
        entry.update(plan.result())
        if entry["delivered"]:
            # Only what GLPI confirmed counts as known to it: a partial spooled or refused leaves the state as it was.
            error = partial.confirmed(server, plan)
            if error:
                entry["partial_error"] = error
    remaining = client.remaining()
    entry.update(elapsed=round(time.monotonic() - started, 1), deadline_reached=remaining is not None and remaining <= 0)
    return entry


def _deliver_one_timed(client, spool, server, document, deviceid, tag, contact):
    entry = {"server": display_url(server), "status": "failed", "delivered": False, "spooled": None, "message": None,
             "http_status": None, "attempts": 0}
    if contact:
        outcome = _contact(client, spool, server, deviceid, tag, entry)
        if isinstance(outcome, GLPIError):
            if outcome.kind == UNREACHABLE:
                return _keep(spool, server, document, deviceid, entry, outcome)
            entry.update(http_status=outcome.status, attempts=outcome.attempts, message="contact refused: %s" % outcome.message)
            return entry
        if outcome is not None:
            return outcome

    stopped = _replay(client, spool, server, deviceid, entry)
    if stopped is not None and stopped.kind in (UNREACHABLE, UNCONFIRMED):
        # GLPI is down or busy importing: this document waits in the spool too instead of adding to the load.
        error = GLPIError("not sent, as re-sending the spool found GLPI %s: %s" % (
            "unreachable" if stopped.kind == UNREACHABLE else "not answering", stopped.message),
            server=stopped.server, status=stopped.status, kind=UNREACHABLE, attempts=0)
        return _keep(spool, server, document, deviceid, entry, error)
    created = spool.now()
    # Holding the device's lock: no worker replays an older document of this device while this one is on its way.
    with spool.device_lock(server, deviceid, wait=max(0.0, client.remaining() or 0.0)):
        try:
            with _slot(client, spool, server):
                answer = client.submit(server, document, deviceid=deviceid)
        except GLPIError as exc:
            if exc.kind in (UNREACHABLE, UNCONFIRMED):
                return _keep(spool, server, document, deviceid, entry, exc)
            entry.update(http_status=exc.status, attempts=exc.attempts, message=exc.message)
            return entry
        spool.note_accepted(server, deviceid, created=created)
    entry.update(status="sent", delivered=True, http_status=answer.status, attempts=answer.attempts)
    try:
        obsolete = spool.of_device(server, deviceid) if deviceid is not None else []
        spool.discard(obsolete)
    except _spool.SpoolError as exc:
        entry["spool_error"] = str(exc)
        obsolete = []
    if obsolete:
        entry["replaced"] = obsolete
    if answer.expiration is not None:
        entry["expiration"] = answer.expiration
    if answer.message:
        entry["message"] = answer.message
    return entry


# ---------------------------------------------------------------------------
# what the action plugins share


def server_options(params):
    """The GLPI server options out of a task's validated parameters."""
    return {name: params.get(name) for name in glpi_server_argument_spec()}


def client_for_task(params, ansible_version=None):
    """A ``GLPIClient`` for a task whose parameters name a server, else ``None``; raises ``GLPIConfigError``."""
    options = server_options(params)
    if not options.get("server"):
        return None
    return GLPIClient(options, ansible_version=ansible_version)


def undelivered_outcome(delivery, fail_on_undelivered=False):
    """``(failure, warning)`` for a ``deliver`` result: the message that fails the task, or the one that warns.

    GLPI's refusals and documents that could not even be kept fail; a document kept in the spool (``spooled``,
    ``unconfirmed``) warns, or fails with ``fail_on_undelivered``; ``not_due`` and ``disabled`` are GLPI's decisions.
    """
    if delivery["failed"]:
        return "GLPI did not accept the inventory: %s" % delivery["msg"], None
    kept = [entry for entry in delivery["servers"] if entry["status"] in ("spooled", UNCONFIRMED)]
    if not kept:
        return None, None
    unconfirmed = any(entry["status"] == UNCONFIRMED for entry in kept)
    text = "not delivered%s, kept in the spool to be sent by the next run that reaches GLPI: %s" % (
        " for sure (GLPI may have imported it)" if unconfirmed else "", delivery["msg"])
    if fail_on_undelivered:
        return "the inventory was %s (fail_on_undelivered)" % text, None
    return None, "the inventory was " + text


def planned_delivery(client):
    """What ``deliver`` would do, for check mode: nothing is sent, nothing is spooled."""
    servers = [{"server": display_url(server), "status": "check_mode", "delivered": False, "spooled": None}
               for server in client.servers]
    return {"status": "check_mode", "delivered": False, "spooled": None, "failed": False, "warnings": [],
            "msg": "check mode: the document would be sent to %s" % ", ".join(entry["server"] for entry in servers),
            "servers": servers}
