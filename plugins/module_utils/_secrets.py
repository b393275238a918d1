# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keeping secrets out of what the collection shows: the one masking function and the one mask.

Private to the glpiops.glpi collection: no compatibility promise.  Standard library only (modules import it too).

``secret_forms(secrets, basic=())`` lists every way a secret can show up in text: as it is, percent-encoded
(upper and lower case hex, ``quote_plus``), JSON-escaped, with its white space collapsed (a server or a log line
may fold it), and for HTTP Basic the base64 of ``username:password``.

``mask(obj, forms)`` replaces those forms with ``********`` inside the **string values** of ``obj`` (str, bytes,
dicts, lists, tuples, exceptions), never inside dict keys, and only where a form stands as a whole: an occurrence
inside a longer word is left alone, so that a short password such as ``pool`` leaves ``spooled`` intact while
``password pool`` or ``Basic cG9vbA==`` lose it.  A value that *is* the secret is masked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import base64
import json
import re

try:
    from urllib.parse import quote, quote_plus
except ImportError:  # pragma: no cover - Python 2 is not supported, sanity's compile test only
    quote = quote_plus = None

MASK = "********"

_WHITESPACE = re.compile(r"\s+")


def basic_token(username, password):
    """The base64 credentials of an HTTP Basic ``Authorization`` header (UTF-8)."""
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


def _percent_forms(secret):
    raw = secret.encode("utf-8", "surrogatepass")  # a secret read with surrogateescape may hold lone surrogates
    forms = set()
    for encoded in (quote(raw, safe=""), quote(raw), quote_plus(raw)):
        forms.add(encoded)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), encoded))
    return forms


def secret_forms(secrets, basic=()):
    """Every form of ``secrets`` that can show up in text, longest first (a tuple, for ``mask``).

    ``basic``: ``(username, password)`` pairs whose HTTP Basic token must be masked too.
    """
    forms = set()
    for secret in secrets or ():
        if not isinstance(secret, str) or not secret:
            continue
        variants = {secret}
        collapsed = _WHITESPACE.sub(" ", secret).strip()
        if collapsed:
            variants.add(collapsed)
        for variant in variants:
            forms.add(variant)
            forms.update(_percent_forms(variant))
            forms.add(json.dumps(variant, ensure_ascii=True)[1:-1])
            forms.add(json.dumps(variant, ensure_ascii=False)[1:-1])
    for username, password in basic or ():
        if password:
            try:
                forms.add(basic_token(username or "", password))
            except UnicodeEncodeError:
                continue  # no HTTP client could have sent it either
    forms.discard("")
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


def _is_word(char):
    return char.isalnum() or char == "_"


def _mask_text(text, forms):
    """``text`` with every whole occurrence of ``forms`` replaced; linear in ``len(text)`` per form."""
    # Pieces of text, each either free text or an inserted mask (masks are never searched again).
    pieces = [(text, False)]
    for form in forms:
        starts_word, ends_word = _is_word(form[0]), _is_word(form[-1])
        result = []
        for piece, masked in pieces:
            if masked or form not in piece:
                result.append((piece, masked))
                continue
            position = 0
            start = piece.find(form)
            while start >= 0:
                end = start + len(form)
                inside_word = (starts_word and start > 0 and _is_word(piece[start - 1])) or (
                    ends_word and end < len(piece) and _is_word(piece[end]))
                if inside_word:
                    start = piece.find(form, start + 1)
                    continue
                if start > position:
                    result.append((piece[position:start], False))
                result.append((MASK, True))
                position = end
                start = piece.find(form, end)
            if position < len(piece):
                result.append((piece[position:], False))
        pieces = result
    return "".join(piece for piece, _masked in pieces)


def mask(obj, forms):
    """A copy of ``obj`` with every whole occurrence of ``forms`` in its string values masked.

    ``forms`` comes from ``secret_forms``: sorted longest first, so that a longer form is masked whole before a
    shorter one it contains is looked for.
    """
    if not forms:
        return obj
    if isinstance(obj, str):
        return _mask_text(obj, forms) if any(form in obj for form in forms) else obj
    if isinstance(obj, bytes):
        text = obj.decode("utf-8", "surrogateescape")
        masked = mask(text, forms)
        return obj if masked is text else masked.encode("utf-8", "surrogateescape")
    if isinstance(obj, dict):
        return {key: mask(value, forms) for key, value in obj.items()}
    if isinstance(obj, list):
        return [mask(item, forms) for item in obj]
    if isinstance(obj, tuple):
        return tuple(mask(item, forms) for item in obj)
    if isinstance(obj, BaseException):
        return mask(str(obj), forms)
    return obj


def mask_url(url):
    """The URL with the password of its user information replaced by the mask."""
    if not isinstance(url, str):
        return url
    start = url.find("://")
    if start < 0:
        return url
    head, rest = url[:start + 3], url[start + 3:]
    at = rest.rfind("@")
    if at < 0:
        return url
    userinfo = rest[:at]
    if ":" not in userinfo:
        return url
    return head + userinfo.split(":", 1)[0] + ":" + MASK + rest[at:]
