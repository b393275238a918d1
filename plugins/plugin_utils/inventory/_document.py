# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shape what the collector returned into a GLPI inventory document.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O: ``build_inventory(collected, ...)`` takes the target
module's result and returns ``(document, warnings)``.  Each section builder reads
the raw sources it needs through the parsers in ``parsers/`` and returns
the section in GLPI's inventory format (lower-case keys, the units of the schema),
or ``None`` when it has nothing to say.  A section that fails becomes a warning,
never an exception: the document must always go out and always validate against
both GLPI schemas (GLPI 10 refuses a document with a single unknown key).
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable
from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _darwin
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _freebsd
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _linux
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _windows
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory._common import format_target_time, target_clock
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _vmsystem
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._collector import BUDGET_SKIPPED

VERSIONCLIENT = "GLPI-Ansible-glpiops.glpi_v%s" % COLLECTION_VERSION

# Single-object sections first, then lists; the order of a written document.
SECTION_ORDER = (
    "accesslog", "hardware", "bios", "operatingsystem", "versionprovider",
    "antivirus", "batteries", "controllers", "cpus", "drives", "envs", "firewalls", "licenseinfos", "local_groups",
    "local_users", "physical_volumes", "volume_groups", "logical_volumes", "memories", "modems",
    "monitors", "networks", "ports", "powersupplies", "processes", "remote_mgmt",
    "slots", "softwares", "sounds", "storages", "usbdevices", "users", "videos", "virtualmachines",
)
# What GLPI's schemas require of a list entry: an entry without it would make GLPI refuse the whole document.
REQUIRED_FIELDS = {
    "envs": ("key", "val"), "firewalls": ("status",), "local_groups": ("id", "name"), "local_users": ("id",),
    "physical_volumes": ("device", "format", "free", "pv_pe_count", "pv_uuid", "size"),
    "volume_groups": ("free", "lv_count", "pv_count", "size", "vg_extent_size", "vg_name", "vg_uuid"),
    "logical_volumes": ("lv_name", "lv_uuid", "size"), "networks": ("description",), "ports": ("type",),
    "printers": ("name",), "processes": ("cmd", "pid", "user"), "remote_mgmt": ("id", "type"), "slots": ("name",),
    "softwares": ("name",), "virtualmachines": ("name",),
}

# Sections that change on every run without the machine changing: not a reason to rewrite or resend a document.
VOLATILE_SECTIONS = ("accesslog", "versionprovider")
# ``processes`` change on every run too, but a user who asks for them asks for every run's list.
# The last login moves with the inventory's own ssh login (when it gets a terminal): no change of the machine.
VOLATILE_HARDWARE_FIELDS = ("lastloggeduser", "datelastloggeduser")
# Free space moves with every write on the machine, the inventory's own file included: no change of the machine.
VOLATILE_ENTRY_FIELDS = {"drives": ("free",)}


_BUILDERS_BY_OS = {
    "linux": _linux.SECTION_BUILDERS,
    "darwin": _darwin.SECTION_BUILDERS,
    "freebsd": _freebsd.SECTION_BUILDERS,
    "windows": _windows.SECTION_BUILDERS,
}


def build_accesslog(sources, now):
    """When the inventory was taken, in the target's local time."""
    return {"logdate": format_target_time(now, sources)} if now is not None else None


def build_versionprovider(provider, incomplete=None):
    """Who produced the document: this collection, and the Ansible that ran it.

    ``incomplete`` (``{source: reason}``) adds one ``incomplete: <source>: <reason>`` comment per source cut short:
    the comments are the one free text both GLPI schemas accept (GLPI 10 refuses unknown keys), so the document
    itself says it lacks something, wherever it is read (a ``local_path`` file, the copy GLPI keeps).
    """
    section = {"name": "glpiops.glpi", "version": COLLECTION_VERSION, "program": "glpiops.glpi.glpi_inventory"}
    comments = ["%s %s" % (key, value) for key, value in sorted((provider or {}).items()) if value]
    comments.extend("incomplete: %s: %s" % item for item in sorted((incomplete or {}).items()))
    if comments:
        section["comments"] = comments
    return section


def incomplete_sources(collected):
    """``{source: reason}`` of the sources a limit cut short or skipped: the document lacks what they would have given.

    The POSIX collectors return them apart (``incomplete``); the PowerShell collector names the sources it skipped
    when its time budget was used up among its ``errors``.  Names and reasons come from the target: escaped.
    """
    found = {}
    incomplete = collected.get("incomplete")
    if isinstance(incomplete, dict):
        found.update(incomplete)
    errors = collected.get("errors")
    if isinstance(errors, dict):
        found.update((name, reason) for name, reason in errors.items() if reason == BUDGET_SKIPPED)
    return {printable(str(name)): printable(str(reason)) for name, reason in found.items()}


def incomplete_warning(incomplete):
    """One warning naming the sources cut short, grouped by reason; ``None`` when the inventory is complete."""
    if not incomplete:
        return None
    by_reason = {}
    for name, reason in sorted(incomplete.items()):
        by_reason.setdefault(reason, []).append(name)
    return "the inventory is incomplete: %s" % "; ".join("%s (%s)" % (", ".join(names), reason) for reason, names in by_reason.items())


