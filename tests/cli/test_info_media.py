"""`shotline info` shows what each shot's picked take holds, read from its file: the picture's length, size and
frame rate, the sound's length when it differs notably, and a trim that runs past the picture (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.media.numbered import MPEG2, Sound, numbered_clip

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def film(tmp_path: Path) -> Path:
    # 3 s of picture with 3.5 s of sound, and an MPEG-PS whose sound starts a little before its picture
    harbour = numbered_clip(tmp_path / "harbour.mp4", frames=75, sound=Sound(3.5, 1.0))
    tape = numbered_clip(
        tmp_path / "tape.mpg",
        frames=50,
        fps="30000/1001",
        codec=MPEG2,
        sound=Sound(1.68, 1, codec="mp2"),
        output=("-f", "vob"),
    )
    path = tmp_path / "film.shotline"
    ok("new", path, "--size", "160x90", "--fps", "25")
    ok("import", path, harbour, tape)
    return path


def test_info_shows_each_picked_takes_picture_and_sound(film: Path) -> None:
    first, second = info(film)["shots"]
    assert first["duration_us"] == 3_000_000, "a clip is as long as its picture"
    assert first["picked_take_media"] == {
        "picture": {"duration": "00:00:03.000", "duration_us": 3_000_000, "size": "160x90", "fps": "25"},
        "sound": {"duration": "00:00:03.500", "duration_us": first["picked_take_media"]["sound"]["duration_us"]},
        "past_picture_us": 0,
    }
    assert first["picked_take_media"]["sound"]["duration_us"] == pytest.approx(3_500_000, abs=25_000)
    # an MPEG-PS goes in remuxed into Matroska (media/remux), which keeps times to the millisecond
    assert second["picked_take_media"]["picture"] == {
        "duration": "00:00:01.668",
        "duration_us": pytest.approx(1_668_333, abs=1000),
        "size": "160x90",
        "fps": "30000/1001",
    }
    lines = ok("info", film).splitlines()
    assert lines[2].strip() == "picture 00:00:03.000, 160x90 @ 25 fps; sound 00:00:03.500 (0.500 s longer)"
    assert lines[4].strip() == "picture 00:00:01.668, 160x90 @ 30000/1001 fps", (
        "a sound within a frame or two is not news"
    )


def test_info_says_when_a_saved_trim_runs_past_the_picture(film: Path) -> None:
    # a project saved while a clip's length was its container's: the take and its trim run to the sound's end
    project_file = film / "project.json"
    saved = json.loads(project_file.read_text())
    take = saved["shots"][0]["takes"][0]
    take["info"]["duration_us"] = take["trim"]["out_us"] = 3_500_000
    project_file.write_text(json.dumps(saved))
    assert info(film)["shots"][0]["picked_take_media"]["past_picture_us"] == 500_000
    line = ok("info", film).splitlines()[2].strip()
    assert line.endswith("its trim runs 0.500 s past the picture's end (black in the film)")


def test_info_shows_every_take_of_a_shot_with_several(film: Path, tmp_path: Path) -> None:
    other = numbered_clip(tmp_path / "other.mp4", frames=50, size=(320, 180), sound=None)
    ok("import", film, other, "--shot", "1")
    [first, _] = info(film)["shots"]
    assert [(t["number"], t["picked"], t["source"]) for t in first["takes_media"]] == [
        (1, False, "imported from harbour.mp4"),
        (2, True, "imported from other.mp4"),
    ]
    assert first["takes_media"][1]["media"]["picture"]["size"] == "320x180"
    lines = ok("info", film).splitlines()
    assert lines[2].strip().startswith("take 1, imported from harbour.mp4: picture 00:00:03.000, 160x90 @ 25 fps")
    assert lines[3].strip() == "* take 2, imported from other.mp4: picture 00:00:02.000, 320x180 @ 25 fps; no sound"
