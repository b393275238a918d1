# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ``softwares`` section from the outputs of Linux and BSD package managers.

Private to the glpiops.glpi collection: no compatibility promise.

One pure parser per package manager: text in, a list of GLPI ``softwares``
entries out, in the form GLPI Agent sends (lower-case keys, ``filesize`` an int
in bytes, ``install_date`` as ``YYYY-MM-DD``, empty values left out).  The
fields each manager fills are GLPI Agent's (``Generic::Softwares::*`` and
``BSD::Softwares``), so that GLPI sees the same software whichever of the two
made the inventory.  No parser raises: what it cannot understand it leaves out.

The commands each parser expects are the constants below (``*_ARGV``, paths):
the collector must run exactly those, with ``COMMAND_ENVIRONMENT`` added to its
environment so that labels, dates and numbers are not translated.
"""

from __future__ import annotations

import datetime
import re

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python < 3.9
    ZoneInfo = None

from ansible_collections.glpiops.glpi.plugins.module_utils._package_commands import flatpak_info_key
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _linux


# --- Helpers -----------------------------------------------------------------------------------------------

_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_FIELD_ORDER = ("name", "version", "arch", "publisher", "comments", "install_date", "filesize", "from",
                "system_category", "helplink")
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_BINARY_UNITS = {"b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5, "e": 1024 ** 6}


def _as_text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _as_mapping(value):
    return value if isinstance(value, dict) else {}


def _lines(text):
    return _as_text(text).splitlines()


def _entry(**fields):
    """A software entry as GLPI Agent sends it: control characters stripped, empty values left out."""
    entry = {}
    for key in _FIELD_ORDER:
        value = fields.get(key)
        if isinstance(value, str):
            value = _CONTROL_RE.sub("", value)
        if value is None or value == "":
            continue
        entry[key] = value
    return entry if entry.get("name") else None


def _date(year, month, day):
    """``YYYY-MM-DD`` for a real calendar day with a four-digit year, else ``None``."""
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat() if 1000 <= int(year) <= 9999 else None
    except (TypeError, ValueError, OverflowError):
        return None


def _tzinfo(timezone):
    """The target's time zone from an IANA name, a ``+0100`` offset, seconds east of UTC, a tzinfo, or the
    collector's ``{"zone": ..., "offset": ...}``; UTC when none of them is usable."""
    if isinstance(timezone, datetime.tzinfo):
        return timezone
    if isinstance(timezone, dict):
        for candidate in (timezone.get("zone"), timezone.get("offset")):
            if isinstance(candidate, str) and candidate:
                found = _tzinfo(candidate)
                if found is not datetime.timezone.utc:
                    return found
        return datetime.timezone.utc
    if isinstance(timezone, str):
        match = re.match(r"^([+-])(\d{2}):?(\d{2})$", timezone.strip())
        if match:
            seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
            return _tzinfo(-seconds if match.group(1) == "-" else seconds)
        if ZoneInfo is not None and re.match(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", timezone):
            try:
                return ZoneInfo(timezone)
            except (KeyError, ValueError, OSError, TypeError):  # unknown zone, no tzdata, bad name
                return datetime.timezone.utc
        return datetime.timezone.utc
    if isinstance(timezone, (int, float)) and not isinstance(timezone, bool) and abs(timezone) < 86400:
        return datetime.timezone(datetime.timedelta(seconds=int(timezone)))
    return datetime.timezone.utc


def _epoch_date(epoch, timezone=None):
    """The day of an epoch in the target's time zone (see ``_tzinfo``), ``YYYY-MM-DD``."""
    try:
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).astimezone(_tzinfo(timezone))
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return _date(moment.year, moment.month, moment.day)


def _digits(text):
    """An int from a string of digits only (``^\\d+$``), else ``None``."""
    try:
        return int(text) if re.match(r"^\d+$", text or "") else None
    except ValueError:  # more digits than Python converts
        return None


