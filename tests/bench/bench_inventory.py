# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark glpiops.glpi.glpi_inventory against ansible.builtin.setup over real sshd servers.

Run by ``make bench`` (root: it starts private sshd servers for the throwaway
user of the integration tests).  N OpenSSH servers listen on 127.0.0.1, one port
each; every one is an Ansible host with its own ``deviceid``, so the N targets
are this one machine seen N times.  Two one-task playbooks (``gather_facts:
false``) run alternately R times, for 1 host and for N hosts, with the same
forks, connection (``ssh``), pipelining and Ansible's default ControlPersist.

A small callback plugin, written next to the playbooks, records when each host's
task was queued and when its result came back, and the size of what came back.
The Markdown report goes to stdout and to ``.cache/bench/inventory.md`` (not a tracked file);
``make bench-publish`` copies it into ``docs/benchmarks.md``, a deliberate step of its own.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from _sshd import SSHServer, ensure_openssh, ensure_user, process_running  # noqa: E402  pylint: disable=import-error,wrong-import-position

USER = "glpiops-it"
TARGET_PYTHON = "/usr/bin/python3"
CALLBACK_NAME = "glpiops_bench_timing"
TIMING_ENV = "GLPIOPS_BENCH_TIMING_FILE"
PLAYBOOKS = ("inventory", "setup")

CALLBACK_SOURCE = '''\
# Written by tests/bench/bench_inventory.py of glpiops.glpi for one benchmark run.
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: %(name)s
type: aggregate
short_description: per-host task timing for the glpiops.glpi benchmark
description: Records when each host's task is queued and when its result arrives, and the result size.
"""


def _payload(result):
    try:
        return result.result  # ansible-core 2.19+
    except AttributeError:
        return result._result


def _host(result):
    try:
        return result.host  # ansible-core 2.19+
    except AttributeError:
        return result._host


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "%(name)s"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ["%(env)s"]
        self._tasks = []
        self._hosts = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._hosts = {}
        self._tasks.append(dict(name=task.get_name(), start=time.monotonic(), hosts=self._hosts))

    def v2_runner_on_start(self, host, task):
        if self._hosts is not None:
            self._hosts.setdefault(host.get_name(), {})["start"] = time.monotonic()

    def _done(self, result, status):
        end = time.monotonic()
        payload = _payload(result)
        entry = self._hosts.setdefault(_host(result).get_name(), {})
        facts = payload.get("ansible_facts")
        entry.update(
            end=end,
            status=status,
            result_bytes=len(json.dumps(payload, default=str)),
            facts_bytes=len(json.dumps(facts, default=str)) if facts else None,
            path=payload.get("path"),
            msg=str(payload.get("msg", ""))[:2000] or None,
        )

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._done(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        with open(self._path, "w") as handle:
            json.dump(dict(tasks=self._tasks), handle)
''' % dict(name=CALLBACK_NAME, env=TIMING_ENV)

PLAYBOOK_SOURCES = {
    "inventory": """\
- name: Benchmark glpiops.glpi.glpi_inventory
  hosts: bench
  gather_facts: false
  tasks:
    - name: GLPI inventory to a local file
      glpiops.glpi.glpi_inventory:
        local_path: "{{ glpi_bench_local_path }}"
        deviceid: "{{ glpi_bench_deviceid }}"
""",
    "setup": """\
- name: Benchmark ansible.builtin.setup
  hosts: bench
  gather_facts: false
  tasks:
    - name: Gather facts
      ansible.builtin.setup:
""",
}


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


