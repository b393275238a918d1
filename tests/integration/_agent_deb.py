# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in ``glpi-agent`` Debian package for the role tests, built with ``dpkg-deb``.

It installs what the real package installs where the roles look for it: ``/usr/bin/glpi-agent``,
``/usr/bin/glpi-remote`` (the glpi-remote stand-in, tests/stand_ins/glpi-remote), ``/etc/glpi-agent/agent.cfg``
including ``conf.d/``, ``/usr/lib/systemd/system/glpi-agent.service`` and ``/var/lib/glpi-agent``.

Its ``glpi-agent`` is trivial: ``--version`` prints ``GLPI Agent (<version>)``; any other run logs its argv
(one JSON line to ``$GLPI_AGENT_STANDIN_LOG``) and, as the real agent does on its first run, creates the targets
of the ``server`` and ``local`` settings it reads from ``agent.cfg`` and ``conf.d/*.cfg`` in the glpi-remote
stand-in's world (``$GLPI_REMOTE_STANDIN_STATE``): ``server0``, ``server1``... and ``local0``...
"""

from __future__ import annotations

import hashlib
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

GLPI_AGENT = r'''#!/usr/bin/python3
# Trivial glpi-agent stand-in of the glpiops.glpi role tests.
import glob, json, os, re, sys, time

VERSION = "@VERSION@"
if "--version" in sys.argv[1:]:
    print("GLPI Agent (%s)" % VERSION)
    sys.exit(0)
log = os.environ.get("GLPI_AGENT_STANDIN_LOG")
if log:
    with open(log, "a") as handle:
        handle.write(json.dumps(dict(argv=sys.argv)) + "\n")
settings = {}
for path in ["/etc/glpi-agent/agent.cfg"] + sorted(glob.glob("/etc/glpi-agent/conf.d/*.cfg")):
    for line in open(path):
        match = re.match(r"^\s*([\w-]+)\s*=\s*(.*?)\s*$", line)
        if match:
            value = match.group(2)
            if value[:1] in "'\"" and value.endswith(value[:1]) and len(value) > 1:
                value = value[1:-1]
            settings[match.group(1)] = value
state = os.environ.get("GLPI_REMOTE_STANDIN_STATE") or "/var/lib/glpi-agent/glpi-remote-standin.json"
world = json.load(open(state)) if os.path.exists(state) else dict(targets=[], hosts={})
targets = world.setdefault("targets", [])
for kind in ("server", "local"):
    for number, location in enumerate(x for x in settings.get(kind, "").split(",") if x):
        target_id = "%s%d" % (kind, number)
        if not any(t["id"] == target_id for t in targets):
            target = dict(id=target_id, type=kind, maxdelay=3600, next_run=int(time.time()) + 3600, remotes={})
            target["url" if kind == "server" else "path"] = location
            targets.append(target)
with open(state, "w") as handle:
    json.dump(world, handle, indent=1, sort_keys=True)
print("[info] stand-in glpi-agent ran with targets %s" % ", ".join(t["id"] for t in targets))
'''

AGENT_CFG = 'include "conf.d/"\n'

SERVICE = """[Unit]
Description=GLPI agent (stand-in)
After=network.target

[Service]
ExecStart=/usr/bin/glpi-agent --daemon --no-fork $OPTIONS
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
"""


def build(directory, version="1.11"):
    """Build ``glpi-agent_<version>-1_all.deb`` (the upstream asset name) in ``directory`` -> (path, "sha256:<hex>")."""
    directory = pathlib.Path(directory)
    root = directory / "deb-root"
    if root.exists():
        shutil.rmtree(root)
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: glpi-agent\nVersion: %s-1\nArchitecture: all\nMaintainer: glpiops tests <tests@example.invalid>\n"
        "Depends: perl, python3\nDescription: GLPI Agent stand-in for the glpiops.glpi role tests\n" % version)
    (root / "DEBIAN" / "conffiles").write_text("/etc/glpi-agent/agent.cfg\n")
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    agent = bin_dir / "glpi-agent"
    agent.write_text(GLPI_AGENT.replace("@VERSION@", version))
    agent.chmod(0o755)
    standin.install(bin_dir, perl="/usr/bin/perl").chmod(0o755)
    (root / "etc" / "glpi-agent" / "conf.d").mkdir(parents=True)
    (root / "etc" / "glpi-agent" / "agent.cfg").write_text(AGENT_CFG)
    (root / "usr" / "lib" / "systemd" / "system").mkdir(parents=True)
    (root / "usr" / "lib" / "systemd" / "system" / "glpi-agent.service").write_text(SERVICE)
    (root / "var" / "lib" / "glpi-agent").mkdir(parents=True)
    for path in root.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
        elif path.parent.name != "bin":
            path.chmod(0o644)
    deb = directory / ("glpi-agent_%s-1_all.deb" % version)
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)], check=True, capture_output=True)
    return deb, "sha256:" + hashlib.sha256(deb.read_bytes()).hexdigest()


def purge():
    """Remove the package and what the roles wrote around it."""
    subprocess.run(["dpkg", "--purge", "glpi-agent"], check=False, capture_output=True)
