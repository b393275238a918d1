# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI plugin states: what GLPI stores, how it is read on GLPI 10 and 11, and what it takes to change it.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  Pure functions only; the commands
run in ``_glpi_plugin.py``.

GLPI keeps one row per plugin in ``glpi_plugins`` (``directory``, ``version``, ``state``),
the state being one of the constants of GLPI's ``Plugin`` class (9.5 to 11)::

    0 ANEW, 1 ACTIVATED, 2 NOTINSTALLED, 3 TOBECONFIGURED, 4 NOTACTIVATED,
    5 TOBECLEANED, 6 NOTUPDATED (files newer than the installed version), 7 REPLACED

(what both GLPI 10.0.12 and 11.0.8 stored after install and after deactivate is 4, see the
lab transcript ``plugin-console-transcript.txt``).  GLPI 11 lists them with
``plugin:list --format json`` (state in words); GLPI 10 has no listing command, so the
rows are read with GLPI's own ``Plugin`` class by :func:`read_program`.
"""

from __future__ import annotations

import json
import re

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import glpi_program, php_string

NEW, ACTIVATED, NOTINSTALLED, TOBECONFIGURED, NOTACTIVATED, TOBECLEANED, NOTUPDATED, REPLACED = range(8)

# The module's word for each state (what glpi_plugin_info returns and glpi_plugin compares).
STATE_WORDS = {
    NEW: "new",
    ACTIVATED: "enabled",
    NOTINSTALLED: "not_installed",
    TOBECONFIGURED: "to_configure",
    NOTACTIVATED: "disabled",
    TOBECLEANED: "to_clean",
    NOTUPDATED: "to_update",
    REPLACED: "replaced",
}
# A plugin GLPI has no row for: its files are there (not_installed) or not (missing).
MISSING = "missing"

# GLPI's own labels (Plugin::getState, untranslated), as GLPI 11's plugin:list prints them.  GLPI gives
# 5 and 7 one label; 5 is the number reported for it.
GLPI_LABELS = {
    NEW: "New",
    ACTIVATED: "Enabled",
    NOTINSTALLED: "Not installed",
    TOBECONFIGURED: "Installed / not configured",
    NOTACTIVATED: "Installed / not activated",
    NOTUPDATED: "To update",
    TOBECLEANED: "Error / to clean",
}
_LABEL_NUMBERS = {label.lower(): number for number, label in GLPI_LABELS.items()}

INSTALLED = (ACTIVATED, TOBECONFIGURED, NOTACTIVATED)
WANTED_STATES = ("present", "enabled", "disabled", "absent")
PROGRAM_MARKER = "GLPIOPS-GLPI-PLUGINS:"
# GLPI 11's console prints this before anything when it runs as root (with --allow-superuser too).
ROOT_WARNING = "WARNING: running as root is discouraged."
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9]+$")


class ListParseError(GLPIOpsError):
    """``plugin:list --format json`` printed no JSON list of plugins."""


def key_problem(key):
    """Why ``key`` cannot be a plugin directory (GLPI accepts letters and digits only), or ``None``."""
    if not key or not _KEY_PATTERN.match(key):
        return "invalid plugin name %r: a plugin's name is its directory under plugins/ or marketplace/, letters and digits only" % (key,)
    return None


def state_number(label):
    """GLPI's number for one of its state labels (GLPI 11's ``plugin:list``); ``None`` when unknown."""
    return _LABEL_NUMBERS.get((label or "").strip().lower())


def install_method(text):
    """``manual`` or ``marketplace`` from GLPI 11's ``install_method`` words or GLPI 10's base directory."""
    lowered = (text or "").lower()
    if "marketplace" in lowered:
        return "marketplace"
    if "manual" in lowered or "plugins" in lowered:
        return "manual"
    return lowered or None


def record(key, number, version=None, name=None, method=None, files_version=None, label=None, was_active=False):
    """One plugin as the modules return it, the same on GLPI 10 and 11.

    ``number`` is GLPI's state, ``None`` when GLPI has no row for the plugin (then ``files_version``
    tells whether its files are there).
    """
    if number is None:
        word = STATE_WORDS[NOTINSTALLED] if files_version is not None else MISSING
    else:
        word = STATE_WORDS.get(number, "unknown")
    return {
        "key": key,
        "name": name,
        "version": version,
        "files_version": files_version,
        "state": word,
        "state_number": number,
        "state_label": label if label is not None else GLPI_LABELS.get(number),
        "install_method": method,
        "update_waiting": number == NOTUPDATED,
        "was_active": bool(was_active),
    }


def strip_root_warning(stdout):
    """``stdout`` without the lines GLPI 11 prints first when run as root (the warning, then a blank line)."""
    lines = (stdout or "").splitlines()
    if not lines or ROOT_WARNING not in lines[0]:
        return stdout or ""
    index = 1
    while index < len(lines) and lines[index].strip() and not lines[index].lstrip().startswith(("[", "{")):
        index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:])


def parse_list(stdout):
    """The records of GLPI 11's ``plugin:list --format json`` output (root warning allowed before it)."""
    text = strip_root_warning(stdout).strip()
    start = text.find("[")
    try:
        data = json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        data = None
    if not isinstance(data, list):
        raise ListParseError("plugin:list printed no JSON list: %s" % ((stdout or "").strip()[:300] or "(nothing)"))
    plugins = {}
    for item in data:
        if not isinstance(item, dict) or not item.get("key"):
            continue
        label = item.get("state")
        plugins[item["key"]] = record(item["key"], state_number(label), version=item.get("version"), name=item.get("name"),
                                      method=install_method(item.get("install_method")), label=label)
    return plugins


