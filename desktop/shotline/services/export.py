"""Export the timeline to one file, on the async runner, with progress and cancel; the report says what ran.

The project is captured when the export starts: edits made while it renders do not change the file being written.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

from shotline.core.errors import MediaError, RenderFailed
from shotline.core.model import Codec, ExportSettings, Project, Size, Trim
from shotline.core.ports import ProgressSink
from shotline.jobs.runner import JobHandle, throttled
from shotline.media.content_credentials import SigningIdentity
from shotline.media.mix import build_mix
from shotline.media.plan import RenderPlan, plan_export, shot_window
from shotline.media.render import ExportReport, render, with_loudness
from shotline.services.captions import check_caption_choices
from shotline.services.context import AppContext
from shotline.services.export_target import check_target
from shotline.services.media_files import check_lengths
from shotline.services.session import ProjectSession
from shotline.services.take_loudness import levels_finder

__all__ = ["ExportReport", "default_extension", "how_written", "plan", "shot_range", "start_export", "start_metering"]


def plan(
    session: ProjectSession,
    settings: ExportSettings | None = None,
    *,
    size: Size | None = None,
    fps: Fraction | None = None,
) -> RenderPlan:
    """The render plan of the session's project: with `settings`, or the project's own frame (size/fps override).

    Raises EditError / MediaMissing with a message for the creator when the timeline cannot be exported: a missing
    take or sound file is named now, before the plan is shown or anything is rendered."""
    if settings is None:
        settings = ExportSettings.for_project(session.project, size=size, fps=fps)
    check_caption_choices(session.project, settings)
    render_plan = plan_export(session.project, settings, session.bundle.resolve)
    build_mix(session.project, render_plan, session.bundle.resolve)  # checks every sound the export will play
    return render_plan


def shot_range(project: Project, shot_ref: str) -> Trim:
    """The export range that renders one shot (by id or 1-based position), whole and without its neighbours."""
    return shot_window(project, project.shot(shot_ref).id)


def default_extension(codec: Codec) -> str:
    """The usual file ending for `codec`, e.g. ".mp4" for H.264, ".mov" for ProRes, ".wav"."""
    return codec.extensions[0]


def start_export(
    ctx: AppContext,
    session: ProjectSession,
    render_plan: RenderPlan,
    output: Path,
    progress: ProgressSink | None = None,
    *,
    identity: SigningIdentity | None = None,
) -> JobHandle[ExportReport]:
    """Render `render_plan` to `output` on the runner, signed with a C2PA manifest when `identity` is given (see
    services.content_credentials). Call on the thread that owns the session.

    Raises TargetInUse for a file the project uses: whoever asked, an export never writes over one. Whether an
    existing file may be replaced is the caller's question (`check_target`), asked before the plan is shown."""
    check_target(session, output, replace=True)
    sink = throttled(progress) if progress else None
    project, bundle, target = session.project, session.bundle, output.resolve()

    async def checked_render() -> ExportReport:
        # each file holds what the project says it does before anything is rendered (it is read: off this thread)
        try:
            await asyncio.to_thread(check_lengths, project, bundle)
        except MediaError as error:
            raise RenderFailed(f"{target.name} was not made: {error}") from None
        return await render(
            project,
            render_plan,
            target,
            ffmpeg=ctx.ffmpeg,
            resolve=bundle.resolve,
            progress=sink,
            registry=ctx.processes,
            identity=identity,
            levels=levels_finder(bundle),
        )

    return ctx.runner.submit(checked_render())


HOW_WRITTEN = {"lossless": "copied losslessly", "copy picture": "picture copied, sound mixed and encoded"}
ENCODER_NAMES = {
    "libx264": "H.264",
    "libx265": "H.265",
    "prores_ks": "ProRes",
    "h264_nvenc": "H.264 on the NVIDIA graphics card",
    "hevc_nvenc": "H.265 on the NVIDIA graphics card",
    "h264_qsv": "H.264 on Intel Quick Sync",
    "hevc_qsv": "H.265 on Intel Quick Sync",
    "h264_vaapi": "H.264 on the graphics card",
    "hevc_vaapi": "H.265 on the graphics card",
    "h264_videotoolbox": "H.264 on the Mac's media engine",
    "hevc_videotoolbox": "H.265 on the Mac's media engine",
    "prores_videotoolbox": "ProRes on the Mac's media engine",
    "aac": "AAC",
    "pcm_s24le": "24-bit WAV",
}
"""The encoders an export may name, as a creator knows them (the report keeps ffmpeg's name)."""


def how_written(report: ExportReport) -> str:
    """How a finished export was written, in the creator's words: copied, or encoded as what (never 'libx264')."""
    if report.route in HOW_WRITTEN:
        return HOW_WRITTEN[report.route]
    return f"encoded as {ENCODER_NAMES.get(report.encoder, report.encoder)}"


def start_metering(ctx: AppContext, report: ExportReport) -> JobHandle[ExportReport]:
    """The finished file's loudness (EBU R128), on the runner: the report again, with `loudness` filled in.

    An encoded sound was measured as it was encoded; a lossless copy is measured now, in a step of its own after
    the export, so the file is there (and shown) as soon as it is written."""
    return ctx.runner.submit(with_loudness(report, ffmpeg=ctx.ffmpeg, registry=ctx.processes))
