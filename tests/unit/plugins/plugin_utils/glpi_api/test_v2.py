# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The High-Level API v2 client and ``api: auto`` against the stand-ins: token, pages, filters, one message per refusal."""

from __future__ import annotations

import math

import pytest

from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._backends import choose_api, list_computers
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api import _http
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._http import GLPIAPIError
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._v2 import list_computers as v2_list, v2_url
from tests.glpi_api_double import LegacyAPIDouble, V2APIDouble, computer, computers

CLIENT = "client-" + "c" * 30
SECRET = "client-secret-" + "s" * 26
PASSWORD = "S3cret pass!"
SECRETS = (SECRET, PASSWORD)


def options(glpi, **extra):
    settings = {"url": glpi.base_url, "api": "v2", "client_id": CLIENT, "client_secret": SECRET, "username": "api",
                "password": PASSWORD, "timeout": 10, "page_size": 1000}
    settings.update(extra)
    return settings


def double(count=30, **extra):
    return V2APIDouble(computers=computers(count), clients={CLIENT: SECRET}, logins={"api": PASSWORD}, **extra)


def routes(glpi):
    return [exchange.endpoint for exchange in glpi.requests_seen()]


def refused(glpi, **extra):
    with pytest.raises(GLPIAPIError) as caught:
        v2_list(options(glpi, **extra))
    message = str(caught.value)
    for secret in SECRETS + tuple(getattr(glpi, "tokens", ())):
        assert secret not in message
    return caught.value


@pytest.mark.parametrize("count, page_size", [(2345, 1000), (10000, 1000), (1000, 1000), (0, 1000), (7, 3), (5, 5)])
def test_one_token_and_one_request_per_page(count, page_size):
    with double(count) as glpi:
        listed = v2_list(options(glpi, page_size=page_size))
    pages = max(1, math.ceil(count / page_size))
    assert routes(glpi) == ["/token"] + ["/v2.0/Assets/Computer"] * pages
    assert [item["id"] for item in listed] == list(range(1, count + 1))
    starts = [exchange.query.split("start=")[1].split("&")[0] for exchange in glpi.requests_seen()[1:]]
    assert starts == [str(page * page_size) for page in range(pages)]


def test_the_token_request_is_the_password_grant_with_scope_api_and_the_token_is_sent_as_bearer():
    with double(3) as glpi:
        v2_list(options(glpi))
    token_request, listing = glpi.requests_seen()
    assert token_request.method == "POST" and token_request.status == 200
    assert listing.header("Authorization") == "Bearer %s" % next(iter(glpi.tokens))
    assert glpi.tokens[next(iter(glpi.tokens))] == "api"


def test_filters_become_one_rsql_filter_applied_by_glpi():
    lab = computers(60) + [computer(61, is_deleted=True)]
    with V2APIDouble(computers=lab, clients={CLIENT: SECRET}, logins={"api": PASSWORD}) as glpi:
        listed = v2_list(options(glpi, entities=["Root entity > Paris", "Root entity > Lyon"], states=["In use"],
                                 name_pattern="^host-000"))
    expected = [record["id"] for record in lab if record["entity"] in ("Root entity > Paris", "Root entity > Lyon")
                and record["state"] == "In use" and record["name"].startswith("host-000") and not record["is_deleted"]]
    assert expected and [item["id"] for item in listed] == expected
    assert len(routes(glpi)) == 2


def test_records_map_to_the_neutral_computer():
    lab = [computer(5, groups=["Servers", "Linux"], location="Paris > Floor 1")]
    with V2APIDouble(computers=lab, clients={CLIENT: SECRET}, logins={"api": PASSWORD}) as glpi:
        (listed,) = v2_list(options(glpi))
    record = lab[0]
    assert listed["name"] == record["name"] and listed["serial"] == record["serial"] and listed["uuid"] == record["uuid"]
    assert listed["entity"] == record["entity"] and listed["state"] == record["state"]
    assert listed["location"] == "Floor 1" and listed["groups"] == ["Servers", "Linux"]
    assert (listed["manufacturer"], listed["model"], listed["type"]) == (record["manufacturer"], record["model"], record["type"])
    assert listed["ip_addresses"] == [] and listed["os_name"] is None and listed["last_inventory"] is None