def _leading_number(text):
    """The number a string starts with (Perl's reading of ``"12.5 MB"``), or ``None``."""
    match = re.match(r"^\s*(\d+(?:\.\d*)?|\.\d+)", text or "")
    return float(match.group(1)) if match else None


def _size_bytes(number, unit):
    """``number`` ``unit`` (B, kB, KiB, MB, MiB, ...: powers of 1024 as GLPI Agent counts them) in bytes."""
    factor = _BINARY_UNITS.get((unit or "b")[:1].lower())
    if number is None or factor is None:
        return None
    try:
        return int(number * factor)
    except (OverflowError, ValueError):
        return None


def _perl_split_tabs(line):
    """``split("\\t", $line)``: trailing empty fields dropped."""
    fields = line.split("\t")
    while fields and fields[-1] == "":
        fields.pop()
    return fields


def _field(fields, index):
    return fields[index] if index < len(fields) else None


# --- Debian: dpkg-query ------------------------------------------------------------------------------------


def distributor_id(lsb_release_output=None, os_release=None):
    """The distribution's name as ``lsb_release -i`` gives it ("Debian", "Ubuntu"): GLPI Agent's deb publisher.

    Without ``lsb_release`` output, derived from ``/etc/os-release`` the way
    Debian's ``lsb_release`` does: ``ID`` with a capital, or ``NAME`` when it
    is the same word.
    """
    for line in _lines(lsb_release_output):
        match = re.match(r"^Distributor ID:\s(.+)", line)
        if match and match.group(1).strip():
            return match.group(1).strip()
    fields = _linux.parse_key_value_lines(_as_text(os_release))
    identifier = fields.get("ID", "").strip()
    if not identifier:
        return None
    name = fields.get("NAME", "").strip()
    return name if name.lower() == identifier.lower() else identifier[:1].upper() + identifier[1:]


def parse_dpkg(text, publisher=None):
    """Installed Debian packages from ``DPKG_ARGV``'s output (GLPI Agent's ``Deb``).

    A line whose status (6th column, when present) does not end in " installed"
    (removed but configured, half-installed...) is not an installed package.
    ``filesize`` is ``Installed-Size`` (KiB) in bytes, 0 when dpkg has none, as
    the agent sends it.  ``publisher`` comes from ``distributor_id``.
    """
    packages = []
    for line in _lines(text):
        if line.startswith(" "):
            continue
        fields = _perl_split_tabs(line)
        if len(fields) < 3:
            continue
        status = _field(fields, 5)
        if status and not status.endswith(" installed"):
            continue
        size = _digits(_field(fields, 3))
        entry = _entry(name=fields[0], arch=fields[1], version=fields[2], publisher=publisher,
                       filesize=size * 1024 if size is not None else 0,
                       system_category=_field(fields, 4), **{"from": "deb"})
        if entry:
            packages.append(entry)
    return packages


# --- RPM ---------------------------------------------------------------------------------------------------


def parse_rpm(text, timezone=None):
    """Installed RPM packages from ``RPM_ARGV``'s output (GLPI Agent's ``RPM``).

    ``install_date`` is the day of ``INSTALLTIME`` in the target's time zone
    (GLPI Agent's localtime): pass the collector's ``timezone`` source (zone
    name and offset), a zone name or an offset; UTC without.  A ``(none)``
    vendor is no publisher.
    """
    packages = []
    for line in _lines(text):
        fields = _perl_split_tabs(line)
        if len(fields) < 3:
            continue
        vendor = _field(fields, 5)
        installtime = _digits(_field(fields, 3))
        entry = _entry(name=fields[0], arch=fields[1], version=fields[2],
                       publisher=vendor if vendor != "(none)" else None,
                       comments=_field(fields, 6),
                       install_date=_epoch_date(installtime, timezone) if installtime is not None else None,
                       filesize=_digits(_field(fields, 4)),
                       system_category=_field(fields, 7), **{"from": "rpm"})
        if entry:
            packages.append(entry)
    return packages


