# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpi_remote's decisions, run against the glpi-remote stand-in (no Ansible run: see tests/integration for that)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote as g
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_remote_url as u
from ansible_collections.glpiops.glpi.plugins.modules import glpi_remote as m

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "stand_ins"))
import glpi_remote_standin as standin  # noqa: E402  pylint: disable=import-error,wrong-import-position

PASSWORD = "S3c:r@t/%!x"
KEYS_HOME = "/home/agent-with-keys"


def params(**values):
    result = {name: spec.get("default") for name, spec in m.argument_spec().items()}
    result.update(values)
    return result


class Agent(object):
    """The stand-in with server0 and local0, an ssh host ``web01`` and a WinRM host ``win01``."""

    def __init__(self, tmp_path, world_extra=None, home=KEYS_HOME):
        bin_dir = tmp_path / "bin"
        self.path = standin.install(bin_dir)
        world = dict(
            targets=[standin.target("server0", "server"), standin.target("local0", "local", "/var/lib/glpi-inventory")],
            hosts={
                "web01:22": standin.ssh_host("web01", {"inventory": dict(password=PASSWORD, key_homes=[KEYS_HOME], uid=0),
                                                       "nokey": dict(password=PASSWORD, uid=0)}),
                "win01:5986": standin.winrm_host("WIN01", {"Administrator": dict(password=PASSWORD)}),
            },
        )
        world.update(world_extra or {})
        self.state = standin.write_world(tmp_path / "world.json", world)
        self.log = tmp_path / "log.jsonl"
        self.env = standin.environment(bin_dir, self.state, log=self.log, now="2026-11-23T10:00:00", home=home)
        self.vardir = tmp_path

    def tool(self):
        def run(argv, stdin):
            proc = subprocess.run(argv, input=stdin or b"", env=self.env, capture_output=True, check=False, timeout=30)
            return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

        return g.GlpiRemote(run, str(self.path), vardir=str(self.vardir), perl=g.perl_from_shebang(g.read_first_line(str(self.path))))

    def ensure(self, check_mode=False, **values):
        p = params(**values)
        want = m.wanted_remote(p)
        tool = self.tool()
        tool.add_secret(want["password"])
        ensure = m.ensure_present if p["state"] == "present" else m.ensure_absent
        return ensure(tool, want, p, check_mode)

    def stored(self):
        """{target: {deviceid: url}} as the agent keeps them."""
        return {t["id"]: {k: v["url"] for k, v in t["remotes"].items()} for t in standin.read_world(self.state)["targets"]}

    def commands(self):
        return [entry["command"] for entry in standin.read_log(self.log)]


@pytest.fixture
def agent(tmp_path):
    return Agent(tmp_path)


WEB01 = dict(protocol="ssh", host="web01", username="inventory", password=PASSWORD, target="server0")


def web01(**values):
    """WEB01 with some options changed."""
    result = dict(WEB01)
    result.update(values)
    return result


def test_add_registers_the_url_with_the_password_encoded(agent):
    changed, remote, diff, warnings = agent.ensure(**WEB01)
    assert changed and warnings == []
    assert remote == dict(deviceid="web01-2026-11-23-10-00-00", url="ssh://inventory:********@web01", target="server0",
                          next_run="on next agent run", protocol="ssh", host="web01", port=22, username="inventory", modes=[], index=1)
    assert agent.stored()["server0"] == {"web01-2026-11-23-10-00-00": "ssh://inventory:%s@web01" % u.escape(PASSWORD)}
    assert diff == dict(before={}, after=dict(deviceid="web01-2026-11-23-10-00-00", url="ssh://inventory:********@web01",
                                              target="server0", password="********"))


def test_readd_changes_nothing_and_writes_nothing(agent):
    agent.ensure(**WEB01)
    before = agent.stored()
    changed, remote, diff, _warnings = agent.ensure(**WEB01)
    assert not changed and remote["deviceid"] == "web01-2026-11-23-10-00-00" and diff["before"] == diff["after"]
    assert agent.stored() == before and agent.commands().count("add") == 1


def test_a_remote_added_by_hand_is_recognised(agent):
    agent.tool().run(["add", "ssh://inventory:%s@web01" % PASSWORD.replace("%", "%25").replace("/", "%2F").replace("@", "%40")
                      .replace(":", "%3A"), "--target", "server0"])
    changed, _remote, _diff, _warnings = agent.ensure(**WEB01)
    assert not changed


