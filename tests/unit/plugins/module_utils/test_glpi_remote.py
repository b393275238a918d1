# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The glpi-remote helper: its URLs, its masking, its parsers (on the real tool's recorded output), and how it runs the tool."""

from __future__ import annotations

import pathlib
import random
import re
import subprocess
import sys
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote as g
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote_output as o
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote_url as u
from ansible_collections.glpiops.glpi.plugins.module_utils._deviceid import URL_DEVICEID_RE
from ansible_collections.glpiops.glpi.plugins.module_utils._process import Finished
from ansible_collections.glpiops.glpi.plugins.module_utils._secrets import MASK, mask_url

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

CALLS = standin.transcript_calls()  # tests/fixtures/reference/glpi-agent/glpi-remote-transcript.txt (a missing one fails)


def recorded(command_end):
    return [c for c in CALLS if c["command"].endswith(command_end)]


# --- URLs ---------------------------------------------------------------------------


def test_escape_is_the_agents_uri_escape():
    assert u.escape("Pa55!word") == "Pa55%21word"
    assert u.escape("a:b@c/d%e?f#g h~_.-") == "a%3Ab%40c%2Fd%25e%3Ff%23g%20h~_.-"
    assert u.escape("café") == "caf%C3%A9"


def test_build_url_encodes_credentials_and_names_the_deviceid():
    url = u.build_url("ssh", "web01", 2222, "inventory", "p:a@s/s", ["libssh2"], "web01-2026-11-22-09-43-37")
    assert url == "ssh://inventory:p%3Aa%40s%2Fs@web01:2222?mode=libssh2&deviceid=web01-2026-11-22-09-43-37"
    assert u.build_url("winrm", "win01", 5986, "Administrator", None, ["ssl"]) == "winrm://Administrator@win01:5986/?mode=ssl"
    assert u.build_url("ssh", "::1") == "ssh://[::1]"


def test_parse_url_reads_what_the_agent_reads():
    assert u.parse_url("winrm://Administrator:S3cret@127.0.0.1:5986/?mode=ssl") == dict(
        protocol="winrm", username="Administrator", password="S3cret", host="127.0.0.1", port=5986, path="/", modes=["ssl"], deviceid=None)
    parsed = u.parse_url("ssh://inventory@127.0.0.1:2222?mode=libssh2_perl&deviceid=vm-2026-11-22-09-43-37")
    assert (parsed["password"], parsed["modes"], parsed["deviceid"]) == (None, ["libssh2", "perl"], "vm-2026-11-22-09-43-37")
    assert u.parse_url("web01")["protocol"] == "ssh" and u.parse_url("web01")["host"] == "web01"
    assert u.parse_url("ssh://[fe80::1]:22")["host"] == "fe80::1"
    # Like the agent, the password is the field after the first ':' of the user information.
    assert u.parse_url("ssh://u:a%3Ab@h")["password"] == "a:b"


@settings(max_examples=150, deadline=None)
@given(user=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
       password=st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), max_size=16)),
       host=st.from_regex(r"\A[a-z0-9][a-z0-9.-]{0,20}\Z"), port=st.one_of(st.none(), st.integers(1, 65535)),
       modes=st.lists(st.sampled_from(["ssh", "libssh2", "perl"]), max_size=3), deviceid=st.one_of(st.none(), st.from_regex(URL_DEVICEID_RE)))
def test_built_urls_read_back(user, password, host, port, modes, deviceid):
    url = u.build_url("ssh", host, port, user, password, modes, deviceid)
    parsed = u.parse_url(url)
    assert (parsed["username"], parsed["password"], parsed["host"], parsed["port"]) == (user, password, host, port)
    assert parsed["modes"] == sorted(set(modes)) and parsed["deviceid"] == deviceid


@settings(max_examples=150, deadline=None)
@given(password=st.text(alphabet=st.characters(blacklist_characters="*"), min_size=1, max_size=20), noise=st.text(max_size=30))
def test_a_known_password_never_survives_masking(password, noise):
    url = u.build_url("winrm", "win01", None, "Administrator", password)
    raw = "ssh://u:%s@h" % password
    text = "'%s' check failure: %s %s Skipping '%s'" % (url, noise, url, raw)
    masked = u.mask_text(text, u.remote_secret_forms([password]))
    assert MASK in masked
    for form in (password, u.escape(password)):
        # Whole occurrences only: "0" stays in "win01" (the shared mask never cuts into a longer word).
        assert not stands_whole(form, masked), (form, masked)


