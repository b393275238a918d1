# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dmidecode's text into GLPI sections: GLPI Agent's corpus, both GLPI schemas, single behaviours, fuzzing."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode as d
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode_devices as dev
from tests._reference import CORPUS

SECTIONS = {
    "bios": d.bios_from_dmidecode,
    "hardware": d.hardware_from_dmidecode,
    "memories": dev.memories_from_dmidecode,
    "cpus": dev.cpus_from_dmidecode,
    "ports": dev.ports_from_dmidecode,
    "slots": dev.slots_from_dmidecode,
    "batteries": dev.batteries_from_dmidecode,
    "powersupplies": dev.powersupplies_from_dmidecode,
}

CORPUS_DMIDECODE = CORPUS / "dmidecode"
# Every dmidecode dump of the corpus, relative to its folder; a placeholder that fails (reference() gives the path) when missing.
SAMPLES = sorted(str(path.relative_to(CORPUS_DMIDECODE))[:-len(".txt")] for path in CORPUS_DMIDECODE.glob("**/*.txt")) or ["corpus-missing"]
_YES_NO = {"Yes": True, "No": False}


def _document(infos):
    content = {}
    for name, build in SECTIONS.items():
        section = build(infos)
        if section:
            content[name] = section
    content["versionclient"] = "x"
    return {"action": "inventory", "deviceid": "x-2026-01-01-00-00-00", "itemtype": "Computer", "content": content}


# --- GLPI Agent's corpus ----------------------------------------------------------------------------------------


@pytest.mark.corpus("dmidecode")
def test_corpus(corpus_case, assert_same_as_agent):
    """Every (sample, view) of the corpus's dmidecode folder.

    The sections are compared with the typed ``.inventory.json`` form: it is what
    the agent sends and what these functions return (integers, ISO dates,
    booleans, slots without a description and ports without a type left out).
    One exception: the agent's JSON form turns a PSU's ``Hot Replaceable: No``
    into ``true`` (any non-empty string is true to Perl), so ``plugged`` and
    ``hotreplaceable`` are compared with the tested ``Yes``/``No`` values.
    The raw view ``dmidecode_infos`` is compared with ``parse_dmidecode`` itself.
    """
    infos = d.parse_dmidecode(corpus_case.read_text())
    view = corpus_case.view
    if view == "dmidecode_infos":
        assert_same_as_agent(corpus_case, {str(dmi_type): handles for dmi_type, handles in infos.items()})
        return
    if view not in SECTIONS:
        pytest.fail("view %s of %r has no handler" % (view, corpus_case))
    actual = SECTIONS[view](infos)
    expected = (corpus_case.inventory or {}).get(view)
    if expected is None:
        # No section sent by the agent: the tested value has nothing either (null, [] or only nulls).
        tested = corpus_case.expected
        assert not tested or not any(value is not None for value in (tested.values() if isinstance(tested, dict) else tested))
        expected = {} if view in ("bios", "hardware") else []
    if view == "powersupplies":
        expected = [dict(entry, **{key: _YES_NO[tested[key]] for key in ("plugged", "hotreplaceable") if tested.get(key) in _YES_NO})
                    for entry, tested in zip(expected, corpus_case.expected)]
    assert_same_as_agent(corpus_case, actual, expected)


@pytest.mark.parametrize("sample", SAMPLES)
def test_corpus_sections_validate_against_both_glpi_schemas(sample, reference, assert_valid_inventory):
    path = reference("glpi-agent-corpus", "dmidecode", sample + ".txt")
    document = _document(d.parse_dmidecode(path.read_bytes().decode("utf-8", "replace")))
    assert_valid_inventory(document)


# --- single behaviours ------------------------------------------------------------------------------------------

