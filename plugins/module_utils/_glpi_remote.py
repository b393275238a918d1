# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run GLPI Agent's ``glpi-remote`` tool and read what it prints.

Private to the glpiops.glpi collection: no compatibility promise.

The one place that knows the tool: its URLs, its output, its failures (several
of which exit 0) and how to hand it a password without a command line.  The
pure functions come first (URLs, masking, output parsers; they never raise),
the process handling last (:class:`GlpiRemote`).  Facts: the glpiops reference
FACTS.md section 3 and its glpi-remote transcript.

Secrets: the agent keeps each remote's password inside the stored URL, so the
URL must reach the tool whole, yet argv is readable by every local user in
``/proc``.  ``glpi-remote`` is a Perl script, so it is run as
``perl -e <loader> <script>`` with its arguments on stdin (:data:`LOADER`).
Masking is the collection's one masking function and mask (``_secrets``);
:data:`AGENT_MASK` is only the tool's own mask, read in its output.
Target-side code: standard library only, Python 3.8+.
"""

from __future__ import annotations

import os
import re

from urllib.parse import quote, unquote

from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import mask, mask_url, secret_forms

# What glpi-remote itself prints in its ``list`` output in place of a password it could mask (the tool's format,
# recognised, never written: what the modules show is the collection's ``MASK``).
AGENT_MASK = "****"
PROTOCOLS = ("ssh", "winrm")
MODES = {"ssh": ("ssh", "libssh2", "perl"), "winrm": ("ssl",)}
NEXT_RUN_UNSCHEDULED = "on next agent run"
# Where GLPI Agent's packages put glpi-remote, besides PATH.
TOOL_DIRS = ("/usr/local/bin", "/opt/glpi-agent/bin", "/Applications/GLPI-Agent.app/bin")

# The tool exits 0 after these; their lines are failures whatever the exit code.
FAILURE_MARKERS = ("check failure", "Skipping", "No such remote", "Unsupported")

# Perl program given to ``perl -e``: the script path is its only argument, the
# tool's arguments come on stdin, each followed by a NUL byte; stdin is then
# /dev/null for the tool (ssh must not read it).  ``$0`` is the script so that
# its usage text and warnings name it; ``require`` lets its ``die`` messages and
# exit codes through unchanged.
LOADER = (
    'my $script = shift @ARGV; '
    '{ local $/; my $in = <STDIN>; @ARGV = (defined $in && length $in) ? split(/\\0/, $in) : (); } '
    'open(STDIN, "<", "/dev/null"); '
    '$0 = $script; require $script; exit 0;'
)

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)
_URL_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_MODE_RE = re.compile(r"\bmode=(\w+)\b")
_DEVICEID_RE = re.compile(r"\bdeviceid=([\w.-]+)\b")
# What the agent reads whole from ``?deviceid=``: its pattern ends on a word boundary.
DEVICEID_RE = re.compile(r"\A[\w.-]*\w\Z", re.ASCII)
_DATE = r"[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}"
_REMOTE_ROW_RE = re.compile(r"^\s*(?P<index>\d+)\s+(?P<deviceid>\S+)\s+(?P<url>\S.*?)\s+(?P<target>\S+)\s+"
                            r"(?P<next_run>%s|%s)\s*$" % (NEXT_RUN_UNSCHEDULED, _DATE))
_TARGET_ROW_RE = re.compile(r"^(?P<id>\S+)\s+(?P<type>\S+)\s+(?:(?P<location>\S.*?)\s+)??(?:(?P<maxdelay>\d+)\s+)?"
                            r"(?P<next_run>%s)\s*$" % _DATE)
_CHANGE_RES = (
    ("added", re.compile(r"^Added (?P<deviceid>\S+) remote agent to (?P<target>\S+)\s*$")),
    ("updated", re.compile(r"^Updated (?P<deviceid>\S+) remote agent for (?P<target>\S+)\s*$")),
    ("deleted", re.compile(r"^(?P<deviceid>\S+) remote agent deleted from (?P<target>\S+)\s*$")),
)


class GlpiRemoteError(Exception):
    """The tool failed; ``msg`` is in its own words, with every known secret masked."""

    def __init__(self, msg, rc=None, stdout="", stderr=""):
        super(GlpiRemoteError, self).__init__(msg)
        self.msg = msg
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def fail_kwargs(self):
        result = dict(msg=self.msg)
        if self.rc is not None:
            result.update(rc=self.rc, stdout=self.stdout, stderr=self.stderr)
        return result


# --- URLs (pure) ------------------------------------------------------------------------


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


def mask_text(text, forms=()):
    """``text`` with every whole occurrence of ``forms`` (:func:`remote_secret_forms`) and every URL password masked.

    The shared ``mask`` and ``mask_url``: a password shown by the tool's own mask (:data:`AGENT_MASK`)
    gets the collection's mask too.
    """
    if not isinstance(text, str) or not text:
        return text
    text = mask(text, _by_length(forms))
    return _URL_IN_TEXT_RE.sub(lambda m: mask_url(m.group(0)), text)


# --- output (pure) ----------------------------------------------------------------------


def _lines(text):
    return text.splitlines() if isinstance(text, str) else []


def parse_remotes(text):
    """``glpi-remote list`` output (with or without header) -> list of remotes; never raises.

    Each remote: ``index`` (int, what ``delete`` accepts), ``deviceid``, ``url`` (as
    printed: masked by the tool, or not), ``target`` and ``next_run`` (the tool's
    words: a local date, or ``on next agent run``).
    """
    remotes = []
    for line in _lines(text):
        match = _REMOTE_ROW_RE.match(line)
        if match:
            remote = match.groupdict()
            remote["index"] = int(remote["index"])
            remotes.append(remote)
    return remotes


def parse_targets(text):
    """``glpi-remote list targets`` output -> list of targets; never raises.

    Each target: ``id``, ``type`` (``server``, ``local``...), ``url`` (server) or
    ``path`` (other types), ``maxdelay`` (int, seconds) and ``next_run``.
    """
    targets = []
    for line in _lines(text):
        match = _TARGET_ROW_RE.match(line)
        if not match or (match.group("id") == "id" and match.group("type") == "type"):
            continue
        target = dict(id=match.group("id"), type=match.group("type"), next_run=match.group("next_run"))
        location = match.group("location")
        if location:
            target["url" if target["type"] == "server" else "path"] = location
        if match.group("maxdelay"):
            target["maxdelay"] = int(match.group("maxdelay"))
        targets.append(target)
    return targets


def parse_changes(text):
    """``add``/``delete`` stdout -> list of dict(action=added|updated|deleted, deviceid, target)."""
    changes = []
    for line in _lines(text):
        for action, regexp in _CHANGE_RES:
            match = regexp.match(line)
            if match:
                changes.append(dict(action=action, deviceid=match.group("deviceid"), target=match.group("target")))
                break
    return changes


def find_failures(stdout, stderr):
    """The lines that tell the tool failed, even with exit code 0; ``[error]`` lines are kept as context."""
    lines = [line.strip() for line in _lines(stderr) + _lines(stdout) if line.strip()]
    failures = [line for line in lines if any(marker in line for marker in FAILURE_MARKERS)]
    if not failures:
        return []
    return [line for line in lines if line in failures or line.startswith("[error]")]


def find_warnings(stderr):
    """The tool's ``[warning]`` lines, prefix dropped."""
    return [line.strip()[len("[warning]"):].strip() for line in _lines(stderr) if line.strip().startswith("[warning]")]


