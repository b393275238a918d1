# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.glpi_plugin and glpi_plugin_info against stand-in GLPI 10 and 11 trees under real PHP.

First the stand-in replays the lab's transcript (tests/fixtures/reference/glpi/plugin-console-transcript.txt):
every call, same stdout, stderr, rc and glpi_plugins row after it.  Then the modules run in real
``ansible-playbook -vvv`` runs (connection local); what GLPI stored is read back from the stand-in's
"database" files, independently of the modules.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import tarfile

import pytest

from _glpi_stand_in import build_glpi_tree, registration_key  # noqa: E402  pylint: disable=import-error
from test_glpi_network import php, run_tasks  # noqa: E402,F401  pylint: disable=import-error,unused-import
from tests._plugin_transcript import transcript_calls

CALLS = transcript_calls()
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _lab_tree(tmp_path, version):
    """The lab's starting point: pluginsGLPI/example in plugins/example, no route to GLPI Network."""
    tree = build_glpi_tree(tmp_path / ("glpi-" + version), version=version)
    if version.startswith("10"):
        tree.add_plugin("example", "0.0.1", name="Plugin Example")
        tree.store_plugin_row("example", 2, "0.0.1", name="Plugin Example")
    else:
        tree.add_plugin("example", "0.1.0", name="Plugin Example")
    tree.answer("unreachable")
    return tree


@pytest.mark.parametrize("version", sorted({call["version"] for call in CALLS}))
def test_the_stand_in_replays_the_lab_transcript(tmp_path, version):
    tree = _lab_tree(tmp_path, version)
    calls = [call for call in CALLS if call["version"] == version]
    assert len(calls) >= 14
    row = tree.plugin_rows().get("example")
    assert (row and {"directory": "example", "state": row["state"], "version": row["version"]}) == (calls[0]["row_before"] or None)
    for call in calls:
        proc = tree.console(*call["args"])
        stdout = proc.stdout.replace(str(tree.root), "<glpi tree>")
        stderr = proc.stderr.replace(str(tree.root), "<glpi tree>")
        assert (stdout, stderr, proc.returncode) == (call["stdout"], call["stderr"], call["rc"]), call["args"]
        row = tree.plugin_rows().get("example")
        assert (row and {"directory": "example", "state": row["state"], "version": row["version"]}) == (call["row_after"] or None), call["args"]


# --- the modules, through ansible-playbook -vvv --------------------------------------------------------

ROOT_USER = os.geteuid() == 0


def plugin(tree, name="example", **args):
    args = dict(args, name=name, glpi_path=str(tree.root))
    if tree.version.startswith("11") and ROOT_USER:
        args.setdefault("allow_superuser", True)
    return ("glpiops.glpi.glpi_plugin", args)


def plugin_info(tree, **args):
    args = dict(args, glpi_path=str(tree.root))
    if tree.version.startswith("11") and ROOT_USER:
        args.setdefault("allow_superuser", True)
    return ("glpiops.glpi.glpi_plugin_info", args)


def stored(tree, key="example"):
    row = tree.plugin_rows().get(key)
    return (row["state"], row["version"]) if row else None


@pytest.fixture(params=["10.0.12", "11.0.8"])
def lab(request, tmp_path):
    return _lab_tree(tmp_path, request.param)


