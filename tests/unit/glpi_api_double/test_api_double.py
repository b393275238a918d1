# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The legacy API stand-in answers like the recorded GLPI 10.0.12 (transcript replay) and like GLPI's API.php."""

from __future__ import annotations

import base64
import datetime
import json
import re
import urllib.error
import urllib.request

import pytest

from tests._reference import reference_path
from tests.glpi_api_double import LegacyAPIDouble, computer, computers, php_query

TOKEN = "t" * 40
PASSWORD = "Lab-pass-1"


def parse_legacy_transcript(text):
    """``[(method, path and query, request notes, status, {header: value}, body)]`` of the legacy API section."""
    section = text.split("==== GLPI 10.0.12, legacy REST API", 1)[1].split("\n==== ", 1)[0]
    exchanges = []
    for block in re.split(r"\n\s*\n", section.strip()):
        lines = block.splitlines()
        request = next((index for index, line in enumerate(lines) if re.match(r"^(GET|POST) /", line)), None)
        if request is None:
            continue
        method, rest = lines[request].split(" ", 1)
        target, _sep, notes = rest.strip().partition("   ")
        status_line = lines[request + 1]
        status = int(status_line.split()[1])
        headers, body = {}, None
        for line in lines[request + 2:]:
            match = re.match(r"^([A-Za-z-]+): (.*)$", line)
            if match and body is None:
                headers[match.group(1)] = match.group(2)
            else:
                body = line if body is None else body + "\n" + line
        exchanges.append((method, target, notes.strip(), status, headers, body))
    return exchanges


def _transcript():
    return parse_legacy_transcript(reference_path("glpi", "api-transcript.txt").read_text())


@pytest.fixture
def lab_glpi():
    """The recorded GLPI's two computers."""
    lab = [computer(1, name="labcheck-host", serial="LABCHECK-0001", entity="Root entity", state=None,
                    os_name="Debian GNU/Linux 12 (bookworm)", last_inventory_update="2026-12-06 04:44:45", ip_addresses=[]),
           computer(2, name="vm", entity="Root entity", state=None, os_name="Debian GNU/Linux 12 (bookworm)",
                    last_inventory_update="2026-12-06 04:49:55",
                    ip_addresses=["127.0.0.1", "::1", "192.0.2.2", "fd00::2", "fe80::fc:ff:fe00:1"])]
    with LegacyAPIDouble(computers=lab, user_tokens={TOKEN: "glpi"}, logins={"glpi": PASSWORD}) as glpi:
        yield glpi


