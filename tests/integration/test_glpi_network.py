# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""glpiops.glpi.glpi_network_register and glpi_network_info against a stand-in GLPI tree under real PHP.

First the stand-in is held to what ``tests/fixtures/reference/FACTS.md`` §1 recorded of GLPI 10.0.12
(the console's prompt, its messages and exit codes, the encrypted storage); then the modules run in
real ``ansible-playbook -vvv`` runs (connection local).  What GLPI stored is decrypted here with PyNaCl,
and the key must never show in a command line the stand-in logged, in results, warnings, diffs or output.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from _glpi_stand_in import build_glpi_tree, registration_key  # noqa: E402  pylint: disable=import-error
from _sshd import ensure_packages  # noqa: E402  pylint: disable=import-error

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY_NAME = "glpinetwork_registration_key"
UPDATED = 'Configuration "glpinetwork_registration_key" updated.'
DB_UPDATE = "The GLPI codebase has been updated. The update of the GLPI database is necessary."


@pytest.fixture(scope="module", autouse=True)
def php():
    """php-cli (Debian's includes sodium): installed with apt when missing and allowed to."""
    if not shutil.which("php"):
        if os.geteuid() != 0 and os.environ.get("CI") != "true":
            pytest.skip("php-cli is missing (run make test as root to install it)")
        ensure_packages(["php-cli"], ["/usr/bin/php"])
    proc = subprocess.run(["php", "-r", "echo function_exists('sodium_crypto_aead_xchacha20poly1305_ietf_encrypt') ? 'yes' : 'no';"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout == "yes", "this php has no sodium, which GLPI requires"


@pytest.fixture
def tree(tmp_path):
    return build_glpi_tree(tmp_path / "glpi")


# --- the stand-in, held to FACTS §1 ------------------------------------------------------------------

def test_console_has_no_glpi_network_commands(tree):
    proc = tree.console("list", "--raw")
    assert proc.returncode == 0
    assert "config:set" in proc.stdout.split()
    assert not [name for name in proc.stdout.split() if name.startswith("glpi:network:")]
    assert tree.console("glpi:network:register", "x").returncode == 1


def test_config_set_prompts_and_stores_the_key_encrypted_with_glpicrypt_key(tree):
    key = registration_key()
    proc = tree.console("config:set", KEY_NAME, stdin=key + "\n")
    assert (proc.returncode, proc.stdout.strip()) == (0, UPDATED)
    assert "Configuration value:" in proc.stderr
    raw = base64.b64decode(tree.stored_value())
    assert key not in tree.stored_value() and len(raw) == 24 + len(key) + 16  # nonce, ciphertext, Poly1305 tag
    assert tree.stored_key() == key


def test_config_set_says_updated_even_when_nothing_changed_and_does_not_trim(tree):
    key = registration_key()
    for unused_run in range(2):
        assert tree.console("config:set", KEY_NAME, stdin=key + "\n").stdout.strip() == UPDATED
    tree.console("config:set", KEY_NAME, stdin=" %s \n" % key)
    assert tree.stored_key() == " %s " % key


def test_config_set_with_an_empty_answer_clears_the_key(tree):
    tree.console("config:set", KEY_NAME, stdin=registration_key() + "\n")
    assert tree.console("config:set", KEY_NAME, stdin="\n").returncode == 0
    assert tree.stored_value() == ""


def test_unreachable_database_is_rc_129_with_the_update_message_on_10(tree):
    tree.database_down()
    proc = tree.console("config:set", KEY_NAME, stdin="x\n")
    assert (proc.returncode, proc.stdout.strip()) == (129, DB_UPDATE)


def test_glpi_11_says_130_for_an_unreachable_database_and_has_no_glpi_alias(tmp_path):
    tree = build_glpi_tree(tmp_path / "glpi", version="11.0.1")
    assert "glpi:config:set" not in tree.console("list", "--raw").stdout
    tree.database_down()
    assert tree.console("config:set", KEY_NAME, "--allow-superuser", stdin="x\n").returncode == 130


def test_glpi_config_set_is_an_alias_on_10(tree):
    assert tree.console("glpi:config:set", KEY_NAME, stdin="abc\n").returncode == 0
    assert tree.stored_key() == "abc"


# --- the modules, through ansible-playbook -vvv --------------------------------------------------------

class Run:
    """One ansible-playbook run: its output and each task's registered result."""

    def __init__(self, proc, results):
        self.proc = proc
        self.results = results
        self.output = proc.stdout + proc.stderr

    def __getitem__(self, index):
        return self.results[index]


def run_tasks(tmp_path, tasks, *extra, key_vars=None):
    """Run ``tasks`` (module name, args) in one play; every result is kept, failed or not.

    Keys go in through a vars file, as from a vault; the arguments name them as ``{{ key_N }}``.
    """
    vars_file = tmp_path / "keys.json"
    vars_file.write_text(json.dumps(key_vars or {}))
    play_tasks = []
    for index, (module, args) in enumerate(tasks):
        play_tasks.append({"name": "task %d" % index, module: args, "register": "result_%d" % index, "ignore_errors": True})
        play_tasks.append({"name": "keep result %d" % index, "ansible.builtin.copy": {
            "content": "{{ result_%d | to_json }}" % index, "dest": str(tmp_path / ("result_%d.json" % index)), "mode": "0600"},
            "check_mode": False, "diff": False})
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": play_tasks}]))
    for index in range(len(tasks)):
        (tmp_path / ("result_%d.json" % index)).unlink(missing_ok=True)
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".collections"))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"))
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    cmd = [shutil.which("ansible-playbook", path=env.get("PATH")) or "ansible-playbook", "-vvv", "-c", "local", "-i", "localhost,",
           "-e", "ansible_python_interpreter=%s" % python, "-e", "@%s" % vars_file, str(playbook)] + list(extra)
    proc = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    results = []
    for index in range(len(tasks)):
        path = tmp_path / ("result_%d.json" % index)
        assert path.exists(), "task %d left no result:\n%s%s" % (index, proc.stdout[-4000:], proc.stderr[-2000:])
        results.append(json.loads(path.read_text()))
    return Run(proc, results)


def register(tree, key_var=None, **args):
    args = dict(args, glpi_path=str(tree.root))
    if key_var:
        args["registration_key"] = "{{ %s }}" % key_var
    return ("glpiops.glpi.glpi_network_register", args)


def info(tree, **args):
    return ("glpiops.glpi.glpi_network_info", dict(args, glpi_path=str(tree.root)))


def assert_keys_hidden(run, tree, *keys):
    logged = json.dumps(tree.argv_logged())
    for key in keys:
        assert key not in run.output, "a key is in the ansible-playbook -vvv output"
        assert key not in json.dumps(run.results), "a key is in a task result (warnings, diff, messages)"
        assert key not in logged, "a key went through a command line"
        assert key[:40] not in run.output + json.dumps(run.results), "the start of a key leaked"


def console_runs(tree):
    return [argv for argv in tree.argv_logged() if any(arg.endswith("/bin/console") for arg in argv)]


def test_register_then_same_key_again_changes_nothing(tree, tmp_path):
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0"), register(tree, "key_0"), info(tree, validate=True)], "--diff", key_vars={"key_0": key})
    first, second, state = run.results
    assert first["changed"] is True and not first.get("failed")
    assert tree.stored_key() == key
    assert first["registered"] is True and first["owner"] == "Stand-in Owner"
    assert first["subscription"] == {"title": "GLPI Network Basic", "running": True}
    assert first["validation_message"] == "The registration key is valid."
    assert first["diff"]["before"] == "(no key)\n" and first["diff"]["after"].startswith("sha256:")
    assert second["changed"] is False and second["registered"] is True
    assert second["fingerprint"] == first["fingerprint"] == state["fingerprint"]
    assert state["key_present"] is True and state["registered"] is True and state["masked_key"].startswith("<%d characters" % len(key))
    assert len(console_runs(tree)) == 1, "the second run must not write"
    assert console_runs(tree)[0][-2:] == ["config:set", KEY_NAME]
    assert_keys_hidden(run, tree, key)


def test_surrounding_whitespace_is_trimmed(tree, tmp_path):
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": "  %s\n" % key})
    assert run[0]["changed"] is True and tree.stored_key() == key


def test_a_new_key_replaces_the_old_one(tree, tmp_path):
    old, new = registration_key(serial=1), registration_key(serial=2)
    run = run_tasks(tmp_path, [register(tree, "key_0"), register(tree, "key_1")], "--diff", key_vars={"key_0": old, "key_1": new})
    assert run[1]["changed"] is True and tree.stored_key() == new
    assert run[1]["diff"]["before"] == run[0]["diff"]["after"] != run[1]["diff"]["after"]
    assert_keys_hidden(run, tree, old, new)


def test_refused_key_fails_and_restores_the_previous_key(tree, tmp_path):
    old, bad = registration_key(serial=1), registration_key(serial=666)
    run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": old})
    tree.answer("invalid")
    run = run_tasks(tmp_path, [register(tree, "key_1")], key_vars={"key_0": old, "key_1": bad})
    result = run[0]
    assert result["failed"] is True
    assert "GLPI Network refused the registration key: The registration key is invalid." in result["msg"]
    assert "previous key was restored" in result["msg"] and result["registered"] is False
    assert tree.stored_key() == old
    assert_keys_hidden(run, tree, old, bad)


def test_refused_first_key_leaves_no_key(tree, tmp_path):
    tree.answer("invalid")
    bad = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": bad})
    assert run[0]["failed"] is True and "No key was left stored" in run[0]["msg"]
    assert tree.stored_value() == ""
    assert_keys_hidden(run, tree, bad)


def test_unreachable_glpi_network_fails_with_a_connectivity_message_and_restores(tree, tmp_path):
    old, new = registration_key(serial=1), registration_key(serial=2)
    run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": old})
    tree.answer("unreachable")
    run = run_tasks(tmp_path, [register(tree, "key_1")], key_vars={"key_1": new})
    message = run[0]["msg"]
    assert run[0]["failed"] is True
    for words in ("services.glpi-network.com", "Could not resolve host", "proxy", "validate: false", "previous key was restored"):
        assert words in message
    assert tree.stored_key() == old
    assert_keys_hidden(run, tree, old, new)


def test_validate_false_stores_the_key_without_asking(tree, tmp_path):
    tree.answer("unreachable")
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0", validate=False)], key_vars={"key_0": key})
    assert run[0]["changed"] is True and run[0]["registered"] is None and not run[0].get("failed")
    assert tree.stored_key() == key and tree.network_requests() == []


def test_validation_forces_a_refresh_of_glpis_cache(tree, tmp_path):
    key = registration_key()
    run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": key})
    tree.answer("invalid")  # GLPI's one-day cache still says valid
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": key})
    assert run[0]["failed"] is True and "refused" in run[0]["msg"]
    assert tree.stored_key() == key, "an unchanged key is not removed, only reported"


def test_terminated_subscription_registers_with_a_warning(tree, tmp_path):
    tree.answer("terminated")
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": key})
    assert run[0]["registered"] is True and run[0]["subscription"]["running"] is False
    assert any("subscription has ended" in warning for warning in run[0]["warnings"])


def test_absent_clears_the_key_once(tree, tmp_path):
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0"), register(tree, state="absent"), register(tree, state="absent"), info(tree)],
                    "--diff", key_vars={"key_0": key})
    assert run[1]["changed"] is True and run[1]["diff"]["after"] == "(no key)\n"
    assert run[2]["changed"] is False
    assert run[3]["key_present"] is False and run[3]["masked_key"] == "" and run[3]["registered"] is None
    assert tree.stored_value() == ""
    assert_keys_hidden(run, tree, key)


