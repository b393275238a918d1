# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The built collection holds only what users need (issue 15): build it with this venv's ansible-galaxy, list it.

galaxy.yml's build_ignore decides what is left out; these tests check the result against an allow-list, so a new
top-level directory, a cache or test output that slips in fails here instead of shipping to users.
"""

from __future__ import annotations

import fnmatch
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# What a user gets: every member of the tarball must match one of these (fnmatch, "*" crosses "/").
ALLOWED = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "LICENSE",
    "requirements.txt",
    "bindep.txt",
    "changelogs",
    "changelogs/changelog.yaml",
    "changelogs/config.yaml",
    "docs",
    "docs/*.md",
    "meta",
    "meta/*",
    "playbooks",
    "playbooks/*",
    "plugins",
    "plugins/*",
    "roles",
    "roles/*",
)

# Never shipped, at any depth, even below an allowed directory.
FORBIDDEN_PARTS = (".hypothesis", "__pycache__", ".pytest_cache", ".mypy_cache", "Makefile", "tests", "output",
                   "glpi-inventory", ".venv", ".cache", ".collections", ".ansible", ".ci", ".git")
FORBIDDEN_NAMES = ("*.pyc", "*.pyo", "*.tar.gz", "*.retry", ".*")

# Present in every tarball: what users need to use the collection and build an execution environment.
REQUIRED = ("MANIFEST.json", "FILES.json", "README.md", "LICENSE", "requirements.txt", "bindep.txt",
            "meta/runtime.yml", "meta/execution-environment.yml", "changelogs/changelog.yaml")


def unexpected_members(names):
    """The members of a tarball listing that do not belong in the collection users get, with the reason."""
    problems = []
    for name in names:
        name = name.rstrip("/")
        if name.startswith("./"):
            name = name[2:]
        parts = name.split("/")
        bad = [part for part in parts if part in FORBIDDEN_PARTS or any(fnmatch.fnmatch(part, pat) for pat in FORBIDDEN_NAMES)]
        if bad:
            problems.append("%s (never shipped: %s)" % (name, ", ".join(bad)))
        elif not any(fnmatch.fnmatch(name, pattern) for pattern in ALLOWED):
            problems.append("%s (outside the allow-list)" % name)
    missing = [name for name in REQUIRED if name not in set(n.rstrip("/") for n in names)]
    problems.extend("%s (missing)" % name for name in missing)
    return problems


def ansible_galaxy():
    """The ansible-galaxy of the venv running these tests."""
    path = pathlib.Path(sys.executable).parent / "ansible-galaxy"
    if not path.exists():
        pytest.skip("no ansible-galaxy beside %s" % sys.executable)
    return path


def build(source, output):
    """Build the collection in source into output; return the tarball's member names."""
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", PYTHONWARNINGS="ignore")
    result = subprocess.run([str(ansible_galaxy()), "collection", "build", "--force", "--output-path", str(output), str(source)],
                            capture_output=True, text=True, env=env, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    tarballs = list(pathlib.Path(output).glob("glpiops-glpi-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    with tarfile.open(str(tarballs[0])) as tar:
        return tar.getnames()


def test_the_built_collection_holds_only_what_users_need(tmp_path):
    names = build(ROOT, tmp_path)
    assert unexpected_members(names) == []
    assert any(name.startswith("plugins/modules/") for name in names)
    assert any(name.startswith("roles/") for name in names)


def test_strays_in_the_tree_stay_out_of_the_tarball(tmp_path):
    """Caches and outputs a developer's tree really holds, at the top and deep down, are left out by build_ignore."""
    source = tmp_path / "src"
    heavy = shutil.ignore_patterns(".git", ".venv", ".venv-*", ".cache", ".collections", "glpi-inventory", "tests")
    shutil.copytree(str(ROOT), str(source), ignore=heavy, symlinks=True)
    strays = (
        ".hypothesis/examples/0a1b/2c3d",
        "plugins/modules/.hypothesis/examples/x",
        "plugins/module_utils/__pycache__/glpi.cpython-311.pyc",
        "plugins/modules/stray.pyc",
        "roles/.pytest_cache/v/cache/lastfailed",
        ".pytest_cache/v/cache/nodeids",
        "tests/output/junit/result.xml",
        "tests/unit/fixtures/big.json",
        "glpi-inventory/host.json",
        ".venv/bin/python",
        ".cache/build/glpiops-glpi-0.1.0.tar.gz",
        ".collections/ansible_collections/x",
        "glpiops-glpi-0.0.1.tar.gz",
        "changelogs/fragments/some-change.yml",
        "changelogs/.plugin-cache.yaml",
    )
    for stray in strays:
        path = source / stray
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("stray\n")
    names = build(source, tmp_path / "out")
    assert unexpected_members(names) == []


@pytest.mark.parametrize("member", [
    ".hypothesis/examples/0a1b",
    "plugins/modules/.hypothesis/examples/x",
    "plugins/module_utils/__pycache__/glpi.cpython-311.pyc",
    "plugins/modules/stray.pyc",
    "tests/output/junit/result.xml",
    "tests/unit/conftest.py",
    "Makefile",
    ".ansible-lint",
    ".gitignore",
    "roles/glpi_agent/.pytest_cache",
    "changelogs/fragments/some-change.yml",
    "glpi-inventory/host.json",
    "glpiops-glpi-0.1.0.tar.gz",
    "bench",
    "docs/benchmarks.raw.json",
])
def test_the_check_fails_on_anything_unexpected(member):
    """The check itself can fail: a listing with one stray member is refused, naming the member."""
    good = list(REQUIRED) + ["plugins", "plugins/modules", "plugins/modules/glpi_inventory.py", "docs/README.md"]
    assert unexpected_members(good) == []
    problems = unexpected_members(good + [member])
    assert len(problems) == 1 and problems[0].startswith(member), problems


def test_the_check_names_what_is_missing():
    assert unexpected_members(["MANIFEST.json", "plugins"]) != []
    assert any(p.startswith("LICENSE") for p in unexpected_members(["MANIFEST.json", "plugins"]))
