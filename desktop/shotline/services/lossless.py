"""Which path an export will take (copy or re-encode) and why, and snapping cuts to keyframes so it can copy.

The export dialog and the CLI ask `route` whenever a choice changes; it reads only cached keyframe and stream
facts after the first call, so it is quick enough for that.
"""

from __future__ import annotations

from dataclasses import dataclass

from shotline.core import commands
from shotline.core.errors import ShotlineError
from shotline.core.model import ExportSettings
from shotline.media.lossless import RouteDecision, decide, snap_suggestions
from shotline.media.plan import plan_export
from shotline.services.session import ProjectSession

SNAP_LABEL = "Snap cuts to keyframes"


@dataclass(frozen=True, slots=True)
class SnapResult:
    """How many shots' trims moved, and the shots left as they were (each with why)."""

    changed: int
    skipped: tuple[str, ...]


def route(session: ProjectSession, settings: ExportSettings) -> RouteDecision:
    """Plan the export with `settings` and decide its path; a timeline that cannot be planned says why instead."""
    try:
        plan = plan_export(session.project, settings, session.bundle.resolve)
    except ShotlineError as exc:
        return RouteDecision(False, (str(exc),))
    return decide(session.project, plan)


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
