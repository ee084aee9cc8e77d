"""A project budget stops paid jobs that would go past it, before anything is journaled or sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.errors import OverBudget
from shotline.core.model import GenerationSettings, Size
from shotline.core.ports import BackendKind, JobPhase, JobRecord
from shotline.services.budget import check_budget, spending
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.ledger import job_cost
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore


def _record(
    phase: JobPhase, *, estimated: str | None = "1.00", billed: str | None = None, provider: str = "p"
) -> JobRecord:
    return JobRecord(
        id=f"job-{phase}-{provider}",
        shot_id="s",
        backend="runway",
        model="gen4.5",
        request={},
        phase=phase,
        provider_job_id=provider,
        estimated_cost=None if estimated is None else Decimal(estimated),
        billed_cost=None if billed is None else Decimal(billed),
    )


def _cloud(_backend: str) -> BackendKind:
    return BackendKind.CLOUD


def _counts(record: JobRecord) -> Decimal:
    return job_cost(record, BackendKind.CLOUD).amount


def test_what_each_job_counts_against_the_budget() -> None:
    assert _counts(_record(JobPhase.ATTACHED, billed="0.60")) == Decimal("0.60")  # billed beats the estimate
    assert _counts(_record(JobPhase.SUBMITTED)) == Decimal("1.00")  # running: the estimate
    assert _counts(_record(JobPhase.UNCERTAIN, provider="")) == Decimal("1.00")  # may have started: counts
    assert _counts(_record(JobPhase.SENDING, provider="")) == Decimal("1.00")
    assert _counts(_record(JobPhase.FAILED, provider="")) == Decimal(0)  # refused before it was sent
    assert _counts(_record(JobPhase.FAILED)) == Decimal("1.00")  # failed at the provider: may be billed
    assert _counts(_record(JobPhase.ATTACHED, estimated=None)) == Decimal(0)  # no price known: counts nothing


def test_check_budget_allows_up_to_the_limit_and_not_a_cent_more() -> None:
    records = [_record(JobPhase.ATTACHED, billed="3.00")]
    check_budget(records, Decimal("5.00"), [Decimal("2.00")], _cloud)
    check_budget(records, None, [Decimal("100")], _cloud)
    check_budget(records, Decimal("1.00"), [None], _cloud)  # free or unknown adds nothing
    with pytest.raises(OverBudget, match=r"about \$2.01.*\$3.00 of the \$5.00 budget"):
        check_budget(records, Decimal("5.00"), [Decimal("2.01")], _cloud)
    assert spending(records, Decimal("5.00"), _cloud).left == Decimal("2.00")


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        yield opened


def test_an_over_budget_generate_journals_nothing(ctx: AppContext, session: ProjectSession) -> None:
    paid = GenerationSettings(backend="runway", model="gen4.5", duration_us=5_000_000)  # $0.12/s → $0.60 each
    shots = [add_shot(session, f"Harbour {n}", generation=paid).id for n in range(3)]
    session.execute(commands.set_project_settings(replace(session.project.settings, budget=Decimal("1.50"))))
    generation = GenerationService(ctx, session)

    with pytest.raises(OverBudget, match="Raise the project's budget"):
        generation.prepare(shots)
    assert session.journal.all() == []

    records = generation.prepare(shots[:2])  # $1.20 fits
    assert [r.estimated_cost for r in records] == [Decimal("0.60"), Decimal("0.60")]
    with pytest.raises(OverBudget):
        generation.prepare(shots[2:])  # the two journaled jobs count, though nothing was sent yet
    assert len(session.journal.all()) == 2
