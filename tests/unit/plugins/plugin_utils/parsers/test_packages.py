# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``softwares`` section from Linux and BSD package managers: GLPI Agent's corpus, behaviours, this machine, fuzz."""

from __future__ import annotations

import collections
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _freebsd
from ansible_collections.glpiops.glpi.plugins.plugin_utils.parsers import _packages as pk
from ansible_collections.glpiops.glpi.plugins.module_utils import _package_commands as pc
from tests._reference import reference_path

SOFTWARE_KEYS = {"name", "version", "arch", "publisher", "comments", "install_date", "filesize", "from",
                 "system_category", "helplink"}
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def document(softwares):
    return {"deviceid": "test-packages", "content": {"versionclient": "test", "softwares": softwares}}


def check_shape(softwares):
    """What every parser returns, whatever it was given: GLPI software entries with the schema's types."""
    assert isinstance(softwares, list)
    for entry in softwares:
        assert isinstance(entry, dict) and set(entry) <= SOFTWARE_KEYS, entry
        assert isinstance(entry["name"], str) and entry["name"]
        for key, value in entry.items():
            if key == "filesize":
                assert isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else:
                assert isinstance(value, str) and value, (key, value)
        assert DATE_RE.match(entry.get("install_date", "2000-01-01"))


# --- GLPI Agent's corpus -----------------------------------------------------------------------------------


def _companions(case, prefix):
    """The extra inputs of a sample named ``<prefix><key>``, as ``{key: text}``."""
    entries = case.entry.get("extra_inputs") or {}
    return {name[len(prefix):]: case.read_text(entries[name]["input"]) for name in entries if name.startswith(prefix)}


def parse_packaging_sample(case):
    text = case.read_text()
    if case.name == "dpkg":
        return pk.parse_dpkg(text)
    if case.name == "rpm":
        # softwares.t sets TZ=CET before calling the agent's localtime().
        return pk.parse_rpm(text, timezone="CET")
    if case.name == "pacman":
        return pk.parse_pacman(text)
    if case.name == "nix":
        return pk.parse_nix(text)
    if case.name == "snap":
        return pk.parse_snap(text, infos=_companions(case, "snap_"))
    if case.name == "flatpak":
        return pk.parse_flatpak(text, infos=_companions(case, "flatpak_"))
    pytest.fail("%r: no parser for this packaging sample" % case)
    return None


@pytest.mark.corpus("packaging")
def test_packaging_softwares_match_glpi_agent(corpus_case, assert_same_as_agent, assert_valid_inventory):
    if corpus_case.view != "softwares":
        pytest.fail("%r: unknown view of packaging/" % corpus_case)
    softwares = parse_packaging_sample(corpus_case)
    check_shape(softwares)
    # The derived form is what the agent sends: install_date YYYY-MM-DD, filesize an int, no _revision.
    assert_same_as_agent(corpus_case, softwares, corpus_case.inventory["softwares"])
    assert_valid_inventory(document(softwares))


def _bsd_storages(case):
    if case.name == "storages/mfiutil":
        return _freebsd.storages_from_mfiutil(case.read_text())
    dmesg = [path for name, path in case.extra_inputs.items() if name.endswith(".dmesg.txt")]
    if case.name != "storages/pfsense1" or not dmesg:
        pytest.fail("%r: no BSD storages parser for this sample" % case)
    return sorted(_freebsd.storages(case.read_text(), case.read_text(dmesg[0])), key=lambda entry: entry.get("name", ""))


@pytest.mark.corpus("bsd")
def test_bsd_softwares_match_glpi_agent(corpus_case, assert_same_as_agent, assert_valid_inventory):
    if corpus_case.view == "storages":
        # Not a software list: parsed and compared by the BSD storages parsers (the same check as parsers/test_freebsd.py).
        storages = _bsd_storages(corpus_case)
        assert_same_as_agent(corpus_case, storages, corpus_case.inventory["storages"])
        assert_valid_inventory({"deviceid": "test-packages", "content": {"versionclient": "test", "storages": storages}})
        return
    if corpus_case.view != "softwares":
        pytest.fail("%r: unknown view of bsd/" % corpus_case)
    softwares = pk.parse_pkg_info(corpus_case.read_text())
    check_shape(softwares)
    assert_same_as_agent(corpus_case, softwares, corpus_case.inventory["softwares"])
    assert_same_as_agent(corpus_case, softwares)  # the agent's own strings too: nothing to normalise here
    assert_valid_inventory(document(softwares))