DUMP = """# dmidecode 3.4
Getting SMBIOS data from sysfs.
SMBIOS 3.2.0 present.

Handle 0x0000, DMI type 0, 26 bytes
BIOS Information
\tVendor: LENOVO
\tVersion: N2IET98W (1.76 )
\tRelease Date: 04/21/2021
\tCharacteristics:
\t\tPCI is supported
\t\tBIOS boot specification is supported

Handle 0x0001, DMI type 1, 27 bytes
System Information
\tManufacturer: LENOVO
\tProduct Name: 20QDS3E200
\tVersion: ThinkPad X1 Carbon 7th
\tSerial Number: PF1ABCDE
\tUUID: 4c4c4544-0042-3010-8034-b4c04f4e3132
\tSKU Number: LENOVO_MT_20QD_BU_Think_FM_ThinkPad X1 Carbon 7th

Handle 0x0002, DMI type 2, 15 bytes
Base Board Information
\tManufacturer: LENOVO
\tProduct Name: 20QDS3E200
\tVersion: Not Defined
\tSerial Number: L1HF000000A

Handle 0x0003, DMI type 3, 22 bytes
Chassis Information
\tManufacturer: LENOVO
\tType: Notebook
\tSerial Number: PF1ABCDE
\tAsset Tag: No Asset Information

Handle 0x0004, DMI type 4, 48 bytes
Processor Information
\tSocket Designation: U3E1
\tType: Central Processor
\tFamily: Core i7
\tManufacturer: Intel(R) Corporation
\tID: EC 06 08 00 FF FB EB BF
\tVersion: Intel(R) Core(TM) i7-8665U CPU @ 1.90GHz
\tExternal Clock: 100 MHz
\tMax Speed: 4800 MHz
\tCurrent Speed: 1900 MHz
\tStatus: Populated, Enabled
\tSerial Number: None
\tCore Count: 4
\tCore Enabled: 4
\tThread Count: 8

Handle 0x0005, DMI type 4, 48 bytes
Processor Information
\tSocket Designation: CPU2
\tStatus: Unpopulated

Handle 0x0010, DMI type 16, 23 bytes
Physical Memory Array
\tError Correction Type: None

Handle 0x0011, DMI type 17, 40 bytes
Memory Device
\tSize: 8 GB
\tForm Factor: SODIMM
\tLocator: ChannelA-DIMM0
\tType: DDR4
\tSpeed: 2667 MT/s
\tManufacturer: Samsung
\tSerial Number: 12345678
\tPart Number: M471A1K43CB1-CTD

Handle 0x0012, DMI type 17, 40 bytes
Memory Device
\tSize: No Module Installed
\tForm Factor: SODIMM
\tLocator: ChannelB-DIMM0
\tType: Unknown
\tSpeed: Unknown
\tManufacturer: Not Specified
\tSerial Number: Not Specified
\tPart Number: Not Specified

Handle 0x0013, DMI type 22, 26 bytes
Portable Battery
\tLocation: Front
\tManufacturer: SMP
\tName: 02DL005
\tDesign Capacity: 51000 mWh
\tDesign Voltage: 11580 mV
\tSBDS Serial Number: 04C1
\tSBDS Manufacture Date: 2019-03-18
\tSBDS Chemistry: LiP
"""


def test_parse_groups_handles_by_type_and_drops_placeholders():
    infos = d.parse_dmidecode(DUMP)
    assert sorted(infos) == [0, 1, 2, 3, 4, 17, 22]  # 16 had only a placeholder: no field, no handle
    assert len(infos[4]) == 2
    assert infos[0][0] == {"Vendor": "LENOVO", "Version": "N2IET98W (1.76 )", "Release Date": "04/21/2021"}
    assert "Serial Number" not in infos[4][0]  # "None"
    assert infos[17][1] == {"Size": "No Module Installed", "Form Factor": "SODIMM", "Locator": "ChannelB-DIMM0"}