# --- Arch Linux: pacman ------------------------------------------------------------------------------------


def _pacman_date(value):
    """``Wed Sep 12 10:55:23 2018`` (C locale); also ``Wed 12 Sep 2018 10:55:23 AM CEST``."""
    match = re.match(r"^\w+\s+(\w+)\s+(\d+)\s+[\d:]+\s+(\d+)$", value)
    if match:
        month, day, year = match.groups()
    else:
        match = re.match(r"^\w+\s+(\d+)\s+(\w+)\s+(\d{4})\s+[\d:]+", value)
        if not match:
            return None
        day, month, year = match.groups()
    month = _MONTHS.get(month.lower())
    return _date(year, month, day) if month else None


def parse_pacman(text):
    """Installed packages from ``pacman -Qqi`` (GLPI Agent's ``Pacman``: no ``from``).

    The epoch is dropped from the version, sizes in B/KiB/MiB/GiB become bytes,
    the groups are joined with commas.
    """
    packages = []
    for line in _lines(text):
        match = re.match(r"^(\S[^:]*):\s*(.*)$", line)
        if not match:
            continue
        key, value = match.group(1).rstrip(), match.group(2)
        if key == "Name":
            packages.append({"name": value})
            continue
        if not packages or not value:
            continue
        package = packages[-1]
        if key == "Version":
            package["version"] = re.sub(r"^\d+:", "", value)
        elif key == "Description":
            package["comments"] = value
        elif key == "Architecture":
            package["arch"] = value
        elif key == "Install Date":
            package["install_date"] = _pacman_date(value)
        elif key == "Installed Size":
            size = re.match(r"^([\d.]+)\s+(\w+)$", value)
            if size:
                unit = size.group(2)
                package["filesize"] = _size_bytes(_leading_number(size.group(1)), unit if unit.endswith("iB") else "B")
        elif key == "Groups" and value != "None":
            package["system_category"] = ",".join(value.split())
    return [entry for entry in (_entry(**package) for package in packages) if entry]


# --- Snap --------------------------------------------------------------------------------------------------


_SNAP_FIELDS = {"name": "name", "publisher": "publisher", "summary": "comments", "contact": "helplink"}


def snap_list_entries(text):
    """The snaps of ``snap list`` that are software: ``[{"name", "version", "revision", "publisher"}]``.

    Like GLPI Agent, the header and the snaps whose notes say ``base``, ``core``
    or ``snapd`` are left out.  The collector runs ``snap_info_argv(name)`` and
    reads ``SNAP_YAML_PATH`` for each of these.
    """
    snaps = []
    for line in _lines(text):
        fields = line.split()
        if len(fields) < 2 or (fields[0] == "Name" and fields[1] == "Version"):
            continue
        notes = _field(fields, 5)
        if notes and re.search(r"^base|core|snapd$", notes):
            continue
        snaps.append({"name": fields[0], "version": fields[1], "revision": _field(fields, 2),
                      "publisher": _field(fields, 4)})
    return snaps


def _snap_size(token):
    """``100MB``, ``1.2GB``, ``4kB`` (snap's sizes) in bytes, counted in powers of 1024 like GLPI Agent."""
    match = re.match(r"^([\d.]+)\s*([kKMGTPE]?i?B|bytes)$", token)
    return _size_bytes(_leading_number(match.group(1)), match.group(2)) if match else None


def _read_snap_fields(text, snap):
    """Fill ``snap`` from ``snap info`` output or a ``snap.yaml`` (top-level keys only)."""
    in_architectures = False
    for line in _lines(text):
        if in_architectures:
            match = re.match(r"^\s*-\s(.*)$", line)
            snap["arch"] = match.group(1) if match else None
            in_architectures = False
        elif line.startswith("architectures:"):
            in_architectures = True
        elif re.match(r"^[\s-]", line):
            continue
        else:
            installed = re.match(r"^installed:\s+.*\(.*\)\s+(\d+\S+)", line)
            known = re.match(r"^(contact|name|publisher|summary):\s+(.+)$", line)
            if installed:
                snap["filesize"] = _snap_size(installed.group(1))
            elif known:
                snap[_SNAP_FIELDS[known.group(1)]] = known.group(2)


