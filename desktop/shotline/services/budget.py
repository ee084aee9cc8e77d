"""The project's budget: what its generation jobs have cost or may still cost, and whether new ones fit.

A job counts from the moment it may reach a provider until it is known to have cost nothing: the billed amount
once the provider reports it, the estimate before that. A job refused before anything was sent costs nothing; an
"uncertain" one counts, because the provider may have started (and will bill) it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shotline.core.errors import OverBudget
from shotline.core.ports import JobPhase, JobRecord

_CENT = Decimal("0.01")
_ENDED_BEFORE_SENDING = frozenset({JobPhase.FAILED, JobPhase.CANCELLED, JobPhase.BLOCKED})


def cost_of(record: JobRecord) -> Decimal:
    """What one job counts against the budget."""
    if record.billed_cost is not None:
        return record.billed_cost
    if record.phase in _ENDED_BEFORE_SENDING and not record.provider_job_id:
        return Decimal(0)
    return record.estimated_cost or Decimal(0)


@dataclass(frozen=True, slots=True)
class Spending:
    committed: Decimal
    """Billed plus still-estimated cost of every job so far."""
    budget: Decimal | None

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed

    def describe(self) -> str:
        spent = f"${self.committed.quantize(_CENT)}"
        if self.budget is None:
            return f"{spent} spent or committed; no budget set"
        return f"{spent} of the ${self.budget.quantize(_CENT)} budget spent or committed"


def spending(records: Iterable[JobRecord], budget: Decimal | None) -> Spending:
    return Spending(sum((cost_of(record) for record in records), Decimal(0)), budget)


def check_budget(records: Iterable[JobRecord], budget: Decimal | None, new_costs: Iterable[Decimal | None]) -> None:
    """Raise OverBudget when the new jobs' estimates would take the project past its budget."""
    if budget is None:
        return
    current = spending(records, budget)
    adding = sum((cost for cost in new_costs if cost is not None), Decimal(0))
    if adding and current.committed + adding > budget:
        raise OverBudget(
            f"These jobs would cost about ${adding.quantize(_CENT)}, and {current.describe()}; that is over "
            "budget. Raise the project's budget or generate fewer shots."
        )
