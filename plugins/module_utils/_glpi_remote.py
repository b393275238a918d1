# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run GLPI Agent's ``glpi-remote`` and ``glpi-agent`` without a password on a command line.

Private to the glpiops.glpi collection: no compatibility promise.

The one place that runs the tools: where to find them, how to hand them their
arguments, what their failures raise (:class:`GlpiRemoteError`); and what the
``glpi_remote*`` modules share: the options that describe a remote
(:func:`remote_argument_spec`, :func:`remote_from_options`) and how a module ends
(:func:`run_module`).  What the tools print is read by ``_glpi_remote_output``; the
remote URLs are ``_glpi_remote_url``.

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
import time

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError
from ansible_collections.glpiops.glpi.plugins.module_utils._process import run_process
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_output import (
    find_failures,
    find_warnings,
    output_lines,
    parse_agent_version,
    parse_changes,
    parse_remotes,
    parse_targets,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_remote_url import MODES, PROTOCOLS, mask_text, parse_url, remote_secret_forms

# What glpi-remote itself prints in its ``list`` output in place of a password it could mask (the tool's format,
# recognised, never written: what the modules show is the collection's ``MASK``).
AGENT_MASK = "****"
# Where GLPI Agent's packages put glpi-remote, besides PATH.
TOOL_DIRS = ("/usr/local/bin", "/opt/glpi-agent/bin", "/Applications/GLPI-Agent.app/bin")

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


# Seconds every program one module run starts may take together, when the option command_timeout is not given.
COMMAND_TIMEOUT = 600


class GlpiRemoteError(GLPIOpsError):
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


# --- the remote a task describes ---------------------------------------------------------


def remote_argument_spec(protocol_default=None):
    """The options :func:`remote_from_options` reads (each module documents them in its own words)."""
    protocol = dict(type="str", choices=list(PROTOCOLS))
    if protocol_default is not None:
        protocol["default"] = protocol_default
    return dict(
        url=dict(type="str"),
        protocol=protocol,
        host=dict(type="str"),
        port=dict(type="int"),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        mode=dict(type="list", elements="str", choices=["ssh", "libssh2", "perl", "ssl"]),
    )


def remote_from_options(params):
    """The remote of a task's ``url``, or ``protocol``, ``host``, ``port``, ``username``, ``mode`` options, with its
    ``password`` option -> dict as :func:`parse_url` returns it (``deviceid`` None without ``url``).

    Raises :class:`GlpiRemoteError` when ``url`` holds a password and ``password`` is set too.
    """
    if params["url"]:
        remote = parse_url(params["url"])
        if params["password"] is not None:
            if remote["password"] is not None:
                raise GlpiRemoteError("the password is given twice, in url and in password")
            remote["password"] = params["password"]
        return remote
    return dict(protocol=params["protocol"], host=params["host"], port=params["port"], username=params["username"],
                password=params["password"], modes=sorted(set(params["mode"] or [])), deviceid=None, path="")


def check_modes(protocol, modes):
    """Raise :class:`GlpiRemoteError` when one of ``modes`` does not apply to ``protocol`` (one of ``PROTOCOLS``)."""
    unknown = [m for m in modes or [] if m not in MODES[protocol]]
    if unknown:
        raise GlpiRemoteError("mode %s does not apply to %s (choose from %s)" % (", ".join(unknown), protocol, ", ".join(MODES[protocol])))


# --- running the tools --------------------------------------------------------------------


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
            words = failures or [line.strip() for line in output_lines(stderr) + output_lines(stdout) if line.strip()]
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


def module_runner(module, run=run_process, clock=time.monotonic):
    """A ``run_command`` for :class:`PerlTool`: every program the module runs ends within the module's
    ``command_timeout`` seconds, counted from the first (their output capped), or is killed with what it started."""
    seconds = module.params.get("command_timeout") or COMMAND_TIMEOUT
    ends = []

    def run_command(argv, stdin):
        if not ends:
            ends.append(clock() + seconds)
        program = argv[-1] if "-e" in argv else argv[0]  # the script after the Perl loader, or the program itself
        try:
            finished = run(argv, seconds, stdin_data=stdin, ends=ends[0])
        except OSError as exc:
            raise GlpiRemoteError("cannot run %s: %s" % (program, exc.strerror or exc))
        if finished.stop == "timeout":
            raise GlpiRemoteError("%s did not finish within %s s (option command_timeout): it was stopped" % (program, seconds))
        if finished.stop:
            raise GlpiRemoteError("%s wrote more on its %s than the module reads: it was stopped" % (program, finished.stop))
        return finished.rc, finished.stdout.decode("utf-8", "replace"), finished.stderr.decode("utf-8", "replace")

    return run_command


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


def run_module(module, find, run):
    """End the module with ``run(tool)`` for the tool ``find()`` returns, or with the :class:`GlpiRemoteError` either
    raises (plus the partial result it carries as ``result``, if any); every secret the tool knows is masked in both."""
    tool = None
    try:
        tool = find()
        result = run(tool)
    except GlpiRemoteError as error:
        if tool:
            module.no_log_values.update(tool.secrets)
        kwargs = dict(getattr(error, "result", None) or {})
        kwargs.update(error.fail_kwargs())
        module.fail_json(**kwargs)
    module.no_log_values.update(tool.secrets)
    module.exit_json(**result)


def remote_tool_argument_spec():
    """How to reach ``glpi-remote`` (the ``glpiops.glpi.glpi_remote_tool`` doc fragment documents these options)."""
    return dict(glpi_remote_path=dict(type="path"), vardir=dict(type="path"), command_timeout=dict(type="int", default=COMMAND_TIMEOUT))
