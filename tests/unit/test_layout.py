# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layout of plugins/ as docs/development.md draws it: who may import whom, no cycles, no oversized file.

The import graph is read with ``ast`` from the files themselves (imports inside functions included), so a lazy
import cannot hide a cycle.  Layers, lowest first:

* ``module_utils/`` runs on targets: it imports nothing of ``plugin_utils/``, ``action/`` or ``filter/``; nor do
  ``modules/``.
* ``plugin_utils/parsers/`` reads what a target's tools print: it imports only itself and ``module_utils/``.
* ``plugin_utils/windows/`` reads what the PowerShell collector returns: ``parsers/`` and ``module_utils/``.
* ``plugin_utils/inventory/`` assembles documents: ``parsers/``, ``windows/`` and ``module_utils/``.
* ``plugin_utils/delivery/`` gets documents to GLPI or disk: only itself and ``module_utils/``.
* ``plugin_utils/agent/`` (GLPI Agent's configuration): only itself and ``module_utils/``.
* ``plugin_utils/glpi_api/`` reads GLPI's APIs for the inventory plugin: ``delivery/`` (its HTTP settings) and
  ``module_utils/``.
* ``action/``, ``filter/`` and ``inventory/`` sit on top.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
PREFIX = "ansible_collections.glpiops.glpi.plugins."
MAX_LINES = 600

# For each package of plugins/, the packages its modules may import (besides their own).
ALLOWED = {
    "module_utils": set(),
    "modules": {"module_utils"},
    "plugin_utils.parsers": {"module_utils"},
    "plugin_utils.windows": {"module_utils", "plugin_utils.parsers"},
    "plugin_utils.inventory": {"module_utils", "plugin_utils.parsers", "plugin_utils.windows"},
    "plugin_utils.delivery": {"module_utils"},
    "plugin_utils.agent": {"module_utils"},
    "plugin_utils.glpi_api": {"module_utils", "plugin_utils.delivery"},
    "action": {"module_utils", "plugin_utils.parsers", "plugin_utils.windows", "plugin_utils.inventory",
               "plugin_utils.delivery", "plugin_utils.agent"},
    "filter": {"module_utils", "plugin_utils.agent"},
    "inventory": {"module_utils", "plugin_utils.glpi_api"},
    "doc_fragments": set(),
}


def _module_name(path):
    return ".".join(path.relative_to(PLUGINS).with_suffix("").parts)


def _package(module):
    """``plugin_utils.parsers._pci`` -> ``plugin_utils.parsers``; ``module_utils._text`` -> ``module_utils``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "plugin_utils" else parts[0]


def import_graph(files, known):
    """``{module: {imported module, ...}}`` for the collection's own modules (``known``), read with ast."""
    graph = {}
    for module, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + ["%s.%s" % (node.module, alias.name) for alias in node.names]
            for name in names:
                if name.startswith(PREFIX) and name[len(PREFIX):] in known:
                    targets.add(name[len(PREFIX):])
        graph[module] = targets - {module}
    return graph


def find_cycle(graph):
    """One import cycle as a list ``[a, b, ..., a]``, or ``None``; iterative depth-first search."""
    state = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph.get(start, ())))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def _plugin_files():
    return {_module_name(path): path for path in sorted(PLUGINS.rglob("*.py"))}


@pytest.fixture(scope="module")
def graph():
    files = _plugin_files()
    return import_graph(files, set(files))


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) in (["a", "b", "c", "a"],)
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"x": {"x2"}, "x2": {"x"}}) == ["x", "x2", "x"]


def test_the_graph_sees_lazy_imports(tmp_path):
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from ansible_collections.glpiops.glpi.plugins.plugin_utils.inventory import _linux\n")
    assert import_graph({"x": lazy}, {"plugin_utils.inventory._linux"}) == {"x": {"plugin_utils.inventory._linux"}}


def test_the_graph_is_not_empty(graph):
    # A reader that found nothing would pass every rule below.
    assert "plugin_utils.inventory._linux" in graph["plugin_utils.inventory._document"]
    assert "module_utils._secrets" in graph["plugin_utils.delivery._spool"] | graph["plugin_utils.delivery._client"] | \
        graph["module_utils._glpi_remote"]


def test_no_import_cycles(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: %s" % " -> ".join(cycle)


def test_every_import_respects_the_layers(graph):
    wrong = []
    for module, targets in sorted(graph.items()):
        package = _package(module)
        assert package in ALLOWED, "%s is in no known package: add it to ALLOWED and docs/development.md" % module
        for target in sorted(targets):
            if _package(target) != package and _package(target) not in ALLOWED[package]:
                wrong.append("%s imports %s" % (module, target))
    assert not wrong, "imports across the layers (see this file's docstring):\n" + "\n".join(wrong)


def test_plugin_utils_has_no_loose_modules():
    loose = sorted(path.name for path in (PLUGINS / "plugin_utils").glob("*.py"))
    assert not loose, "plugin_utils/ holds only subpackages (docs/development.md): %s" % loose


def test_private_utilities_are_named_with_an_underscore():
    public = sorted(str(path.relative_to(PLUGINS)) for folder in ("plugin_utils", "module_utils")
                    for path in (PLUGINS / folder).rglob("*.py") if not path.name.startswith("_"))
    assert not public, public


def test_no_file_is_oversized():
    big = sorted("%s: %d lines" % (path.relative_to(ROOT), count) for path in PLUGINS.rglob("*.py")
                 for count in [len(path.read_text(encoding="utf-8").splitlines())] if count > MAX_LINES)
    assert not big, "split along a natural seam (docs/development.md): %s" % big
