"""Issue 17's proof, from the command line: a film of three speaking shots, its lines voiced offline (espeak-ng),
captions made and timed to those voices, exported with captions burned in and as files beside it — the captions'
times checked against the voice takes on the voice-over lane, the burned-in words found in the film's frames."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from shotline.core import commands
from shotline.core.model import VOICE_LANE
from shotline.services.session import ProjectSession
from tests.cli.shotline_cli import Result, ok, shotline
from tests.clips import ffmpeg_exe, make_clip

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

LINES = ("Where is the boat?", "Gone with the tide.", "Then we swim.")
SIZE = (640, 360)


@pytest.fixture
def film(tmp_path: Path) -> Path:
    path = tmp_path / "Harbour.shotline"
    ok("new", path, "--size", f"{SIZE[0]}x{SIZE[1]}", "--fps", "25")
    clips = [make_clip(tmp_path / f"shot{n}.mp4", seconds=3, size=SIZE, colour="0x336699") for n in (1, 2, 3)]
    ok("import", path, *clips)
    with ProjectSession.open(path) as session:
        for shot, text in zip(session.project.shots, LINES, strict=True):
            session.execute(commands.add_line(shot.id, text, speaker="Mara"))
        session.save()
    return path


def _grey(film: Path, at_s: float) -> np.ndarray:
    argv = [ffmpeg_exe(), "-loglevel", "error", "-ss", f"{at_s:.3f}", "-i", str(film), "-frames:v", "1"]
    argv += ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
    raw = subprocess.run(argv, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(SIZE[1], SIZE[0]).astype(int)


def test_three_voiced_shots_are_captioned_to_their_voices_and_exported_burned_in_and_beside(
    film: Path, tmp_path: Path
) -> None:
    ok("voice", film)
    listed = ok("captions", "make", film)
    assert [row.split("  ", 3)[-1] for row in listed.splitlines()] == [f"Mara: {text}" for text in LINES]
    with ProjectSession.open(film) as session:
        project = session.project
        voices = sorted((c for c in project.audio if c.lane == VOICE_LANE), key=lambda c: c.start_us)
        assert len(voices) == 3
        # each caption lies exactly over its voice take where it plays on the timeline
        assert [(c.start_us, c.end_us) for c in project.captions] == [(v.start_us, v.end_us) for v in voices]
        captions = project.captions
    plain, burned = tmp_path / "plain.mp4", tmp_path / "burned.mp4"
    for out, *asked in ((plain,), (burned, "--captions", "burn", "--captions", "files")):
        result = shotline("export", film, "-o", out, *asked, timeout=240)
        assert result.code == 0, result.err
    srt = pysubs2.load(str(burned.with_suffix(".srt")))
    assert [(e.start, e.end, e.plaintext) for e in srt] == [
        (round(c.start_us / 1000), round(c.end_us / 1000), c.text) for c in captions
    ]
    assert burned.with_suffix(".vtt").read_text().startswith("WEBVTT")
    for caption in captions:
        middle = (caption.start_us + caption.end_us) / 2e6
        drawn = np.abs(_grey(burned, middle) - _grey(plain, middle))
        assert (drawn > 60).sum() > 200, f"{caption.text!r} is not in the frame at {middle:.2f} s"
    between = (captions[0].end_us + captions[1].start_us) / 2e6
    if captions[1].start_us - captions[0].end_us > 200_000:  # a pause between two voices shows no caption
        assert (np.abs(_grey(burned, between) - _grey(plain, between)) > 60).sum() == 0


def test_export_with_captions_before_any_are_made_says_what_to_do(film: Path, tmp_path: Path) -> None:
    result: Result = shotline("export", film, "-o", tmp_path / "x.mp4", "--captions", "burn")
    assert result.code != 0 and "Traceback" not in result.err
    assert "no captions yet" in result.err and "shotline captions make" in result.err


def test_captions_are_edited_from_the_command_line(film: Path) -> None:
    ok("captions", "make", film)
    ok("captions", "edit", film, "1", "--text", "Where's the boat?", "--from", "0.5", "--to", "2.5")
    ok("captions", "split", film, "1", "1.5")
    ok("captions", "add", film, "8.5", "8.9", "Splash.")
    listed = ok("captions", "remove", film, "3").splitlines()
    assert [row.split("  ", 3)[-1] for row in listed] == [
        "Mara: Where's the  (edited)",
        "Mara: boat?  (edited)",
        "Mara: Then we swim.",
        "Splash.  (edited)",
    ]
    assert listed[0].split("Mara")[0].split() == ["1", "00:00:00.500", "–", "00:00:01.500"]
