# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of product keys and licences: the Windows key, Office registrations, ``SoftwareLicensingProduct``.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    clean,
    instances,
    integer,
    registry_binary,
    registry_tree,
    text,
    value_of,
)


# --- product keys --------------------------------------------------------------------------------------------------

_KEY_LETTERS = "BCDFGHJKMPQRTVWXY2346789"


def decode_product_key(blob):
    """The 25-character product key in a ``DigitalProductId`` (bytes 52-66, or 808-822 in newer ones)."""
    data = list(blob or b"")
    start = 808 if len(data) > 808 else 52
    if len(data) < start + 15:
        return None
    key = data[start:start + 15]
    contains_n = (key[14] >> 3) & 1
    key[14] &= 0xF7
    if not any(key):
        return None
    chars = [""] * 25
    for i in range(24, -1, -1):
        index = 0
        for j in range(14, -1, -1):
            value = (index << 8) | key[j]
            key[j] = value // 24
            index = value % 24
        chars[i] = _KEY_LETTERS[index]
    if contains_n:
        first = chars.pop(0)
        chars.insert(_KEY_LETTERS.index(first), "N")
    chars = chars[:25]
    return "-".join("".join(chars[i:i + 5]) for i in range(0, 25, 5))


def windows_product_key(current_version):
    """The Windows product key decoded from ``CurrentVersion\\DigitalProductId`` (or ``DigitalProductId4``)."""
    values = registry_tree(current_version).get((), {})
    for name in ("DigitalProductId", "DigitalProductId4"):
        key = decode_product_key(registry_binary(value_of(values, name)))
        if key:
            return key
    return None


# --- licenses ------------------------------------------------------------------------------------------------------

def office_license(values):
    """GLPI Agent's license of one Office ``Registration\\{GUID}`` key (its values)."""
    values = values if isinstance(values, dict) else {}
    license_info = {
        "key": decode_product_key(registry_binary(value_of(values, "DigitalProductID"))),
        "productid": text(value_of(values, "ProductID")),
        "update": text(value_of(values, "SPLevel")),
        "oem": text(value_of(values, "OEM")),
        "fullname": text(value_of(values, "ProductName")) or text(value_of(values, "ConvertToEdition")),
        "name": text(value_of(values, "ProductNameNonQualified")) or text(value_of(values, "ProductNameVersion")),
    }
    match = re.search(r"(\d+)$", text(value_of(values, "TrialType")) or "")
    if match:
        license_info["trial"] = int(match.group(1))
    products = sorted(match.group(1) for match in (re.match(r"^(\w+)NameVersion$", name) for name in values) if match)
    if products:
        license_info["components"] = "/".join(products)
    return clean(license_info)


def _wmi_license(obj):
    key = text(obj.get("PartialProductKey"))
    if key and len(key) == 5:
        key = "XXXXX-XXXXX-XXXXX-XXXXX-" + key
    return clean({
        "key": key,
        "productid": text(obj.get("ProductKeyID2")) or text(obj.get("ApplicationID")) or text(obj.get("ProductKeyID")),
        "oem": 1 if re.search("OEM", text(obj.get("ProductKeyChannel")) or "", re.IGNORECASE) else 0,
        "fullname": text(obj.get("Description")),
        "name": text(obj.get("Name")),
    })


def licenses(office_dumps=None, licensing_products=None):
    """GLPI Agent's ``licenseinfos``: Office registrations (``HKLM\\SOFTWARE[\\Wow6432Node]\\Microsoft\\Office``
    dumps), then activated non-OS ``SoftwareLicensingProduct`` instances replacing the Office ones they match."""
    seen = {}
    for dump in office_dumps if isinstance(office_dumps, list) else []:
        tree = registry_tree(dump)
        for parts, values in tree.items():
            if len(parts) != 3 or parts[1] != "registration":
                continue
            match = re.search(r"([-\w]+)", parts[2])
            if not match:
                continue
            uuid = match.group(1).lower()
            if value_of(values, "DigitalProductID") is not None:
                seen[uuid] = office_license(values)
            product_name = text(value_of(values, "ProductName"))
            code = text(value_of(values, "ProductCode"))
            if code and product_name:
                code_match = re.search(r"([-\w]+)", code)
                seen[uuid] = {"productcode": code_match.group(1).lower() if code_match else "", "fullname": product_name}
                if re.search("trial", text(value_of(values, "ProductNameBrand")) or "", re.IGNORECASE):
                    seen[uuid]["trial"] = 1
    for obj in instances(licensing_products):
        if not text(obj.get("PartialProductKey")) or not integer(obj.get("LicenseStatus")):
            continue
        if re.search("Operating System", text(obj.get("Description")) or "", re.IGNORECASE) or not text(obj.get("ID")):
            continue
        license_info = _wmi_license(obj)
        uuid = text(obj.get("ID")).lower()
        if uuid not in seen:
            seen[uuid] = license_info
            continue
        for field in ("fullname", "trial"):
            if seen[uuid].get(field):
                license_info[field] = seen[uuid][field]
        old = uuid
        if seen[uuid].get("productcode"):
            uuid = seen[uuid]["productcode"]
            if seen.get(uuid, {}).get("key") and seen[uuid]["key"].endswith((license_info.get("key") or "")[-5:]):
                continue
        del seen[old]
        seen[uuid] = license_info
    found = [entry for entry in seen.values() if entry.get("key")]
    return sorted(found, key=lambda entry: (entry.get("name") or "", entry.get("fullname") or "", entry["key"]))
