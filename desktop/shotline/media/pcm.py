"""Decode a file's sound into a pydub AudioSegment with PyAV, to the exact sample (no ffmpeg or ffprobe process).

Everything Shotline mixes in Python (previews, short renders) starts here, so the rules are strict: the sound is
converted to signed 16-bit interleaved PCM at the asked rate and channel count, times are on the take's clock (time
0 is the first picture frame, or the first sound sample of a file without picture: `media.clock`, the same clock the
export cuts on), and the result holds exactly the asked number of samples — silence fills any part past the end of
the file or before its first sound (sound that starts 67 ms after the picture is heard 67 ms after it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np

from shotline.core.errors import MediaUnreadable, plain_reason
from shotline.core.timecode import US_PER_SECOND
from shotline.media.clock import opened_before, take_zero

with warnings.catch_warnings():
    # pydub looks for ffmpeg on PATH at import time and warns when it is not there; decoding here never needs it
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)  # pydub imports audioop, deprecated in 3.11+
    from pydub import AudioSegment

__all__ = ["SAMPLE_WIDTH", "AudioSegment", "decode", "samples_in"]

Decoded = Callable[[float], None]
"""Told how far a decode is (0 to 1 of the samples asked for), after each decoded frame, on the decoding thread: a
long sound's progress, and its place to stop (an exception raised there ends the decode)."""

SAMPLE_WIDTH = 2
"""Bytes per sample: s16, the format pydub handles natively."""
_LAYOUTS = {1: "mono", 2: "stereo"}


def samples_in(duration_us: int, sample_rate: int) -> int:
    """The number of samples that `duration_us` spans at `sample_rate` (nearest whole sample)."""
    return round(Fraction(duration_us) * sample_rate / US_PER_SECOND)


def decode(
    path: Path,
    *,
    start_us: int = 0,
    duration_us: int | None = None,
    sample_rate: int = 48_000,
    channels: int = 2,
    decoded: Decoded | None = None,
) -> AudioSegment:
    """The sound of `path` from `start_us` (on its take's clock) for `duration_us` (None: to the end of the file).

    Exactly `samples_in(duration_us, sample_rate)` samples long, padded with silence past the end of the file.
    Raises MediaMissing / MediaUnreadable (a file without sound, or one that cannot be decoded). `decoded` is told
    after each decoded frame how far it is.
    """
    if channels not in _LAYOUTS:
        raise ValueError(f"Shotline mixes mono or stereo sound, not {channels} channels")
    if start_us < 0 or (duration_us is not None and duration_us < 0):
        raise ValueError("A decode needs a start and a length of zero or more")
    wanted = None if duration_us is None else samples_in(duration_us, sample_rate)
    pcm = _decode_pcm(path, start_us, wanted, sample_rate, channels, decoded)
    return AudioSegment(data=pcm.tobytes(), sample_width=SAMPLE_WIDTH, frame_rate=sample_rate, channels=channels)


def _decode_pcm(
    path: Path, start_us: int, wanted: int | None, sample_rate: int, channels: int, decoded: Decoded | None
) -> np.ndarray:
    """Interleaved int16 samples, shape (samples, channels)."""
    zero = take_zero(path)
    first = samples_in(start_us, sample_rate)
    try:
        # placed before the first sample wanted (a seek can land after it), so decoding forward and cutting is exact
        with opened_before(path, "audio", zero + Fraction(start_us, US_PER_SECOND)) as container:
            if not container.streams.audio:
                raise MediaUnreadable(f"{path.name} has no sound; give the lane a file with sound in it.")
            stream = container.streams.audio[0]
            chunks, at = _read(container, stream, zero, wanted, first, sample_rate, channels, decoded)
    except av.error.FFmpegError as exc:
        raise MediaUnreadable(f"{path.name} is damaged and its sound cannot be played ({plain_reason(exc)}).") from None
    return _exact(chunks, at, first, wanted, channels)


def _read(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    zero_time: Fraction,
    wanted: int | None,
    first: int,
    sample_rate: int,
    channels: int,
    decoded: Decoded | None = None,
) -> tuple[list[np.ndarray], int | None]:
    """Decode from where the container stands until `wanted` samples past `first` are in hand.

    Returns the chunks and the output sample (counted from the take's zero, file time `zero_time`) at which the
    first chunk begins.
    """
    resampler = av.AudioResampler(format="s16", layout=_LAYOUTS[channels], rate=sample_rate)
    zero = round(zero_time * sample_rate)
    chunks: list[np.ndarray] = []
    at: int | None = None
    end = None if wanted is None else first + wanted
    kept = 0  # samples in `chunks`, counted as they come (summing the list each frame is quadratic)
    for frame in _frames(container, stream):
        for out in resampler.resample(frame):
            at = _keep(out, chunks, at, zero, sample_rate, channels)
            kept += out.samples
        if end is not None and at is not None and at + kept >= end:
            return chunks, at
        if decoded is not None and wanted and at is not None and at + kept > first:  # not while reaching the start
            decoded(min((at + kept - first) / wanted, 1.0))
    for out in resampler.resample(None):
        at = _keep(out, chunks, at, zero, sample_rate, channels)
    return chunks, at


def _frames(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> Iterator[av.AudioFrame]:
    """The decoded sound from where the container stands. A seek in a file without an index (MPEG-PS/TS) can land
    inside a packet, which then does not decode: until the first frame decodes such packets are skipped (as ffmpeg
    does); after it, a packet that does not decode means the file is damaged."""
    started = False
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            if started:
                raise
            continue
        for frame in frames:
            if isinstance(frame, av.AudioFrame):
                started = True
                yield frame


def _keep(
    frame: av.AudioFrame, chunks: list[np.ndarray], at: int | None, zero: int, sample_rate: int, channels: int
) -> int | None:
    if frame.samples == 0:
        return at
    if at is None:
        # the resampler's frames carry pts in 1/sample_rate; where a file lacks pts, trust the seek
        at = (frame.pts - zero) if frame.pts is not None else 0
    chunks.append(frame.to_ndarray().reshape(-1, channels))
    return at


def _exact(chunks: list[np.ndarray], at: int | None, first: int, wanted: int | None, channels: int) -> np.ndarray:
    """Cut or pad the decoded run (which starts at sample `at`) to [first, first + wanted)."""
    decoded = np.concatenate(chunks) if chunks else np.zeros((0, channels), np.int16)
    at = first if at is None else at
    if at > first:  # the sound starts late (e.g. an audio stream that begins after the video): silence first
        decoded = np.concatenate([np.zeros((at - first, channels), np.int16), decoded])
    else:
        decoded = decoded[first - at :]
    if wanted is None:
        return np.ascontiguousarray(decoded)
    if len(decoded) < wanted:
        decoded = np.concatenate([decoded, np.zeros((wanted - len(decoded), channels), np.int16)])
    return np.ascontiguousarray(decoded[:wanted])