def test_check_mode_reads_and_compares_only(tree, tmp_path):
    old, new = registration_key(serial=1), registration_key(serial=2)
    run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": old})
    writes = len(console_runs(tree))
    requests = len(tree.network_requests())
    run = run_tasks(tmp_path, [register(tree, "key_1"), register(tree, "key_0"), register(tree, state="absent")], "--check", "--diff",
                    key_vars={"key_0": old, "key_1": new})
    assert [result["changed"] for result in run.results] == [True, False, True]
    assert run[0]["diff"]["before"] != run[0]["diff"]["after"]
    assert tree.stored_key() == old
    assert len(console_runs(tree)) == writes and len(tree.network_requests()) == requests
    assert_keys_hidden(run, tree, old, new)


def test_outdated_database_is_rc_129_with_its_meaning(tree, tmp_path):
    tree.store_plain("version", "9.5.13")
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": key})
    assert run[0]["failed"] is True and run[0]["rc"] == 129
    assert "rc 129" in run[0]["msg"] and "db:update" in run[0]["msg"] and "cannot connect to its database" in run[0]["msg"]
    assert DB_UPDATE in run[0]["msg"]
    assert_keys_hidden(run, tree, key)


def test_missing_requirements_is_rc_128(tree, tmp_path):
    tree.requirements_missing()
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": registration_key()})
    assert run[0]["failed"] is True and "rc 128" in run[0]["msg"] and "requirements" in run[0]["msg"]


