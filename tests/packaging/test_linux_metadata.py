"""The Linux desktop metadata passes the real validators, and the packaging files agree with each other.

`appstreamcli` (package appstream) and `desktop-file-validate` (package desktop-file-utils) are listed in
tests/system-packages.txt; a missing one fails the test with the command that installs it.
"""

from __future__ import annotations

import ast
import plistlib
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.shotline.Shotline"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
RAW_URL = "https://raw.githubusercontent.com/shotline/shotline/main/"


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: apt-get install -y --no-install-recommends {package}")
    return found


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def appstream_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return run(tool("appstreamcli", "appstream"), "validate", "--no-net", str(path))


def desktop_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return run(tool("desktop-file-validate", "desktop-file-utils"), str(path))


def desktop_entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def test_appstreamcli_validates_the_metainfo() -> None:
    result = appstream_validate(METAINFO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "E:" not in result.stdout and "W:" not in result.stdout, result.stdout


def test_desktop_file_validate_accepts_the_desktop_file() -> None:
    result = desktop_validate(DESKTOP)
    assert result.returncode == 0 and "error" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_validators_reject_broken_files(tmp_path: Path) -> None:
    """The two tests above can fail: the same tools on this machine catch a mistake in each file."""
    broken_metainfo = tmp_path / METAINFO.name
    broken_metainfo.write_text(METAINFO.read_text(encoding="utf-8").replace(f"<id>{APP_ID}</id>", ""))
    result = appstream_validate(broken_metainfo)
    assert result.returncode != 0 and "E:" in result.stdout, result.stdout

    broken_desktop = tmp_path / DESKTOP.name
    broken_desktop.write_text(DESKTOP.read_text(encoding="utf-8").replace("Type=Application", "Type=Program"))
    result = desktop_validate(broken_desktop)
    assert result.returncode != 0 and "error" in result.stdout + result.stderr


def test_metainfo_names_the_desktop_file_this_release_and_screenshots_that_exist() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("project_license") == "GPL-3.0-or-later"
    assert root.findtext("launchable") == DESKTOP.name
    assert next(release.get("version") for release in root.iter("release")) == project_version()
    assert root.find("content_rating") is not None and root.find("url[@type='homepage']") is not None

    images = list(root.iter("image"))
    assert images
    for image in images:
        url = image.text or ""
        assert url.startswith(RAW_URL), url
        local = ROOT / url.removeprefix(RAW_URL)
        assert local.is_file(), f"{url} points at {local}, which is not in the repository"
        width, height = struct.unpack(">II", local.read_bytes()[16:24])  # the PNG header's IHDR
        assert (image.get("width"), image.get("height")) == (str(width), str(height)), url


def test_desktop_file_starts_the_installed_program_with_the_shipped_icon() -> None:
    entry = desktop_entry(DESKTOP)
    with (ROOT / "pyproject.toml").open("rb") as file:
        scripts = tomllib.load(file)["project"]["scripts"]
    assert entry["Exec"].split()[0] in scripts
    assert entry["Icon"] == APP_ID
    # build-linux.sh installs the app's icon under the desktop id.
    build = (PACKAGING / "build-linux.sh").read_text(encoding="utf-8")
    assert "resources/icons/shotline.svg" in build and (ROOT / "resources" / "icons" / "shotline.svg").is_file()
    assert "share/icons/hicolor/scalable/apps/$APP_ID.svg" in build and f"APP_ID={APP_ID}" in build


def test_spec_parses_and_the_files_it_names_exist() -> None:
    spec = (PACKAGING / "shotline.spec").read_text(encoding="utf-8")
    ast.parse(spec)
    assert '"shotline/_resources"' in spec and (PACKAGING / "entry.py").is_file()
    ast.parse((PACKAGING / "entry.py").read_text(encoding="utf-8"))
    for needed in ("PySide6.QtMultimedia", "imageio_ffmpeg", 'collect_all("av")', 'copy_metadata("shotline")'):
        assert needed in spec, needed


def test_macos_info_plist_matches_the_bundle() -> None:
    with (PACKAGING / "macos" / "Info.plist").open("rb") as file:
        info = plistlib.load(file)
    assert info["CFBundleIdentifier"] == APP_ID
    assert info["CFBundleExecutable"] == "shotline"  # the EXE name in shotline.spec
    assert info["CFBundleShortVersionString"] == "@VERSION@"  # filled in by build-macos.sh
    with (PACKAGING / "macos" / "entitlements.plist").open("rb") as file:
        plistlib.load(file)


@pytest.mark.parametrize("script", ["build-linux.sh", "build-macos.sh"])
def test_build_scripts_are_valid_bash(script: str) -> None:
    result = run("bash", "-n", str(PACKAGING / script))
    assert result.returncode == 0, result.stderr