def test_new_password_with_update_password_always_updates_in_place(agent):
    agent.ensure(**WEB01)
    changed, remote, diff, _warnings = agent.ensure(**web01(password="n3w:pass"))
    assert changed and remote["deviceid"] == "web01-2026-11-23-10-00-00"
    assert agent.stored()["server0"] == {"web01-2026-11-23-10-00-00": "ssh://inventory:n3w%3Apass@web01?deviceid=web01-2026-11-23-10-00-00"}
    assert (diff["before"]["password"], diff["after"]["password"]) == ("********", "******** (changed)")
    assert diff["before"]["url"] == diff["after"]["url"].split("?")[0]


def test_new_password_with_update_password_on_create_changes_nothing(agent):
    agent.ensure(**WEB01)
    changed, _remote, _diff, _warnings = agent.ensure(update_password="on_create", **web01(password="n3w:pass"))
    assert not changed and u.escape(PASSWORD) in agent.stored()["server0"]["web01-2026-11-23-10-00-00"]


def test_on_create_keeps_the_stored_password_when_something_else_changes(agent):
    agent.ensure(**WEB01)
    changed, _remote, _diff, _warnings = agent.ensure(update_password="on_create", mode=["libssh2"], **web01(password=None))
    assert changed
    url = agent.stored()["server0"]["web01-2026-11-23-10-00-00"]
    assert u.parse_url(url)["password"] == PASSWORD and u.parse_url(url)["modes"] == ["libssh2"]


def test_key_only_user_and_always_drops_a_stored_password(agent):
    agent.ensure(**WEB01)
    changed, remote, _diff, _warnings = agent.ensure(**web01(password=None))
    assert changed and remote["url"] == "ssh://inventory@web01?deviceid=web01-2026-11-23-10-00-00"


def test_change_target_moves_the_remote(agent):
    agent.ensure(**WEB01)
    changed, remote, diff, _warnings = agent.ensure(**web01(target="local0"))
    assert changed and remote["target"] == "local0" and (diff["before"]["target"], diff["after"]["target"]) == ("server0", "local0")
    assert agent.stored() == {"server0": {}, "local0": {"web01-2026-11-23-10-00-00": "ssh://inventory:%s@web01?deviceid=web01-2026-11-23-10-00-00"
                                                        % u.escape(PASSWORD)}}


def test_without_connection_check_the_deviceid_in_the_url_prevents_a_duplicate(agent):
    agent.ensure(**WEB01)
    agent.env["GLPI_REMOTE_STANDIN_NOW"] = "2026-11-23T11:00:00"
    changed, remote, _diff, _warnings = agent.ensure(check_connection=False, mode=["ssh"], **WEB01)
    assert changed and remote["deviceid"] == "web01-2026-11-23-10-00-00" and len(agent.stored()["server0"]) == 1


def test_winrm_over_https(agent):
    changed, remote, _diff, _warnings = agent.ensure(protocol="winrm", host="win01", port=5986, mode=["ssl"], username="Administrator",
                                                     password=PASSWORD, target="server0")
    assert changed and remote["deviceid"] == "WIN01-2026-11-23-10-00-00" and remote["port"] == 5986
    assert agent.stored()["server0"]["WIN01-2026-11-23-10-00-00"] == "winrm://Administrator:%s@win01:5986/?mode=ssl" % u.escape(PASSWORD)
    assert not agent.ensure(url="winrm://Administrator@win01:5986/?mode=ssl", password=PASSWORD, target="server0")[0]


def test_the_single_server_target_is_the_default(agent):
    changed, remote, _diff, _warnings = agent.ensure(**web01(target=None))
    assert changed and remote["target"] == "server0"


def test_delete_and_delete_missing(agent):
    agent.ensure(**WEB01)
    changed, remote, diff, _warnings = agent.ensure(state="absent", protocol="ssh", host="web01")
    assert changed and remote["deviceid"] == "web01-2026-11-23-10-00-00" and diff["after"] == {}
    assert agent.stored()["server0"] == {}
    assert agent.ensure(state="absent", protocol="ssh", host="web01")[:2] == (False, None)
    assert agent.ensure(state="absent", deviceid="web01-2026-11-23-10-00-00")[:2] == (False, None)
    assert "delete" in agent.commands() and agent.commands().count("delete") == 1


