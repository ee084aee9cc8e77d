"""Export presets: the frame sizes a creator picks from (source, 16:9, 9:16, 1:1, a quick draft) as ExportSettings.

The presets and their conversion are pure; `plan_preset` only adds the project's file paths to make a RenderPlan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from shotline.core.model import ExportSettings, Project, Size
from shotline.media.plan import RenderPlan, plan_export
from shotline.services.session import ProjectSession


@dataclass(frozen=True, slots=True)
class ExportPreset:
    name: str
    size: Size | None = None
    """None: the project's own frame size."""
    fps: Fraction | None = None
    """None: the project's own frame rate."""
    crf: int | None = None
    """x264 quality (lower is better); None keeps the default."""
    speed: str | None = None
    """x264 preset ("veryfast" renders quicker, bigger file); None keeps the default."""
    description: str = ""


PRESETS: tuple[ExportPreset, ...] = (
    ExportPreset("Source", description="The project's own size and frame rate."),
    ExportPreset("1080p 16:9", Size(1920, 1080), description="Widescreen: YouTube, Vimeo, a TV."),
    ExportPreset("1080×1920 9:16", Size(1080, 1920), description="Vertical: Reels, Shorts, TikTok."),
    ExportPreset("1080×1080 1:1", Size(1080, 1080), description="Square: feeds."),
    ExportPreset(
        "720p draft", Size(1280, 720), crf=26, speed="veryfast", description="Quick to render, for a first look."
    ),
)


def preset_named(name: str) -> ExportPreset:
    for preset in PRESETS:
        if preset.name == name:
            return preset
    raise KeyError(name)


def export_settings(preset: ExportPreset, project: Project) -> ExportSettings:
    """The preset applied to the project: its size/fps where the preset leaves them open, its sample rate."""
    settings = ExportSettings.for_project(project, size=preset.size, fps=preset.fps)
    if preset.crf is not None:
        settings = replace(settings, crf=preset.crf)
    if preset.speed is not None:
        settings = replace(settings, preset=preset.speed)
    return settings


def plan_preset(session: ProjectSession, preset: ExportPreset) -> RenderPlan:
    """The render plan for the session's project with `preset`; raises EditError/MediaMissing as `plan` does."""
    return plan_export(session.project, export_settings(preset, session.project), session.bundle.resolve)
