"""A creator's whole job from the command line: new → shots → animatic takes → trim, move, split → export."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from shotline.backends.animatic import card_colour
from tests.cli.shotline_cli import frame_at, hex_rgb, info, ok, probe_export

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def _background(frame: np.ndarray) -> np.ndarray:
    """The card's background colour: a corner patch the text never reaches."""
    return frame[4:14, 4:14].reshape(-1, 3).mean(axis=0)


def test_new_generate_edit_export(tmp_path: Path) -> None:
    project = tmp_path / "harbour.shotline"
    ok("new", project, "--title", "Harbour", "--size", "320x180", "--fps", "25")
    prompts = ["A harbour at dawn, fog on the water", "A gull lands on a mooring post", "Fishermen haul a net"]
    shots = [
        ok("add", project, "--prompt", p, "--duration", d).strip()
        for p, d in zip(prompts, ["2", "3", "2.4"], strict=True)
    ]
    ok("generate", project, "--all", "--wait")
    colours = {shot_id: hex_rgb(card_colour(number)) for number, shot_id in enumerate(shots, start=1)}
    assert len(set(colours.values())) == 3, "each shot's card must be recognisable"

    ok("trim", project, shots[0], "--in", "0.4", "--out", "00:00:01.600")  # shot 1 plays 1.2 s
    ok("move", project, "3", "--to", "1")  # shot 3 now plays first
    second_half = ok("split", project, shots[1], "--at", "1.0").strip()  # shot 2 → 1.0 s + 2.0 s

    report = info(project)
    order = [shot["id"] for shot in report["shots"]]
    assert order == [shots[2], shots[0], shots[1], second_half]
    durations = [shot["duration_us"] for shot in report["shots"]]
    assert durations == [2_400_000, 1_200_000, 1_000_000, 2_000_000]

    out = tmp_path / "harbour.mp4"
    ok("export", project, "-o", out)
    measured = probe_export(out)
    assert (measured.video_codec, measured.audio_codec) == ("h264", "aac")
    assert (measured.width, measured.height, measured.fps) == (320, 180, Fraction(25))
    assert (measured.sample_rate, measured.channels) == (48_000, 2)
    expected = sum(durations) / 1e6
    assert measured.frames == round(expected * 25)
    assert abs(measured.video_seconds - expected) <= 1 / 25
    assert abs(measured.audio_seconds - expected) <= 1 / 25

    # A frame from the middle of each cut shows that cut's card.
    owners = [shots[2], shots[0], shots[1], shots[1]]
    start = 0.0
    for duration_us, owner in zip(durations, owners, strict=True):
        middle = start + duration_us / 2e6
        seen = _background(frame_at(out, middle))
        distances = {shot: np.abs(seen - np.array(colour)).max() for shot, colour in colours.items()}
        assert min(distances, key=distances.__getitem__) == owner, f"at {middle:.2f} s: {distances}"
        assert distances[owner] < 20
        start += duration_us / 1e6


def test_the_split_halves_continue_the_same_take(tmp_path: Path) -> None:
    """The running timecode on the card continues across a split: the second half starts where the first ended."""
    project = tmp_path / "split.shotline"
    ok("new", project, "--size", "320x180", "--fps", "25")
    ok("add", project, "--prompt", "A long corridor", "--duration", "2")
    ok("generate", project, "--wait")
    ok("split", project, "1", "--at", "0.8")
    shots = info(project)["shots"]
    assert shots[0]["media"] == shots[1]["media"]
    assert shots[0]["trim_us"] == {"in": 0, "out": 800_000}
    assert shots[1]["trim_us"] == {"in": 800_000, "out": 2_000_000}