def test_rpm_install_date_is_the_day_in_the_targets_time_zone(reference):
    line = [row for row in reference("glpi-agent-corpus", "packaging", "rpm.txt").read_text(encoding="utf-8").splitlines()
            if row.startswith("xfsprogs\t")]
    assert line and line[0].split("\t")[3] == "1332632724"  # 2012-03-24 23:45:24 UTC
    date = {str(zone): pk.parse_rpm(line[0], timezone=zone)[0]["install_date"] for zone in (
        None, "UTC", "CET", "America/Los_Angeles", {"zone": None, "offset": "+0100"}, {"zone": "Europe/Paris", "offset": "+0200"},
        3600, -8 * 3600, "+1400", "Not/AZone", {"zone": "Not/AZone", "offset": "-0800"})}
    assert date == {
        "None": "2012-03-24", "UTC": "2012-03-24", "CET": "2012-03-25", "America/Los_Angeles": "2012-03-24",
        "{'zone': None, 'offset': '+0100'}": "2012-03-25", "{'zone': 'Europe/Paris', 'offset': '+0200'}": "2012-03-25",
        "3600": "2012-03-25", "-28800": "2012-03-24", "+1400": "2012-03-25", "Not/AZone": "2012-03-24",
        "{'zone': 'Not/AZone', 'offset': '-0800'}": "2012-03-24"}


# --- Behaviours the corpus does not show -------------------------------------------------------------------

DPKG = (
    "bash\tamd64\t5.2.15-2+b7\t7164\tshells\tinstall ok installed\n"
    "oldpkg\tamd64\t1.0\t10\tmisc\tdeinstall ok config-files\n"
    "held\tall\t2:1.0-1\t\tadmin\thold ok installed\n"
    " a continuation line\n"
    "half\tamd64\t1.0\t4\tmisc\tinstall reinstreq half-installed\n"
)


def test_dpkg_keeps_installed_packages_with_their_size_in_bytes_and_the_publisher():
    assert pk.parse_dpkg(DPKG, publisher="Debian") == [
        {"name": "bash", "version": "5.2.15-2+b7", "arch": "amd64", "publisher": "Debian", "filesize": 7164 * 1024,
         "from": "deb", "system_category": "shells"},
        {"name": "held", "version": "2:1.0-1", "arch": "all", "publisher": "Debian", "filesize": 0, "from": "deb",
         "system_category": "admin"},
    ]