def test_delete_by_deviceid_from_one_target_only(agent):
    agent.ensure(**WEB01)
    agent.tool().run(["add", "ssh://inventory@web01?deviceid=web01-2026-11-23-10-00-00", "--target", "local0"])
    changed, _remote, _diff, _warnings = agent.ensure(state="absent", deviceid="web01-2026-11-23-10-00-00", target="local0")
    assert changed and list(agent.stored()["server0"]) == ["web01-2026-11-23-10-00-00"] and agent.stored()["local0"] == {}


def test_check_mode_reports_and_writes_nothing(agent):
    changed, remote, diff, _warnings = agent.ensure(check_mode=True, **WEB01)
    assert changed and remote["deviceid"] is None and diff["after"]["url"] == "ssh://inventory:********@web01"
    assert agent.stored() == {"server0": {}, "local0": {}} and set(agent.commands()) == {"list"}
    agent.ensure(**WEB01)
    assert agent.ensure(check_mode=True, **web01(password="other"))[0]
    assert agent.ensure(check_mode=True, state="absent", host="web01")[0]
    assert len(agent.stored()["server0"]) == 1 and agent.commands().count("add") == 1 and "delete" not in agent.commands()


@pytest.mark.parametrize("values, words", [
    (web01(username="nokey", password="wrong"), "'ssh://nokey:********@web01' check failure: Can't run simple command on remote"),
    (web01(host="web02"), "'ssh://inventory:********@web02' check failure"),
    (web01(target="server9"), "No such 'server9' target available to handle remotes"),
    (dict(url="winrms://Administrator@win01:5986", target="server0"), "unsupported protocol 'winrms'"),
    (web01(mode=["ssl"]), "mode ssl does not apply to ssh"),
    (dict(url="ssh://inventory:%s@web01" % u.escape(PASSWORD), password=PASSWORD), "the password is given twice"),
    (web01(deviceid="bad id!"), "only letters, digits"),
    (dict(host="web01", password=PASSWORD), "password needs username"),
])
def test_failures(agent, values, words):
    with pytest.raises(g.GlpiRemoteError) as raised:
        agent.ensure(**values)
    assert words in raised.value.msg
    for form in set(u.remote_secret_forms([PASSWORD])) | {"wrong"}:
        assert form not in raised.value.msg + raised.value.stderr + raised.value.stdout


def test_no_default_target_fails_with_the_tools_words(tmp_path):
    agent = Agent(tmp_path, world_extra=dict(targets=[standin.target("local0", "local", "/tmp/x")]))
    with pytest.raises(g.GlpiRemoteError, match="Can't select a default server target. No target specified to store remotes, choose one in local0"):
        agent.ensure(**web01(target=None))


def test_duplicates_need_a_deviceid(agent):
    for now in ("2026-11-23T10:00:00", "2026-11-23T10:00:01"):
        agent.env["GLPI_REMOTE_STANDIN_NOW"] = now
        agent.tool().run(["add", "ssh://inventory@web01", "-C", "--target", "server0"])
    with pytest.raises(g.GlpiRemoteError, match="2 registered remotes match ssh://web01: web01-2026-11-23-10-00-00, web01-2026-11-23-10-00-01"):
        agent.ensure(**WEB01)
    assert not agent.ensure(**web01(password=None, deviceid="web01-2026-11-23-10-00-01", check_connection=False))[0]
    assert agent.ensure(state="absent", host="web01")[0] and agent.stored()["server0"] == {}


def test_the_deviceid_the_remote_stores_wins_with_the_check(agent):
    agent.ensure(**WEB01)
    changed, remote, _diff, warnings = agent.ensure(**web01(deviceid="web01-custom"))
    assert changed and remote["deviceid"] == "web01-2026-11-23-10-00-00"
    assert warnings == ["the remote identifies itself as web01-2026-11-23-10-00-00 (the deviceid it stores), not web01-custom; "
                        "registered as web01-2026-11-23-10-00-00"]
    assert list(agent.stored()["server0"]) == ["web01-2026-11-23-10-00-00"]
