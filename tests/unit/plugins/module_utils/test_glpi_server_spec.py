# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GLPI server options: one spec, one doc fragment, the same options."""

from __future__ import annotations

import os

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.glpiops.glpi.plugins.doc_fragments.glpi_server import ModuleDocFragment
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_server_spec as spec


def test_doc_fragment_documents_the_spec_exactly():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    argument_spec = spec.glpi_server_argument_spec()
    assert list(documented) == list(argument_spec)
    for name, option in argument_spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("default") == option.get("default"), name
        assert doc.get("choices") == option.get("choices"), name
        assert doc.get("elements") == option.get("elements"), name
        assert set(doc) <= {"description", "type", "default", "choices", "elements"}, name
        env = spec.GLPI_SERVER_ENV[name]
        assert option["fallback"][1] == [env]
        assert any("E(%s)" % env in line for line in doc["description"]), name


# The options whose values must never be shown.
SECRETS = ("password", "client_secret")


def test_secrets_are_no_log_and_key_names_explicit():
    argument_spec = spec.glpi_server_argument_spec()
    for name in SECRETS:
        assert argument_spec[name]["no_log"] is True
    assert argument_spec["client_key"]["no_log"] is False  # a path, not a secret
    assert not any(option.get("no_log") for name, option in argument_spec.items() if name not in SECRETS)


def test_environment_fallbacks_and_defaults(monkeypatch):
    monkeypatch.setenv("GLPI_SERVER", "https://a.example.com,https://b.example.com/glpi")
    monkeypatch.setenv("GLPI_PASSWORD", "s3cret")
    monkeypatch.setenv("GLPI_USERNAME", "glpi")
    monkeypatch.setenv("GLPI_TIMEOUT", "9")
    monkeypatch.setenv("GLPI_VALIDATE_CERTS", "no")
    validator = ArgumentSpecValidator(
        spec.glpi_server_argument_spec(),
        mutually_exclusive=spec.GLPI_SERVER_MUTUALLY_EXCLUSIVE,
        required_together=spec.GLPI_SERVER_REQUIRED_TOGETHER,
        required_by=spec.GLPI_SERVER_REQUIRED_BY,
    )
    result = validator.validate({"compression": "none"})
    assert not result.error_messages, result.error_messages
    params = result.validated_parameters
    assert params["server"] == ["https://a.example.com", "https://b.example.com/glpi"]
    assert params["username"] == "glpi" and params["password"] == "s3cret" and params["timeout"] == 9
    assert params["validate_certs"] is False and params["compression"] == "none" and params["contact"] is False
    assert params["spool_path"] == os.path.expanduser(spec.DEFAULT_SPOOL_PATH) and params["retries"] == 3
    assert "s3cret" in result._no_log_values  # pylint: disable=protected-access


def test_cross_option_rules():
    validator = ArgumentSpecValidator(spec.glpi_server_argument_spec(), required_together=spec.GLPI_SERVER_REQUIRED_TOGETHER,
                                      required_by=spec.GLPI_SERVER_REQUIRED_BY)
    assert validator.validate({"server": ["https://x"], "client_id": "id"}).error_messages
    assert validator.validate({"server": ["https://x"], "client_key": "/k.pem"}).error_messages
    assert not validator.validate({"server": ["https://x"], "client_cert": "/c.pem"}).error_messages