@pytest.mark.parametrize("lsb, os_release, expected", [
    ("Distributor ID:\tDebian\n", "", "Debian"),
    ("No LSB modules are available.\nDistributor ID:\tUbuntu\n", "ID=debian\n", "Ubuntu"),
    ("", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n', "Debian"),
    (None, 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', "Ubuntu"),
    ("", 'NAME="Linux Mint"\nID=linuxmint\n', "Linuxmint"),
    ("", 'NAME="openSUSE Leap"\nID="opensuse-leap"\n', "Opensuse-leap"),
    ("", "", None),
    ("Distributor ID:\t\n", "NAME=x\n", None),
])
def test_distributor_id_like_lsb_release(lsb, os_release, expected):
    assert pk.distributor_id(lsb, os_release) == expected


def test_rpm_vendor_none_is_no_publisher_and_short_lines_are_no_packages():
    text = ("gpg-pubkey\t(none)\t8483c65d-5ccc5b19\t1600000000\t0\t(none)\tgpg(CentOS)\tPublic Keys\n"
            "garbage line\n\tx86_64\t1-1\n")
    assert pk.parse_rpm(text) == [{"name": "gpg-pubkey", "version": "8483c65d-5ccc5b19", "arch": "(none)",
                                   "comments": "gpg(CentOS)", "install_date": "2020-09-13", "filesize": 0,
                                   "from": "rpm", "system_category": "Public Keys"}]


PACMAN = """Name            : zlib
Version         : 1:1.3.1-2
Description     : Compression library
Architecture    : x86_64
Groups          : None
Installed Size  : 1.5 GiB
Install Date    : Wed 12 Sep 2018 10:55:23 AM CEST

Name            : tiny
Version         : 1.0-1
Installed Size  : 10.00 B
Install Date    : Wed Sep  2 10:55:23 2018
Groups          : base  base-devel
"""


def test_pacman_epoch_sizes_dates_and_groups():
    assert pk.parse_pacman(PACMAN) == [
        {"name": "zlib", "version": "1.3.1-2", "arch": "x86_64", "comments": "Compression library",
         "install_date": "2018-09-12", "filesize": int(1.5 * 1024 ** 3)},
        {"name": "tiny", "version": "1.0-1", "install_date": "2018-09-02", "filesize": 10,
         "system_category": "base,base-devel"},
    ]


SNAP_LIST = """Name      Version    Rev    Tracking       Publisher     Notes
core22    20240111   1122   latest/stable  canonical✓    base
firefox   124.0-2    4033   latest/stable  mozilla✓      -
lxd       5.21.1     28460  5.21/stable    canonical**   -
tool      1.0        7      latest/stable  –             devmode
snapd     2.61.2     21184  latest/stable  canonical✓    snapd
"""
FIREFOX_YAML = "name: firefox\nversion: 124.0-2\nsummary: Mozilla Firefox web browser\narchitectures:\n  - amd64\nbase: core22\n"
FIREFOX_INFO = """name:      firefox
summary:   Mozilla Firefox web browser
publisher: Mozilla✓
store-url: https://snapcraft.io/firefox
contact:   https://support.mozilla.org/kb/file-bug-report-or-feature-request-mozilla
license:   MPL-2.0
description: |
  Firefox is a powerful, extensible web browser.
commands:
  - firefox
snap-id:      3wdHCAVyZEmYsCMFDE9qt92UV8rC8Wdk
tracking:     latest/stable
refresh-date: 2024-03-26T10:12:03+01:00
installed:          124.0-2            (4033) 262MB -
"""


def test_snap_list_info_yaml_and_install_time():
    assert [snap["name"] for snap in pk.snap_list_entries(SNAP_LIST)] == ["firefox", "lxd", "tool"]
    assert pk.snap_list_entries(SNAP_LIST)[0] == {"name": "firefox", "version": "124.0-2", "revision": "4033",
                                                  "publisher": "mozilla✓"}
    softwares = pk.parse_snap(SNAP_LIST, infos={"firefox": FIREFOX_INFO, "tool": "installed: 1.0 (7) 4kB -\n"},
                              snap_yamls={"firefox": FIREFOX_YAML}, install_epochs={"firefox": 1711444323, "lxd": "x"},
                              timezone="Europe/Paris")
    assert softwares == [
        {"name": "firefox", "version": "124.0-2", "arch": "amd64", "publisher": "Mozilla",
         "comments": "Mozilla Firefox web browser", "install_date": "2024-03-26", "filesize": 262 * 1024 ** 2,
         "from": "snap", "helplink": "https://support.mozilla.org/kb/file-bug-report-or-feature-request-mozilla"},
        {"name": "lxd", "version": "5.21.1", "publisher": "canonical", "from": "snap"},
        {"name": "tool", "version": "1.0", "filesize": 4096, "from": "snap"},
    ]
    assert pc.snap_info_argv("firefox") == ("snap", "info", "--color", "never", "--abs-time", "firefox")


FLATPAK_LIST = "org.example.App\tstable\tcustom\tExample   App\nApplication ID\tBranch\tInstallation\tName\n"
FLATPAK_INFO_C = """
Example App - An example

          ID: org.example.App
         Ref: app/org.example.App/aarch64/stable
        Arch: aarch64
      Branch: stable
      Origin: flathub
Installation: custom
   Installed: 479.7 MB
        Date: 2024-02-30 10:00:00 +0000
"""


def test_flatpak_without_info_keeps_the_list_and_custom_installations():
    assert pk.parse_flatpak(FLATPAK_LIST) == [
        {"name": "Example App", "version": "stable", "comments": "AppID: org.example.App", "from": "flatpak",
         "system_category": "custom"}]
    infos = {pk.flatpak_info_key("org.example.App", "stable", "custom"): FLATPAK_INFO_C}
    assert pk.parse_flatpak(FLATPAK_LIST, infos) == [
        {"name": "Example App", "version": "stable", "arch": "aarch64", "publisher": "flathub",
         "comments": "AppID: org.example.App", "filesize": int(479.7 * 1024 ** 2), "from": "flatpak",
         "system_category": "custom"}]  # 30 February is no date
    assert pk.flatpak_list_entries(FLATPAK_LIST) == [
        {"appid": "org.example.App", "branch": "stable", "installation": "custom", "name": "Example App"}]
    assert pc.flatpak_info_argv("org.example.App", "stable", "custom") == (
        "flatpak", "info", "--installation=custom", "org.example.App", "stable")
    assert pc.flatpak_info_argv("a.b.C", "stable", "user") == ("flatpak", "info", "--user", "a.b.C", "stable")


def test_nix_keeps_each_name_and_version_once():
    text = ("/nix/store/aaa-hello-2.12.1\n/nix/store/bbb-hello-2.12.1\n/nix/store/ccc-hello-2.12.1.drv\n"
            "/nix/store/ddd-glibc-2.39-52-bin\n/nix/store/eee-python3.11-requests-2.31.0\n")
    assert pk.parse_nix(text) == [{"name": "hello", "version": "2.12.1", "from": "nix"},
                                  {"name": "python3.11-requests", "version": "2.31.0", "from": "nix"}]


def test_equery_category_name_and_version():
    text = " * Searching for * ...\napp-admin/eselect-1.4.27-r1\nsys-libs/ncurses-6.4_p20230401-r3\nx11-libs/gtk+-3.24.41\n"
    assert pk.parse_equery(text) == [{"name": "app-admin/eselect", "version": "1.4.27-r1"},
                                     {"name": "sys-libs/ncurses", "version": "6.4_p20230401-r3"},
                                     {"name": "x11-libs/gtk+", "version": "3.24.41"}]


def test_slackware_file_names():
    text = "aaa_base-15.0-x86_64-3\nxf86-video-intel-git_20230101-x86_64-1\nbash-5.2.015-aarch64-1_slarm64\nREADME\n"
    assert pk.parse_slackware(text) == [{"name": "aaa_base", "version": "15.0", "arch": "x86_64"},
                                        {"name": "xf86-video-intel", "version": "git_20230101", "arch": "x86_64"},
                                        {"name": "bash", "version": "5.2.015", "arch": "aarch64"}]


# No Alpine sample in GLPI Agent's corpus (the agent has no apk support): this is apk's documented database
# format (one record per package, blank-line separated, ``letter:value`` lines; see the Alpine wiki's "Apk spec").
APK_INSTALLED = """C:Q1Deb0jNytkrjPW4N/eKLZ43BwOlw=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
I:663552
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1702406080
c:3db48bdb61bdd3df7fa5ea2fd4b6d9ec3d3f4b84
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1c6S+QAw4CWwrbfv/Eb2q3JbOsLU=

C:Q1pXBqL5cZ8w==
P:busybox
V:1.36.1-r15
A:x86_64
I:notanumber
T:Size optimized toolbox of many common UNIX utilities
P:zlib
V:1.3.1-r0
"""


def test_apk_database_records():
    assert pk.parse_apk(APK_INSTALLED, publisher="Alpine") == [
        {"name": "musl", "version": "1.2.4_git20230717-r4", "arch": "x86_64", "publisher": "Alpine",
         "comments": "the musl c library (libc) implementation", "filesize": 663552, "from": "apk"},
        {"name": "busybox", "version": "1.36.1-r15", "arch": "x86_64", "publisher": "Alpine",
         "comments": "Size optimized toolbox of many common UNIX utilities", "from": "apk"},
        {"name": "zlib", "version": "1.3.1-r0", "publisher": "Alpine", "from": "apk"},
    ]


def test_pkg_info_of_freebsd_pkg():
    text = "pkg-1.21.3                     Package manager\nnocomment-1.0\npy311-setuptools-63.1.0_1  Python packages installer\n"
    assert pk.parse_pkg_info(text) == [
        {"name": "pkg", "version": "1.21.3", "comments": "Package manager"},
        {"name": "py311-setuptools", "version": "63.1.0_1", "comments": "Python packages installer"}]


def test_control_characters_are_stripped_like_the_agent():
    assert pk.parse_pkg_info("a\x01b-1.0 two\x7fwords\x1b[0m\n") == [{"name": "ab", "version": "1.0", "comments": "twowords[0m"}]


def test_every_documented_sample_validates_for_glpi_10_and_11(assert_valid_inventory):
    softwares = (pk.parse_dpkg(DPKG, "Debian") + pk.parse_pacman(PACMAN)
                 + pk.parse_snap(SNAP_LIST, {"firefox": FIREFOX_INFO}, {"firefox": FIREFOX_YAML}, {"firefox": 1711444323})
                 + pk.parse_flatpak(FLATPAK_LIST, {"org.example.App_stable_custom": FLATPAK_INFO_C})
                 + pk.parse_apk(APK_INSTALLED) + pk.parse_pkg_info("pkg-1.21.3  Package manager\n"))
    check_shape(softwares)
    assert_valid_inventory(document(softwares))


# --- This machine: the dpkg command the collector runs -----------------------------------------------------


def _installed_in_dpkg_status(path="/var/lib/dpkg/status"):
    """``{(package, version)}`` of the stanzas of dpkg's database whose status ends in "installed" (read directly)."""
    installed = collections.Counter()
    for stanza in pathlib.Path(path).read_text(encoding="utf-8", errors="replace").split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z0-9-]+): ?(.*)$", stanza, re.M))
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            installed[(fields["Package"], fields.get("Version", ""))] += 1
    return installed


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="dpkg-query is absent on this machine")
def test_dpkg_command_on_this_machine_lists_what_dpkg_query_lists(assert_valid_inventory):
    environment = dict(os.environ, **pc.COMMAND_ENVIRONMENT)
    output = subprocess.run(pc.DPKG_ARGV, capture_output=True, text=True, check=True, env=environment).stdout
    softwares = pk.parse_dpkg(output)
    parsed = collections.Counter((entry["name"], entry.get("version", "")) for entry in softwares)

    independent = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n"], capture_output=True,
                                 text=True, check=True).stdout
    listed = collections.Counter(tuple(line.split("\t", 1)) for line in independent.splitlines() if line)
    if os.path.exists("/var/lib/dpkg/status"):
        # dpkg-query also lists packages removed but still configured: the agent (and we) leave them out.
        assert parsed == listed & _installed_in_dpkg_status()
    else:
        assert parsed == listed
    assert all(entry["from"] == "deb" and isinstance(entry["filesize"], int) for entry in softwares)
    check_shape(softwares)
    assert_valid_inventory(document(softwares))


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="dpkg-query is absent on this machine")
def test_dpkg_on_this_machine_agrees_with_the_real_agents_inventory(reference):
    """Where this machine and the machine GLPI Agent inventoried have the same package, we send what it sent."""
    agent = json.loads(reference("glpi-agent", "local-inventory.json").read_text(encoding="utf-8"))["content"]["softwares"]
    output = subprocess.run(pc.DPKG_ARGV, capture_output=True, text=True, check=True,
                            env=dict(os.environ, **pc.COMMAND_ENVIRONMENT)).stdout
    lsb = shutil.which("lsb_release") and subprocess.run([shutil.which("lsb_release"), "-i"], capture_output=True,
                                                         text=True, check=False).stdout
    os_release = pathlib.Path("/etc/os-release").read_text(encoding="utf-8") if os.path.exists("/etc/os-release") else ""
    ours = {(e["name"], e.get("version"), e.get("arch")): e for e in pk.parse_dpkg(output, pk.distributor_id(lsb, os_release))}
    theirs = {(e["name"], e.get("version"), e.get("arch")): e for e in agent if e.get("from") == "deb"}
    common = sorted(set(ours) & set(theirs))
    if not common:
        pytest.skip("no package of this machine has the same version as on the agent's machine")
    assert [ours[key] for key in common] == [theirs[key] for key in common]
    if lsb:  # the os-release fallback gives what lsb_release says
        assert pk.distributor_id(None, os_release) == pk.distributor_id(lsb, None)


