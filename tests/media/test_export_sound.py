"""End-to-end exports measured like a viewer would: loudness by an independent meter, beeps and flashes where the
timeline puts them after trims, a reorder and a crossfade, a crossfade's midpoint blending both pictures and both
sounds, and a cancel in the first pass leaving nothing behind."""

from __future__ import annotations

import asyncio
import itertools
import re
import subprocess
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core import edits
from shotline.core.model import ExportSettings, Project, Size, Transition, TransitionKind, Trim
from shotline.core.timeline import film_frames, layout
from shotline.media.plan import RenderPlan, plan_export
from shotline.media.process import ProcessRegistry
from shotline.media.render import ExportReport, render, with_loudness
from tests.clips import ffmpeg_exe, flash_frame, make_clip
from tests.media.sound import tone_clip, tone_db
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

FPS = Fraction(30)
SIZE = Size(320, 180)
FRAME_S = 1 / 30
METER = ("-filter_complex", "ebur128=peak=true", "-f", "null", "-")


def _export(project: Project, root: Path, out: Path, **settings: object) -> tuple[RenderPlan, ExportReport]:
    chosen = replace(ExportSettings(SIZE, FPS, preset="ultrafast"), **settings)  # type: ignore[arg-type]
    plan = plan_export(project, chosen, root.joinpath)
    report = asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath))
    if report.route == "lossless":
        return plan, asyncio.run(with_loudness(report, ffmpeg=Path(ffmpeg_exe())))
    assert report.loudness is not None, "an encoded sound is measured as it is encoded, on the encoded sound"
    assert asyncio.run(with_loudness(report, ffmpeg=Path(ffmpeg_exe()))) == report, "so it is not measured again"
    return plan, report


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's ebur128 meter: a second, independent opinion."""
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), *METER],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])  # type: ignore[index]
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.inf]+) dBFS", summary)[1])  # type: ignore[index]
    return integrated, peak


def _sound(path: Path) -> tuple[np.ndarray, int]:
    """The export's sound as float samples (channels × samples) and its rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
    return np.concatenate(chunks, axis=1), rate


def _onsets(path: Path) -> list[float]:
    samples, rate = _sound(path)
    loud = np.flatnonzero(np.abs(samples).max(axis=0) > 0.1)
    onsets = [loud[0]] if loud.size else []
    onsets += [b for a, b in itertools.pairwise(loud) if b - a > rate // 5]
    return [i / rate for i in onsets]


def _luma(path: Path) -> list[float]:
    """Mean brightness of each frame's centre."""
    with av.open(str(path)) as container:
        return [float(f.to_ndarray(format="gray")[60:120, 120:200].mean()) for f in container.decode(video=0)]


