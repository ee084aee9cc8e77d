"""How a take is labelled when takes are compared: backend and model by name, cost, and how long its job took."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shotline.core.model import GenerationRecord, MediaInfo, Origin, Take, Trim
from shotline.core.ports import JobPhase, JobRecord
from shotline.services.context import AppContext, open_context
from shotline.services.take_caption import take_caption
from shotline.storage.secrets import MemorySecretStore

START = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


def _take(record: GenerationRecord | None, origin: Origin = Origin.GENERATED, source: str = "") -> Take:
    info = MediaInfo(duration_us=4_000_000, has_video=True, has_audio=False)
    return Take("t", "media/abc.mp4", origin, info, Trim(0, 4_000_000), record, source)


def _job(**changes: object) -> JobRecord:
    base = JobRecord(
        id="j",
        shot_id="s",
        backend="runway",
        model="gen4_turbo",
        request={},
        phase=JobPhase.ATTACHED,
        created_at=START.isoformat(),
        updated_at=(START + timedelta(minutes=1, seconds=12)).isoformat(),
    )
    return base.with_(**changes)


def test_a_generated_take_names_its_backend_model_cost_and_time(ctx: AppContext) -> None:
    record = GenerationRecord("j", "runway", "gen4_turbo", estimated_cost=Decimal("0.50"))
    caption = take_caption(ctx, _take(record), 2, _job())
    assert caption.title == "Take 2 · Runway · Gen-4 Turbo (from an image)"
    assert caption.facts == "≈ $0.50 · not reported · made in 1:12"
    # the bill arrives on the job after the take: it wins over the estimate
    billed = take_caption(ctx, _take(record), 2, _job(billed_cost=Decimal("0.48")))
    assert billed.facts == "$0.48 billed · made in 1:12"


def test_without_its_job_or_while_it_works_the_time_is_not_made_up(ctx: AppContext) -> None:
    record = GenerationRecord("j", "runway", "gen4_turbo", billed_cost=Decimal("0.50"))
    assert take_caption(ctx, _take(record), 1, None).facts == "$0.50 billed · time taken not recorded"
    working = _job(phase=JobPhase.SUBMITTED)
    assert take_caption(ctx, _take(record), 1, working).facts == "$0.50 billed · time taken not recorded"


def test_offline_takes_are_free_and_unknown_backends_keep_their_ids(ctx: AppContext) -> None:
    animatic = GenerationRecord("j", "animatic", "card")
    caption = take_caption(ctx, _take(animatic), 3, _job(backend="animatic", model="card"))
    assert (caption.title, caption.facts) == ("Take 3 · Animatic (offline) · Title card", "free · made in 1:12")
    gone = GenerationRecord("j", "plugin-x", "m1")
    caption = take_caption(ctx, _take(gone), 1, None)
    assert (caption.title, caption.facts) == ("Take 1 · plugin-x · m1", "cost unknown · time taken not recorded")


def test_an_imported_take_says_so_and_names_its_file(ctx: AppContext) -> None:
    caption = take_caption(ctx, _take(None, Origin.IMPORTED, "beach.mov"), 4, None)
    assert (caption.title, caption.facts) == ("Take 4 · imported", "from beach.mov · no generation cost")