def select_target(targets, wanted=None):
    """The target remotes go to, with the tool's own rule -> (target id, error message or None).

    Only ``server`` and ``local`` targets hold remotes; without ``wanted`` the only
    server target is chosen, if there is exactly one.
    """
    holders = sorted(t["id"] for t in targets if t.get("type") in ("server", "local"))
    if wanted:
        if wanted in holders:
            return wanted, None
        return None, "No such '%s' target available to handle remotes (targets: %s)" % (wanted, ", ".join(holders) or "none")
    servers = [t["id"] for t in targets if t.get("type") == "server"]
    if len(servers) == 1:
        return servers[0], None
    msg = "Can't select a default server target. No target specified to store remotes, choose one in %s" % ", ".join(holders)
    if not holders:
        msg += " (none yet: a target exists once GLPI Agent ran with its server or local setting)"
    return None, msg


def same_remote(url, protocol, host, port=None, username=None, modes=()):
    """Whether a stored ``url`` is the remote ``protocol://[username@]host[:port]`` (user compared only when given)."""
    stored = parse_url(url)
    if stored["protocol"] != protocol or (stored["host"] or "").lower() != (host or "").lower():
        return False
    if effective_port(protocol, stored["port"], stored["modes"]) != effective_port(protocol, port, modes):
        return False
    return username is None or stored["username"] == username


