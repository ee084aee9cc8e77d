"""One shot on several models, planned: a job per pair with what its model makes and costs, checked as a whole
before anything is journaled or sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.errors import InputRejected, OverBudget
from shotline.core.model import GenerationSettings, Size
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.ledger import Basis
from shotline.services.session import ProjectSession
from shotline.services.try_on import Pair, plan_try_on
from shotline.storage.secrets import MemorySecretStore

RUNWAY = Pair("runway", "gen4.5")
KLING = Pair("fal", "kling-3-standard")


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        yield opened


def _shot(session: ProjectSession, seconds: int = 5) -> str:
    settings = GenerationSettings(backend="animatic", model="card", duration_us=seconds * 1_000_000)
    return add_shot(session, "A lighthouse at dawn", generation=settings).id


def test_each_pair_is_one_job_with_its_models_length_and_estimate(ctx: AppContext, session: ProjectSession) -> None:
    shot = _shot(session, seconds=4)  # Gen-4.5 makes 2–10 s, Kling 3 makes 3–15 s: both make 4 s
    generation = GenerationService(ctx, session)

    trying = plan_try_on(ctx, session, generation, shot, [RUNWAY, KLING, Pair("animatic", "card")])

    assert [(r.backend, r.model, r.shot_id) for r in trying.records] == [
        ("runway", "gen4.5", shot),
        ("fal", "kling-3-standard", shot),
        ("animatic", "card", shot),
    ]
    assert len({r.id for r in trying.records}) == 3
    assert [t.describe() for t in trying.trials] == [
        "Runway · Gen-4.5: a 4 s clip at 16:9 · ≈ $0.48",
        "fal.ai · Kling 3.0 Standard: a 4 s clip at 16:9 · ≈ $0.50",
        "Animatic (offline) · Title card: a 4 s clip at 16:9 · free",
    ]
    assert trying.total.text() == "≈ $0.98" and trying.total.basis is Basis.ESTIMATE
    assert session.journal.all() == []  # planned only: nothing is written until the creator agrees


def test_a_try_on_the_budget_cannot_hold_is_refused_whole(ctx: AppContext, session: ProjectSession) -> None:
    shot = _shot(session)
    session.execute(commands.set_project_settings(replace(session.project.settings, budget=Decimal("1.00"))))
    generation = GenerationService(ctx, session)
    plan_try_on(ctx, session, generation, shot, [RUNWAY, Pair("animatic")])  # $0.60 alone fits

    with pytest.raises(OverBudget):  # $0.60 + $0.63 does not: neither pair goes
        plan_try_on(ctx, session, generation, shot, [RUNWAY, KLING])
    assert session.journal.all() == []


@pytest.mark.parametrize(
    ("pairs", "said"),
    [
        ([RUNWAY, RUNWAY], r"runway/gen4\.5 is given twice"),
        ([Pair("runway"), RUNWAY], r"runway/gen4\.5 is given twice"),  # the backend's default model is Gen-4.5
        ([RUNWAY], "2 to 4 backend/model pairs at once, not 1"),
        ([RUNWAY, KLING, Pair("animatic", "card"), Pair("fal", "kling-3-pro"), Pair("fal", "veo3")], "not 5"),
        ([RUNWAY, Pair("fal", "kling-9")], "fal.ai has no model 'kling-9'"),
    ],
)
def test_pairs_that_would_pay_twice_or_cannot_be_sent_are_refused(
    ctx: AppContext, session: ProjectSession, pairs: list[Pair], said: str
) -> None:
    shot = _shot(session)
    with pytest.raises(InputRejected, match=said):
        plan_try_on(ctx, session, GenerationService(ctx, session), shot, pairs)


def test_a_pair_is_written_backend_slash_model() -> None:
    assert Pair.parse("runway/gen4.5") == RUNWAY
    assert Pair.parse(" fal ") == Pair("fal", "")
    with pytest.raises(InputRejected, match=r"like runway/gen4\.5"):
        Pair.parse("/gen4.5")