def stands_whole(form, text):
    """Whether ``form`` occurs in ``text`` other than inside a longer word (``\\w`` is ``isalnum()`` or ``_``, as in ``_secrets``)."""
    pattern = ("(?<!\\w)" if re.match(r"\w", form[0]) else "") + re.escape(form) + ("(?!\\w)" if re.match(r"\w", form[-1]) else "")
    return re.search(pattern, text) is not None


@pytest.mark.parametrize("password", ["Pa55!word", "S3c:r@t/%!x", "café", "a b", "p\udc80ss"])
def test_the_tools_escaping_stays_among_the_forms(password):
    forms = u.remote_secret_forms([password])
    encoded = quote(password.encode("utf-8", "surrogatepass"), safe="")
    for form in (password, encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded),
                 quote(password.encode("utf-8", "surrogatepass"))):
        assert form in forms
    assert list(forms) == sorted(forms, key=lambda form: (-len(form), form))
    assert u.mask_text("'ssh://u:%s@h' check failure" % u.escape(password), forms) == "'ssh://u:%s@h' check failure" % MASK


def test_a_short_password_masks_itself_and_no_other_word():
    tool = g.GlpiRemote(None, "/usr/bin/glpi-remote")
    for password in ("p", "pool"):
        tool.add_secret(password)
    output = ("index  deviceid                     url                            target  Next run date\n"
              "    1  spool01-2026-11-22-09-43-37  ssh://inventory:pool@spool01   local0  on next agent run\n"
              "    2  pc-2026-11-22-09-43-37       ssh://inventory:****@pc        local0  on next agent run\n"
              "'ssh://inventory:p@127.0.0.1:2223' check failure: Can't run simple command on remote (publickey,password)\n"
              "[warning] You should execute remote inventory as super-user on remote host\n"
              "[error] Skipping 'winrm://Administrator:p@win01/?mode=ssl' remote: pool p refused; spooled, pooling, perl supported\n")
    assert tool.mask(output) == (
        "index  deviceid                     url                            target  Next run date\n"
        "    1  spool01-2026-11-22-09-43-37  ssh://inventory:%(m)s@spool01   local0  on next agent run\n"
        "    2  pc-2026-11-22-09-43-37       ssh://inventory:%(m)s@pc        local0  on next agent run\n"
        "'ssh://inventory:%(m)s@127.0.0.1:2223' check failure: Can't run simple command on remote (publickey,password)\n"
        "[warning] You should execute remote inventory as super-user on remote host\n"
        "[error] Skipping 'winrm://Administrator:%(m)s@win01/?mode=ssl' remote: %(m)s %(m)s refused; spooled, pooling, perl supported\n"
        % dict(m=MASK))
    assert MASK == "********" and g.AGENT_MASK == "****"


def test_mask_url_and_text_without_known_secrets():
    assert mask_url("ssh://inventory:Pa55!word@127.0.0.1:2222") == "ssh://inventory:********@127.0.0.1:2222"
    assert mask_url("ssh://inventory@127.0.0.1:2222?mode=libssh2") == "ssh://inventory@127.0.0.1:2222?mode=libssh2"
    assert mask_url("ssh://u:p@ss@h") == "ssh://u:********@h"
    text = "[error] Skipping 'winrms://Administrator:S3cret@127.0.0.1:5986' remote: Can't locate"
    assert u.mask_text(text) == "[error] Skipping 'winrms://Administrator:********@127.0.0.1:5986' remote: Can't locate"