def parse_snap(list_text, infos=None, snap_yamls=None, install_epochs=None, timezone=None):
    """Installed snaps (GLPI Agent's ``Snap``).

    ``list_text`` is ``SNAP_LIST_ARGV``'s output; the optional mappings, keyed
    by snap name, hold ``snap_info_argv(name)``'s output, the text of its
    ``SNAP_YAML_PATH`` (gives the arch) and the modification time (epoch) of
    ``SNAP_DIRECTORY_PATH``, the install date (in the target's time zone: see
    ``parse_rpm``).  A snap missing from them keeps what the list says.
    """
    infos, snap_yamls, install_epochs = _as_mapping(infos), _as_mapping(snap_yamls), _as_mapping(install_epochs)
    packages = []
    for listed in snap_list_entries(list_text):
        name = listed["name"]
        snap = {"name": name, "version": listed["version"], "publisher": listed["publisher"], "from": "snap"}
        if install_epochs.get(name) is not None:
            snap["install_date"] = _epoch_date(install_epochs[name], timezone)
        for source in (snap_yamls.get(name), infos.get(name)):
            if source is not None:
                _read_snap_fields(source, snap)
        publisher = re.sub("[*\u2713\u272a]+$", "", snap.get("publisher") or "")
        snap["publisher"] = None if re.match("^[-\u2013]+$", publisher) else publisher
        entry = _entry(**snap)
        if entry:
            packages.append(entry)
    return packages


# --- Flatpak -----------------------------------------------------------------------------------------------

_FLATPAK_FIELDS = {"Installed": "filesize", "Version": "version", "Origin": "publisher", "Arch": "arch",
                   "Installation": "system_category", "Date": "install_date"}


def flatpak_list_entries(text):
    """The lines of ``FLATPAK_LIST_ARGV``'s output: ``[{"appid", "branch", "installation", "name"}]``.

    The collector runs ``flatpak_info_argv(appid, branch, installation)`` for each.
    """
    apps = []
    for line in _lines(text):
        if re.search(r"Application ID.*Name", line):
            continue
        match = re.match(r"^(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$", line)
        if match:
            apps.append({"appid": match.group(1), "branch": match.group(2), "installation": match.group(3),
                         "name": " ".join(match.group(4).split())})
    return apps


def _flatpak_value(field, value):
    if field == "filesize":
        # "479.7 MB", "32,0 MB" (a translated one: GLPI Agent reads the number up to the comma).
        match = re.match(r"^([\d.]+).*([kMG]B)$", value)
        number = _leading_number(match.group(1)) if match else None
        return _size_bytes(number, match.group(2)) if number else None
    if field == "install_date":
        match = re.match(r"^(\d+)-(\d+)-(\d+)\s", value)
        return _date(*match.groups()) if match else None
    return value


def parse_flatpak(list_text, infos=None):
    """Installed flatpaks, applications and runtimes (GLPI Agent's ``Flatpak``).

    ``infos`` maps ``flatpak_info_key(appid, branch, installation)`` to
    ``flatpak_info_argv(...)``'s output.  The version is the branch when flatpak
    has none; ``install_date`` is the date of the installed commit.  An app
    without its info keeps what the list says (GLPI Agent drops it).
    """
    infos = _as_mapping(infos)
    packages = []
    for app in flatpak_list_entries(list_text):
        flatpak = {"name": app["name"], "system_category": app["installation"], "from": "flatpak"}
        info = infos.get(flatpak_info_key(app["appid"], app["branch"], app["installation"]))
        for line in _lines(info):
            match = re.match(r"^\s*(\S+):\s+(.*)$", line)
            field = _FLATPAK_FIELDS.get(match.group(1)) if match else None
            if field:
                value = _flatpak_value(field, match.group(2))
                if value is not None:
                    flatpak[field] = value
        flatpak["version"] = flatpak.get("version") or app["branch"]
        flatpak["comments"] = "AppID: " + app["appid"]
        entry = _entry(**flatpak)
        if entry:
            packages.append(entry)
    return packages


