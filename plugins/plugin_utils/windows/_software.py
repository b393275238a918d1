# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of installed software: registry ``softwares``, UWP packages, hotfixes and ``antivirus``.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``;
licences and product keys are in ``_licenses``.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    boolean,
    clean,
    first_instance,
    instances,
    integer,
    registry_keys,
    registry_tree,
    text,
    value_of,
    wmi_datetime,
)


# --- softwares -----------------------------------------------------------------------------------------------------

def _date_dmy(value):
    """``YYYYMMDD`` (or ``YYYYMDD``) or ``M/D/YYYY`` -> ``DD/MM/YYYY``, the agent's software date."""
    value = text(value)
    if not value:
        return None
    match = re.match(r"^(\d{4})(\d)(\d{2})$", value)
    if match:
        return "%s/0%s/%s" % (match.group(3), match.group(2), match.group(1))
    match = re.match(r"^(\d{4})(\d{2})(\d{2})$", value)
    if match:
        return "%s/%s/%s" % (match.group(3), match.group(2), match.group(1))
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value)
    if match:
        return "%02d/%02d/%04d" % (int(match.group(2)), int(match.group(1)), int(match.group(3)))
    return None


def _software_arch(parts, default):
    lowered = [part.lower() for part in parts]
    if "wow6432node" in lowered:
        return "i586"
    return default


_SOFTWARE_FIELDS = (("name", "DisplayName"), ("comments", "Comments"), ("helplink", "HelpLink"),
                    ("release_type", "ReleaseType"), ("version", "DisplayVersion"), ("publisher", "Publisher"),
                    ("url_info_about", "URLInfoAbout"), ("uninstall_string", "UninstallString"))


def _sql_edition(version, sql_instances, sql_setups):
    """The SQL Server edition of the instance whose ``Setup\\Version`` is ``version``."""
    instance_names = [text(value) for value in (registry_tree(sql_instances).get((), {}) or {}).values() if text(value)]
    setups = [(parts, values) for parts, values in registry_keys(sql_setups)
              if parts and parts[-1].lower() == "setup" and value_of(values, "Version") is not None]
    for instance in instance_names:
        for parts, values in setups:
            if len(setups) > 1 and instance.lower() not in [part.lower() for part in parts]:
                continue
            if text(value_of(values, "Version")) == version:
                return text(value_of(values, "Edition"))
    return None


def softwares(uninstall, default_arch="i586", sql_instances=None, sql_setups=None):
    """GLPI Agent's registry ``softwares`` from ``Uninstall`` dumps: one entry per subkey holding more than one
    value; dumps may hold several Uninstall roots (64-bit, ``Wow6432Node``, ``HKEY_USERS\\<sid>``).

    ``default_arch`` is the arch of the native key (``x86_64`` on a 64-bit Windows); ``Wow6432Node`` is ``i586``.
    """
    keys = registry_keys(uninstall)
    roots = []
    for parts, _values in keys:
        lowered = [part.lower() for part in parts]
        if lowered and lowered[-1] == "uninstall":
            roots.append(tuple(lowered))
    if not roots and keys:
        roots = [tuple(part.lower() for part in keys[0][0])]
    entries = {}
    for parts, values in keys:
        lowered = tuple(part.lower() for part in parts)
        root = next((root for root in roots if lowered[:len(root)] == root and len(lowered) == len(root) + 1), None)
        if root is None:
            continue
        key = (root, lowered[-1])
        if key in entries:
            entries[key][1].update(values)
        else:
            entries[key] = (parts, dict(values))
    result = []
    for (root, _lowered), (parts, values) in sorted(entries.items(), key=lambda item: (item[0][0], item[1][0][-1])):
        if len(values) <= 1:
            continue
        guid = parts[-1]
        system = integer(value_of(values, "SystemComponent"))
        software = {
            "from": "registry",
            "name": guid,
            "installdate": _date_dmy(value_of(values, "InstallDate")),
            "version_minor": integer(value_of(values, "MinorVersion")),
            "version_major": integer(value_of(values, "MajorVersion")),
            "no_remove": integer(value_of(values, "NoRemove")),
            "arch": _software_arch(parts, default_arch),
            "guid": guid,
            "system_category": "system_component" if system else "application",
        }
        for field, name in _SOFTWARE_FIELDS:
            value = value_of(values, name)
            if isinstance(value, str) and value and value != "0":
                software[field] = value
            elif isinstance(value, int) and not isinstance(value, bool) and value:
                software[field] = str(value)
        if root and root[0] == "hkey_users" and len(root) > 1:
            software["userid"] = parts[1]
        if software.get("version"):
            software["version"] = re.sub(r"[\x00-\x1f].*", "", software["version"], flags=re.DOTALL)
        size = integer(value_of(values, "EstimatedSize"))
        if size:
            software["filesize"] = size * 1024
        match = re.match(r"^(SQL Server.*)(\sDatabase Engine Services)", software["name"])
        match_old = re.match(r"^(Microsoft SQL Server 200[0-9])$", software["name"])
        if match or (match_old and software.get("version")):
            edition = _sql_edition(software.get("version"), sql_instances, sql_setups)
            if edition:
                software["name"] = "%s %s%s" % (match.group(1), edition, match.group(2)) if match \
                    else "%s %s" % (match_old.group(1), edition)
        result.append({key: value for key, value in software.items() if value is not None and value != ""})
    return result


