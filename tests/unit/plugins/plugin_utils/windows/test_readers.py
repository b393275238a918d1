# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows readers (``plugin_utils/windows/``: ``_values``, ``_system``, ``_storage``, ``_network``, ``_software``,
``_licenses``, ``_devices``, ``_accounts``, ``_virtualmachines``) on GLPI Agent's win32 corpus, whole documents from
collector-shaped sources, the collector script, fuzzing."""

from __future__ import annotations

import json
import pathlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode_devices
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _dmidecode
from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows import (
    _accounts, _devices, _licenses, _network, _software, _storage, _system, _values, _virtualmachines,
)
from tests._reference import CORPUS, reference_path

# Corpus views of sources the Windows collector does not read (windows/_collector.py's script), so no parser reads
# them: each view's check proves the collector still does not (else the parser has to come back).
NOT_COLLECTED = {
    # the agent's printers' serials from the Enum\USBPRINT and Enum\USB registry keys: no printers section here
    "usb_printer_serial": "usbprint",
    # the agent merges dmidecode's batteries with powercfg's; this collector runs no dmidecode on Windows
    "batteries": "dmidecode",
}


def _check_not_collected(case):
    assert NOT_COLLECTED[case.view] not in collector.collector_script().lower()
    if case.view == "usb_printer_serial":
        assert "printers" not in iw.SECTION_BUILDERS
    else:
        sources = corpus_sources(case)
        assert iw.build_batteries(sources) == iw.build_batteries({k: v for k, v in sources.items() if k != "dmidecode"})


# --- from the corpus's dumps to what the collector returns ------------------------------------------------------

def _loader_differences():
    return json.loads(reference_path("glpi-agent-corpus", "win32", "test-loader-differences.json").read_text())


def _as_the_agent_test_read(relative, data, differences):
    """The dump as GLPI Agent's test helpers read it (corpus README, "Caveat"): the expected values come from that
    reading, so the corpus tests feed the parsers the same (values dropped, cut or replaced as listed)."""
    for diff in differences.get(relative) or []:
        if "instance" in diff:
            if diff["instance"] < len(data):
                data[diff["instance"]][diff["property"]] = diff.get("test_loader_value")
            continue
        if diff["reason"].startswith("key outside the first key"):
            continue  # emulated where it matters (the license view merges the sibling keys)
        root = data["keys"][0]["path"]
        path = diff["key"] if diff["key"].startswith("HKEY_") else (root + "\\" + diff["key"] if diff["key"] else root)
        for key in reversed(data["keys"]):
            if key["path"].lower() == path.lower() and diff["value"] in key["values"]:
                if "test_loader_value" in diff:
                    key["values"][diff["value"]]["data"] = diff["test_loader_value"]
                else:
                    del key["values"][diff["value"]]
                break
    return data


def corpus_sources(case):
    """``{"wmi": {class: instances}, "registry": {name: dump}, ...}`` from a sample's inputs: the collector's shape.

    A registry dump is named by its key's last element (``Uninstall``, ``LogonUI``...), as the collector names them;
    an ``IdentityCache\\<sid>`` key is the collector's ``IdentityStore``.
    """
    differences = _loader_differences()
    metas = [case.entry] + [meta for meta in (case.entry.get("extra_inputs") or {}).values() if isinstance(meta, dict)]
    sources = {"wmi": {}, "registry": {}}
    for meta in metas:
        relative = meta["input"]
        if relative.endswith(".wmi"):
            if meta.get("read_by_agent") is False:
                continue
            data = json.loads((CORPUS / meta["json"]).read_text())
            sources["wmi"][meta["wmi_class"]] = _as_the_agent_test_read(relative, data, differences)
        elif relative.endswith(".reg"):
            data = _as_the_agent_test_read(relative, json.loads((CORPUS / meta["json"]).read_text()), differences)
            parts = meta["registry_root"].split("\\")
            name = "IdentityStore" if len(parts) > 2 and parts[-2] == "IdentityCache" else parts[-1]
            sources["registry"][name] = data
        elif ".dmidecode" in relative:
            sources["dmidecode"] = (CORPUS / relative).read_text()
        elif relative.endswith(".xml"):
            sources["powercfg"] = (CORPUS / relative).read_bytes().decode("utf-8", "replace")
        elif "appx" in relative:
            sources["appx"] = (CORPUS / relative).read_text()
    return sources


def _dmidecode_cpus(sources, sample):
    if sample.startswith("2003") or not sources.get("dmidecode"):
        return None
    return _dmidecode_devices.cpus_from_dmidecode(_dmidecode.parse_dmidecode(sources["dmidecode"]))


def _sorted_softwares(entries):
    return sorted(entries, key=lambda entry: (entry.get("name") or "", entry.get("guid") or "", entry.get("publisher") or ""))


def _perl_false_as_empty(entries, field):
    """Perl's false comparison result is the empty string in the agent's tested values."""
    return [dict(entry, **{field: ("1" if entry[field] else "")}) if field in entry else entry for entry in entries]


def _view(case):
    """What the collection's parser gives for one view of one corpus sample."""
    sources = corpus_sources(case)
    wmi, registry = sources["wmi"], sources["registry"]
    sample = case.name.split("/", 1)[1]
    view = case.view
    if view == "bios":
        return _system.bios(wmi)
    if view == "cpus":
        return _system.cpus(wmi.get("Win32_Processor"), registry.get("CentralProcessor"), _dmidecode_cpus(sources, sample))
    if view == "memories":
        return _system.memories(wmi.get("Win32_PhysicalMemory"), wmi.get("Win32_PhysicalMemoryArray"))
    if view == "drives":
        found = _storage.drives(wmi.get("Win32_LogicalDisk"), wmi.get("Win32_Volume"), wmi.get("Win32_EncryptableVolume"),
                                wmi.get("Win32_OperatingSystem"))
        return _perl_false_as_empty(found, "systemdrive")
    if view == "storages":
        return _storage.storages(wmi.get("MSFT_PhysicalDisk") or wmi.get("Win32_DiskDrive")) + _storage.storages(wmi.get("Win32_CDROMDrive"))
    if view == "interfaces":
        return _network.interfaces(wmi.get("Win32_NetworkAdapterConfiguration"), wmi.get("Win32_NetworkAdapter"), wmi.get("MSFT_NetAdapter"))
    if view == "media_type":
        network_class = next(dump for name, dump in registry.items() if name.upper().startswith("{4D36E972"))
        return {pnp: _network.media_type(pnp, network_class) for pnp in case.expected}
    if view == "softwares":
        found = _software.softwares(registry.get("Uninstall"), "i586", registry.get("SQL"), registry.get("Setup"))
        return _sorted_softwares(found + _software.appx_packages(sources.get("appx")))
    if view == "hotfixes":
        return _software.hotfixes(wmi.get("Win32_QuickFixEngineering"))
    if view == "license":
        if "SoftwareLicensingProduct" in wmi:
            found = _licenses.licenses(None, wmi["SoftwareLicensingProduct"])
            return found[0] if found else {}
        dump = next(iter(registry.values()))
        # The agent's test helper merges sibling keys at the first key's depth into it, later values winning.
        depth = len(dump["keys"][0]["path"].split("\\"))
        merged = {}
        for key in dump["keys"]:
            if len(key["path"].split("\\")) == depth:
                merged.update({name: value["data"] for name, value in key["values"].items()})
        return _licenses.office_license(merged)
    if view == "last_user":
        accounts = [obj for obj in wmi.get("Win32_UserAccount") or [] if obj.get("Name") == "teclib"]  # the agent's WQL
        return _accounts.last_user(wmi.get("Win32_ComputerSystem"), registry.get("LogonUI"), registry.get("Winlogon"), accounts,
                                   registry.get("IdentityStore"))
    if view == "videos":
        display_class = next((dump for name, dump in registry.items() if name.lower().startswith("{4d36e968")), None)
        return _devices.videos(wmi.get("Win32_VideoController"), display_class)
    if view == "usbdevices":
        return _devices.usb_devices(wmi.get("CIM_LogicalDevice"))
    if view == "powercfg":
        return _devices.powercfg_batteries(sources.get("powercfg"))
    if view == "dmidecode_batteries":
        return _dmidecode_devices.batteries_from_dmidecode(_dmidecode.parse_dmidecode(sources["dmidecode"]))
    if view == "firewall_profiles":
        return {short: {key.upper(): value for key, value in profile.items()}
                for short, profile in _network.firewall_profiles(registry).items()}
    if view == "firewall":
        found = _network.interfaces(wmi.get("Win32_NetworkAdapterConfiguration"), wmi.get("Win32_NetworkAdapter"), wmi.get("MSFT_NetAdapter"))
        return _network.firewalls(registry, registry.get("NetworkList"), registry.get("DNSRegisteredAdapters"), found)
    if view == "virtualmachines":
        return _virtualmachines.virtual_machines(wmi.get("MSVM_ComputerSystem"), wmi.get("MSVM_MemorySettingData"),
                                                 wmi.get("MSVM_ProcessorSettingData"), wmi.get("MSVM_VirtualSystemSettingData"))
    pytest.fail("view %s of %r has no handler" % (view, case))
    return None


