"""The demo project: a short film script from resources/, rendered with the offline animatic backend."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from shotline.core.model import GenerationSettings, Size
from shotline.core.ports import ProgressSink
from shotline.core.timecode import seconds_to_us
from shotline.resources import resource
from shotline.services.context import AppContext
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.session import ProjectSession


def open_or_create_demo(ctx: AppContext, path: Path, progress: ProgressSink | None = None) -> ProjectSession:
    """Open the demo at `path` (creating it from the script if absent) and render any shot that has no take."""
    session = ProjectSession.open(path) if path.exists() else _create(path)
    try:
        _render_missing_takes(ctx, session, progress)
    except BaseException:
        session.close()
        raise
    return session


def _create(path: Path) -> ProjectSession:
    script = json.loads(resource("demo", "demo.json").read_text(encoding="utf-8"))
    session = ProjectSession.create(
        path, title=script["title"], size=Size.parse(script["size"]), fps=Fraction(str(script["fps"]))
    )
    with session.history.transaction("Create demo shots"):
        for shot in script["shots"]:
            settings = GenerationSettings(backend="animatic", duration_us=seconds_to_us(str(shot["duration"])))
            add_shot(session, shot["prompt"], title=shot["title"], generation=settings)
    session.save()
    return session


def _render_missing_takes(ctx: AppContext, session: ProjectSession, progress: ProgressSink | None) -> None:
    """Finish jobs an earlier, interrupted demo left behind, then render shots that still have no take."""
    generation = GenerationService(ctx, session)
    unfinished = generation.unfinished()
    pending = {record.shot_id for record in unfinished}
    shots = [shot.id for shot in session.project.shots if not shot.takes and shot.id not in pending]
    records = unfinished + generation.prepare(shots)
    if not records:
        return
    done: dict[str, float] = {}

    def job_progress(job_id: str, fraction: float) -> None:
        done[job_id] = fraction
        if progress:
            progress(sum(done.values()) / len(records))

    for job in generation.run(records, job_progress):
        generation.attach(job.handle.result())
    session.save()