def test_parse_keeps_crlf_dumps_and_old_handle_layout():
    text = "Handle 0x0000\r\n\tDMI type 0, 20 bytes.\r\n\tBIOS Information Block\r\n\t\tVendor:   Award  Software \r\n\t\tRelease: 12/11/2002\r\n"
    assert d.parse_dmidecode(text) == {0: [{"Vendor": "Award Software", "Release": "12/11/2002"}]}


def test_parse_placeholders():
    for value in ("N/A", "Not Specified", "To Be Filled By O.E.M.", " To Be Filled By O.E.M.", "Default string", "<OUT OF SPEC>",
                  "System Serial Number", "Chassis Manufacture", "unknown"):
        assert d.is_placeholder(value), value
    for value in ("0", "Unknown vendor", "OEM", "Not Provided"):
        assert not d.is_placeholder(value), value


def test_parse_garbage_and_empty():
    assert d.parse_dmidecode("") == {}
    assert not d.dmidecode_is_usable(d.parse_dmidecode("Handle 0x0000, DMI type 0, 26 bytes\n\tVendor: X\n"))
    assert d.dmidecode_is_usable(d.parse_dmidecode(DUMP))
    assert d.parse_dmidecode("# No SMBIOS nor DMI entry point found, sorry.\n") == {}
    assert d.parse_dmidecode(None) == {}
    assert d.parse_dmidecode(b"Handle 0x0001, DMI type 1, 27 bytes\n\tUUID: \xff\xfe\n") == {1: [{"UUID": "\ufffd\ufffd"}]}


def test_bios_lenovo_marketing_name_and_iso_date():
    bios = d.bios_from_dmidecode(d.parse_dmidecode(DUMP))
    assert bios == {
        "bmanufacturer": "LENOVO", "bversion": "N2IET98W (1.76 )", "bdate": "2021-04-21",
        "smanufacturer": "LENOVO", "smodel": "ThinkPad X1 Carbon 7th", "ssn": "PF1ABCDE",
        "skunumber": "LENOVO_MT_20QD_BU_Think_FM_ThinkPad X1 Carbon 7th",
        "mmanufacturer": "LENOVO", "mmodel": "20QDS3E200", "msn": "L1HF000000A", "assettag": "No Asset Information",
    }


def test_bios_dates():
    assert d.bios_date("04/21/2021") == "2021-04-21"
    assert d.bios_date("21/04/2021") == "2021-04-21"  # day and month swapped by the firmware
    assert d.bios_date("02/11/99") is None
    assert d.bios_date("2021-04-21") == "2021-04-21"
    assert d.bios_date("13/13/2021") is None


def test_bios_virtualbox_serial_from_uuid_and_mac_placeholders():
    infos = {1: [{"Product Name": "VirtualBox", "UUID": "AB12CD34-0000-1111-2222-333344445555", "SKU Number": "Mac-SKU#"}],
             2: [{"Product Name": "VirtualBox"}], 3: [{"Asset Tag": "Asset Tag#"}]}
    bios = d.bios_from_dmidecode(infos)
    assert bios == {"smodel": "VirtualBox", "mmodel": "VirtualBox", "ssn": "ab12cd34-0000-1111-2222-333344445555"}


def test_bios_serial_falls_back_to_the_chassis():
    assert d.bios_from_dmidecode({1: [{"Manufacturer": "Acme"}], 3: [{"Serial Number": "CH-1"}]})["ssn"] == "CH-1"


def test_hardware():
    assert d.hardware_from_dmidecode(d.parse_dmidecode(DUMP)) == {"uuid": "4c4c4544-0042-3010-8034-b4c04f4e3132", "chassis_type": "Notebook"}
    assert d.hardware_from_dmidecode({}) == {}


def test_cpus_reverse_id_and_decode_it():
    cpus = dev.cpus_from_dmidecode(d.parse_dmidecode(DUMP))
    assert cpus == [{
        "name": "Intel Core i7-8665U CPU @ 1.90GHz", "manufacturer": "Intel(R) Corporation", "familyname": "Core i7",
        "id": "BFEBFBFF000806EC", "stepping": 12, "familynumber": "6", "model": "142",
        "core": 4, "thread": 2, "speed": 1900, "external_clock": 100,
    }]


