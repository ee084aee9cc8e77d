"""Which path an export will take (copy everything, copy the picture, or re-encode) and why, and snapping cuts to
keyframes so it can copy.

The CLI asks `route`; the export dialog asks `start_route` whenever a choice or the project changes, off the GUI
thread, because the first look at new takes reads their files (slow on a busy machine).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shotline.core import commands
from shotline.core.errors import ShotlineError
from shotline.core.model import ExportSettings, Project
from shotline.jobs.runner import JobHandle
from shotline.media.lossless import ROUTE_NAMES, RouteDecision, decide, snap_suggestions
from shotline.media.plan import plan_export
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession

__all__ = ["ROUTE_NAMES", "SNAP_LABEL", "RouteDecision", "SnapResult", "route", "snap_cuts_to_keyframes", "start_route"]

SNAP_LABEL = "Snap cuts to keyframes"


@dataclass(frozen=True, slots=True)
class SnapResult:
    """How many shots' trims moved, and the shots left as they were (each with why)."""

    changed: int
    skipped: tuple[str, ...]


def route(session: ProjectSession, settings: ExportSettings) -> RouteDecision:
    """Plan the export with `settings` and decide its path; a timeline that cannot be planned says why instead."""
    return _route_of(session.project, session.bundle.resolve, settings)


def start_route(ctx: AppContext, session: ProjectSession, settings: ExportSettings) -> JobHandle[RouteDecision]:
    """`route` on the runner's thread pool, for the project as it is now. Call on the thread that owns the session."""
    project, resolve = session.project, session.bundle.resolve
    return ctx.runner.submit(asyncio.to_thread(_route_of, project, resolve, settings))


def _route_of(project: Project, resolve: Callable[[str], Path], settings: ExportSettings) -> RouteDecision:
    try:
        plan = plan_export(project, settings, resolve)
    except ShotlineError as exc:
        return RouteDecision("re-encode", (str(exc),))
    return decide(project, plan)


def snap_cuts_to_keyframes(session: ProjectSession) -> SnapResult:
    """Move every shot's in point to the next keyframe and its out point to the previous one (or keep the clip's
    end), as one undoable step. Nothing changes, and no step is recorded, when every cut is already on one."""
    suggestions = snap_suggestions(session.project, session.bundle.resolve)
    if suggestions.changes:
        with session.history.transaction(SNAP_LABEL):
            for change in suggestions.changes:
                session.execute(
                    commands.trim_shot(change.shot_id, change.new.in_us, change.new.out_us, take_id=change.take_id)
                )
    return SnapResult(len(suggestions.changes), suggestions.skipped)
