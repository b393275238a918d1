# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The High-Level API v2 stand-in answers like the recorded GLPI 11.0.8 (transcript replay) and like GLPI 11's HL API."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from tests._reference import reference_path
from tests.glpi_api_double import V2APIDouble, computer, computers
from tests.glpi_api_double._v2_rsql import RSQLError, compile_filter, tokenize

CLIENT, SECRET, USER, PASSWORD = "client-" + "c" * 20, "secret-" + "s" * 30, "glpi", "Lab-pass-1"


def section():
    text = reference_path("glpi", "api-transcript.txt").read_text()
    return text.split("==== GLPI 11.0.8, High-Level API v2", 1)[1]


def recorded(marker):
    """``(status, {header: value}, [body lines])`` recorded after the first line that contains ``marker``."""
    for block in re.split(r"\n\s*\n", section().strip()):
        lines = block.splitlines()
        found = next((index for index, line in enumerate(lines) if marker in line), None)
        if found is None:
            continue
        status, headers, bodies = 200, {}, []
        for line in lines[found + 1:]:
            if line.startswith("HTTP/1.1 "):
                status = int(line.split()[1])
            elif re.match(r"^[A-Za-z-]+: ", line):
                name, value = line.split(": ", 1)
                headers[name] = value
            elif line.startswith(("{", "[")):
                bodies.append(line)
        return status, headers, bodies
    raise AssertionError("no recorded exchange with %r" % marker)