def effective_number(stored, version, files_version):
    """The state GLPI gives a plugin once it looks at its files (Plugin::checkPluginState): ``NOTUPDATED`` when
    the files' version differs from the installed one, unless it was not installed; ``TOBECLEANED`` when an
    installed plugin's files are gone."""
    if stored is None:
        return None
    if files_version is None:
        return TOBECLEANED if stored in INSTALLED else stored
    if files_version != version and stored not in (NEW, NOTINSTALLED, NOTUPDATED):
        return NOTUPDATED
    return stored


def records_from_program(answer):
    """The records of :func:`read_program`'s answer (GLPI 9.5/10), keyed by plugin directory."""
    plugins = {}
    for row in answer.get("plugins") or []:
        key = row.get("directory")
        if not key:
            continue
        stored = int(row["state"]) if row.get("state") is not None else None
        number = effective_number(stored, row.get("version"), row.get("files_version"))
        plugins[key] = record(key, number, version=row.get("version"), name=row.get("name"),
                              method=install_method(row.get("base")), files_version=row.get("files_version"),
                              was_active=stored == ACTIVATED and number == NOTUPDATED)
    for key, files in (answer.get("files") or {}).items():
        if key not in plugins:
            plugins[key] = record(key, None, name=files.get("name"), method=install_method(files.get("base")),
                                  files_version=files.get("version"))
    return plugins


def merge_files(listed, answer):
    """GLPI 11: the records of ``plugin:list`` (:func:`parse_list`) completed with the files the program found."""
    files = answer.get("files") or {}
    plugins = {}
    for key, item in listed.items():
        found = files.get(key) or {}
        number = effective_number(item["state_number"], item["version"], found.get("version"))
        plugins[key] = dict(item, files_version=found.get("version"),
                            install_method=item["install_method"] or install_method(found.get("base")))
        if number != item["state_number"]:
            plugins[key].update(record(key, number, version=item["version"], name=item["name"], method=plugins[key]["install_method"],
                                       files_version=found.get("version"), was_active=item["state_number"] == ACTIVATED))
    for key, found in files.items():
        if key not in plugins:
            plugins[key] = record(key, None, name=found.get("name"), method=install_method(found.get("base")), files_version=found.get("version"))
    return plugins


