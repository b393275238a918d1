# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The legacy API client against the stand-in: sessions, pages, filters, and one clear message per refusal."""

from __future__ import annotations

import math
import socket

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import MASK
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api import _http
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._http import GLPIAPIError
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._legacy import api_url, list_computers
from tests.glpi_api_double import LegacyAPIDouble, computer, computers

TOKEN = "user-token-" + "x" * 29
APP_TOKEN = "app-token-" + "y" * 30
PASSWORD = "S3cret pass!"


def options(glpi, **extra):
    settings = {"url": glpi.base_url, "user_token": TOKEN, "timeout": 10, "page_size": 1000}
    settings.update(extra)
    return settings


def endpoints(glpi):
    return [exchange.endpoint for exchange in glpi.requests_seen()]


@pytest.mark.parametrize("count, page_size, largest", [(2345, 1000, 1000), (10000, 1000, 1000), (2345, 1000, 500),
                                                       (1000, 1000, 1000), (0, 1000, 1000), (7, 3, 1000)])
def test_one_request_per_page(count, page_size, largest):
    with LegacyAPIDouble(computers=computers(count), user_tokens={TOKEN: "glpi"}, max_range=largest) as glpi:
        listed = list_computers(options(glpi, page_size=page_size))
    # the first page is as asked; later ones no larger than what GLPI announces
    first = min(page_size, count)
    pages = 1 + math.ceil((count - first) / min(page_size, largest))
    assert endpoints(glpi) == ["initSession"] + ["search/Computer"] * pages + ["killSession"]
    assert [item["id"] for item in listed] == list(range(1, count + 1))
    assert glpi.sessions == {} and glpi.killed == ["glpi"]


def test_2345_computers_take_three_searches():
    with LegacyAPIDouble(computers=computers(2345), user_tokens={TOKEN: "glpi"}) as glpi:
        list_computers(options(glpi))
    ranges = [exchange.query for exchange in glpi.requests_seen() if exchange.endpoint == "search/Computer"]
    assert [query.rsplit("range=", 1)[1] for query in ranges] == ["0-999", "1000-1999", "2000-2999"]


def test_filters_are_sent_as_criteria_and_applied_by_glpi():
    with LegacyAPIDouble(computers=computers(60), user_tokens={TOKEN: "glpi"}) as glpi:
        listed = list_computers(options(glpi, entities=["Root entity > Paris"], states=["In use", "In stock"],
                                        name_pattern="host-000", last_inventory_days=10))
    search = [exchange for exchange in glpi.requests_seen() if exchange.endpoint == "search/Computer"]
    assert len(search) == 1 and "criteria%5B0%5D%5Bcriteria%5D%5B0%5D%5Bfield%5D=80" in search[0].query
    expected = [record["id"] for record in computers(60) if record["entity"] == "Root entity > Paris"
                and record["state"] in ("In use", "In stock") and record["name"].startswith("host-000")
                and record["last_inventory_update"] > "2026-11-26 12:00:00"]
    assert expected and [item["id"] for item in listed] == expected


def test_basic_login_and_app_token():
    with LegacyAPIDouble(computers=computers(3), logins={"inventory": PASSWORD}, app_token=APP_TOKEN) as glpi:
        listed = list_computers(options(glpi, user_token=None, username="inventory", password=PASSWORD, app_token=APP_TOKEN))
    init = glpi.requests_seen()[0]
    assert len(listed) == 3 and init.header("Authorization").startswith("Basic ")
    assert all(exchange.header("App-Token") == APP_TOKEN for exchange in glpi.requests_seen())


def _failure(glpi, **extra):
    with pytest.raises(GLPIAPIError) as caught:
        list_computers(options(glpi, **extra))
    return caught.value


@pytest.mark.parametrize("settings, extra, option, words", [
    ({"enable_api": False}, {}, "url", "legacy REST API is disabled"),
    ({"allowed_ip": False}, {}, "url", "no active API client"),
    ({"user_tokens": {}}, {}, "user_token", "refused the user token"),
    ({"app_token": "other"}, {"app_token": APP_TOKEN}, "app_token", "refused the application token"),
    ({"app_token": "other"}, {}, "app_token", "refused the application token"),
    ({"can_view_computers": False}, {}, "user_token, username", "may not read computers"),
    ({"login_credentials": False}, {"user_token": None, "username": "glpi", "password": PASSWORD},
     "username, password, user_token", "does not accept a login and password"),
    ({}, {"user_token": None, "username": "glpi", "password": "wrong " + PASSWORD}, "username, password",
     "refused the login and password"),
])
def test_each_refusal_is_one_message_naming_the_option(settings, extra, option, words):
    with LegacyAPIDouble(**dict({"user_tokens": {TOKEN: "glpi"}, "logins": {"glpi": PASSWORD}}, **settings)) as glpi:
        error = _failure(glpi, **extra)
    assert error.option == option and words in error.message and "option %s" % option in error.message
    for secret in (TOKEN, APP_TOKEN, PASSWORD):
        assert secret not in error.message


