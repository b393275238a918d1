# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GLPI Network registration: the pure parts (program, console command, answers, messages)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_network as n

KEY = base64.b64encode(json.dumps({"name": "Example Org", "signature": "c2lnbmF0dXJl"}).encode()).decode()


def answer_line(answer):
    return n.RESULT_MARKER + json.dumps(answer)


def test_normalize_key_trims_like_the_web_form():
    assert n.normalize_key("  %s\n" % KEY) == KEY
    assert n.normalize_key(None) == ""


def test_fingerprint_is_short_sha256_and_empty_for_no_key():
    assert n.fingerprint("") == ""
    assert n.fingerprint(KEY).startswith("sha256:") and len(n.fingerprint(KEY)) == len("sha256:") + 16
    assert n.fingerprint(KEY) != n.fingerprint(KEY[:-1] + "x")


def test_mask_key_shows_length_and_fingerprint_only():
    masked = n.mask_key(KEY)
    assert str(len(KEY)) in masked and n.fingerprint(KEY) in masked
    assert KEY[:8] not in masked and KEY[-8:] not in masked
    assert n.mask_key("") == ""


def test_key_shape_problem():
    assert n.key_shape_problem(KEY) is None
    assert "base64" in n.key_shape_problem("not a key!")
    assert "signature" in n.key_shape_problem(base64.b64encode(b'{"a": 1}').decode())


@pytest.mark.parametrize("version, supported", [
    ("9.5.13", True), ("10.0.12", True), ("11.0.1", True), ("9.4.6", False), ("12.0.0", False), ("", False), (None, False)])
def test_version_problem(version, supported):
    problem = n.version_problem(version)
    assert (problem is None) is supported
    if not supported:
        assert problem.startswith("unsupported GLPI version %s" % (version or "(unknown)"))


def test_glpi_layout():
    assert n.glpi_layout(True, False) == n.KERNEL
    assert n.glpi_layout(True, True) == n.KERNEL
    assert n.glpi_layout(False, True) == n.LEGACY
    assert n.glpi_layout(False, False) is None


def test_read_program_holds_no_raw_parameters_and_names_the_action():
    program = n.read_program("validate", "/var/www/it's glpi", "/etc/glpi", n.LEGACY)
    assert program.startswith("<?php")
    assert "it's glpi" not in program and "/etc/glpi" not in program  # base64: any path survives quoting
    assert "getRegistrationInformations(true)" in program  # the one-day cache is bypassed
    assert n.RESULT_MARKER in program