# --- Nix, Gentoo, Slackware, Alpine ------------------------------------------------------------------------


def parse_nix(text):
    """Packages of the live Nix store paths (``NIX_ARGV``): ``<hash>-<name>-<numeric version>``, once each."""
    packages = []
    seen = set()
    for line in _lines(text):
        match = re.match(r"^/nix/store/[^-]+-(.+)-(\d+(?:\.\d+)*)$", line)
        if not match or (match.group(1), match.group(2)) in seen:
            continue
        seen.add((match.group(1), match.group(2)))
        entry = _entry(name=match.group(1), version=match.group(2), **{"from": "nix"})
        if entry:
            packages.append(entry)
    return packages


def parse_equery(text):
    """Installed Gentoo packages from ``EQUERY_ARGV``: ``category/name-version`` lines (no ``from``, as the agent)."""
    packages = []
    for line in _lines(text):
        match = re.match(r"^(.*)-([0-9]+.*)", line)
        entry = _entry(name=match.group(1), version=match.group(2)) if match else None
        if entry:
            packages.append(entry)
    return packages


_SLACKWARE_RE = re.compile(r"^(.+)-(.+)-(i[0-9]86|noarch|x86_64|x86|fw|npmjs|arm|aarch64)-(.*)$")


def parse_slackware(text):
    """Slackware packages from the file names of ``SLACKWARE_PACKAGES_DIRECTORY`` (one a line).

    ``name-version-arch-build``, as GLPI Agent reads them; the ARM ports'
    ``arm`` and ``aarch64`` are understood too.
    """
    packages = []
    for line in _lines(text):
        match = _SLACKWARE_RE.match(line.strip())
        entry = _entry(name=match.group(1), version=match.group(2), arch=match.group(3)) if match else None
        if entry:
            packages.append(entry)
    return packages


def parse_apk(text, publisher=None):
    """Installed Alpine packages from apk's database (``APK_INSTALLED_PATHS``).

    GLPI Agent has no apk support: the fields are those it fills for the other
    managers.  One package per blank-line separated record: ``P:`` name,
    ``V:`` version, ``A:`` arch, ``I:`` installed size in bytes, ``T:``
    description; ``publisher`` as for ``parse_dpkg`` (``distributor_id``).
    """
    packages = []
    record = {}

    def flush():
        entry = _entry(publisher=publisher, **dict(record, **{"from": "apk"}))
        if entry:
            packages.append(entry)
        record.clear()

    for line in _lines(text) + [""]:
        if not line.strip():
            flush()
            continue
        if line[1:2] != ":":
            continue
        letter, value = line[0], line[2:]
        if letter == "P":
            if record.get("name"):
                flush()
            record["name"] = value
        elif letter == "V":
            record["version"] = value
        elif letter == "A":
            record["arch"] = value
        elif letter == "T":
            record["comments"] = value
        elif letter == "I":
            record["filesize"] = _digits(value)
    return packages


# --- BSD ---------------------------------------------------------------------------------------------------


def parse_pkg_info(text):
    """Installed BSD packages from ``pkg_info`` or ``pkg info``: ``name-version   comment`` (no ``from``, as the agent)."""
    packages = []
    for line in _lines(text):
        match = re.match(r"^(\S+)-(\S+)\s+(.*)", line)
        entry = _entry(name=match.group(1), version=match.group(2), comments=match.group(3)) if match else None
        if entry:
            packages.append(entry)
    return packages
