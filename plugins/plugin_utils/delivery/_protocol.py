# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What goes over the wire to GLPI's native inventory endpoint, and what comes back.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O.  ``inventory_url`` is the only one that raises
(``GLPIURLError``, for a URL that cannot be used); ``parse_answer`` and
``inflate`` take anything and never raise.

The endpoint (GLPI 10.0+ and 11): ``POST <glpi>/front/inventory.php`` with the
JSON document, zlib-compressed (``application/x-compress-zlib``, as GLPI Agent
sends it) or plain (``application/json``).  GLPI answers with the same
compression.  Success is ``{"status": "ok", "expiration": ...}`` when the request
carries a ``GLPI-Agent-ID`` header, ``{"RESPONSE": "SEND"}`` without it; an error
is ``{"status": "error", "message": ...}`` with an HTTP 4xx (GLPI 10) or 500
(GLPI 11) status.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.parse
import uuid
import zlib
from xml.etree import ElementTree

from ansible_collections.glpiops.glpi.plugins.module_utils._text import printable
from ansible_collections.glpiops.glpi.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError

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
# The most of an answer read or uncompressed: GLPI's answers are a few hundred bytes.
ANSWER_MAX = 1 << 20


class GLPIURLError(GLPIOpsError, ValueError):
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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url):
    """One spelling of an endpoint URL: scheme and host in lower case, no default port, no userinfo, no fragment.

    ``http://LOCALHOST:80/front/inventory.php`` and ``http://localhost/front/inventory.php`` are one server, so their
    spooled documents are one queue.  The path (case-sensitive on most servers) and the query are kept.
    """
    try:
        parts = urllib.parse.urlsplit(str(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return str(url)
    scheme = parts.scheme.lower()
    if ":" in host:
        host = "[%s]" % host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = "%s:%d" % (host, port)
    return urllib.parse.urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


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


def _decompressors(data, content_type):
    ctype = content_type.lower() if isinstance(content_type, str) else ""
    found = []
    if "gzip" in ctype:
        found.append(16 + zlib.MAX_WBITS)
    if "deflate" in ctype:
        found.append(-zlib.MAX_WBITS)
    # zlib streams start with 0x78 whatever the Content-Type claims.
    if "zlib" in ctype or data[:1] == b"\x78":
        found.append(zlib.MAX_WBITS)
    return found


def inflate(body, content_type=None, limit=ANSWER_MAX):
    """``(bytes, oversized)``: an answer body uncompressed per ``content_type`` (or by sniffing), at most ``limit``
    bytes of it; ``oversized`` says that more was there (a zlib bomb stops at ``limit``).  Never raises."""
    if body is None:
        return b"", False
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    try:
        data = bytes(body)
    except (TypeError, ValueError):
        return b"", False
    for wbits in _decompressors(data, content_type):
        inflater = zlib.decompressobj(wbits)
        try:
            output = inflater.decompress(data, limit + 1)
        except zlib.error:
            continue
        if len(output) > limit:
            return output[:limit], True
        return output, False
    return (data[:limit], True) if len(data) > limit else (data, False)


def _digits(text, most):
    """Whether ``text`` is 1 to ``most`` ASCII digits."""
    return 0 < len(text) <= most and text.isascii() and text.isdigit()


def _expiration(value):
    """Hours until the next contact: GLPI 10.0 sends ``"24"`` (a string), 11 an int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value == value and 0 <= value < 1e9:  # pylint: disable=comparison-with-itself
        return int(value)
    if isinstance(value, str) and _digits(value.strip(), 9):
        return int(value.strip())
    return None


def _text_list(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(item) for item in value if isinstance(item, (str, int)) and not isinstance(item, bool) and str(item))


def clip(text, mask=None):
    """One line of at most ``MESSAGE_MAX`` characters, secrets masked first (a cut must not split a secret), control
    characters escaped (a server's text must not drive the operator's terminal)."""
    text = " ".join((text or "").split())
    if mask is not None:
        text = mask(text)
    text = printable(text)
    if len(text) > MESSAGE_MAX:
        text = text[: MESSAGE_MAX - 3] + "..."
    return text


def _strip_tags(text):
    """The text outside ``<...>`` tags, in one pass."""
    parts = []
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            parts.append(text[position:])
            break
        parts.append(text[position:start])
        end = text.find(">", start)
        if end < 0:
            break
        parts.append(" ")
        position = end + 1
    return "".join(parts)


def html_text(text):
    """The readable part of an HTML page: its title, else its text (no regular expression: linear on any input)."""
    lower = text.lower()
    start = lower.find("<title")
    if start >= 0:
        opened = lower.find(">", start)
        closed = lower.find("</title", opened) if opened >= 0 else -1
        if closed > opened >= 0:
            title = _strip_tags(text[opened + 1:closed]).strip()
            if title:
                return title
    return _strip_tags(text)


def xml_reply(text):
    """``{element: text}`` of GLPI's legacy XML answer ``<REPLY>...</REPLY>``, or ``None`` when ``text`` is not one.

    Parsed by a real XML parser; documents with a DTD (entities) are refused unread.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith("<") or "<!DOCTYPE" in stripped or "<!ENTITY" in stripped:
        return None
    try:
        root = ElementTree.fromstring(stripped)
    except (ElementTree.ParseError, ValueError):
        return None
    if root.tag != "REPLY":
        return None
    reply = {}
    for child in root:
        if isinstance(child.tag, str) and child.tag not in reply:
            reply[child.tag] = (child.text or "").strip()
    return reply


@dataclasses.dataclass(frozen=True)
class Answer:
    """GLPI's answer to one request.

    ``accepted``: GLPI took it.  ``refused``: GLPI's inventory protocol answered with an error about this request
    (a JSON ``{"status": "error"}`` or an XML ``<ERROR>``): the document itself was turned down.  ``retryable``:
    worth sending again later (429, a 5xx that is not GLPI's own error answer).  ``auth_failed``: 401/403/407 for
    credentials.  Anything else that is not accepted (a redirect, 404, an HTML page, an unexpected body) is about
    the server or the URL, not the document.  ``message``: GLPI's message (error or informational), masked and
    clipped.  ``expiration``: hours until the next contact, when GLPI said.  ``disabled``: tasks GLPI does not run
    for this agent.  ``data``: the decoded JSON object or XML reply.  ``oversized``: the body was cut at
    ``ANSWER_MAX``.  ``attempts``: how many requests it took (set by the client).
    """

    status: int
    accepted: bool
    retryable: bool = False
    auth_failed: bool = False
    refused: bool = False
    message: str | None = None
    expiration: int | None = None
    disabled: tuple = ()
    tasks: dict | None = None
    data: dict | None = None
    retry_after: float | None = None
    oversized: bool = False
    attempts: int = 0

    @property
    def error(self):
        """A one-line description of a request that was not accepted, quoting GLPI."""
        if self.accepted:
            return None
        text = "GLPI answered HTTP %s" % self.status
        if self.message:
            text += ": %s" % self.message
        return text


def _retry_after(value):
    if isinstance(value, str) and _digits(value.strip(), 6):
        return float(int(value.strip()))
    return None


def _json_object(text):
    if not text.lstrip()[:1] == "{":
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _message_text(value):
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
        return str(value)
    return None


# GLPI 11 imports a document with keys it does not know, then answers 500 with this message (Request::handleMessages).
_IGNORED_KEYS = "Following keys has been ignored during process:"


def parse_answer(status, content_type, body, retry_after=None, mask=None):
    """Classify GLPI's answer: HTTP ``status``, ``content_type`` and raw ``body``; never raises.

    ``mask``: a function that hides secrets in text, applied before any message is cut.
    """
    try:
        code = int(status)
    except (TypeError, ValueError):
        code = 0
    try:
        raw, oversized = inflate(body, content_type)
        text = raw.decode("utf-8", errors="replace")
    except Exception:  # pylint: disable=broad-except  # belt and braces: never raise
        text, oversized = "", False
    data = _json_object(text) if not oversized else None
    reply = xml_reply(text) if data is None and not oversized else None
    message = None
    glpi_error = False
    expiration = disabled = tasks = None
    ok = False
    if data is not None:
        status_field = data.get("status")
        message = _message_text(data.get("message"))
        expiration = _expiration(data.get("expiration"))
        disabled = _text_list(data.get("disabled"))
        tasks = data.get("tasks") if isinstance(data.get("tasks"), dict) else None
        if status_field == "ok" or data.get("RESPONSE") == "SEND":
            ok = True
        elif status_field == "error":
            glpi_error = True
        elif isinstance(data.get("ERROR"), str):
            glpi_error = True
            message = message or data["ERROR"]
    elif reply is not None:
        data = reply
        message = _message_text(reply.get("message"))
        expiration = _expiration(reply.get("expiration") or reply.get("PROLOG_FREQ"))
        if reply.get("status") == "ok" or reply.get("RESPONSE") == "SEND":
            ok = True
        elif "ERROR" in reply or reply.get("status") == "error":
            glpi_error = True
            message = _message_text(reply.get("ERROR")) or message
    elif oversized:
        message = "the answer is larger than %d bytes once uncompressed: not GLPI's inventory endpoint?" % ANSWER_MAX
    elif text.strip():
        message = html_text(text) if "<" in text else text
    message = clip(message, mask) or None if message is not None else None
    retry = _retry_after(retry_after)
    common = dict(message=message, expiration=expiration, disabled=disabled or (), tasks=tasks, data=data, oversized=oversized)
    if 200 <= code < 300:
        if ok:
            return Answer(code, True, **common)
        if glpi_error:
            return Answer(code, False, refused=True, **common)
        if message is None:
            common["message"] = "empty answer" if not text.strip() else "unexpected answer, not GLPI's inventory endpoint?"
        return Answer(code, False, **common)
    if code in (401, 407) or (code == 403 and not glpi_error):
        return Answer(code, False, auth_failed=True, **common)
    if glpi_error and code >= 500 and message and message.startswith(_IGNORED_KEYS):
        return Answer(code, True, **common)
    if code == 429 or code >= 500 and not glpi_error or code == 0:
        return Answer(code, False, retryable=True, retry_after=retry, **common)
    return Answer(code, False, refused=glpi_error, **common)
