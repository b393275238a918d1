# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every exception class the collection defines derives from the one base, so callers catch one thing."""

from __future__ import annotations

import importlib
import inspect
import pathlib

from ansible_collections.glpiops.glpi.plugins.module_utils._errors import GLPIOpsError

PLUGINS = pathlib.Path(__file__).resolve().parents[4] / "plugins"


def _exception_classes():
    found = []
    for path in sorted(PLUGINS.rglob("*.py")):
        name = "ansible_collections.glpiops.glpi.plugins." + ".".join(path.relative_to(PLUGINS).with_suffix("").parts)
        module = importlib.import_module(name)
        found.extend(cls for _unused, cls in inspect.getmembers(module, inspect.isclass)
                     if issubclass(cls, BaseException) and cls.__module__ == name)
    return found


def test_every_exception_of_the_collection_derives_from_the_one_base():
    classes = _exception_classes()
    assert len(classes) >= 10  # GLPIError, SpoolError, LocalTargetError, GlpiRemoteError, ...: the walk found them
    strays = sorted("%s.%s" % (cls.__module__, cls.__name__) for cls in classes if not issubclass(cls, GLPIOpsError))
    assert not strays, "derive these from module_utils._errors.GLPIOpsError: %s" % strays
