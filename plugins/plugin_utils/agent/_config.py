# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI Agent configuration as data: validated settings, ``conf.d`` text, MSI command line, registry values.

Private to the glpiops.glpi collection: no compatibility promise.

The role ``glpiops.glpi.agent`` takes the agent's configuration as a dictionary
and renders it here, so that the same validation applies to every platform:
a key the agent does not know is an error (the agent itself only warns
"unknown configuration directive" and ignores it, which hides typos).
"""

from __future__ import annotations

from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import MASK
from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError

# The keys GLPI Agent reads from agent.cfg, conf.d/*.cfg and HKLM\SOFTWARE\GLPI-Agent (its configuration
# defaults, GLPI Agent 1.11). Anything else is ignored by the agent with a warning.
AGENT_CONFIG_KEYS = frozenset((
    "additional-content", "assetname-support", "backend-collect-timeout", "ca-cert-dir", "ca-cert-file", "color",
    "conf-reload-interval", "debug", "delaytime", "force", "full-inventory-postpone", "html", "httpd-ip", "httpd-port",
    "httpd-trust", "json", "lazy", "listen", "local", "logfacility", "logfile", "logfile-maxsize", "logger", "no-category",
    "no-compression", "no-httpd", "no-p2p", "no-ssl-check", "no-task", "oauth-client-id", "oauth-client-secret", "password",
    "proxy", "remote", "remote-scheduling", "remote-workers", "scan-homedirs", "scan-profiles", "server", "snmp-retries",
    "ssl-cert-file", "ssl-fingerprint", "ssl-keystore", "tag", "tasks", "timeout", "user", "vardir",
))

# Keys the agent splits on commas; a list is written comma-separated, and an element may not contain one.
LIST_KEYS = frozenset(("logger", "local", "server", "httpd-trust", "no-task", "no-category", "tasks", "ssl-fingerprint", "remote"))

# The inventory categories ``no-category`` can name: those of GLPI Agent 1.11's inventory modules (``--list-categories``).
# The agent skips an unknown one silently, so a typo there would leave the category inventoried.
INVENTORY_CATEGORIES = frozenset((
    "accesslog", "antivirus", "battery", "bios", "controller", "cpu", "database", "drive", "environment", "firewall", "hardware",
    "input", "licenseinfo", "local_group", "local_user", "lvm", "memory", "modem", "monitor", "network", "os", "port", "printer",
    "process", "provider", "psu", "registry", "remote_mgmt", "rudder", "slot", "software", "sound", "storage", "usb", "user",
    "video", "virtualmachine",
))

# Keys whose values are credentials: the role hides them from its output.
SECRET_KEYS = frozenset(("password", "oauth-client-secret"))

# MSI properties of the GLPI Agent installer that set a configuration key (the property is the key in upper case,
# dashes as underscores), as the installer documents them; other keys are written to the registry after installation.
MSI_CONFIG_PROPERTIES = ("server", "local", "tag", "remote", "remote-workers", "httpd-port", "no-httpd", "lazy", "delaytime", "vardir")

# EXECMODE values of the MSI.
WINDOWS_EXECMODES = {"service": "1", "task": "2", "manual": "3"}
TASK_FREQUENCIES = ("minute", "hourly", "daily")


class AgentConfigError(GLPIOpsError, ValueError):
    """The configuration cannot be given to the agent; the message says which key and why."""


def _value_text(key, value):
    """One value as the agent reads it: booleans as 1/0, lists comma-separated, numbers as digits."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        if key not in LIST_KEYS:
            raise AgentConfigError("configuration key %r takes one value, not a list" % key)
        items = [_value_text(key, item) for item in value]
        for item in items:
            if "," in item:
                raise AgentConfigError("configuration key %r: the agent splits values on commas, %r cannot be one element" % (key, item))
        return ",".join(item for item in items if item)
    if isinstance(value, dict):
        raise AgentConfigError("configuration key %r: a dictionary is not a configuration value" % key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if "\n" in text or "\r" in text or "\x00" in text:
        raise AgentConfigError("configuration key %r: a value cannot span lines" % key)
    return text


def agent_settings(server=None, local=None, tag=None, config=None):
    """The agent's settings, validated -> ``{key: text}`` sorted by key, without the unset (None) ones.

    ``server``, ``local`` and ``tag`` are the role's own variables; ``config`` holds any other key. A key given in
    both places, or unknown to the agent, raises :class:`AgentConfigError`.
    """
    merged = {}
    config = config or {}
    if not isinstance(config, dict):
        raise AgentConfigError("the agent configuration must be a dictionary of key: value, not %s" % type(config).__name__)
    unknown = sorted(str(key) for key in config if key not in AGENT_CONFIG_KEYS)
    if unknown:
        hints = []
        for key in unknown:
            hint = key.replace("_", "-").lower()
            hints.append("%s (did you mean %s?)" % (key, hint) if hint in AGENT_CONFIG_KEYS else key)
        raise AgentConfigError("unknown GLPI Agent configuration key(s): %s; known keys: %s" % (", ".join(hints), ", ".join(sorted(AGENT_CONFIG_KEYS))))
    for key, value in (("server", server), ("local", local), ("tag", tag)):
        if value is not None and value != [] and value != "":
            if key in config:
                raise AgentConfigError("configuration key %r is set both by its own variable and in the configuration dictionary" % key)
            merged[key] = value
    merged.update(config)
    settings = {key: _value_text(key, value) for key, value in sorted(merged.items()) if value is not None}
    _check_categories(settings.get("no-category"))
    return settings


def _check_categories(text):
    """Refuse a ``no-category`` entry that names no inventory category of the agent."""
    unknown = [name for name in (text or "").split(",") if name.strip() and name.strip() not in INVENTORY_CATEGORIES]
    if unknown:
        raise AgentConfigError("configuration key 'no-category': unknown inventory categor%s %s; known categories: %s"
                               % ("y" if len(unknown) == 1 else "ies", ", ".join(repr(name) for name in unknown),
                                  ", ".join(sorted(INVENTORY_CATEGORIES))))


def _quoted(text):
    """A value as a conf.d line holds it: quoted when the agent would otherwise cut or trim it."""
    if text == "" or text != text.strip() or "#" in text or text[0] in "'\"":
        return '"%s"' % text
    return text


def agent_cfg(settings, header=None):
    """The text of a ``conf.d/*.cfg`` file with these settings (from :func:`agent_settings`)."""
    lines = ["# %s" % line for line in (header or "").splitlines()]
    lines.extend("%s = %s" % (key, _quoted(text)) for key, text in sorted(settings.items()))
    return "\n".join(lines) + "\n"


def msi_property_name(key):
    """``remote-workers`` -> ``REMOTE_WORKERS``."""
    return key.upper().replace("-", "_")


def _msi_argument(name, value):
    """``NAME=value``, quoted the way msiexec reads it (inner quotes doubled) when the value needs it."""
    value = str(value)
    if value == "" or any(c in value for c in ' \t"'):
        return '%s="%s"' % (name, value.replace('"', '""'))
    return "%s=%s" % (name, value)


def msi_arguments(msi_path, settings, execmode="service", task_frequency="hourly", add_firewall_exception=False, runnow=False,
                  log_path=None, extra_properties=None):
    """The msiexec argument list that installs GLPI Agent from ``msi_path`` with these settings, quiet.

    ``execmode`` is the role's run mode (service, task, manual); ``task_frequency`` applies to ``task``.
    Secrets (``SECRET_KEYS``) are never msiexec properties: a command line is readable by every local user. The role's
    script writes them into the registry right after the installation.
    """
    if execmode not in WINDOWS_EXECMODES:
        raise AgentConfigError("Windows run mode must be one of %s, not %r" % (", ".join(WINDOWS_EXECMODES), execmode))
    if task_frequency not in TASK_FREQUENCIES:
        raise AgentConfigError("task frequency must be one of %s, not %r" % (", ".join(TASK_FREQUENCIES), task_frequency))
    args = ["/i", str(msi_path), "/quiet", "/norestart"]
    if log_path:
        args.extend(["/l*v", str(log_path)])
    properties = {msi_property_name(key): settings[key] for key in MSI_CONFIG_PROPERTIES if key in settings and key not in SECRET_KEYS}
    properties["EXECMODE"] = WINDOWS_EXECMODES[execmode]
    if execmode == "task":
        properties["TASK_FREQUENCY"] = task_frequency
    properties["RUNNOW"] = "1" if runnow else "0"
    properties["ADD_FIREWALL_EXCEPTION"] = "1" if add_firewall_exception else "0"
    for name, value in sorted((extra_properties or {}).items()):
        if not name or not str(name).replace("_", "").isalnum() or str(name) != str(name).upper():
            raise AgentConfigError("MSI property names are upper-case letters, digits and underscores, not %r" % name)
        properties[str(name)] = _value_text(str(name), value)
    args.extend(_msi_argument(name, value) for name, value in properties.items())
    return args


def masked(settings):
    """These settings with credentials replaced by the collection's mask (for output)."""
    return {key: (MASK if key in SECRET_KEYS and text else text) for key, text in settings.items()}