def test_every_state_and_its_idempotence(lab, tmp_path):
    wanted = ["enabled", "enabled", "disabled", "disabled", "present", "absent", "absent", "present", "present"]
    run = run_tasks(tmp_path, [plugin(lab, state=state) for state in wanted] + [plugin_info(lab)])
    changed = [result["changed"] for result in run.results[:-1]]
    assert changed == [True, False, True, False, False, True, False, True, False], run.output[-3000:]
    assert [result["state"] for result in run.results[:-1]] == ["enabled", "enabled", "disabled", "disabled", "disabled", "not_installed",
                                                                "not_installed", "disabled", "disabled"]
    assert [result["commands"] for result in run.results[:3]] == [
        ["plugin:install example", "plugin:activate example"], [], ["plugin:deactivate example"]]
    version = "0.0.1" if lab.version.startswith("10") else "0.1.0"
    assert stored(lab) == (4, version)
    info = run.results[-1]
    assert info["glpi_version"] == lab.version
    assert info["plugins"] == [{"key": "example", "name": "Plugin Example", "version": version, "files_version": version, "state": "disabled",
                                "state_number": 4, "state_label": "Installed / not activated", "install_method": "manual",
                                "update_waiting": False, "was_active": False}]
    install = [argv for argv in lab.argv_logged() if "plugin:install" in argv]
    assert install and all(("-u" in argv) == lab.version.startswith("10") for argv in install)
    assert all(("--allow-superuser" in argv) == (lab.version.startswith("11") and ROOT_USER) for argv in lab.argv_logged()
               if any(arg.endswith("/bin/console") for arg in argv))


def test_check_mode_changes_nothing_and_diff_shows_state_and_version(lab, tmp_path):
    before = stored(lab)
    run = run_tasks(tmp_path, [plugin(lab, state="enabled")], "--check", "--diff")
    assert run[0]["changed"] is True and run[0]["commands"] == [] and stored(lab) == before
    assert run[0]["diff"]["before"].startswith("state: not_installed\n") and run[0]["diff"]["after"].startswith("state: enabled\n")
    assert not [argv for argv in lab.argv_logged() if any(arg.startswith("plugin:install") or arg == "plugin:activate" for arg in argv)]


def test_update_waiting_is_seen_then_updated_and_reactivated(lab, tmp_path):
    old = "0.0.1" if lab.version.startswith("10") else "0.1.0"
    first = run_tasks(tmp_path, [plugin(lab, state="enabled")])
    assert first[0]["changed"] is True and stored(lab) == (1, old)
    lab.add_plugin("example", "9.9.9", name="Plugin Example")
    run = run_tasks(tmp_path, [plugin_info(lab), plugin(lab, state="present"), plugin(lab, state="present")])
    waiting = run[0]["plugins"][0]
    assert (waiting["state"], waiting["update_waiting"], waiting["version"], waiting["files_version"]) == ("to_update", True, old, "9.9.9")
    assert run[1]["changed"] is True and run[1]["state"] == "enabled" and run[1]["plugin"]["version"] == "9.9.9"
    assert run[1]["commands"] == ["plugin:install example", "plugin:activate example"]
    assert run[2]["changed"] is False and stored(lab) == (1, "9.9.9")


def test_marketplace_without_registration_and_unreachable(lab, tmp_path):
    run = run_tasks(tmp_path, [plugin(lab, name="fields", source="marketplace")])
    assert run[0]["failed"] is True and run[0]["changed"] is False and run[0]["state"] == "missing"
    if lab.version.startswith("10"):
        assert "GLPI Network cannot be reached" in run[0]["msg"] and "Could not resolve host" in run[0]["msg"]
    else:
        assert "registration key is missing or invalid" in run[0]["msg"]
    lab.answer("invalid")
    run = run_tasks(tmp_path, [plugin(lab, name="fields", source="marketplace")])
    assert "the marketplace refused to download fields: the GLPI Network registration key is missing or invalid" in run[0]["msg"]
    assert not (lab.root / "marketplace" / "fields").exists()


def test_marketplace_download_with_a_registration_key_that_never_shows(lab, tmp_path):
    key = registration_key()
    lab.answer("valid")
    lab.stock_marketplace("fields", "1.21.0", name="Fields")
    run = run_tasks(tmp_path, [plugin(lab, name="fields", source="marketplace", registration_key="{{ key_0 }}"),
                               plugin(lab, name="fields", source="marketplace", registration_key="{{ key_0 }}")],
                    key_vars={"key_0": key})
    assert run[0]["changed"] is True and run[0]["state"] == "enabled" and run[0]["plugin"]["install_method"] == "marketplace"
    assert run[0]["commands"] == ["marketplace:download fields", "plugin:install fields", "plugin:activate fields"]
    assert run[1]["changed"] is False and stored(lab, "fields") == (1, "1.21.0")
    assert lab.stored_key() == key
    assert key not in json.dumps(lab.argv_logged()) and key not in json.dumps(run.results) and key not in run.output


