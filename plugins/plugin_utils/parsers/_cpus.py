# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""GLPI's ``cpus`` section from ``/proc/cpuinfo``.

Private to the glpiops.glpi collection: no compatibility promise.

Pure functions, no I/O, none raises.  They give what GLPI Agent's Linux CPU
modules give; the module is chosen by the machine hardware name (``uname -m``):

* x86 (``i?86``, ``x86_64``): one entry per physical package (``physical id``),
  ``arch`` always ``i386`` (the agent's module name), ``core`` = ``cpu cores``,
  ``thread`` = ``siblings / cpu cores`` rounded up, ``speed`` in MHz from the
  ``@ 2.40GHz`` part of the model name only (not ``cpu MHz``), the vendor id as
  a maker's name.  DMI processor data, when given, fills the gaps and adds
  ``id``, ``serial``, ``external_clock``, ``familyname`` and ``corecount``;
* ARM: one entry per processor, ``arch`` ``aarch64`` from ARMv8 on, else ``arm``,
  ``name`` the model name, else the ``processor`` field (on a Raspberry Pi 3 under
  arm64 that is the processor's number);
* Alpha, MIPS, PowerPC, SPARC, m68k: one entry per processor (SPARC: ``ncpus
  probed`` copies of the only block), with the few fields each kernel gives;
* any other machine (ia64, s390x, riscv64...): no entry, as the agent has no module for it.
"""

from __future__ import annotations

import re

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers._canonical import (
    canonical_manufacturer,
    integer_field,
    perl_number,
    perl_string,
    perl_true,
    sanitize,
    text_lines,
    trim_whitespace,
)

_LINE_RE = re.compile(r"^([^:]+\S)\s*:\s(.+)", re.ASCII)
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}

_FAMILIES = (
    ("x86", re.compile(r"^(?:i\d86|x86_64)", re.ASCII)),
    ("arm", re.compile(r"^(?:arm|aarch64)")),
    ("alpha", re.compile(r"^alpha")),
    ("mips", re.compile(r"^mips")),
    ("powerpc", re.compile(r"^(?:ppc|powerpc)")),
    ("sparc", re.compile(r"^sparc")),
    ("m68k", re.compile(r"^m68k")),
)
_INTEGER_FIELDS = ("core", "corecount", "external_clock", "speed", "stepping", "thread")
_STRING_FIELDS = ("arch", "name", "manufacturer", "familynumber", "model", "id", "serial", "familyname")
# A SPARC kernel prints one block and the processor count; more copies than this would be a corrupt count.
_MAX_SPARC_CPUS = 4096


def _blocks(text):
    """The fields of each block of ``key : value`` lines (``None`` for an empty one), as the agent splits them."""
    block = None
    for line in text_lines(text):
        match = _LINE_RE.match(line)
        if match:
            block = block if block is not None else {}
            block[match.group(1).translate(_ASCII_LOWER)] = trim_whitespace(match.group(2))
        elif line == "":
            yield block
            block = None
    yield block


def _is_processor(block):
    return bool(block) and ("processor" in block or "cpu" in block)


def parse_proc_cpuinfo(text):
    """``/proc/cpuinfo`` as one dict per processor block (keys lower-cased, values trimmed).

    Blocks end at an empty line; a block without ``processor`` nor ``cpu`` (an ARM
    board's ``Hardware``/``Serial`` lines) is not a processor and is left out.
    """
    try:
        return [block for block in _blocks(text) if _is_processor(block)]
    except Exception:  # pylint: disable=broad-except
        return []


def cpu_family(machine, text=None):
    """The agent's CPU module for a machine hardware name; guessed from cpuinfo when the name is unknown."""
    if isinstance(machine, str) and machine:
        return next((family for family, pattern in _FAMILIES if pattern.match(machine)), None)
    keys = set()
    for block in parse_proc_cpuinfo(text or ""):
        keys.update(block)
    guesses = (
        ("x86", "vendor_id"), ("arm", "cpu architecture"), ("arm", "cpu implementer"), ("alpha", "cycle frequency [hz]"),
        ("sparc", "ncpus probed"), ("m68k", "clocking"), ("mips", "cpu model"), ("powerpc", "clock"),
    )
    return next((family for family, key in guesses if key in keys), None)


def _x86(logical, dmidecode_cpus):
    dmi = [entry if isinstance(entry, dict) else {} for entry in (dmidecode_cpus or [])]
    cpus, seen = [], set()
    for block in logical:
        package = block.get("physical id")
        core, thread = "1", 1
        if package is not None:
            if package in seen:
                continue
            seen.add(package)
            core, siblings = block.get("cpu cores"), block.get("siblings")
            thread = 1
            if perl_true(core) and perl_true(siblings) and perl_number(siblings) >= perl_number(core):
                # A zero count makes the agent divide by zero: no thread count then.
                thread = perl_number(siblings) / perl_number(core) if perl_number(core) else None
                if thread is not None and thread > int(thread):
                    thread = int(thread) + 1
            try:
                index = int(perl_number(package))
            except (OverflowError, ValueError):
                index = len(dmi)
        else:
            index = len(cpus)
        info = dmi[index] if -len(dmi) <= index < len(dmi) else {}
        cpu = {
            "arch": "i386",
            "manufacturer": canonical_manufacturer(block.get("vendor_id")),
            "stepping": block.get("stepping") if perl_true(block.get("stepping")) else info.get("stepping"),
            "familynumber": block.get("cpu family") if perl_true(block.get("cpu family")) else info.get("familynumber"),
            "model": block.get("model") if perl_true(block.get("model")) else info.get("model"),
            "name": block.get("model name"),
            "core": core if perl_true(core) else info.get("core"),
            "thread": thread if perl_true(thread) else info.get("thread"),
        }
        for key in ("id", "serial", "external_clock", "familyname", "corecount"):
            if perl_true(info.get(key)):
                cpu[key] = info[key]
        # The leftmost match starts a run of digits: the look-behind only spares re-scanning long runs.
        speed = re.search(r"(?<![\d.])([\d.]+)s*(GHZ)", cpu["name"] or "", re.IGNORECASE | re.ASCII)
        if speed:
            cpu["speed"] = 1000 * perl_number(speed.group(1))
        cpus.append(cpu)
    return cpus


def _arm(logical):
    cpus = []
    for block in logical:
        version = re.match(r"^(\d+)", block.get("cpu architecture") or "", re.ASCII)
        name = block.get("model name")
        cpus.append({
            "arch": "aarch64" if version and int(version.group(1)) >= 8 else "arm",
            "name": name if perl_true(name) else block.get("processor"),
        })
    return cpus


def _alpha(logical):
    cpus = []
    for block in logical:
        hertz = re.search(r"(?<!\d)(\d+)000000", block.get("cycle frequency [hz]") or "", re.ASCII)
        cpus.append({"arch": "alpha", "name": block.get("processor"), "serial": block.get("cpu serial number"),
                     "speed": hertz.group(1) if hertz else None})
    return cpus


def _powerpc(logical):
    cpus = []
    for block in logical:
        clock = re.search(r"(\d+)", block.get("clock") or "", re.ASCII)
        cpus.append({"arch": "powerpc", "name": block.get("cpu"), "speed": clock.group(1) if clock else None,
                     "manufacturer": "IBM" if "IBM" in (block.get("machine") or "") else None})
    return cpus


def _sparc(logical):
    first = logical[0] if logical else {}
    count = perl_number(first.get("ncpus probed")) if perl_true(first.get("ncpus probed")) else 0
    try:
        count = min(int(count), _MAX_SPARC_CPUS)
    except (OverflowError, ValueError):
        count = 0
    return [{"arch": "sparc", "name": first.get("cpu")} for _unused_index in range(count)]


_BUILDERS = {
    "x86": None,
    "arm": _arm,
    "alpha": _alpha,
    "mips": lambda logical: [{"arch": "mips", "name": block.get("cpu model")} for block in logical],
    "powerpc": _powerpc,
    "sparc": _sparc,
    "m68k": lambda logical: [{"arch": "m68k", "name": block.get("cpu"), "speed": block.get("clocking")} for block in logical],
}


def _clean(cpu):
    entry = {}
    for key in _STRING_FIELDS:
        value = perl_string(cpu.get(key))
        if value is not None:
            value = sanitize(value)
            if value != "":
                entry[key] = value
    for key in _INTEGER_FIELDS:
        value = integer_field(cpu.get(key))
        if value is not None:
            entry[key] = value
    return entry


def cpus_from_cpuinfo(text, machine=None, dmidecode_cpus=None):
    """GLPI's ``cpus`` entries from ``/proc/cpuinfo`` and the machine hardware name (``uname -m``).

    ``dmidecode_cpus``: DMI processors (type 4) in GLPI's keys, in DMI order, as
    the agent reads them from ``dmidecode`` (placeholders dropped, disabled
    sockets skipped); on x86 the entry of package N completes CPU N.  Without a
    machine name the kind of processor is guessed from the cpuinfo fields.
    """
    try:
        family = cpu_family(machine, text)
        if family is None:
            return []
        logical = parse_proc_cpuinfo(text)
        cpus = _x86(logical, dmidecode_cpus) if family == "x86" else _BUILDERS[family](logical)
        return [entry for entry in (_clean(cpu) for cpu in cpus) if entry]
    except Exception:  # pylint: disable=broad-except
        return []