def source_warnings(collected):
    """One line per source the collector had to drop, sorted, naming the source, then the sources cut short.

    Everything in them comes from the target and reaches the operator's terminal: control characters are escaped.
    """
    errors = collected.get("errors")
    warnings = [printable("%s: %s" % (name, reason)) for name, reason in sorted(errors.items())
                if reason != BUDGET_SKIPPED] if isinstance(errors, dict) else []
    dmi = (collected.get("sources") or {}).get("dmi")
    unreadable = dmi.get("unreadable") if isinstance(dmi, dict) else None
    if unreadable and isinstance(unreadable, list):
        warnings.append(printable("dmi: %s readable by root only (use become to report them)" % ", ".join(sorted(map(str, unreadable)))))
    incomplete = incomplete_warning(incomplete_sources(collected))
    if incomplete:
        warnings.append(incomplete)
    return warnings


def _complete_entries(name, section, warnings):
    """Drop list entries that lack what the schemas require (or are not objects), with one warning per section."""
    if not isinstance(section, list):
        return section
    required = REQUIRED_FIELDS.get(name, ())
    kept = [entry for entry in section
            if isinstance(entry, dict) and all(entry.get(field) is not None for field in required)]
    if len(kept) != len(section):
        warnings.append("%s: %d incomplete entr%s left out" % (name, len(section) - len(kept), "y" if len(section) - len(kept) == 1 else "ies"))
    return kept


def section_builders(os_family):
    """The section builders for the target's ``os_family`` (``linux``, ``darwin``, ``freebsd``, ``windows``); Linux's otherwise."""
    return _BUILDERS_BY_OS.get(os_family, _linux.SECTION_BUILDERS)


def build_inventory(collected, deviceid, itemtype="Computer", tag=None, now=None, provider=None, connection_user=None):
    """The GLPI inventory document for one host, and the warnings met on the way.

    ``now`` (epoch) dates the ``accesslog``; ``provider`` (e.g. ``{"ansible-core": "2.19.14"}``) goes into
    ``versionprovider.comments``; ``connection_user``, the account Ansible logs in with, is never the
    ``lastloggeduser`` (its sessions are the automation's, not a person's).
    """
    sources = collected.get("sources") or {}
    warnings = source_warnings(collected)
    content = {"versionprovider": build_versionprovider(provider, incomplete_sources(collected))}
    accesslog = build_accesslog(sources, target_clock(sources, now))
    if accesslog:
        content["accesslog"] = accesslog
    os_family = collected.get("os_family") or "linux"
    builders = section_builders(os_family)
    if os_family == "linux" and connection_user:
        builders = dict(builders, hardware=lambda sources: _linux.build_hardware(sources, connection_user))
    for name in SECTION_ORDER:
        if name not in builders:
            continue
        try:
            section = builders[name](sources)
        except Exception as exc:  # pylint: disable=broad-except
            # A parser bug on odd input costs that section, never the document.
            warnings.append(printable("%s: section dropped (%s: %s)" % (name, type(exc).__name__, exc)))  # may quote the target
            continue
        section = _complete_entries(name, section, warnings)
        if section:
            content[name] = section
    if os_family == "linux":  # vmsystem reads Linux's /proc and sysfs facts
        try:
            _vmsystem.apply_vmsystem(content, sources)
        except Exception as exc:  # pylint: disable=broad-except
            warnings.append(printable("vmsystem: not decided (%s: %s)" % (type(exc).__name__, exc)))
    content = {name: content[name] for name in SECTION_ORDER if name in content}
    content["versionclient"] = VERSIONCLIENT
    document = {"action": "inventory", "deviceid": deviceid, "itemtype": itemtype, "content": content}
    if tag:
        document["tag"] = tag
    return document, warnings


def section_counts(document):
    """``{"hardware": 1, "networks": 5, ...}`` for the task result."""
    counts = {}
    for name, value in (document.get("content") or {}).items():
        if isinstance(value, list):
            counts[name] = len(value)
        elif isinstance(value, dict):
            counts[name] = 1
    return counts


def without_volatile(document):
    """The document minus what changes on every run (see ``VOLATILE_SECTIONS``), to tell a real change."""
    if not isinstance(document, dict):
        return document
    content = {k: v for k, v in (document.get("content") or {}).items() if k not in VOLATILE_SECTIONS}
    if isinstance(content.get("hardware"), dict):
        content["hardware"] = {k: v for k, v in content["hardware"].items() if k not in VOLATILE_HARDWARE_FIELDS}
    for name, fields in VOLATILE_ENTRY_FIELDS.items():
        if isinstance(content.get(name), list):
            content[name] = [{k: v for k, v in entry.items() if k not in fields} if isinstance(entry, dict) else entry
                             for entry in content[name]]
    return dict(document, content=content)


def section_fingerprints(document):
    """One short digest per content section, to tell which sections changed between two documents.

    Digests leave out what ``without_volatile`` leaves out, so a diff names only the sections that make a change.
    """
    fingerprints = {}
    for name, value in sorted((without_volatile(document).get("content") or {}).items()):
        if name == "versionclient" or name in VOLATILE_SECTIONS:
            continue
        encoded = json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")
        fingerprints[name] = hashlib.sha256(encoded).hexdigest()[:12]
    return fingerprints


def render_document(document):
    """The document as written to ``<deviceid>.json``: stable key order, UTF-8, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