@pytest.mark.corpus("win32")
def test_corpus(corpus_case, assert_same_as_agent):
    """Every (sample, view) of the corpus's win32 folder equals GLPI Agent's tested value."""
    if corpus_case.view in NOT_COLLECTED:
        _check_not_collected(corpus_case)
        return
    actual = _view(corpus_case)
    expected = corpus_case.expected
    if corpus_case.view == "dmidecode_batteries":
        # The dmidecode battery parser is the Linux one, which returns the typed form (ISO ``date``): compare it with
        # the agent's typed form, as test_dmidecode.py does.
        expected = corpus_case.inventory[corpus_case.view]
    if corpus_case.view in ("media_type", "firewall_profiles"):
        assert actual == expected
        return
    assert_same_as_agent(corpus_case, actual, expected)
    if corpus_case.view == "usbdevices":
        # docs/corpus-differences.md: the agent names the devices from its usb.ids, this collection keeps WMI's names
        wmi_names = {obj.get("Name") for obj in corpus_sources(corpus_case)["wmi"].get("CIM_LogicalDevice") or []}
        assert [entry for entry in actual if "manufacturer" in entry or entry.get("name") not in wmi_names | {None}] == []


# --- the agent's JSON form: each view shaped as the section GLPI receives ----------------------------------------

