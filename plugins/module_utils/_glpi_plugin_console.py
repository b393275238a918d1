# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's plugin and marketplace console commands: their command lines and what their answers mean.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  Pure functions.  The console's exit
codes do not tell what happened (lab transcript ``plugin-console-transcript.txt``): ``activate``
on an active plugin exits 1, ``install -f`` on an installed one prints SQL errors and exits 0,
``marketplace:download`` exits 0 on some failures.  So :func:`interpret` only sorts the answer
for messages; whether a step worked is decided by reading the plugin's state again.
"""

from __future__ import annotations

import os

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import root_message
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_state import strip_root_warning

COMMANDS = {
    "list": "plugin:list",
    "install": "plugin:install",
    "activate": "plugin:activate",
    "deactivate": "plugin:deactivate",
    "uninstall": "plugin:uninstall",
    "download": "marketplace:download",
}

# What the console says, as GLPI 10.0.12 and 11.0.8 said it (lab transcript), sorted most specific first.
_SIGNS = (
    ("root_refused", ("Use --allow-superuser option to bypass this limitation.",)),
    ("username_invalid", ("User name defined by --username option is invalid.",)),
    ("invalid_directory", ("Invalid plugin directory",)),
    ("unreachable", ("Could not resolve host", "Connection failed", "Could not connect", "timed out")),
    ("key_invalid", ("registration key is missing or invalid",)),
    ("not_downloadable", ("cannot be downloaded", "could not be downloaded")),
    ("already", ("is already installed.", "is already active.", "is already inactive.", "is not installed.", "already downloaded")),
    ("done", ("has been installed", "has been activated", "has been deactivated", "has been uninstalled", "has been downloaded")),
)
_NOISE = ("Processing plugin", "This action will permanently delete data")


def console_argv(php, glpi_path, step, key=None, kernel=False, allow_superuser=False, username=None, config_dir=None):
    """argv of one console step (:data:`COMMANDS`); never holds a secret.

    ``--allow-superuser`` goes only to GLPI 11 (``kernel``): GLPI 10's console has no such option.
    ``-u`` goes to GLPI 9.5/10's ``plugin:install`` only: it requires one under ``-n`` (GLPI 11 does not).
    """
    argv = [php, os.path.join(glpi_path, "bin", "console"), COMMANDS[step]]
    if step == "list":
        argv += ["--format", "json"]
    if key is not None:
        argv.append(key)  # letters and digits only (key_problem), never taken for an option
    if step == "install" and username and not kernel:
        argv += ["-u", username]
    argv.append("-n")
    if kernel and allow_superuser:
        argv.append("--allow-superuser")
    argv.append("--no-ansi")
    if config_dir and not kernel:
        argv.append("--config-dir=%s" % config_dir)
    return argv


def said(stdout, stderr):
    """GLPI's words in an answer: non-blank lines, without the root warning and the progress lines."""
    lines = []
    for text in (strip_root_warning(stdout), stderr or ""):
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith(_NOISE) and not line.startswith("plugin:install ["):
                lines.append(line)
    return lines


def interpret(rc, stdout, stderr):
    """Sort one console answer: ``{"kind", "said", "sql_errors", "rc"}``.

    ``kind``: ``root_refused`` (GLPI 11 as root without ``--allow-superuser``), ``username_invalid``,
    ``invalid_directory``, ``unreachable`` (GLPI Network), ``key_invalid``, ``not_downloadable``,
    ``already`` (nothing to do, whatever the rc), ``done`` (GLPI says it did it, whatever the rc) or
    ``failed``.  It is never taken for the plugin's state.
    """
    text = (stdout or "") + "\n" + (stderr or "")
    kind = "failed"
    for name, signs in _SIGNS:
        if any(sign in text for sign in signs):
            kind = name
            break
    if kind == "root_refused" and rc == 0:
        kind = "failed"
    words = said(stdout, stderr)
    return {"kind": kind, "rc": rc, "said": words, "sql_errors": sum(1 for line in words if line.startswith("SQL Error"))}


def failure_message(step, key, outcome, state_after):
    """The module's message when ``step`` left ``key`` in ``state_after`` (a state word), with GLPI's words."""
    command = COMMANDS[step]
    words = "; ".join(outcome["said"])[:600] or "(nothing)"
    kind = outcome["kind"]
    if kind == "root_refused":
        return root_message(command)
    if kind == "invalid_directory":
        return "plugin %s not found: GLPI has no plugin directory %s under plugins/ or marketplace/ (GLPI said: %s)" % (key, key, words)
    if kind == "username_invalid":
        return ("%s needs a GLPI user to act as (GLPI said: %s). Set glpi_user to the login of an existing GLPI "
                "super-admin account (default glpi)." % (command, words))
    if kind == "unreachable":
        return ("GLPI Network cannot be reached from this GLPI server, so the marketplace cannot download %s (GLPI said: %s). "
                "Check DNS, the firewall and GLPI's proxy settings, or give the plugin's archive with src." % (key, words))
    if kind in ("key_invalid", "not_downloadable"):
        return ("the marketplace refused to download %s: the GLPI Network registration key is missing or invalid (GLPI said: %s). "
                "Register the instance (glpiops.glpi.glpi_network_register, or registration_key in the plugins playbook), "
                "or give the plugin's archive with src." % (key, words))
    return "%s %s left plugin %s %s (rc %s; GLPI said: %s)" % (command, key, key, state_after, outcome["rc"], words)


def marketplace_problem(marketplace_enable):
    """Why GLPI's marketplace is off for the console (``GLPI_MARKETPLACE_ENABLE``: 0 off, 1 CLI, 2 web, 3 both), or ``None``."""
    if marketplace_enable is None or int(marketplace_enable) in (1, 3):
        return None
    return ("GLPI's marketplace is disabled for the command line (GLPI_MARKETPLACE_ENABLE is %s; 1 or 3 allow it, default 3): "
            "set it in GLPI's config/local_define.php, or give the plugin's archive with src." % marketplace_enable)
