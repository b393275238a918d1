# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What goes over the wire to GLPI's native inventory endpoint, and what comes back.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O.  ``inventory_url`` is the only one that raises
(``GLPIURLError``, for a URL that cannot be used); ``parse_answer`` and
``decode_body`` take anything and never raise.

The endpoint (GLPI 10.0+ and 11): ``POST <glpi>/front/inventory.php`` with the
JSON document, zlib-compressed (``application/x-compress-zlib``, as GLPI Agent
sends it) or plain (``application/json``).  GLPI answers with the same
compression.  Success is ``{"status": "ok", "expiration": ...}`` when the request
carries a ``GLPI-Agent-ID`` header, ``{"RESPONSE": "SEND"}`` without it; an error
is ``{"status": "error", "message": ...}`` with an HTTP 4xx (GLPI 10) or 500
(GLPI 11) status.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import re
import urllib.parse
import uuid
import zlib

from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION

COLLECTION_NAME = "glpiops.glpi"

# Namespace of the GLPI-Agent-ID header: uuid5(GLPI_AGENT_ID_NAMESPACE, deviceid).
# A fixed, random UUID chosen once for this collection (2026-11-23); never change it,
# or every host gets a new agent id.  GLPI keys agents by deviceid, the header only
# selects the JSON answer format, but a stable value keeps GLPI's logs readable.
GLPI_AGENT_ID_NAMESPACE = uuid.UUID("1e44623f-8581-481e-be06-e95a7fc06438")

INVENTORY_PATH = "front/inventory.php"
TOKEN_PATH = "api.php/token"

CONTENT_TYPE_ZLIB = "application/x-compress-zlib"
CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_XML = "application/xml"
_CONTENT_TYPES = {"zlib": CONTENT_TYPE_ZLIB, "none": CONTENT_TYPE_JSON}

# Directories of the inventory plugins that take the document themselves.
_PLUGIN_SEGMENTS = ("glpiinventory", "fusioninventory")

MESSAGE_MAX = 500


class GLPIURLError(ValueError):
    """A ``server`` value that cannot be used; the message never holds credentials."""


def _strip_userinfo(netloc):
    return netloc.rpartition("@")[2]


def _safe_url(parts):
    """The URL of ``parts`` without userinfo, query or fragment: safe to show."""
    return urllib.parse.urlunsplit((parts.scheme, _strip_userinfo(parts.netloc), parts.path, "", ""))


def inventory_url(server):
    """The inventory endpoint URL for a ``server`` option value.

    A GLPI root (``https://glpi.example.com`` or ``.../glpi/``) gets
    ``front/inventory.php`` appended; a URL that already names an endpoint (a
    ``.php`` script, GLPI 11's ``/Inventory``, a plugin's ``glpiinventory/``
    directory) is kept.  The query string is kept, the fragment dropped.  Raises
    ``GLPIURLError`` for a non-http(s) URL, one without a host, or one carrying
    credentials.
    """
    if not isinstance(server, str) or not server.strip():
        raise GLPIURLError("A GLPI server URL is empty.")
    try:
        parts = urllib.parse.urlsplit(server.strip())
        hostname = parts.hostname
        parts.port  # pylint: disable=pointless-statement  # raises on a bad port
    except ValueError:
        raise GLPIURLError("The GLPI server URL is not valid; expected http(s)://host[:port]/[path].") from None
    if "@" in parts.netloc:
        raise GLPIURLError(
            "The GLPI server URL %s carries credentials, which would be stored and shown with it: remove them from the URL "
            "and use the username and password (or client_id and client_secret) options." % _safe_url(parts)
        )
    if parts.scheme.lower() not in ("http", "https"):
        raise GLPIURLError("The GLPI server URL %s must start with https:// or http://." % _safe_url(parts))
    if not hostname:
        raise GLPIURLError("The GLPI server URL %s has no host name." % _safe_url(parts))
    path = parts.path or "/"
    last = path.rstrip("/").rpartition("/")[2]
    # GLPI 11's route is case-sensitive: ``/Inventory`` is the endpoint, ``/inventory/`` may well be a GLPI root.
    if not last.lower().endswith(".php") and last.lower() not in _PLUGIN_SEGMENTS and path.rpartition("/")[2] != "Inventory":
        path = path.rstrip("/") + "/" + INVENTORY_PATH
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc, path, parts.query, ""))