def test_effective_port_and_same_remote():
    assert u.effective_port("winrm", None, ["ssl"]) == 5986 and u.effective_port("winrm", 443, ["ssl"]) == 5986
    assert u.effective_port("winrm", None) == 5985 and u.effective_port("ssh", None) == 22
    assert u.same_remote("ssh://inventory:x@WEB01:22", "ssh", "web01", None, "inventory")
    assert not u.same_remote("ssh://inventory:x@web01:2222", "ssh", "web01")
    assert not u.same_remote("ssh://other@web01", "ssh", "web01", None, "inventory")
    assert u.same_remote("ssh://other@web01", "ssh", "web01")
    assert u.same_remote("winrm://a@win01:5986/?mode=ssl", "winrm", "win01", None, None, ["ssl"])


# --- output parsers -------------------------------------------------------------------


def test_parse_remotes_reads_every_recorded_list():
    for call in recorded(" list") + recorded("list --show-passwords") + recorded("list -X --no-header"):
        rows = [line for line in call["stdout"].splitlines() if not line.startswith("index")]
        remotes = o.parse_remotes(call["stdout"])
        assert len(remotes) == len(rows), call["command"]
        assert [r["index"] for r in remotes] == list(range(1, len(rows) + 1))
        for remote in remotes:
            assert remote["target"] == "local0" and remote["next_run"] == "on next agent run"
            assert remote["url"] in call["stdout"] and remote["deviceid"] in call["stdout"]


def test_parse_remotes_keeps_urls_that_overflow_their_column_and_dates():
    text = ("index  deviceid  url              target   Next run date\n"
            "    1  web01-1   ssh://u:****@web01  server0  Sun Nov  2 11:38:19 2026\n"
            "   12  win-2     winrm://a@w:5986/?mode=ssl  local0  on next agent run\n")
    assert o.parse_remotes(text) == [
        dict(index=1, deviceid="web01-1", url="ssh://u:****@web01", target="server0", next_run="Sun Nov  2 11:38:19 2026"),
        dict(index=12, deviceid="win-2", url="winrm://a@w:5986/?mode=ssl", target="local0", next_run="on next agent run")]


def test_parse_targets_reads_the_recorded_list():
    for call in recorded("list targets"):
        assert o.parse_targets(call["stdout"]) == [
            dict(id="local0", type="local", path="/srv/lab/samples/remote", maxdelay=3600, next_run="Sun Nov 22 11:38:19 2026")]
    text = "id       type    url/path                    maxdelay  Next run date\nserver0  server  https://glpi.example.org/  3600  Mon Nov 23 01:00:00 2026\n"
    assert o.parse_targets(text) == [dict(id="server0", type="server", url="https://glpi.example.org/", maxdelay=3600,
                                          next_run="Mon Nov 23 01:00:00 2026")]


def test_parse_changes_and_failures_on_every_recorded_call():
    for call in CALLS:
        changes = o.parse_changes(call["stdout"])
        assert len(changes) == len([line for line in call["stdout"].splitlines() if " remote agent " in line]), call["command"]
        failures = o.find_failures(call["stdout"], call["stderr"])
        silent_failure = call["rc"] == 0 and any(m in call["stderr"] for m in ("check failure", "Skipping", "No such remote"))
        assert bool(failures) == (silent_failure or "Unsupported" in call["stderr"]), call["command"]
    (home_missing,) = [c for c in CALLS if c["command"].startswith("env HOME=/nonexistent")]
    assert o.find_failures(home_missing["stdout"], home_missing["stderr"]) == home_missing["stderr"].strip().splitlines()
    assert o.find_warnings("[warning] You should execute remote inventory as super-user on remote host\nUpdating x\n") == [
        "You should execute remote inventory as super-user on remote host"]


def test_select_target_follows_the_tools_rule():
    local = dict(id="local0", type="local")
    server = dict(id="server0", type="server")
    assert o.select_target([local, server]) == ("server0", None)
    assert o.select_target([local, server], "local0") == ("local0", None)
    target, error = o.select_target([local])
    assert target is None and "Can't select a default server target" in error and "choose one in local0" in error
    target, error = o.select_target([local, server], "server9")
    assert target is None and "No such 'server9' target available to handle remotes" in error
    assert "none yet" in o.select_target([])[1]


def test_perl_from_shebang():
    assert g.perl_from_shebang("#!/usr/bin/perl") == ["/usr/bin/perl"]
    assert g.perl_from_shebang("#!/usr/bin/perl -w") == ["/usr/bin/perl"]
    assert g.perl_from_shebang("#!/usr/bin/env perl") == ["perl"]
    assert g.perl_from_shebang("#!/bin/sh") is None and g.perl_from_shebang("") is None and g.perl_from_shebang(None) is None


