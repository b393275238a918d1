# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one masking function: whole secrets in string values, never keys, never parts of words."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import (
    MASK,
    basic_token,
    mask,
    mask_url,
    secret_forms,
)

RESULT = {
    "status": "spooled", "spooled": "/root/.ansible/glpi_spool/x.json", "delivered": False,
    "msg": "http://127.0.0.1:9/front/inventory.php: spooled (GLPI refused the connection; the document is kept)",
    "servers": [{"server": "http://127.0.0.1:9/front/inventory.php", "status": "spooled", "ok": "okay"}],
}


@pytest.mark.parametrize("secret", ["p", "ok", "id", "pool", "spool", "s", "e", "ool", "ans", "tat", "ven"])
def test_a_short_secret_never_corrupts_keys_or_words(secret):
    assert mask(RESULT, secret_forms([secret])) == RESULT


@pytest.mark.parametrize("text, secret, expected", [
    ("password p refused", "p", "password ******** refused"),
    ("login=agent&password=ok", "ok", "login=agent&password=********"),
    ("it said: pool.", "pool", "it said: ********."),
    ('{"client_secret":"id"}', "id", '{"client_secret":"********"}'),
    ("http://127.0.0.1:9/front", "9", "http://127.0.0.1:********/front"),
])
def test_a_short_secret_standing_alone_is_masked(text, secret, expected):
    assert mask(text, secret_forms([secret])) == expected


def test_keys_are_never_masked_values_are():
    assert mask({"pool": "pool", "x": ["pool", ("pool",)]}, secret_forms(["pool"])) == {"pool": MASK, "x": [MASK, (MASK,)]}


@pytest.mark.parametrize("secret", ['p!$\'" %ä', "pa ss", "100%", "a&b=c", "ünïcödé", "x" * 64])
def test_every_encoding_of_a_secret_is_masked(secret):
    forms = secret_forms([secret], basic=[("agent", secret)])
    encodings = [
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret, safe="").lower(),
        urllib.parse.quote_plus(secret),
        json.dumps(secret)[1:-1],
        base64.b64encode(("agent:" + secret).encode()).decode(),
    ]
    for encoded in encodings:
        text = "before %s after" % encoded
        assert mask(text, forms) == "before %s after" % MASK, encoded
        assert mask(text.encode("utf-8"), forms) == ("before %s after" % MASK).encode()


def test_whitespace_the_server_collapsed_is_masked_too():
    forms = secret_forms(["a  secret\twith   spaces"])
    assert mask("echo: a secret with spaces!", forms) == "echo: %s!" % MASK


def test_exceptions_become_masked_text():
    assert mask(ValueError("bad password hunter2"), secret_forms(["hunter2"])) == "bad password %s" % MASK


def test_basic_token_and_mask_url():
    assert basic_token("glpi", "pässword") == "Z2xwaTpww6Rzc3dvcmQ="
    assert mask_url("ssh://u:p@ss@h:22/x") == "ssh://u:%s@h:22/x" % MASK
    assert mask_url("https://h/x") == "https://h/x"


@settings(max_examples=300, deadline=None)
@given(secret=st.text(min_size=1, max_size=12).filter(lambda text: text.strip() and "*" not in text and text[0].isalnum()),
       prefix=st.sampled_from(["", " ", "=", ":", "'", "(", "\n", "&password="]),
       suffix=st.sampled_from(["", " ", "&", ".", "'", ")", "\n"]))
def test_a_secret_between_separators_never_survives(secret, prefix, suffix):
    forms = secret_forms([secret], basic=[("u", secret)])
    for text in (prefix + secret + suffix, prefix + urllib.parse.quote(secret, safe="") + suffix):
        masked = mask(text, forms)
        assert masked == prefix + MASK + suffix, (text, masked)
    token = basic_token("u", secret)
    masked = mask("Authorization: Basic " + token, forms)
    assert masked.endswith(" " + MASK) and token not in masked
