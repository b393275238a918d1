# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's plugins on this host: read them from GLPI, run GLPI's console, unpack a plugin archive.

Private to the glpiops.glpi collection: no compatibility promise.

Target-side code: standard library only, Python 3.8+.  :class:`PluginHost` is the only part of
the ``glpi_plugin*`` modules that runs anything, through ``GlpiServer.run`` (each run within ``command_timeout``
seconds, its output capped).  What it decides comes from ``_glpi_plugin_state`` and ``_glpi_plugin_console``.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import (
    KERNEL,
    GlpiNetworkError,
    GlpiServer,
    program_problem,
    root_message,
    scrub,
)
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_console import console_argv, interpret
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin_state import (
    ListParseError,
    merge_files,
    parse_list,
    parse_program_output,
    read_program,
    records_from_program,
)

# The most a plugin archive may unpack to: the largest GLPI plugins are tens of MiB.
UNPACKED_MAX = 512 << 20
MEMBERS_MAX = 100000
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


class PluginHost:
    """A GLPI tree on this host, its plugins read and changed through ``php``."""

    def __init__(self, module, glpi_path, php_path=None, config_dir=None, allow_superuser=False, glpi_user=None, secrets=()):
        self.server = GlpiServer(module, glpi_path, php_path, config_dir, allow_superuser)
        self.kernel = self.server.layout == KERNEL
        self.glpi_user = glpi_user
        self.secrets = list(secrets)
        self.answer = {}
        self.ran = []  # the console commands run, as "plugin:install example" (no secret is ever on them)

    @property
    def version(self):
        return self.server.version

    def _run(self, argv, stdin=None):
        rc, out, err = self.server.run(argv, stdin)
        return rc, scrub(out, self.secrets), scrub(err, self.secrets)

    def _program(self, refresh=None):
        program = read_program(self.server.glpi_path, self.server.config_dir, self.server.layout, refresh)
        rc, out, err = self._run([self.server.php, "-d", "display_errors=stderr"], stdin=program.encode("utf-8"))
        answer = parse_program_output(out)
        problem = program_problem(answer, rc, err, self.server.glpi_path)
        if problem:
            raise GlpiNetworkError(problem, glpi_version=(answer or {}).get("glpi_version"))
        self.server.version = answer.get("glpi_version")
        self.answer = answer
        return answer

    def read(self, refresh=None):
        """Every plugin GLPI knows or has files of: ``{key: record}`` (``_glpi_plugin_state.record``)."""
        answer = self._program(refresh)
        if not self.kernel:
            return records_from_program(answer)
        argv = self.argv("list")
        rc, out, err = self._run(argv)
        outcome = interpret(rc, out, err)
        if outcome["kind"] == "root_refused":
            raise GlpiNetworkError(root_message("plugin:list"), glpi_version=self.version)
        try:
            listed = parse_list(out)
        except ListParseError as error:
            raise GlpiNetworkError("%s (rc %s%s)" % (error, rc, "; " + " ".join(outcome["said"])[:300] if outcome["said"] else ""),
                                   glpi_version=self.version)
        return merge_files(listed, answer)

    def refresh(self, key):
        """Let GLPI look at ``key``'s files again (``Plugin::checkPluginState``): an updated plugin becomes "to update"."""
        self._program(refresh=key)

    def argv(self, step, key=None):
        return console_argv(self.server.php, self.server.glpi_path, step, key, kernel=self.kernel,
                            allow_superuser=self.server.allow_superuser, username=self.glpi_user, config_dir=self.server.config_dir)

    def console(self, step, key):
        """Run one console step for ``key``; its :func:`interpret`ation (never taken for the plugin's state)."""
        argv = self.argv(step, key)
        self.ran.append("%s %s" % (argv[2], key))
        rc, out, err = self._run(argv)
        return interpret(rc, out, err)

    # --- files ------------------------------------------------------------------------------------
    def marketplace_dir(self):
        return self.answer.get("marketplace_dir") or os.path.join(self.server.glpi_path, "marketplace")

    def writable_problem(self):
        """Why the plugin files cannot be written into GLPI's marketplace directory, or ``None``."""
        directory = self.marketplace_dir()
        if not os.path.isdir(directory):
            return "GLPI's marketplace directory %s does not exist: create it, owned by the web server user" % directory
        if not os.access(directory, os.W_OK | os.X_OK):
            return ("GLPI's marketplace directory %s is not writable by this user (uid %d): run the task as the web server "
                    "user who owns it (become_user), or give it that user" % (directory, os.geteuid()))
        return None

    def unpack(self, key, src):
        """Put the plugin ``key`` from ``src`` (an archive or a directory on this host) into ``marketplace/<key>``.

        Unpacked beside it first, then renamed into place: GLPI never sees half a plugin.  An older copy is replaced.
        """
        target = os.path.join(self.marketplace_dir(), key)
        work = tempfile.mkdtemp(prefix=".glpiops-%s-" % key, dir=self.marketplace_dir())
        try:
            staged = os.path.join(work, "unpacked")
            if os.path.isdir(src):
                shutil.copytree(src, staged, symlinks=True)
            else:
                os.mkdir(staged)
                extract(src, staged)
            plugin_dir = find_plugin_dir(staged, key)
            os.chmod(plugin_dir, 0o755)
            old = os.path.join(work, "previous")
            if os.path.lexists(target):
                os.rename(target, old)
            try:
                os.rename(plugin_dir, target)
            except OSError:
                if os.path.lexists(old):
                    os.rename(old, target)  # the plugin as it was, never none
                raise
        except OSError as error:
            raise GlpiNetworkError("cannot put src %s into %s: %s; the plugin's files are as they were"
                                   % (src, target, error.strerror or error))
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _bounded(archive, sizes):
    """Refuse an archive whose members would unpack to more than ``UNPACKED_MAX`` bytes or ``MEMBERS_MAX`` entries."""
    if len(sizes) > MEMBERS_MAX or sum(sizes) > UNPACKED_MAX:
        raise GlpiNetworkError("src %s would unpack to %d entries and %d bytes, more than a plugin (at most %d entries, %d MiB): "
                               "refused" % (archive, len(sizes), sum(sizes), MEMBERS_MAX, UNPACKED_MAX >> 20))