# --- fuzz: the parsers never raise ---------------------------------------------------


PARSERS = (o.parse_remotes, o.parse_targets, o.parse_changes, o.find_warnings, u.parse_url, mask_url, u.mask_text)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=100).map(lambda b: b.decode("latin-1"))))
def test_parsers_survive_random_text(text):
    for parser in PARSERS:
        parser(text)
    assert isinstance(o.parse_remotes(text), list) and isinstance(o.find_failures(text, text), list)
    assert isinstance(u.parse_url(text)["modes"], list) and isinstance(o.describe_remote(dict(url=text)), dict)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), cut=st.floats(0, 1), flips=st.integers(0, 8))
def test_parsers_survive_mutated_recordings(seed, cut, flips):
    rnd = random.Random(seed)
    call = rnd.choice(CALLS)
    data = bytearray((call["stdout"] + call["stderr"]).encode())
    for _flip in range(flips if data else 0):
        data[rnd.randrange(len(data))] = rnd.randrange(256)
    lines = bytes(data[:int(len(data) * cut) + 1]).decode("utf-8", "replace").splitlines()
    rnd.shuffle(lines)
    text = "\n".join(lines)
    for parser in PARSERS:
        parser(text)
    for remote in o.parse_remotes(text):
        assert isinstance(remote["index"], int) and isinstance(o.describe_remote(remote)["port"], int)
    assert all(isinstance(t.get("maxdelay", 0), int) for t in o.parse_targets(text))


# --- running the tool -------------------------------------------------------------------


def test_the_password_goes_on_stdin_not_in_argv():
    tool = g.GlpiRemote(None, "/usr/bin/glpi-remote", vardir="/var/lib/glpi-agent", perl=["/usr/bin/perl"])
    argv, stdin = tool.argv_and_stdin(["add", "ssh://u:s%21cret@h", "--target", "server0"])
    assert argv == ["/usr/bin/perl", "-e", g.LOADER, "/usr/bin/glpi-remote"]
    assert stdin == b"--vardir\0/var/lib/glpi-agent\0add\0ssh://u:s%21cret@h\0--target\0server0\0"
    assert not tool.exposes_argv
    wrapper = g.GlpiRemote(None, "/opt/wrapper", perl=None)
    assert wrapper.argv_and_stdin(["list"]) == (["/opt/wrapper", "list"], None) and wrapper.exposes_argv


@pytest.fixture
def lab(tmp_path):
    """The stand-in installed with the lab's world, run through the Perl loader like the modules run the real tool."""
    bin_dir = tmp_path / "bin"
    path = standin.install(bin_dir)
    state = standin.write_world(tmp_path / "world.json", standin.lab_world(password="Pa55!word"))
    env = standin.environment(bin_dir, state, log=tmp_path / "log.jsonl", home=standin.LAB_HOME)

    def run(argv, stdin):
        proc = subprocess.run(argv, input=stdin or b"", env=env, capture_output=True, check=False, timeout=30)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    tool = g.GlpiRemote(run, str(path), vardir=str(tmp_path), perl=g.perl_from_shebang(g.read_first_line(str(path))))
    return dict(tool=tool, state=state, log=tmp_path / "log.jsonl", tmp=tmp_path)


def test_loader_runs_the_script_with_the_arguments_from_stdin(lab):
    tool = lab["tool"]
    tool.add_secret("Pa55!word")
    changes, warnings = tool.add("ssh://inventory:Pa55%21word@127.0.0.1:2222", "local0")
    assert changes == [dict(action="added", deviceid=changes[0]["deviceid"], target="local0")]
    assert warnings == ["You should execute remote inventory as super-user on remote host"]
    assert tool.remotes()[0]["url"] == "ssh://inventory:****@127.0.0.1:2222"  # encoded: the tool masks it itself
    stored = tool.remotes(show_passwords=True)[0]["url"]
    assert u.parse_url(stored)["password"] == "Pa55!word"
    for entry in standin.read_log(lab["log"]):
        assert entry["argv"][0] == str(tool.path)  # $0 set by the loader: ps shows the tool
        assert "Pa55" not in " ".join(entry["argv"]) + " ".join(entry["env"].values())