def test_cpus_disabled_cores_and_hybrid_threads():
    info = {"Version": "Some CPU", "Core Count": "16", "Core Enabled": "12", "Thread Count": "20", "Current Speed": "3 GHz"}
    cpu = dev.cpus_from_dmidecode({4: [info]})[0]
    assert (cpu["core"], cpu["corecount"], cpu["thread"], cpu["speed"]) == (12, 16, 2, 3000)


def test_cpus_skip_vmware_empty_sockets():
    info = {"Manufacturer": "000000000000", "Version": "0" * 32}
    assert dev.cpus_from_dmidecode({4: [info]}) == []


def test_memories_one_entry_per_slot_in_mb():
    memories = dev.memories_from_dmidecode(d.parse_dmidecode(DUMP))
    assert memories == [
        {"numslots": 1, "capacity": 8192, "description": "SODIMM", "caption": "ChannelA-DIMM0", "type": "DDR4", "speed": "2667",
         "manufacturer": "Samsung", "serialnumber": "12345678", "model": "M471A1K43CB1-CTD"},
        {"numslots": 2, "description": "SODIMM", "caption": "ChannelB-DIMM0"},
    ]


def test_memory_sizes_and_speeds():
    assert dev.size_in_mb("512 MB") == 512
    assert dev.size_in_mb("16 GB") == 16384
    assert dev.size_in_mb("1 TB") == 1048576
    assert dev.size_in_mb("2048 kB") == 2
    assert dev.size_in_mb("lots") is None
    assert dev.memory_speed("1333 MT/s") == "1333"
    assert dev.memory_speed("667 MHz (1.5 ns)") == "667"
    assert dev.memory_speed("2.4 GHz") == "2400"
    assert dev.memory_speed("PC3200U-30330") == "400"
    assert dev.memory_speed("fast") is None


def test_memory_maker_from_jedec_id_or_part_number():
    assert dev.memory_maker("GSOG42F-18", "Bank 4, Hex 0x25") == ("KingMax", None)
    assert dev.memory_maker("HMT42GR7AFR4A-PB") == ("Hynix", "DDR3")
    assert dev.memory_maker("18JSF25672AZ-1G4F1") == ("Micron", "DDR3")
    assert dev.memory_maker("EBE21UE8ACUA-8G-E") == ("Elpida", "DDR2")
    assert dev.memory_maker("KHX1600C10D3/8G") == (None, None)


def test_memories_hex_part_number_flash_and_hyperv():
    infos = {0: [{"Vendor": "Microsoft Corporation", "Version": "Hyper-V UEFI Release v4.1"}],
             17: [{"Type": "Flash", "Size": "4 MB"}, {"Size": "1024 MB", "Part Number": "0x4B56523830304436"}]}
    assert dev.memories_from_dmidecode(infos) == [{
        "numslots": 2, "capacity": 1024, "model": "KVR800D6", "description": "Hyper-V Memory", "manufacturer": "Microsoft Corporation"}]


def test_memories_from_old_memory_banks():
    infos = {6: [{"Type": "ECC DIMM SDRAM", "Installed Size": "256Mbyte"}, {"Type": "DIMM"}]}
    assert dev.memories_from_dmidecode(infos) == [{"numslots": 1, "type": "ECC DIMM SDRAM", "capacity": 256}, {"numslots": 2, "type": "DIMM"}]


