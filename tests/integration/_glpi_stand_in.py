# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build and inspect a stand-in GLPI tree (``tests/stand_ins/glpi_tree``, see its README.md) for the tests.

The tree runs under the real ``php``; what it stores is read back here independently of GLPI's
classes and of the collection: the configuration "database" is a JSON file, and the encrypted
registration key is opened with PyNaCl and the tree's ``glpicrypt.key``.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import shutil
import subprocess

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "stand_ins" / "glpi_tree"
ANSWERS = ("valid", "terminated", "invalid", "unreachable")


class GlpiStandIn:
    """A built tree: where things are, and switches for what GLPI Network and the database do."""

    def __init__(self, root, config_dir, version):
        self.root = pathlib.Path(root)
        self.config_dir = pathlib.Path(config_dir)
        self.version = version
        self.state_dir = self.root / "files" / "_stand_in"
        self.database = self.state_dir / "database.json"

    # --- switches -------------------------------------------------------------------------
    def answer(self, answer):
        """What GLPI Network answers from now on: one of ANSWERS."""
        assert answer in ANSWERS, answer
        (self.state_dir / "glpinetwork-answer").write_text(answer + "\n")

    def database_down(self, down=True):
        flag = pathlib.Path(str(self.database) + ".down")
        if down:
            flag.write_text("")
        elif flag.exists():
            flag.unlink()

    def requirements_missing(self, missing=True):
        flag = self.state_dir / "requirements-missing"
        if missing:
            flag.write_text("")
        elif flag.exists():
            flag.unlink()

    # --- what the tree holds -----------------------------------------------------------------
    def stored_value(self):
        """The raw ``glpi_configs`` value of the key (``None`` when no row), as GLPI's database holds it."""
        for row in json.loads(self.database.read_text()):
            if row["context"] == "core" and row["name"] == "glpinetwork_registration_key":
                return row["value"]
        return None

    def stored_key(self):
        """The stored key decrypted with PyNaCl: '' when empty, ``None`` when no row."""
        from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt as decrypt  # pylint: disable=import-outside-toplevel

        value = self.stored_value()
        if not value:
            return value
        raw = base64.b64decode(value)
        nonce, ciphertext = raw[:24], raw[24:]
        return decrypt(ciphertext, nonce, nonce, (self.config_dir / "glpicrypt.key").read_bytes()).decode("utf-8")

    def store_plain(self, name, value):
        rows = [row for row in json.loads(self.database.read_text()) if row["name"] != name]
        rows.append({"context": "core", "name": name, "value": value})
        self.database.write_text(json.dumps(rows))

    def argv_logged(self):
        """Every command line (list of arguments) of a PHP process that booted the tree."""
        path = self.state_dir / "argv.log"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def network_requests(self):
        path = self.state_dir / "glpinetwork-requests.log"
        return path.read_text().splitlines() if path.exists() else []

    def console(self, *args, stdin=None, env=None):
        """Run ``php bin/console ARGS`` in the tree, as the modules do."""
        return subprocess.run(["php", str(self.root / "bin" / "console")] + list(args), input=stdin, capture_output=True,
                              text=True, cwd=str(self.root), env=dict(os.environ, **(env or {})), check=False, timeout=60)


def build_glpi_tree(dest, version="10.0.12", config_dir=None):
    """Copy the stand-in into ``dest`` for GLPI ``version`` (9.5/10.0 layout, or 11's kernel), with a new crypt key.

    ``config_dir``: put ``config_db.php`` and ``glpicrypt.key`` there instead of ``<dest>/config``
    (GLPI_CONFIG_DIR relocated, as distributions do).
    """
    root = pathlib.Path(dest)
    shutil.copytree(SOURCE, root)
    if int(version.split(".")[0]) >= 11:
        (root / "inc" / "based_config.php").unlink()
    else:
        shutil.rmtree(root / "vendor")
        shutil.rmtree(root / "src")
    (root / "inc" / "define.php").write_text("<?php\ndefine('GLPI_VERSION', %s);\n$CFG_GLPI = [];\n" % json.dumps(version))
    config = pathlib.Path(config_dir) if config_dir else root / "config"
    config.mkdir(parents=True, exist_ok=True)
    tree = GlpiStandIn(root, config, version)
    tree.state_dir.mkdir(parents=True)
    (root / "files" / "_cache").mkdir()
    tree.database.write_text(json.dumps([{"context": "core", "name": "version", "value": version}]))
    (config / "config_db.php").write_text(
        "<?php\nclass DB extends DBmysql\n{\n    public $dbhost = %s;\n}\n" % json.dumps(str(tree.database)))
    key_file = config / "glpicrypt.key"
    key_file.write_bytes(os.urandom(32))
    key_file.chmod(0o600)
    tree.answer("valid")
    return tree


def registration_key(owner="Example Org", serial=1):
    """A key shaped like GLPI Network's: base64 of a JSON object with a ``signature``."""
    document = {"name": owner, "serial": serial, "signature": base64.b64encode(os.urandom(64)).decode("ascii")}
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")