# --- set-up --------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", type=int, default=int(os.environ.get("BENCH_HOSTS") or 20),
                        help="number of sshd targets of the large case (default: $BENCH_HOSTS or 20); 1 is always run too")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS") or 5),
                        help="measured runs of each playbook per host count (default: $BENCH_RUNS or 5)")
    parser.add_argument("--forks", type=int, default=int(os.environ.get("BENCH_FORKS") or 0),
                        help="Ansible forks, the same for every run (default: $BENCH_FORKS, else max(20, hosts))")
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("BENCH_TIMEOUT") or 900),
                        help="time limit in seconds of each ansible-playbook run (default: $BENCH_TIMEOUT or 900)")
    parser.add_argument("--cold", action="store_true",
                        help="a new ControlPath directory for every run (ssh handshakes measured); default: connections "
                             "kept by ControlPersist across runs, after one unmeasured warm-up run of each playbook")
    parser.add_argument("--output", default=os.environ.get("BENCH_OUTPUT", str(ROOT / ".cache" / "bench" / "inventory.md")),
                        help="Markdown report file, overwritten (default: $BENCH_OUTPUT or .cache/bench/inventory.md; empty: stdout only);"
                             " make bench-publish copies it into docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.hosts < 1 or args.runs < 1 or args.forks < 0 or args.timeout < 1:
        parser.error("--hosts, --runs and --timeout must be at least 1, --forks at least 0")
    args.forks = args.forks or max(20, args.hosts)
    return args


def host_name(index):
    return "bench-%02d" % index


def host_vars(server, index, local_path):
    return {
        "ansible_host": server.host,
        "ansible_port": server.port,
        "ansible_user": server.user,
        "ansible_connection": "ssh",
        "ansible_ssh_private_key_file": server.key_path,
        "ansible_ssh_common_args": "-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes" % server.known_hosts_path,
        "ansible_python_interpreter": TARGET_PYTHON,
        "glpi_bench_deviceid": "glpiops-bench-%02d-2000-01-01-00-00-00" % index,
        "glpi_bench_local_path": str(local_path),
    }


def write_inventory(path, servers, local_path):
    """A YAML inventory (written as JSON, which YAML reads) with group ``bench``."""
    hosts = {host_name(i): host_vars(server, i, local_path) for i, server in enumerate(servers, 1)}
    path.write_text(json.dumps({"bench": {"hosts": hosts}}, indent=1) + "\n")
    return path


def write_workdir(work):
    plugins = work / "callback_plugins"
    plugins.mkdir()
    (plugins / ("%s.py" % CALLBACK_NAME)).write_text(CALLBACK_SOURCE)
    for name, text in PLAYBOOK_SOURCES.items():
        (work / ("%s.yml" % name)).write_text(text)


def ansible_playbook():
    found = shutil.which("ansible-playbook")
    sibling = pathlib.Path(sys.executable).parent / "ansible-playbook"
    if sibling.exists():
        return str(sibling)
    if found:
        return found
    raise BenchError("ansible-playbook not found next to %s nor on PATH" % sys.executable)


def base_env(work, forks):
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(
        ANSIBLE_PIPELINING="true",
        ANSIBLE_FORKS=str(forks),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_CALLBACK_PLUGINS=str(work / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED=CALLBACK_NAME,
        ANSIBLE_LOCAL_TEMP=str(work / "ansible-local"),
    )
    for name in ("ANSIBLE_SSH_ARGS", "ANSIBLE_CONFIG", "ANSIBLE_STRATEGY"):
        env.pop(name, None)  # Ansible's defaults (ControlMaster=auto, ControlPersist=60s; linear), no ansible.cfg
    return env


# --- one ansible-playbook run ---------------------------------------------------------------


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tail(text, lines=60):
    return "\n".join(text.splitlines()[-lines:])


def run_playbook(args, work, env, playbook, inventory, hosts, control_dir, label):
    timing_path = work / ("timing-%s.json" % label)
    run_env = dict(env, ANSIBLE_SSH_CONTROL_PATH_DIR=str(control_dir))
    run_env[TIMING_ENV] = str(timing_path)
    cmd = [ansible_playbook(), "-i", str(inventory), str(work / ("%s.yml" % playbook))]
    cpu_before = _children_cpu()
    started = time.monotonic()
    # A session of its own: a run over its time limit is ended with all its processes.
    proc = subprocess.Popen(cmd, cwd=str(work), env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        output, _unused_err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        output, _unused_err = proc.communicate()
        raise BenchError("%s: ansible-playbook %s did not finish within %d s (--timeout / BENCH_TIMEOUT); its output:\n%s"
                         % (label, playbook, args.timeout, _tail(output or "")))
    wall = time.monotonic() - started
    cpu = _children_cpu() - cpu_before

    timing = json.loads(timing_path.read_text()) if timing_path.exists() else None
    problems = []
    per_host = {}
    if proc.returncode != 0:
        problems.append("ansible-playbook exited with %d" % proc.returncode)
    if not timing or len(timing["tasks"]) != 1:
        problems.append("the timing callback recorded %s" % ("nothing" if not timing else "%d tasks, not 1" % len(timing["tasks"])))
    else:
        seen = timing["tasks"][0]["hosts"]
        for name in hosts:
            entry = seen.get(name)
            if not entry or entry.get("status") != "ok" or "start" not in entry:
                problems.append("%s: %s%s" % (name, (entry or {}).get("status", "no result"),
                                              ": %s" % entry["msg"] if entry and entry.get("msg") else ""))
                continue
            per_host[name] = dict(wall=entry["end"] - entry["start"], size=_result_size(playbook, entry))
        extra = sorted(set(seen) - set(hosts))
        if extra:
            problems.append("unexpected hosts in the play: %s" % ", ".join(extra))
    if problems:
        raise BenchError("%s: ansible-playbook %s failed:\n  %s\nits output:\n%s"
                         % (label, playbook, "\n  ".join(problems[:20]), _tail(output)))
    return dict(wall=wall, cpu=cpu, hosts=per_host)


def _result_size(playbook, entry):
    """Bytes a host produced: the written document (inventory), the facts JSON (setup)."""
    if playbook == "inventory":
        if not entry.get("path") or not os.path.exists(entry["path"]):
            raise BenchError("glpi_inventory reported no written file (path %r)" % entry.get("path"))
        return os.path.getsize(entry["path"])
    return entry.get("facts_bytes") or entry["result_bytes"]


def _end_group(proc):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


# --- the benchmark ---------------------------------------------------------------------------


def bench_case(args, work, env, servers, count, log):
    """R alternating runs of both playbooks on the first ``count`` servers."""
    case = work / ("case-%d" % count)
    case.mkdir()
    local_path = case / "glpi-inventory"
    inventory = write_inventory(case / "hosts.yml", servers[:count], local_path)
    hosts = [host_name(i) for i in range(1, count + 1)]
    shared_control = case / "cp"
    results = {name: [] for name in PLAYBOOKS}

    def control_dir(label):
        return case / ("cp-%s" % label) if args.cold else shared_control

    if not args.cold:
        for name in PLAYBOOKS:
            label = "n%d-warmup-%s" % (count, name)
            run = run_playbook(args, work, env, name, inventory, hosts, control_dir(label), label)
            log("  warm-up %-9s  wall %6.2f s" % (name, run["wall"]))
    for index in range(1, args.runs + 1):
        for name in PLAYBOOKS:
            label = "n%d-run%d-%s" % (count, index, name)
            run = run_playbook(args, work, env, name, inventory, hosts, control_dir(label), label)
            results[name].append(run)
            log("  run %d/%d %-9s  wall %6.2f s  per-host median %6.2f s  controller CPU %6.2f s"
                % (index, args.runs, name, run["wall"], statistics.median(h["wall"] for h in run["hosts"].values()), run["cpu"]))
    return results


def summarise(results):
    """Medians over runs of: per-run median per-host wall, total wall, controller CPU, per-host bytes."""
    summary = {}
    for name, runs in results.items():
        per_host = [statistics.median(h["wall"] for h in run["hosts"].values()) for run in runs]
        slowest = [max(h["wall"] for h in run["hosts"].values()) for run in runs]
        walls = [run["wall"] for run in runs]
        summary[name] = dict(
            per_host=statistics.median(per_host),
            per_host_runs=per_host,
            slowest=statistics.median(slowest),
            wall=statistics.median(walls),
            wall_runs=walls,
            cpu=statistics.median(run["cpu"] for run in runs),
            size=statistics.median(h["size"] for run in runs for h in run["hosts"].values()),
        )
    return summary


def spread(values):
    """(max - min) / median, in percent: how much the runs disagree."""
    middle = statistics.median(values)
    return 100.0 * (max(values) - min(values)) / middle if middle else 0.0


# --- report --------------------------------------------------------------------------------------


def _command(argv):
    try:
        return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_facts():
    cpu_model = ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = "%.1f GiB" % (int(line.split()[1]) / 1024.0 / 1024.0)
                break
    except (OSError, ValueError, IndexError):
        pass
    os_name = ""
    try:
        for line in pathlib.Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = (_command([ansible_playbook(), "--version"]).splitlines() or ["unknown"])[0]
    return dict(
        cores=os.cpu_count(),
        affinity=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        cpu_model=cpu_model or "unknown",
        memory=memory or "unknown",
        os=os_name or platform.system(),
        kernel=platform.release(),
        ansible=ansible_version,
        python=platform.python_version(),
        target_python=_command([TARGET_PYTHON, "-c", "import platform; print(platform.python_version())"]) or "unknown",
        openssh=_ssh_version(),
    )


def _ssh_version():
    try:
        proc = subprocess.run(["ssh", "-V"], check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (proc.stderr or proc.stdout).strip() or "unknown"


def _fmt_size(size):
    if size >= 1024:
        return "%.1f KiB" % (size / 1024.0)
    return "%d B" % size


def render(args, facts, cases, started_at, elapsed, load_before, load_after):
    lines = [
        "# Benchmark: `glpiops.glpi.glpi_inventory` vs `ansible.builtin.setup`",
        "",
        "Generated by `tests/bench/bench_inventory.py`; reproduce with `make bench` (as root: it starts private sshd",
        "servers for the throwaway user `%s`), or `make bench BENCH_HOSTS=%d BENCH_RUNS=%d` for this run's sizes." % (USER, args.hosts, args.runs),
        "Each run writes `.cache/bench/inventory.md`; `make bench-publish` copies the last one here, a deliberate step.",
        "The numbers below are from one real run on the machine described.",
        "",
        "## Machine and run",
        "",
        "- Date: %s (bench took %.0f s)" % (started_at.strftime("%Y-%m-%d %H:%M UTC"), elapsed),
        "- CPU: %s, %s cores (%s usable by this process), memory %s"
        % (facts["cpu_model"], facts["cores"], facts["affinity"] if facts["affinity"] is not None else "?", facts["memory"]),
        "- OS: %s, kernel %s, %s" % (facts["os"], facts["kernel"], facts["openssh"]),
        "- ansible-core %s on Python %s (controller); target Python %s (`%s`)"
        % (facts["ansible"], facts["python"], facts["target_python"], TARGET_PYTHON),
        "- Targets: %d OpenSSH server%s on 127.0.0.1 (one port each, same user, own `deviceid` per host): the controller,"
        % (args.hosts, "" if args.hosts == 1 else "s"),
        "  sshd and every target's Python share this machine's cores, so N hosts means N collectors competing for them.",
        "- Both plays: `gather_facts: false`, one task, connection `ssh`, pipelining on, forks %d, strategy linear, Ansible's"
        % args.forks,
        "  default ssh arguments (ControlMaster=auto, ControlPersist=60s), `ansible_python_interpreter=%s`." % TARGET_PYTHON,
    ]
    if args.cold:
        lines.append("- Connections: a new ControlPath directory for every run, so each run pays its ssh handshakes (`--cold`).")
    else:
        lines += ["- Connections: kept open by ControlPersist across runs, after one unmeasured warm-up run of each playbook per",
                  "  host count: measured runs do not include ssh handshakes (`--cold` measures them)."]
    lines += [
        "- %d measured run%s of each playbook per host count, alternating inventory, setup, inventory, ..."
        % (args.runs, "" if args.runs == 1 else "s"),
        "- Load average (1, 5, 15 min): %s before, %s after." % (_load(load_before), _load(load_after)),
        "",
        "## Results",
        "",
        "| hosts | task | per-host wall, median | slowest host, median | total wall, median | controller CPU, median | bytes per host |"
        " per-host ratio inventory / setup |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for count, summary in cases:
        inv, setup = summary["inventory"], summary["setup"]
        ratio = inv["per_host"] / setup["per_host"] if setup["per_host"] else float("nan")
        for name, label in (("inventory", "`glpi_inventory`"), ("setup", "`setup`")):
            row = summary[name]
            lines.append("| %d | %s | %.2f s | %.2f s | %.2f s | %.2f s | %s | %s |" % (
                count, label, row["per_host"], row["slowest"], row["wall"], row["cpu"], _fmt_size(row["size"]),
                "**%.2f**" % ratio if name == "inventory" else ""))
    lines += [
        "",
        "- *per-host wall*: from the moment Ansible queues a host's task to the moment its result is back on the",
        "  controller (recorded by a callback plugin); median over the hosts of a run, then median over the runs.",
        "- *slowest host*: the longest per-host wall of a run, median over the runs.",
        "- *total wall*: the whole `ansible-playbook` process, start-up and inventory parsing included.",
        "- *controller CPU*: user + system CPU seconds of `ansible-playbook` and its workers (`getrusage(RUSAGE_CHILDREN)`);",
        "  the targets' Python and sshd are not in it.",
        "- *bytes per host*: `glpi_inventory`: size of the written `<deviceid>.json`; `setup`: size of the returned",
        "  `ansible_facts` as JSON. Median over hosts and runs.",
        "",
        "## Noise",
        "",
        "Spread of the runs, (max - min) / median, and every run's value (seconds):",
        "",
        "| hosts | task | per-host wall spread | per-host wall of each run | total wall spread | total wall of each run |",
        "|---:|---|---:|---|---:|---|",
    ]
    for count, summary in cases:
        for name in PLAYBOOKS:
            row = summary[name]
            lines.append("| %d | %s | %.0f %% | %s | %.0f %% | %s |" % (
                count, name, spread(row["per_host_runs"]), " ".join("%.2f" % v for v in row["per_host_runs"]),
                spread(row["wall_runs"]), " ".join("%.2f" % v for v in row["wall_runs"])))
    lines += [
        "",
        "A shared or virtual machine adds noise; compare ratios from the same run rather than absolute times across",
        "machines. The inventory module still grows (more sections), so its ratio to `setup` will change.",
    ]
    return "\n".join(lines) + "\n"


def _load(values):
    return " / ".join("%.2f" % v for v in values) if values else "unknown"


def _loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return None


# --- main --------------------------------------------------------------------------------------


def _terminate(signum, _unused_frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if os.geteuid() != 0:
        print("bench: must run as root: it installs openssh-server when missing, creates the throwaway user %s and starts "
              "private sshd servers on 127.0.0.1" % USER, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)  # `finally` below still stops the servers

    def log(message):
        print(message, file=sys.stderr, flush=True)

    counts = sorted({1, args.hosts})
    started_at = datetime.datetime.now(datetime.timezone.utc)
    started = time.monotonic()
    ensure_openssh()
    ensure_user(USER)
    work = pathlib.Path(tempfile.mkdtemp(prefix="glpiops-bench-"))
    servers = []
    try:
        write_workdir(work)
        log("bench: starting %d sshd servers on 127.0.0.1 for %s" % (args.hosts, USER))
        for _unused_index in range(args.hosts):
            server = SSHServer(user=USER)  # each with its own authorized_keys file
            servers.append(server)
            server.start()
        env = base_env(work, args.forks)
        facts = machine_facts()
        load_before = _loadavg()
        cases = []
        for count in counts:
            log("bench: %d host%s, %d run%s of each playbook, forks %d"
                % (count, "" if count == 1 else "s", args.runs, "" if args.runs == 1 else "s", args.forks))
            cases.append((count, summarise(bench_case(args, work, env, servers, count, log))))
        load_after = _loadavg()
    except (BenchError, RuntimeError) as exc:  # RuntimeError: the sshd harness
        log("bench: FAILED: %s" % exc)
        return 1
    finally:
        leftover = []
        for server in servers:
            try:
                server.stop()
            except OSError as exc:
                log("bench: stopping sshd %s: %s" % (server.pid, exc))
            if server.pid is not None and process_running(server.pid):
                leftover.append(server.pid)
        shutil.rmtree(work, ignore_errors=True)
        if leftover:
            log("bench: sshd still running after stop(): PIDs %s" % " ".join(map(str, leftover)))
    if leftover:
        return 1

    report = render(args, facts, cases, started_at, time.monotonic() - started, load_before, load_after)
    print(report)
    if args.output:
        pathlib.Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.output).write_text(report)
        log("bench: report written to %s" % args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