def extract(archive, dest):
    """Extract ``archive`` into ``dest``; members that would land outside it, links and devices are refused, and so
    is an archive that would unpack to more than a plugin (``_bounded``)."""
    lowered = archive.lower()
    if not lowered.endswith(ARCHIVES):
        raise GlpiNetworkError("src %s is neither a directory nor an archive (%s)" % (archive, ", ".join(ARCHIVES)))
    if not os.path.isfile(archive):
        raise GlpiNetworkError("src %s was not found on the GLPI host" % archive)
    root = os.path.realpath(dest)
    try:
        if lowered.endswith(".zip"):
            with zipfile.ZipFile(archive) as bundle:
                infos = bundle.infolist()
                _bounded(archive, [info.file_size for info in infos])  # zipfile reads no more than file_size per member
                for info in infos:
                    _inside(root, info.filename)
                bundle.extractall(dest)
            return
        with tarfile.open(archive) as bundle:
            members = bundle.getmembers()
            _bounded(archive, [member.size for member in members])
            for member in members:
                _inside(root, member.name)
                if not (member.isfile() or member.isdir()):
                    raise GlpiNetworkError("src %s holds %s, which is neither a file nor a directory: refused" % (archive, member.name))
                member.mode = (member.mode | 0o644) & 0o755 if member.isfile() else 0o755
            # every member checked above; Python's own "data" filter too where it has one (3.8.17+, 3.12+)
            extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            bundle.extractall(dest, members=members, **extra)  # nosec
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as error:
        raise GlpiNetworkError("cannot unpack src %s: %s" % (archive, error))


def _inside(root, name):
    path = os.path.realpath(os.path.join(root, name))
    if path != root and not path.startswith(root + os.sep):
        raise GlpiNetworkError("the archive member %s would be written outside the plugin's directory: refused" % name)


def find_plugin_dir(staged, key):
    """The directory holding ``setup.php`` in what was unpacked: its top, ``<key>/`` or its only directory."""
    if os.path.isfile(os.path.join(staged, "setup.php")):
        return staged
    entries = [entry for entry in os.listdir(staged) if os.path.isdir(os.path.join(staged, entry))]
    for candidate in ([key] if key in entries else []) + (entries if len(entries) == 1 else []):
        if os.path.isfile(os.path.join(staged, candidate, "setup.php")):
            return os.path.join(staged, candidate)
    raise GlpiNetworkError("src holds no GLPI plugin %s: no setup.php at its top, in %s/ or in its only directory" % (key, key))
