# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CPUs from /proc/cpuinfo against GLPI Agent's corpus; fuzzed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _linux
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _cpus as cpus
from tests._reference import reference_path

# uname -m of a machine each of the agent's Linux CPU modules runs on.
MACHINE_OF_MODULE = {"i386": "x86_64", "ARM": "armv7l", "Alpha": "alpha", "MIPS": "mips", "PowerPC": "ppc64", "SPARC": "sparc64"}


def machine_of(case):
    module = re.search(r"::Linux::(\w+)::CPU::", case.view_info["function"]).group(1)
    return MACHINE_OF_MODULE[module]


def dmidecode_processors(text):
    """Test stand-in for the dmidecode parser: DMI type 4 processors as the agent's getCpusFromDmidecode gives them.

    Only what the x86 cpuinfo merge reads (``id``, ``serial``, ``external_clock``,
    ``familyname``, ``corecount``, ``core``, ``thread``) for the four corpus samples.
    """
    processors = []
    for section in re.split(r"\n(?=Handle 0x)", text.replace("\r\n", "\n")):
        if not re.search(r"^Handle 0x[0-9A-Fa-f]+, DMI type 4,", section):
            continue
        fields = dict(re.findall(r"^\t([^\t:][^:]*): (.+?)\s*$", section, re.MULTILINE))
        fields = {key: value for key, value in fields.items() if value not in ("Not Specified", "Unknown", "None")}
        if re.search("Unpopulated|Disabled", fields.get("Status", ""), re.IGNORECASE):
            continue
        core = fields.get("Core Enabled") or fields.get("Core Count")
        cpu = {"serial": fields.get("Serial Number"), "familyname": fields.get("Family"), "core": core}
        if fields.get("ID"):
            cpu["id"] = "".join(reversed(fields["ID"].split()))
        clock = re.match(r"^\s*(\d+)\s*Mhz", fields.get("External Clock", ""), re.IGNORECASE)
        cpu["external_clock"] = clock.group(1) if clock else None
        if fields.get("Thread Count") and core:
            cpu["thread"] = -(-int(fields["Thread Count"]) // int(core))
        if fields.get("Core Enabled") and fields.get("Core Count") and fields["Core Enabled"] != fields["Core Count"]:
            cpu["corecount"] = fields["Core Count"]
        processors.append(cpu)
    return processors


@pytest.mark.corpus("cpuinfo")
def test_cpuinfo_like_glpi_agent(corpus_case, assert_same_as_agent, assert_valid_inventory):
    text = corpus_case.read_text()
    if corpus_case.view == "cpus":
        companions = list((corpus_case.entry.get("extra_inputs") or {}).values())  # the dmidecode of the same machine
        dmi = dmidecode_processors(corpus_case.read_text(companions[0]["input"])) if companions else None
        actual = cpus.cpus_from_cpuinfo(text, machine_of(corpus_case), dmi)
        assert_same_as_agent(corpus_case, actual)
        assert actual == corpus_case.inventory["cpus"]  # the typed form the agent sends
        assert_valid_inventory(_document(cpus=actual))
        if not companions:
            assert cpus.cpus_from_cpuinfo(text) == actual  # the kind of processor guessed without uname -m
    elif corpus_case.view == "proc_cpuinfo":
        assert_same_as_agent(corpus_case, cpus.parse_proc_cpuinfo(text))
    elif corpus_case.view in ("arm_board", "bios"):
        # GLPI Agent takes an ARM board's bios from /proc/cpuinfo; this collection takes it from dmidecode and
        # /sys/class/dmi/id only (inventory/_linux.build_bios), so the board's block gives no bios here.
        assert _linux.build_bios({"cpuinfo": text}) is None
    else:
        pytest.fail("unhandled view %s" % corpus_case.view)


def _document(**content):
    return {"action": "inventory", "deviceid": "host-2026-01-01-00-00-00", "itemtype": "Computer",
            "content": dict(content, versionclient="test")}


# --- behaviour on hand-made inputs -------------------------------------------------------------------------------

def _x86_block(processor, package, core_id, name="AMD EPYC", cores=2, siblings=2):
    return ("processor\t: %d\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: %s\n"
            "stepping\t: 1\ncpu MHz\t\t: 2596.140\nphysical id\t: %d\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n"
            "power management:\n\n") % (processor, name, package, siblings, core_id, cores)


def test_x86_one_entry_per_package_like_the_agent_on_this_kind_of_vm():
    # GLPI Agent on a 2-vCPU EPYC VM without DMI: arch i386, no speed (none in the model name).
    text = _x86_block(0, 0, 0) + _x86_block(1, 0, 1)
    assert cpus.cpus_from_cpuinfo(text, "x86_64") == [{
        "arch": "i386", "core": 2, "familynumber": "25", "manufacturer": "AMD", "model": "17", "name": "AMD EPYC",
        "stepping": 1, "thread": 1,
    }]


def test_x86_threads_rounded_up_and_speed_from_the_model_name():
    name = "Intel(R) Core(TM) i7-1260P @ 1.87GHz"
    text = "".join(_x86_block(n, n // 16, n, name=name, cores=12, siblings=16) for n in range(32))
    found = cpus.cpus_from_cpuinfo(text, "x86_64")
    assert len(found) == 2 and found[0]["thread"] == 2 and found[0]["speed"] == 1870 and found[0]["core"] == 12


def test_x86_without_physical_id_one_entry_per_processor():
    text = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Pentium\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n"
    assert cpus.cpus_from_cpuinfo(text, "i686") == [
        {"arch": "i386", "core": 1, "thread": 1, "manufacturer": "Intel", "name": "Pentium"},
        {"arch": "i386", "core": 1, "thread": 1, "manufacturer": "Intel"},
    ]


def test_no_entry_for_machines_the_agent_has_no_module_for():
    s390 = "vendor_id       : IBM/S390\n# processors    : 2\nprocessor 0: version = FF\n"
    assert cpus.cpus_from_cpuinfo(s390, "s390x") == []
    assert cpus.cpus_from_cpuinfo(_x86_block(0, 0, 0), "riscv64") == []


def test_cpuinfo_splits_logical_cpus():
    text = "processor\t: 0\nvendor_id\t: GenuineIntel\nphysical id\t: 0\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nphysical id\t: 0\n"
    logical = cpus.parse_proc_cpuinfo(text)
    assert [c["processor"] for c in logical] == ["0", "1"]
    assert logical[1]["vendor_id"] == "GenuineIntel"


def test_an_arm_boards_block_is_no_processor():
    text = "processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\n\nHardware\t: BCM2835\nRevision\t: a22082\nSerial\t\t: 0000\n"
    assert cpus.parse_proc_cpuinfo(text) == [{"processor": "0", "model name": "ARMv7 Processor rev 4 (v7l)"}]


# --- fuzzing: no exception escapes, the result keeps its shape ----------------------------------------------------

SAMPLES = sorted(path.read_bytes() for path in reference_path("glpi-agent-corpus", "cpuinfo").glob("*.txt") if "dmidecode" not in path.name)
MACHINES = st.sampled_from([None, "x86_64", "i686", "armv7l", "aarch64", "alpha", "mips64", "ppc64le", "sparc64", "m68k", "s390x", ""])
DMI = st.one_of(st.none(), st.lists(st.one_of(st.none(), st.dictionaries(
    st.sampled_from(["id", "serial", "external_clock", "familyname", "corecount", "core", "thread", "stepping", "model"]),
    st.one_of(st.none(), st.text(max_size=8), st.integers(-5, 10 ** 6)))), max_size=3))


def _check(text, machine, dmi):
    family = cpus.cpu_family(machine, text)
    logical = cpus.parse_proc_cpuinfo(text)
    assert isinstance(logical, list) and all(isinstance(block, dict) for block in logical)
    if family is not None:
        # The private builders have no safety net: a bug shows here.
        found = cpus._x86(logical, dmi) if family == "x86" else cpus._BUILDERS[family](logical)  # pylint: disable=protected-access
        assert isinstance(found, list)
    result = cpus.cpus_from_cpuinfo(text, machine, dmi)
    assert isinstance(result, list)
    for entry in result:
        for key, value in entry.items():
            assert isinstance(value, int if key in ("core", "corecount", "external_clock", "speed", "stepping", "thread") else str)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2ff), max_size=400), MACHINES, DMI)
def test_fuzz_cpuinfo_on_random_text(text, machine, dmi):
    _check(text, machine, dmi)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(0, 2 ** 32), MACHINES, DMI)
def test_fuzz_cpuinfo_on_mutated_samples(mutate, sample, seed, machine, dmi):
    _check(mutate(sample, seed).decode("utf-8", "replace"), machine, dmi)
