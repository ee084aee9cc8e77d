"""A sound's loudness, measured once, and a mix's loudness foretold from it without playing the mix.

`measure_levels` decodes a file's sound on its take's clock (`media.clock`, as the export hears it) at the mix's
rate and layout and keeps, per 10 ms cell, what EBU R128 integrates (the K-weighted energy, channels summed) and the
loudest sample. It is measured once, when the file comes into a project, and cached (`services.take_loudness`).

`foretell` sums those cells over an `AudioMix` (each sound's cells at its place, scaled by its gain, fades and
ducking; sounds that overlap add their energies, as uncorrelated sounds do) into R128's 400 ms blocks at 100 ms
steps, gated as R128 gates them (−70 LUFS, then 10 LU under the mean). That is the mix's integrated loudness to
within a few tenths of a LU, enough to choose the gain before anything is encoded: the export then encodes once,
and the meter (`media.loudness.meter`) measures what was encoded, which is what the creator is shown and what
decides whether another encode is needed (`media.soundtrack`). The peak is foretold as an upper bound on the
sample peak; the gap to the true peak is the soundtrack's to allow for.
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np

from shotline.core.errors import MediaError, MediaUnreadable, plain_reason
from shotline.core.model import MAX_LENGTH_US
from shotline.media.clock import take_zero
from shotline.media.mix import AudioMix, Sound
from shotline.media.mixdown import fade_gain
from shotline.media.probe import open_media

CELLS_PER_SECOND = 100
"""10 ms cells: a sound is placed to within 5 ms of where the mix plays it, which moves no block's loudness."""
BLOCK_CELLS, STEP_CELLS = 40, 10
"""R128's gating blocks: 400 ms, one every 100 ms."""
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
_OFFSET = -0.691
"""BS.1770's constant between the K-weighted mean square (in dB) and LUFS."""
_MAGIC = b"SLLEVEL1"
_HEADER = struct.Struct("<8sIII")
MOST_BYTES = _HEADER.size + 8 * CELLS_PER_SECOND * (MAX_LENGTH_US // 1_000_000 + 1)
"""The most a file of cells can hold: the longest media Shotline takes. A cache file is read no further (one a
hand-made project folder holds under a cached name may be any size)."""
_CHUNK = 1 << 19
_TAIL = 1 << 15
"""The K-weighting is applied in the frequency domain over chunks padded with 0.7 s: its response has died away by
then (the 38 Hz high-pass is the slowest part), so the chunks add up to the filter run over the whole sound."""


@dataclass(frozen=True, slots=True, eq=False)
class SoundLevels:
    """Per 10 ms cell from the take's zero: the K-weighted mean square (channels summed) and the loudest sample."""

    sample_rate: int
    channels: int
    energy: np.ndarray
    peak: np.ndarray

    def __len__(self) -> int:
        return len(self.energy)

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(_MAGIC, self.sample_rate, self.channels, len(self))
        return header + _little(self.energy).tobytes() + _little(self.peak).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> SoundLevels:
        """Read what `to_bytes` wrote; ValueError for anything else (a damaged or foreign cache file)."""
        if len(data) < _HEADER.size:
            raise ValueError("too short for sound levels")
        magic, rate, channels, count = _HEADER.unpack_from(data)
        if magic != _MAGIC or rate <= 0 or channels <= 0 or len(data) != _HEADER.size + 8 * count:
            raise ValueError("not sound levels")
        cells = np.frombuffer(data, dtype="<f4", offset=_HEADER.size).astype(np.float64)
        return cls(rate, channels, cells[:count], cells[count:])


def measure_levels(path: Path, sample_rate: int, channels: int) -> SoundLevels:
    """`path`'s sound as a mix at `sample_rate` with `channels` hears it, cell by cell. CPU work: call it off the GUI
    thread. Raises MediaUnreadable for a file without sound or one that cannot be decoded."""
    samples = _decoded(path, sample_rate, channels)
    cell = sample_rate // CELLS_PER_SECOND
    count = -(-len(samples) // cell)
    padded = np.zeros((count * cell, channels))
    padded[: len(samples)] = samples
    weighted = _k_weighted(padded, sample_rate)
    energy = (weighted**2).sum(axis=1).reshape(count, cell).mean(axis=1)
    peak = np.abs(padded).max(axis=1).reshape(count, cell).max(axis=1) if count else np.zeros(0)
    return SoundLevels(sample_rate, channels, energy, peak)


@dataclass(frozen=True, slots=True)
class Foretold:
    """A mix's loudness as its sounds' levels foretell it: integrated (LUFS) and an upper bound on its sample peak
    (dBFS)."""

    integrated_lufs: float
    peak_db: float


def foretell(mix: AudioMix, levels_of: Callable[[Path], SoundLevels]) -> Foretold:
    """The loudness of `mix` from its sounds' levels (`levels_of(source)`, measured at the mix's rate and layout)."""
    cell = mix.sample_rate // CELLS_PER_SECOND
    cells = -(-mix.samples // cell)
    energy, peak = np.zeros(cells), np.zeros(cells)
    for sound in mix.sounds:
        if sound.samples > 0:
            _place(sound, levels_of(sound.source), mix, cell, energy, peak)
    blocks = _blocks(energy)
    loud = blocks[blocks > _energy(ABSOLUTE_GATE_LUFS)]
    if not len(loud):
        return Foretold(-math.inf, _db(float(peak.max(initial=0.0))))
    gate = _energy(_lufs(float(loud.mean())) + RELATIVE_GATE_LU)
    return Foretold(_lufs(float(loud[loud > gate].mean())), _db(float(peak.max(initial=0.0))))


def _place(sound: Sound, levels: SoundLevels, mix: AudioMix, cell: int, energy: np.ndarray, peak: np.ndarray) -> None:
    """Add `sound`'s cells at its place in the mix, with its gain, fades and ducking at each cell's middle."""
    first = round(sound.start_sample / cell)
    count = min(round(sound.samples / cell), len(energy) - first)
    source = round(sound.source_in_us * CELLS_PER_SECOND / 1_000_000)
    if count <= 0:
        return
    taken = max(0, min(count, len(levels) - source))
    own_energy, own_peak = np.zeros(count), np.zeros(count)
    own_energy[:taken] = levels.energy[source : source + taken]
    own_peak[:taken] = levels.peak[source : source + taken]
    middles = np.arange(count) * cell + cell // 2  # samples into the sound
    gain = np.full(count, 10 ** (sound.gain_db / 20))
    if sound.fade_in_samples > 0:
        gain *= fade_gain(sound.fade_in_curve, middles, sound.fade_in_samples)
    if sound.fade_out_samples > 0:
        gain *= fade_gain(sound.fade_out_curve, sound.samples - middles, sound.fade_out_samples)
    if sound.duck is not None:
        depths = np.array([sound.duck.depth(float(sound.start_sample + middle)) for middle in middles])
        gain *= 10 ** (sound.duck.amount_db * depths / 20)
    energy[first : first + count] += own_energy * gain**2
    peak[first : first + count] += own_peak * gain  # peaks may meet: their sum bounds the mix's


def _blocks(energy: np.ndarray) -> np.ndarray:
    """The mean energy of each whole 400 ms block, one every 100 ms."""
    if len(energy) < BLOCK_CELLS:
        return np.zeros(0)
    running = np.concatenate([[0.0], np.cumsum(energy)])
    starts = np.arange(0, len(energy) - BLOCK_CELLS + 1, STEP_CELLS)
    blocks: np.ndarray = (running[starts + BLOCK_CELLS] - running[starts]) / BLOCK_CELLS
    return blocks


def _energy(lufs: float) -> float:
    return 10 ** ((lufs - _OFFSET) / 10)


def _lufs(energy: float) -> float:
    return _OFFSET + 10 * math.log10(energy) if energy > 0 else -math.inf


def _db(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else -math.inf


def k_filter(sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """BS.1770's K-weighting (its high shelf, then its high-pass) at `sample_rate`, as (b, a) of one filter; the
    two stages are designed at any rate as libebur128 and ffmpeg's ebur128 design them."""
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array([(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0])
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    pass_b = np.array([1.0, -2.0, 1.0])
    pass_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return np.convolve(shelf_b, pass_b), np.convolve(shelf_a, pass_a)


def _k_weighted(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """`samples` (frames, channels) through the K-weighting, by overlap-add in the frequency domain (numpy has no
    recursive filter, and this is as exact: see `_TAIL`)."""
    b, a = k_filter(sample_rate)
    size = _CHUNK + _TAIL
    z = np.exp(-1j * np.pi * np.arange(size // 2 + 1) / (size // 2))  # e^{-jw} at each bin
    response = np.polyval(b[::-1], z) / np.polyval(a[::-1], z)
    out = np.zeros((len(samples) + size, samples.shape[1]))
    for start in range(0, len(samples), _CHUNK):
        spectrum = np.fft.rfft(samples[start : start + _CHUNK], size, axis=0)
        out[start : start + size] += np.fft.irfft(spectrum * response[:, None], size, axis=0)
    return out[: len(samples)]


def _decoded(path: Path, sample_rate: int, channels: int) -> np.ndarray:
    """The whole sound as (frames, channels) floats from the take's zero: silence before a late first sample, sound
    before the zero cut, as the export's mix places it."""
    layout = {1: "mono", 2: "stereo"}[channels]
    parts: list[np.ndarray] = []
    first: int | None = None
    with open_media(path) as container:
        if not container.streams.audio:
            raise MediaUnreadable(f"{path.name} has no sound to measure.")
        resampler = av.AudioResampler(format="flt", layout=layout, rate=sample_rate)
        try:
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    first = out.pts if first is None else first
                    parts.append(_interleaved(out, channels))
            for out in resampler.resample(None):
                first = out.pts if first is None else first
                parts.append(_interleaved(out, channels))
        except MediaError:
            raise
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(
                f"{path.name} is damaged and its sound cannot be read ({plain_reason(exc)})."
            ) from None
    samples = np.concatenate(parts) if parts else np.zeros((0, channels), np.float32)
    # the resampler's frames carry their time in 1/sample_rate; a file without times is trusted to start at zero
    late = 0 if first is None else first - round(take_zero(path) * sample_rate)
    if late > 0:
        return np.concatenate([np.zeros((late, channels), np.float32), samples])
    return samples[-late:]


def _interleaved(frame: av.AudioFrame, channels: int) -> np.ndarray:
    data = np.frombuffer(bytes(frame.planes[0])[: frame.samples * 4 * channels], dtype=np.float32)
    return data.reshape(-1, channels)


def _little(values: np.ndarray) -> np.ndarray:
    cells = values.astype(np.float32)
    return cells.byteswap() if sys.byteorder != "little" else cells
