# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What GLPI Agent's ``glpi-remote`` and ``glpi-agent`` print, read (pure functions, they never raise).

Private to the glpiops.glpi collection: no compatibility promise.

``glpi-remote``: its ``list`` and ``list targets`` tables, what ``add`` and ``delete``
say, and its failures (several of which exit 0).  ``glpi-agent``: its version, and the
log of a ``remoteinventory`` run, turned into one outcome per remote.  Facts: the
glpiops reference FACTS.md sections 3 and 4, and their transcripts.  Running the tools
is ``_glpi_remote``; the URLs in their output are read with ``_glpi_remote_url``.
Target-side code: standard library only, Python 3.8+.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_url import effective_port, parse_url
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask_url

NEXT_RUN_UNSCHEDULED = "on next agent run"

# The tool exits 0 after these; their lines are failures whatever the exit code.
FAILURE_MARKERS = ("check failure", "Skipping", "No such remote", "Unsupported")

_DATE = r"[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}"
_REMOTE_ROW_RE = re.compile(r"^\s*(?P<index>\d+)\s+(?P<deviceid>\S+)\s+(?P<url>\S.*?)\s+(?P<target>\S+)\s+"
                            r"(?P<next_run>%s|%s)\s*$" % (NEXT_RUN_UNSCHEDULED, _DATE))
_TARGET_ROW_RE = re.compile(r"^(?P<id>\S+)\s+(?P<type>\S+)\s+(?:(?P<location>\S.*?)\s+)??(?:(?P<maxdelay>\d+)\s+)?"
                            r"(?P<next_run>%s)\s*$" % _DATE)
_CHANGE_RES = (
    ("added", re.compile(r"^Added (?P<deviceid>\S+) remote agent to (?P<target>\S+)\s*$")),
    ("updated", re.compile(r"^Updated (?P<deviceid>\S+) remote agent for (?P<target>\S+)\s*$")),
    ("deleted", re.compile(r"^(?P<deviceid>\S+) remote agent deleted from (?P<target>\S+)\s*$")),
)


# --- glpi-remote: list, add, delete -----------------------------------------------------


def output_lines(text):
    """The lines of a tool's output (none when it is not text)."""
    return text.splitlines() if isinstance(text, str) else []


def parse_remotes(text):
    """``glpi-remote list`` output (with or without header) -> list of remotes; never raises.

    Each remote: ``index`` (int, what ``delete`` accepts), ``deviceid``, ``url`` (as
    printed: masked by the tool, or not), ``target`` and ``next_run`` (the tool's
    words: a local date, or ``on next agent run``).
    """
    remotes = []
    for line in output_lines(text):
        match = _REMOTE_ROW_RE.match(line)
        if match:
            remote = match.groupdict()
            remote["index"] = int(remote["index"])
            remotes.append(remote)
    return remotes


def parse_targets(text):
    """``glpi-remote list targets`` output -> list of targets; never raises.

    Each target: ``id``, ``type`` (``server``, ``local``...), ``url`` (server) or
    ``path`` (other types), ``maxdelay`` (int, seconds) and ``next_run``.
    """
    targets = []
    for line in output_lines(text):
        match = _TARGET_ROW_RE.match(line)
        if not match or (match.group("id") == "id" and match.group("type") == "type"):
            continue
        target = dict(id=match.group("id"), type=match.group("type"), next_run=match.group("next_run"))
        location = match.group("location")
        if location:
            target["url" if target["type"] == "server" else "path"] = location
        if match.group("maxdelay"):
            target["maxdelay"] = int(match.group("maxdelay"))
        targets.append(target)
    return targets


def parse_changes(text):
    """``add``/``delete`` stdout -> list of dict(action=added|updated|deleted, deviceid, target)."""
    changes = []
    for line in output_lines(text):
        for action, regexp in _CHANGE_RES:
            match = regexp.match(line)
            if match:
                changes.append(dict(action=action, deviceid=match.group("deviceid"), target=match.group("target")))
                break
    return changes


def find_failures(stdout, stderr):
    """The lines that tell the tool failed, even with exit code 0; ``[error]`` lines are kept as context."""
    lines = [line.strip() for line in output_lines(stderr) + output_lines(stdout) if line.strip()]
    failures = [line for line in lines if any(marker in line for marker in FAILURE_MARKERS)]
    if not failures:
        return []
    return [line for line in lines if line in failures or line.startswith("[error]")]


def find_warnings(stderr):
    """The tool's ``[warning]`` lines, prefix dropped."""
    return [line.strip()[len("[warning]"):].strip() for line in output_lines(stderr) if line.strip().startswith("[warning]")]


