"""Waveform peaks of a sound: the lowest and highest sample in each short bucket of time, for drawing.

The sound is decoded with PyAV, mixed down to mono at a low rate (`PEAK_RATE`: plenty to see a waveform, and a
3-minute song decodes in well under a second of resampling work) and reduced to min/max per bucket. The result is a
small, exact-size value that survives a round trip through bytes, so it can be cached on disk.

Buckets count on the take's clock (`media.clock`), as the export and the preview mix hear the sound: time 0 is the
first picture frame (the first sound sample for a file without picture). Sound that starts 67 ms after the picture
is drawn 67 ms in, silence before it; sound before the first frame is cut, as it is never heard.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np

from shotline.core.errors import MediaError, MediaUnreadable, plain_reason
from shotline.core.model import MAX_LENGTH_US
from shotline.media.clock import take_zero
from shotline.media.probe import open_media

BUCKETS_PER_SECOND = 100
PEAK_RATE = 8000
"""Samples per second the peaks are taken from; a 1 kHz beep still shows at full height."""
_MAGIC = b"SLPEAKS1"
_HEADER = struct.Struct("<8sII")
MOST_BYTES = _HEADER.size + 8 * BUCKETS_PER_SECOND * (MAX_LENGTH_US // 1_000_000 + 1)
"""The most a file of peaks can hold: a minimum and a maximum for each bucket of the longest media Shotline takes.
A cache file is read no further (one a hand-made project folder holds under a cached name may be any size)."""


@dataclass(frozen=True, slots=True, eq=False)
class Peaks:
    """Per bucket of 1/`buckets_per_second` s from the take's zero: the lowest and highest sample, in -1…1."""

    buckets_per_second: int
    mins: array[float]
    maxs: array[float]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Peaks):
            return NotImplemented
        return (self.buckets_per_second, self.mins, self.maxs) == (other.buckets_per_second, other.mins, other.maxs)

    def __len__(self) -> int:
        return len(self.maxs)

    @property
    def duration_us(self) -> int:
        return len(self) * 1_000_000 // self.buckets_per_second

    def bucket_at(self, at_us: int) -> int:
        """The bucket holding source time `at_us` (may lie past the end)."""
        return max(0, at_us) * self.buckets_per_second // 1_000_000

    def loudest_bucket(self) -> int:
        """The bucket with the largest swing either way (the first of equals)."""
        swings = [max(hi, -lo) for lo, hi in zip(self.mins, self.maxs, strict=True)]
        return max(range(len(swings)), key=swings.__getitem__) if swings else 0

    def columns(self, in_us: int, out_us: int, count: int) -> np.ndarray:
        """`count` rows of (min, max) spanning source time [in_us, out_us): each covers the buckets under its slice,
        or the one bucket under it when slices are narrower than buckets. Past the end of the sound: silence.

        Vectorised, because the timeline asks for a column per pixel on every repaint."""
        if count <= 0 or out_us <= in_us:
            return np.zeros((0, 2))
        edges_us = in_us + (out_us - in_us) * np.arange(count + 1, dtype=np.int64) // count
        buckets = np.maximum(edges_us, 0) * self.buckets_per_second // 1_000_000
        # reduceat over the column edges is the rule itself: a column reduces [its bucket, the next column's) when
        # that holds any bucket, else just its own. Index len(self) is the padded silence past the end.
        starts = np.minimum(buckets, len(self))
        lows = np.minimum.reduceat(_padded(self.mins), starts)[:-1]
        highs = np.maximum.reduceat(_padded(self.maxs), starts)[:-1]
        return np.column_stack((lows, highs)).astype(np.float64)

    def to_bytes(self) -> bytes:
        mins, maxs = array("f", self.mins), array("f", self.maxs)
        if sys.byteorder != "little":
            mins.byteswap()
            maxs.byteswap()
        return _HEADER.pack(_MAGIC, self.buckets_per_second, len(maxs)) + mins.tobytes() + maxs.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Peaks:
        """Read what `to_bytes` wrote; ValueError for anything else (a damaged or foreign cache file)."""
        if len(data) < _HEADER.size:
            raise ValueError("too short for waveform peaks")
        magic, rate, count = _HEADER.unpack_from(data)
        if magic != _MAGIC or rate <= 0 or len(data) != _HEADER.size + 8 * count:
            raise ValueError("not waveform peaks")
        mins, maxs = array("f"), array("f")
        mins.frombytes(data[_HEADER.size : _HEADER.size + 4 * count])
        maxs.frombytes(data[_HEADER.size + 4 * count :])
        if sys.byteorder != "little":
            mins.byteswap()
            maxs.byteswap()
        return cls(rate, mins, maxs)


def peaks(path: Path, *, buckets_per_second: int = BUCKETS_PER_SECOND, sample_rate: int = PEAK_RATE) -> Peaks:
    """Min/max peaks of the sound of `path` (its first audio stream, mixed to mono) on its take's clock, to the
    sound's end. CPU work: call it off the GUI thread. Raises MediaUnreadable for a file without sound or one that
    cannot be decoded."""
    if buckets_per_second <= 0 or sample_rate < buckets_per_second:
        raise ValueError("need at least one sample per bucket")
    decoded, first = _decode_mono(path, sample_rate)
    samples = np.frombuffer(decoded, dtype=np.float32)
    # samples from the take's zero to the first one decoded; a file without times is trusted to start there
    late = 0 if first is None else first - round(take_zero(path) * sample_rate)
    samples = np.concatenate([np.zeros(late, np.float32), samples]) if late > 0 else samples[-late:]
    count = -(-len(samples) * buckets_per_second // sample_rate)  # a last, partly filled bucket counts
    # integer bounds, so buckets never drift from the time they stand for, whatever the rates
    starts = np.arange(count, dtype=np.int64) * sample_rate // buckets_per_second
    mins = array("f", np.minimum.reduceat(samples, starts).tobytes()) if count else array("f")
    maxs = array("f", np.maximum.reduceat(samples, starts).tobytes()) if count else array("f")
    return Peaks(buckets_per_second, mins, maxs)


def _decode_mono(path: Path, sample_rate: int) -> tuple[array[float], int | None]:
    """The whole sound, and the file time of its first sample in samples (None: the file does not say). The
    resampler's frames carry their time in 1/`sample_rate`."""
    samples = array("f")
    times: list[int | None] = []

    def keep(out: av.AudioFrame) -> None:
        if out.samples:
            times.append(out.pts)
            samples.frombytes(bytes(out.planes[0])[: out.samples * 4])

    with open_media(path) as container:
        if not container.streams.audio:
            raise MediaUnreadable(f"{path.name} has no sound to draw.")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    keep(out)
            for out in resampler.resample(None):
                keep(out)
        except MediaError:
            raise
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(
                f"{path.name} is damaged and its sound cannot be read ({plain_reason(exc)})."
            ) from None
    return samples, times[0] if times else None


def _padded(values: array[float]) -> np.ndarray:
    """`values` with one silent bucket after the last, which columns past the end of the sound reduce to."""
    return np.append(np.frombuffer(values, dtype=np.float32), np.float32(0.0))
