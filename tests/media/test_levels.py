"""media.levels: peaks in dBFS per channel from every sample format Qt hands over, and how a meter falls."""

from __future__ import annotations

import numpy as np
import pytest

from shotline.media.levels import FALL_DB_PER_SECOND, FLOOR_DB, SampleKind, fallen, peaks_dbfs, samples


def stereo(left: float, right: float, frames: int = 480) -> np.ndarray:
    t = np.arange(frames) / 48000
    tone = np.sin(2 * np.pi * 1000 * t)
    return np.stack([left * tone, right * tone], axis=1).reshape(-1)


@pytest.mark.parametrize(
    ("kind", "dtype", "full"),
    [(SampleKind.FLOAT, np.float32, 1.0), (SampleKind.INT16, np.int16, 32767), (SampleKind.INT32, np.int32, 2**31 - 1)],
)
def test_each_channel_peak_reads_in_dbfs_from_each_format(kind: SampleKind, dtype: type, full: float) -> None:
    raw = (stereo(0.5, 0.1) * full).astype(dtype).tobytes()
    left, right = peaks_dbfs(samples(raw, kind), 2)
    assert left == pytest.approx(-6.02, abs=0.1)
    assert right == pytest.approx(-20.0, abs=0.1)


def test_unsigned_bytes_count_from_their_middle() -> None:
    raw = (128 + np.round(stereo(1.0, 0.0) * 127)).astype(np.uint8).tobytes()
    left, right = peaks_dbfs(samples(raw, SampleKind.UINT8), 2)
    assert left == pytest.approx(0.0, abs=0.1) and right == FLOOR_DB


def test_silence_and_an_empty_block_are_the_floor() -> None:
    assert peaks_dbfs(np.zeros(960), 2) == (FLOOR_DB, FLOOR_DB)
    assert peaks_dbfs(np.zeros(0), 1) == (FLOOR_DB,)


def test_a_meter_rises_at_once_and_falls_by_the_sounds_own_time() -> None:
    assert fallen(-40.0, -6.0, 0.02) == -6.0
    assert fallen(-6.0, -60.0, 0.5) == pytest.approx(-6.0 - FALL_DB_PER_SECOND * 0.5)
    assert fallen(-6.0, -60.0, 10.0) == FLOOR_DB
