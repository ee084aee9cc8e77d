"""How a take introduces itself when takes are compared side by side: where it came from (the backend and model
that made it, or the file it was imported from), what it cost and how long it took to make.

The facts come from the take's own record of its request (kept in the project) and, when the project still has it,
its job in the journal: the billed cost arrives there, and the job's first and last writes say how long the
provider took. Qt-free, so the wording is tested without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from shotline.core.errors import ShotlineError
from shotline.core.model import Origin, Take
from shotline.core.ports import JobRecord
from shotline.services.context import AppContext
from shotline.services.jobs_view import (
    backend_kind,
    backend_name,
    elapsed_seconds,
    format_elapsed,
    is_finished,
)
from shotline.services.ledger import take_cost


@dataclass(frozen=True, slots=True)
class TakeCaption:
    title: str
    """ "Take 2 · Runway · Gen-4 Turbo", "Take 3 · imported"."""
    facts: str
    """ "$0.50 billed · made in 1:12", "from beach.mp4 · no generation cost"."""


def take_caption(ctx: AppContext, take: Take, number: int, job: JobRecord | None) -> TakeCaption:
    """The caption of `take`, the shot's take number `number`; `job` is its job record when the journal has it."""
    record = take.generation
    if take.origin is Origin.IMPORTED or record is None:
        source = take.source_name or PurePosixPath(take.media).name
        how = "imported" if take.origin is Origin.IMPORTED else "generated"
        facts = (
            f"from {source} · no generation cost"
            if take.origin is Origin.IMPORTED
            else "how it was made is not recorded"
        )
        return TakeCaption(f"Take {number} · {how}", facts)
    title = f"Take {number} · {backend_name(ctx, record.backend)} · {_model_label(ctx, record.backend, record.model)}"
    seconds = None
    if job is not None:
        # a finished job's time runs from its first journal write to its last; one still working has no time yet
        seconds = elapsed_seconds(job, datetime.now(UTC)) if is_finished(job) else None
    cost = take_cost(record, job, backend_kind(ctx, record.backend)).text()
    made = f"made in {format_elapsed(seconds)}" if seconds is not None else "time taken not recorded"
    return TakeCaption(title, f"{cost} · {made}")


def _model_label(ctx: AppContext, backend: str, model: str) -> str:
    try:
        info = ctx.registry.info(backend).model(model)
    except ShotlineError:
        return model or "default model"
    return info.label if info is not None else model
