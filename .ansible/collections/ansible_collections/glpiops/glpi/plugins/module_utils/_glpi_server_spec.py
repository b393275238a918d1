# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The options that say how to reach a GLPI server, defined once.

Private to the glpiops.glpi collection: no compatibility promise.

Every module that delivers to GLPI merges ``glpi_server_argument_spec()`` into its
own spec (modules cannot import ``plugin_utils``) and extends the
``glpiops.glpi.glpi_server`` documentation fragment, which describes exactly
these options (validate-modules compares the two).  Each option falls back to
the environment variable named in ``GLPI_SERVER_ENV``.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

DEFAULT_SPOOL_PATH = "~/.ansible/glpi_spool"
COMPRESSIONS = ("zlib", "none")

# Option name -> environment variable used when the option is not set.
GLPI_SERVER_ENV = {
    "server": "GLPI_SERVER",
    "username": "GLPI_USERNAME",
    "password": "GLPI_PASSWORD",
    "client_id": "GLPI_CLIENT_ID",
    "client_secret": "GLPI_CLIENT_SECRET",
    "compression": "GLPI_COMPRESSION",
    "contact": "GLPI_CONTACT",
    "validate_certs": "GLPI_VALIDATE_CERTS",
    "ca_path": "GLPI_CA_PATH",
    "client_cert": "GLPI_CLIENT_CERT",
    "client_key": "GLPI_CLIENT_KEY",
    "proxy": "GLPI_PROXY",
    "timeout": "GLPI_TIMEOUT",
    "retries": "GLPI_RETRIES",
    "retry_max_wait": "GLPI_RETRY_MAX_WAIT",
    "spool_path": "GLPI_SPOOL_PATH",
}

# Options whose values must never be shown.
GLPI_SERVER_SECRETS = ("password", "client_secret")


def _env(name):
    return (env_fallback, [GLPI_SERVER_ENV[name]])


def glpi_server_argument_spec():
    """The argument spec of the GLPI server options (a new dict on every call)."""
    return dict(
        server=dict(type="list", elements="str", fallback=_env("server")),
        username=dict(type="str", fallback=_env("username")),
        password=dict(type="str", no_log=True, fallback=_env("password")),
        client_id=dict(type="str", fallback=_env("client_id")),
        client_secret=dict(type="str", no_log=True, fallback=_env("client_secret")),
        compression=dict(type="str", default="zlib", choices=list(COMPRESSIONS), fallback=_env("compression")),
        contact=dict(type="bool", default=False, fallback=_env("contact")),
        validate_certs=dict(type="bool", default=True, fallback=_env("validate_certs")),
        ca_path=dict(type="path", fallback=_env("ca_path")),
        client_cert=dict(type="path", fallback=_env("client_cert")),
        client_key=dict(type="path", no_log=False, fallback=_env("client_key")),
        proxy=dict(type="str", fallback=_env("proxy")),
        timeout=dict(type="int", default=30, fallback=_env("timeout")),
        retries=dict(type="int", default=3, fallback=_env("retries")),
        retry_max_wait=dict(type="int", default=60, fallback=_env("retry_max_wait")),
        spool_path=dict(type="path", default=DEFAULT_SPOOL_PATH, fallback=_env("spool_path")),
    )


# Pairs for AnsibleModule / the action plugin's validation.
GLPI_SERVER_REQUIRED_TOGETHER = [("username", "password"), ("client_id", "client_secret")]
GLPI_SERVER_MUTUALLY_EXCLUSIVE = [("username", "client_id")]
GLPI_SERVER_REQUIRED_BY = {"client_key": "client_cert"}
