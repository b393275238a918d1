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

    # --- plugins ---------------------------------------------------------------------------------
    def add_plugin(self, key, version, name=None, base="plugins", config_ok=True, requirement_ok=True):
        """Plugin files in ``plugins/`` (or ``marketplace/``): setup.php with its version, hook.php with install and
        uninstall functions that, like pluginsGLPI/example, insert profile rights (SQL errors on a second install)."""
        directory = self.root / base / key
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "setup.php").write_text(_SETUP % {"key": key, "name": json.dumps(name or "Plugin %s" % key.capitalize()),
                                                       "version": json.dumps(version)})
        (directory / "hook.php").write_text(_HOOK % {"key": key, "config_ok": "true" if config_ok else "false",
                                                     "requirement_ok": "true" if requirement_ok else "false"})
        return directory

    def stock_marketplace(self, key, version, name=None):
        """What the stand-in's marketplace delivers for ``key`` (used when GLPI Network accepts the stored key)."""
        store = self.state_dir / "marketplace-store"
        files = GlpiStandIn(store, self.config_dir, self.version).add_plugin(key, version, name=name, base=".")
        return files

    def plugin_rows(self):
        """``{directory: row}`` of the glpi_plugins "table"."""
        path = self.database.parent / "glpi_plugins.json"
        return {row["directory"]: row for row in json.loads(path.read_text())} if path.exists() else {}

    def store_plugin_row(self, directory, state, version, name=None):
        path = self.database.parent / "glpi_plugins.json"
        rows = [row for row in (json.loads(path.read_text()) if path.exists() else []) if row["directory"] != directory]
        rows.append({"id": len(rows) + 1, "directory": directory, "name": name or "Plugin %s" % directory.capitalize(),
                     "version": version, "state": state})
        path.write_text(json.dumps(rows))

    def local_define(self, text):
        (self.config_dir / "local_define.php").write_text("<?php\n" + text + "\n")

    def console(self, *args, stdin=None, env=None):
        """Run ``php bin/console ARGS`` in the tree, as the modules do."""
        return subprocess.run(["php", str(self.root / "bin" / "console")] + list(args), input=stdin, capture_output=True,
                              text=True, cwd=str(self.root), env=dict(os.environ, **(env or {})), check=False, timeout=60)


_SETUP = """<?php
function plugin_version_%(key)s()
{
    return ['name' => %(name)s, 'version' => %(version)s, 'requirements' => ['glpi' => ['min' => '9.5']]];
}
function plugin_init_%(key)s()
{
}
"""

_HOOK = """<?php
function plugin_%(key)s_rights_file()
{
    return GLPI_VAR_DIR . '/_stand_in/profilerights-%(key)s.json';
}
function plugin_%(key)s_install()
{
    $file = plugin_%(key)s_rights_file();
    $rights = is_file($file) ? json_decode(file_get_contents($file), true) : [];
    foreach ([2, 3, 4, 5, 6, 7, 8, 1] as $profile) {
        if (in_array($profile, $rights, true)) {
            echo "SQL Error \\"1062\\": Duplicate entry '$profile-plugin_%(key)s' for key 'unicity' in query "
                . "\\"INSERT INTO `glpi_profilerights` (`profiles_id`, `name`) VALUES ('$profile', 'plugin_%(key)s')\\"\\n";
        } else {
            $rights[] = $profile;
        }
    }
    file_put_contents($file, json_encode($rights));
    return true;
}
function plugin_%(key)s_uninstall()
{
    @unlink(plugin_%(key)s_rights_file());
    return true;
}
function plugin_%(key)s_check_config()
{
    return %(config_ok)s;
}
function plugin_%(key)s_check_prerequisites()
{
    return %(requirement_ok)s;
}
"""


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
    (root / "plugins").mkdir()
    (root / "marketplace").mkdir()
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