@pytest.mark.parametrize("fault, words", [
    ("fail", "An internal error occurred"), ("truncate", "instead of 1000 from 1000 on page 2"),
    ("grow", "changed from 2345 to 2346"),
])
def test_a_page_that_fails_or_is_short_or_inconsistent_fails_the_listing(fault, words):
    with double(2345) as glpi:
        if fault == "fail":
            glpi.fail_listing(2)
        elif fault == "truncate":
            glpi.truncate_listing(2, 999)
        else:
            glpi.after_listing(1, lambda d: d.computers.append(computer(9999)))
        error = refused(glpi)
    assert words in str(error) and ("no inventory is made from part" in str(error) or fault == "grow")
    assert error.option in ("page_size", "url")


@pytest.mark.parametrize("setting, extra, words, option", [
    ("secret", {"client_secret": "wrong-" + "w" * 30}, "GLPI refused the OAuth client", "client_id, client_secret"),
    ("password", {"password": "wrong password"}, "refused the user's login and password", "username, password"),
    ("scope", {}, "does not allow the scope api", "client_id"),
])
def test_token_refusals_name_the_option(setting, extra, words, option):
    scopes = ("graphql",) if setting == "scope" else ("api",)
    with double(3, scopes=scopes) as glpi:
        error = refused(glpi, **extra)
    assert words in str(error) and error.option == option and "(option %s)" % option in str(error)
    assert "wrong password" not in str(error)


def test_the_disabled_high_level_api_names_the_setting_and_the_option_api():
    with double(3, enable_hlapi=False) as glpi:
        error = refused(glpi)
    assert "High-Level API is disabled" in str(error) and "enable_hlapi" in str(error) and error.option == "api"


def test_a_profile_without_computers_names_the_user():
    with double(3, can_view_computers=False) as glpi:
        error = refused(glpi)
    assert "may not read computers" in str(error) and error.option == "username"


def test_only_client_credentials_is_refused_before_asking_glpi():
    with double(3) as glpi:
        error = refused(glpi, username=None, password=None)
    assert "password grant" in str(error) and "username, password" in error.option and routes(glpi) == []


def test_last_inventory_days_cannot_be_filtered_by_v2():
    with double(3) as glpi:
        error = refused(glpi, last_inventory_days=7)
    assert error.option == "last_inventory_days" and routes(glpi) == []


def test_a_glpi_without_the_high_level_api_says_so():
    with LegacyAPIDouble(computers=computers(3), user_tokens={"t": "glpi"}) as glpi:
        error = refused(glpi)
    assert "has no High-Level API" in str(error) and error.option == "api"


def test_v2_url_is_the_glpi_root_s_api_php():
    assert v2_url("https://glpi.example.com/") == "https://glpi.example.com/api.php"
    assert v2_url("https://example.com/glpi/apirest.php") == "https://example.com/glpi/api.php"


@pytest.mark.parametrize("settings, api", [
    ({}, "legacy"), ({"user_token": "t"}, "legacy"), ({"app_token": "a", "client_id": "c"}, "legacy"),
    ({"client_id": "c", "client_secret": "s"}, "v2"), ({"username": "u", "password": "p"}, "legacy"),
    ({"api": "v2"}, "v2"), ({"api": "legacy", "client_id": "c"}, "legacy"),
])
def test_auto_chooses_by_the_credentials(settings, api):
    assert choose_api(settings) == api


def test_auto_reads_v2_with_oauth_options():
    with double(12) as glpi:
        listing = list_computers(options(glpi, api="auto"))
    assert listing.api == "v2" and len(listing.computers) == 12 and listing.fell_back is None


def test_auto_falls_back_to_the_legacy_api_when_glpi_has_no_high_level_api():
    with LegacyAPIDouble(computers=computers(4), logins={"api": PASSWORD}) as glpi:
        listing = list_computers(options(glpi, api="auto"))
    assert listing.api == "legacy" and len(listing.computers) == 4 and "no High-Level API" in listing.fell_back
    assert listing.computers[0]["ip_addresses"]


def test_explicit_v2_does_not_fall_back():
    with LegacyAPIDouble(computers=computers(4), logins={"api": PASSWORD}) as glpi:
        with pytest.raises(GLPIAPIError):
            list_computers(options(glpi, api="v2"))


def test_more_computers_than_one_inventory_lists_stop_after_the_first_page(monkeypatch):
    # A GLPI (or something answering in its place) announcing a huge total must not drive a huge number of requests.
    monkeypatch.setattr(_http, "COMPUTERS_MAX", 20)
    with double(count=30) as glpi:
        error = refused(glpi, page_size=10)
    assert "announces 30 computers, more than the 20 one inventory lists" in error.message
    assert error.option == "entities, states, name_pattern" and routes(glpi) == ["/token", "/v2.0/Assets/Computer"]