_PLUGINS_BODY = r"""    $glpiops_refresh = %(refresh)s;
    $answer = ['glpi_version' => GLPI_VERSION, 'layout' => $glpiops_layout];
    $bases = defined('PLUGINS_DIRECTORIES') ? PLUGINS_DIRECTORIES : [GLPI_ROOT . '/marketplace', GLPI_ROOT . '/plugins'];
    $answer['marketplace_dir'] = defined('GLPI_MARKETPLACE_DIR') ? GLPI_MARKETPLACE_DIR : GLPI_ROOT . '/marketplace';
    $answer['marketplace_enable'] = defined('GLPI_MARKETPLACE_ENABLE') ? GLPI_MARKETPLACE_ENABLE : null;
    $plugin = new Plugin();
    if ($glpiops_refresh !== null) {
        $plugin->checkPluginState($glpiops_refresh);
    }
    $files = [];
    foreach ($bases as $base) {
        foreach (is_dir($base) ? scandir($base) : [] as $key) {
            if ($key[0] === '.' || isset($files[$key]) || !is_file("$base/$key/setup.php")) {
                continue;
            }
            $informations = $plugin->getInformationsFromDirectory($key);
            $files[$key] = [
                'base' => $base === $answer['marketplace_dir'] ? 'marketplace' : 'plugins',
                'version' => isset($informations['version']) ? (string) $informations['version'] : null,
                'name' => isset($informations['name']) ? (string) $informations['name'] : null,
            ];
        }
    }
    $answer['files'] = (object) $files;
    if ($glpiops_layout !== 'kernel') {
        $answer['plugins'] = [];
        foreach ($plugin->getList() as $row) {
            $found = $files[$row['directory']] ?? null;
            $answer['plugins'][] = [
                'directory' => $row['directory'], 'name' => $row['name'], 'version' => $row['version'],
                'state' => (int) $row['state'], 'files_version' => $found['version'] ?? null, 'base' => $found['base'] ?? null,
            ];
        }
    }"""


def read_program(glpi_path, config_dir, layout, refresh=None):
    """The PHP program (given to ``php`` on stdin) that answers one JSON line after :data:`PROGRAM_MARKER`.

    It lists the plugins' files (``PLUGINS_DIRECTORIES``, read with ``Plugin::getInformationsFromDirectory()``),
    GLPI's version and marketplace settings, and on GLPI 9.5/10 (``legacy``, which has no listing command)
    the ``glpi_plugins`` rows with ``Plugin::getList()``; on 11 the rows come from ``plugin:list``.  ``refresh``: a plugin key GLPI is first asked to look at
    again (``Plugin::checkPluginState``, what GLPI's plugin page and each web request do), so that a plugin
    whose files changed is marked "to update" before the console is asked to update it.
    """
    return glpi_program("GLPI's plugins as GLPI's own Plugin class sees them (rows, files, where they are).",
                        _PLUGINS_BODY % {"refresh": php_string(refresh)}, glpi_path, config_dir, layout, marker=PROGRAM_MARKER)


def parse_program_output(stdout):
    """The program's JSON answer (a dict) from its output, or ``None``."""
    for line in reversed((stdout or "").splitlines()):
        if line.startswith(PROGRAM_MARKER):
            try:
                answer = json.loads(line[len(PROGRAM_MARKER):])
            except ValueError:
                return None
            return answer if isinstance(answer, dict) else None
    return None


def satisfied(current, wanted):
    """Whether ``current`` (a record) is already in the ``wanted`` state."""
    number = current["state_number"]
    if wanted == "absent":
        return number not in INSTALLED and number != NOTUPDATED
    if wanted == "enabled":
        return number == ACTIVATED
    if wanted == "disabled":
        return number in (TOBECONFIGURED, NOTACTIVATED)
    return number in INSTALLED


def plan(current, wanted, source="local", files_available=False):
    """The console steps that take ``current`` (a record) to ``wanted``.

    Steps: ``fetch`` (unpack ``src`` or download from the marketplace: the files are missing),
    ``refresh`` (GLPI 10: let GLPI mark an updated plugin "to update"), ``install``, ``activate``,
    ``deactivate``, ``uninstall``.  A plugin "to update" is updated (``install``) and, for ``present``,
    reactivated when it was active.
    """
    number = current["state_number"]
    if satisfied(current, wanted) and not (wanted != "absent" and number == NOTUPDATED):
        return []
    if wanted == "absent":
        return ["deactivate", "uninstall"] if number == ACTIVATED else ["uninstall"]
    steps = []
    if current["state"] == MISSING or (source == "marketplace" and number is None and not files_available):
        steps.append("fetch")
    if number == NOTUPDATED:
        steps.append("refresh")
    if number not in INSTALLED:
        steps.append("install")
    if wanted == "enabled" or (wanted == "present" and number == NOTUPDATED and current.get("was_active")):
        steps.append("activate")
    elif wanted == "disabled" and number == ACTIVATED:
        steps.append("deactivate")
    return steps