from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _document as inv  # noqa: E402
from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _windows as iw  # noqa: E402

VIEW_SECTIONS = {"bios": "bios", "cpus": "cpus", "memories": "memories", "drives": "drives", "storages": "storages",
                 "interfaces": "networks", "softwares": "softwares", "hotfixes": "softwares", "license": "licenseinfos",
                 "last_user": "users", "videos": "videos", "usbdevices": "usbdevices", "powercfg": "batteries",
                 "dmidecode_batteries": "batteries", "batteries": "batteries", "firewall": "firewalls",
                 "virtualmachines": "virtualmachines"}


@pytest.mark.corpus("win32")
def test_corpus_sections(corpus_case, assert_same_as_agent):
    """Every view that the agent sends as a section (its ``.inventory.json`` form) equals ``glpi_section`` of ours."""
    view = corpus_case.view
    if view in ("media_type", "firewall_profiles", "usb_printer_serial"):
        assert corpus_case.view_info.get("section") in (None, "") or corpus_case.inventory is None \
            or view not in corpus_case.inventory
        return
    assert view in VIEW_SECTIONS, "view %s has no section" % view
    if view in NOT_COLLECTED:
        _check_not_collected(corpus_case)
        return
    actual = _view(corpus_case)
    if view == "drives":
        actual = [dict(entry, systemdrive=entry["systemdrive"] == "1") for entry in actual]
    expected = corpus_case.inventory[view]
    section = iw.glpi_section(VIEW_SECTIONS[view], actual)
    if isinstance(expected, list):
        section = section or []
    assert_same_as_agent(corpus_case, section, expected)


# --- whole documents: corpus dumps converted into what the collector returns -----------------------------------

import base64  # noqa: E402
import types  # noqa: E402

from ansible_collections.glpiops.glpi.plugins.plugin_utils.windows import _collector as collector  # noqa: E402


def _index_entry(name):
    index = json.loads((CORPUS / "index.json").read_text())
    return index["folders"]["win32"]["samples"][name]


def _merge(*names):
    """The sources of several corpus samples of one machine profile, merged as one collector result would hold them."""
    merged = {"wmi": {}, "registry": {}}
    for name in names:
        sources = corpus_sources(types.SimpleNamespace(entry=_index_entry(name)))
        merged["wmi"].update(sources.pop("wmi"))
        registry = sources.pop("registry")
        for key, dump in registry.items():
            if key.startswith("{9014") or key.startswith("{0049"):
                # An Office Registration\{GUID} dump: the collector dumps HKLM\SOFTWARE\Microsoft\Office with them.
                root = dump["keys"][0]["path"].split("\\Office\\")[0] + "\\Office"
                dump = {"keys": [{"path": root, "values": {}}] + dump["keys"]}
                key = "Office"
            merged["registry"][key] = dump
        merged.update(sources)
    return merged


