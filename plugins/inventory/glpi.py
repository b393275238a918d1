# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: glpi
short_description: GLPI's computers as an Ansible inventory
version_added: 0.1.0
description:
  - Lists the computers of a L(GLPI,https://glpi-project.org/) server (GLPI 9.5, 10 and 11) and makes each an inventory
    host named after the computer, with its GLPI fields as C(glpi_) variables, C(ansible_host) set to one of its IP
    addresses, and default groups by entity, location, state and operating system.
  - Reads GLPI's legacy REST API (C(apirest.php), GLPI 9.5, 10 and 11), which must be enabled in GLPI
    (Setup > General > API), with an active API client admitting the controller's address; one request per page of computers (their IP
    addresses joined in), plus opening and ending the API session.
  - Or reads GLPI 11's High-Level API v2 (C(api.php)) with an OAuth client and the password grant (see O(api)); one
    request per page of computers, plus one for the access token. The v2 API lists no IP address, operating system,
    last inventory date or agent, so with it hosts get no C(ansible_host) (Ansible connects to the computer's name,
    through DNS) and no C(os) group.
  - Deleted computers (in GLPI's trash bin) are not listed; templates are not listed by the legacy API (the v2 API
    cannot tell them apart, see the guide).
  - The configuration file must end with C(.glpi.yml) or C(.glpi.yaml).
  - Any failure (a bad URL, refused credentials, a disabled API, a profile without the right to read computers, a page
    that fails half-way) fails the inventory source with one message naming the option to check; no inventory is
    made from part of GLPI's computers. Tokens and passwords never appear in messages.
author:
  - glpiops.glpi engineers (@glpiops)
