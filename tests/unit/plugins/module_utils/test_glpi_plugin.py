# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plugin archives given as src: what is unpacked, what is refused."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_network import GlpiNetworkError
from ansible_collections.glpiops.glpi.plugins.module_utils import _glpi_plugin
from ansible_collections.glpiops.glpi.plugins.module_utils._glpi_plugin import extract, find_plugin_dir


def _tar(path, members):
    with tarfile.open(path, "w:gz") as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return str(path)


def test_a_release_archive_with_its_top_directory_is_found(tmp_path):
    archive = _tar(tmp_path / "fields.tar.gz", {"fields/setup.php": b"<?php\n", "fields/hook.php": b"<?php\n"})
    dest = tmp_path / "out"
    dest.mkdir()
    extract(archive, str(dest))
    assert find_plugin_dir(str(dest), "fields") == str(dest / "fields")


def test_setup_php_at_the_top_and_zip_archives(tmp_path):
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("setup.php", "<?php\n")
    dest = tmp_path / "out"
    dest.mkdir()
    extract(str(archive), str(dest))
    assert find_plugin_dir(str(dest), "p") == str(dest)


@pytest.mark.parametrize("name", ["../evil.php", "/etc/evil", "a/../../evil"])
def test_members_outside_the_directory_are_refused(tmp_path, name):
    archive = _tar(tmp_path / "bad.tar.gz", {name: b"x"})
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(GlpiNetworkError, match="outside the plugin's directory"):
        extract(archive, str(dest))
    assert not (tmp_path / "evil.php").exists()


def test_links_are_refused(tmp_path):
    path = tmp_path / "link.tar.gz"
    with tarfile.open(path, "w:gz") as bundle:
        info = tarfile.TarInfo("p/setup.php")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        bundle.addfile(info)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(GlpiNetworkError, match="neither a file nor a directory"):
        extract(str(path), str(dest))


def test_no_plugin_and_not_an_archive(tmp_path):
    archive = _tar(tmp_path / "x.tar.gz", {"a/readme": b"", "b/readme": b""})
    dest = tmp_path / "out"
    dest.mkdir()
    extract(archive, str(dest))
    with pytest.raises(GlpiNetworkError, match="no GLPI plugin p"):
        find_plugin_dir(str(dest), "p")
    with pytest.raises(GlpiNetworkError, match="neither a directory nor an archive"):
        extract(str(tmp_path / "x.rar"), str(dest))


@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_an_archive_unpacking_to_more_than_a_plugin_is_refused_before_anything_is_written(tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(_glpi_plugin, "UNPACKED_MAX", 1000)
    members = {"fields/setup.php": b"<?php\n", "fields/big.bin": b"\0" * 1001}
    archive = tmp_path / ("fields" + suffix)
    if suffix == ".zip":
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, data in members.items():
                bundle.writestr(name, data)
        archive = str(archive)
    else:
        archive = _tar(archive, members)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(GlpiNetworkError, match=r"would unpack to 2 entries and 1007 bytes, more than a plugin .*: refused"):
        extract(archive, str(dest))
    assert list(dest.iterdir()) == []


def test_a_failed_replacement_leaves_the_old_plugin_in_place(tmp_path, monkeypatch):
    marketplace = tmp_path / "marketplace"
    (marketplace / "fields").mkdir(parents=True)
    (marketplace / "fields" / "setup.php").write_text("<?php // 1.0\n")
    archive = _tar(tmp_path / "fields.tar.gz", {"fields/setup.php": b"<?php // 2.0\n"})
    host = object.__new__(_glpi_plugin.PluginHost)
    host.answer = {"marketplace_dir": str(marketplace)}
    real_rename = _glpi_plugin.os.rename

    def rename(source, destination):
        if source.endswith("/unpacked/fields"):
            raise OSError(28, "No space left on device")
        real_rename(source, destination)

    monkeypatch.setattr(_glpi_plugin.os, "rename", rename)
    with pytest.raises(GlpiNetworkError, match="No space left on device; the plugin's files are as they were"):
        host.unpack("fields", archive)
    assert (marketplace / "fields" / "setup.php").read_text() == "<?php // 1.0\n"
    assert sorted(p.name for p in marketplace.iterdir()) == ["fields"]  # no work directory left behind