def test_ports_and_slots():
    infos = {
        8: [{"Internal Reference Designator": "J1", "External Connector Type": "DB-9 male", "Port Type": "Serial Port 16550A Compatible"},
            {"Internal Reference Designator": "J2"}],
        9: [{"Designation": "PCIe 1", "Type": "x16 PCI Express", "Current Usage": "In Use", "ID": "1"},
            {"Designation": "PCIe 2", "Current Usage": "Available"}],
    }
    assert dev.ports_from_dmidecode(infos) == [{
        "name": "J1", "caption": "DB-9 male", "description": "DB-9 male", "type": "Serial Port 16550A Compatible"}]
    assert dev.slots_from_dmidecode(infos) == [{"name": "PCIe 1", "description": "x16 PCI Express", "designation": "1", "status": "used"}]


def test_batteries_units_and_serials():
    batteries = dev.batteries_from_dmidecode(d.parse_dmidecode(DUMP))
    assert batteries == [{"name": "02DL005", "manufacturer": "SMP", "serial": "1217", "chemistry": "LiP",
                          "date": "2019-03-18", "voltage": 11580, "capacity": 51000}]
    assert dev.capacity_in_mwh("4400 mAh", 10800) == 47520
    assert dev.capacity_in_mwh("4400 mAh", None) is None
    assert dev.capacity_in_mwh("48 Wh", None) == 48000
    assert dev.voltage_in_mv("10.8 V") == 10800
    assert dev.battery_serial("0000") == "0"
    assert dev.battery_serial("12345") == "12345"
    assert dev.battery_serial("SN 42 ") == "SN 42"
    assert dev.battery_date("03/15/10") == "2010-03-15"


def test_batteries_need_name_manufacturer_serial_and_chemistry():
    assert dev.batteries_from_dmidecode({22: [{"Name": "B", "Manufacturer": "M", "Serial Number": "1"}]}) == []


def test_powersupplies_booleans_watts_and_dell_part_numbers():
    infos = {39: [
        {"Name": "PWR SPLY,750W", "Manufacturer": "DELL", "Model Part Number": "00XW8WA02", "Max Power Capacity": "750 W",
         "Plugged": "Yes", "Hot Replaceable": "No", "Status": "Present, OK"},
        {"Type": "Battery", "Name": "UPS"},
        {"Location": "PSU3", "Manufacturer": "To Be Filled By O.E.M.", "Status": "Present, OK"},
    ]}
    assert dev.powersupplies_from_dmidecode(infos) == [{
        "name": "PWR SPLY,750W", "manufacturer": "Dell", "partnum": "00XW8W", "power_max": 750,
        "plugged": True, "hotreplaceable": False, "status": "Present, OK"}]
    assert dev.power_in_watts("1 kW") == 1000
    assert dev.power_in_watts("none") is None


def test_absurd_numbers_are_no_values():
    huge = "9" * 5000
    text = "Handle 0x0001, DMI type %s, 1 bytes\n\tX: y\n" % huge
    assert d.parse_dmidecode(text) == {}
    infos = {4: [{"Version": "CPU @ %sGHz" % huge, "Core Count": huge, "Thread Count": huge, "External Clock": huge + " MHz",
                  "Current Speed": huge + " GHz", "ID": huge}],
             17: [{"Size": huge + " GB", "Speed": huge + " GHz"}], 6: [{"Installed Size": huge + " MB"}],
             22: [{"Name": "B", "Manufacturer": "M", "Serial Number": "0" + "F" * 40, "Chemistry": "LiP",
                   "Design Voltage": huge + " V", "Design Capacity": huge + " mAh"}],
             39: [{"Name": "P", "Max Power Capacity": huge + " W"}]}
    document = _document(infos)
    assert document["content"]["batteries"] == [{"name": "B", "manufacturer": "M", "serial": "0" + "F" * 40, "chemistry": "LiP"}]
    assert "power_max" not in document["content"]["powersupplies"][0]
    assert "capacity" not in document["content"]["memories"][0]
    assert "speed" not in document["content"]["cpus"][0]