# --- Fuzz --------------------------------------------------------------------------------------------------

# Each parser as a function of one text (the mappings of snap and flatpak get the same text as their one entry).
PARSERS = {
    "dpkg": lambda text: pk.parse_dpkg(text, publisher="Debian"),
    "rpm": lambda text: pk.parse_rpm(text, timezone={"zone": "Europe/Paris", "offset": "+0100"}),
    "pacman": pk.parse_pacman,
    "nix": pk.parse_nix,
    "snap": lambda text: pk.parse_snap(text, infos={line.split()[0]: text for line in text.splitlines() if line.split()},
                                       snap_yamls={"kdenlive": text}, install_epochs={"scrcpy": text[:12]}, timezone=text[:20]),
    "flatpak": lambda text: pk.parse_flatpak(text, {pk.flatpak_info_key(a["appid"], a["branch"], a["installation"]): text
                                                    for a in pk.flatpak_list_entries(text)}),
    "equery": pk.parse_equery,
    "slackware": pk.parse_slackware,
    "apk": pk.parse_apk,
    "pkg_info": pk.parse_pkg_info,
}
SEEDS = {
    "dpkg": ["packaging/dpkg.txt"], "rpm": ["packaging/rpm.txt"], "pacman": ["packaging/pacman.txt"],
    "nix": ["packaging/nix.txt"], "snap": ["packaging/snap.txt", "packaging/snap_kdenlive.txt"],
    "flatpak": ["packaging/flatpak.txt", "packaging/flatpak_com.obsproject.Studio_stable_user.txt"],
    "pkg_info": ["bsd/pkg_info/sample1.txt", "bsd/pkg_info/sample2.txt"],
}
INLINE_SEEDS = {"equery": "app-admin/eselect-1.4.27-r1\nx11-libs/gtk+-3.24.41\n", "apk": APK_INSTALLED,
                "slackware": "aaa_base-15.0-x86_64-3\nbash-5.2.015-aarch64-1_slarm64\n"}