def test_a_page_failing_half_way_fails_the_listing_and_ends_the_session():
    with LegacyAPIDouble(computers=computers(2345), user_tokens={TOKEN: "glpi"}) as glpi:
        glpi.fail_search(2)
        error = _failure(glpi)
    assert "page 2" in error.message and "ERROR_SQL" in error.message and "part of the computers" in error.message
    assert endpoints(glpi) == ["initSession", "search/Computer", "search/Computer", "killSession"]


def test_a_short_page_fails_the_listing():
    with LegacyAPIDouble(computers=computers(2345), user_tokens={TOKEN: "glpi"}) as glpi:
        glpi.truncate_search(3, 100)
        error = _failure(glpi)
    assert "100 computers instead of 345 on page 3" in error.message and endpoints(glpi)[-1] == "killSession"


def test_computers_added_while_listing_fail_the_listing():
    with LegacyAPIDouble(computers=computers(2345), user_tokens={TOKEN: "glpi"}) as glpi:
        glpi.after_search(1, lambda double: double.computers.append(computer(9999)))
        error = _failure(glpi)
    assert "changed from 2345 to 2346" in error.message


def test_a_server_echoing_secrets_has_them_masked():
    with LegacyAPIDouble(computers=computers(5), user_tokens={TOKEN: "glpi"}, app_token=APP_TOKEN) as glpi:
        glpi.fail_search(1, body=["ERROR_SQL", "query failed for user_token=%s app_token=%s" % (TOKEN, APP_TOKEN)])
        error = _failure(glpi, app_token=APP_TOKEN)
    assert TOKEN not in error.message and APP_TOKEN not in error.message and error.message.count(MASK) == 2


def test_a_url_that_is_not_glpi():
    with LegacyAPIDouble(user_tokens={TOKEN: "glpi"}, root="/glpi/apirest.php") as glpi:
        error = _failure(glpi)  # the root has no apirest.php: Apache's 404 page
    assert error.option == "url" and "not JSON" in error.message and "HTTP 404" in error.message


def test_nothing_listening():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(GLPIAPIError) as caught:
        list_computers({"url": "http://127.0.0.1:%d" % port, "user_token": TOKEN, "timeout": 5})
    assert caught.value.option == "url" and "refused the connection" in caught.value.message


@pytest.mark.parametrize("url, words", [
    ("ftp://glpi.example.com", "http:// or https://"),
    ("https://user:%s@glpi.example.com" % PASSWORD, "carries credentials"),
    ("https://glpi.example.com/?user_token=%s" % TOKEN, "query or a fragment"),
    ("", "not set"),
])
def test_bad_urls_are_refused_before_any_request(url, words):
    with pytest.raises(GLPIAPIError) as caught:
        api_url(url)
    assert words in caught.value.message and caught.value.option == "url"
    assert PASSWORD not in caught.value.message and TOKEN not in caught.value.message


def test_api_url():
    assert api_url("HTTPS://glpi.example.com/glpi/") == "https://glpi.example.com/glpi/apirest.php"
    assert api_url("http://glpi.example.com/apirest.php") == "http://glpi.example.com/apirest.php"


def test_credentials_are_required():
    with pytest.raises(GLPIAPIError) as caught:
        list_computers({"url": "http://127.0.0.1:9", "username": "glpi"})
    assert "user_token" in caught.value.message and "username and password" in caught.value.message


def test_more_computers_than_one_inventory_lists_stop_after_the_first_page(monkeypatch):
    monkeypatch.setattr(_http, "COMPUTERS_MAX", 20)
    with LegacyAPIDouble(computers=computers(30), user_tokens={TOKEN: "glpi"}) as glpi:
        error = _failure(glpi, page_size=10)
    assert "announces 30 computers, more than the 20 one inventory lists" in error.message
    assert error.option == "entities, states, name_pattern" and endpoints(glpi) == ["initSession", "search/Computer", "killSession"]
