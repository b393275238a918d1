# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the pip bootstrap script ansible-test downloads.

``ansible-test sanity --venv`` creates an empty virtual environment and runs a
``get-pip.py`` fetched from ci-files.testing.ansible.com, which this machine
cannot reach.  ansible-test looks for a cached copy first
(``~/.ansible/test/cache/get_pip_<version>.py``); ``tests/bin/sanity.sh``
installs this file there when no real copy is present.

It does what get-pip.py does: put pip into the running interpreter's
environment (from the stdlib's bundled wheel, via ``ensurepip``), then let that
pip install the exact packages ansible-test asked for (``pip==<version>``) from
the package index pip is configured to use.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that only decide whether setuptools/wheel come along;
# ensurepip never installs them, so they are satisfied as they stand.
_BOOTSTRAP_ONLY = {"--no-setuptools", "--no-wheel"}


def main(argv):
    saved = os.environ.get("PIP_CONFIG_FILE")
    ensurepip.bootstrap(upgrade=True, verbosity=0)
    # ensurepip points PIP_CONFIG_FILE at os.devnull for its own offline install; the real
    # install below must see the machine's pip configuration (index, certificates).
    if saved is None:
        os.environ.pop("PIP_CONFIG_FILE", None)
    else:
        os.environ["PIP_CONFIG_FILE"] = saved
    args = [arg for arg in argv if arg not in _BOOTSTRAP_ONLY]
    command = [sys.executable, "-m", "pip", "install", "--upgrade"] + args
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