def describe_remote(row):
    """A parsed ``list`` row as modules return it: the URL masked, its parts spelled out."""
    parsed = parse_url(row.get("url"))
    result = dict(deviceid=row.get("deviceid"), url=mask_url(row.get("url")), target=row.get("target"),
                  next_run=row.get("next_run"), protocol=parsed["protocol"], host=parsed["host"],
                  port=effective_port(parsed["protocol"], parsed["port"], parsed["modes"]),
                  username=parsed["username"], modes=parsed["modes"])
    if row.get("index") is not None:
        result["index"] = row["index"]
    return result


# --- glpi-agent: version and remoteinventory log (pure) ---------------------------------

# GLPI Agent 1.0 brought the remoteinventory task (ssh and WinRM remotes, ``--remote``).
REMOTE_INVENTORY_SINCE = (1, 0)
_VERSION_RE = re.compile(r"^(?P<provider>.*?)\s*Agent\s*\((?P<version>[^)]*)\)")
_LOG_RE = re.compile(r"^\[(?P<level>[a-z]+\d?)\] (?:\[worker (?P<worker>\d+)\] (?P<remoteid>[^,\s]+), )?(?P<message>.*)$")
_LOG_TARGET_RE = re.compile(r"^target (?P<id>\S+): (?P<type>\w+)(?: (?P<location>.*))?$")
_LOG_NEW_RE = re.compile(r"^New (?P<event>.+?) from (?P<deviceid>\S+) for (?P<target>\S+?)(?: \(tag=(?P<tag>.*)\))?$")
_LOG_SAVED_RE = re.compile(r"^Inventory saved in (?P<file>.+?)\s*$")
_LOG_FAILED_RE = re.compile(r"^Remoteinventory worker\[(?P<worker>\d+)\] failed to handle (?P<url>.*?)\s*$")
NO_TARGET = "No target defined, aborting"


def parse_agent_version(text):
    """``glpi-agent --version`` output -> dict(provider, version (str), numbers (tuple of ints)), or None; never raises.

    GLPI Agent prints ``GLPI Agent (1.12-dev)``; its predecessor ``FusionInventory Agent (2.6)``.
    """
    for line in _lines(text):
        match = _VERSION_RE.match(line.strip())
        if match:
            numbers = tuple(int(n) for n in re.findall(r"\d+", match.group("version").split("-")[0])[:3])
            return dict(provider=match.group("provider").strip(), version=match.group("version").strip(), numbers=numbers)
    return None


def supports_remote_inventory(version):
    """Whether a :func:`parse_agent_version` result is a GLPI Agent with the remoteinventory task."""
    return bool(version) and version.get("provider") == "GLPI" and tuple(version.get("numbers") or ()) >= REMOTE_INVENTORY_SINCE