def test_marketplace_disabled_for_the_command_line(lab, tmp_path):
    lab.local_define("define('GLPI_MARKETPLACE_ENABLE', 2);")
    run = run_tasks(tmp_path, [plugin(lab, name="fields", source="marketplace")])
    assert run[0]["failed"] is True and "GLPI_MARKETPLACE_ENABLE is 2" in run[0]["msg"]
    assert not [argv for argv in lab.argv_logged() if "marketplace:download" in argv]


def test_src_archive_is_unpacked_into_marketplace_and_pinned(lab, tmp_path):
    staging = tmp_path / "staging"
    build = _lab_tree(staging, lab.version)
    source = build.add_plugin("formcreator", "2.13.9", name="Formcreator")
    archive = tmp_path / "formcreator.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        bundle.add(source, arcname="formcreator")
    run = run_tasks(tmp_path, [plugin(lab, name="formcreator", src=str(archive), version="2.13.9", state="present"),
                               plugin(lab, name="formcreator", src=str(archive), version="2.13.9", state="present"),
                               plugin(lab, name="formcreator", src=str(archive), version="3.0.0", state="present")])
    assert run[0]["changed"] is True and run[0]["state"] == "disabled" and (lab.root / "marketplace" / "formcreator" / "setup.php").is_file()
    assert run[1]["changed"] is False
    assert run[2]["failed"] is True and "files are of version 2.13.9 after unpacking src, not 3.0.0" in run[2]["msg"]
    assert not [path for path in (lab.root / "marketplace").iterdir() if path.name.startswith(".glpiops")]


def test_unknown_plugin_is_not_found(lab, tmp_path):
    run = run_tasks(tmp_path, [plugin(lab, name="nosuch"), plugin(lab, name="nosuch", state="absent")])
    assert run[0]["failed"] is True and "plugin nosuch not found" in run[0]["msg"]
    assert run[1]["changed"] is False and run[1]["state"] == "missing"


def test_glpi_11_as_root_without_allow_superuser(tmp_path):
    if not ROOT_USER:
        pytest.skip("needs root: GLPI 11's console refuses root only")
    tree = _lab_tree(tmp_path, "11.0.8")
    run = run_tasks(tmp_path, [plugin(tree, allow_superuser=False), plugin_info(tree, allow_superuser=False)])
    for result in run.results:
        assert result["failed"] is True and "become_user: www-data" in result["msg"] and "allow_superuser: true" in result["msg"]
    assert stored(tree) is None


def test_plugins_playbook_registers_then_ensures_a_survey_list(tmp_path):
    tree = _lab_tree(tmp_path, "10.0.12")
    tree.add_plugin("fields", "1.21.0", name="Fields")
    tree.answer("valid")
    key = registration_key()
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"glpi_server_hosts": "localhost", "glpi_network_glpi_path": str(tree.root), "glpi_plugins_become": False,
                                 "glpi_plugins": "example\nfields:present", "glpi_network_registration_key": key}))
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    cmd = [shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-vvv", "-c", "local", "-i", "localhost,",
           "-e", "ansible_python_interpreter=%s" % python, "-e", "@%s" % extra, "glpiops.glpi.plugins"]
    for unused_run in range(2):
        proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert stored(tree) == (1, "0.0.1") and stored(tree, "fields") == (4, "1.21.0")
    assert tree.stored_key() == key and key not in proc.stdout + proc.stderr
    assert "changed=0" in proc.stdout.split("PLAY RECAP")[-1]