def appx_packages(raw):
    """UWP packages (``from: uwp``): GLPI Agent's ``KEY: value`` blocks, or a list of objects with those keys."""
    packages = []
    if isinstance(raw, str):
        package = {}
        for line in raw.replace("\r\n", "\n").split("\n"):
            if not line.strip():
                if package.get("NAME"):
                    packages.append(package)
                package = {}
                continue
            match = re.match(r"^([A-Z_]+):\s*(.*?)\s*$", line)
            if match and match.group(2):
                package[match.group(1)] = match.group(2)
        if package.get("NAME"):
            packages.append(package)
    elif isinstance(raw, list):
        packages = [{str(key).upper(): text(value) for key, value in item.items() if text(value)}
                    for item in raw if isinstance(item, dict) and text(item.get("NAME") or item.get("Name"))]
    publishers = {"tf1gferkr813w": "AutoDesk"}
    for package in packages:
        if package.get("PUBLISHER") and package.get("PUBID") and package["PUBID"] not in publishers:
            publishers[package["PUBID"]] = package["PUBLISHER"]
    result = []
    for package in packages:
        entry = {"from": "uwp"}
        for key, value in package.items():
            if key == "NAME" and re.match(r"^(?:Microsoft|windows)\.", value, re.IGNORECASE):
                value = re.sub(r"([^0-9])\.", r"\1 ", value)
            elif key == "INSTALLDATE":
                match = re.match(r"^([0-9/]+)", value)
                value = (_date_dmy(match.group(1)) if match else None) or value
            if key == "PUBID":
                continue
            entry[key.lower()] = value
        if package.get("PUBID") in publishers:
            entry["publisher"] = publishers[package["PUBID"]]
        result.append(entry)
    return result


def hotfixes(quick_fixes, arch="i586"):
    """GLPI Agent's hotfix ``softwares`` from ``Win32_QuickFixEngineering`` (ids without a KB number skipped)."""
    result = []
    for obj in instances(quick_fixes):
        hotfix_id = text(obj.get("HotFixID")) or ""
        if not re.search(r"KB(\d{4,10})", hotfix_id, re.IGNORECASE):
            continue
        description = text(obj.get("Description"))
        match = re.match(r"^(Security Update|Hotfix|Update)", description or "")
        release = match.group(1) if match else None
        category = "update" if not release else (
            "security_update" if release == "Security Update" else ("hotfix" if release == "Hotfix" else "update"))
        installed = obj.get("InstalledOn")
        moment = wmi_datetime(installed) if not re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text(installed) or "") else None
        result.append(clean({
            "name": hotfix_id, "comments": description,
            "installdate": "%02d/%02d/%04d" % (moment.day, moment.month, moment.year) if moment else _date_dmy(installed),
            "from": "WMI", "release_type": release, "arch": arch, "system_category": category,
        }))
    return result


# --- antivirus -----------------------------------------------------------------------------------------------------

def antivirus(products, defender_status=None):
    """GLPI Agent's ``antivirus`` from ``root/SecurityCenter2:AntiVirusProduct`` (workstations; ``productState``
    bytes give enabled and up to date), completed, or on servers replaced, by Defender's ``MSFT_MpComputerStatus``."""
    defender = first_instance(defender_status)
    result, seen = [], set()
    for obj in instances(products):
        entry = {"company": text(obj.get("companyName")), "name": text(obj.get("displayName")),
                 "guid": text(obj.get("instanceGuid")), "version": text(obj.get("versionNumber")),
                 "enabled": boolean(obj.get("onAccessScanningEnabled")), "uptodate": boolean(obj.get("productUptoDate"))}
        state = integer(obj.get("productState"))
        if state:
            hex_state = "%x" % state
            if len(hex_state) >= 4:
                entry["enabled"] = bool(re.match(r"^1.$", hex_state[-4:-2]))
                entry["uptodate"] = hex_state[-2:] == "00"
        if not entry["version"] and re.search("Windows Defender|Microsoft Defender", entry["name"] or "", re.IGNORECASE):
            entry["company"] = "Microsoft Corporation"
            if defender and entry["enabled"]:
                entry["version"] = text(defender.get("AMProductVersion"))
                entry["base_version"] = text(defender.get("AntivirusSignatureVersion"))
                if boolean(defender.get("AntivirusEnabled")):
                    entry["enabled"] = True
        key = (entry["name"], entry["version"])
        if not entry["name"] or key in seen:
            continue
        seen.add(key)
        result.append({k: v for k, v in entry.items() if v is not None and v != ""})
    if not result and defender and (text(defender.get("AMProductVersion")) or defender.get("AntivirusEnabled") is not None):
        result.append(clean({
            "name": "Microsoft Defender Antivirus", "company": "Microsoft Corporation",
            "version": text(defender.get("AMProductVersion")), "base_version": text(defender.get("AntivirusSignatureVersion")),
            "enabled": boolean(defender.get("AntivirusEnabled")),
            "uptodate": (not boolean(defender.get("AntivirusSignatureOutOfDate"))
                         if defender.get("AntivirusSignatureOutOfDate") is not None else None),
        }))
    return result
