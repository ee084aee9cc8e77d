"""Play an `AudioMix` in Python (pydub + numpy), for quick previews and short renders without an ffmpeg process.

The same mix as `audio_graph` renders with ffmpeg, sample for sample: each sound decoded by `pcm.decode` at its
in point and exact length, its gain, the same fade curves as ffmpeg's afade ("tri", "qsin"), the same ducking
envelope held over the same blocks, summed at its first output sample. The sum is done in float with numpy,
because pydub's overlay places sounds only to the millisecond and saturates 16-bit sums at every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shotline.media.mix import DUCK_BLOCK_SAMPLES, AudioMix, Curve, Ducking, Sound
from shotline.media.pcm import SAMPLE_WIDTH, AudioSegment, Decoded, decode

_FULL_SCALE = float(1 << (8 * SAMPLE_WIDTH - 1))
_DECODED, _SHAPED = 0.7, 0.9
"""How far into a sound's share of the work its decode and then its gain, fades and ducking take it (summing it into
the mix takes the rest), as timed on a 4-minute stem: told as such, the bar moves through each step of a long sound."""


SoundMixed = Callable[[Sound, float], None]
"""Told how far into each sound the mix is (below 1 as it decodes, after each decoded frame; exactly 1 once the sound
is in the mix), on the mixing thread: a long mix's progress, and its place to stop (an exception raised there ends
the mix)."""


def render_mix(mix: AudioMix, mixed: SoundMixed | None = None) -> AudioSegment:
    """The mix as a 16-bit AudioSegment exactly `mix.samples` long (a sum past full scale is clipped)."""
    total = np.zeros((mix.samples, mix.channels), np.float64)
    for sound in mix.sounds:
        first, last = max(sound.start_sample, 0), min(sound.end_sample, mix.samples)
        if last > first:
            decoded = None if mixed is None else functools.partial(_decoding, mixed, sound)
            played = _played(sound, mix, decoded)
            if mixed is not None:
                mixed(sound, _SHAPED)
            total[first:last] += played[first - sound.start_sample : last - sound.start_sample]
        if mixed is not None:
            mixed(sound, 1.0)
    # in place: a second array the size of a long mix costs more than the arithmetic (page faults on fresh memory; the
    # conversion of a 4-minute stem took 3.3 s with new arrays, 0.5 s without)
    np.multiply(total, _FULL_SCALE, out=total)
    np.rint(total, out=total)  # what np.round does, to the nearest even on a tie
    np.clip(total, -_FULL_SCALE, _FULL_SCALE - 1, out=total)
    pcm = total.astype(np.int16)
    return AudioSegment(
        data=pcm.tobytes(), sample_width=SAMPLE_WIDTH, frame_rate=mix.sample_rate, channels=mix.channels
    )


def write_wav(mix: AudioMix, path: Path, mixed: SoundMixed | None = None) -> Path:
    """Render `mix` to a 16-bit WAV at `path` (pydub writes WAV itself; no ffmpeg runs)."""
    # pydub hands back the file it wrote, still open: close it now, before the caller renames it (Windows refuses
    # to rename an open file)
    render_mix(mix, mixed).export(str(path), format="wav").close()
    return path


def _decoding(mixed: SoundMixed, sound: Sound, fraction: float) -> None:
    mixed(sound, fraction * _DECODED)


def _played(sound: Sound, mix: AudioMix, decoded: Decoded | None = None) -> np.ndarray:
    """One sound as float samples (samples, channels), with gain, fades and ducking applied."""
    duration_us = round(sound.samples * 1_000_000 / mix.sample_rate)
    segment = decode(
        sound.source,
        start_us=sound.source_in_us,
        duration_us=duration_us,
        sample_rate=mix.sample_rate,
        channels=mix.channels,
        decoded=decoded,
    )
    raw = np.frombuffer(segment.raw_data, np.int16).reshape(-1, mix.channels)
    # decode rounds the length from µs; the sound's own sample count is the exact one
    samples = np.zeros((sound.samples, mix.channels), np.float64)
    kept = min(len(raw), sound.samples)
    np.divide(raw[:kept], _FULL_SCALE, out=samples[:kept])  # in place, as the mix's conversion is
    gain = np.full(sound.samples, 10 ** (sound.gain_db / 20))
    if sound.fade_in_samples > 0:
        n = sound.fade_in_samples
        gain[:n] *= fade_gain(sound.fade_in_curve, np.arange(n), n)
    if sound.fade_out_samples > 0:
        n = sound.fade_out_samples
        gain[sound.samples - n :] *= fade_gain(sound.fade_out_curve, n - np.arange(n), n)
    if sound.duck is not None:
        gain *= duck_gain(sound.duck, sound.start_sample, sound.samples)
    samples *= gain[:, None]
    return samples


def fade_gain(curve: Curve, index: np.ndarray, length: int) -> np.ndarray:
    """ffmpeg afade's gain at sample `index` of a `length`-sample fade (0 silent, `length` full)."""
    position: np.ndarray = np.clip(index / length, 0.0, 1.0)
    if curve == "qsin":
        curved: np.ndarray = np.sin(position * np.pi / 2)
        return curved
    return position


def duck_gain(duck: Ducking, start_sample: int, samples: int) -> np.ndarray:
    """A sound's ducking gain: `Ducking.depth` at each block's centre (as if whole), held over the block."""
    gain = np.empty(samples)
    for block in range(0, samples, DUCK_BLOCK_SAMPLES):
        depth = duck.depth(start_sample + block + DUCK_BLOCK_SAMPLES / 2)
        gain[block : block + DUCK_BLOCK_SAMPLES] = 10 ** (duck.amount_db * depth / 20)
    return gain