def _os_classes(caption, version, build, host, domain, model, maker, architecture="64-bit", language="1033"):
    """What Win32_OperatingSystem/ComputerSystem give (no corpus sample has them: written here)."""
    return {
        "Win32_OperatingSystem": [{"Caption": caption, "Version": version, "BuildNumber": build, "OSArchitecture": architecture,
                                   "InstallDate": "2023-03-14T09:26:53", "LastBootUpTime": "2026-11-20T07:01:02",
                                   "SerialNumber": "00330-80000-00000-AA123", "OSLanguage": int(language), "SystemDrive": "C:",
                                   "RegisteredUser": "IT", "Organization": "Example", "TotalSwapSpaceSize": None}],
        "Win32_ComputerSystem": [{"Name": host.upper(), "DNSHostName": host, "Domain": domain, "PartOfDomain": True,
                                  "Manufacturer": maker, "Model": model, "TotalPhysicalMemory": 17059885056,
                                  "UserName": None, "Workgroup": None}],
        "Win32_ComputerSystemProduct": [{"UUID": "4C4C4544-0042-3010-8052-B4C04F4B4E32"}],
        "Win32_PageFileUsage": [{"AllocatedBaseSize": 2432}],
    }


def _edid_base64():
    sample = sorted((CORPUS / "edid").glob("*.txt"))[0]
    return base64.b64encode(sample.read_bytes()).decode("ascii")


def _profile(name):
    if name == "workstation":
        sources = _merge("cpus/7", "memories/7", "drives/win10-crypt", "storages/latitude-7480", "firewall/10", "networks/10-net",
                         "videos/intel+nvidia", "batteries/win10-dell-xps", "usb/7", "users/11-AzureAD",
                         "license/office_2016_01", "softwares/mssql")
        sources["wmi"].update(_os_classes("Microsoft Windows 11 Pro", "10.0.22631", "22631", "ws-042", "corp.example",
                                          "Latitude 7480", "Dell Inc."))
        sources["wmi"]["Win32_ComputerSystem"][0]["UserName"] = "AzureAD\\JohnDoe"
        sources["wmi"]["AntiVirusProduct"] = [{"displayName": "Windows Defender", "instanceGuid": "{D68DDC3A-831F-4fae-9E44-DA132C1ACF46}",
                                               "productState": 397568, "timestamp": "Mon, 23 Nov 2026 08:00:00 GMT"}]
        sources["wmi"]["MSFT_MpComputerStatus"] = [{"AMProductVersion": "4.18.24090.11", "AntivirusEnabled": True,
                                                    "AntivirusSignatureVersion": "1.421.123.0"}]
        sources["monitors"] = [{"instance": "DISPLAY\\DEL40A3\\5&1a2b3c4d&0&UID4352", "edid": _edid_base64()}]
        sources["registry"]["CurrentVersion"] = {"keys": [{"path": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
                                                           "values": {"UBR": {"type": "REG_DWORD", "data": 4460},
                                                                      "DisplayVersion": {"type": "REG_SZ", "data": "23H2"}}}]}
    elif name == "server":
        sources = _merge("cpus/2019-amd-epyc", "memories/2003SP2", "drives/2008-Enterprise", "storages/2008-Enterprise",
                         "firewall/7_firewall", "networks/7", "softwares/mssql_engine", "hyperv/2008", "hotfixes/xp",
                         "license/office_2010_1", "users/7-AD")
        sources["wmi"].update(_os_classes("Microsoft Windows Server 2022 Standard", "10.0.20348", "20348", "srv-db1", "ad.example",
                                          "PowerEdge R640", "Dell Inc."))
        sources["wmi"]["MSFT_MpComputerStatus"] = [{"AMProductVersion": "4.18.24090.11", "AntivirusEnabled": True,
                                                    "AntivirusSignatureVersion": "1.421.123.0", "AntivirusSignatureOutOfDate": False}]
        sources["wmi"]["Win32_UserAccount"] = [{"Name": "Administrator", "SID": "S-1-5-21-1-2-3-500", "LocalAccount": True,
                                                "FullName": ""}]
        sources["wmi"]["Win32_Group"] = [{"Name": "Administrators", "SID": "S-1-5-32-544", "Members": ["SRV-DB1\\Administrator"]}]
        sources["logged_users"] = [{"User": "admin", "Domain": "AD"}]
    elif name == "vm":
        sources = _merge("bios/proxmox", "cpus/2003", "memories/xp", "drives/win7-sp1-x64", "storages/win10-edu-2020-fr",
                         "networks/vpn-up", "videos/amd-radeon-rx6600xt", "users/10-StandAlone", "softwares/xp")
        sources["wmi"].update(_os_classes("Microsoft Windows 10 Enterprise", "10.0.19045", "19045", "vm-7", "WORKGROUP",
                                          "Standard PC (i440FX + PIIX, 1996)", "QEMU"))
        sources["wmi"]["Win32_ComputerSystem"][0]["PartOfDomain"] = False
    else:  # localized: Russian, French and Spanish dumps
        sources = _merge("softwares/10_russian", "memories/2003", "storages/win10-edu-2020-fr", "networks/xp", "usb/xppro2",
                         "cpus/xp", "drives/winxp-sp3-x86", "videos/nvidia-geforce-rtx-2060-super")
        sources["wmi"].update(_os_classes("Майкрософт Windows 10 Pro", "10.0.19044", "19044", "пк-бухгалтерия", "WORKGROUP",
                                          "To Be Filled By O.E.M.", "To Be Filled By O.E.M.", language="1049"))
    sources["timezone"] = {"name": "W. Europe Standard Time", "offset": "+0100", "offset_minutes": 60}
    sources["clock"] = 1795420800
    sources["is64bit"] = True
    return {"raw_format": collector.RAW_FORMAT, "os_family": "windows", "deviceid": "host-2026-11-23-09-00-00",
            "deviceid_source": "read", "sources": sources, "errors": {}}


