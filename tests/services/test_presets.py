"""Export presets: each one turns into the ExportSettings a creator expects for a given project."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shotline.core.model import ExportSettings, Project, ProjectSettings, Size
from shotline.services.presets import PRESETS, export_settings, preset_named


def _project(size: Size, fps: Fraction, sample_rate: int = 44_100) -> Project:
    return Project(id="p", title="t", settings=ProjectSettings(size=size, fps=fps, sample_rate=sample_rate))


@pytest.mark.parametrize(
    ("name", "size"),
    [("1080p 16:9", Size(1920, 1080)), ("1080×1920 9:16", Size(1080, 1920)), ("1080×1080 1:1", Size(1080, 1080))],
)
def test_fixed_size_presets_keep_the_project_rate_and_quality(name: str, size: Size) -> None:
    project = _project(Size(640, 360), Fraction(30000, 1001))
    settings = export_settings(preset_named(name), project)
    default = ExportSettings(size=size, fps=Fraction(30000, 1001))
    assert settings.size == size and settings.fps == Fraction(30000, 1001) and settings.sample_rate == 44_100
    assert (settings.crf, settings.preset) == (default.crf, default.preset)


def test_source_is_the_project_frame() -> None:
    project = _project(Size(1280, 544), Fraction(25))
    settings = export_settings(preset_named("Source"), project)
    assert (settings.size, settings.fps) == (Size(1280, 544), Fraction(25))


def test_draft_is_720p_faster_and_lighter() -> None:
    project = _project(Size(3840, 2160), Fraction(24))
    draft = export_settings(preset_named("720p draft"), project)
    full = export_settings(preset_named("Source"), project)
    assert draft.size == Size(1280, 720)
    assert draft.preset == "veryfast" and draft.crf == 26 and draft.crf > full.crf


def test_the_list_is_the_issue_list_with_unique_names() -> None:
    names = [preset.name for preset in PRESETS]
    assert names == ["Source", "1080p 16:9", "1080×1920 9:16", "1080×1080 1:1", "720p draft"]
    assert all(p.size is None or (p.size.width % 2 == 0 and p.size.height % 2 == 0) for p in PRESETS)
    with pytest.raises(KeyError):
        preset_named("8K")