def glpi_root(url):
    """The GLPI root of an inventory endpoint URL (always ends with ``/``)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path.endswith("/" + INVENTORY_PATH):
        path = path[: -len(INVENTORY_PATH)]
    else:
        trimmed = path.rstrip("/")
        head, _sep, last = trimmed.rpartition("/")
        if last in ("Inventory", "inventory.php", "index.php"):
            path = head + "/"
    if not path.endswith("/"):
        path += "/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def token_url(url):
    """GLPI 11's OAuth2 token endpoint for an inventory endpoint URL."""
    return glpi_root(url) + TOKEN_PATH


def display_url(url):
    """A URL safe to show: no userinfo, no query string (it may hold tokens)."""
    try:
        return _safe_url(urllib.parse.urlsplit(str(url)))
    except ValueError:
        return "<invalid URL>"


def agent_id(deviceid):
    """The ``GLPI-Agent-ID`` header for ``deviceid``: a UUID derived from it, stable."""
    return str(uuid.uuid5(GLPI_AGENT_ID_NAMESPACE, str(deviceid)))


def user_agent(ansible_version=None):
    """``User-Agent``: this collection and its version (GLPI stores it on the agent)."""
    value = "%s/%s" % (COLLECTION_NAME, COLLECTION_VERSION)
    if ansible_version:
        value += " ansible-core/%s" % ansible_version
    return value


def request_headers(deviceid, content_type, ansible_version=None):
    """The headers GLPI Agent sends with a request for ``deviceid``."""
    return {
        "User-Agent": user_agent(ansible_version),
        "GLPI-Agent-ID": agent_id(deviceid),
        "Content-Type": content_type,
        "Pragma": "no-cache",
        "Accept": "application/json, application/x-compress-zlib;q=0.9, */*;q=0.1",
    }


def serialize(document):
    """UTF-8 JSON bytes of ``document`` (bytes and str are taken as already serialized)."""
    if isinstance(document, bytes):
        return document
    if isinstance(document, str):
        return document.encode("utf-8")
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")


def encode_body(document, compression="zlib"):
    """``(body, content_type)`` for ``document`` with ``compression`` ``"zlib"`` or ``"none"``.

    ``document`` is a dict, or a serialized document: JSON, or GLPI Agent's legacy XML (``<REQUEST>...``), which
    GLPI recognises by its first character once uncompressed, as it does for ``glpi-injector``.
    """
    if compression not in _CONTENT_TYPES:
        raise ValueError("compression must be one of %s" % ", ".join(sorted(_CONTENT_TYPES)))
    raw = serialize(document)
    if compression == "zlib":
        return zlib.compress(raw, 6), CONTENT_TYPE_ZLIB
    return raw, (CONTENT_TYPE_XML if is_xml(raw) else CONTENT_TYPE_JSON)


def is_xml(raw):
    """Whether serialized document bytes are XML rather than JSON."""
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def contact_request(deviceid, tag=None, tasks=("inventory",)):
    """GLPI Agent's ``contact`` request for ``deviceid``, announcing ``tasks``."""
    request = {
        "action": "contact",
        "deviceid": deviceid,
        "name": COLLECTION_NAME,
        "version": COLLECTION_VERSION,
        "installed-tasks": list(tasks),
        "enabled-tasks": list(tasks),
    }
    if tag:
        request["tag"] = tag
    return request


def decode_body(body, content_type=None):
    """The text of an answer body, uncompressed per ``content_type`` (or by sniffing); never raises."""
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    try:
        data = bytes(body)
    except (TypeError, ValueError):
        return ""
    ctype = (content_type or "").lower() if isinstance(content_type, str) else ""
    attempts = []
    if "gzip" in ctype:
        attempts.append(gzip.decompress)
    if "deflate" in ctype:
        attempts.append(lambda raw: zlib.decompress(raw, -zlib.MAX_WBITS))
    # zlib streams start with 0x78 whatever the Content-Type claims.
    if "zlib" in ctype or data[:1] == b"\x78":
        attempts.append(zlib.decompress)
    for decompress in attempts:
        try:
            data = decompress(data)
            break
        except (zlib.error, OSError, EOFError, ValueError):
            continue
    return data.decode("utf-8", errors="replace")