def parse_agent_log(text):
    """The ``--logger=stderr`` lines of a ``glpi-agent --tasks remoteinventory`` run -> dict; never raises.

    Keys: ``targets`` (list of dict(id, type, location)), ``inventories`` (one per
    ``New inventory from <deviceid> for <target>``: dict(deviceid, target, worker (int
    or None), tag, file (from the following ``Inventory saved in``, or None), errors
    (the ``[error]`` lines of the same worker, or unprefixed ones after it in a
    single-remote run))), ``failures`` (dict(worker, url) from ``Remoteinventory
    worker[N] failed to handle <masked url>``), ``errors`` and ``warnings`` (the other
    lines of those levels, prefix kept), ``no_target`` (the agent had no target).
    Facts: the glpiops reference FACTS.md section 4 and its remoteinventory transcript.
    """
    result = dict(targets=[], inventories=[], failures=[], errors=[], warnings=[], no_target=False)
    current = {}  # worker (or None) -> its last inventory
    for raw in _lines(text):
        match = _LOG_RE.match(raw.strip())
        if not match:
            continue
        level, message = match.group("level"), match.group("message")
        worker = int(match.group("worker")) if match.group("worker") else None
        found = _LOG_TARGET_RE.match(message) if level == "info" and worker is None else None
        if found:
            target = dict(id=found.group("id"), type=found.group("type"))
            if found.group("location"):
                target["location"] = found.group("location")
            result["targets"].append(target)
            continue
        found = _LOG_NEW_RE.match(message) if level == "info" else None
        if found:
            inventory = dict(deviceid=found.group("deviceid"), target=found.group("target"), worker=worker,
                             tag=found.group("tag"), file=None, errors=[])
            result["inventories"].append(inventory)
            current[worker] = inventory
            continue
        found = _LOG_SAVED_RE.match(message) if level == "info" else None
        if found and current.get(worker) is not None:
            current[worker]["file"] = found.group("file")
            continue
        found = _LOG_FAILED_RE.match(message) if level == "error" else None
        if found:
            result["failures"].append(dict(worker=int(found.group("worker")), url=found.group("url")))
            continue
        if level == "error":
            if message.strip() == NO_TARGET:
                result["no_target"] = True
            owner = current.get(worker)
            if owner is not None:
                owner["errors"].append(message)
            else:
                result["errors"].append(raw.strip())
        elif level == "warning":
            result["warnings"].append(raw.strip())
    return result


def _identity(url):
    parsed = parse_url(url)
    return (parsed["protocol"], (parsed["host"] or "").lower(), effective_port(parsed["protocol"], parsed["port"], parsed["modes"]),
            parsed["username"])


def remote_outcomes(expected, log, existing_files=()):
    """What happened to each remote of a run -> list of dict(deviceid, target, url, status, message, file); never raises.

    ``expected``: the remotes handed to the run, dict(deviceid (None when the agent
    will choose it), url, target); ``log``: :func:`parse_agent_log`; ``existing_files``:
    the output files that exist after the run.  A remote is ``ok`` when the agent
    logged a new inventory for it without error and, for a local target, the file it
    says it saved exists; ``failed`` otherwise (the agent exits 0 either way).  URLs
    are masked; remotes the log names but ``expected`` lacks are added.
    """
    existing = set(existing_files or ())
    types = dict((t.get("id"), t.get("type")) for t in log.get("targets") or [])
    pending = [dict(remote) for remote in expected or []]
    used = [False] * len(pending)
    outcomes = []

    def claim(predicate):
        for index, remote in enumerate(pending):
            if not used[index] and predicate(remote):
                used[index] = True
                return remote
        return None

    for inventory in log.get("inventories") or []:
        remote = claim(lambda r, d=inventory["deviceid"]: r.get("deviceid") == d)
        if remote is None:
            free = [i for i, r in enumerate(pending) if not used[i] and not r.get("deviceid")]
            if len(free) == 1:
                remote = pending[free[0]]
                used[free[0]] = True
        target = inventory.get("target") or (remote or {}).get("target")
        local = types.get(target, "local" if (target or "").startswith("local") else "server") == "local"
        outcome = dict(deviceid=inventory["deviceid"], target=target, url=mask_url((remote or {}).get("url")), file=inventory.get("file"))
        if inventory.get("errors"):
            outcome.update(status="failed", message="; ".join(inventory["errors"]))
        elif local and not inventory.get("file"):
            outcome.update(status="failed", message="new inventory, but GLPI Agent logged no file for it")
        elif local and inventory["file"] not in existing:
            outcome.update(status="failed", message="GLPI Agent logged %s, but there is no such file" % inventory["file"])
        elif local:
            outcome.update(status="ok", message="inventory saved in %s" % inventory["file"])
        else:
            outcome.update(status="ok", message="inventory sent to %s" % target)
        outcomes.append(outcome)
    for failure in log.get("failures") or []:
        identity = _identity(failure["url"])
        remote = claim(lambda r: mask_url(r.get("url")) == mask_url(failure["url"])) or claim(lambda r: _identity(r.get("url")) == identity)
        outcomes.append(dict(deviceid=(remote or {}).get("deviceid"), target=(remote or {}).get("target"), url=mask_url(failure["url"]),
                             file=None, status="failed", message="Remoteinventory worker[%d] failed to handle %s"
                             % (failure["worker"], mask_url(failure["url"]))))
    for index, remote in enumerate(pending):
        if not used[index]:
            outcomes.append(dict(deviceid=remote.get("deviceid"), target=remote.get("target"), url=mask_url(remote.get("url")), file=None,
                                 status="failed", message="GLPI Agent produced no inventory for it (a single remote's failure is logged "
                                 "at debug level only: run glpi-agent with --debug to see why)"))
    return outcomes


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


