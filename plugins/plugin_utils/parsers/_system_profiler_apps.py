# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``system_profiler -xml SPApplicationsDataType`` as GLPI ``softwares``, the way GLPI Agent reads it.

Private to the glpiops.glpi collection: no compatibility promise.

``applications_from_xml`` gives the agent's raw ``{name: {field: value}}`` view (with
the text form's field names); ``softwares`` turns it into GLPI entries (publisher guessed from the signature or copyright, install date, category and
user from the location).  Pure functions; none raises.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._system_profiler import xml_items, xml_string
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    as_dict,
    as_str,
    canonical_manufacturer,
    perl_true,
    without_empty,
)


_ARCH_KINDS = {
    "arch_arm_i64": "Universal", "arch_arm": "Arm", "arch_i64": "Intel (x86_64)", "arch_i32": "Intel (i386)", "arch_other": "Other",
}


def _ucfirst(value):
    return value[:1].upper() + value[1:] if value else value


def applications_from_xml(text, local_offset=0):
    """``system_profiler -xml SPApplicationsDataType`` -> ``{name: {field: value}}`` with the text form's field names.

    ``local_offset`` (seconds east of UTC) turns ``lastModified`` into the target's day (``DD/MM/YYYY``).
    """
    apps = {}
    for item in xml_items(text):
        if not isinstance(item, dict):
            continue
        name = xml_string(item.get("_name"))
        if not perl_true(name):
            continue
        entry = {}
        bits = xml_string(item.get("has64BitIntelCode"))
        if bits is not None:
            entry["64-Bit (Intel)"] = _ucfirst(bits)
        env = xml_string(item.get("runtime_environment"))
        if env is not None:
            entry["Kind"] = "Intel" if env == "arch_x86" else _ucfirst(env)
        if xml_string(item.get("arch_kind")) in _ARCH_KINDS:
            entry["Kind"] = _ARCH_KINDS[item["arch_kind"]]
        if "lastModified" in item:
            entry["Last Modified"] = _offset_date(item.get("lastModified"), local_offset)
        signed = item.get("signed_by")
        if isinstance(signed, list):
            entry["Signed by"] = next((s for s in signed if isinstance(s, str) and s.startswith("Developer ID Application:")), None)
        if item.get("obtained_from") == "identified_developer":
            entry["Obtained from"] = "Identified Developer"
        for key, field in (("version", "Version"), ("path", "Location"), ("info", "Get Info String")):
            if key in item:
                entry[field] = xml_string(item[key])
        if name in apps:
            index = 0
            while "%s_%d" % (name, index) in apps:
                index += 1
            name = "%s_%d" % (name, index)
        apps[name] = entry
    return apps


def _offset_date(value, offset):
    if isinstance(value, str):
        match = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$", value)
        try:
            value = datetime.datetime(*[int(group) for group in match.groups()]) if match else None
        except ValueError:
            value = None
    if not isinstance(value, datetime.datetime):
        return None
    try:
        moment = value.replace(tzinfo=None) + datetime.timedelta(seconds=int(offset or 0))
    except (OverflowError, TypeError, ValueError):
        return None
    return moment.strftime("%d/%m/%Y")


_COPYRIGHT_RE = r"(\(C\)|\u00a9|Copyright|\u00ef\u00bf\u00bd)"


def _publisher(name, app):
    source = as_str(app.get("Obtained from")) or ""
    location = as_str(app.get("Location")) or ""
    info = as_str(app.get("Get Info String"))
    if source == "Apple" or re.search(r"/System/Library/(CoreServices|Frameworks)/", location):
        return "Apple"
    if source == "Identified Developer" and perl_true(as_str(app.get("Signed by"))):
        match = re.match(r"^Developer ID Application: ([^,]*),?", app["Signed by"])
        developer = match.group(1) if match else None
        if developer:
            inner = re.match(r"^(.*)\s+\(.*\)$", developer)
            developer = inner.group(1) if inner else developer
            developer = re.sub(r"\s*Incorporated.*", " Inc.", developer, count=1, flags=re.IGNORECASE)
            developer = re.sub(r"\s*Corporation.*", "", developer, count=1, flags=re.IGNORECASE)
            if developer:
                return developer
    if info:
        parts = re.split(r",\s+", info)
        if any(re.search(r"\bApple\b", part, re.IGNORECASE) for part in parts):
            return "Apple"
        found = next((part for part in parts if re.search(_COPYRIGHT_RE, part, re.IGNORECASE)), None)
        if found:
            by = re.search(r"\sby\s(.*)", found, re.IGNORECASE)
            found = by.group(1) if by else found
            found = re.sub(r".*" + _COPYRIGHT_RE + r"\s*", "", found, flags=re.IGNORECASE)
            found = re.sub(r"\s*All rights reserved\.?\s*", "", found, count=1, flags=re.IGNORECASE)
            found = re.sub(r"\s*Incorporated.*", " Inc.", found, count=1, flags=re.IGNORECASE)
            found = re.sub(r"\s*Corporation.*", "", found, count=1, flags=re.IGNORECASE)
            found = re.sub(r"\s*\d+(\s*-\s*\d+)?\s*", "", found)
            if found:
                return found
        editor = canonical_manufacturer(info)
        if editor is not None and editor != info:
            return editor
    editor = canonical_manufacturer(name)
    return editor if editor is not None and editor != name else None


def _iso_install_date(value):
    """``DD/MM/YYYY`` -> ``YYYY-MM-DD``, day and month swapped when that is the only valid date (as GLPI Agent's JSON)."""
    match = re.match(r"^(\d{2})/(\d{2})/(\d{4})", value or "")
    if not match:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    for month_, day_ in ((month, day), (day, month)):
        try:
            return datetime.date(year, month_, day_).isoformat()
        except ValueError:
            continue
    return None


def _category_and_user(location):
    if not location:
        return None, None
    match = re.match(r"^/Users/([^/]+)/([^/]+/[^/]+)/", location) or re.match(r"^/Users/([^/]+)/([^/]+)/", location)
    if match:
        category = match.group(2) if not re.match(r"^Downloads|^Desktop", match.group(2)) else None
        return category, match.group(1)
    for pattern in (r"^/Volumes/[^/]+/([^/]+/[^/]+)/", r"^/Volumes/[^/]+/([^/]+)/", r"^/([^/]+/[^/]+)/", r"^/([^/]+)/"):
        match = re.match(pattern, location)
        if match:
            return match.group(1), None
    return None, None


def softwares(applications):
    """GLPI ``softwares`` from ``applications_from_xml``, sorted by name."""
    entries = []
    apps = applications if isinstance(applications, dict) else {}
    for name in sorted(apps):
        app = as_dict(apps[name])
        info = as_str(app.get("Get Info String"))
        if info and re.match(r"^\S+, [A-Z]:\\", info):
            continue  # a Windows application seen through Parallels
        version = as_str(app.get("Version"))
        if version:
            version = version.replace(" . ", ".")
        category, user = _category_and_user(as_str(app.get("Location")))
        last_modified = as_str(app.get("Last Modified"))
        entries.append(without_empty({
            "name": name,
            "version": version,
            "publisher": _publisher(name, app),
            "install_date": _iso_install_date(last_modified) if perl_true(last_modified) else None,
            "arch": as_str(app.get("Kind")) if perl_true(as_str(app.get("Kind"))) else None,
            "system_category": category,
            "username": user,
        }))
    return entries
