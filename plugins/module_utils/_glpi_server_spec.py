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
from ansible.module_utils.common.validation import (
    check_mutually_exclusive,
    check_required_by,
    check_required_together,
)

DEFAULT_SPOOL_PATH = "~/.ansible/glpi_spool"
DEFAULT_TOKEN_CACHE_PATH = "~/.ansible/glpi_tokens"
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
    "fail_on_undelivered": "GLPI_FAIL_ON_UNDELIVERED",
    "import_timeout": "GLPI_IMPORT_TIMEOUT",
    "delivery_deadline": "GLPI_DELIVERY_DEADLINE",
    "max_concurrent_deliveries": "GLPI_MAX_CONCURRENT_DELIVERIES",
    "token_cache_path": "GLPI_TOKEN_CACHE_PATH",
}


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
        import_timeout=dict(type="int", default=120, fallback=_env("import_timeout")),
        delivery_deadline=dict(type="int", default=600, fallback=_env("delivery_deadline")),
        max_concurrent_deliveries=dict(type="int", default=4, fallback=_env("max_concurrent_deliveries")),
        token_cache_path=dict(type="path", default=DEFAULT_TOKEN_CACHE_PATH, fallback=_env("token_cache_path")),
        retries=dict(type="int", default=3, fallback=_env("retries")),
        retry_max_wait=dict(type="int", default=60, fallback=_env("retry_max_wait")),
        spool_path=dict(type="path", default=DEFAULT_SPOOL_PATH, fallback=_env("spool_path")),
        fail_on_undelivered=dict(type="bool", default=False, fallback=_env("fail_on_undelivered")),
    )


# The constraints between the options, for AnsibleModule, the action plugins' validate_argument_spec and the client.
GLPI_SERVER_REQUIRED_TOGETHER = [("username", "password"), ("client_id", "client_secret")]
GLPI_SERVER_MUTUALLY_EXCLUSIVE = [("username", "client_id")]
GLPI_SERVER_REQUIRED_BY = {"client_key": "client_cert"}
# Smallest value of the numeric options (the time-outs: more than 0).
GLPI_SERVER_MINIMUM = {"retries": 0, "retry_max_wait": 0, "max_concurrent_deliveries": 1}
GLPI_SERVER_POSITIVE = ("timeout", "import_timeout", "delivery_deadline")


def glpi_server_constraints():
    """The keyword arguments that give ``AnsibleModule`` / ``validate_argument_spec`` the constraints above."""
    return dict(
        required_together=[list(pair) for pair in GLPI_SERVER_REQUIRED_TOGETHER],
        mutually_exclusive=[list(pair) for pair in GLPI_SERVER_MUTUALLY_EXCLUSIVE],
        required_by=dict(GLPI_SERVER_REQUIRED_BY),
    )


def server_option_problems(params):
    """What is wrong with already type-checked server options, one sentence per problem naming the options."""
    problems = []
    present = {name: value for name, value in params.items() if value not in (None, "", [])}
    for check, constraint in ((check_required_together, GLPI_SERVER_REQUIRED_TOGETHER),
                              (check_mutually_exclusive, GLPI_SERVER_MUTUALLY_EXCLUSIVE),
                              (check_required_by, GLPI_SERVER_REQUIRED_BY)):
        try:
            check(constraint, present)
        except TypeError as exc:
            problems.append(str(exc))
    for name, minimum in GLPI_SERVER_MINIMUM.items():
        value = params.get(name)
        if value is not None and value < minimum:
            problems.append("%s must be at least %d, got %s" % (name, minimum, value))
    for name in GLPI_SERVER_POSITIVE:
        if params.get(name) is not None and params[name] <= 0:
            problems.append("%s must be more than 0 seconds, got %s" % (name, params[name]))
    return problems