@pytest.mark.parametrize("target", [-14.0, -23.0])
def test_loudness_lands_on_the_target_under_the_ceiling(tmp_path: Path, target: float) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clips = [
        tone_clip(media / "quiet.mp4", hz=440, seconds=1.5, amplitude=0.05),
        tone_clip(media / "loud.mp4", hz=880, seconds=1.5, amplitude=0.6),
    ]
    project = project_of([(clip, None) for clip in clips], tmp_path)
    out = tmp_path / "film.mp4"
    _, report = _export(project, tmp_path, out, loudness_lufs=target)
    integrated, peak = ebur128(out)
    assert abs(integrated - target) <= 0.5, integrated
    assert peak <= -1.0, peak
    assert report.loudness is not None and abs(report.loudness.integrated_lufs - integrated) <= 0.3
    assert report.route == "copy picture" and report.encoder == "stream copy", "only the sound needed work"
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_loudness_off_keeps_the_mix_level(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip = tone_clip(media / "t.mp4", hz=440, seconds=2, amplitude=0.1)
    out = tmp_path / "film.mp4"
    _, report = _export(project_of([(clip, None)], tmp_path), tmp_path, out, loudness_lufs=None)
    samples, rate = _sound(out)
    level = tone_db(samples[:, rate // 2 : rate].T, rate, 440)
    assert abs(level - 20 * np.log10(0.1 / np.sqrt(2))) <= 0.5  # untouched: the source's own level
    assert report.loudness is not None and report.loudness.integrated_lufs < -18


def _beeping(media: Path, name: str, beep_at: float, seconds: float = 2.0) -> Path:
    at = float(flash_frame(beep_at, "30") / Fraction(30))
    return make_clip(
        media / f"{name}.mp4", seconds=seconds, size=(320, 180), fps="30", audio=(48000, 2), beep_at=at, flash_at=at
    )


def test_beeps_and_flashes_land_where_the_timeline_puts_them(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    beeps = {"a": 0.5, "b": 1.2, "c": 0.9}
    clips = [_beeping(media, name, at) for name, at in beeps.items()]
    project = project_of(
        [(clips[0], Trim(200_000, 1_800_000)), (clips[1], Trim(500_000, 2_000_000)), (clips[2], None)], tmp_path
    )
    a, _, c = project.shots
    project = edits.move_shot(project, c.id, 0)  # c, a, b
    project = edits.with_shot(
        project, a.id, lambda s: replace(s, transition_out=Transition(TransitionKind.CROSSFADE, 400_000))
    )
    expected = []
    for placement in layout(project):
        beep = beeps[placement.shot.title]
        assert placement.take is not None
        expected.append((placement.start_us - 0) / 1e6 + beep - placement.take.trim.in_us / 1e6)
    assert layout(project)[2].start_us == 2_000_000 + 1_600_000 - 400_000  # the crossfade pulls b earlier

    out = tmp_path / "film.mp4"
    plan, _ = _export(project, tmp_path, out, loudness_lufs=None)

    onsets = _onsets(out)
    assert len(onsets) == 3, onsets
    for got, want in zip(onsets, expected, strict=True):
        assert abs(got - want) <= FRAME_S, (onsets, expected)
    luma = _luma(out)
    assert len(luma) == plan.frames == film_frames(project, FPS)
    flashes = [i / 30 for i, (x, y) in enumerate(itertools.pairwise([0.0, *luma])) if y > 128 >= x]
    assert len(flashes) == 3, flashes
    for got, want in zip(flashes, expected, strict=True):
        assert abs(got - want) <= FRAME_S + 1e-6, (flashes, expected)


def test_a_crossfade_blends_both_pictures_and_both_sounds_at_its_midpoint(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    black = tone_clip(media / "black.mp4", hz=440, seconds=1.0, amplitude=0.25)
    white = tone_clip(media / "white.mp4", hz=1000, seconds=1.0, amplitude=0.25)
    # tone_clip draws a test pattern; repaint the pictures black and white with the same sound
    for path, colour in ((black, "black"), (white, "white")):
        painted = path.with_name(f"{colour}-painted.mp4")
        subprocess.run(
            [
                *(ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path)),
                *("-f", "lavfi", "-i", f"color=c={colour}:s=320x180:r=30:d=1", "-map", "1:v", "-map", "0:a"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "copy", "-t", "1"),
                str(painted),
            ],
            check=True,
            timeout=60,
        )
        painted.replace(path)
    project = project_of([(black, None), (white, None)], tmp_path)
    first = project.shots[0]
    project = edits.with_shot(
        project, first.id, lambda s: replace(s, transition_out=Transition(TransitionKind.CROSSFADE, 400_000))
    )
    out = tmp_path / "film.mp4"
    plan, _ = _export(project, tmp_path, out, loudness_lufs=None)

    assert plan.frames == 48 and plan.segments[1].crossfade_in_frames == 12
    luma = _luma(out)
    assert len(luma) == 48
    assert max(luma[:18]) < 30 and min(luma[30:]) > 220  # black before the crossfade, white after it
    assert 100 < luma[24] < 150, luma[18:30]  # the midpoint: half of each, mid-grey
    assert all(b >= a - 1 for a, b in itertools.pairwise(luma[17:31]))  # it brightens steadily

    samples, rate = _sound(out)
    sound = samples.T
    alone = {
        440: tone_db(sound[rate // 10 : rate // 2], rate, 440),
        1000: tone_db(sound[rate : 3 * rate // 2], rate, 1000),
    }
    # 0.7–0.9 s: symmetric about the middle of the overlap (0.6–1.0 s), where equal-power fades average to half power
    middle = sound[7 * rate // 10 : 9 * rate // 10]
    for hz, level in alone.items():
        assert abs(tone_db(middle, rate, hz) - (level - 3.0)) <= 1.0, hz


def test_cancel_in_the_first_pass_leaves_nothing(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip = make_clip(media / "a.mp4", seconds=3, size=(320, 180), audio=(48000, 2))
    project = project_of([(clip, None)], tmp_path)
    plan = plan_export(project, ExportSettings(SIZE, FPS), tmp_path.joinpath)
    out = tmp_path / "film.mp4"
    registry = ProcessRegistry()

    async def scenario() -> None:
        task = asyncio.create_task(
            render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=tmp_path.joinpath, registry=registry)
        )
        while not len(registry) and not task.done():
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert len(registry) == 0


def test_a_repeated_shot_plays_twice_in_picture_and_sound(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip = _beeping(media, "a", 0.5, seconds=1.0)
    project = project_of([(clip, None)], tmp_path)
    project = replace(project, shots=(project.shots[0], replace(project.shots[0], id="again")))
    out = tmp_path / "film.mp4"
    plan, _ = _export(project, tmp_path, out, loudness_lufs=None)
    assert [round(t, 2) for t in _onsets(out)] == [0.5, 1.5]
    assert len(_luma(out)) == plan.frames == 60
