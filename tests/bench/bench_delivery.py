# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark delivery under load: N concurrent ``ansible-playbook`` runs against a GLPI that imports one at a time.

Run by ``make bench``.  The GLPI double (``tests/glpi_double``) imports serially, ``--import-time`` seconds per
document, as a real GLPI on 2 cores does with large documents (1.3-2.7 s each, one at a time).  N processes start
together, each ``glpiops.glpi.glpi_inventory_submit`` of one distinct document of about 200 kB, all sharing one spool
directory, as N scheduled jobs of one controller would.  Two settings are measured in the same run, alternately:

- ``defaults``: the collection's defaults (``import_timeout`` 120 s, ``max_concurrent_deliveries`` 4);
- ``baseline``: an answer time-out of 30 s and no concurrency cap (``import_timeout: 30``,
  ``max_concurrent_deliveries: N``), the settings of the release that re-sent documents on time-outs.

Reported per setting (medians over the runs): POSTs per document (goal 1.0), documents GLPI imported but reported
as not delivered (*false spooled*, goal 0), documents not imported at all, and the wall time of the whole burst,
with the ratio of the defaults to the baseline.  The report goes to stdout and to ``.cache/bench/delivery.md``
(not a tracked file).
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

SETTINGS = ("defaults", "baseline")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--documents", type=int, default=int(os.environ.get("BENCH_DOCUMENTS") or 20))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_DELIVERY_RUNS") or 3))
    parser.add_argument("--import-time", type=float, default=float(os.environ.get("BENCH_IMPORT_TIME") or 2.0))
    parser.add_argument("--size", type=int, default=200 * 1024, help="bytes per document")
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench" / "delivery.md"))
    return parser.parse_args(argv)


def make_document(index, size):
    """A schema-shaped inventory of about ``size`` bytes (software entries), with its own deviceid."""
    deviceid = "bench%02d-2026-12-06-00-00-00" % index
    softwares = []
    document = {"deviceid": deviceid, "action": "inventory", "itemtype": "Computer",
                "content": {"versionclient": "glpiops.glpi-bench", "hardware": {"name": "bench%02d" % index},
                            "softwares": softwares}}
    while len(json.dumps(document)) < size:
        softwares.append({"name": "package-%05d" % len(softwares), "version": "1.%d.%d" % (index, len(softwares)),
                          "publisher": "Bench", "arch": "amd64", "comments": "x" * 120})
    return document


def write_run(work, documents, settings_name, url, count):
    """Files, playbook and inventory for one burst; returns the list of commands."""
    spool = work / "spool"
    commands = []
    options = {"server": [url], "spool_path": str(spool)}
    if settings_name == "baseline":
        options.update(import_timeout=30, max_concurrent_deliveries=count)
    for index, document in enumerate(documents):
        path = work / ("doc%02d.json" % index)
        path.write_text(json.dumps(document))
        task = dict(options, path=[str(path)])
        playbook = [{"name": "burst", "hosts": "localhost", "gather_facts": False,
                     "tasks": [{"name": "submit", "register": "outcome", "ignore_errors": True,
                                "glpiops.glpi.glpi_inventory_submit": task},
                               {"name": "keep", "ansible.builtin.copy": {"content": "{{ outcome | to_json }}",
                                                                         "dest": str(work / ("result%02d.json" % index))}}]}]
        (work / ("play%02d.yml" % index)).write_text(json.dumps(playbook))
        commands.append([shutil.which("ansible-playbook") or "ansible-playbook", "-i", str(work / "hosts.ini"),
                         str(work / ("play%02d.yml" % index))])
    (work / "hosts.ini").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    return commands


def burst(documents, settings_name, import_time):
    work = pathlib.Path(tempfile.mkdtemp(prefix="glpiops-bench-delivery-"))
    try:
        with GLPIDouble(glpi_version=10, validate=False) as glpi:
            glpi.set_import_time(import_time, serial=True)
            commands = write_run(work, documents, settings_name, glpi.url, len(documents))
            env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCALHOST_WARNING="false",
                       ANSIBLE_LOCAL_TEMP=str(work / "tmp"))
            started = time.monotonic()
            processes = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for command in commands]
            for process in processes:
                process.wait(timeout=1800)
            wall = time.monotonic() - started
            imported = glpi.accepted_counts()
            posts = len(glpi.inventory_requests())
        reported = {}
        for index, document in enumerate(documents):
            result = json.loads((work / ("result%02d.json" % index)).read_text())
            reported[document["deviceid"]] = bool(result.get("delivered"))
        false_spooled = sum(1 for deviceid, delivered in reported.items() if not delivered and imported.get(deviceid))
        lost = sum(1 for deviceid in reported if not imported.get(deviceid))
        return {"wall": wall, "posts_per_document": posts / len(documents), "false_spooled": false_spooled, "not_imported": lost,
                "duplicates": sum(count - 1 for count in imported.values() if count > 1)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)
    documents = [make_document(index, args.size) for index in range(args.documents)]
    measured = {name: [] for name in SETTINGS}
    for run in range(args.runs):
        for name in SETTINGS if run % 2 == 0 else tuple(reversed(SETTINGS)):
            outcome = burst(documents, name, args.import_time)
            measured[name].append(outcome)
            print("run %d %-8s wall %6.1f s, POSTs/document %.2f, false spooled %d, not imported %d, duplicates %d"
                  % (run + 1, name, outcome["wall"], outcome["posts_per_document"], outcome["false_spooled"],
                     outcome["not_imported"], outcome["duplicates"]), flush=True)
    median = {name: {key: statistics.median(outcome[key] for outcome in measured[name]) for key in measured[name][0]} for name in SETTINGS}
    lines = [
        "# Delivery under load (make bench)",
        "",
        "%d documents of about %d kB, %d concurrent `ansible-playbook` runs of `glpi_inventory_submit`, one shared spool; "
        "the GLPI double imports one document at a time, %.1f s each. Medians of %d runs per setting, measured alternately."
        % (args.documents, args.size // 1024, args.documents, args.import_time, args.runs),
        "",
        "| setting | wall (s) | POSTs per document | false spooled | not imported | duplicate imports |",
        "|---|---|---|---|---|---|",
    ]
    for name in SETTINGS:
        value = median[name]
        row = (name, value["wall"], value["posts_per_document"], value["false_spooled"], value["not_imported"], value["duplicates"])
        lines.append("| %s | %.1f | %.2f | %g | %g | %g |" % row)
    base = median["baseline"]["wall"]
    lines += ["", "wall time, defaults / baseline: %.2f" % (median["defaults"]["wall"] / base if base else float("nan")), ""]
    report = "\n".join(lines)
    print(report)
    output = pathlib.Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
