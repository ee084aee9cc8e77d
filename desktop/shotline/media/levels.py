"""Sound levels for the player's meters: each channel's peak in a block of samples, in dBFS, and how a meter falls.

A meter shows the loudest sample of each block the player plays (a peak meter, as editors' audio meters are) and
rises at once; it falls back at `FALL_DB_PER_SECOND` of the sound's own time, so a short sound stays readable
whatever the speed of the machine. Below `FLOOR_DB` is silence.
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np

FLOOR_DB = -60.0
"""The bottom of the meter: quieter is shown as silence."""
FALL_DB_PER_SECOND = 24.0
"""How fast a meter falls back after a peak, per second of sound (a broadcast peak meter's 20–26 dB/s)."""


class SampleKind(StrEnum):
    """How the samples of a block are stored."""

    FLOAT = "float"
    INT16 = "int16"
    INT32 = "int32"
    UINT8 = "uint8"


_SCALE = {
    SampleKind.FLOAT: (np.float32, 0.0, 1.0),
    SampleKind.INT16: (np.int16, 0.0, 32768.0),
    SampleKind.INT32: (np.int32, 0.0, 2147483648.0),
    SampleKind.UINT8: (np.uint8, 128.0, 128.0),
}


def samples(raw: bytes | bytearray | memoryview, kind: SampleKind) -> np.ndarray:
    """The block's samples (interleaved) as floats where full scale is 1."""
    dtype, middle, scale = _SCALE[kind]
    data = np.frombuffer(raw, dtype=dtype).astype(np.float64)
    return (data - middle) / scale


def peaks_dbfs(block: np.ndarray, channels: int) -> tuple[float, ...]:
    """Each channel's loudest sample in `block` (interleaved), in dBFS, never below `FLOOR_DB`."""
    channels = max(1, channels)
    usable = len(block) - len(block) % channels
    if usable == 0:
        return (FLOOR_DB,) * channels
    frames = np.abs(block[:usable].reshape(-1, channels)).max(axis=0)
    return tuple(dbfs(float(peak)) for peak in frames)


def dbfs(peak: float) -> float:
    return FLOOR_DB if peak <= 0 else max(FLOOR_DB, 20 * math.log10(peak))


def fallen(shown: float, peak: float, seconds: float) -> float:
    """What a meter showing `shown` shows after `seconds` of sound whose peak was `peak`: the peak if louder,
    else `shown` fallen back by `FALL_DB_PER_SECOND`."""
    return max(peak, shown - FALL_DB_PER_SECOND * seconds, FLOOR_DB)
