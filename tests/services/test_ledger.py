"""The ledger's one rule for a job's figure, how figures add up, and when a paid Generate asks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shotline.core.model import GenerationRecord
from shotline.core.ports import BackendKind, JobPhase, JobRecord
from shotline.services.ledger import (
    FREE,
    ask_above,
    estimate_cost,
    job_cost,
    needs_asking,
    spend_question,
    take_cost,
)
from shotline.storage.settings import _from_json

CLOUD = BackendKind.CLOUD


def _job(
    phase: JobPhase, *, estimated: str | None = "0.60", billed: str | None = None, provider: str = "p"
) -> JobRecord:
    return JobRecord(
        id="j",
        shot_id="s",
        backend="runway",
        model="gen4.5",
        request={},
        phase=phase,
        provider_job_id=provider,
        estimated_cost=None if estimated is None else Decimal(estimated),
        billed_cost=None if billed is None else Decimal(billed),
    )


@pytest.mark.parametrize(
    ("record", "kind", "text", "counts"),
    [
        (_job(JobPhase.SUBMITTED), CLOUD, "≈ $0.60", "0.60"),  # pending: the estimate
        (_job(JobPhase.SENDING, provider=""), CLOUD, "≈ $0.60", "0.60"),  # the create may be out
        (_job(JobPhase.FAILED, provider=""), CLOUD, "$0.00 · not sent", "0"),  # refused before any provider had it
        (_job(JobPhase.CANCELLED, provider=""), CLOUD, "$0.00 · not sent", "0"),
        (_job(JobPhase.FAILED, billed="0.10"), CLOUD, "$0.10 billed", "0.10"),  # the provider's own figure
        (_job(JobPhase.BLOCKED, billed="0"), CLOUD, "$0.00 billed", "0"),
        (_job(JobPhase.CANCELLED), CLOUD, "≈ $0.60 · not reported", "0.60"),  # the provider has it, said nothing
        (_job(JobPhase.UNCERTAIN, provider=""), CLOUD, "≈ $0.60 · not reported", "0.60"),  # may have started one
        (_job(JobPhase.ATTACHED, billed="0.48"), CLOUD, "$0.48 billed", "0.48"),
        (_job(JobPhase.ATTACHED, estimated=None), BackendKind.OFFLINE, "free", "0"),
        (_job(JobPhase.ATTACHED, estimated=None), CLOUD, "cost unknown", "0"),  # counted as nothing, said so
        (_job(JobPhase.ATTACHED, estimated="0.004", billed="0.004"), CLOUD, "$0.0040 billed", "0.004"),
    ],
)
def test_one_figure_per_job(record: JobRecord, kind: BackendKind, text: str, counts: str) -> None:
    cost = job_cost(record, kind)
    assert (cost.text(), cost.amount) == (text, Decimal(counts))


def test_a_total_keeps_the_least_sure_word_and_names_unknown_prices() -> None:
    billed = job_cost(_job(JobPhase.ATTACHED, billed="0.60"), CLOUD)
    refused = job_cost(_job(JobPhase.FAILED, provider=""), CLOUD)
    pending = job_cost(_job(JobPhase.SUBMITTED), CLOUD)
    unknown = job_cost(_job(JobPhase.SUBMITTED, estimated=None), CLOUD)
    assert (billed + refused).text() == "$0.60 billed"
    assert (billed + pending).text() == "≈ $1.20"
    assert (billed + unknown).text() == "$0.60 billed + 1 unknown"
    assert (FREE + refused).text() == "$0.00 · not sent"


def test_a_take_never_reads_as_not_sent() -> None:
    made = GenerationRecord("j", "runway", "gen4.5", estimated_cost=Decimal("0.60"))
    assert take_cost(made, None, CLOUD).text() == "≈ $0.60 · not reported"
    late_bill = _job(JobPhase.ATTACHED, billed="0.55")
    assert take_cost(made, late_bill, CLOUD).text() == "$0.55 billed"  # the bill arrived after the take


def test_a_paid_generate_asks_above_the_threshold_and_when_its_price_is_unknown() -> None:
    assert needs_asking(estimate_cost(Decimal("0.60"), CLOUD), Decimal(0))
    assert not needs_asking(estimate_cost(Decimal("0.60"), CLOUD), Decimal("0.60"))
    assert needs_asking(estimate_cost(Decimal("0.60"), CLOUD, takes=2), Decimal("1.00"))  # × N counts
    assert needs_asking(estimate_cost(None, CLOUD), Decimal("100"))  # nobody can say what it costs
    assert not needs_asking(estimate_cost(None, BackendKind.OFFLINE, takes=4), Decimal(0))  # free
    asked = spend_question(estimate_cost(Decimal("0.60"), CLOUD, takes=2), 2, Decimal(0))
    assert asked.startswith("Generating 2 takes is estimated at about $1.20.") and "Preferences" in asked
    assert "above $5.00" in spend_question(estimate_cost(Decimal("6"), CLOUD), 1, Decimal(5))


def test_the_threshold_setting_stays_exact_and_a_damaged_one_asks() -> None:
    assert _from_json({"ask_above_usd": "2.50"}).ask_above_usd == "2.50"
    assert _from_json({"ask_above_usd": 2.5}).ask_above_usd == "0.00"  # a float is refused: default
    assert _from_json({"ask_above_usd": "-1"}).ask_above_usd == "0.00"
    assert _from_json({"ask_above_usd": "NaN"}).ask_above_usd == "0.00"
    assert ask_above("2.50") == Decimal("2.50")
    assert ask_above("lots") == Decimal(0)