def test_unreachable_database_fails_before_writing(tree, tmp_path):
    tree.database_down()
    run = run_tasks(tmp_path, [register(tree, "key_0"), info(tree)], key_vars={"key_0": registration_key()})
    assert all(result["failed"] and "cannot connect to its database" in result["msg"] for result in run.results)
    assert console_runs(tree) == []


def test_relocated_config_dir(tmp_path):
    tree = build_glpi_tree(tmp_path / "glpi", config_dir=tmp_path / "etc-glpi")
    shutil.rmtree(tree.root / "config", ignore_errors=True)
    key = registration_key()
    run = run_tasks(tmp_path, [register(tree, "key_0", config_dir=str(tree.config_dir))], key_vars={"key_0": key})
    assert run[0]["changed"] is True and tree.stored_key() == key
    assert "--config-dir=%s" % tree.config_dir in console_runs(tree)[0]
    missing = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": key})
    assert missing[0]["failed"] is True and "config_dir" in missing[0]["msg"]


def test_glpi_11_boots_through_its_kernel(tmp_path):
    tree = build_glpi_tree(tmp_path / "glpi", version="11.0.1")
    key = registration_key()
    root = os.geteuid() == 0
    run = run_tasks(tmp_path, [register(tree, "key_0", allow_superuser=root), info(tree, validate=True, allow_superuser=root)],
                    key_vars={"key_0": key})
    assert run[0]["changed"] is True and run[0]["glpi_version"] == "11.0.1" and run[1]["registered"] is True
    assert tree.stored_key() == key
    assert console_runs(tree)[-1][-1] == ("--allow-superuser" if root else KEY_NAME)
    assert_keys_hidden(run, tree, key)


