# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Inventory documents as files on the controller: written to ``local_path``, read back to be submitted.

Private to the glpiops.glpi collection: no compatibility promise.

The "local" target of ``glpi_inventory``: ``<deviceid>.json`` files in a directory
(``document_path``, ``read_document_text``, ``write_document_text``), replaced
atomically (``module_utils._files.write_atomic``), so a reader or a crash sees the
old document or the new one, never half of one; ``LocalTargetError`` says which
file cannot be written and why.

Saved inventory files for ``glpi_inventory_submit``: which files a task names
(``expand_paths``) and what document each holds.  ``parse_inventory_file`` is pure:
it takes a file's bytes and returns the document to send (a dict for JSON, the
text for GLPI Agent's legacy XML) and its deviceid, or raises
``InventoryFileError`` saying what is wrong.
"""

from __future__ import annotations

import glob
import json
import os
from xml.etree import ElementTree

from ansible_collections.glpiops.glpi.plugins.module_utils._files import TemporaryFileError, write_atomic
from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError


# ---------------------------------------------------------------------------
# the local target: <deviceid>.json written to local_path


# The largest <deviceid>.json read back to compare with a new document.
DOCUMENT_TEXT_MAX = 64 << 20


class LocalTargetError(GLPIOpsError):
    """The directory or the file cannot be written; the message says which and why."""


def document_path(directory, deviceid):
    """``<directory>/<deviceid>.json``; a deviceid that is not a plain file name is refused."""
    if not deviceid or deviceid in (".", "..") or "/" in deviceid or "\\" in deviceid or "\x00" in deviceid:
        raise LocalTargetError("deviceid %r cannot be used as a file name" % deviceid)
    return os.path.join(directory, deviceid + ".json")


def read_document_text(path, limit=DOCUMENT_TEXT_MAX):
    """The current content of ``path``, or ``None`` when it does not exist, cannot be read, or holds more than
    ``limit`` bytes (no document this collection writes is that large: it is replaced)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        return data.decode("utf-8") if len(data) <= limit else None
    except (OSError, UnicodeDecodeError):
        return None


def write_document_text(path, text, mode=0o644):
    """Write ``text`` to ``path`` atomically, creating the directory when missing."""
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise LocalTargetError("local_path %s cannot be created: %s" % (directory, exc.strerror or exc))
    if not os.path.isdir(directory):
        raise LocalTargetError("local_path %s is not a directory" % directory)
    try:
        write_atomic(path, text.encode("utf-8"), mode=mode, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except TemporaryFileError as exc:
        raise LocalTargetError("local_path %s is not writable: %s" % (directory, exc.strerror or exc))
    except OSError as exc:
        raise LocalTargetError("%s cannot be written: %s" % (path, exc.strerror or exc))


# ---------------------------------------------------------------------------
# saved inventory files, read for glpi_inventory_submit

INVENTORY_SUFFIXES = (".json", ".xml")
# The largest inventory file read (GLPI Agent's largest documents are a few MB).
FILE_MAX = 64 << 20


class InventoryFileError(GLPIOpsError, ValueError):
    """A file that holds no inventory document GLPI would take."""


def expand_paths(items):
    """``(files, unmatched)``: the files named by ``items`` (files, directories, glob patterns), sorted and
    without repeats, and the items that named none."""
    files, unmatched, seen = [], [], set()
    for item in items:
        item = os.path.expanduser(str(item))
        if os.path.isdir(item):
            found = sorted(os.path.join(item, name) for name in os.listdir(item)
                           if name.lower().endswith(INVENTORY_SUFFIXES) and os.path.isfile(os.path.join(item, name)))
        elif glob.has_magic(item):
            found = sorted(path for path in glob.glob(item) if os.path.isfile(path))
        else:
            found = [item] if os.path.isfile(item) else []
        if not found:
            unmatched.append(item)
        for path in found:
            if path not in seen:
                seen.add(path)
                files.append(path)
    return files, unmatched


def read_inventory_file(path):
    """The bytes of an inventory file, at most ``FILE_MAX``; raises ``InventoryFileError``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(FILE_MAX + 1)
    except OSError as exc:
        raise InventoryFileError(exc.strerror or str(exc)) from None
    if len(data) > FILE_MAX:
        raise InventoryFileError("larger than %d bytes: not an inventory document" % FILE_MAX)
    return data


def parse_inventory_file(data):
    """``(document, deviceid)`` of a saved inventory; raises ``InventoryFileError``."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InventoryFileError("not UTF-8 text (byte %d)" % exc.start) from None
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return _parse_xml(text)
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InventoryFileError("neither JSON nor XML: %s" % exc) from None
    except RecursionError:
        raise InventoryFileError("JSON nested too deeply: not an inventory document") from None
    if not isinstance(document, dict):
        raise InventoryFileError("the JSON is not an object")
    deviceid = document.get("deviceid")
    if not isinstance(deviceid, str) or not deviceid.strip():
        raise InventoryFileError("no deviceid: not a GLPI inventory document")
    if not isinstance(document.get("content"), dict):
        raise InventoryFileError("no content object: not a GLPI inventory document")
    action = document.get("action", "inventory")
    if action not in ("inventory", "netinventory"):
        raise InventoryFileError("action %r is not an inventory" % (action,))
    return document, deviceid


def _child_text(element, tag):
    """The stripped text of ``element``'s first child named ``tag`` (any case), or ``None``."""
    for child in element:
        if isinstance(child.tag, str) and child.tag.upper() == tag:
            return (child.text or "").strip()
    return None


def _parse_xml(text):
    """GLPI Agent's legacy XML: ``<REQUEST><DEVICEID/><QUERY/><CONTENT/></REQUEST>``, read by a real XML parser."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise InventoryFileError("XML with a DTD: GLPI Agent never writes one, refused unread")
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, ValueError) as exc:
        raise InventoryFileError("XML not well formed: %s" % exc) from None
    if not isinstance(root.tag, str) or root.tag.upper() != "REQUEST":
        raise InventoryFileError("XML without a REQUEST element: not a GLPI Agent inventory")
    deviceid = _child_text(root, "DEVICEID")
    if not deviceid:
        raise InventoryFileError("XML without a DEVICEID: not a GLPI Agent inventory")
    query = _child_text(root, "QUERY")
    if query is not None and query.upper() not in ("INVENTORY", "SNMPQUERY"):
        raise InventoryFileError("XML query %s is not an inventory" % query[:100])
    return text, deviceid
