# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark change-only (partial) inventories: bytes sent and GLPI's server time, full vs partial, 1 and N hosts.

Run by ``make bench``.  ``ansible-playbook`` runs ``glpiops.glpi.glpi_inventory`` of this machine for 1 and ``--hosts``
inventory hosts (``connection: local``, one deviceid each, one spool), against the GLPI double.  Each measurement is
the second of two runs of an unchanged machine: with ``full_inventory_postpone: 0`` (``full``: every inventory whole,
the baseline) and with the default (``partial``).  The two settings alternate, ``--runs`` times each, in one run of
this script; medians are reported, with the ratio partial / full.

Measured: the bytes of the inventory requests GLPI accepted (as sent, compressed), and GLPI's server time.  The
server time is the double's model of GLPI's import cost, fitted on a real GLPI 10.0.12 (2 cores): 1.3-2.7 s for a
full 167 kB document with 853 packages, 0.055-0.086 s for a partial with hardware and bios only, 1.25-1.6 s for a
partial with softwares and operatingsystem (FACTS.md): ``0.07 s + 1.9 s per 167 kB`` of uncompressed document,
times ``--time-scale`` (default 0.1, to keep the benchmark short; ratios do not depend on it).  For a real GLPI,
``--save-documents DIR`` keeps the full and the partial document of the first host as sent, to replay against it
with ``curl`` (the method is in docs/partial-inventory.md).

The report goes to stdout and to ``.cache/bench/partial.md`` (not a tracked file).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.glpi_double import GLPIDouble  # noqa: E402  pylint: disable=wrong-import-position

SETTINGS = ("full", "partial")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", type=int, default=int(os.environ.get("BENCH_HOSTS") or 20))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_PARTIAL_RUNS") or 3))
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench" / "partial.md"))
    parser.add_argument("--save-documents", help="directory for full.json and partial.json (the first host's, as sent)")
    return parser.parse_args(argv)


def import_model(scale):
    """GLPI 10.0.12's import time as a function of the uncompressed document's bytes (see the module docstring)."""
    return lambda size: scale * (0.07 + 1.9 * size / 167000.0)


def write_inventory(path, hosts):
    lines = ["[targets]"]
    for index in range(hosts):
        lines.append("bench%02d ansible_connection=local ansible_python_interpreter=%s glpi_deviceid=bench%02d-2026-12-06-00-00-00"
                     % (index, sys.executable, index))
    path.write_text("\n".join(lines) + "\n")


def play(workdir, inventory, server, postpone):
    playbook = workdir / "play.yml"
    playbook.write_text(json.dumps([{
        "hosts": "targets", "gather_facts": False,
        "tasks": [{"glpiops.glpi.glpi_inventory": {
            "server": server, "deviceid": "{{ glpi_deviceid }}", "spool_path": str(workdir / "spool"),
            "deviceid_state_path": str(workdir / "deviceids.json"), "full_inventory_postpone": postpone}}],
    }]))
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORKS="10", ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"))
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", str(inventory), str(playbook)], check=False, env=env,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit("ansible-playbook failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    return time.monotonic() - started


def measure(glpi, hosts, setting, workdir):
    """The second of two runs: (bytes accepted, server seconds, wall seconds, partial documents)."""
    inventory = workdir / "hosts.ini"
    write_inventory(inventory, hosts)
    postpone = 0 if setting == "full" else 14
    play(workdir, inventory, glpi.url, postpone)
    before = len(glpi.requests_seen())
    wall = play(workdir, inventory, glpi.url, postpone)
    accepted = [exchange for exchange in glpi.requests_seen()[before:] if exchange.accepted]
    if len(accepted) != hosts:
        raise SystemExit("%d documents accepted for %d hosts" % (len(accepted), hosts))
    return (sum(len(exchange.raw_body) for exchange in accepted), sum(exchange.import_seconds for exchange in accepted), wall,
            sum(1 for exchange in accepted if isinstance(exchange.document, dict) and exchange.document.get("partial")))


def save_documents(glpi, directory):
    """The last full and the last partial document GLPI accepted, uncompressed, as ``full.json``/``partial.json``."""
    os.makedirs(directory, exist_ok=True)
    accepted = [exchange for exchange in glpi.requests_seen() if exchange.accepted and isinstance(exchange.document, dict)]
    for name, partial in (("full.json", False), ("partial.json", True)):
        found = [exchange for exchange in accepted if bool(exchange.document.get("partial")) == partial]
        if found:
            pathlib.Path(directory, name).write_bytes(found[-1].body)


def main(argv=None):
    args = parse_args(argv)
    rows = []
    with GLPIDouble(glpi_version=10) as glpi:
        glpi.set_import_time(import_model(args.time_scale), serial=True)
        for hosts in sorted({1, args.hosts}):
            samples = {setting: [] for setting in SETTINGS}
            for run in range(args.runs):
                for setting in (SETTINGS if run % 2 == 0 else SETTINGS[::-1]):
                    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-partial-"))
                    try:
                        samples[setting].append(measure(glpi, hosts, setting, workdir))
                    finally:
                        shutil.rmtree(workdir, ignore_errors=True)
            if args.save_documents and hosts == 1:
                save_documents(glpi, args.save_documents)
            medians = {setting: [statistics.median(sample[i] for sample in samples[setting]) for i in range(4)] for setting in SETTINGS}
            rows.append((hosts, medians))
    lines = ["# Change-only inventories: full vs partial", "",
             "Second run of an unchanged machine, GLPI double (GLPI 10.0.12's import cost model, time scale %s), "
             "%d runs per setting, medians; ratio = partial / full." % (args.time_scale, args.runs), "",
             "| hosts | setting | bytes sent | server time (s) | wall time (s) | partial documents |",
             "|---:|---|---:|---:|---:|---:|"]
    for hosts, medians in rows:
        for setting in SETTINGS:
            sent, server, wall, partials = medians[setting]
            lines.append("| %d | %s | %d | %.3f | %.1f | %d |" % (hosts, setting, sent, server, wall, partials))
        full, partial = medians["full"], medians["partial"]
        lines.append("| %d | **ratio** | **%.3f** | **%.3f** | %.2f | |" % (
            hosts, partial[0] / full[0], partial[1] / full[1] if full[1] else 0.0, partial[2] / full[2]))
    report = "\n".join(lines) + "\n"
    print(report)
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    pathlib.Path(args.output).write_text(report)


if __name__ == "__main__":
    main()