def test_glpi_11_refuses_root_without_allow_superuser_and_the_module_says_what_to_do(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root: GLPI 11's console refuses root only")
    tree = build_glpi_tree(tmp_path / "glpi", version="11.0.1")
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": registration_key()})
    assert run[0]["failed"] is True and "become_user: www-data" in run[0]["msg"] and "allow_superuser: true" in run[0]["msg"]
    assert tree.stored_value() is None


def test_glpi_10_is_never_given_allow_superuser(tree, tmp_path):
    run = run_tasks(tmp_path, [register(tree, "key_0", allow_superuser=True)], key_vars={"key_0": registration_key()})
    assert run[0]["changed"] is True
    assert console_runs(tree) and not [argv for argv in console_runs(tree) if "--allow-superuser" in argv]


def test_unsupported_glpi_version_is_named(tmp_path):
    tree = build_glpi_tree(tmp_path / "glpi", version="9.4.6")
    run = run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": registration_key()})
    assert run[0]["failed"] is True and "unsupported GLPI version 9.4.6" in run[0]["msg"]
    assert console_runs(tree) == []


def test_test_connectivity(tree, tmp_path):
    run = run_tasks(tmp_path, [register(tree, test_connectivity=True)])
    assert run[0]["reachable"] is True and run[0]["changed"] is False
    tree.answer("unreachable")
    run = run_tasks(tmp_path, [register(tree, test_connectivity=True), info(tree, validate=True)])
    assert run[0]["failed"] is True and "services.glpi-network.com" in run[0]["msg"] and "proxy" in run[0]["msg"]
    assert run[1]["reachable"] is None and run[1]["key_present"] is False
    assert console_runs(tree) == []


def test_info_reports_an_unreachable_glpi_network_without_failing(tree, tmp_path):
    key = registration_key()
    run_tasks(tmp_path, [register(tree, "key_0")], key_vars={"key_0": key})
    tree.answer("unreachable")
    run = run_tasks(tmp_path, [info(tree, validate=True)])
    assert not run[0].get("failed") and run[0]["reachable"] is False and run[0]["registered"] is False
    assert "services.glpi-network.com" in run[0]["validation_message"]
    assert_keys_hidden(run, tree, key)
