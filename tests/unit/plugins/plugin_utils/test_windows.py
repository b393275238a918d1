# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows parsers on GLPI Agent's win32 corpus, whole documents from collector-shaped sources, fuzzing."""

from __future__ import annotations

import copy
import json
import pathlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils import _dmidecode
from ansible_collections.glpiops.glpi.plugins.plugin_utils import _windows as w

CORPUS = pathlib.Path(__file__).resolve().parents[4].parent / "shared" / "reference" / "glpi-agent-corpus"
USB_IDS = pathlib.Path("/usr/share/misc/usb.ids")


# --- from the corpus's dumps to what the collector returns ------------------------------------------------------

def _loader_differences():
    path = CORPUS / "win32" / "test-loader-differences.json"
    return json.loads(path.read_text()) if path.exists() else {}


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
    return _dmidecode.cpus_from_dmidecode(_dmidecode.parse_dmidecode(sources["dmidecode"]))


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
        return w.bios(wmi)
    if view == "cpus":
        return w.cpus(wmi.get("Win32_Processor"), registry.get("CentralProcessor"), _dmidecode_cpus(sources, sample))
    if view == "memories":
        return w.memories(wmi.get("Win32_PhysicalMemory"), wmi.get("Win32_PhysicalMemoryArray"))
    if view == "drives":
        found = w.drives(wmi.get("Win32_LogicalDisk"), wmi.get("Win32_Volume"), wmi.get("Win32_EncryptableVolume"),
                         wmi.get("Win32_OperatingSystem"))
        return _perl_false_as_empty(found, "systemdrive")
    if view == "storages":
        return w.storages(wmi.get("MSFT_PhysicalDisk") or wmi.get("Win32_DiskDrive")) + w.storages(wmi.get("Win32_CDROMDrive"))
    if view == "interfaces":
        return w.interfaces(wmi.get("Win32_NetworkAdapterConfiguration"), wmi.get("Win32_NetworkAdapter"), wmi.get("MSFT_NetAdapter"))
    if view == "media_type":
        network_class = next(dump for name, dump in registry.items() if name.upper().startswith("{4D36E972"))
        return {pnp: w.media_type(pnp, network_class) for pnp in case.expected}
    if view == "softwares":
        found = w.softwares(registry.get("Uninstall"), "i586", registry.get("SQL"), registry.get("Setup"))
        return _sorted_softwares(found + w.appx_packages(sources.get("appx")))
    if view == "hotfixes":
        return w.hotfixes(wmi.get("Win32_QuickFixEngineering"))
    if view == "license":
        if "SoftwareLicensingProduct" in wmi:
            found = w.licenses(None, wmi["SoftwareLicensingProduct"])
            return found[0] if found else {}
        dump = next(iter(registry.values()))
        # The agent's test helper merges sibling keys at the first key's depth into it, later values winning.
        depth = len(dump["keys"][0]["path"].split("\\"))
        merged = {}
        for key in dump["keys"]:
            if len(key["path"].split("\\")) == depth:
                merged.update({name: value["data"] for name, value in key["values"].items()})
        return w.office_license(merged)
    if view == "last_user":
        accounts = [obj for obj in wmi.get("Win32_UserAccount") or [] if obj.get("Name") == "teclib"]  # the agent's WQL
        return w.last_user(wmi.get("Win32_ComputerSystem"), registry.get("LogonUI"), registry.get("Winlogon"), accounts,
                           registry.get("IdentityStore"))
    if view == "videos":
        display_class = next((dump for name, dump in registry.items() if name.lower().startswith("{4d36e968")), None)
        return w.videos(wmi.get("Win32_VideoController"), display_class)
    if view == "usbdevices":
        names = w.parse_usb_ids(USB_IDS.read_text(errors="replace")) if USB_IDS.exists() else None
        return w.usb_devices(wmi.get("CIM_LogicalDevice"), names)
    if view in ("powercfg", "dmidecode_batteries", "batteries"):
        powercfg = w.powercfg_batteries(sources.get("powercfg"))
        dmidecode = _dmidecode.batteries_from_dmidecode(_dmidecode.parse_dmidecode(sources["dmidecode"]))
        return {"powercfg": powercfg, "dmidecode_batteries": dmidecode,
                "batteries": w.merge_batteries(dmidecode, powercfg)}[view]
    if view == "firewall_profiles":
        return {short: {key.upper(): value for key, value in profile.items()}
                for short, profile in w.firewall_profiles(registry).items()}
    if view == "firewall":
        found = w.interfaces(wmi.get("Win32_NetworkAdapterConfiguration"), wmi.get("Win32_NetworkAdapter"), wmi.get("MSFT_NetAdapter"))
        return w.firewalls(registry, registry.get("NetworkList"), registry.get("DNSRegisteredAdapters"), found)
    if view == "usb_printer_serial":
        serials = w.usb_printer_serials(registry.get("USBPRINT"), registry.get("USB"))
        return {port: serials.get(port) for port in case.expected}
    if view == "virtualmachines":
        return w.virtual_machines(wmi.get("MSVM_ComputerSystem"), wmi.get("MSVM_MemorySettingData"),
                                  wmi.get("MSVM_ProcessorSettingData"), wmi.get("MSVM_VirtualSystemSettingData"))
    pytest.fail("view %s of %r has no handler" % (view, case))
    return None


@pytest.mark.corpus("win32")
def test_corpus(corpus_case, assert_same_as_agent):
    """Every (sample, view) of the corpus's win32 folder equals GLPI Agent's tested value."""
    actual = _view(corpus_case)
    expected = corpus_case.expected
    if corpus_case.view in ("dmidecode_batteries", "batteries"):
        # The dmidecode battery parser is the Linux one, which returns the typed form (ISO ``date``): compare it with
        # the agent's typed form, as test_dmidecode.py does.
        expected = corpus_case.inventory[corpus_case.view]
    if corpus_case.view in ("media_type", "usb_printer_serial", "firewall_profiles"):
        assert actual == expected
        return
    assert_same_as_agent(corpus_case, actual, expected)


# --- the agent's JSON form: each view shaped as the section GLPI receives ----------------------------------------

from ansible_collections.glpiops.glpi.plugins.plugin_utils import _inventory_windows as iw  # noqa: E402

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
    actual = _view(corpus_case)
    if view == "drives":
        actual = [dict(entry, systemdrive=entry["systemdrive"] == "1") for entry in actual]
    expected = corpus_case.inventory[view]
    section = iw.glpi_section(VIEW_SECTIONS[view], actual)
    if isinstance(expected, list):
        section = section or []
    assert_same_as_agent(corpus_case, section, expected)
