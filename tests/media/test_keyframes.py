"""keyframes_us and stream_signature: read by demuxing real clips, cached per file version."""

from __future__ import annotations

import os
from pathlib import Path

import av
import pytest

from shotline.core.errors import MediaMissing
from shotline.media.keyframes import keyframes_us, stream_signature
from tests.clips import make_clip
from tests.media.numbered import frame_number, numbered_clip

pytestmark = pytest.mark.ffmpeg


def test_keyframes_follow_the_gop(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "gop12.mp4", seconds=2, size=(160, 90), fps="24", gop=12)
    assert keyframes_us(clip) == (0, 500_000, 1_000_000, 1_500_000)


def test_a_rewritten_file_is_read_again(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=2, size=(160, 90), fps="24", gop=24)
    assert keyframes_us(clip) == (0, 1_000_000)
    make_clip(tmp_path / "other.mp4", seconds=2, size=(160, 90), fps="24", gop=12).replace(clip)
    os.utime(clip, ns=(clip.stat().st_atime_ns, clip.stat().st_mtime_ns + 1_000_000_000))
    assert keyframes_us(clip) == (0, 500_000, 1_000_000, 1_500_000)


def test_signatures_match_for_the_same_settings_only(tmp_path: Path) -> None:
    a = make_clip(tmp_path / "a.mp4", seconds=1, size=(160, 90), fps="24", audio=(48000, 2))
    b = make_clip(tmp_path / "b.mp4", seconds=1, size=(160, 90), fps="24", audio=(48000, 2), colour="red")
    wider = make_clip(tmp_path / "wide.mp4", seconds=1, size=(320, 90), fps="24", audio=(48000, 2))
    quiet = make_clip(tmp_path / "quiet.mp4", seconds=1, size=(160, 90), fps="24")
    assert stream_signature(a) == stream_signature(b)
    assert (stream_signature(a).width, stream_signature(a).fps, stream_signature(a).sample_rate) == (160, 24, 48000)
    assert stream_signature(wider) != stream_signature(a)
    assert not stream_signature(quiet).has_audio and stream_signature(a).has_audio


def test_a_missing_clip_says_which(tmp_path: Path) -> None:
    with pytest.raises(MediaMissing, match=r"gone\.mp4"):
        keyframes_us(tmp_path / "gone.mp4")


def test_keyframes_count_from_the_first_picture_frame(tmp_path: Path) -> None:
    # AVI stores decoding times only: with B-frames the first frame shows one frame after the stream's start time,
    # and the take's clock starts at that frame
    # (closed GOPs: a keyframe with frames shown before it is no cut for a copy, so is not listed)
    mpeg4 = ("-c:v", "mpeg4", "-bf", "1", "-g", "25", "-flags", "+cgop", "-sc_threshold", "1000000000")
    clip = numbered_clip(tmp_path / "clip.avi", frames=50, codec=mpeg4)
    with av.open(str(clip)) as container:
        keys = [frame_number(f.to_ndarray(format="gray")) for f in container.decode(video=0) if f.key_frame]
    assert len(keys) == 2
    assert keyframes_us(clip) == tuple(number * 40_000 for number in keys)
