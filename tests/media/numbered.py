"""Clips whose frames say which they are, and sound that says where it is: for tests that compare an export (or a
thumbnail, or a preview mix) with its source frame by frame and sample by sample.

A *numbered* clip carries each frame's number in its picture: `BITS` blocks across the top half, white for a 1 bit
and black for a 0, which survive lossy compression, scaling and colour conversion. Its bottom half is one grey per
scene: two lavfi sources joined by a hard cut at `cut_frame` (dark before, light after). Its sound, when asked for,
is silence with a 1 kHz tone burst at a chosen time of the sound's own, so cross-correlation finds where the sound
went; `delay` starts the sound that much after the picture (ffmpeg's `-itsoffset`), and the sound may run longer or
shorter than the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tests.clips import run

BITS = 10
"""Frame numbers 0 … 1023."""
H264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
MPEG2 = ("-c:v", "mpeg2video", "-q:v", "4", "-g", "12", "-bf", "2")
"""MPEG-2 in open GOPs of 12 with B-frames, as DVDs and MPEG-PS camcorders write it."""
BURST_HZ = 1000
BURST_SECONDS = 0.05
_DARK, _LIGHT = 64, 192


@dataclass(frozen=True, slots=True)
class Sound:
    """A sound track for a numbered clip: `seconds` long, a tone burst `burst_at` seconds into it, starting `delay`
    seconds after the picture (negative: before it)."""

    seconds: float
    burst_at: float
    delay: float = 0.0
    rate: int = 48000
    codec: str = "aac"


def numbered_clip(
    path: Path,
    *,
    frames: int,
    fps: str = "25",
    size: tuple[int, int] = (160, 90),
    cut_frame: int | None = None,
    codec: Sequence[str] = H264,
    sound: Sound | None = None,
    output: Sequence[str] = (),
) -> Path:
    """Write a numbered clip of `frames` frames at `fps` to `path` (its container from the suffix, or `output`
    options such as `-f vob`), encoded with `codec` (the video encoder's options)."""
    rate = Fraction(fps)
    scenes = [(0, frames if cut_frame is None else cut_frame, _DARK)]
    if cut_frame is not None:
        scenes.append((cut_frame, frames - cut_frame, _LIGHT))
    argv: list[str] = []
    for first, count, grey in scenes:
        argv += ["-f", "lavfi", "-i", _scene(first, count, grey, rate, size)]
    if sound is not None:
        if sound.delay:
            argv += ["-itsoffset", f"{sound.delay:.6f}"]
        argv += ["-f", "lavfi", "-i", _burst(sound)]
    joined = "".join(f"[{index}:v]" for index in range(len(scenes)))
    graph = f"{joined}concat=n={len(scenes)}:v=1:a=0,format=yuv420p[v]"
    argv += ["-filter_complex", graph, "-map", "[v]"]
    if sound is not None:
        argv += ["-map", f"{len(scenes)}:a", "-c:a", sound.codec]
    run([*argv, *codec, *output, str(path)])
    return path


def _scene(first: int, count: int, grey: int, fps: Fraction, size: tuple[int, int]) -> str:
    width, height = size
    bit = f"bitand(floor((N+{first})/pow(2,floor(X*{BITS}/W))),1)"
    lum = f"if(lt(Y,H/2),255*{bit},{grey})"
    seconds = float((count + 1) / fps)  # a frame more than needed; `trim` keeps exactly `count`
    return (
        f"color=black:size={width}x{height}:rate={fps.numerator}/{fps.denominator}:duration={seconds:.6f},"
        f"format=gray,geq=lum='{lum}',trim=end_frame={count}"
    )


def _burst(sound: Sound) -> str:
    start, end = sound.burst_at, sound.burst_at + BURST_SECONDS
    wave = f"if(between(t,{start},{end}),0.8*sin(2*PI*{BURST_HZ}*(t-{start})),0)"
    return f"aevalsrc='{wave}|{wave}':s={sound.rate}:d={sound.seconds}"


def frame_number(gray: np.ndarray) -> int:
    """The number a numbered frame (its luma plane, at any size) carries."""
    height, width = gray.shape
    row = gray[height // 4]
    bits = [int(row[int((index + 0.5) * width / BITS)] > 128) for index in range(BITS)]
    return sum(bit << index for index, bit in enumerate(bits))


def scene(gray: np.ndarray) -> str:
    """ "A" before the clip's hard cut, "B" after it."""
    height = gray.shape[0]
    return "B" if float(gray[3 * height // 4 :].mean()) > 128 else "A"


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame of a numbered clip: when it starts (seconds, the file's own time), its number and scene."""

    time: float
    number: int
    scene: str


def frames_of(path: Path) -> list[Frame]:
    """Every frame of `path`'s picture, in presentation order."""
    found = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            gray = frame.to_ndarray(format="gray")
            found.append(Frame(float(frame.time or 0.0), frame_number(gray), scene(gray)))
    return found


def burst_template(rate: int) -> np.ndarray:
    times = np.arange(round(BURST_SECONDS * rate)) / rate
    template: np.ndarray = np.sin(2 * np.pi * BURST_HZ * times)
    return template


def burst_time(samples: np.ndarray, rate: int) -> float:
    """Where the tone burst starts in `samples` (first channel), in seconds from the first sample: the lag at which
    it matches the burst best, by cross-correlation."""
    mono = samples[:, 0] if samples.ndim == 2 else samples
    template = burst_template(rate)
    size = 1 << int(np.ceil(np.log2(len(mono) + len(template))))
    spectrum = np.fft.rfft(mono, size) * np.conj(np.fft.rfft(template, size))
    correlation = np.fft.irfft(spectrum, size)[: len(mono)]
    return float(np.argmax(correlation)) / rate


def shift_picture(source: Path, dest: Path, seconds: float) -> Path:
    """A copy of `source` (packets unchanged) whose picture starts `seconds` later than its sound: in an MP4 the
    muxer writes the gap as an empty edit in the picture's edit list."""
    inputs = ["-itsoffset", f"{seconds:.6f}", "-i", str(source), "-i", str(source)]
    run([*inputs, "-map", "0:v", "-map", "1:a?", "-c", "copy", str(dest)])
    return dest


def burst_in_source(path: Path) -> float:
    """Where the burst is on `path`'s take clock (seconds after its first picture frame), read from the file's own
    timestamps: when its first sound sample is due, plus where the burst sits in the decoded sound. Containers that
    cannot store a sound's delay or an encoder's priming (AVI) move the burst; this is where a player hears it."""
    with av.open(str(path)) as container:
        first_frame = next(container.decode(video=0))
        picture = float(first_frame.time or 0.0)
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="dbl", layout="mono", rate=stream.rate)
        chunks: list[np.ndarray] = []
        start: float | None = None
        for frame in container.decode(stream):
            if start is None:
                start = float(frame.time or 0.0)
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
        rate = int(stream.rate)
    return (start or 0.0) + burst_time(np.concatenate(chunks), rate) - picture


def copy_from(source: Path, dest: Path, seconds: float) -> Path:
    """A stream copy of `source` from `seconds` on, as `ffmpeg -ss … -c copy` makes one: it starts at the keyframe
    before and, in an MP4, its edit list hides the frames up to `seconds`."""
    run(["-ss", f"{seconds:.6f}", "-i", str(source), "-c", "copy", str(dest)])
    return dest
