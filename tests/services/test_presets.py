"""Export presets: each one turns into the ExportSettings a creator expects for a given project."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from shotline.core.model import (
    BROADCAST_LUFS,
    WEB_LUFS,
    Codec,
    ExportSettings,
    Fit,
    MediaInfo,
    Origin,
    Project,
    ProjectSettings,
    Shot,
    Size,
    Take,
    Transition,
    TransitionKind,
    Trim,
)
from shotline.services.export import default_extension, shot_range
from shotline.services.presets import PRESETS, export_settings, preset_named


def _project(size: Size, fps: Fraction, sample_rate: int = 44_100) -> Project:
    return Project(id="p", title="t", settings=ProjectSettings(size=size, fps=fps, sample_rate=sample_rate))


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("2160p 16:9", Size(3840, 2160)),
        ("1080p 16:9", Size(1920, 1080)),
        ("720p 16:9", Size(1280, 720)),
        ("1080×1920 9:16", Size(1080, 1920)),
        ("1080×1080 1:1", Size(1080, 1080)),
    ],
)
def test_fixed_size_presets_keep_the_project_rate_and_quality(name: str, size: Size) -> None:
    project = _project(Size(640, 360), Fraction(30000, 1001))
    settings = export_settings(project, preset_named(name))
    default = ExportSettings(size=size, fps=Fraction(30000, 1001))
    assert settings.size == size and settings.fps == Fraction(30000, 1001) and settings.sample_rate == 44_100
    assert (settings.crf, settings.preset) == (default.crf, default.preset)


def test_source_is_the_project_frame() -> None:
    project = _project(Size(1280, 544), Fraction(25))
    settings = export_settings(project, preset_named("Source"))
    assert (settings.size, settings.fps) == (Size(1280, 544), Fraction(25))


def test_draft_is_720p_faster_and_lighter() -> None:
    project = _project(Size(3840, 2160), Fraction(24))
    draft = export_settings(project, preset_named("720p draft"))
    full = export_settings(project, preset_named("Source"))
    assert draft.size == Size(1280, 720)
    assert draft.preset == "veryfast" and draft.crf == 26 and draft.crf > full.crf


def test_the_list_is_the_issue_list_with_unique_names() -> None:
    names = [preset.name for preset in PRESETS]
    assert names == [
        "Source",
        "2160p 16:9",
        "1080p 16:9",
        "720p 16:9",
        "1080×1920 9:16",
        "1080×1080 1:1",
        "720p draft",
    ]
    assert all(p.size is None or (p.size.width % 2 == 0 and p.size.height % 2 == 0) for p in PRESETS)
    with pytest.raises(KeyError):
        preset_named("8K")


def test_choices_are_separate_from_the_frame() -> None:
    project = _project(Size(640, 360), Fraction(25))
    window = Trim(1_000_000, 2_000_000)
    settings = export_settings(
        project,
        preset_named("1080×1920 9:16"),
        fit=Fit.FILL,
        codec=Codec.PRORES,
        loudness_lufs=BROADCAST_LUFS,
        range=window,
        lossless=False,
        hardware=True,
    )
    assert (settings.size, settings.fit, settings.codec) == (Size(1080, 1920), Fit.FILL, Codec.PRORES)
    assert (settings.loudness_lufs, settings.range, settings.lossless, settings.hardware) == (
        -23.0,
        window,
        False,
        True,
    )
    defaults = export_settings(project, preset_named("Source"))
    assert (defaults.fit, defaults.codec, defaults.loudness_lufs, defaults.range) == (
        Fit.FIT,
        Codec.H264,
        WEB_LUFS,
        None,
    )
    assert defaults.lossless and not defaults.hardware
    off = export_settings(project, preset_named("Source"), loudness_lufs=None)
    assert off.loudness_lufs is None


def test_default_extension_and_one_shot_range() -> None:
    assert [default_extension(c) for c in Codec] == [".mp4", ".mp4", ".mov", ".wav", ".m4a"]
    take = Take("t", "a.mp4", Origin.IMPORTED, MediaInfo(3_000_000, True, True), Trim(0, 2_000_000))
    shots = tuple(Shot(f"s{n}", "p", takes=(take,), picked_take_id="t") for n in range(3))
    shots = (replace(shots[0], transition_out=Transition(TransitionKind.CROSSFADE, 500_000)), *shots[1:])
    project = replace(_project(Size(640, 360), Fraction(25)), shots=shots)
    assert shot_range(project, "2") == Trim(1_500_000, 3_500_000)
    assert shot_range(project, "s2") == Trim(3_500_000, 5_500_000)