requirements:
  - requests (Python library on the controller)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes a YAML file an inventory source for it.
    type: str
    required: true
    choices: [glpiops.glpi.glpi]
  url:
    description:
      - GLPI's address, for example V(https://glpi.example.com) or V(https://example.com/glpi); C(apirest.php) is
        appended unless the URL already ends with it.
      - Only C(http) and C(https) URLs, without credentials, query or fragment.
    type: str
    required: true
    env:
      - name: GLPI_URL
  api:
    description:
      - Which GLPI API to read.
      - V(legacy) is C(apirest.php) (GLPI 9.5, 10 and 11), with O(user_token) (and O(app_token)) or O(username)
        and O(password).
      - V(v2) is GLPI 11's High-Level API (C(api.php/v2.0)), with O(client_id), O(client_secret), O(username) and
        O(password) (OAuth password grant, scope C(api)).
      - V(auto) reads the legacy API when O(user_token) or O(app_token) is set; else the High-Level API when
        O(client_id) or O(client_secret) is set, falling back to the legacy API with O(username) and O(password)
        (and a warning) when that GLPI has no High-Level API or has it disabled; else the legacy API.
    type: str
    default: auto
    choices: [auto, legacy, v2]
    env:
      - name: GLPI_API
  client_id:
    description:
      - The identifier of GLPI's OAuth client (Setup > OAuth clients) for the High-Level API v2. The client must allow
        the Password grant and the scope C(api).
      - GLPI also issues client_credentials tokens, but they carry no user and GLPI refuses every listing with them,
        so the API user's O(username) and O(password) are required too.
    type: str
    env:
      - name: GLPI_CLIENT_ID
  client_secret:
    description:
      - The secret of O(client_id). Never shown in messages, logs or results.
    type: str
    env:
      - name: GLPI_CLIENT_SECRET
  user_token:
    description:
      - The API token of the GLPI user the inventory reads as (the user's preferences, Remote access keys,
        "API token"), sent in the C(Authorization) header as C(user_token <token>) to open a session.
      - Either O(user_token) or O(username) and O(password) is required; O(user_token) wins when both are set.
      - Never shown in messages, logs or results.
    type: str
    env:
      - name: GLPI_USER_TOKEN
  username:
    description:
      - GLPI login for the legacy API session (HTTP Basic), when there is no O(user_token). GLPI must allow it
        (Setup > General > API, "Enable login with credentials").
      - With the High-Level API v2, the API user of the OAuth password grant (a dedicated GLPI user is best).
    type: str
    env:
      - name: GLPI_USERNAME
  password:
    description:
      - The password of O(username). Never shown in messages, logs or results.
    type: str
    env:
      - name: GLPI_PASSWORD
  app_token:
    description:
      - The application token of GLPI's API client (Setup > General > API, API clients), sent as C(App-Token), when
        the client has one. Never shown in messages, logs or results.
    type: str
    env:
      - name: GLPI_APP_TOKEN
  validate_certs:
    description:
      - Verify GLPI's TLS certificate. Set to V(false) only for tests with self-signed certificates.
      - The same option, and variable, as the collection's other GLPI server options.
    type: bool
    default: true
    env:
      - name: GLPI_VALIDATE_CERTS
  ca_path:
    description: PEM file (or directory prepared with C(c_rehash)) of the certificate authorities to trust instead of the system's.
    type: path
    env:
      - name: GLPI_CA_PATH
  client_cert:
    description: PEM client certificate for TLS client authentication; it may hold the private key too.
    type: path
    env:
      - name: GLPI_CLIENT_CERT
  client_key:
    description: PEM private key of O(client_cert), when the certificate file does not hold it. It must not be encrypted.
    type: path
    env:
      - name: GLPI_CLIENT_KEY
  proxy:
    description:
      - URL of the HTTP proxy to use for GLPI. When not set, the usual E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY)
        variables apply.
    type: str
    env:
      - name: GLPI_PROXY
  timeout:
    description: Time limit in seconds to connect to GLPI and for each read of an answer.
    type: int
    default: 30
    env:
      - name: GLPI_TIMEOUT
  request_deadline:
    description:
      - Longest time in seconds one request to GLPI may take, from connecting to the last byte of its answer.
      - An answer that still drips in then (each read within O(timeout)) is cut and the inventory fails.
    type: int
    default: 300
    env:
      - name: GLPI_REQUEST_DEADLINE
  page_size:
    description:
      - How many computers one request lists. GLPI announces its largest page (C(Accept-Range), 1000 by default);
        a larger O(page_size) is cut to it after the first request.
      - 10,000 computers take 10 requests with the default, plus opening and ending the session (legacy) or the
        token request (v2). GLPI's v2 announces no maximum; every page is checked against its C(Content-Range).
    type: int
    default: 1000
    env:
      - name: GLPI_PAGE_SIZE
  entities:
    description:
      - Only computers of these entities, by their complete name as GLPI shows it (V(Root entity > Paris)).
        Filtered by GLPI; several entities are OR-ed. With the v2 API, the entity's complete name must be equal.
    type: list
    elements: str
    default: []
    env:
      - name: GLPI_ENTITIES
  states:
    description:
      - Only computers in these states (GLPI's "Status", for example V(In use)). Filtered by GLPI; OR-ed.
      - The legacy API compares the state's complete name, the v2 API its name.
    type: list
    elements: str
    default: []
    env:
      - name: GLPI_STATES
  name_pattern:
    description:
      - Only computers whose name contains this text (GLPI's "contains" search, case-insensitive); V(^) anchors it at
        the start and V($) at the end, as in GLPI's search form. Filtered by GLPI (with the v2 API, as C(=ilike=)
        where V(*) is a wildcard).
    type: str
    env:
      - name: GLPI_NAME_PATTERN
  last_inventory_days:
    description:
      - Only computers inventoried since the start of the day this many days ago, by GLPI's clock and time zone
        (V(0) means today, V(7) since midnight 7 days ago). Filtered by GLPI.
      - Legacy API only; the v2 API's Computer has no last inventory date, and the inventory fails when it is set with it.
    type: int
    env:
      - name: GLPI_LAST_INVENTORY_DAYS
  address_preference:
    description:
      - How C(ansible_host) is chosen among the computer's IP addresses (GLPI's search option 126, every address of
        every network port). Loopback, link-local, unspecified and multicast addresses never qualify.
      - The first qualifying address of the first kind listed that has one; in the order GLPI lists them.
      - A computer without a qualifying address gets no C(ansible_host) (Ansible then uses its name).
    type: list
    elements: str
    choices: [ipv4, ipv6]
    default: [ipv4, ipv6]
    env:
      - name: GLPI_ADDRESS_PREFERENCE
  address_networks:
    description:
      - When set, only addresses inside one of these networks (CIDR, V(10.0.0.0/8)) qualify for C(ansible_host).
      - A loopback or link-local address qualifies only through a network listed here (V(127.0.0.0/8)).
    type: list
    elements: str
    default: []
    env:
      - name: GLPI_ADDRESS_NETWORKS
  group_by:
    description:
      - The default groups, named C(<group_prefix><key>_<value>) in lower case, other characters as C(_), for example
        C(glpi_entity_root_entity_paris) and C(glpi_os_debian_gnu_linux_12_bookworm). A computer without the value
        is in no group of that key.
    type: list
    elements: str
    choices: [entity, location, state, os]
    default: [entity, location, state, os]
    env:
      - name: GLPI_GROUP_BY
  group_prefix:
    description: The prefix of the default groups' names.
    type: str
    default: glpi_
    env:
      - name: GLPI_GROUP_PREFIX
