"""The project's budget: what its generation jobs have cost or may still cost, and whether new ones fit.

Each job counts its figure in the ledger (services.ledger): billed once the provider reports it, the estimate before
that, nothing for a job that never reached a provider.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shotline.core.errors import OverBudget
from shotline.core.ports import JobRecord
from shotline.services.ledger import Cost, KindOf, format_money, total


@dataclass(frozen=True, slots=True)
class Spending:
    committed: Cost
    """Every job so far, billed or still estimated."""
    budget: Decimal | None

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed.amount

    def describe(self) -> str:
        """ "$1.20 of the $5.00 budget spent or committed", with the jobs whose price is unknown named."""
        money = format_money(self.committed.amount)
        said = (
            f"{money} spent or committed; no budget set"
            if self.budget is None
            else f"{money} of the {format_money(self.budget)} budget spent or committed"
        )
        unknown = self.committed.unknown
        return f"{said}, not counting {unknown} job(s) whose price is unknown" if unknown else said


def spending(records: Iterable[JobRecord], budget: Decimal | None, kind_of: KindOf) -> Spending:
    return Spending(total(records, kind_of), budget)


def check_budget(
    records: Iterable[JobRecord], budget: Decimal | None, new_costs: Iterable[Decimal | None], kind_of: KindOf
) -> None:
    """Raise OverBudget when the new jobs' estimates would take the project past its budget."""
    if budget is None:
        return
    current = spending(records, budget, kind_of)
    adding = sum((cost for cost in new_costs if cost is not None), Decimal(0))
    if adding and current.committed.amount + adding > budget:
        raise OverBudget(
            f"These jobs would cost about {format_money(adding)}, and {current.describe()}; that is over "
            "budget. Raise the project's budget or generate fewer shots."
        )