PROFILE_SECTIONS = {
    "workstation": {"hardware", "bios", "operatingsystem", "antivirus", "batteries", "cpus", "drives", "firewalls", "licenseinfos",
                    "memories", "monitors", "networks", "softwares", "storages", "usbdevices", "users", "videos"},
    "server": {"hardware", "bios", "operatingsystem", "antivirus", "cpus", "drives", "firewalls", "licenseinfos", "local_groups",
               "local_users", "memories", "networks", "softwares", "storages", "users", "virtualmachines"},
    "vm": {"hardware", "bios", "operatingsystem", "cpus", "drives", "memories", "networks", "softwares", "storages", "users", "videos"},
    "localized": {"hardware", "operatingsystem", "cpus", "drives", "memories", "networks", "softwares", "storages", "usbdevices",
                  "videos"},
}


@pytest.mark.parametrize("profile", sorted(PROFILE_SECTIONS))
def test_whole_document_validates(profile, reference, assert_valid_inventory):
    reference("glpi-agent-corpus", "index.json")
    collected = _profile(profile)
    document, warnings = inv.build_inventory(collected, collected["deviceid"], now=1795420800,
                                             provider={"ansible-core": "2.19"})
    assert warnings == []
    assert_valid_inventory(document)
    content = document["content"]
    assert PROFILE_SECTIONS[profile] <= set(content), sorted(PROFILE_SECTIONS[profile] - set(content))
    assert content["operatingsystem"]["name"] == "Windows"
    assert content["accesslog"]["logdate"].startswith("2026-")
    json.dumps(document, ensure_ascii=False)


def test_workstation_document_details(reference):
    reference("glpi-agent-corpus", "index.json")
    content = inv.build_inventory(_profile("workstation"), "ws-042-x")[0]["content"]
    assert content["hardware"]["lastloggeduser"] == "johndoe"
    assert content["hardware"]["name"] == "ws-042"
    assert content["hardware"]["memory"] == 16269
    assert content["operatingsystem"]["service_pack"] == "22631.4460"
    assert content["operatingsystem"]["version"] == "23H2"
    assert content["operatingsystem"]["timezone"] == {"name": "W. Europe Standard Time", "offset": "+0100"}
    assert content["antivirus"] == [{"company": "Microsoft Corporation", "name": "Windows Defender", "guid": "{D68DDC3A-831F-4fae-9E44-DA132C1ACF46}",
                                     "enabled": True, "uptodate": True, "version": "4.18.24090.11", "base_version": "1.421.123.0"}]
    assert content["monitors"][0]["base64"]
    assert content["users"][0] == {"login": "johndoe", "domain": "nowhere.org"}
    assert all(entry["status"] for entry in content["firewalls"])
    assert content["licenseinfos"][0]["key"].endswith("WE9H9")
    assert content["hardware"]["vmsystem"] == "Physical"


