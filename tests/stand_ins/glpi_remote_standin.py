# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``glpi-remote`` stand-in for tests: install it, give it a world, read its log, read the transcript.

The stand-in (``glpi-remote`` beside this file) is a Perl script without ``#!`` line,
so that the collection's sanity tests do not take it for a program of the
collection; :func:`install` writes it with one into a ``bin`` directory, as the
agent's packages install the real one.
"""

from __future__ import annotations

import calendar
import json
import os
import pathlib
import re
import shutil
import stat

HERE = pathlib.Path(__file__).resolve().parent
SCRIPT = HERE / "glpi-remote"
AGENT_SCRIPT = HERE / "glpi-agent"
# The recorded transcripts, in the repository (tests/fixtures/reference, the place tests/_reference.py names).
TRANSCRIPT = HERE.parent / "fixtures" / "reference" / "glpi-agent" / "glpi-remote-transcript.txt"
RUNS_TRANSCRIPT = HERE.parent / "fixtures" / "reference" / "glpi-agent" / "remoteinventory-transcript.txt"

# The lab of the transcript (its header): sshd on 127.0.0.1:2222 with user ``inventory``, whose client
# keys and known_hosts live in HOME=/srv/lab/sshd/clienthome; nothing listens for WinRM.
LAB_HOME = "/srv/lab/sshd/clienthome"
LAB_VARDIR = "/srv/lab/agent-var"
LAB_LIB = "/srv/lab/src/glpi-agent/lib"
LAB_INC = ["./lib", LAB_LIB, "/etc/perl", "/usr/local/lib/x86_64-linux-gnu/perl/5.36.0", "/usr/local/share/perl/5.36.0",
           "/usr/lib/x86_64-linux-gnu/perl5/5.36", "/usr/share/perl5", "/usr/lib/x86_64-linux-gnu/perl-base",
           "/usr/lib/x86_64-linux-gnu/perl/5.36", "/usr/share/perl/5.36", "/usr/local/lib/site_perl"]


def install(bin_dir, perl=None, script=SCRIPT):
    """Write the stand-in (``glpi-remote`` by default) into ``bin_dir`` with a ``#!`` line for ``perl`` -> its path."""
    bin_dir = pathlib.Path(bin_dir)
    bin_dir.mkdir(parents=True, exist_ok=True)
    perl = perl or shutil.which("perl") or "/usr/bin/perl"
    path = bin_dir / script.name
    path.write_text("#!%s\n%s" % (perl, script.read_text()))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def install_agent(bin_dir, perl=None):
    """Write the ``glpi-agent`` stand-in and the ``glpi-remote`` one beside it, as the agent's packages do -> the agent's path."""
    install(bin_dir, perl)
    return install(bin_dir, perl, AGENT_SCRIPT)


def epoch(text):
    """``YYYY-MM-DD HH:MM:SS`` in UTC -> seconds."""
    return calendar.timegm(tuple(int(x) for x in re.split(r"[-: T]", text)) + (0, 0, 0))


def target(target_id="server0", kind="server", location="https://glpi.example.org/", maxdelay=3600, next_run="2026-11-22 11:38:19"):
    result = dict(id=target_id, type=kind, maxdelay=maxdelay, next_run=epoch(next_run), remotes={})
    result["url" if kind == "server" else "path"] = location
    return result


def ssh_host(hostname, users, known_hosts_homes=None):
    host = dict(protocol="ssh", hostname=hostname, users=users)
    if known_hosts_homes is not None:
        host["known_hosts_homes"] = known_hosts_homes
    return host


def winrm_host(hostname, users, deviceid=None):
    host = dict(protocol="winrm", hostname=hostname, users=users, vendor="Microsoft Corporation")
    if deviceid:
        host["deviceid"] = deviceid
    return host


def lab_password():
    """The lab sshd's password, as the transcript's header gives it (the replays type it as recorded)."""
    match = re.search(r"password '([^']+)'", TRANSCRIPT.read_text(encoding="utf-8")) if TRANSCRIPT.exists() else None
    return match.group(1) if match else "lab-password-unknown"