@pytest.mark.parametrize("args, words", [
    (["add", "ssh://inventory:wrong@127.0.0.1:2223", "--target", "local0"],
     "'ssh://inventory:********@127.0.0.1:2223' check failure: Can't run simple command on remote"),
    (["add", "winrms://Administrator:S3cret@127.0.0.1:5986", "--no-check", "--target", "local0"],
     "[error] Skipping 'winrms://Administrator:********@127.0.0.1:5986' remote: Can't locate"),
    (["delete", "nosuchremote"], "No such remote: nosuchremote"),
    (["frobnicate"], "Unsupported 'frobnicate' command"),
    (["add", "ssh://inventory@127.0.0.1:2222"], "No target specified to store remotes, choose one in local0"),
])
def test_failures_are_raised_in_the_tools_words_masked(lab, args, words):
    tool = lab["tool"]
    tool.add_secret("S3cret")
    with pytest.raises(g.GlpiRemoteError) as raised:
        tool.run(args)
    assert words in raised.value.msg
    assert "S3cret" not in raised.value.msg + raised.value.stderr and "wrong" not in raised.value.msg + raised.value.stderr


def test_add_that_registers_nothing_fails(lab):
    lab["tool"].run_command = lambda argv, stdin: (0, "", "")
    with pytest.raises(g.GlpiRemoteError, match="registered nothing"):
        lab["tool"].add("ssh://h", "local0")


def test_a_missing_vardir_fails_with_the_exit_code(lab):
    lab["tool"].vardir = str(lab["tmp"] / "missing")
    with pytest.raises(g.GlpiRemoteError) as raised:
        lab["tool"].targets()
    assert raised.value.rc == 2 and "Wrong vardir option" in raised.value.msg


def test_a_tool_that_leaks_passwords_in_list_makes_them_known_secrets(lab):
    tool = lab["tool"]
    tool.add("ssh://inventory:Pa55!word@127.0.0.1:2222", "local0")  # written as is: the tool's mask misses it
    fresh = g.GlpiRemote(tool.run_command, tool.path, tool.vardir, tool.perl)
    (remote,) = fresh.remotes()
    assert "Pa55!word" in remote["url"] and "Pa55!word" in fresh.secrets
    assert o.describe_remote(remote)["url"] == "ssh://inventory:********@127.0.0.1:2222"


class _Module(object):
    def __init__(self, **params):
        self.params = params


def test_the_module_runner_reads_stdin_and_returns_text():
    run = g.module_runner(_Module(command_timeout=30))
    rc, stdout, stderr = run([sys.executable, "-c", "import sys; data = sys.stdin.read(); print(data.upper()); sys.exit(3)"], b"web01")
    assert (rc, stdout, stderr) == (3, "WEB01\n", "")


def test_the_module_runner_stops_a_hung_program_at_command_timeout():
    run = g.module_runner(_Module(command_timeout=1))
    with pytest.raises(g.GlpiRemoteError) as caught:
        run([sys.executable, "-c", "import time; time.sleep(60)"], None)
    assert "did not finish within 1 s (option command_timeout): it was stopped" in caught.value.msg


def test_one_deadline_for_every_program_of_the_module_run():
    seen, now = [], [100.0]

    def fake_run(argv, timeout, stdin_data=None, ends=None):
        seen.append(ends)
        now[0] += 7
        return Finished(0, b"", b"", None)

    run = g.module_runner(_Module(command_timeout=20), run=fake_run, clock=lambda: now[0])
    run(["glpi-remote", "list"], None)
    run(["glpi-agent", "--version"], None)
    assert seen == [120.0, 120.0]  # the second program gets what the first left, not 20 s more


def test_the_module_runner_names_a_program_that_cannot_start():
    run = g.module_runner(_Module(command_timeout=5))
    with pytest.raises(g.GlpiRemoteError, match="cannot run /nonexistent/glpi-remote"):
        run(["/nonexistent/glpi-remote", "list"], None)