def test_server_and_vm_details(reference):
    reference("glpi-agent-corpus", "index.json")
    server = inv.build_inventory(_profile("server"), "srv")[0]["content"]
    assert server["antivirus"][0]["name"] == "Microsoft Defender Antivirus" and server["antivirus"][0]["uptodate"] is True
    assert server["local_groups"] == [{"id": "S-1-5-32-544", "name": "Administrators", "members": ["SRV-DB1\\Administrator"]}]
    assert {"login": "admin", "domain": "AD"} in server["users"]
    assert server["virtualmachines"][0]["vmtype"] == "hyperv"
    assert any(entry["name"] == "KB980195" for entry in server["softwares"])
    vm = inv.build_inventory(_profile("vm"), "vm")[0]["content"]
    assert vm["hardware"]["vmsystem"] == "QEMU"
    assert vm["operatingsystem"]["fqdn"] == "vm-7"
    assert vm["bios"]["bdate"] == "2014-04-01"


# --- the collector script (pwsh is not installable here: its structure is checked instead) ------------------------

def _script_without_strings(script):
    script = re.sub(r"@'.*?'@", "", script, flags=re.DOTALL)
    script = re.sub(r"'[^'\n]*'", "''", script)
    script = re.sub(r'"(?:`.|[^"`\n])*"', '""', script)
    return "\n".join(line.split("#", 1)[0] for line in script.splitlines())


def test_collector_script_is_balanced():
    code = _script_without_strings(collector.collector_script())
    for opening, closing in ("{}", "()", "[]"):
        depth = 0
        for char in code:
            depth += (char == opening) - (char == closing)
            assert depth >= 0, "unbalanced %s%s" % (opening, closing)
        assert depth == 0, "unbalanced %s%s" % (opening, closing)


def test_every_source_function_is_dispatched_and_defined():
    script = collector.collector_script()
    defined = set(re.findall(r"^function (Get-[\w-]+)", script, re.MULTILINE))
    helpers = {"Get-Instances", "Get-DeviceId"}
    assert defined - helpers == set(collector.SOURCE_FUNCTIONS)
    assert re.search(r"^\$SourceFunctions = @\(%s\)$" % ", ".join("'%s'" % name for name in collector.SOURCE_FUNCTIONS),
                     script, re.MULTILINE)
    # docs/windows.md's table of the sources that need an administrator names real source functions
    privileges = (pathlib.Path(__file__).resolve().parents[5] / "docs" / "windows.md").read_text().split("## Privileges", 1)[1]
    admin_sources = re.findall(r"^\| `(Get-[\w-]+)` \|", privileges.split("\n## ", 1)[0], re.MULTILINE)
    assert admin_sources and set(admin_sources) <= set(collector.SOURCE_FUNCTIONS)
    assert "@SOURCE_FUNCTIONS@" not in script
    called = set(re.findall(r"^\s*(?:Add-Wmi|Add-Registry|function|try \{ &|\$\w+ = )?\s*(Add-[\w]+|Get-[\w-]+)", script, re.MULTILINE))
    assert {"Add-Wmi", "Add-Registry", "Add-RegTree"} <= called


def test_collector_script_settings_and_ascii():
    script = collector.collector_script(check_mode=True, cim_timeout=12, time_budget=90)
    assert script.startswith("$CheckMode = $true\n$CimTimeout = 12\n$TimeBudget = 90\n")
    assert all(ord(char) < 128 for char in script)
    assert "-EncodedCommand" not in script
    for word in ("Win32_ComputerSystemProduct", "Win32_QuickFixEngineering", "SecurityCenter2", "MSFT_MpComputerStatus",
                 "GLPI-Agent\\Remote", "Wow6432Node", "WmiMonitorID", "Win32_EncryptableVolume", "FirewallPolicy"):
        assert word in script


def test_collector_command_reads_the_script_from_its_input():
    from ansible.plugins.loader import shell_loader

    shell = shell_loader.get("powershell")
    command = collector.collector_command(shell)
    assert " -EncodedCommand " in command
    decoded = base64.b64decode(command.rsplit(" ", 1)[1]).decode("utf-16-le")
    assert "$input" in decoded and "ScriptBlock" in decoded
    assert len(command) < 2000


def test_parse_collector_output():
    document = {"raw_format": 1, "os_family": "windows", "sources": {}, "errors": {}}
    noise = "#< CLIXML\r\n<Objs Version=\"1.1.0.1\"><Obj S=\"progress\"/></Objs>\r\n"
    assert collector.parse_collector_output((noise + json.dumps(document) + "\r\n").encode()) == (document, None)
    assert collector.parse_collector_output("")[0] is None
    assert collector.parse_collector_output(None)[1]
    assert collector.parse_collector_output('{"raw_format": 1, "trunc')[0] is None