notes:
  - "Host variables: C(glpi_id), C(glpi_name), C(glpi_serial), C(glpi_uuid), C(glpi_entity), C(glpi_location),
    C(glpi_state), C(glpi_os_name), C(glpi_os_version), C(glpi_manufacturer), C(glpi_model), C(glpi_type),
    C(glpi_groups) (list), C(glpi_last_inventory), C(glpi_agent_deviceid), C(glpi_ip_addresses) (list)."
  - Two computers with the same name become two hosts; the one with the higher GLPI id is named C(<name>_<id>).
seealso:
  - name: The inventory plugin's guide
    description: docs/inventory-plugin.md in the collection.
    link: https://github.com/glpiops/glpi/blob/main/docs/inventory-plugin.md
"""

EXAMPLES = r"""
# inventory/prod.glpi.yml; the user token comes from GLPI_USER_TOKEN
plugin: glpiops.glpi.glpi
url: https://glpi.example.com

---
# Only Paris's computers in use, inventoried this week; 10.x addresses; cached for an hour
plugin: glpiops.glpi.glpi
url: https://glpi.example.com
entities: ["Root entity > Paris"]
states: [In use]
last_inventory_days: 7
address_networks: [10.0.0.0/8]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-glpi
cache_timeout: 3600

---
# GLPI 11's High-Level API v2; GLPI_CLIENT_SECRET and GLPI_PASSWORD come from the environment
plugin: glpiops.glpi.glpi
url: https://glpi.example.com
api: v2
client_id: 7f3c0d1e5b2a4c6e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e
username: ansible-inventory

---
# Groups of your own from the glpi_ variables
plugin: glpiops.glpi.glpi
url: https://glpi.example.com
keyed_groups:
  - key: glpi_manufacturer
    prefix: vendor
compose:
  ansible_user: "'administrator' if glpi_os_name is search('Windows') else 'ansible'"
groups:
  stale: glpi_last_inventory < '2026-01-01'
"""

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._backends import list_computers
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._hosts import inventory_hosts

# The options the GLPI client reads.
CLIENT_OPTIONS = ("url", "api", "user_token", "username", "password", "app_token", "client_id", "client_secret",
                  "validate_certs", "ca_path", "client_cert", "client_key", "proxy", "timeout", "request_deadline",
                  "page_size", "entities", "states", "name_pattern",
                  "last_inventory_days")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """GLPI's computers as inventory hosts (see DOCUMENTATION)."""

    NAME = "glpiops.glpi.glpi"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".glpi.yml", ".glpi.yaml"))

    def _client_options(self):
        options = {name: self.get_option(name) for name in CLIENT_OPTIONS}
        for name in ("page_size", "timeout", "request_deadline"):
            if options[name] is not None and options[name] < 1:
                raise AnsibleParserError("glpiops.glpi.glpi: the option %s must be at least 1, got %s" % (name, options[name]))
        if options["last_inventory_days"] is not None and options["last_inventory_days"] < 0:
            raise AnsibleParserError("glpiops.glpi.glpi: the option last_inventory_days must not be negative")
        return options

    def _computers(self, path, cache):
        """GLPI's computers: from the inventory cache when it may be used and holds them, else from GLPI."""
        use_cache = self.get_option("cache")
        key = self.get_cache_key(path)
        if use_cache and cache:
            try:
                return self._cache[key]
            except KeyError:
                pass
        options = self._client_options()
        try:
            listing = list_computers(options)
        except GLPIOpsError as exc:
            raise AnsibleParserError("glpiops.glpi.glpi: %s" % exc) from None
        if listing.fell_back:
            self.display.warning("glpiops.glpi.glpi: api auto read GLPI's legacy API with username and password, because %s"
                                 % listing.fell_back)
        computers = listing.computers
        if use_cache:
            self._cache[key] = computers
        return computers

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        computers = self._computers(path, cache)
        strict = self.get_option("strict")
        try:
            hosts = inventory_hosts(computers, preference=self.get_option("address_preference"),
                                    networks=self.get_option("address_networks"), group_by=self.get_option("group_by"),
                                    prefix=self.get_option("group_prefix"))
        except ValueError as exc:  # a network of address_networks that is not one
            raise AnsibleParserError("glpiops.glpi.glpi: the option address_networks: %s" % exc) from None
        for name, variables, groups in hosts:
            self.inventory.add_host(name)
            for variable, value in variables.items():
                # GLPI's fields come from agents and users: data, never templates (ansible-core 2.19 does it alone)
                self.inventory.set_variable(name, variable, wrap_var(value))
            for group in groups:
                self.inventory.add_group(group)
                self.inventory.add_child(group, name)
            host_vars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), host_vars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, name, strict=strict)
