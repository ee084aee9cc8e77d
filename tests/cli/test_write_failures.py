"""A film or archive that cannot be written is told in plain words, naming the file the creator asked for.

The disk is really full: each command runs in a mount namespace of its own (`unshare`) where the target folder is a
64 KB tmpfs, so nothing outside the command sees it and no root is needed where user namespaces are allowed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.shotline_cli import Result, ok
from tests.clips import make_clip

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

INTERNAL = re.compile(r"\.partial|\.part\b|Errno|0x[0-9a-f]{6,}|Traceback")
"""What a message must not carry: a hidden temporary file's name, an errno number, an address inside ffmpeg."""


def _full_disks_possible() -> bool:
    if shutil.which("unshare") is None:
        return False
    tried = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    return tried.returncode == 0


needs_full_disk = pytest.mark.skipif(not _full_disks_possible(), reason="needs unshare and user namespaces")


def on_a_full_disk(folder: Path, *args: str | Path) -> Result:
    """Run `shotline ARGS` with `folder` mounted, for this command only, as a 64 KB disk."""
    folder.mkdir(exist_ok=True)
    script = 'mount -t tmpfs -o size=64k tmpfs "$0" && exec "$@"'
    argv = ["unshare", "-rm", "sh", "-c", script, str(folder), sys.executable, "-m", "shotline", *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("full")
    clips = [
        make_clip(folder / f"{n}.mp4", seconds=2, size=(320, 180), fps="24", audio=(48_000, 2), gop=12)
        for n in range(2)
    ]
    path = folder / "Film.shotline"
    ok("new", path, "--size", "320x180", "--fps", "24")
    ok("import", path, *clips)
    return path


def _told_plainly(result: Result, name: str, reason: str = "No space left on device") -> None:
    assert result.code == 1, result.err
    error = result.err[result.err.index("Error: ") :]
    assert f"Could not write {name}: {reason}" in error, error
    assert not INTERNAL.search(result.err), result.err


@needs_full_disk
@pytest.mark.parametrize(
    "route", [("--loudness", "off"), (), ("--no-lossless",)], ids=["copy", "copy picture", "re-encode"]
)
def test_an_export_onto_a_full_disk_names_the_film(project: Path, tmp_path: Path, route: tuple[str, ...]) -> None:
    result = on_a_full_disk(tmp_path / "disk", "export", project, "-o", tmp_path / "disk" / "My film.mp4", *route)
    _told_plainly(result, "My film.mp4")
    assert "Free some space" in result.err


@needs_full_disk
def test_sharing_onto_a_full_disk_names_the_archive(project: Path, tmp_path: Path) -> None:
    result = on_a_full_disk(tmp_path / "disk", "share", project, "-o", tmp_path / "disk" / "Film.shotline.zip")
    _told_plainly(result, "Film.shotline.zip")