# --- running the tool -------------------------------------------------------------------


def perl_from_shebang(first_line):
    """The interpreter a script's ``#!`` line names when it is Perl -> list (argv prefix), else None."""
    if not isinstance(first_line, str) or not first_line.startswith("#!"):
        return None
    words = first_line[2:].split()
    if not words:
        return None
    if words[0].endswith("/env") and len(words) > 1:
        words = words[1:]
    if words[0].rsplit("/", 1)[-1].startswith("perl"):
        return [words[0]]
    return None


def read_first_line(path):
    try:
        with open(path, "rb") as handle:
            return handle.readline(256).decode("utf-8", "replace").strip()
    except (IOError, OSError):
        return ""


class PerlTool(object):
    """One Perl program of GLPI Agent (``glpi-remote``, ``glpi-agent``), run without its arguments on a command line.

    ``run_command(argv, stdin_bytes) -> (rc, stdout, stderr)`` runs a process
    (see :func:`module_runner`); ``perl`` is the interpreter (from the script's
    ``#!`` line by default), None when the tool is not a Perl script: its
    arguments then go on the command line and :attr:`exposes_argv` is True.
    """

    def __init__(self, run_command, path, vardir=None, perl=None):
        self.run_command = run_command
        self.path = path
        self.vardir = vardir
        self.perl = perl
        self.secrets = set()

    @property
    def exposes_argv(self):
        return not self.perl

    def add_secret(self, secret):
        self.secrets.update(remote_secret_forms([secret]))

    def mask(self, text):
        return mask_text(text, self.secrets)

    def argv_and_stdin(self, args):
        """The process to start: ``perl -e LOADER script`` with ``args`` on stdin, or the tool itself."""
        args = list(args)
        if self.vardir:
            args = ["--vardir", self.vardir] + args
        if self.perl:
            payload = b"".join(arg.encode("utf-8", "surrogateescape") + b"\0" for arg in args)
            return list(self.perl) + ["-e", LOADER, self.path], payload
        return [self.path] + args, None


class GlpiRemote(PerlTool):
    """One ``glpi-remote`` installation (see :class:`PerlTool`)."""

    def run(self, args):
        """Run the tool -> (stdout, stderr); raises :class:`GlpiRemoteError` on any failure."""
        argv, stdin = self.argv_and_stdin(args)
        rc, stdout, stderr = self.run_command(argv, stdin)
        failures = find_failures(stdout, stderr)
        if rc != 0 or failures:
            words = failures or [line.strip() for line in _lines(stderr) + _lines(stdout) if line.strip()]
            msg = "glpi-remote %s failed: %s" % (args[0] if args else "", " ".join(words) or "exit code %s" % rc)
            raise GlpiRemoteError(self.mask(msg), rc=rc, stdout=self.mask(stdout), stderr=self.mask(stderr))
        return stdout, stderr

    def remotes(self, show_passwords=False):
        """Registered remotes (:func:`parse_remotes`); with ``show_passwords`` the URLs hold the stored passwords.

        Every password seen, asked for or leaked by the tool, becomes a known secret.
        """
        stdout, _stderr = self.run(["list", "-X"] if show_passwords else ["list"])
        remotes = parse_remotes(stdout)
        for remote in remotes:
            password = parse_url(remote["url"])["password"]
            if password and password != AGENT_MASK:
                self.add_secret(password)
        return remotes

    def targets(self):
        stdout, _stderr = self.run(["list", "targets"])
        return parse_targets(stdout)

    def add(self, url, target, check=True):
        """Register (or update) one remote -> (changes, warnings); fails when nothing was registered."""
        self.add_secret(parse_url(url)["password"])
        args = ["add", url, "--target", target]
        if not check:
            args.append("--no-check")
        stdout, stderr = self.run(args)
        changes = [c for c in parse_changes(stdout) if c["action"] in ("added", "updated")]
        if not changes:
            raise GlpiRemoteError(self.mask("glpi-remote add registered nothing: %s" % " ".join((stderr + stdout).split())),
                                  rc=0, stdout=self.mask(stdout), stderr=self.mask(stderr))
        return changes, [self.mask(w) for w in find_warnings(stderr)]

    def delete(self, refs):
        """Delete remotes by index or deviceid (indexes refer to the list before this call) -> changes."""
        stdout, _stderr = self.run(["delete"] + [str(ref) for ref in refs])
        return parse_changes(stdout)