def get(url, headers=None):
    """``(status, {header: value}, document)``."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers.items()), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), json.loads(error.read())


def _session(glpi):
    return get(glpi.url + "/initSession", {"Authorization": "user_token " + TOKEN})[2]["session_token"]


def _request_headers(glpi, notes):
    if "user_token <40-char token>" in notes:
        return {"Authorization": "user_token " + TOKEN}
    match = re.search(r"user_token (\S+)$", notes)
    if match:
        return {"Authorization": "user_token " + match.group(1)}
    if "HTTP Basic glpi:<password>" in notes:
        return {"Authorization": "Basic " + base64.b64encode(("glpi:" + PASSWORD).encode()).decode()}
    return {"Session-Token": _session(glpi)}


def _same_shape(recorded, answered):
    """A recorded body with ``...`` (cut by the lab) holds the keys and values it shows; else equal as JSON."""
    if "..." not in recorded:
        assert answered == json.loads(recorded)
        return
    for key, value in re.findall(r'"([a-z_]+)":("[^"]*"|null|\d+)', recorded):
        row = answered[0] if isinstance(answered, list) else answered
        assert row[key] == json.loads(value), key


def test_the_transcript_holds_the_legacy_exchanges():
    endpoints = [target.split("?")[0] for _m, target, *_rest in _transcript()]
    assert endpoints == ["/apirest.php/initSession"] * 3 + ["/apirest.php/Computer"] * 2 + [
        "/apirest.php/search/Computer", "/apirest.php/killSession"]


@pytest.mark.parametrize("index", range(7))
def test_replays_the_recorded_transcript(lab_glpi, index):
    method, target, notes, status, headers, body = _transcript()[index]
    assert method == "GET"
    answered_status, answered_headers, document = get(lab_glpi.base_url + target, _request_headers(lab_glpi, notes))
    assert answered_status == status
    for name, value in headers.items():
        assert answered_headers[name] == value, name
    if body is None:
        return
    if "<26 chars>" in body:
        assert list(document) == ["session_token"] and len(document["session_token"]) == 26
    else:
        _same_shape(body, document)


def test_kill_session_ends_the_session(lab_glpi):
    token = _session(lab_glpi)
    assert get(lab_glpi.url + "/killSession", {"Session-Token": token})[0] == 200
    status, _headers, document = get(lab_glpi.url + "/search/Computer", {"Session-Token": token})
    assert (status, document[0]) == (401, "ERROR_SESSION_TOKEN_INVALID")


def test_php_query_reads_brackets_like_php():
    assert php_query("criteria[0][field]=1&criteria[0][criteria][1][value]=a%20b&forcedisplay[]=2&forcedisplay[]=126") == {
        "criteria": {"0": {"field": "1", "criteria": {"1": {"value": "a b"}}}}, "forcedisplay": {"0": "2", "1": "126"}}


def test_pages_say_their_range_and_the_server_maximum():
    with LegacyAPIDouble(computers=computers(2345), user_tokens={TOKEN: "glpi"}, max_range=1000) as glpi:
        token = _session(glpi)
        first = get(glpi.url + "/search/Computer?forcedisplay[0]=2&range=0-999&sort=2", {"Session-Token": token})
        last = get(glpi.url + "/search/Computer?forcedisplay[0]=2&range=2000-2999&sort=2", {"Session-Token": token})
        past = get(glpi.url + "/search/Computer?range=3000-3999", {"Session-Token": token})
    assert (first[0], first[1]["Content-Range"], first[1]["Accept-Range"]) == (206, "0-999/2345", "Computer 1000")
    assert [row["2"] for row in first[2]["data"]] == list(range(1, 1001))
    assert (last[0], last[1]["Content-Range"], last[2]["count"]) == (206, "2000-2344/2345", 345)
    assert (past[0], past[2][0]) == (400, "ERROR_RANGE_EXCEED_TOTAL")


def test_one_value_is_a_scalar_several_a_list_none_null(lab_glpi):
    token = _session(lab_glpi)
    rows = get(lab_glpi.url + "/search/Computer?forcedisplay[0]=126&forcedisplay[1]=1&range=0-9", {"Session-Token": token})[2]["data"]
    assert rows[0]["126"] is None and isinstance(rows[1]["126"], list)
    lab_glpi.computers[0]["ip_addresses"] = ["192.0.2.9"]
    rows = get(lab_glpi.url + "/search/Computer?forcedisplay[0]=126&range=0-9", {"Session-Token": token})[2]["data"]
    assert rows[0]["126"] == "192.0.2.9"


def test_criteria_filter_and_nest():
    glpi_computers = computers(30)
    glpi_computers[3]["is_deleted"] = True
    glpi_computers[4]["is_template"] = True
    with LegacyAPIDouble(computers=glpi_computers, user_tokens={TOKEN: "glpi"}) as glpi:
        token = _session(glpi)
        query = ("criteria[0][field]=80&criteria[0][searchtype]=contains&criteria[0][value]=^Root entity > Paris$"
                 "&criteria[1][link]=AND&criteria[1][criteria][0][field]=31&criteria[1][criteria][0][searchtype]=contains"
                 "&criteria[1][criteria][0][value]=^In use$&criteria[1][criteria][1][link]=OR"
                 "&criteria[1][criteria][1][field]=31&criteria[1][criteria][1][searchtype]=contains"
                 "&criteria[1][criteria][1][value]=^In stock$&forcedisplay[0]=2&range=0-99").replace(" ", "%20").replace(">", "%3E")
        status, _headers, document = get(glpi.url + "/search/Computer?" + query, {"Session-Token": token})
        recent = get(glpi.url + "/search/Computer?criteria[0][field]=9&criteria[0][searchtype]=morethan"
                     "&criteria[0][value]=-3DAY&forcedisplay[0]=2&range=0-99", {"Session-Token": token})[2]
        bad = get(glpi.url + "/search/Computer?criteria[0][field]=99999&criteria[0][searchtype]=contains"
                  "&criteria[0][value]=x", {"Session-Token": token})
    expected = [record["id"] for record in glpi_computers if not record["is_deleted"] and not record["is_template"]
                and record["entity"] == "Root entity > Paris" and record["state"] in ("In use", "In stock")]
    assert status == 200 and expected and [row["2"] for row in document["data"]] == expected
    since = datetime.datetime(2026, 12, 6, 12, 0, 0) - datetime.timedelta(days=3)  # the double's "now" minus 3 days
    fresh = [record["id"] for record in glpi_computers if not record["is_deleted"] and not record["is_template"]
             and datetime.datetime.strptime(record["last_inventory_update"], "%Y-%m-%d %H:%M:%S") > since]
    assert 0 < len(fresh) < 28 and sorted(row["2"] for row in recent["data"]) == fresh
    assert (bad[0], bad[2][0]) == (400, "ERROR") and bad[2][1].startswith("Bad field ID in search criteria")


@pytest.mark.parametrize("settings, headers, status, code", [
    ({"enable_api": False}, {"Authorization": "user_token " + TOKEN}, 400, "ERROR"),
    ({"allowed_ip": False}, {"Authorization": "user_token " + TOKEN}, 400, "ERROR_NOT_ALLOWED_IP"),
    ({"app_token": "app"}, {"Authorization": "user_token " + TOKEN}, 400, "ERROR_WRONG_APP_TOKEN_PARAMETER"),
    ({"login_credentials": False}, {"Authorization": "Basic " + base64.b64encode(b"glpi:x").decode()}, 400,
     "ERROR_LOGIN_WITH_CREDENTIALS_DISABLED"),
    ({}, {"Authorization": "Basic " + base64.b64encode(b"glpi:wrong").decode()}, 401, "ERROR_GLPI_LOGIN"),
    ({}, {}, 400, "ERROR_LOGIN_PARAMETERS_MISSING"),
])
def test_init_session_refusals(settings, headers, status, code):
    with LegacyAPIDouble(user_tokens={TOKEN: "glpi"}, logins={"glpi": PASSWORD}, **settings) as glpi:
        answer = get(glpi.url + "/initSession", headers)
    assert (answer[0], answer[2][0]) == (status, code)
    if code == "ERROR":
        assert answer[2] == ["ERROR", "API disabled"]


def test_app_token_admits_and_a_profile_without_the_right_is_refused():
    with LegacyAPIDouble(user_tokens={TOKEN: "glpi"}, app_token="app", can_view_computers=False) as glpi:
        token = get(glpi.url + "/initSession", {"Authorization": "user_token " + TOKEN, "App-Token": "app"})[2]["session_token"]
        answer = get(glpi.url + "/search/Computer", {"Session-Token": token, "App-Token": "app"})
    assert answer[0] == 401 and answer[2] == ["ERROR_RIGHT_MISSING", "You don't have permission to perform this action."]


def test_a_failing_search_is_counted_from_now(lab_glpi):
    token = _session(lab_glpi)
    lab_glpi.fail_search(2)
    statuses = [get(lab_glpi.url + "/search/Computer", {"Session-Token": token})[0] for _attempt in range(3)]
    assert statuses == [200, 500, 200]


def test_no_match_has_no_data_key(lab_glpi):
    token = _session(lab_glpi)
    query = "criteria[0][field]=1&criteria[0][searchtype]=contains&criteria[0][value]=^nothing$"
    status, headers, document = get(lab_glpi.url + "/search/Computer?" + query, {"Session-Token": token})
    assert status == 200 and "data" not in document and document["totalcount"] == 0 and "Content-Range" not in headers


def test_every_request_is_recorded(lab_glpi):
    _session(lab_glpi)
    seen = lab_glpi.requests_seen()
    assert [(exchange.endpoint, exchange.status) for exchange in seen] == [("initSession", 200)]
    assert seen[0].header("authorization") == "user_token " + TOKEN