def call(glpi, method, path, document=None, token=None):
    data = json.dumps(document).encode() if document is not None else None
    request = urllib.request.Request(glpi.base_url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", "Bearer %s" % token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def lab(**extra):
    return V2APIDouble(computers=[computer(1, name="labcheck-host", serial="LABCHECK-0001"), computer(2, name="vm")],
                       clients={CLIENT: SECRET}, logins={USER: PASSWORD}, **extra)


def grant(kind="password", secret=SECRET):
    document = {"grant_type": kind, "client_id": CLIENT, "client_secret": secret, "scope": "api"}
    if kind == "password":
        document.update(username=USER, password=PASSWORD)
    return document


def test_the_disabled_api_answers_the_recorded_403():
    status, _headers, bodies = recorded("(while config enable_hlapi=0)")
    with lab(enable_hlapi=False) as glpi:
        token = call(glpi, "POST", "/api.php/token", grant())[2]["access_token"]
        answered = call(glpi, "GET", "/api.php/v2.0/Assets/Computer?limit=2", token=token)
    assert (answered[0], answered[2]) == (status, json.loads(bodies[0]))


def test_the_password_grant_answers_a_bearer_token_like_the_recording():
    recorded_body = json.loads(recorded('{"grant_type":"password","client_id":"<id>"')[2][0])
    with lab() as glpi:
        status, _headers, body = call(glpi, "POST", "/api.php/token", grant())
    assert status == 200 and set(body) == set(recorded_body)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"].count(".") == 2


def test_a_wrong_client_secret_answers_the_recorded_401():
    status, _headers, bodies = recorded('"client_secret":"nope"')
    with lab() as glpi:
        answered = call(glpi, "POST", "/api.php/token", grant(secret="nope"))
    assert (answered[0], answered[2]) == (status, json.loads(bodies[0]))


def test_a_client_credentials_token_is_issued_but_refused_like_the_recording():
    status, _headers, bodies = recorded("Bearer <that client_credentials token>")
    with lab() as glpi:
        issued = call(glpi, "POST", "/api.php/token", grant("client_credentials"))
        answered = call(glpi, "GET", "/api.php/v2.0/Assets/Computer?limit=1", token=issued[2]["access_token"])
    assert issued[0] == 200 and issued[2]["token_type"] == "Bearer"
    assert (answered[0], answered[2]) == (status, json.loads(bodies[0]))


@pytest.mark.parametrize("marker, token", [("(no Authorization)", None), ("Bearer xyz", "xyz")])
def test_a_missing_or_malformed_token_answers_like_the_recording(marker, token):
    status, _headers, bodies = recorded(marker)
    with lab() as glpi:
        answered = call(glpi, "GET", "/api.php/v2.0/Assets/Computer", token=token)
    assert (answered[0], answered[2]) == (status, json.loads(bodies[0]))


def test_the_listing_answers_the_recorded_records_and_ranges():
    first = recorded("Computer?limit=2   Authorization: Bearer <password-grant token>")
    second = recorded("?start=1&limit=1")
    by_name = recorded("?filter=name==vm")
    with lab() as glpi:
        token = call(glpi, "POST", "/api.php/token", grant())[2]["access_token"]
        page = call(glpi, "GET", "/api.php/v2.0/Assets/Computer?limit=2", token=token)
        later = call(glpi, "GET", "/api.php/v2.0/Assets/Computer?start=1&limit=1", token=token)
        named = call(glpi, "GET", "/api.php/v2.0/Assets/Computer?filter=name==vm", token=token)
    recorded_first = json.loads(first[2][0].split(',{"id":2', 1)[0] + "]")
    assert page[0] == first[0] and page[1]["Content-Range"] == first[1]["Content-Range"]
    assert list(page[2][0]) == list(recorded_first[0])  # the same keys, in the same order
    assert {key: page[2][0][key] for key in ("id", "name", "serial", "is_deleted", "group", "autoupdatesystem")} == \
        {key: recorded_first[0][key] for key in ("id", "name", "serial", "is_deleted", "group", "autoupdatesystem")}
    assert later[0] == second[0] and later[1]["Content-Range"] == second[1]["Content-Range"]
    assert named[0] == by_name[0] and [record["name"] for record in named[2]] == ["vm"]


def test_paging_answers_206_while_more_remain_and_content_range_as_glpi_computes_it():
    with V2APIDouble(computers=computers(2345), clients={CLIENT: SECRET}, logins={USER: PASSWORD}) as glpi:
        token = call(glpi, "POST", "/api.php/token", grant())[2]["access_token"]
        pages = [call(glpi, "GET", "/api.php/v2.0/Assets/Computer?sort=id&start=%d&limit=1000" % start, token=token)
                 for start in (0, 1000, 2000)]
        default = call(glpi, "GET", "/api.php/v2.0/Assets/Computer", token=token)
    assert [page[0] for page in pages] == [206, 206, 200]
    assert [page[1]["Content-Range"] for page in pages] == ["0-999/2345", "1000-1999/2345", "2000-2344/2345"]
    assert [len(page[2]) for page in pages] == [1000, 1000, 345] and len(default[2]) == 100


def test_an_unknown_filter_property_fails_the_request():
    with lab() as glpi:
        token = call(glpi, "POST", "/api.php/token", grant())[2]["access_token"]
        answered = call(glpi, "GET", "/api.php/v2.0/Assets/Computer?filter=last_inventory_update=gt=2026", token=token)
    assert answered[0] == 400 and answered[2]["status"] == "ERROR_INVALID_PARAMETER"
    assert "last_inventory_update" in answered[2]["detail"]


def test_rsql_groups_quotes_and_wildcards():
    properties = {"name": "string", "entity.completename": "string", "is_deleted": "boolean"}
    match = compile_filter('is_deleted==false;(entity.completename=="A > B",entity.completename==\'C "x"\');name=ilike=HOST*',
                           properties)
    assert match({"is_deleted": False, "entity.completename": "a > b", "name": "host-1"})
    assert match({"is_deleted": False, "entity.completename": 'C "x"', "name": "Host-2"})
    assert not match({"is_deleted": True, "entity.completename": "A > B", "name": "host-1"})
    assert not match({"is_deleted": False, "entity.completename": "A > B", "name": "vm"})
    with pytest.raises(RSQLError):
        tokenize("(name==a")
