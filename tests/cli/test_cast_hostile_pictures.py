"""Hostile pictures offered to the cast (issue 13's rules, for issue 16's reference pictures): each is built here and
given to the real `shotline cast add` / `cast image add` under an address-space limit, and must be refused with a
message naming the file and why — no traceback, nothing decoded beyond the header, nothing left in media/, the
project unchanged. A project that names a picture outside its folder does not open.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.cli.shotline_cli import ok, shotline
from tests.cli.test_cast_cli import picture
from tests.cli.test_hostile_media import SHOWN_LIMIT, limited, media_files, refused
from tests.clips import make_clip
from tests.media import hostile

pytestmark = [pytest.mark.ffmpeg, pytest.mark.skipif(sys.platform == "win32", reason="address-space limits are POSIX")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "Film.shotline"
    ok("new", path)
    ok("cast", "add", path, "Mara")
    return path


def _cast(project: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(ok("cast", "list", project, "--json"))
    return rows


def test_a_png_claiming_16000_by_16000_is_refused_by_its_header(project: Path, tmp_path: Path) -> None:
    claim = hostile.png_claiming_size(tmp_path / "claim.png", 16_000)
    refused(limited("cast", "image", "add", project, "Mara", claim), "claim.png is 16000×16000", SHOWN_LIMIT)
    refused(limited("cast", "add", project, "Ines", "--image", claim), "claim.png is 16000×16000")
    assert media_files(project) == []
    assert [m["name"] for m in _cast(project)] == ["Mara"]


def test_a_playlist_or_a_clip_under_a_pictures_name_is_refused(project: Path, tmp_path: Path) -> None:
    secret = make_clip(tmp_path / "secret.ts", seconds=1, colour="red")
    playlist = hostile.hls_playlist(tmp_path / "face.png", secret)
    clip = make_clip(tmp_path / "clip.mp4", seconds=1)
    (tmp_path / "clip.jpg").write_bytes(clip.read_bytes())
    refused(limited("cast", "image", "add", project, "Mara", playlist), "face.png")
    refused(limited("cast", "image", "add", project, "Mara", tmp_path / "clip.jpg"), "clip.jpg")
    refused(limited("cast", "image", "add", project, "Mara", clip), "clip.mp4 is not a picture Shotline takes")
    assert media_files(project) == []


def test_a_pipe_a_folder_an_empty_or_an_oversized_file_is_refused_at_once(project: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "empty.png").write_bytes(b"")
    with (tmp_path / "huge.png").open("wb") as huge:  # sparse: 60 MB on paper, nothing on disk
        huge.truncate(60 * 1024 * 1024)
    refused(shotline("cast", "image", "add", project, "Mara", tmp_path / "pipe.png", timeout=30), "pipe.png")
    refused(shotline("cast", "image", "add", project, "Mara", tmp_path / "folder.png"), "folder.png is a folder")
    refused(shotline("cast", "image", "add", project, "Mara", tmp_path / "empty.png"), "empty.png is empty")
    refused(
        shotline("cast", "image", "add", project, "Mara", tmp_path / "huge.png"),
        "huge.png is 60 MB; a reference picture may be up to 50 MB",
    )
    assert media_files(project) == []


def test_one_bad_picture_among_several_copies_none(project: Path, tmp_path: Path) -> None:
    good = picture(tmp_path / "good.png")
    bad = hostile.png_claiming_size(tmp_path / "bad.png", 16_000)
    refused(limited("cast", "image", "add", project, "Mara", good, bad), "bad.png")
    assert media_files(project) == []
    assert _cast(project)[0]["images"] == []


def test_a_picture_named_like_a_protocol_is_read_as_itself(project: Path, tmp_path: Path) -> None:
    real = picture(tmp_path / "real.png", "green")
    picture(tmp_path / "decoy.png", "red")
    (tmp_path / "file:decoy.png").write_bytes(real.read_bytes())
    ok("cast", "image", "add", project, "Mara", "file:decoy.png", cwd=tmp_path)
    [image] = _cast(project)[0]["images"]  # type: ignore[misc]
    assert (project / str(image)).read_bytes() == real.read_bytes()


def test_a_project_naming_a_picture_outside_its_folder_does_not_open(project: Path, tmp_path: Path) -> None:
    document = json.loads((project / "project.json").read_text())
    document["cast"][0]["images"] = [str(picture(tmp_path / "private.png"))]
    (project / "project.json").write_text(json.dumps(document))
    refused(shotline("cast", "list", project), "picture 1 of @Mara (cast[0].images[0])", "outside the project folder")
    (project / "media").mkdir(exist_ok=True)
    (project / "media" / "link.png").symlink_to(tmp_path / "private.png")
    document["cast"][0]["images"] = ["media/link.png"]
    (project / "project.json").write_text(json.dumps(document))
    refused(shotline("cast", "list", project), "picture 1 of @Mara", "is a link to")