# --- parsers on odd input -------------------------------------------------------------------------------------------

def test_value_helpers():
    assert _values.wmi_datetime("20140401000000.000000+000").year == 2014
    assert _values.wmi_datetime("/Date(1396310400000)/").month == 4
    assert _values.wmi_datetime("\\/Date(1396310400000)\\/").day == 1
    assert _values.wmi_datetime("2014-04-01T10:11:12").hour == 10
    assert _values.wmi_datetime("garbage") is None
    assert _values.integer("0xffffffff") == 4294967295 and _values.integer("12.5") == 12 and _values.integer("x") is None
    assert _values.boolean("TRUE") is True and _values.boolean(False) is False and _values.boolean("?") is None
    assert _licenses.decode_product_key(b"") is None and _licenses.decode_product_key(bytes(200)) is None


def test_typed_collector_values_read_like_the_corpus_text():
    """``Get-CimInstance`` gives typed values where ``wmic`` gave text: both give the same entries."""
    text_form = [{"Capacity": "4294967296", "FormFactor": "12", "MemoryType": "0", "SMBIOSMemoryType": "26", "Speed": "2667",
                  "Removable": "FALSE", "Caption": "Physical Memory", "SerialNumber": "1234"}]
    typed_form = [{"Capacity": 4294967296, "FormFactor": 12, "MemoryType": 0, "SMBIOSMemoryType": 26, "Speed": 2667,
                   "Removable": False, "Caption": "Physical Memory", "SerialNumber": "1234"}]
    assert _system.memories(text_form) == _system.memories(typed_form) == [
        {"capacity": 4096, "caption": "Physical Memory", "formfactor": "SODIMM", "removable": False, "speed": "2667",
         "type": "DDR4", "numslots": 0, "serialnumber": "1234"}]


def _registry_dump(path, values):
    return {"keys": [{"path": path, "values": {name: {"type": kind, "data": data} for name, (kind, data) in values.items()}}]}


def test_softwares_of_several_uninstall_roots():
    base = "HKEY_LOCAL_MACHINE\\SOFTWARE\\%sMicrosoft\\Windows\\CurrentVersion\\Uninstall"
    dump = {"keys": [
        {"path": base % "", "values": {}},
        {"path": base % "" + "\\App64", "values": {
            "DisplayName": {"type": "REG_SZ", "data": "App"}, "DisplayVersion": {"type": "REG_SZ", "data": "1.0"},
            "EstimatedSize": {"type": "REG_DWORD", "data": 2}}},
        {"path": base % "Wow6432Node\\", "values": {}},
        {"path": base % "Wow6432Node\\" + "\\App32", "values": {"DisplayName": {"type": "REG_SZ", "data": "App"},
                                                                "InstallDate": {"type": "REG_SZ", "data": "20240131"}}},
        {"path": "HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall", "values": {}},
        {"path": "HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Mine",
         "values": {"DisplayName": {"type": "REG_SZ", "data": "Mine"}, "SystemComponent": {"type": "REG_DWORD", "data": 1}}},
    ]}
    found = _software.softwares(dump, "x86_64")
    assert [(entry["name"], entry["arch"]) for entry in found] == [("App", "x86_64"), ("App", "i586"), ("Mine", "x86_64")]
    assert found[0]["filesize"] == 2048 and found[1]["installdate"] == "31/01/2024"
    assert found[2]["userid"] == "S-1-5-21-1-2-3-1001" and found[2]["system_category"] == "system_component"
    section = iw.glpi_section("softwares", found)
    assert section[1]["install_date"] == "2024-01-31"


def test_antivirus_and_accounts():
    assert _software.antivirus([{"displayName": "ESET", "productState": 266240, "versionNumber": "17"}]) == [
        {"name": "ESET", "version": "17", "enabled": True, "uptodate": True}]
    assert _software.antivirus([{"displayName": "Old", "productState": 262160}])[0]["uptodate"] is False
    assert _accounts.local_users([{"Name": "bob", "SID": "S-1", "FullName": "Bob B", "LocalAccount": True}, {"Name": "x"}]) == [
        {"id": "S-1", "login": "bob", "name": "Bob B"}]
    assert _accounts.logged_users([{"User": "a", "Domain": "D"}, {"User": "a", "Domain": "D"}, {}]) == [{"login": "a", "domain": "D"}]
    assert _devices.monitors_from_wmi([{"UserFriendlyName": [68, 69, 76, 76, 0, 0], "ManufacturerName": [68, 69, 76, 0],
                                        "SerialNumberID": [49, 50, 0], "YearOfManufacture": 2020, "WeekOfManufacture": 12}]) == [
        {"caption": "DELL", "name": "DELL", "manufacturer": "DEL", "serial": "12", "description": "12/2020"}]


