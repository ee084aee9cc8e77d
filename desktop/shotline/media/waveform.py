"""Waveform peaks of a sound: the lowest and highest sample in each short bucket of time, for drawing.

The sound is decoded with PyAV, mixed down to mono at a low rate (`PEAK_RATE`: plenty to see a waveform, and a
3-minute song decodes in well under a second of resampling work) and reduced to min/max per bucket. The result is a
small, exact-size value that survives a round trip through bytes, so it can be cached on disk.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

import av
import av.error

from shotline.core.errors import MediaError, MediaUnreadable
from shotline.media.probe import open_media

BUCKETS_PER_SECOND = 100
PEAK_RATE = 8000
"""Samples per second the peaks are taken from; a 1 kHz beep still shows at full height."""
_MAGIC = b"SLPEAKS1"
_HEADER = struct.Struct("<8sII")


@dataclass(frozen=True, slots=True, eq=False)
class Peaks:
    """Per bucket of 1/`buckets_per_second` s from the file's start: the lowest and highest sample, in -1…1."""

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

    def columns(self, in_us: int, out_us: int, count: int) -> list[tuple[float, float]]:
        """`count` (min, max) pairs spanning source time [in_us, out_us): each covers the buckets under its slice,
        or the one bucket under it when slices are narrower than buckets. Past the end of the sound: silence."""
        if count <= 0 or out_us <= in_us:
            return []
        span = out_us - in_us
        result = []
        for column in range(count):
            first = self.bucket_at(in_us + span * column // count)
            last = max(first + 1, self.bucket_at(in_us + span * (column + 1) // count))
            lows, highs = self.mins[first:last], self.maxs[first:last]
            result.append((min(lows), max(highs)) if highs else (0.0, 0.0))
        return result

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
    """Min/max peaks of the whole sound of `path` (its first audio stream, mixed to mono). CPU work: call it off
    the GUI thread. Raises MediaUnreadable for a file without sound or one that cannot be decoded."""
    if buckets_per_second <= 0 or sample_rate < buckets_per_second:
        raise ValueError("need at least one sample per bucket")
    samples = _decode_mono(path, sample_rate)
    mins, maxs = array("f"), array("f")
    count = -(-len(samples) * buckets_per_second // sample_rate)  # a last, partly filled bucket counts
    for index in range(count):
        # integer bounds, so buckets never drift from the time they stand for, whatever the rates
        chunk = samples[index * sample_rate // buckets_per_second : (index + 1) * sample_rate // buckets_per_second]
        mins.append(min(chunk) if chunk else 0.0)
        maxs.append(max(chunk) if chunk else 0.0)
    return Peaks(buckets_per_second, mins, maxs)


def _decode_mono(path: Path, sample_rate: int) -> array[float]:
    with open_media(path) as container:
        if not container.streams.audio:
            raise MediaUnreadable(f"{path.name} has no sound to draw.")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        samples = array("f")
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples.frombytes(bytes(out.planes[0])[: out.samples * 4])
            for out in resampler.resample(None):
                samples.frombytes(bytes(out.planes[0])[: out.samples * 4])
        except MediaError:
            raise
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(f"{path.name} is damaged and its sound cannot be read ({exc}).") from None
    return samples