def test_long_lines_cost_linear_time():
    long_values = [" " * 100000, "1" * 100000 + " x y", "-" * 100000 + "x", "9." * 50000 + "GHz!", " " * 100000 + ":",
                   "0x" + "4" * 100000]
    started = time.monotonic()
    for value in long_values:
        text = "Handle 0x0001, DMI type 17, 40 bytes\n" + "".join(
            "\t%s: %s\n" % (key, value) for key in ("Size", "Part Number", "Speed", "Version", "Max Power Capacity", "Design Voltage"))
        text += value + "\n" + "\t" + value + "\n"
        infos = d.parse_dmidecode(text)
        infos.update({4: infos.get(17, []), 22: infos.get(17, []), 39: infos.get(17, [])})
        _document(infos)
    assert time.monotonic() - started < 5


def test_whole_document_validates(assert_valid_inventory):
    assert_valid_inventory(_document(d.parse_dmidecode(DUMP)))


# --- fuzzing ----------------------------------------------------------------------------------------------------


def _check_shapes(infos):
    assert isinstance(infos, dict)
    for dmi_type, handles in infos.items():
        assert isinstance(dmi_type, int) and isinstance(handles, list)
        assert all(isinstance(handle, dict) and handle for handle in handles)
        assert all(isinstance(key, str) and isinstance(value, str) for handle in handles for key, value in handle.items())
    for name, build in SECTIONS.items():
        section = build(infos)
        assert isinstance(section, dict if name in ("bios", "hardware") else list)
        for entry in [section] if isinstance(section, dict) else section:
            assert isinstance(entry, dict)
            assert all(value is not None and value != "" for value in entry.values())


_LINE = st.one_of(
    st.text(max_size=60),
    st.builds(lambda handle, kind: "Handle 0x%04X, DMI type %d, 40 bytes" % (handle, kind),
              st.integers(0, 0xFFFF), st.sampled_from([0, 1, 2, 3, 4, 6, 8, 9, 16, 17, 22, 39, 127])),
    st.builds(lambda key, value: "\t%s: %s" % (key, value),
              st.sampled_from(["Version", "ID", "Size", "Speed", "Part Number", "Core Count", "Thread Count", "Core Enabled", "Type",
                               "Design Capacity", "Design Voltage", "Max Power Capacity", "Manufacture Date", "Release Date",
                               "Name", "Manufacturer", "Serial Number", "SBDS Chemistry", "Plugged", "Designation", "Port Type",
                               "Module Manufacturer ID", "Installed Size", "External Clock", "Current Speed"]),
              st.text(max_size=30)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=40))
def test_fuzz_dmidecode_like_text(lines):
    _check_shapes(d.parse_dmidecode("\n".join(lines)))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes(data):
    _check_shapes(d.parse_dmidecode(data))
    _check_shapes(d.parse_dmidecode(data.decode("latin-1")))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.integers(0, 50), st.lists(st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=6), max_size=4),
                       max_size=8))
def test_fuzz_section_builders_on_any_tables(infos):
    for build in SECTIONS.values():
        build(infos)
        build({key: [dict(handle, **{"Size": "9" * 400 + " GB", "ID": value}) for value in handle.values()] for key, handles in infos.items()
               for handle in handles})
    for build in SECTIONS.values():
        build(None)
        build({4: "not a list", 17: [None, 3, "x"]})


@pytest.mark.parametrize("sample", SAMPLES[:70:7])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=st.sampled_from(["truncate", "flip", "shuffle"]), seed=st.integers(0, 2 ** 32 - 1))
def test_fuzz_mutated_corpus_samples(sample, reference, mutation, seed):
    data = reference("glpi-agent-corpus", "dmidecode", sample + ".txt").read_bytes()
    rng = random.Random(seed)
    if mutation == "truncate":
        data = data[:rng.randrange(len(data) + 1)]
    elif mutation == "flip":
        data = bytearray(data)
        for _unused_index in range(rng.randint(1, 40)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
    else:
        lines = data.split(b"\n")
        rng.shuffle(lines)
        data = b"\n".join(lines)
    _check_shapes(d.parse_dmidecode(data))