def lab_world(password=None):
    """The transcript's starting point: one ``local0`` target, no remote, the lab's sshd (whose user has
    ``password``; by default the transcript's, for the replays)."""
    return dict(
        targets=[target("local0", "local", "/srv/lab/samples/remote")],
        hosts={"127.0.0.1:2222": ssh_host("vm", {"inventory": dict(password=password or lab_password(), key_homes=[LAB_HOME], uid=1000)},
                                          known_hosts_homes=[LAB_HOME])},
        resolve={"127.0.0.1": "localhost"},
        agent_bin="/srv/lab/src/glpi-agent/bin/glpi-remote",
        agent_lib=LAB_LIB,
        inc=LAB_INC,
    )


def write_world(path, world):
    pathlib.Path(path).write_text(json.dumps(world, indent=1, sort_keys=True))
    return path


def read_world(path):
    return json.loads(pathlib.Path(path).read_text())


def read_log(path):
    path = pathlib.Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def environment(bin_dir, state, log=None, now=None, home=None, extra=None):
    env = dict(os.environ)
    env.update(PATH="%s:%s" % (bin_dir, env.get("PATH", "/usr/bin:/bin")), TZ="UTC", GLPI_REMOTE_STANDIN_STATE=str(state))
    for name in ("GLPI_REMOTE_STANDIN_LOG", "GLPI_REMOTE_STANDIN_NOW", "USERNAME", "PASSWORD"):
        env.pop(name, None)
    if log:
        env["GLPI_REMOTE_STANDIN_LOG"] = str(log)
    if now:
        env["GLPI_REMOTE_STANDIN_NOW"] = now
    if home:
        env["HOME"] = home
    env.update(extra or {})
    return env


_CALL_RE = re.compile(r"^\$ (?P<command>.*)\n--- stdout ---\n(?P<stdout>(?:.*\n)*?)--- stderr ---\n(?P<stderr>(?:.*\n)*?)"
                      r"--- rc=(?P<rc>\d+) wall=[\d.]+s ---$", re.M)


def transcript_calls(text=None):
    """Every recorded call of the transcript: dict(command, stdout, stderr, rc)."""
    if text is None:
        text = TRANSCRIPT.read_text()
    return [dict(command=m.group("command"), stdout=m.group("stdout"), stderr=m.group("stderr"), rc=int(m.group("rc")))
            for m in _CALL_RE.finditer(text)]


_DEVICEID_TIME_RE = re.compile(r"\b(?:Added|Updated) \S+-(\d{4})-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d) remote agent")


def clock_of(call):
    """The clock of a recorded call, read from the time-based deviceid the real tool printed (None when none)."""
    match = _DEVICEID_TIME_RE.search(call["stdout"])
    if not match:
        return None
    return "%s-%s-%sT%s:%s:%s" % match.groups()


_RUN_RE = re.compile(r"^\$ (?P<command>.*)\n--- stdout ---\n(?P<stdout>(?:.*\n)*?)--- stderr ---\n(?P<stderr>(?:.*\n)*?)"
                     r"--- rc=(?P<rc>\d+)(?: wall=[\d.]+s)? ---\n(?:--- files in (?P<dir>\S+) ---\n(?P<files>(?:[^$\n].*\n)*))?", re.M)


def run_calls(text=None):
    """Every recorded call of the remoteinventory transcript: dict(command, stdout, stderr, rc, files_dir, files)."""
    if text is None:
        text = RUNS_TRANSCRIPT.read_text()
    if not text.endswith("\n"):
        text += "\n"
    return [dict(command=m.group("command"), stdout=m.group("stdout"), stderr=m.group("stderr"), rc=int(m.group("rc")),
                 files_dir=m.group("dir"), files=[f for f in (m.group("files") or "").splitlines() if f.strip()])
            for m in _RUN_RE.finditer(text)]
