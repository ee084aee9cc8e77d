"""Export the timeline to one video file, on the async runner, with progress and cancel."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from shotline.core.model import ExportSettings, Size
from shotline.core.ports import ProgressSink
from shotline.jobs.runner import JobHandle, throttled
from shotline.media.plan import RenderPlan, plan_export
from shotline.media.render import render
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession


def plan(session: ProjectSession, *, size: Size | None = None, fps: Fraction | None = None) -> RenderPlan:
    settings = ExportSettings.for_project(session.project, size=size, fps=fps)
    return plan_export(session.project, settings, session.bundle.resolve)


def start_export(
    ctx: AppContext, render_plan: RenderPlan, output: Path, progress: ProgressSink | None = None
) -> JobHandle[None]:
    sink = throttled(progress) if progress else None
    return ctx.runner.submit(
        render(render_plan, output.resolve(), ffmpeg=ctx.ffmpeg, progress=sink, registry=ctx.processes)
    )
