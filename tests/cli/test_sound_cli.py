"""The sound commands change the project as asked, print what they did, and refuse bad input plainly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shotline.services.session import ProjectSession
from tests.cli.shotline_cli import Result, copy_of, info, ok, shotline
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


def _fails(result: Result, code: int, *phrases: str) -> None:
    assert result.code == code, f"expected exit {code}, got {result.code}: {result.err}"
    assert "Traceback" not in result.err + result.out
    for phrase in phrases:
        assert phrase.lower() in result.err.lower(), f"{phrase!r} not in {result.err!r}"


def _sound(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("sound", "list", project, "--json"))
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sources")
    return {
        "music": make_clip(folder / "music.wav", seconds=3, audio=(48_000, 2), video=False),
        "speech": make_clip(folder / "speech.m4a", seconds=2, audio=(44_100, 1), video=False, beep_at=0.5),
        "silent": make_clip(folder / "silent.mp4", seconds=1, size=(320, 180)),
        "shot": make_clip(folder / "shot.mp4", seconds=2, size=(320, 180), fps="24", audio=(48_000, 2)),
    }


@pytest.fixture(scope="module")
def two_shots(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> Path:
    """Two 2 s shots with sound."""
    path = tmp_path_factory.mktemp("made") / "film.shotline"
    ok("new", path, "--size", "320x180")
    ok("import", path, files["shot"], files["shot"])
    return path


@pytest.fixture
def project(tmp_path: Path, two_shots: Path) -> Path:
    return copy_of(two_shots, tmp_path)


def test_add_places_sound_on_a_lane_and_lists_it(project: Path, files: dict[str, Path]) -> None:
    out = ok("sound", "add", project, files["music"], "--at", "1.5")
    assert "music" in out and "00:00:01.500" in out and "music.wav" in out
    ok("sound", "add", project, files["speech"], "--lane", "voice", "--at", "0:00.25")

    clips = _sound(project)["clips"]
    assert [(c["number"], c["lane"], c["start_us"], c["duration_us"]) for c in clips] == [
        (1, "music", 1_500_000, 3_000_000),
        (2, "voice", 250_000, pytest.approx(2_000_000, abs=30_000)),
    ]
    assert all((project / clip["media"]).is_file() for clip in clips), "the sound is copied into the project"

    listing = ok("sound", "list", project)
    assert "music.wav" in listing and "speech.m4a" in listing
    assert "duck -12.0 dB" in listing, "the lanes are listed with their settings"


def test_move_trim_set_and_remove_change_only_that_clip(project: Path, files: dict[str, Path]) -> None:
    ok("sound", "add", project, files["music"])
    ok("sound", "add", project, files["music"], "--at", "1")
    first = _sound(project)["clips"][0]["id"]

    assert "00:00:02.000" in ok("sound", "move", project, first, "--at", "2", "--lane", "voice")
    out = ok("sound", "trim", project, "1", "--in", "0.5", "--out", "2.5")
    assert "length 00:00:02.000" in out
    out = ok("sound", "set", project, "1", "--gain", "-6", "--mute", "--fade-in", "0.5", "--fade-out", "0.25")
    assert "-6.0 dB" in out and "muted" in out

    clip, other = _sound(project)["clips"]
    assert clip["id"] == first
    assert (clip["lane"], clip["start_us"], clip["trim_us"]) == ("voice", 2_000_000, {"in": 500_000, "out": 2_500_000})
    assert (clip["gain_db"], clip["muted"], clip["solo"]) == (-6.0, True, False)
    assert (clip["fade_in_us"], clip["fade_out_us"]) == (500_000, 250_000)
    assert (other["lane"], other["start_us"], other["gain_db"], other["muted"]) == ("music", 1_000_000, 0.0, False)

    ok("sound", "set", project, first, "--unmute", "--solo")
    clip = _sound(project)["clips"][0]
    assert (clip["muted"], clip["solo"], clip["gain_db"]) == (False, True, -6.0), "options not given stay as they were"

    assert "music.wav" in ok("sound", "remove", project, first)
    assert [c["id"] for c in _sound(project)["clips"]] == [other["id"]]


def test_lane_settings(project: Path) -> None:
    out = ok("lane", "set", project, "music", "--duck", "-9", "--release", "0.75", "--gain", "-3")
    assert "duck -9.0 dB" in out and "release 00:00:00.750" in out
    ok("lane", "set", project, "voice", "--solo")
    ok("lane", "set", project, "clips", "--mute")
    lanes = {lane["id"]: lane for lane in _sound(project)["lanes"]}
    assert lanes["music"] == {
        "id": "music",
        "name": "Music",
        "kind": "music",
        "gain_db": -3.0,
        "muted": False,
        "solo": False,
        "duck_db": -9.0,
        "duck_release_us": 750_000,
    }
    assert lanes["voice"]["solo"] and lanes["clips"]["muted"] and not lanes["clips"]["solo"]
    assert "no duck" in ok("lane", "set", project, "music", "--duck", "0")


def test_shot_sound_and_crossfade(project: Path) -> None:
    out = ok("shot", "sound", project, "1", "--gain", "3", "--solo")
    assert "no dialogue" in out and "+3.0 dB" in out and "solo" in out
    ok("shot", "sound", project, "2", "--mute")

    length = info(project)["duration_us"]
    said = ok("crossfade", project, "1", "0.5")
    film = info(project)
    assert said.startswith(
        'Shot 1 "shot" now crossfades into shot 2 "shot" over 00:00:00.500 (12 frames); the film lasts '
    )
    assert f"{film['duration']} ({film['frames']} frames at 24 fps)" in said
    assert info(project)["duration_us"] == length - 500_000, "a crossfade overlaps the two shots"

    with ProjectSession.open(project) as session:
        first, second = session.project.shots
    assert (first.gain_db, first.solo, first.muted) == (3.0, True, False)
    assert second.muted
    assert first.transition_out.duration_us == 500_000

    assert ok("crossfade", project, "1", "0").startswith('Shot 1 "shot" now cuts to shot 2 "shot"; the film lasts ')
    assert info(project)["duration_us"] == length


def test_bad_sound_input_is_refused_and_changes_nothing(project: Path, files: dict[str, Path]) -> None:
    ok("sound", "add", project, files["music"])
    before = (project / "project.json").read_bytes()
    media = sorted(p.name for p in (project / "media").iterdir())

    _fails(shotline("sound", "add", project, files["music"], "--lane", "drums"), 1, "no audio lane 'drums'", "music")
    _fails(shotline("sound", "add", project, files["music"], "--lane", "clips"), 2, "own sound", "--lane music")
    _fails(shotline("sound", "add", project, files["silent"]), 1, "silent.mp4", "no sound")
    _fails(shotline("sound", "add", project, project.parent / "absent.wav"), 1, "absent.wav")
    _fails(shotline("sound", "set", project, "1", "--fade-in", "2", "--fade-out", "2"), 1, "fades", "longer than")
    _fails(shotline("sound", "set", project, "1"), 2, "nothing to change")
    _fails(shotline("sound", "set", project, "1", "--gain", "40"), 2, "--gain")
    _fails(shotline("sound", "set", project, "7", "--gain", "1"), 1, "no audio clip '7'")
    _fails(shotline("sound", "trim", project, "1", "--in", "2", "--out", "9"), 1, "outside the sound")
    _fails(shotline("sound", "move", project, "1", "--at", "soon"), 2, "not a time")
    _fails(shotline("sound", "move", project, "1", "--at", "1", "--lane", "clips"), 1, "own sound")
    _fails(shotline("lane", "set", project, "drums", "--gain", "1"), 1, "no audio lane 'drums'")
    _fails(shotline("lane", "set", project, "music", "--duck", "6"), 2, "--duck")
    _fails(shotline("lane", "set", project, "music", "--release", "12"), 1, "release")
    _fails(shotline("shot", "sound", project, "5", "--mute"), 1, "no shot '5'")
    _fails(shotline("crossfade", project, "2", "0.5"), 1, "last shot")
    _fails(shotline("crossfade", project, "1", "1.5"), 1, "longer than half", "00:00:01.000")

    assert (project / "project.json").read_bytes() == before, "a refused command must not rewrite the project"
    assert sorted(p.name for p in (project / "media").iterdir()) == media, "a refused add copies nothing"


def test_the_short_ids_the_listings_show_are_taken_back(project: Path, files: dict[str, Path]) -> None:
    """`sound list` and `info` show the first 8 characters of an id: what is shown can be typed back."""
    ok("sound", "add", project, files["music"])
    short = ok("sound", "list", project).split("\n")[1].split()[1]
    assert len(short) == 8
    assert "-6.0 dB" in ok("sound", "set", project, short, "--gain", "-6")
    shot_short = ok("info", project).splitlines()[1].split()[1]
    assert len(shot_short) == 8
    assert "Moved" in ok("move", project, shot_short, "--to", "2")


def test_fit_loops_a_short_bed_to_the_films_end_and_cuts_a_long_one(project: Path, tmp_path: Path) -> None:
    long_bed = make_clip(tmp_path / "long.wav", seconds=6, audio=(48_000, 2), video=False)
    ok("sound", "add", project, long_bed)
    out = ok("sound", "fit", project, "1")
    assert "length 00:00:04.000" in out and "loops" not in out, out
    clip = _sound(project)["clips"][0]
    assert (clip["end_us"], clip["loop_us"], clip["fade_out_us"]) == (4_000_000, 0, 1_000_000)

    short_bed = make_clip(tmp_path / "short.wav", seconds=1.5, audio=(48_000, 2), video=False)
    ok("sound", "add", project, short_bed, "--at", "0.5")
    out = ok("sound", "fit", project, "2")
    assert "length 00:00:03.500 (loops its 00:00:01.500)" in out, out
    assert _sound(project)["clips"][1]["end_us"] == 4_000_000

    ok("sound", "move", project, "2", "--at", "5")
    _fails(shotline("sound", "fit", project, "2"), 1, "short.wav starts at 00:00:05.000", "after the film's end")


def test_length_loops_a_bed_longer_than_its_sound_and_cuts_it_shorter(project: Path, tmp_path: Path) -> None:
    bed = make_clip(tmp_path / "bed.wav", seconds=1.5, audio=(48_000, 2), video=False)
    ok("sound", "add", project, bed)
    out = ok("sound", "length", project, "1", "5")
    assert "length 00:00:05.000 (loops its 00:00:01.500)" in out, out
    assert _sound(project)["clips"][0]["loop_us"] == 5_000_000
    out = ok("sound", "length", project, "1", "0.75")
    assert "length 00:00:00.750" in out and "loops" not in out, out
    clip = _sound(project)["clips"][0]
    assert (clip["loop_us"], clip["end_us"]) == (0, 750_000)
    _fails(shotline("sound", "length", project, "1", "0.005"), 1, "at least 10 ms")
