# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures: recorded collector results, the official GLPI schemas, the reference material."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
# ../shared/reference beside the project: present in this workspace and in CI, absent in a user's clone.
REFERENCE = ROOT.parent / "shared" / "reference"


def reference_path(*parts):
    """A file of ../shared/reference, or skip (fail under CI=true) when the material is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        reason = "reference material %s is absent (it sits beside the project in the glpiops workspace)" % path
        if os.environ.get("CI") == "true":
            pytest.fail("under CI the reference material must be present: " + reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def collected_debian_vm():
    """What the collector returned on a Debian 12 VM without DMI (recorded)."""
    return json.loads((FIXTURES / "debian12-vm.collected.json").read_text())


@pytest.fixture(scope="session")
def glpi_validators():
    """``{"glpi10": validator, "glpi11": validator}`` from the official schemas."""
    import jsonschema

    validators = {}
    for name, filename in (("glpi10", "inventory.schema-glpi10.json"), ("glpi11", "inventory.schema.json")):
        schema = json.loads(reference_path("glpi", filename).read_text())
        validators[name] = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return validators


@pytest.fixture
def assert_valid_inventory(glpi_validators):
    def check(document):
        for name, validator in glpi_validators.items():
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
            assert not errors, "%s schema: %s" % (name, "; ".join(
                "%s at %s" % (e.message, "/".join(map(str, e.absolute_path))) for e in errors[:5]))
    return check


@pytest.fixture(name="reference")
def reference_fixture():
    """``reference("glpi", "x.json")`` -> path under ../shared/reference (skips or fails when absent)."""
    return reference_path
