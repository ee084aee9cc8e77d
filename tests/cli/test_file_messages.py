"""The command line says what is wrong with the file the creator named, and unpacks as the window does.

`import nothere.mp4` says the file does not exist (it used to talk of relinking a take); `info clip.mp4` says a file
is not a project (it used to say the project had been moved or deleted). `unpack` onto a taken name picks
"Name 2" as the window does, and `--to` makes its folder when it is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok, shotline
from tests.clips import make_clip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    ok("new", tmp_path / "Film")
    return tmp_path / "Film.shotline"


def test_importing_a_file_that_is_not_there_says_so(project: Path, tmp_path: Path) -> None:
    failed = shotline("import", project, "nothere.mp4", cwd=tmp_path)
    assert failed.code == 1 and "Traceback" not in failed.err
    assert "nothere.mp4" in failed.err and "no file" in failed.err.lower()
    assert "relink" not in failed.err.lower() and "take" not in failed.err.lower()
    assert info(project)["shots"] == []


@pytest.mark.ffmpeg
def test_info_on_a_clip_says_it_is_not_a_project(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=1)
    failed = shotline("info", "clip.mp4", cwd=tmp_path)
    assert failed.code == 1 and "Traceback" not in failed.err
    assert "clip.mp4 is a file, not a Shotline project" in failed.err
    assert "moved" not in failed.err and "deleted" not in failed.err
    assert clip.is_file()


def test_unpack_onto_a_taken_name_picks_name_2_and_makes_the_folder(project: Path, tmp_path: Path) -> None:
    ok("add", project, "--prompt", "A harbour at dawn")
    archive = tmp_path / "Film.shotline.zip"
    ok("share", project, "-o", archive)

    beside = ok("unpack", archive)  # Film.shotline, the project shared, is beside the archive
    assert str(tmp_path / "Film 2.shotline") in beside and "Film.shotline was taken" in beside
    assert info(tmp_path / "Film 2.shotline")["shots"] == info(project)["shots"]

    inbox = tmp_path / "inbox" / "from Ana"  # neither folder exists yet
    ok("unpack", archive, "--to", inbox)
    assert info(inbox / "Film.shotline")["shots"] == info(project)["shots"]
    again = ok("unpack", archive, "--to", inbox)
    assert str(inbox / "Film 2.shotline") in again
    assert sorted(p.name for p in inbox.iterdir()) == ["Film 2.shotline", "Film.shotline"]


def test_a_refused_archive_leaves_no_folder_behind(tmp_path: Path) -> None:
    bad = tmp_path / "Bad.shotline.zip"
    bad.write_bytes(b"not a zip at all")
    failed = shotline("unpack", bad, "--to", tmp_path / "new" / "place")
    assert failed.code == 1 and "Bad.shotline.zip" in failed.err and "Traceback" not in failed.err
    assert not (tmp_path / "new").exists()
