# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark the inventory plugin's listing of 10,000 computers: legacy API vs High-Level API v2, by page size.

Run by ``make bench``.  The plugin's own listing code (``_backends.list_computers``, the code ``ansible-inventory``
runs) reads ``--computers`` computers from the stand-ins of ``tests/glpi_api_double`` (the legacy API and GLPI 11's
v2, on 127.0.0.1), for every API and page size, ``--runs`` times, interleaved.  Reported: the requests each listing
made (counted by the stand-in) and the median wall time, with the ratio to the baseline measured in the same run: the
same API with the smallest page size.  The stand-ins compute a search once and cut its later pages from it (about
a millisecond a page, whatever the total), so the times are mostly the client's and the loopback's share; a real
GLPI adds its SQL time per request, which the request count predicts.

The report goes to stdout and to ``.cache/bench/inventory-plugin.md`` (not a tracked file).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".cache" / "src"))

# pylint: disable=wrong-import-position
from ansible_collections.glpiops.glpi.plugins.plugin_utils.glpi_api._backends import list_computers  # noqa: E402
from tests.glpi_api_double import LegacyAPIDouble, V2APIDouble, computers  # noqa: E402

TOKEN, CLIENT, SECRET, PASSWORD = "bench-token-" + "b" * 28, "bench-client", "bench-secret-" + "s" * 27, "bench-pass"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--computers", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS") or 3))
    parser.add_argument("--page-sizes", default="100,500,1000")
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench" / "inventory-plugin.md"))
    return parser.parse_args(argv)


def measure(double, settings):
    before = len(double.requests_seen())
    started = time.monotonic()
    listing = list_computers(settings)
    elapsed = time.monotonic() - started
    return elapsed, len(double.requests_seen()) - before, len(listing.computers)


def main(argv=None):
    args = parse_args(argv)
    sizes = sorted(int(size) for size in args.page_sizes.split(","))
    lab = computers(args.computers)
    results = {}
    with LegacyAPIDouble(computers=lab, user_tokens={TOKEN: "glpi"}, max_range=max(sizes)) as legacy, \
            V2APIDouble(computers=lab, clients={CLIENT: SECRET}, logins={"api": PASSWORD}) as v2:
        apis = {"legacy": (legacy, {"url": legacy.base_url, "api": "legacy", "user_token": TOKEN}),
                "v2": (v2, {"url": v2.base_url, "api": "v2", "client_id": CLIENT, "client_secret": SECRET,
                            "username": "api", "password": PASSWORD})}
        for _run in range(args.runs):
            for api, (double, settings) in apis.items():
                for size in sizes:
                    elapsed, requests, listed = measure(double, dict(settings, timeout=60, page_size=size))
                    if listed != args.computers:
                        raise SystemExit("%s listed %d computers of %d" % (api, listed, args.computers))
                    results.setdefault((api, size), []).append((elapsed, requests))
    lines = ["# Inventory plugin: listing %d computers" % args.computers, "",
             "`make bench-inventory-plugin`: the plugin's listing against the stand-ins on 127.0.0.1, %d runs, medians; "
             "ratio to the same API with %d computers per page, measured in the same run." % (args.runs, sizes[0]), "",
             "| API | page size | requests | median time (s) | time vs page %d |" % sizes[0], "|---|---|---|---|---|"]
    for (api, size), samples in sorted(results.items()):
        median = statistics.median(sample[0] for sample in samples)
        baseline = statistics.median(sample[0] for sample in results[(api, sizes[0])])
        requests = sorted({sample[1] for sample in samples})
        counts = "/".join(str(count) for count in requests)
        ratio = median / baseline if baseline else float("nan")
        lines.append("| %s | %d | %s | %.3f | %.2f |" % (api, size, counts, median, ratio))
    report = "\n".join(lines) + "\n"
    print(report)
    output = pathlib.Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)


if __name__ == "__main__":
    main()
