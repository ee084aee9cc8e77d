"""Real exports for each preset, fit, codec and range, checked by decoding the result: frame size, where the
picture sits (bars, crop, pad), which codecs the file holds, and how long it is and what it shows."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core import edits
from shotline.core.errors import RenderFailed
from shotline.core.model import (
    Codec,
    ExportSettings,
    Fit,
    Project,
    ProjectSettings,
    Size,
    Transition,
    TransitionKind,
    Trim,
)
from shotline.media.plan import plan_export, shot_window
from shotline.media.render import ExportReport, render
from shotline.services.presets import PRESETS, ExportPreset, export_settings
from tests.clips import ffmpeg_exe, make_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg


def _export(project: Project, root: Path, out: Path, settings: ExportSettings) -> ExportReport:
    settings = replace(settings, preset="ultrafast", loudness_lufs=None)
    plan = plan_export(project, settings, root.joinpath)
    return asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath))


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="gray") for frame in container.decode(video=0)]


def _white(media: Path, size: tuple[int, int], seconds: float = 0.4, colour: str = "white", name: str = "") -> Path:
    return make_clip(
        media / f"{name or colour}-{size[0]}x{size[1]}.mp4",
        seconds=seconds,
        size=size,
        fps="25",
        colour=colour,
        audio=(48000, 2),
    )


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_each_preset_gives_its_frame_with_bars_where_the_shape_differs(
    preset: ExportPreset, media: Path, tmp_path: Path
) -> None:
    clip = _white(media, (320, 240), seconds=0.2)  # 4:3: bars on 16:9 sides, above and below on 9:16 and 1:1
    project = replace(
        project_of([(clip, None)], tmp_path), settings=ProjectSettings(size=Size(640, 480), fps=Fraction(25))
    )
    settings = export_settings(project, preset, fit=Fit.FIT)
    out = tmp_path / "film.mp4"
    _export(project, tmp_path, out, settings)
    frame = _frames(out)[0]
    width, height = (preset.size or Size(640, 480)).width, (preset.size or Size(640, 480)).height
    assert frame.shape == (height, width)
    centre = frame[height // 2, width // 2]
    assert centre > 200
    if width / height > 4 / 3:
        assert frame[height // 2, 2] < 30 and frame[2, width // 2] > 200  # pillarbox
    elif width / height < 4 / 3:
        assert frame[2, width // 2] < 30 and frame[height // 2, 2] > 200  # letterbox
    else:
        assert frame[2, 2] > 200  # same shape: edge to edge


@pytest.mark.parametrize(
    ("fit", "white_box"),
    [
        (Fit.FIT, (0, 180, 70, 250)),  # 160x160 scaled to 180x180, bars left and right
        (Fit.FILL, (0, 180, 0, 320)),  # scaled to cover: the whole frame
        (Fit.PAD, (10, 170, 80, 240)),  # its own 160x160, centred on black
    ],
)
def test_fit_fill_and_pad_place_the_picture(
    fit: Fit, white_box: tuple[int, int, int, int], media: Path, tmp_path: Path
) -> None:
    clip = _white(media, (160, 160))
    project = project_of([(clip, None)], tmp_path)
    out = tmp_path / "film.mp4"
    _export(project, tmp_path, out, ExportSettings(Size(320, 180), Fraction(25), fit=fit))
    frame = _frames(out)[3]
    top, bottom, left, right = white_box
    inside = frame[top + 2 : bottom - 2, left + 2 : right - 2]
    assert inside.min() > 200, fit
    outside = np.ones(frame.shape, bool)
    outside[max(top - 2, 0) : bottom + 2, max(left - 2, 0) : right + 2] = False
    assert not outside.any() or frame[outside].max() < 30, fit


@pytest.mark.parametrize(
    ("codec", "name", "video", "audio", "pixels"),
    [
        (Codec.H265, "film.mp4", "hevc", "aac", "yuv420p"),
        (Codec.PRORES, "film.mov", "prores", "pcm_s16le", "yuv422p10le"),
        (Codec.WAV, "film.wav", None, "pcm_s24le", None),
        (Codec.M4A, "film.m4a", None, "aac", None),
    ],
)
def test_codecs_write_the_streams_they_promise(
    codec: Codec, name: str, video: str | None, audio: str, pixels: str | None, media: Path, tmp_path: Path
) -> None:
    clip = _white(media, (320, 180))
    project = project_of([(clip, None)], tmp_path)
    out = tmp_path / name
    report = _export(project, tmp_path, out, ExportSettings(Size(320, 180), Fraction(25), codec=codec))
    with av.open(str(out)) as container:
        assert [s.codec_context.name for s in container.streams.video] == ([video] if video else [])
        (sound,) = container.streams.audio
        assert sound.codec_context.name == audio and sound.rate == 48000 and sound.channels == 2
        if pixels:
            assert container.streams.video[0].codec_context.pix_fmt == pixels
        if codec is Codec.H265:
            assert container.streams.video[0].codec_context.codec_tag == "hvc1"
        seconds = float(container.duration or 0) / 1e6
    assert abs(seconds - 0.4) <= 0.05
    assert report.encoder == {Codec.H265: "libx265", Codec.PRORES: "prores_ks"}.get(codec, audio)


def test_a_name_that_does_not_fit_the_codec_is_refused_before_anything_runs(media: Path, tmp_path: Path) -> None:
    project = project_of([(_white(media, (320, 180)), None)], tmp_path)
    with pytest.raises(RenderFailed, match=r"film\.mp4 cannot hold ProRes 422: use a file ending in \.mov"):
        _export(
            project, tmp_path, tmp_path / "film.mp4", ExportSettings(Size(320, 180), Fraction(25), codec=Codec.PRORES)
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def _three_colours(media: Path, tmp_path: Path) -> Project:
    clips = [_white(media, (320, 180), seconds=1.0, colour=c) for c in ("red", "green", "blue")]
    project = project_of([(clip, None) for clip in clips], tmp_path)
    first = project.shots[0]
    return edits.with_shot(
        project, first.id, lambda s: replace(s, transition_out=Transition(TransitionKind.CROSSFADE, 400_000))
    )


def _colour(frame: np.ndarray) -> str:
    r, g, b = (float(frame[60:120, 120:200, i].mean()) for i in range(3))
    return max((r, "red"), (g, "green"), (b, "blue"))[1]


def _rgb(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_one_shot_exports_that_shot_alone(media: Path, tmp_path: Path) -> None:
    project = _three_colours(media, tmp_path)
    window = shot_window(project, project.shots[1].id)
    out = tmp_path / "shot2.mp4"
    _export(project, tmp_path, out, ExportSettings(Size(320, 180), Fraction(25), range=window))
    frames = _rgb(out)
    assert len(frames) == 25  # the whole second of shot 2, nothing of its crossfading neighbour
    assert {_colour(f) for f in frames} == {"green"}
    with av.open(str(out)) as container:
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    assert abs(sound.shape[1] / 48000 - 1.0) <= 0.03


def test_a_range_starts_and_ends_where_asked(media: Path, tmp_path: Path) -> None:
    project = _three_colours(media, tmp_path)  # red 0–1 s, green 0.6–1.6 s (crossfade 0.6–1.0), blue 1.6–2.6 s
    out = tmp_path / "range.mp4"
    _export(project, tmp_path, out, ExportSettings(Size(320, 180), Fraction(25), range=Trim(200_000, 2_000_000)))
    frames = _rgb(out)
    assert len(frames) == 45
    colours = [_colour(f) for f in frames]
    assert colours[:10] == ["red"] * 10  # 0.2–0.6 s: red alone
    assert colours[21:35] == ["green"] * 14  # 1.04–1.6 s: green alone
    assert colours[35:] == ["blue"] * 10  # 1.6–2.0 s: blue, cut short at the range's end
