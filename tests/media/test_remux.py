"""A clip without an index (MPEG-PS/TS) goes into the project remuxed into Matroska: the same frames in the same
order, the sound at the same offset from the first frame, and an index to seek by (the viewer needs one)."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from shotline.media.remux import needs_index, remux_indexed
from tests.clips import make_clip
from tests.media.numbered import MPEG2, Sound, burst_in_source, frames_of, numbered_clip

pytestmark = pytest.mark.ffmpeg


@pytest.mark.parametrize(("suffix", "output"), [(".mpg", ("-f", "vob")), (".ts", ("-f", "mpegts"))])
def test_a_clip_without_an_index_is_remuxed_frame_for_frame_with_its_sound_in_place(
    tmp_path: Path, suffix: str, output: tuple[str, ...]
) -> None:
    sound = Sound(seconds=3.0, burst_at=1.0, delay=0.0673, codec="mp2")
    tape = numbered_clip(
        tmp_path / f"tape{suffix}", frames=75, codec=MPEG2, sound=sound, output=(*output, "-output_ts_offset", "1.0")
    )
    assert needs_index(tape)
    indexed = tmp_path / "indexed.mkv"
    remux_indexed(tape, indexed)
    assert not needs_index(indexed)
    assert [f.number for f in frames_of(indexed)] == [f.number for f in frames_of(tape)] == list(range(75))
    assert burst_in_source(indexed) == pytest.approx(burst_in_source(tape), abs=0.001)
    with av.open(str(indexed)) as container:
        assert container.format.name == "matroska,webm"
        assert container.streams.video[0].codec_context.name == "mpeg2video"  # copied, not re-encoded


def test_clips_with_an_index_are_left_as_they_are(tmp_path: Path) -> None:
    for name in ("a.mp4", "a.mkv", "a.avi"):
        assert not needs_index(make_clip(tmp_path / name, seconds=1, size=(160, 90), audio=(48000, 2)))
    assert not needs_index(make_clip(tmp_path / "a.wav", seconds=1, video=False, audio=(48000, 2)))
