# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which GLPI API the inventory reads (the option ``api``), and the listing through it.

Private to the glpiops.glpi collection: no compatibility promise.

``api: legacy`` is ``apirest.php`` (``_legacy``), ``api: v2`` the High-Level API (``_v2``).  ``api: auto`` decides
from the credentials: a ``user_token`` or an ``app_token`` is the legacy API's; ``client_id``/``client_secret`` are
the High-Level API's OAuth client, which is then asked first.  When that GLPI has no High-Level API (404, GLPI 9.5/10)
or has it disabled (403 ``The High-Level API is disabled``) and a ``username`` and ``password`` are set, ``auto``
reads the legacy API with them instead and says so (``Listing.fell_back``).  Without OAuth options, ``auto`` is the
legacy API, as before the option existed.
"""

from __future__ import annotations

from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api import _legacy, _v2
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._http import GLPIAPIError

APIS = ("auto", "legacy", "v2")


class Listing(object):
    """The computers, the API they came from (``legacy``/``v2``), and why ``auto`` left v2 (``fell_back``) if it did."""

    def __init__(self, computers, api, fell_back=None):
        self.computers = computers
        self.api = api
        self.fell_back = fell_back


def choose_api(options):
    """``legacy`` or ``v2`` for the options, before asking GLPI anything (see the module docstring)."""
    api = options.get("api") or "auto"
    if api not in APIS:
        raise GLPIAPIError("the option api must be one of %s, got %r" % (", ".join(APIS), api), option="api")
    if api != "auto":
        return api
    if options.get("user_token") or options.get("app_token"):
        return "legacy"
    if options.get("client_id") or options.get("client_secret"):
        return "v2"
    return "legacy"


def _no_hlapi(exc):
    """True for the errors of a GLPI without a usable High-Level API: 404 on the token, 403 disabled."""
    return exc.option == "api" and exc.status in (403, 404)


def list_computers(options, session=None):
    """The ``Listing`` of GLPI's computers the options select, through the API ``choose_api`` picks."""
    api = choose_api(options)
    if api == "legacy":
        return Listing(_legacy.list_computers(options, session=session), "legacy")
    try:
        return Listing(_v2.list_computers(options, session=session), "v2")
    except GLPIAPIError as exc:
        if (options.get("api") or "auto") != "auto" or not _no_hlapi(exc) or not (options.get("username") and options.get("password")):
            raise
        reason = exc.message
    return Listing(_legacy.list_computers(options, session=session), "legacy", fell_back=reason)
