# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures: recorded collector results, the official GLPI schemas, the reference material."""

from __future__ import annotations

import json
import pathlib
import random
import re

import pytest

from tests._reference import CORPUS, reference_path

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Each test gets its own home: the controller's state (deviceids, tokens, spool defaults under ~/.ansible) of one
    test must never meet another's, nor the machine's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    return home


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
    """``reference("glpi", "x.json")`` -> path under tests/fixtures/reference (the test fails when it is missing)."""
    return reference_path


# --- GLPI Agent's test corpus (tests/fixtures/reference/glpi-agent-corpus) ----------------------------------------
#
# A corpus test is marked ``@pytest.mark.corpus("<folder>")`` and takes ``corpus_case``: it is run once for every
# (sample, view) pair index.json lists for that folder, so a view without a handler fails instead of being skipped.
# Deliberate differences from the agent live in one table, docs/corpus-differences.md (folder, view, field, reason).

DIFFERENCES = ROOT / "docs" / "corpus-differences.md"


class CorpusCase(object):
    """One view of one corpus sample."""

    def __init__(self, folder, name, entry, view):
        self.folder, self.name, self.entry, self.view = folder, name, entry, view
        self.view_info = (entry.get("views") or {}).get(view) or {}

    def __repr__(self):
        return "%s/%s[%s]" % (self.folder, self.name, self.view)

    def path(self, relative=None):
        return CORPUS / (relative or self.entry["input"])

    def read_bytes(self, relative=None):
        return self.path(relative).read_bytes()

    def read_text(self, relative=None):
        return self.path(relative).read_bytes().decode("utf-8", "replace")

    @property
    def extra_inputs(self):
        """``{role: relative input path}`` of the companion inputs (``<sample>.<role>``)."""
        extra = self.entry.get("extra_inputs") or {}
        if isinstance(extra, dict):
            return {role: (value.get("input") if isinstance(value, dict) else value) for role, value in extra.items()}
        return {path: path for path in extra}

    @property
    def expected_all(self):
        return json.loads((CORPUS / self.folder / (self.name + ".expected.json")).read_text())

    @property
    def expected(self):
        """The agent's expected value for this view (strings; ``null`` means absent)."""
        return self.expected_all[self.view]

    @property
    def inventory(self):
        """The derived inventory form (typed, as the agent would send it), or ``None``."""
        if not self.entry.get("inventory"):
            return None
        return json.loads((CORPUS / self.entry["inventory"]).read_text())


def corpus_index():
    path = CORPUS / "index.json"
    return json.loads(path.read_text()) if path.exists() else None


def _corpus_cases(folder):
    index = corpus_index()
    if index is None:  # collected as one case that fails with the path
        return [pytest.param(None, id="corpus-missing")]
    samples = index["folders"][folder]["samples"]
    cases = []
    for name in sorted(samples):
        for view in sorted(samples[name].get("views") or {}):
            case = CorpusCase(folder, name, samples[name], view)
            cases.append(pytest.param(case, id="%s[%s]" % (name, view)))
    return cases


def pytest_configure(config):
    config.addinivalue_line("markers", "corpus(folder): run once per (sample, view) of that corpus folder")


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("corpus")
    if marker is not None and "corpus_case" in metafunc.fixturenames:
        metafunc.parametrize("corpus_case", _corpus_cases(marker.args[0]), indirect=True)


@pytest.fixture
def corpus_case(request):
    if request.param is None:
        reference_path("glpi-agent-corpus", "index.json")  # fails with the path
    return request.param


def load_corpus_differences():
    """``{(folder, view, field): reason}`` from the one table of deliberate differences."""
    table = {}
    for line in DIFFERENCES.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not line.lstrip().startswith("|") or cells[0] in ("folder", "") or set(cells[0]) <= {"-", ":"}:
            continue
        folder, view, field, reason = (cell.strip("`") if i < 3 else cell for i, cell in enumerate(cells))
        table[(folder, view, field)] = reason
    return table


@pytest.fixture(scope="session")
def corpus_differences():
    return load_corpus_differences()


def _as_agent_string(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@pytest.fixture
def assert_same_as_agent(corpus_differences):
    """Compare one parsed entry (or list of entries) with the agent's, field by field.

    ``None``/missing are the same; scalars are compared as strings (the corpus's convention); fields named in
    docs/corpus-differences.md for this folder/view (or ``*`` for every view) are left out, and so are the
    agent's internal ``_`` fields and regex-asserted ``pattern_fields``, which are matched by their pattern.
    """
    def check(case, actual, expected=None):
        expected = case.expected if expected is None else expected
        skip = {field for (folder, view, field) in corpus_differences
                if folder == case.folder and view in (case.view, "*")}
        # index.json keys regex-asserted fields by path: "controllers[3].name" (entry 3), or "name" for an object.
        pattern_paths = case.view_info.get("pattern_fields") or {}

        def patterns_for(index):
            found = {}
            for path, pattern in pattern_paths.items():
                match = re.match(r"^[^\[.]+\[(\d+)\]\.(.+)$", path)
                if match and index is not None and int(match.group(1)) == index:
                    found[match.group(2)] = pattern
                elif not match and index is None:
                    found[path.split(".")[-1]] = pattern
            return found

        def norm(entry):
            out = {}
            for key, value in (entry or {}).items():
                if value is None or key.startswith("_") or key in skip:
                    continue
                out[key] = value
            return out

        def compare(got, want, where, index=None):
            got, want = norm(got), norm(want)
            for key, pattern in patterns_for(index).items():
                if key in want:
                    assert key in got and re.search(pattern, _as_agent_string(got[key])), "%s: %s %r !~ %s" % (
                        where, key, got.get(key), pattern)
                    want.pop(key)
                    got.pop(key, None)
            got_s = {k: (v if isinstance(v, (dict, list)) else _as_agent_string(v)) for k, v in got.items()}
            want_s = {k: (v if isinstance(v, (dict, list)) else _as_agent_string(v)) for k, v in want.items()}
            assert got_s == want_s, "%s differs from GLPI Agent" % where

        if isinstance(expected, list):
            assert isinstance(actual, list), "%r: expected a list" % case
            assert len(actual) == len(expected), "%r: %d entries, the agent has %d" % (case, len(actual), len(expected))
            for i, (got, want) in enumerate(zip(actual, expected)):
                compare(got, want, "%r entry %d" % (case, i), i)
        elif isinstance(expected, dict):
            compare(actual, expected, repr(case))
        else:
            assert _as_agent_string(actual) == _as_agent_string(expected), repr(case)
    return check


def mutate_sample(data, seed):
    """A recorded sample damaged the ways real output gets damaged: truncated, bytes flipped, lines shuffled,
    duplicated or deleted (one to four of these, chosen by ``seed``).  Returns bytes: decode them as the collector would."""
    rng = random.Random(seed)
    data = bytearray(data)
    for _unused_step in range(rng.randint(1, 4)):
        kind = rng.choice(("truncate", "flip", "shuffle", "duplicate", "delete"))
        if kind == "truncate" and data:
            data = data[:rng.randrange(len(data))]
        elif kind == "flip" and data:
            for _unused_flip in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            lines = bytes(data).split(b"\n")
            if kind == "shuffle":
                rng.shuffle(lines)
            elif kind == "duplicate":
                lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
            elif len(lines) > 1:
                del lines[rng.randrange(len(lines))]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@pytest.fixture(name="mutate", scope="session")
def mutate_fixture():
    """``mutate(data: bytes, seed) -> bytes``: see ``mutate_sample``."""
    return mutate_sample