class GlpiAgent(PerlTool):
    """One ``glpi-agent`` installation (see :class:`PerlTool`): its version, and runs whose log is read."""

    def version(self):
        """-> :func:`parse_agent_version` result; raises :class:`GlpiRemoteError` when the agent does not answer."""
        argv, stdin = self.argv_and_stdin(["--version"])
        rc, stdout, stderr = self.run_command(argv, stdin)
        version = parse_agent_version(stdout)
        if rc != 0 or not version:
            raise GlpiRemoteError(self.mask("%s --version failed: %s" % (self.path, " ".join((stderr + stdout).split()) or "exit code %s" % rc)),
                                  rc=rc, stdout=self.mask(stdout), stderr=self.mask(stderr))
        return version

    def run(self, args):
        """Run the agent -> (rc, stdout, stderr), every known secret masked; never raises for the agent's failures."""
        argv, stdin = self.argv_and_stdin(args)
        rc, stdout, stderr = self.run_command(argv, stdin)
        return rc, self.mask(stdout), self.mask(stderr)


def module_runner(module):
    """A ``run_command`` for :class:`GlpiRemote` backed by ``AnsibleModule.run_command``."""

    def run(argv, stdin):
        # No ``$VAR`` expansion: the Perl loader is full of ``$``.
        return module.run_command(argv, data=stdin, binary_data=True, expand_user_and_vars=False)

    return run


def find_tool(module, name, path=None, option=None, extra_dirs=()):
    """Path of GLPI Agent's tool ``name``: ``path``, else ``PATH``, ``extra_dirs`` and the agent's install dirs.

    -> (path, perl argv prefix or None); raises :class:`GlpiRemoteError` when it is missing.
    """
    if not path:
        path = module.get_bin_path(name, opt_dirs=list(extra_dirs) + list(TOOL_DIRS))
    if not path:
        raise GlpiRemoteError("%s was not found: install GLPI Agent on this host, or set %s" % (name, option or name.replace("-", "_") + "_path"))
    if not os.path.isfile(path):
        raise GlpiRemoteError("%s was not found at %s" % (name, path))
    perl = perl_from_shebang(read_first_line(path))
    if perl and "/" not in perl[0]:
        perl = [module.get_bin_path(perl[0]) or perl[0]]
    return path, perl


def from_module(module, path=None, vardir=None, extra_dirs=()):
    """The tool as an Ansible module finds it: ``path`` or ``glpi-remote`` on PATH and GLPI Agent's install dirs."""
    path, perl = find_tool(module, "glpi-remote", path, "glpi_remote_path", extra_dirs)
    return GlpiRemote(module_runner(module), path, vardir=vardir, perl=perl)


def agent_from_module(module, path=None, vardir=None):
    """``glpi-agent`` as an Ansible module finds it: ``path``, or on PATH and GLPI Agent's install dirs."""
    path, perl = find_tool(module, "glpi-agent", path, "glpi_agent_path")
    return GlpiAgent(module_runner(module), path, vardir=vardir, perl=perl)


def remote_tool_argument_spec():
    """How to reach ``glpi-remote`` (the ``glpiops.glpi.glpi_remote_tool`` doc fragment documents these options)."""
    return dict(glpi_remote_path=dict(type="path"), vardir=dict(type="path"))
