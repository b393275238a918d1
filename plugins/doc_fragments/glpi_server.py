# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The options of plugins/module_utils/_glpi_server_spec.py, one for one.
    DOCUMENTATION = r"""
options:
  server:
    description:
      - One or more URLs of GLPI's native inventory endpoint; the document goes to each of them.
      - A GLPI root URL such as C(https://glpi.example.com/) gets C(front/inventory.php) appended;
        a URL that already names the endpoint (C(.../front/inventory.php), GLPI 11's C(.../Inventory),
        or a plugin path such as C(.../plugins/glpiinventory/)) is used as given.
      - Only C(http) and C(https) URLs are accepted. A URL carrying credentials (C(https://user:pass@...)) is refused;
        use O(username) and O(password), or O(client_id) and O(client_secret), instead.
      - When not set, the E(GLPI_SERVER) environment variable is used (several URLs separated by commas).
    type: list
    elements: str
  username:
    description:
      - Login for HTTP Basic authentication, GLPI's C(basic_auth) inventory setting.
      - When not set, the E(GLPI_USERNAME) environment variable is used.
      - Mutually exclusive with O(client_id).
    type: str
  password:
    description:
      - Password for HTTP Basic authentication, required with O(username).
      - When not set, the E(GLPI_PASSWORD) environment variable is used.
      - Never shown in results, logs or error messages.
    type: str
  client_id:
    description:
      - Identifier of a GLPI 11 OAuth client with the C(client_credentials) grant and the C(inventory) scope,
        GLPI's C(client_credentials) inventory setting.
      - An access token is requested from C(<glpi>/api.php/token), shared by the hosts of a run through a cache file
        readable by its owner only, and requested again when GLPI refuses it.
      - When not set, the E(GLPI_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - Secret of the OAuth client O(client_id), required with it.
      - When not set, the E(GLPI_CLIENT_SECRET) environment variable is used.
      - Never shown in results, logs or error messages.
    type: str
  compression:
    description:
      - How the document is sent. V(zlib) compresses it (C(application/x-compress-zlib)), as GLPI Agent does;
        V(none) sends plain JSON (C(application/json)), for example through a proxy that inspects requests.
      - When not set, the E(GLPI_COMPRESSION) environment variable is used.
    type: str
    default: zlib
    choices: [zlib, none]
  contact:
    description:
      - Before the inventory, send GLPI Agent's C(contact) request and report GLPI's answer (inventory frequency,
        disabled tasks). No inventory is sent to a server that answers that the inventory task is disabled.
      - As GLPI Agent, no new inventory of a host is sent before the inventory frequency GLPI answers (C(expiration), in
        hours) has passed since GLPI last accepted one from this controller (noted in O(spool_path)); the task then
        reports the status C(not_due) and when the next inventory is due.
      - When not set, the E(GLPI_CONTACT) environment variable is used.
    type: bool
    default: false
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for tests with self-signed certificates.
      - When not set, the E(GLPI_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file (or directory prepared with C(c_rehash)) of the certificate authorities to trust instead of the system's.
      - When not set, the E(GLPI_CA_PATH) environment variable is used.
    type: path
  client_cert:
    description:
      - PEM client certificate for TLS client authentication; it may hold the private key too.
      - When not set, the E(GLPI_CLIENT_CERT) environment variable is used.
    type: path
  client_key:
    description:
      - PEM private key of O(client_cert), when the certificate file does not hold it. It must not be encrypted.
      - Requires O(client_cert).
      - When not set, the E(GLPI_CLIENT_KEY) environment variable is used.
    type: path
  proxy:
    description:
      - URL of the HTTP proxy to use for GLPI, for example C(http://proxy.example.com:3128).
      - When not set, the E(GLPI_PROXY) environment variable is used, then the usual E(HTTPS_PROXY), E(HTTP_PROXY)
        and E(NO_PROXY) variables.
    type: str
  timeout:
    description:
      - Time limit in seconds to connect to GLPI, and to wait for each part of its answer to a C(contact) or a token
        request. The answer to an inventory has its own, O(import_timeout).
      - When not set, the E(GLPI_TIMEOUT) environment variable is used.
    type: int
    default: 30
  import_timeout:
    description:
      - Time limit in seconds to wait for GLPI's answer to an inventory, once it was sent. GLPI answers when it has
        imported the document, 1 to 3 seconds for a large one, and imports one document at a time, so under load the
        answer may take much longer.
      - An inventory that got no answer in time is C(unconfirmed) (GLPI may have imported it) and is never sent again
        at once. Cut to what is left of O(delivery_deadline).
      - When not set, the E(GLPI_IMPORT_TIMEOUT) environment variable is used.
    type: int
    default: 120
  delivery_deadline:
    description:
      - Time limit in seconds for the whole delivery of one document to one server, everything included (C(contact),
        re-sending the spool, waiting for a free delivery slot, retries and their waits, reading the answer). No request
        starts after it, and the time-outs of a request are cut to what is left; a server that drips its answer byte
        by byte cannot hold the task longer. What was not sent by then stays in the spool.
      - Each server's C(elapsed) seconds are reported, and C(deadline_reached) when it passed.
      - When not set, the E(GLPI_DELIVERY_DEADLINE) environment variable is used.
    type: int
    default: 600
  max_concurrent_deliveries:
    description:
      - How many inventories this controller sends to one server at the same time, across the forked workers of a run
        and every run that shares O(spool_path) (file locks in its C(slots) subdirectory). The others wait for a
        free slot, within O(delivery_deadline).
      - GLPI imports one inventory at a time; sending many at once only makes each answer later.
      - When not set, the E(GLPI_MAX_CONCURRENT_DELIVERIES) environment variable is used.
    type: int
    default: 4
  token_cache_path:
    description:
      - Directory on the B(controller) of the OAuth2 token cache (O(client_id)), mode C(0700), files C(0600).
      - When it cannot be written (a read-only home), each worker asks GLPI for its own token, and the task says so
        in a warning.
      - When not set, the E(GLPI_TOKEN_CACHE_PATH) environment variable is used.
    type: path
    default: ~/.ansible/glpi_tokens
  retries:
    description:
      - How many times a request is sent again after a time-out before anything was sent, a connection that broke
        before the request went out, or an answer C(429) or C(5xx) that does not come from GLPI's inventory itself.
      - Never retried are a server that refuses the connection or whose name does not resolve (the document is spooled at
        once); GLPI's own refusals; redirections; and an inventory that was sent whole but got no answer in time, or
        whose connection broke while GLPI was answering. GLPI may have imported that one, so it is kept in the spool as
        C(unconfirmed) and sent again by the next run, never at once, so a busy GLPI is not sent the same inventory
        again while it still imports the first copy.
      - Waits between attempts grow exponentially, with random jitter, and follow C(Retry-After).
      - The number of attempts made is reported in each server's C(attempts).
      - When not set, the E(GLPI_RETRIES) environment variable is used.
    type: int
    default: 3
  retry_max_wait:
    description:
      - Total time cap, in seconds, of the retries of one request, counted from its first attempt. No attempt starts
        after it, and a wait that would end after it is not made.
      - When not set, the E(GLPI_RETRY_MAX_WAIT) environment variable is used.
    type: int
    default: 60
  spool_path:
    description:
      - Directory on the B(controller) where a document is kept when it could not be delivered (the server could not
        be reached, or it is C(unconfirmed)); the task then reports it as spooled (C(delivered=false),
        C(spooled) the path of the file) and, unless O(fail_on_undelivered) is set, does not fail.
      - At most one document per server and deviceid is kept, the newest; the older one is removed and reported
        as replaced.
      - The next run that reaches that server sends the kept documents first, oldest first, each deleted only once
        GLPI accepted it; a kept document of the host being delivered is replaced by the new inventory.
        A kept document that GLPI itself refuses, or a file that is not a spooled document, is moved to the C(rejected)
        subdirectory with a C(.reason) file and reported.
      - Created with mode C(0700), documents with mode C(0600). Keep it on persistent storage.
      - When not set, the E(GLPI_SPOOL_PATH) environment variable is used.
    type: path
    default: ~/.ansible/glpi_spool
  fail_on_undelivered:
    description:
      - By default (V(false)) a document that could not be delivered but was kept in the spool (statuses C(spooled)
        and C(unconfirmed)) is a warning, not a failure, so that a run over many hosts goes on while GLPI is down.
      - V(true) makes every document that was not delivered a task failure; the document is still kept in the spool.
      - GLPI's own decisions not to take an inventory (C(not_due), C(disabled) with O(contact)) are never failures.
      - When not set, the E(GLPI_FAIL_ON_UNDELIVERED) environment variable is used.
    type: bool
    default: false
"""
