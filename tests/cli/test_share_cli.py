"""`shotline share` and `shotline unpack` in a child process: a real project with a real clip goes out as one
.shotline.zip and comes back as the same project with the same media; unsafe archives fail with a message."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok, shotline
from tests.clips import make_clip

pytestmark = [pytest.mark.ffmpeg]


def _hashes(project: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (project / "media").iterdir()}


def test_share_then_unpack_gives_back_the_same_project(tmp_path: Path) -> None:
    project = tmp_path / "Harbour.shotline"
    ok("new", project, "--title", "Harbour", "--size", "320x180", "--fps", "25")
    ok("import", project, make_clip(tmp_path / "clip.mp4", seconds=1, size=(320, 180), audio=(48_000, 2)))
    (project / "cache" / "thumb.png").write_bytes(b"cached")
    archive = tmp_path / "out" / "Film.shotline.zip"
    archive.parent.mkdir()

    said = ok("share", project, "-o", archive)
    assert "Film.shotline.zip" in said and "1 media file" in said
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
    assert "project.json" in names and not [n for n in names if n.startswith(("cache", "jobs", ".", "/"))]

    received = tmp_path / "received"
    received.mkdir()
    said = ok("unpack", archive, "--to", received)
    opened = received / "Film.shotline"
    assert str(opened) in said
    assert info(opened) == info(project)
    assert _hashes(opened) == _hashes(project)

    again = ok("unpack", archive, "--to", received)  # the name is taken: the window's rule, Film 2
    assert str(received / "Film 2.shotline") in again and "Film.shotline was taken" in again
    assert _hashes(opened) == _hashes(project)


def test_unpack_refuses_a_hostile_archive_with_a_message(tmp_path: Path) -> None:
    archive = tmp_path / "Evil.shotline.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("shotline-archive.json", '{"archive_version": 1, "format_version": 1, "media": {}}')
        zipped.writestr("../escaped.txt", "owned")
    into = tmp_path / "into"
    into.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = shotline("unpack", archive, "--to", into)
    assert result.code == 1
    assert "Error: Evil.shotline.zip was not opened" in result.err and "outside the project folder" in result.err
    assert "Traceback" not in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before and not any(into.iterdir())


def test_share_of_a_folder_that_is_not_a_project_says_so(tmp_path: Path) -> None:
    result = shotline("share", tmp_path / "Nothing.shotline")
    assert result.code == 1 and "There is no project" in result.err and "Traceback" not in result.err
