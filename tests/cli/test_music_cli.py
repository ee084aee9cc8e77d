"""`shotline music`: an offline bed made by the animatic lands on the music lane at the film's start, as long as
the film (or looped to it), journaled like any job; what cannot be made is refused in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shotline.media.probe import probe
from tests.cli.shotline_cli import NO_KEYRING, copy_of, ok, shotline
from tests.clips import make_clip
from tests.media.sound import read_wav, window_levels

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def two_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two 3 s shots: a 6 s film."""
    folder = tmp_path_factory.mktemp("made")
    shot = make_clip(folder / "shot.mp4", seconds=3, size=(320, 180), fps="24", audio=(48_000, 2))
    path = folder / "film.shotline"
    ok("new", path, "--size", "320x180")
    ok("import", path, shot, shot)
    return path


@pytest.fixture
def project(tmp_path: Path, two_shots: Path) -> Path:
    return copy_of(two_shots, tmp_path)


def _clips(project: Path) -> list[dict[str, Any]]:
    clips: list[dict[str, Any]] = json.loads(ok("sound", "list", project, "--json"))["clips"]
    return clips


def test_an_offline_bed_lands_on_the_music_lane_as_long_as_the_film(project: Path) -> None:
    out = ok("music", project, "--prompt", "calm harbour at dawn, slow")
    made = Path(out.strip().splitlines()[-1])
    assert made.is_file() and made.suffix == ".wav"
    assert probe(made).duration_us == 6_000_000, "the bed is made as long as the film"
    [clip] = _clips(project)
    assert (clip["lane"], clip["start_us"], clip["end_us"], clip["loop_us"]) == ("music", 0, 6_000_000, 0)
    assert clip["source_name"].startswith("Music: calm harbour")
    samples, rate = read_wav(made)
    levels = window_levels(samples, rate, 0.25)
    assert levels[4:].min() > -40, "the bed is heard all through (after its swell)"
    assert levels.max() < -12, "quietly: a bed under the film, not over it"
    jobs = json.loads(ok("jobs", project, "--json"))
    assert [(job["backend"], job["model"]) for job in jobs] == [("animatic", "bed")], "journaled like any job"


def test_a_shorter_bed_loops_to_the_films_end(project: Path) -> None:
    ok("music", project, "--prompt", "tense night, 120 bpm", "--seconds", "2.5")
    [clip] = _clips(project)
    assert (clip["duration_us"], clip["loop_us"], clip["end_us"]) == (6_000_000, 6_000_000, 6_000_000)
    assert clip["trim_us"] == {"in": 0, "out": 2_500_000}


def test_what_cannot_be_made_is_refused_in_words(project: Path) -> None:
    no_prompt = shotline("music", project)
    assert no_prompt.code == 1 and "Say what the music should be like" in no_prompt.err
    no_music = shotline("music", project, "--prompt", "x", "--backend", "luma")
    assert no_music.code == 1 and "makes no music in Shotline" in no_music.err and "animatic" in no_music.err
    too_long = shotline("music", project, "--prompt", "x", "--seconds", "700")
    assert too_long.code == 1 and "1 to 600 s long" in too_long.err
    assert "Traceback" not in no_prompt.err + no_music.err + too_long.err
    assert _clips(project) == []


def test_paid_music_is_asked_about_and_sent_once(project: Path) -> None:
    from tests.fakes.fal import KEY
    from tests.fakes.fal_music import FakeFalMusic

    with FakeFalMusic(queue_polls=1, run_polls=1) as fake:
        env = {"SHOTLINE_FAL_BASE_URL": fake.url, "FAL_KEY": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        args = ("music", project, "--backend", "fal", "--model", "stable-audio-25", "--prompt", "calm strings")
        said_no = shotline(*args, stdin="n\n", env=env)
        assert said_no.code == 1 and "Nothing was sent" in said_no.err
        assert "Making 00:00:06.000 of music is estimated at about $0.20. Start it?" in said_no.err
        assert fake.submits() == [] and _clips(project) == []

        said_yes = shotline(*args, stdin="y\n", env=env)
        assert said_yes.code == 0, said_yes.err
        (submit,) = fake.submits()
        assert submit.json() == {"prompt": "calm strings", "seconds_total": 6}
        [clip] = _clips(project)
        assert (clip["lane"], clip["end_us"], clip["media"]) == (
            "music",
            6_000_000,
            f"media/{Path(said_yes.out.strip()).name}",
        )


def test_a_music_job_left_unfinished_is_placed_by_resume(project: Path) -> None:
    from shotline.cli.session_scope import editing
    from shotline.services.context import open_context
    from shotline.services.generation import GenerationService
    from shotline.services.music import MusicChoice, MusicService

    with open_context() as ctx, editing(str(project)) as session:  # journaled, then the process stopped
        record = MusicService(ctx, session).plan(MusicChoice("calm harbour at dawn"))
        GenerationService(ctx, session).write_down([record])
    assert _clips(project) == []

    out = ok("resume", project, "--wait")
    assert "(on the music lane)" in out
    [clip] = _clips(project)
    assert (clip["lane"], clip["start_us"], clip["end_us"]) == ("music", 0, 6_000_000)
    assert [job["phase"] for job in json.loads(ok("jobs", project, "--json"))] == ["attached"]


def test_backends_lists_the_music_models_each_backend_offers() -> None:
    """`backends` names what `music --backend/--model` can be given: the offline bed, fal's and Replicate's models."""
    rows = {row["id"]: row for row in json.loads(ok("backends", "--json", env=NO_KEYRING))}
    assert [model["id"] for model in rows["animatic"]["music"]] == ["bed"]
    assert rows["fal"]["music"] and rows["replicate"]["music"], "the cloud music models are listed"
    assert rows["luma"]["music"] == [], "a backend without music lists none"
    assert all(model["max_seconds"] > 0 for row in rows.values() for model in row["music"])
    assert "bed" in ok("backends", env=NO_KEYRING) and "(music)" in ok("backends", env=NO_KEYRING)