@pytest.mark.skipif(not shutil.which("php"), reason="php is not installed")
@pytest.mark.parametrize("layout", [n.LEGACY, n.KERNEL])
def test_read_program_is_valid_php(layout):
    proc = subprocess.run(["php", "-l"], input=n.read_program("read", "/nonexistent", None, layout), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_parse_program_output_takes_the_marked_line_after_noise():
    answer = {"glpi_version": "10.0.12", "key": KEY}
    assert n.parse_program_output("PHP Notice: x\n" + answer_line(answer) + "\n") == answer
    assert n.parse_program_output("no answer") is None
    assert n.parse_program_output(n.RESULT_MARKER + "{broken") is None
    assert n.parse_program_output(n.RESULT_MARKER + "[1]") is None
    assert n.parse_program_output(None) is None


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_program_output_never_raises(text):
    assert n.parse_program_output(text) is None or isinstance(n.parse_program_output(text), dict)


def test_program_problem():
    assert "(rc 255): PHP Fatal error: boom" in n.program_problem(None, 255, "x\nPHP Fatal error: boom\n", "/g")
    assert "cannot connect to its database" in n.program_problem({"error": "database", "glpi_version": "10.0.12"}, 0, "", "/g")
    assert "set config_dir" in n.program_problem({"error": "not_installed", "config_dir": "/g/config"}, 0, "", "/g")
    assert "Error: nope" in n.program_problem({"error": "exception", "message": "Error: nope"}, 0, "", "/g")
    assert n.program_problem({"glpi_version": "9.4.6"}, 0, "", "/g").startswith("unsupported GLPI version 9.4.6")
    assert n.program_problem({"glpi_version": "10.0.12", "key": ""}, 0, "", "/g") is None


def test_undecryptable_warning():
    assert "glpicrypt.key" in n.undecryptable_warning({"stored": True, "key": "", "config_dir": "/etc/glpi"})
    assert n.undecryptable_warning({"stored": True, "key": KEY}) is None
    assert n.undecryptable_warning({"stored": False, "key": ""}) is None


def test_console_command_keeps_the_key_off_the_command_line():
    argv = n.console_command("/usr/bin/php", "/var/www/glpi", None, "10.0.12")
    assert argv == ["/usr/bin/php", "/var/www/glpi/bin/console", "config:set", "glpinetwork_registration_key"]
    assert n.console_command("php", "/g", "/etc/glpi", "10.0.12")[-1] == "--config-dir=/etc/glpi"
    assert n.console_command("php", "/g", "/etc/glpi", "11.0.1")[-1] == "glpinetwork_registration_key"  # GLPI_CONFIG_DIR env only


def test_console_problem_maps_exit_codes():
    assert n.console_problem(0, 'Configuration "glpinetwork_registration_key" updated.\n', "Configuration value:") is None
    message = n.console_problem(129, "The GLPI codebase has been updated. The update of the GLPI database is necessary.\n", "")
    assert "rc 129" in message and "db:update" in message and "cannot connect to its database" in message
    assert "The update of the GLPI database is necessary." in message
    assert "requirements" in n.console_problem(128, "", "")
    assert "cannot connect to its database" in n.console_problem(130, "", "")
    assert "must be updated" in n.console_problem(131, "", "")
    assert 'Command "x" is not defined.' in n.console_problem(1, "", '  Command "x" is not defined.')
    assert "did not confirm" in n.console_problem(0, "", "")
    assert "Configuration value:" not in n.console_problem(1, "", "Configuration value:\n  Aborted.")


def test_scrub():
    assert n.scrub("a %s b" % KEY, [KEY, ""]) == "a ******** b"
    assert n.scrub(None, [KEY]) is None


VALID = {"is_valid": True, "validation_message": "The registration key is valid.", "owner": {"name": "Example Org"},
         "subscription": {"title": "GLPI Network Basic", "is_running": True, "offer_reference": "basic"}}


@pytest.mark.parametrize("answer, state", [
    ({"information": VALID}, "valid"),
    ({"information": dict(VALID, subscription=dict(VALID["subscription"], is_running=False))}, "terminated"),
    ({"information": {"is_valid": False, "validation_message": "The registration key is invalid.", "owner": None, "subscription": None},
      "services_available": True}, "invalid"),
    ({"information": {"is_valid": False, "validation_message": n.UNABLE_TO_FETCH, "owner": None, "subscription": None},
      "services_available": False}, "unreachable"),
    # GLPI reached something (a proxy's error page) that gave no usable answer
    ({"information": {"is_valid": False, "validation_message": n.UNABLE_TO_FETCH, "owner": None, "subscription": None},
      "services_available": True}, "unreachable"),
])
def test_registration_state(answer, state):
    assert n.registration_state(answer) == state


def test_registration_facts():
    assert n.registration_facts({"information": VALID}) == {
        "registered": True, "validation_message": "The registration key is valid.", "owner": "Example Org",
        "subscription": {"title": "GLPI Network Basic", "running": True}}
    assert n.registration_facts({}) == {"registered": False, "validation_message": None, "owner": None, "subscription": None}


def test_connectivity_message_names_the_host_the_proxy_and_the_way_out():
    message = n.connectivity_message({"curl_error": "Could not resolve host: services.glpi-network.com"})
    for words in ("https://services.glpi-network.com", "Could not resolve host", "proxy", "validate: false"):
        assert words in message
    from_warning = n.connectivity_message({"php_warnings": ["Unable to fetch registration information.\nError message:Connection failed\nResponse:\n"]})
    assert "Connection failed" in from_warning


def test_key_diff_shows_fingerprints_only():
    diff = n.key_diff("", KEY)
    assert diff["before"] == "(no key)\n" and diff["after"] == n.fingerprint(KEY) + "\n"
    assert KEY not in json.dumps(diff)


def test_allow_superuser_goes_to_glpi_11_only():
    assert n.console_command("php", "/g", None, "11.0.8", allow_superuser=True)[-1] == "--allow-superuser"
    assert "--allow-superuser" not in n.console_command("php", "/g", None, "10.0.12", allow_superuser=True)
    assert "--allow-superuser" not in n.console_command("php", "/g", None, "11.0.8")


def test_glpi_11_root_refusal_is_told_with_what_to_do():
    from tests._plugin_transcript import transcript_calls  # pylint: disable=import-outside-toplevel

    refusal = next(call for call in transcript_calls() if call["version"].startswith("11") and "--allow-superuser" not in call["args"])
    message = n.console_problem(refusal["rc"], refusal["stdout"], refusal["stderr"])
    assert "become_user: www-data" in message and "allow_superuser: true" in message


class _Module(object):
    def __init__(self, **params):
        self.params = params


def _glpi_tree(tmp_path, php_body):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "console").write_text("<?php\n")
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "based_config.php").write_text("<?php\n")
    php = tmp_path / "php"
    php.write_text("#!/bin/sh\n" + php_body)
    php.chmod(0o755)
    return str(php)


def test_a_php_run_that_hangs_is_stopped_at_command_timeout(tmp_path):
    php = _glpi_tree(tmp_path, "exec sleep 60\n")
    server = n.GlpiServer(_Module(command_timeout=1), str(tmp_path), php_path=php)
    with pytest.raises(n.GlpiNetworkError) as caught:
        server.read_key()
    assert caught.value.msg == "php did not finish within 1 s (option command_timeout): it was stopped"


def test_the_console_gets_the_key_on_stdin_and_its_refusal_is_scrubbed(tmp_path):
    php = _glpi_tree(tmp_path, 'read line; echo "cannot store $line in $GLPI_CONFIG_DIR from $(pwd)" >&2; exit 1\n')
    server = n.GlpiServer(_Module(command_timeout=30), str(tmp_path), php_path=php, config_dir="/etc/glpi")
    with pytest.raises(n.GlpiNetworkError) as caught:
        server.write_key("S3cret-key", secrets=["S3cret-key"])
    assert "cannot store ******** in /etc/glpi from %s" % tmp_path in caught.value.msg and "S3cret" not in caught.value.msg


def test_a_console_flooding_its_output_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(n, "OUTPUT_MAX", 1000)
    php = _glpi_tree(tmp_path, "yes\n")
    server = n.GlpiServer(_Module(command_timeout=30), str(tmp_path), php_path=php)
    with pytest.raises(n.GlpiNetworkError, match=r"^GLPI's console wrote more than 1000 bytes on its stdout: it was stopped$"):
        server.run([php, str(tmp_path / "bin" / "console"), "list"], None)
