"""Must-show: mixed clips (sizes, rates incl. 29.97 and VFR, portrait, mono/stereo, silent) export into one MP4
whose picture and sound stay together: every flash and its beep land on the same frame, where the plan says."""

from __future__ import annotations

import asyncio
import itertools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core.model import ExportSettings, Project, Size, Trim
from shotline.media.plan import RenderPlan, plan_export
from shotline.media.render import render
from tests.clips import ffmpeg_exe, flash_frame, make_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

FPS = Fraction(30)
SIZE = Size(320, 180)
# name, seconds, size, fps, audio, flash_at, trim (µs) or None, extra make_clip options
CLIPS = [
    ("a24", 2.0, (320, 240), "24", (48000, 2), 1.0, (500_000, 1_750_000), {}),
    ("b25portrait", 1.5, (240, 320), "25", (44100, 1), 0.6, None, {}),
    ("c30silent", 1.5, (320, 180), "30", None, 0.5, (200_000, 1_200_000), {}),
    ("d2997rotated", 1.5, (320, 240), "30000/1001", (48000, 2), 0.7, (300_000, 1_300_000), {"rotate": 90}),
    ("evfr", 2.0, (320, 240), "30", (44100, 1), 1.4, (400_000, 1_900_000), {"vfr": True}),
]


def _make(tmp_path: Path) -> tuple[Project, RenderPlan, list[float]]:
    """The clips, the plan, and where each flash should land in the export (seconds)."""
    media = tmp_path / "media"
    media.mkdir()
    made = []
    for name, seconds, size, fps, audio, flash_at, trim, extra in CLIPS:
        flash_time = flash_frame(flash_at, fps) / Fraction(fps)
        path = make_clip(
            media / f"{name}.mp4",
            seconds=seconds,
            size=size,
            fps=fps,
            audio=audio,
            flash_at=flash_at,
            beep_at=float(flash_time),
            **extra,
        )
        made.append((path, Trim(*trim) if trim else None, flash_time))
    project = project_of([(p, t) for p, t, _ in made], tmp_path)
    plan = plan_export(
        project, ExportSettings(size=SIZE, fps=FPS, preset="ultrafast", loudness_lufs=None), lambda rel: tmp_path / rel
    )
    expected = [
        float(Fraction(seg.start_frame) / FPS + flash_time - Fraction(seg.trim.in_us, 1_000_000))
        for seg, (_, _, flash_time) in zip(plan.segments, made, strict=True)
    ]
    return project, plan, expected


def _flash_times(path: Path) -> tuple[list[float], int, tuple[int, int], Fraction]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate
        size = (stream.width, stream.height)
        times, count, previous = [], 0, False
        for frame in container.decode(stream):
            bright = frame.to_ndarray(format="gray")[:, 140:180].mean() > 128  # the centre: portrait clips have bars
            if bright and not previous:
                times.append(float(frame.time))
            previous = bright
            count += 1
    return times, count, size, Fraction(rate)


def _beep_onsets(path: Path) -> tuple[list[float], int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate, channels = stream.rate, stream.channels
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
    samples = np.concatenate(chunks, axis=1)  # planar float: channels × samples
    loud = np.flatnonzero(np.abs(samples).max(axis=0) > 0.1)
    onsets = [loud[0]] if loud.size else []
    onsets += [b for a, b in itertools.pairwise(loud) if b - a > rate // 5]
    return [i / rate for i in onsets], rate, channels, samples.shape[1] / rate


def test_mixed_clips_export_in_sync(tmp_path: Path) -> None:
    project, plan, expected_flashes = _make(tmp_path)
    out = tmp_path / "export.mp4"
    seen: list[float] = []
    asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=tmp_path.joinpath, progress=seen.append))

    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
    flashes, frame_count, size, rate = _flash_times(out)
    onsets, sample_rate, channels, audio_seconds = _beep_onsets(out)
    frame = 1 / float(FPS)

    assert size == (SIZE.width, SIZE.height) and rate == FPS
    assert (sample_rate, channels) == (48000, 2)
    total_trims = sum(seg.trim.duration_us for seg in plan.segments) / 1e6
    assert frame_count == plan.frames == round(total_trims * FPS)
    assert abs(frame_count * frame - total_trims) <= frame
    assert abs(audio_seconds - total_trims) <= frame

    assert len(flashes) == len(CLIPS)
    for got, want in zip(flashes, expected_flashes, strict=True):
        assert abs(got - want) <= frame + 1e-6, (flashes, expected_flashes)
    with_sound = [f for f, clip in zip(flashes, CLIPS, strict=True) if clip[4] is not None]
    assert len(onsets) == len(with_sound), (onsets, with_sound)
    planned = [want for want, clip in zip(expected_flashes, CLIPS, strict=True) if clip[4] is not None]
    for flash, onset, want in zip(with_sound, onsets, planned, strict=True):
        assert abs(flash - onset) <= frame, (with_sound, onsets)
        assert abs(onset - want) <= 0.005, (onsets, planned)  # sound lands where the plan says, to the millisecond
    assert seen and seen[-1] == 1.0
