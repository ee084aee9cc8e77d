"""The file types each system is told about: a project (`*.shotline`, a folder) and a shared archive
(`*.shotline.zip`).

Linux: the shared-mime-info XML goes through the real `update-mime-database` (package shared-mime-info, listed in
tests/system-packages.txt), and Qt's own MIME database, pointed at the result, names files by it. macOS and Windows
cannot be run here; their files are checked for agreeing with each other and with the launcher.
"""

from __future__ import annotations

import json
import os
import plistlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shotline.launcher import route
from tests.packaging.test_linux_metadata import APP_ID, DESKTOP, PACKAGING, desktop_entry, desktop_validate, tool

MIME_XML = PACKAGING / "linux" / f"{APP_ID}.mime.xml"
PROJECT_TYPE = "application/x-shotline-project"
ARCHIVE_TYPE = "application/x-shotline-archive"
SYSTEM_MIME = Path("/usr/share/mime")

NAME_TYPES = """
import json, sys
from PySide6.QtCore import QMimeDatabase
db = QMimeDatabase()
found = {}
for name in sys.argv[1:]:
    kind = db.mimeTypeForFile(name, QMimeDatabase.MatchMode.MatchExtension)
    found[name] = [kind.name(), kind.inherits("application/zip")]
print(json.dumps(found))
"""


def build_database(xml: Path, into: Path) -> subprocess.CompletedProcess[str]:
    """`update-mime-database` over a data folder holding only `xml`, the way it runs after an install.

    The folder is on XDG_DATA_DIRS, as an installed one is, so the tool has nothing to say unless the file is wrong
    (it exits 0 even for a broken file, and says what is wrong on stdout or stderr)."""
    packages = into / "mime" / "packages"
    packages.mkdir(parents=True)
    (packages / f"{APP_ID}.xml").write_bytes(xml.read_bytes())
    env = dict(os.environ, XDG_DATA_DIRS=f"{into}:/usr/share")
    argv = [tool("update-mime-database", "shared-mime-info"), str(into / "mime")]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)


def declared_types(xml: Path) -> set[str]:
    return set(re.findall(r'<mime-type type="([^"]+)"', xml.read_text(encoding="utf-8")))


def test_update_mime_database_accepts_the_file_types(tmp_path: Path) -> None:
    result = build_database(MIME_XML, tmp_path)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8")
    assert f"{PROJECT_TYPE}:*.shotline\n" in globs and f"{ARCHIVE_TYPE}:*.shotline.zip\n" in globs


def test_update_mime_database_complains_about_a_broken_file(tmp_path: Path) -> None:
    """The check above can fail: the same tool catches a malformed file and a bad parent type."""
    xml = MIME_XML.read_text(encoding="utf-8")
    for n, broken in enumerate([xml.replace("</mime-info>", ""), xml.replace('type="application/zip"', 'typ="x"')]):
        copy = tmp_path / f"broken{n}.xml"
        copy.write_text(broken, encoding="utf-8")
        result = build_database(copy, tmp_path / str(n))
        assert result.stdout + result.stderr, broken


@pytest.mark.skipif(not (SYSTEM_MIME / "packages").is_dir(), reason="needs the shared-mime-info database")
def test_files_are_named_by_the_installed_types(tmp_path: Path) -> None:
    """With Shotline's types installed beside the system's, an archive is ours (and still a zip), other zips not."""
    build_database(MIME_XML, tmp_path / "data")
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "none"), XDG_DATA_DIRS=f"{tmp_path / 'data'}:/usr/share")
    names = ["Film.shotline.zip", "Film.shotline", "holiday.zip"]
    done = subprocess.run(
        [sys.executable, "-c", NAME_TYPES, *names], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "Film.shotline.zip": [ARCHIVE_TYPE, True],
        "Film.shotline": [PROJECT_TYPE, False],
        "holiday.zip": ["application/zip", True],
    }


def test_the_desktop_file_opens_the_types_it_declares(tmp_path: Path) -> None:
    entry = desktop_entry(DESKTOP)
    assert set(filter(None, entry["MimeType"].split(";"))) == declared_types(MIME_XML) == {PROJECT_TYPE, ARCHIVE_TYPE}
    assert "%f" in entry["Exec"].split()
    example = tmp_path / "Film.shotline.zip"
    argv = [str(example) if arg == "%f" else arg for arg in entry["Exec"].split()[1:]]
    assert route(argv).window and route(argv).path == example
    broken = tmp_path / DESKTOP.name
    broken.write_text(DESKTOP.read_text(encoding="utf-8").replace(f"{ARCHIVE_TYPE};", "not a type;"))
    assert "invalid MIME type" in desktop_validate(broken).stdout


def test_build_linux_installs_the_file_types() -> None:
    build = (PACKAGING / "build-linux.sh").read_text(encoding="utf-8")
    assert '"packaging/linux/$APP_ID.mime.xml" "$APP/share/mime/packages/$APP_ID.xml"' in build
    assert MIME_XML.name == f"{APP_ID}.mime.xml"


def test_info_plist_declares_the_types_its_documents_use() -> None:
    with (PACKAGING / "macos" / "Info.plist").open("rb") as file:
        info = plistlib.load(file)
    exported = {kind["UTTypeIdentifier"]: kind for kind in info["UTExportedTypeDeclarations"]}
    documents = {uti: doc for doc in info["CFBundleDocumentTypes"] for uti in doc["LSItemContentTypes"]}
    for uti in exported:
        assert uti in documents and documents[uti]["LSHandlerRank"] == "Owner", uti

    project = exported["io.github.shotline.project"]
    assert "com.apple.package" in project["UTTypeConformsTo"]  # Finder shows the folder as one document
    assert project["UTTypeTagSpecification"]["public.filename-extension"] == ["shotline"]
    assert documents["io.github.shotline.project"]["LSTypeIsPackage"] is True

    archive = exported["io.github.shotline.archive"]
    assert archive["UTTypeConformsTo"] == ["public.zip-archive"]
    assert archive["UTTypeTagSpecification"]["public.mime-type"] == [ARCHIVE_TYPE]
    # Finder types a file by its last extension, so zips offer Shotline too, but never as their default program.
    assert documents["public.zip-archive"]["LSHandlerRank"] == "Alternate"
    tags = {tag for kind in exported.values() for tag in kind["UTTypeTagSpecification"].get("public.mime-type", [])}
    assert tags == declared_types(MIME_XML)


def test_windows_offers_shotline_on_projects_and_archives_only() -> None:
    script = (PACKAGING / "windows" / "shotline.iss").read_text(encoding="utf-8")
    verbs = {
        "Directory": '"System.FileName:""*.shotline"""',
        "SystemFileAssociations\\.zip": '"System.FileName:""*.shotline.zip"""',
    }
    for where, applies_to in verbs.items():
        key = f"Software\\Classes\\{where}\\shell\\Shotline"
        assert f'Subkey: "{key}"; ValueType: string; ValueName: "AppliesTo"; ValueData: {applies_to}' in script
        [command] = re.findall(re.escape(f'Subkey: "{key}\\command"') + r'.*ValueData: "(.*)"$', script, re.MULTILINE)
        argv = command.replace('""', '"').split('" ', 1)[1].replace('"', "").split()
        example = "C:\\Films\\Film" + applies_to.split("*")[1].split('"')[0]
        assert route([example if arg == "%1" else arg for arg in argv]).path == Path(example), command
    # No file type of its own for .zip: double-clicking a zip keeps doing what it did.
    assert "Software\\Classes\\.zip" not in script and "Software\\Classes\\.shotline" not in script
