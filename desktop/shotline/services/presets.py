"""Export presets: the frame sizes a creator picks from (source, 2160p/1080p/720p 16:9, 9:16, 1:1, a quick draft).

A preset is only a frame (and optionally quicker encoder settings); how the picture fits that frame, the codec,
the loudness target, the range and the lossless/hardware switches are chosen separately and combined by
`export_settings`. All pure; `plan_preset` only adds the project's file paths to make a RenderPlan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from shotline.core.caption_style import NO_CAPTIONS, CaptionExport
from shotline.core.model import WEB_LUFS, Codec, ExportSettings, Fit, Project, Size, Trim
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
    """Quality (lower is better); None keeps the default."""
    speed: str | None = None
    """Encoder preset ("veryfast" renders quicker, bigger file); None keeps the default."""
    description: str = ""


PRESETS: tuple[ExportPreset, ...] = (
    ExportPreset("Source", description="The project's own size and frame rate."),
    ExportPreset("2160p 16:9", Size(3840, 2160), description="4K widescreen: YouTube, a big TV."),
    ExportPreset("1080p 16:9", Size(1920, 1080), description="Widescreen: YouTube, Vimeo, a TV."),
    ExportPreset("720p 16:9", Size(1280, 720), description="Widescreen, smaller file."),
    ExportPreset("1080×1920 9:16", Size(1080, 1920), description="Vertical: Reels, Shorts, TikTok."),
    ExportPreset("1080×1080 1:1", Size(1080, 1080), description="Square: feeds."),
    ExportPreset(
        "720p draft", Size(1280, 720), crf=26, speed="veryfast", description="Quick to render, for a first look."
    ),
)

FITS: tuple[tuple[Fit, str], ...] = (
    (Fit.FIT, "Fit (bars where the shape differs)"),
    (Fit.FILL, "Fill (crop to the frame)"),
    (Fit.PAD, "Pad (own size, centred on black)"),
)
CODECS: tuple[tuple[Codec, str], ...] = (
    (Codec.H264, "H.264 (MP4)"),
    (Codec.H265, "H.265 (MP4)"),
    (Codec.PRORES, "ProRes 422 (MOV)"),
    (Codec.WAV, "Sound only: WAV"),
    (Codec.M4A, "Sound only: M4A (AAC)"),
)


def preset_named(name: str) -> ExportPreset:
    for preset in PRESETS:
        if preset.name == name:
            return preset
    raise KeyError(name)


def export_settings(
    project: Project,
    preset: ExportPreset,
    *,
    fit: Fit = Fit.FIT,
    codec: Codec = Codec.H264,
    loudness_lufs: float | None = WEB_LUFS,
    range: Trim | None = None,
    lossless: bool = True,
    hardware: bool = False,
    captions: CaptionExport = NO_CAPTIONS,
) -> ExportSettings:
    """The preset applied to the project (its size/fps where the preset leaves them open, its sample rate), with
    the creator's other choices. `range` is timeline time (see services.export.shot_range for one shot)."""
    settings = ExportSettings.for_project(project, size=preset.size, fps=preset.fps)
    settings = replace(
        settings,
        fit=fit,
        codec=codec,
        loudness_lufs=loudness_lufs,
        range=range,
        lossless=lossless,
        hardware=hardware,
        captions=captions,
    )
    if preset.crf is not None:
        settings = replace(settings, crf=preset.crf)
    if preset.speed is not None:
        settings = replace(settings, preset=preset.speed)
    return settings


def plan_preset(session: ProjectSession, preset: ExportPreset) -> RenderPlan:
    """The render plan for the session's project with `preset` and the default choices; raises EditError/
    MediaMissing as `plan_export` does. With other choices: `services.export.plan(session, export_settings(...))`."""
    return plan_export(session.project, export_settings(session.project, preset), session.bundle.resolve)