def _seed(name):
    if name in INLINE_SEEDS:
        return INLINE_SEEDS[name].encode()
    paths = [reference_path("glpi-agent-corpus", relative) for relative in SEEDS[name]]
    return b"".join(path.read_bytes() for path in paths)


FUZZ_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ_SETTINGS
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
       | st.lists(st.sampled_from(["\t", " ", "\n", ":", "-", "(", ")", "1", "9.5", "MB", "KiB", "Name", "Version",
                                   "P:", "V:", "installed", "/nix/store/a-", "x86_64", " : ", "Installed: ", "Date: "]),
                  max_size=60).map("".join))
def test_parsers_never_raise_on_random_text(name, text):
    check_shape(PARSERS[name](text))


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ_SETTINGS
@given(data=st.binary(max_size=300))
def test_parsers_never_raise_on_random_bytes(name, data):
    check_shape(PARSERS[name](data))
    check_shape(PARSERS[name](data.decode("latin-1")))


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ_SETTINGS
@given(seed=st.integers(min_value=0, max_value=2 ** 32))
def test_parsers_never_raise_on_mutated_samples(name, seed, mutate):
    mutated = mutate(_seed(name), seed)
    check_shape(PARSERS[name](mutated.decode("utf-8", "replace")))
    check_shape(PARSERS[name](mutated))


@pytest.mark.parametrize("garbage", [None, 42, b"\xff\xfe", ["a"], {"x": 1}])
def test_parsers_accept_anything_as_input(garbage):
    for parse in (pk.parse_dpkg, pk.parse_rpm, pk.parse_pacman, pk.parse_nix, pk.parse_snap, pk.parse_flatpak,
                  pk.parse_equery, pk.parse_slackware, pk.parse_apk, pk.parse_pkg_info):
        check_shape(parse(garbage))
    check_shape(pk.parse_snap("a 1 2 x y -\n", infos=garbage, snap_yamls=garbage, install_epochs=garbage, timezone=garbage))
    check_shape(pk.parse_flatpak("a b c d\n", infos=garbage))
    assert pk.distributor_id(garbage, garbage) is None or isinstance(pk.distributor_id(garbage, garbage), str)
