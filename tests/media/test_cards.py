"""Title cards: frame-exact length, the asked-for size and rate, the card colour, sound, and any prompt text."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import shotline
from shotline.core.errors import MediaMissing
from shotline.core.model import Size
from shotline.core.ports import TitleCard
from shotline.media.cards import frame_count, render_card, wrap_prompt
from shotline.media.probe import probe
from tests.backends.kit import card_font
from tests.clips import ffmpeg_exe

pytestmark = pytest.mark.ffmpeg

AWKWARD = (
    "She whispers: \"it's 100% fine\" — 50%{pts} off; [draft], {v2}, a\\b\\\\c, 'quoted'\n"
    "Second line: colon: semicolon; comma, equals=sign\n\n🎬 emoji at the end %"
)


def _render(card: TitleCard, dest: Path) -> list[float]:
    seen: list[float] = []
    asyncio.run(render_card(card, dest, seen.append, ffmpeg=Path(ffmpeg_exe()), font=card_font()))
    return seen


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _audio_peak(path: Path) -> float:
    with av.open(str(path)) as container:
        return max(float(np.abs(frame.to_ndarray()).max()) for frame in container.decode(audio=0))


def test_card_has_the_asked_for_length_size_rate_colour_and_sound(tmp_path: Path) -> None:
    card = TitleCard(
        prompt="Harbour at dawn, gulls circling",
        label="Shot 1",
        duration_us=1_500_000,
        size=Size(320, 180),
        fps=Fraction(24),
        background="#1f5f8b",
    )
    dest = tmp_path / "card.mp4"
    progress = _render(card, dest)

    info = probe(dest)
    frame_us = 1_000_000 / 24
    assert abs(info.duration_us - card.duration_us) <= frame_us
    assert info.size == Size(320, 180)
    assert info.fps == Fraction(24)
    assert info.has_audio and info.sample_rate == 48_000 and info.channels == 2
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    frames = _frames(dest)
    assert len(frames) == 36
    corner = frames[0][4:14, 4:14].reshape(-1, 3).mean(axis=0)
    assert np.allclose(corner, (0x1F, 0x5F, 0x8B), atol=6), corner
    assert 0.03 < _audio_peak(dest) < 0.1, "a soft tone, well below full scale"
    assert progress and progress[-1] == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["card.mp4"]


def test_awkward_prompt_text_renders_and_is_drawn(tmp_path: Path) -> None:
    card = TitleCard(
        prompt=AWKWARD, label="Shot 7: 'night' [v2]", duration_us=1_000_000, size=Size(320, 180), fps=Fraction(25)
    )
    dest = tmp_path / "awkward.mp4"
    _render(card, dest)

    frame = _frames(dest)[0]
    band = frame[int(180 * 0.38) : int(180 * 0.85)]
    bright = (band.min(axis=2) > 200).sum()
    assert bright > 100, "the prompt should be drawn as light text on the card"
    assert probe(dest).duration_us == pytest.approx(1_000_000, abs=40_000)


def test_silent_card_and_ntsc_rate_stay_frame_exact(tmp_path: Path) -> None:
    card = TitleCard(
        prompt="quiet",
        label="Shot 2",
        duration_us=2_000_000,
        size=Size(256, 144),
        fps=Fraction(30000, 1001),
        tone_hz=None,
    )
    dest = tmp_path / "silent.mp4"
    _render(card, dest)

    assert len(_frames(dest)) == frame_count(card) == 60
    assert _audio_peak(dest) == 0.0
    assert probe(dest).fps == Fraction(30000, 1001)


def test_cancelling_a_render_leaves_no_file_and_no_ffmpeg(tmp_path: Path) -> None:
    card = TitleCard(prompt="long", label="Shot 9", duration_us=60_000_000, size=Size(1280, 720), fps=Fraction(60))
    dest = tmp_path / "long.mp4"

    async def scenario() -> None:
        task = asyncio.create_task(
            render_card(card, dest, lambda _p: None, ffmpeg=Path(ffmpeg_exe()), font=card_font())
        )
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert list(tmp_path.iterdir()) == []


def test_missing_font_is_reported(tmp_path: Path) -> None:
    card = TitleCard(prompt="x", label="Shot 1", duration_us=1_000_000, size=Size(320, 180), fps=Fraction(24))
    with pytest.raises(MediaMissing, match="font"):
        asyncio.run(
            render_card(card, tmp_path / "x.mp4", lambda _p: None, ffmpeg=Path(ffmpeg_exe()), font=tmp_path / "no.ttf")
        )


def test_wrap_prompt_keeps_paragraphs_and_cuts_overflow_with_an_ellipsis() -> None:
    lines = wrap_prompt("one two three four five six\r\nseven\tthe end", width_chars=10, max_lines=3)
    assert lines[:2] == ["one two", "three four"]
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 10 for line in lines)
    assert wrap_prompt("a\nb", 20, 5) == ["a", "b"]
    assert wrap_prompt("  \n ", 20, 5) == ["(no prompt yet)"]


_RENDER_IN_A_CHILD = """
import asyncio, sys
from fractions import Fraction
from pathlib import Path
from shotline.core.model import Size
from shotline.core.ports import TitleCard
from shotline.media.cards import render_card
card = TitleCard(prompt="long", label="Shot 9", duration_us=60_000_000, size=Size(1280, 720), fps=Fraction(60))
asyncio.run(render_card(card, Path(sys.argv[1]), lambda _p: None, ffmpeg=Path(sys.argv[2]), font=Path(sys.argv[3])))
"""


def test_a_card_a_killed_shotline_was_rendering_is_swept_by_the_next_render(tmp_path: Path) -> None:
    """SIGKILL of a Shotline rendering a card (an animatic take) leaves its hidden partial file, which no code ran
    to remove; its ffmpeg dies with it (media.lifeline), and the next render beside it removes the file."""
    dest = tmp_path / "long.mp4"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(shotline.__file__).parents[1]), os.getcwd()])}
    child = subprocess.Popen(
        [sys.executable, "-c", _RENDER_IN_A_CHILD, str(dest), ffmpeg_exe(), str(card_font())], env=env
    )
    try:
        while not [p for p in tmp_path.iterdir() if p.name.startswith(".")] and child.poll() is None:
            time.sleep(0.02)
        assert child.poll() is None, "the render ended before it could be killed"
    finally:
        child.kill()
        child.wait()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left and all(name.startswith(".") for name in left), left  # the killed render's partial file stays

    _render(TitleCard("next", "Shot 1", 500_000, Size(320, 180), Fraction(24)), tmp_path / "b.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.mp4"]