def _expiration(value):
    """Hours until the next contact: GLPI 10.0 sends ``"24"`` (a string), 11 an int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value == value and 0 <= value < 1e9:  # pylint: disable=comparison-with-itself
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        return int(value)
    return None


def _text_list(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(item) for item in value if isinstance(item, (str, int)) and not isinstance(item, bool) and str(item))


def _clip(text):
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) > MESSAGE_MAX:
        text = text[: MESSAGE_MAX - 3] + "..."
    return text


def _html_text(text):
    """The readable part of an HTML error page (its title, else its text)."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    if title and title.group(1).strip():
        return title.group(1)
    return re.sub(r"<[^>]*>", " ", text)


@dataclasses.dataclass(frozen=True)
class Answer:
    """GLPI's answer to one request.

    ``accepted``: GLPI took it.  ``retryable``: worth sending again later (network
    trouble, 429, a 5xx that is not GLPI's own error answer).  ``auth_failed``:
    401/403 for credentials.  ``message``: GLPI's message (error or informational).
    ``expiration``: hours until the next contact, when GLPI said.  ``disabled``:
    tasks GLPI does not run for this agent.  ``data``: the decoded JSON object.
    """

    status: int
    accepted: bool
    retryable: bool = False
    auth_failed: bool = False
    message: str | None = None
    expiration: int | None = None
    disabled: tuple = ()
    tasks: dict | None = None
    data: dict | None = None
    retry_after: float | None = None

    @property
    def error(self):
        """A one-line description of a refused request, quoting GLPI."""
        if self.accepted:
            return None
        text = "GLPI answered HTTP %s" % self.status
        if self.message:
            text += ": %s" % self.message
        return text


def _retry_after(value):
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,6}\s*", value):
        return float(int(value))
    return None


def _json_object(text):
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _xml_response(text):
    """``SEND`` (or whatever) from a legacy ``<REPLY><RESPONSE>..</RESPONSE></REPLY>``."""
    match = re.search(r"<RESPONSE>\s*([^<]*?)\s*</RESPONSE>", text)
    return match.group(1) if match else None


def parse_answer(status, content_type, body, retry_after=None):
    """Classify GLPI's answer: HTTP ``status``, ``content_type`` and raw ``body``; never raises."""
    try:
        code = int(status)
    except (TypeError, ValueError):
        code = 0
    try:
        text = decode_body(body, content_type)
    except Exception:  # pylint: disable=broad-except  # belt and braces: never raise
        text = ""
    data = _json_object(text)
    message = None
    glpi_error = False
    expiration = disabled = tasks = None
    ok = False
    if data is not None:
        status_field = data.get("status")
        raw_message = data.get("message")
        if isinstance(raw_message, (list, tuple)):
            raw_message = "; ".join(str(item) for item in raw_message)
        if isinstance(raw_message, (str, int, float)) and not isinstance(raw_message, bool) and str(raw_message).strip():
            message = _clip(str(raw_message))
        expiration = _expiration(data.get("expiration"))
        disabled = _text_list(data.get("disabled"))
        tasks = data.get("tasks") if isinstance(data.get("tasks"), dict) else None
        if status_field == "ok" or data.get("RESPONSE") == "SEND":
            ok = True
        elif status_field == "error":
            glpi_error = True
        elif isinstance(data.get("ERROR"), str):
            glpi_error = True
            message = message or _clip(data["ERROR"])
    else:
        xml_response = _xml_response(text)
        if xml_response == "SEND":
            ok = True
        elif text.strip():
            snippet = _html_text(text) if "<" in text else text
            message = _clip(snippet) or None
    retry = _retry_after(retry_after)
    if 200 <= code < 300:
        if ok:
            return Answer(code, True, message=message, expiration=expiration, disabled=disabled or (), tasks=tasks, data=data)
        if not glpi_error and message is None:
            message = "empty answer" if not text.strip() else None
        return Answer(
            code, False, message=message or "unexpected answer, not GLPI's inventory endpoint?",
            expiration=expiration, disabled=disabled or (), tasks=tasks, data=data,
        )
    if code in (401, 407) or (code == 403 and not glpi_error):
        return Answer(code, False, auth_failed=True, message=message, data=data)
    if code == 429 or code >= 500 and not glpi_error or code == 0:
        return Answer(code, False, retryable=True, message=message, data=data, retry_after=retry)
    return Answer(code, False, message=message, expiration=expiration, disabled=disabled or (), tasks=tasks, data=data)


def basic_token(username, password):
    """The base64 credentials of an HTTP Basic ``Authorization`` header (UTF-8)."""
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return base64.b64encode(raw).decode("ascii")
