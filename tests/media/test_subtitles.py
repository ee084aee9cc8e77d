"""Captions as subtitle files: sidecars on the export's clock, and burned-in captions that libass draws inside the
frame's safe area at every export preset (pixels checked in the frame ffmpeg draws, no OCR)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import ffmpeg
import numpy as np
import pysubs2
import pytest

from shotline.core.caption_style import CaptionPlace, CaptionStyle, safe_area
from shotline.core.model import Caption, Size, Trim
from shotline.media.subtitles import Cue, burn, cues, cues_for_burning, write_burn_in, write_sidecars
from shotline.services.presets import PRESETS

# the widest text there is: capitals W, a word longer than any line, and ASS's own command characters
WORST = "WWWWWWWW WWWWWW WWWWWWWWW WWWWWWW {\\b1} WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW WWW WWWW"


def _caption(start_s: float, end_s: float, text: str) -> Caption:
    return Caption(f"c{start_s}", round(start_s * 1e6), round(end_s * 1e6), text)


def test_sidecars_are_on_the_exports_clock_and_cut_to_its_window(tmp_path: Path) -> None:
    captions = [
        _caption(0.5, 1.5, "Before the range"),
        _caption(1.8, 2.6, "Across its start"),
        _caption(3.0, 4.25, "Inside, with a line\nbreak"),
        _caption(9.0, 10.0, "After it"),
    ]
    film = tmp_path / "my film.mp4"
    written = write_sidecars(captions, Trim(2_000_000, 5_000_000), film)
    assert [p.name for p in written] == ["my film.srt", "my film.vtt"]
    for path in written:
        subs = pysubs2.load(str(path))
        assert [(e.start, e.end, e.plaintext) for e in subs] == [
            (0, 600, "Across its start"),
            (1000, 2250, "Inside, with a line\nbreak"),
        ]
    assert "00:00:01,000 --> 00:00:02,250" in written[0].read_text()
    assert written[1].read_text().startswith("WEBVTT")
    assert "00:00:01.000 --> 00:00:02.250" in written[1].read_text()


def test_cues_leave_out_empty_and_zero_length_captions() -> None:
    found = cues([_caption(1, 1.0001, "blink"), _caption(2, 3, "   ")], Trim(0, 10_000_000))
    assert found == []


def _frame(ffmpeg_exe: Path, size: Size, ass: Path | None) -> np.ndarray:
    """One frame of black at `size` at 0.5 s, with the captions of `ass` burned in: its grey levels."""
    stream = ffmpeg.input(f"color=black:size={size}:rate=25:duration=1", f="lavfi")
    if ass is not None:
        stream = burn(stream, ass)
    argv = (
        ffmpeg.output(stream.filter("format", "gray"), "pipe:", f="rawvideo", ss=0.5, frames=1)
        .global_args("-loglevel", "error")
        .compile(cmd=str(ffmpeg_exe))
    )
    raw = subprocess.run(argv, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(size.height, size.width)


# every preset's frame, and small project frames the Source preset may have
SIZES = [p.size for p in PRESETS if p.size is not None] + [Size(320, 180), Size(180, 320), Size(96, 64)]


@pytest.mark.parametrize("place", list(CaptionPlace))
@pytest.mark.parametrize("size", SIZES, ids=str)
def test_a_burned_in_caption_stays_inside_the_safe_area_at_every_preset(
    ffmpeg_exe: Path, tmp_path: Path, size: Size, place: CaptionPlace
) -> None:
    style = CaptionStyle(place=place, size=12.0)  # the largest letters a style may ask for
    # a folder name ffmpeg's filter graph would otherwise split at
    folder = tmp_path / "it's: a, folder"
    folder.mkdir()
    ass = write_burn_in([_caption(0, 1, WORST)], Trim(0, 1_000_000), size, style, folder / "captions.ass")
    picture = _frame(ffmpeg_exe, size, ass)
    lit = np.argwhere(picture > 40)
    assert len(lit) > 0, "no caption was drawn"
    safe = safe_area(size.width, size.height)
    (top, left), (bottom, right) = lit.min(axis=0), lit.max(axis=0)
    assert left >= safe.left and right < size.width - safe.right
    assert top >= safe.top and bottom < size.height - safe.bottom


def test_a_caption_too_long_to_burn_at_once_is_shown_in_even_parts_one_after_the_other() -> None:
    # four lines' worth at this width: two cues of two lines, not three lines and then one
    shown = cues_for_burning([Cue(0, 4000, "aaaa bbbb cccc dddd")], room=3.0)
    assert [(c.start_ms, c.end_ms, c.text) for c in shown] == [(0, 2000, "aaaa\nbbbb"), (2000, 4000, "cccc\ndddd")]