def select_target(targets, wanted=None):
    """The target remotes go to, with the tool's own rule -> (target id, error message or None).

    Only ``server`` and ``local`` targets hold remotes; without ``wanted`` the only
    server target is chosen, if there is exactly one.
    """
    holders = sorted(t["id"] for t in targets if t.get("type") in ("server", "local"))
    if wanted:
        if wanted in holders:
            return wanted, None
        return None, "No such '%s' target available to handle remotes (targets: %s)" % (wanted, ", ".join(holders) or "none")
    servers = [t["id"] for t in targets if t.get("type") == "server"]
    if len(servers) == 1:
        return servers[0], None
    msg = "Can't select a default server target. No target specified to store remotes, choose one in %s" % ", ".join(holders)
    if not holders:
        msg += " (none yet: a target exists once GLPI Agent ran with its server or local setting)"
    return None, msg


def describe_remote(row):
    """A parsed ``list`` row as modules return it: the URL masked, its parts spelled out."""
    parsed = parse_url(row.get("url"))
    result = dict(deviceid=row.get("deviceid"), url=mask_url(row.get("url")), target=row.get("target"),
                  next_run=row.get("next_run"), protocol=parsed["protocol"], host=parsed["host"],
                  port=effective_port(parsed["protocol"], parsed["port"], parsed["modes"]),
                  username=parsed["username"], modes=parsed["modes"])
    if row.get("index") is not None:
        result["index"] = row["index"]
    return result


# --- glpi-agent: version and remoteinventory log ---------------------------------------
# GLPI Agent 1.0 brought the remoteinventory task (ssh and WinRM remotes, ``--remote``).
REMOTE_INVENTORY_SINCE = (1, 0)
_VERSION_RE = re.compile(r"^(?P<provider>.*?)\s*Agent\s*\((?P<version>[^)]*)\)")
_LOG_RE = re.compile(r"^\[(?P<level>[a-z]+\d?)\] (?:\[worker (?P<worker>\d+)\] (?P<remoteid>[^,\s]+), )?(?P<message>.*)$")
_LOG_TARGET_RE = re.compile(r"^target (?P<id>\S+): (?P<type>\w+)(?: (?P<location>.*))?$")
_LOG_NEW_RE = re.compile(r"^New (?P<event>.+?) from (?P<deviceid>\S+) for (?P<target>\S+?)(?: \(tag=(?P<tag>.*)\))?$")
_LOG_SAVED_RE = re.compile(r"^Inventory saved in (?P<file>.+?)\s*$")
_LOG_FAILED_RE = re.compile(r"^Remoteinventory worker\[(?P<worker>\d+)\] failed to handle (?P<url>.*?)\s*$")
NO_TARGET = "No target defined, aborting"


def parse_agent_version(text):
    """``glpi-agent --version`` output -> dict(provider, version (str), numbers (tuple of ints)), or None; never raises.

    GLPI Agent prints ``GLPI Agent (1.12-dev)``; its predecessor ``FusionInventory Agent (2.6)``.
    """
    for line in output_lines(text):
        match = _VERSION_RE.match(line.strip())
        if match:
            numbers = tuple(int(n) for n in re.findall(r"\d+", match.group("version").split("-")[0])[:3])
            return dict(provider=match.group("provider").strip(), version=match.group("version").strip(), numbers=numbers)
    return None


def supports_remote_inventory(version):
    """Whether a :func:`parse_agent_version` result is a GLPI Agent with the remoteinventory task."""
    return bool(version) and version.get("provider") == "GLPI" and tuple(version.get("numbers") or ()) >= REMOTE_INVENTORY_SINCE


