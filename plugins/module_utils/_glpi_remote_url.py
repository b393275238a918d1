# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Remote URLs as GLPI Agent reads them: parse, build, compare, mask (pure functions, they never raise).

Private to the glpiops.glpi collection: no compatibility promise.

A remote is one URL, ``ssh://user:password@host:port?mode=...&deviceid=...`` or
``winrm://...``: the agent keeps each remote's password inside it.  Masking is the
collection's one masking function and mask (``_secrets``); here are only the forms a
password takes in a URL (:func:`remote_secret_forms`).  Facts: the glpiops reference
FACTS.md section 3.  Target-side code: standard library only, Python 3.8+.
"""

from __future__ import annotations

import re

from urllib.parse import quote, unquote

from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask, mask_url, secret_forms

PROTOCOLS = ("ssh", "winrm")
MODES = {"ssh": ("ssh", "libssh2", "perl"), "winrm": ("ssl",)}

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)
_URL_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_MODE_RE = re.compile(r"\bmode=(\w+)\b")
_DEVICEID_RE = re.compile(r"\bdeviceid=([\w.-]+)\b")


def escape(value):
    """Percent-encode everything but RFC 3986 unreserved characters, as the agent's ``uri_escape``.

    The agent masks a stored password in its ``list`` output only when it is
    written this way (FACTS §3), and ``:``, ``@``, ``/``, ``%`` must be escaped anyway.
    """
    return quote((value or "").encode("utf-8", "surrogatepass"), safe="")


def _by_length(forms):
    """``forms`` as the shared ``mask`` takes them: a tuple, longest first, no empty or non-text form."""
    return tuple(sorted(set(form for form in forms or () if isinstance(form, str) and form), key=lambda form: (-len(form), form)))


def remote_secret_forms(secrets):
    """The shared ``secret_forms`` of ``secrets`` plus the tool's own escaping of them (a tuple, longest first).

    Added: :func:`escape` (upper and lower case hex) and ``quote`` of the ``surrogatepass``
    bytes, what :func:`build_url` hands the tool.  For valid text the shared function
    already has them; a password with lone surrogates it cannot encode (strict UTF-8), so
    there these are the only percent-encoded forms.
    """
    forms = set()
    for secret in secrets or ():
        if not isinstance(secret, str) or not secret:
            continue
        try:
            forms.update(secret_forms([secret]))
        except UnicodeError:  # lone surrogates: strict UTF-8 refuses them
            forms.add(secret)
        encoded = escape(secret)
        forms.update((encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded),
                      quote(secret.encode("utf-8", "surrogatepass"))))
    return _by_length(forms)


def _split_authority(rest):
    """``rest`` (after ``scheme://``) -> (authority, path, query)."""
    end = len(rest)
    for char in "/?#":
        pos = rest.find(char)
        if 0 <= pos < end:
            end = pos
    authority, tail = rest[:end], rest[end:]
    path, _sep, query = tail.split("#", 1)[0].partition("?")
    return authority, path, query


def parse_url(url):
    """A remote URL as the agent reads it -> dict; never raises.

    Keys: ``protocol``, ``username``, ``password`` (both percent-decoded, None when
    absent), ``host``, ``port`` (int or None), ``path``, ``modes`` (sorted list) and
    ``deviceid`` (from ``?deviceid=``, or None).  Like the agent, a URL without
    scheme is an ssh host, and the password is what follows the first ``:`` of the
    user information.
    """
    text = url if isinstance(url, str) else ""
    text = text.strip()
    match = _SCHEME_RE.match(text)
    protocol, rest = (match.group(1).lower(), match.group(2)) if match else ("ssh", text)
    authority, path, query = _split_authority(rest)
    username = password = None
    if "@" in authority:
        userinfo, hostport = authority.rsplit("@", 1)
        fields = userinfo.split(":")
        username = unquote(fields[0])
        if len(fields) > 1:
            password = unquote(fields[1])
    else:
        hostport = authority
    port = None
    if hostport.startswith("["):
        host, _sep, after = hostport[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else ""
    elif ":" in hostport:
        host, port_text = hostport.rsplit(":", 1)
    else:
        host, port_text = hostport, ""
    if port_text.isascii() and port_text.isdigit():  # str.isdigit() also takes "¹", which int() refuses
        port = int(port_text)
    modes = set()
    mode = _MODE_RE.search(query)
    if mode:
        modes = set(part for part in mode.group(1).lower().split("_") if part)
    deviceid = _DEVICEID_RE.search(query)
    return dict(protocol=protocol, username=username, password=password, host=host, port=port,
                path=path, modes=sorted(modes), deviceid=deviceid.group(1) if deviceid else None)


def effective_port(protocol, port, modes=()):
    """The port the agent connects to (its defaults: ssh 22, WinRM 5985, or 5986 with ``mode=ssl``)."""
    if protocol == "winrm":
        if "ssl" in (modes or ()):
            return 5986 if port in (None, 443) else port
        return 5985 if port in (None, 80) else port
    return port or 22


def build_url(protocol, host, port=None, username=None, password=None, modes=(), deviceid=None, path=""):
    """The URL to register: user and password percent-encoded, ``?mode=`` and ``?deviceid=`` in the query."""
    url = "%s://" % protocol
    if username:
        url += escape(username)
        if password is not None:
            url += ":" + escape(password)
        url += "@"
    url += "[%s]" % host if ":" in (host or "") else (host or "")
    if port:
        url += ":%d" % int(port)
    query = []
    if modes:
        query.append("mode=" + "_".join(sorted(set(modes))))
    if deviceid:
        query.append("deviceid=" + deviceid)
    if path and path != "/":
        url += path
    elif query and protocol == "winrm":
        url += "/"  # the documented WinRM form: winrm://host:5986/?mode=ssl
    if query:
        url += "?" + "&".join(query)
    return url


def remote_url(remote):
    """:func:`build_url` of a remote given as :func:`parse_url` returns it."""
    return build_url(remote["protocol"], remote["host"], remote["port"], remote["username"], remote["password"], remote["modes"],
                     remote["deviceid"], remote["path"])


def mask_text(text, forms=()):
    """``text`` with every whole occurrence of ``forms`` (:func:`remote_secret_forms`) and every URL password masked.

    The shared ``mask`` and ``mask_url``: a password shown by the tool's own mask (:data:`AGENT_MASK`)
    gets the collection's mask too.
    """
    if not isinstance(text, str) or not text:
        return text
    text = mask(text, _by_length(forms))
    return _URL_IN_TEXT_RE.sub(lambda m: mask_url(m.group(0)), text)


def same_remote(url, protocol, host, port=None, username=None, modes=()):
    """Whether a stored ``url`` is the remote ``protocol://[username@]host[:port]`` (user compared only when given)."""
    stored = parse_url(url)
    if stored["protocol"] != protocol or (stored["host"] or "").lower() != (host or "").lower():
        return False
    if effective_port(protocol, stored["port"], stored["modes"]) != effective_port(protocol, port, modes):
        return False
    return username is None or stored["username"] == username


def with_deviceid(url, deviceid):
    """``url`` with ``deviceid=<deviceid>`` in its query (unless it names one), so that the agent keeps that identity."""
    if not deviceid or not isinstance(url, str) or parse_url(url)["deviceid"]:
        return url
    head, sep, fragment = url.partition("#")
    if "?" in head:
        head += ("" if head.endswith(("?", "&")) else "&") + "deviceid=" + deviceid
    else:
        scheme_end = head.find("://")
        rest = head[scheme_end + 3:] if scheme_end >= 0 else head
        if "/" not in rest and parse_url(url)["protocol"] == "winrm":
            head += "/"
        head += "?deviceid=" + deviceid
    return head + sep + fragment
