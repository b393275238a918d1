# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The package-manager commands and files of a Linux or BSD target, defined once.

Private to the glpiops.glpi collection: no compatibility promise.

The collector (``_collector_linux``) runs exactly these; the parsers
(``plugin_utils/parsers/_packages.py``) read their output.
"""

from __future__ import annotations

# Untranslated labels, dates and numbers as GLPI Agent has them (it runs every command with LC_ALL=C), but UTF-8
# text: glib (flatpak) escapes non-ASCII names in plain C.  Where C.UTF-8 is missing, programs fall back to C.
COMMAND_ENVIRONMENT = {"LC_ALL": "C.UTF-8", "LANGUAGE": ""}
# Added for `snap info` only (as the agent does): it wraps long lines at the terminal's width.
SNAP_INFO_ENVIRONMENT = {"COLUMNS": "100"}

# dpkg-query and rpm expand the \t and \n escapes of their formats themselves: the backslashes are literal here.
DPKG_ARGV = ("dpkg-query", "--show",
             "--showformat=${Package}\\t${Architecture}\\t${Version}\\t${Installed-Size}\\t${Section}\\t${Status}\\n")
# For the publisher of deb packages (GLPI Agent's "Distributor ID"); /etc/os-release stands in when it is absent.
LSB_RELEASE_ARGV = ("lsb_release", "-i")
RPM_ARGV = ("rpm", "-qa", "--queryformat",
            "%{NAME}\\t%{ARCH}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{SIZE}\\t%{VENDOR}\\t%{SUMMARY}\\t%{GROUP}\\n")
PACMAN_ARGV = ("pacman", "-Qqi")
SNAP_LIST_ARGV = ("snap", "list", "--color", "never")
# Per snap of the list (see snap_list_entries): `snap info` and, when readable, its snap.yaml (for the arch) and
# the modification time of /snap/<name> (its install date).
SNAP_YAML_PATH = "/snap/{name}/{revision}/meta/snap.yaml"
SNAP_DIRECTORY_PATH = "/snap/{name}"
FLATPAK_LIST_ARGV = ("flatpak", "list", "-a", "--columns=application,branch,installation,name")
NIX_ARGV = ("nix-store", "--gc", "--print-live")
# equery 0.3 and later (every Gentoo since 2010) want the pattern; older ones list everything without it.
EQUERY_ARGV = ("equery", "list", "-i", "*")
# Slackware: the names of the files in this directory, one a line.
SLACKWARE_PACKAGES_DIRECTORY = "/var/log/packages"
# Alpine: apk's database of installed packages (apk-tools 2; the second path where /lib is merged into /usr).
APK_INSTALLED_PATHS = ("/lib/apk/db/installed", "/usr/lib/apk/db/installed")
# BSD: pkg_info (OpenBSD, NetBSD, old FreeBSD), else `pkg info` (FreeBSD's pkg) when the first gave no package.
PKG_INFO_ARGVS = (("pkg_info",), ("pkg", "info"))


def snap_info_argv(name):
    """The ``snap info`` command for one snap of ``snap list`` (run with ``SNAP_INFO_ENVIRONMENT`` too)."""
    return ("snap", "info", "--color", "never", "--abs-time", name)


def flatpak_info_argv(appid, branch, installation):
    """The ``flatpak info`` command for one line of the flatpak list.

    GLPI Agent passes ``--<installation>``; that works for ``system`` and
    ``user`` only, so any other (custom) installation goes as ``--installation=``.
    """
    option = "--" + installation if installation in ("system", "user") else "--installation=" + installation
    return ("flatpak", "info", option, appid, branch)


def flatpak_info_key(appid, branch, installation):
    """How ``parse_flatpak``'s ``infos`` mapping names the ``flatpak info`` output of one list line."""
    return "%s_%s_%s" % (appid, branch, installation)