def test_operating_system_without_registry():
    system = _system.operating_system({"Win32_OperatingSystem": [{"Caption": "Microsoft Windows Server 2016", "Version": "10.0.14393",
                                                                  "CSDVersion": None, "OSArchitecture": "64 bits",
                                                                  "InstallDate": "20170102030405.000000+060"}],
                                       "Win32_ComputerSystem": [{"Name": "S", "Domain": "x.lan", "PartOfDomain": "TRUE"}]},
                                      timezone={"name": "UTC", "offset_minutes": -210})
    assert system["install_date"] == "2017-01-02 03:04:05" and system["arch"] == "64-bit"
    assert system["fqdn"] == "S.x.lan" and system["timezone"] == {"name": "UTC", "offset": "-0330"}


# --- fuzzing --------------------------------------------------------------------------------------------------------

PARSERS = (
    lambda data: _system.bios({"Win32_Bios": data, "Win32_ComputerSystem": data, "Win32_BaseBoard": data}),
    lambda data: _system.cpus(data, data), lambda data: _system.memories(data, data),
    lambda data: _storage.drives(data, data, data, data), _storage.storages, lambda data: _network.interfaces(data, data, data),
    lambda data: _software.softwares(data, "i586", data, data), _software.appx_packages, _software.hotfixes,
    lambda data: _licenses.licenses([data], data), lambda data: _accounts.last_user(data, data, data, data, data),
    lambda data: _devices.videos(data, data), _devices.usb_devices, _devices.powercfg_batteries,
    lambda data: _network.firewalls({"DomainProfile": data}, data, data, data),
    lambda data: _virtualmachines.virtual_machines(data, data, data, data),
    lambda data: _system.hardware({"Win32_OperatingSystem": data}, data, data),
    lambda data: _system.operating_system({"x": data}, data, data),
    _devices.sounds, _devices.wmi_batteries, _devices.monitors_from_wmi, lambda data: _software.antivirus(data, data),
    _accounts.local_users, _accounts.local_groups, _accounts.logged_users, _licenses.office_license,
    lambda data: _network.media_type("PCI\\X", data),
)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["keys", "path", "values", "data", "type", "Name", "DeviceID", "InterfaceIndex", "IPAddress", "Size",
                         "MediaType", "HotFixID", "PartialProductKey", "ID", "LicenseStatus", "UserName", "InstallDate",
                         "PNPDeviceID", "Capacity", "MemoryDevices", "EnableFirewall", "Category", "instance"]) | st.text(max_size=8),
        children, max_size=5),
    max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(data=JSON_VALUES)
def test_parsers_never_raise_on_random_json(data):
    for parser in PARSERS:
        result = parser(data)
        assert isinstance(result, (list, dict, str, type(None)))


MUTATED_SAMPLES = ("cpus/7", "softwares/10_russian", "networks/10-net", "firewall/10", "videos/intel+nvidia", "storages/latitude-7480")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10 ** 6), sample=st.sampled_from(MUTATED_SAMPLES))
def test_parsers_never_raise_on_mutated_corpus_samples(seed, sample, mutate):
    reference_path("glpi-agent-corpus", "index.json")
    sources = corpus_sources(types.SimpleNamespace(entry=_index_entry(sample)))
    damaged = mutate(json.dumps(sources).encode(), seed)
    try:
        sources = json.loads(damaged.decode("utf-8", "replace"))
    except ValueError:
        sources = {"wmi": {"Win32_Processor": damaged.decode("latin-1")}, "registry": damaged.decode("latin-1")}
    if not isinstance(sources, dict):
        sources = {"wmi": sources}
    document, warnings = inv.build_inventory({"os_family": "windows", "sources": sources}, "damaged")
    assert not [warning for warning in warnings if "dropped" in warning] and isinstance(document["content"], dict)
    _devices.powercfg_batteries(damaged)
    _software.appx_packages(damaged.decode("utf-8", "replace"))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_text_parsers_never_raise_on_bytes(data):
    assert isinstance(_devices.powercfg_batteries(data), list)
    assert isinstance(_software.appx_packages(data.decode("latin-1")), list)
    assert _licenses.decode_product_key(data) is None or len(_licenses.decode_product_key(data)) == 29
    assert isinstance(collector.parse_collector_output(data), tuple)
