"""peaks() decodes real sound and puts each loud moment in the bucket of its time on the take's clock (issue 12: sound
that starts after the picture is drawn that much later); peaks survive bytes."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import pytest

from shotline.core.errors import MediaUnreadable
from shotline.media.waveform import Peaks, peaks
from tests.clips import BEEP_SECONDS, make_clip
from tests.media.numbered import BURST_SECONDS, Sound, burst_in_source, numbered_clip, shift_picture

pytestmark = pytest.mark.ffmpeg


def loud_buckets(found: Peaks, level: float = 0.3) -> list[int]:
    return [b for b in range(len(found)) if max(found.maxs[b], -found.mins[b]) > level]


@pytest.mark.parametrize("suffix", [".wav", ".m4a", ".mp3"])
def test_the_loud_bucket_is_at_the_beep(tmp_path: Path, suffix: str) -> None:
    clip = make_clip(tmp_path / f"beep{suffix}", seconds=2, video=False, audio=(44100, 2), beep_at=1.3)
    found = peaks(clip)
    assert found.buckets_per_second == 100
    assert len(found) == pytest.approx(200, abs=6)  # 2 s (mp3/aac may add a frame of padding)
    loud = loud_buckets(found)
    # the beep runs 1.3–1.4 s: buckets 130–139 of 10 ms, allowing a codec's priming delay of a few ms
    assert 129 <= loud[0] <= 131 and 138 <= loud[-1] <= 141
    assert len(loud) >= round(BEEP_SECONDS * 100) - 1
    assert 129 <= found.loudest_bucket() <= 141
    assert found.maxs[loud[1]] > 0.4 and found.mins[loud[1]] < -0.4
    quiet = [b for b in range(len(found)) if not loud[0] - 2 <= b <= loud[-1] + 2]
    assert max(max(found.maxs[b], -found.mins[b]) for b in quiet) < 0.02  # silence elsewhere


def test_a_video_file_gives_the_peaks_of_its_sound(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "v.mp4", seconds=1, size=(160, 90), audio=(48000, 1), beep_at=0.4)
    found = peaks(clip, buckets_per_second=50)
    assert found.buckets_per_second == 50
    assert loud_buckets(found)[0] == 20 and loud_buckets(found)[-1] in (24, 25)  # 0.4–0.5 s in 20 ms buckets


MS_BUCKETS = 1000
"""Buckets of 1 ms, to see where a sound lands to the millisecond."""


def test_sound_that_starts_after_the_picture_is_drawn_at_its_delay(tmp_path: Path) -> None:
    # the sound starts 67.3 ms after the first frame (-itsoffset): its burst, 1 s into the sound, plays at 1.0673 s
    clip = numbered_clip(tmp_path / "late.mp4", frames=75, sound=Sound(seconds=3.0, burst_at=1.0, delay=0.0673))
    heard = burst_in_source(clip)
    assert heard == pytest.approx(1.0673, abs=0.001)
    found = peaks(clip, buckets_per_second=MS_BUCKETS)
    loud = loud_buckets(found)
    assert loud[0] == pytest.approx(heard * MS_BUCKETS, abs=1)
    assert loud[-1] == pytest.approx((heard + BURST_SECONDS) * MS_BUCKETS, abs=1)
    assert max(found.maxs[:67]) == 0.0 and min(found.mins[:67]) == 0.0, "silence before the sound starts"
    assert found.duration_us == pytest.approx(3_067_300, abs=25_000)  # to the sound's end (AAC pads its last frame)


def test_sound_that_starts_before_the_picture_is_cut_at_the_first_frame(tmp_path: Path) -> None:
    # the picture starts 0.5 s after the sound: the burst, 1 s into the sound, plays 0.5 s after the first frame
    source = numbered_clip(tmp_path / "numbered.mp4", frames=75, sound=Sound(seconds=3.0, burst_at=1.0))
    clip = shift_picture(source, tmp_path / "late picture.mkv", 0.5)
    heard = burst_in_source(clip)
    assert heard == pytest.approx(0.5, abs=0.001)
    found = peaks(clip, buckets_per_second=MS_BUCKETS)
    assert loud_buckets(found)[0] == pytest.approx(heard * MS_BUCKETS, abs=1)
    assert found.duration_us == pytest.approx(2_500_000, abs=25_000)


def test_columns_reduce_a_time_range_to_the_pixels_that_draw_it(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "beep.wav", seconds=2, video=False, audio=(48000, 1), beep_at=1.0)
    found = peaks(clip)
    whole = found.columns(0, 2_000_000, 20)  # 100 ms a column: the beep fills column 10
    loud = [i for i, (lo, hi) in enumerate(whole) if hi > 0.3]
    assert loud == [10]
    # the trimmed range 0.5–1.5 s in 4 columns puts the beep at the start of the third
    trimmed = found.columns(500_000, 1_500_000, 4)
    assert [hi > 0.3 for _, hi in trimmed] == [False, False, True, False]
    # more columns than buckets: each column shows the bucket under it
    fine = found.columns(990_000, 1_020_000, 30)
    assert len(fine) == 30 and fine[0][1] < 0.05 and fine[15][1] > 0.3
    past_the_end = found.columns(3_000_000, 4_000_000, 5)
    assert past_the_end.shape == (5, 2) and not past_the_end.any()  # silence


def reference_columns(found: Peaks, in_us: int, out_us: int, count: int) -> list[tuple[float, float]]:
    """The rule written out slowly, one column at a time."""
    result = []
    for column in range(count):
        first = found.bucket_at(in_us + (out_us - in_us) * column // count)
        last = max(first + 1, found.bucket_at(in_us + (out_us - in_us) * (column + 1) // count))
        lows, highs = found.mins[first:last], found.maxs[first:last]
        result.append((min(lows), max(highs)) if highs else (0.0, 0.0))
    return result


def test_columns_follow_the_rule_for_any_range_and_zoom() -> None:
    rng = random.Random(7)
    values = [rng.uniform(-1, 1) for _ in range(257)]
    found = Peaks(100, array("f", [min(v, -v) for v in values]), array("f", [max(v, -v) for v in values]))
    for _ in range(300):
        in_us = rng.randrange(-200_000, 3_000_000)
        out_us = in_us + rng.randrange(1, 4_000_000)
        count = rng.choice([1, 2, 7, rng.randrange(1, 2_000)])
        expected = reference_columns(found, in_us, out_us, count)
        assert found.columns(in_us, out_us, count).tolist() == [list(pair) for pair in expected], (in_us, out_us)


def test_peaks_survive_a_round_trip_through_bytes() -> None:
    original = Peaks(100, array("f", [-0.5, -0.25, 0.0]), array("f", [0.5, 0.75, 0.0]))
    assert Peaks.from_bytes(original.to_bytes()) == original
    assert original.duration_us == 30_000
    with pytest.raises(ValueError):
        Peaks.from_bytes(original.to_bytes()[:-1])
    with pytest.raises(ValueError):
        Peaks.from_bytes(b"not peaks at all, but long enough")


def test_a_file_without_sound_is_refused_plainly(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "silent.mp4", seconds=0.5, size=(160, 90))
    with pytest.raises(MediaUnreadable, match="no sound"):
        peaks(clip)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file" * 10)
    with pytest.raises(MediaUnreadable, match=r"broken\.wav"):
        peaks(broken)