def parse_agent_log(text):
    """The ``--logger=stderr`` lines of a ``glpi-agent --tasks remoteinventory`` run -> dict; never raises.

    Keys: ``targets`` (list of dict(id, type, location)), ``inventories`` (one per
    ``New inventory from <deviceid> for <target>``: dict(deviceid, target, worker (int
    or None), tag, file (from the following ``Inventory saved in``, or None), errors
    (the ``[error]`` lines of the same worker, or unprefixed ones after it in a
    single-remote run))), ``failures`` (dict(worker, url) from ``Remoteinventory
    worker[N] failed to handle <masked url>``), ``errors`` and ``warnings`` (the other
    lines of those levels, prefix kept), ``no_target`` (the agent had no target).
    Facts: the glpiops reference FACTS.md section 4 and its remoteinventory transcript.
    """
    result = dict(targets=[], inventories=[], failures=[], errors=[], warnings=[], no_target=False)
    current = {}  # worker (or None) -> its last inventory
    for raw in output_lines(text):
        match = _LOG_RE.match(raw.strip())
        if not match:
            continue
        level, message = match.group("level"), match.group("message")
        worker = int(match.group("worker")) if match.group("worker") else None
        found = _LOG_TARGET_RE.match(message) if level == "info" and worker is None else None
        if found:
            target = dict(id=found.group("id"), type=found.group("type"))
            if found.group("location"):
                target["location"] = found.group("location")
            result["targets"].append(target)
            continue
        found = _LOG_NEW_RE.match(message) if level == "info" else None
        if found:
            inventory = dict(deviceid=found.group("deviceid"), target=found.group("target"), worker=worker,
                             tag=found.group("tag"), file=None, errors=[])
            result["inventories"].append(inventory)
            current[worker] = inventory
            continue
        found = _LOG_SAVED_RE.match(message) if level == "info" else None
        if found and current.get(worker) is not None:
            current[worker]["file"] = found.group("file")
            continue
        found = _LOG_FAILED_RE.match(message) if level == "error" else None
        if found:
            result["failures"].append(dict(worker=int(found.group("worker")), url=found.group("url")))
            continue
        if level == "error":
            if message.strip() == NO_TARGET:
                result["no_target"] = True
            owner = current.get(worker)
            if owner is not None:
                owner["errors"].append(message)
            else:
                result["errors"].append(raw.strip())
        elif level == "warning":
            result["warnings"].append(raw.strip())
    return result


def _identity(url):
    parsed = parse_url(url)
    return (parsed["protocol"], (parsed["host"] or "").lower(), effective_port(parsed["protocol"], parsed["port"], parsed["modes"]),
            parsed["username"])


def remote_outcomes(expected, log, existing_files=()):
    """What happened to each remote of a run -> list of dict(deviceid, target, url, status, message, file); never raises.

    ``expected``: the remotes handed to the run, dict(deviceid (None when the agent
    will choose it), url, target); ``log``: :func:`parse_agent_log`; ``existing_files``:
    the output files that exist after the run.  A remote is ``ok`` when the agent
    logged a new inventory for it without error and, for a local target, the file it
    says it saved exists; ``failed`` otherwise (the agent exits 0 either way).  URLs
    are masked; remotes the log names but ``expected`` lacks are added.
    """
    existing = set(existing_files or ())
    types = dict((t.get("id"), t.get("type")) for t in log.get("targets") or [])
    pending = [dict(remote) for remote in expected or []]
    used = [False] * len(pending)
    outcomes = []

    def claim(predicate):
        for index, remote in enumerate(pending):
            if not used[index] and predicate(remote):
                used[index] = True
                return remote
        return None

    for inventory in log.get("inventories") or []:
        remote = claim(lambda r, d=inventory["deviceid"]: r.get("deviceid") == d)
        if remote is None:
            free = [i for i, r in enumerate(pending) if not used[i] and not r.get("deviceid")]
            if len(free) == 1:
                remote = pending[free[0]]
                used[free[0]] = True
        target = inventory.get("target") or (remote or {}).get("target")
        local = types.get(target, "local" if (target or "").startswith("local") else "server") == "local"
        outcome = dict(deviceid=inventory["deviceid"], target=target, url=mask_url((remote or {}).get("url")), file=inventory.get("file"))
        if inventory.get("errors"):
            outcome.update(status="failed", message="; ".join(inventory["errors"]))
        elif local and not inventory.get("file"):
            outcome.update(status="failed", message="new inventory, but GLPI Agent logged no file for it")
        elif local and inventory["file"] not in existing:
            outcome.update(status="failed", message="GLPI Agent logged %s, but there is no such file" % inventory["file"])
        elif local:
            outcome.update(status="ok", message="inventory saved in %s" % inventory["file"])
        else:
            outcome.update(status="ok", message="inventory sent to %s" % target)
        outcomes.append(outcome)
    for failure in log.get("failures") or []:
        identity = _identity(failure["url"])
        remote = claim(lambda r: mask_url(r.get("url")) == mask_url(failure["url"])) or claim(lambda r: _identity(r.get("url")) == identity)
        outcomes.append(dict(deviceid=(remote or {}).get("deviceid"), target=(remote or {}).get("target"), url=mask_url(failure["url"]),
                             file=None, status="failed", message="Remoteinventory worker[%d] failed to handle %s"
                             % (failure["worker"], mask_url(failure["url"]))))
    for index, remote in enumerate(pending):
        if not used[index]:
            outcomes.append(dict(deviceid=remote.get("deviceid"), target=remote.get("target"), url=mask_url(remote.get("url")), file=None,
                                 status="failed", message="GLPI Agent produced no inventory for it (a single remote's failure is logged "
                                 "at debug level only: run glpi-agent with --debug to see why)"))
    return outcomes
