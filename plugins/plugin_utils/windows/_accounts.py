# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows readers of accounts: the last logged-on user, logged users, ``local_users`` and ``local_groups``.

Private to the glpiops.glpi collection: no compatibility promise.  Input shapes and conventions: see ``_values``.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows._values import (
    boolean,
    clean,
    instances,
    registry_keys,
    registry_tree,
    string_list,
    text,
    value_of,
)


# --- last user -----------------------------------------------------------------------------------------------------

def _azure_upn(login, logon_ui, identity_store):
    sid = text(value_of(registry_tree(logon_ui).get((), {}), "LastLoggedOnUserSID"))
    if not sid:
        return None
    for parts, values in registry_keys(identity_store):
        lowered = [part.lower() for part in parts]
        if len(lowered) >= 2 and lowered[-1] == sid.lower() and lowered[-2] == "identitycache":
            if text(value_of(values, "SAMName")) == login:
                return text(value_of(values, "UserName"))
    return None


def _azure(user, logon_ui, identity_store):
    upn = _azure_upn(user["login"], logon_ui, identity_store)
    match = re.match(r"^([^@]+)@(.+)$", upn or "")
    if match:
        user.update(_fullname=user["login"] + "@AzureAD", login=match.group(1), domain=match.group(2))
    return user


def last_user(computer_system=None, logon_ui=None, winlogon=None, user_accounts=None, identity_store=None):
    """GLPI Agent's last logged-on user (``{"login", "domain"}``): ``Win32_ComputerSystem.UserName`` when someone is
    logged on, else the LogonUI/Winlogon registry values; AzureAD accounts get their UPN."""
    systems = instances(computer_system)
    system = systems[0] if systems else {}
    name, user_name = text(system.get("Name")), text(system.get("UserName"))
    if name and user_name:
        user = {"domain": user_name, "login": name}
        match = re.match(r"^([^\\]*)\\(.*)$", user_name)
        if match:
            if match.group(1) != ".":
                user["domain"] = match.group(1)
            user["login"] = match.group(2)
            if user["domain"] == "AzureAD":
                user = _azure(user, logon_ui, identity_store)
        return user
    logon = registry_tree(logon_ui).get((), {})
    winlogon_values = registry_tree(winlogon).get((), {})
    value = None
    for values, value_name in ((logon, "LastLoggedOnSAMUser"), (logon, "LastLoggedOnUser"),
                               (winlogon_values, "DefaultUserName"), (winlogon_values, "LastUsedUsername")):
        value = text(value_of(values, value_name))
        if value:
            break
    if not value:
        return None
    match = re.match(r"^([^\\]*)\\(.*)$", value)
    if not match:
        return {"login": value}
    user = {"domain": match.group(1), "login": match.group(2)}
    if user["domain"] == "." and name:
        user["domain"] = name
    if user["domain"] == ".":
        for account in instances(user_accounts):
            if text(account.get("Name")) == user["login"] and text(account.get("Domain")):
                user["domain"] = text(account.get("Domain"))
                break
    elif user["domain"] == "AzureAD":
        user = _azure(user, logon_ui, identity_store)
    return user


# --- users and groups ----------------------------------------------------------------------------------------------

def logged_users(owners):
    """``users`` from the owners of the ``explorer.exe`` processes (``[{"User", "Domain"}]``), one per login."""
    result, seen = [], set()
    for obj in instances(owners):
        login = text(obj.get("User"))
        if not login or login in seen:
            continue
        seen.add(login)
        result.append(clean({"login": login, "domain": text(obj.get("Domain"))}))
    return result


def local_users(accounts):
    """``local_users`` from ``Win32_UserAccount`` (local accounts): the SID as ``id``."""
    return [clean({"id": text(obj.get("SID")), "login": text(obj.get("Name")),
                   "name": text(obj.get("FullName")) or text(obj.get("Name"))})
            for obj in instances(accounts)
            if text(obj.get("SID")) and boolean(obj.get("LocalAccount")) is not False]


def local_groups(groups):
    """``local_groups`` from ``Win32_Group`` (local groups) with the members the collector listed."""
    result = []
    for obj in instances(groups):
        if not text(obj.get("SID")) or not text(obj.get("Name")):
            continue
        group = {"id": text(obj.get("SID")), "name": text(obj.get("Name")).replace("\u2019", "'")}
        members = string_list(obj.get("Members"))
        if members:
            group["members"] = members
        result.append(group)
    return result
