"""The ledger: what a generation job costs, the one figure the card, the inspector, the jobs panel, the budget,
`shotline budget`, `shotline jobs` and `shotline info` all show for it.

One rule per job, in this order:
- **billed**: the provider reported what it charged — that figure, whatever became of the job (a failed or blocked
  job the provider charged for says so, and counts what it charged).
- **not sent**: the job ended before any provider accepted it (refused here for want of a key or a keyring, or its
  create refused outright) — $0.00. Nothing was started, so nothing can be billed.
- **estimate**: otherwise the estimate priced before sending — "≈ $0.60" while the job is pending, "≈ $0.60 · not
  reported" once it ended (or delivered its clip) at a provider that gave no figure: the provider has the job and
  may bill it, and an uncertain create counts too, as it may have started one.
- **free**: a backend on this computer, which no provider bills.
- **unknown**: a paid job whose price is not known and whose bill was not reported: it counts nothing, and every
  total that holds one says so rather than look complete.

Totals (a shot's, the project's, a Generate's) add these up and keep the weakest word: one estimate in a total
makes it an estimate. Qt-free, so every surface and the tests read the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum

from shotline.backends.registry import BackendRegistry
from shotline.core.errors import ShotlineError
from shotline.core.model import GenerationRecord, Project
from shotline.core.ports import BackendKind, JobPhase, JobRecord

_CENT = Decimal("0.01")
_ENDED = frozenset({JobPhase.FAILED, JobPhase.CANCELLED, JobPhase.BLOCKED})
"""Endings that leave nothing to bill when no provider ever accepted the job (an uncertain create may have)."""


class Basis(IntEnum):
    """How sure a figure is; a total takes the least sure of its parts (the highest value)."""

    FREE = 0
    NOT_SENT = 1
    BILLED = 2
    UNREPORTED = 3
    """Ended (or delivered) at a provider that did not say what it charged: its estimate counts."""
    ESTIMATE = 4


def format_money(amount: Decimal) -> str:
    """ "$0.48"; a price below a cent keeps its digits ("$0.0040"), so a tiny figure never reads as $0.00."""
    return f"${amount:.2f}" if amount >= _CENT or amount == 0 else f"${amount:.4f}"


@dataclass(frozen=True, slots=True)
class Cost:
    """What one job, or a sum of jobs, costs or may cost, in USD."""

    amount: Decimal = Decimal(0)
    """What it counts against the budget: billed or estimated; nothing for free, not sent or unknown prices."""
    basis: Basis = Basis.FREE
    unknown: int = 0
    """Paid jobs in it whose price is unknown (their amount is not in `amount`)."""

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.amount + other.amount, max(self.basis, other.basis), self.unknown + other.unknown)

    @property
    def figure(self) -> str:
        """The amount alone ("$0.48"), or "free" / "unknown" where there is no amount to give."""
        if self.basis is Basis.FREE and not self.amount:
            return "unknown" if self.unknown else "free"
        return format_money(self.amount)

    def text(self) -> str:
        """The figure with its word, as every surface shows it: "$0.48 billed", "≈ $0.48", "$0.00 · not sent"."""
        if self.basis is Basis.FREE and not self.amount:
            return "cost unknown" if self.unknown else "free"
        money = format_money(self.amount)
        said = {
            Basis.NOT_SENT: f"{money} · not sent",
            Basis.BILLED: f"{money} billed",
            Basis.UNREPORTED: f"≈ {money} · not reported",
            Basis.ESTIMATE: f"≈ {money}",
        }[self.basis]
        return f"{said} + {self.unknown} unknown" if self.unknown else said

    def explain(self) -> str:
        """A sentence for a tooltip: where the figure comes from."""
        parts = {
            Basis.FREE: "Made on this computer: no provider bills it.",
            Basis.NOT_SENT: "Never reached a provider, so nothing was or can be billed.",
            Basis.BILLED: "What the provider reported it charged.",
            Basis.UNREPORTED: "The provider has not said what it charged for this job, so its estimate counts; its "
            "dashboard has the real figure.",
            Basis.ESTIMATE: "The estimate, until the provider reports what it charged (a provider that has the job "
            "may bill it even when it fails).",
        }
        text = parts[self.basis]
        if self.unknown:
            text += f" {self.unknown} job(s) have no known price and are not counted."
        return text


FREE = Cost()
NOT_SENT = Cost(Decimal(0), Basis.NOT_SENT)
UNKNOWN = Cost(unknown=1)


def job_cost(record: JobRecord, kind: BackendKind | None) -> Cost:
    """The figure of one job (see the module's rule). `kind` is its backend's, None when it is not installed."""
    if record.billed_cost is not None:
        return Cost(record.billed_cost, Basis.BILLED)
    if record.phase in _ENDED and not record.provider_job_id:
        return NOT_SENT
    if record.estimated_cost is not None:
        ended = record.phase.is_final or record.phase is JobPhase.DOWNLOADED
        return Cost(record.estimated_cost, Basis.UNREPORTED if ended else Basis.ESTIMATE)
    return FREE if kind in (BackendKind.OFFLINE, BackendKind.LOCAL) else UNKNOWN


def estimate_cost(estimate: Decimal | None, kind: BackendKind | None, takes: int = 1) -> Cost:
    """What a job not yet made should cost: `takes` times the estimate of one (a Generate's figure)."""
    if estimate is not None:
        return Cost(estimate * takes, Basis.ESTIMATE)
    return FREE if kind in (BackendKind.OFFLINE, BackendKind.LOCAL) else Cost(unknown=takes)


KindOf = Callable[[str], BackendKind | None]
"""A backend id's kind, None when it is not installed."""


def kinds(registry: BackendRegistry) -> KindOf:
    """The registry's answer to "what kind of backend is this?" (a removed backend's jobs stay in the journal)."""

    def kind_of(backend_id: str) -> BackendKind | None:
        try:
            return registry.info(backend_id).kind
        except ShotlineError:
            return None

    return kind_of


def total(records: Iterable[JobRecord], kind_of: KindOf) -> Cost:
    """The jobs' figures added up (FREE for none)."""
    return sum((job_cost(record, kind_of(record.backend)) for record in records), FREE)


def shot_cost(shot_id: str, records: Iterable[JobRecord], kind_of: KindOf) -> Cost | None:
    """What the shot's jobs cost or may cost; None for a shot no job was ever started for."""
    mine = [record for record in records if record.shot_id == shot_id]
    return total(mine, kind_of) if mine else None


def take_cost(made: GenerationRecord, job: JobRecord | None, kind: BackendKind | None) -> Cost:
    """A generated take's figure: its job's, when the journal still has it (the bill may arrive after the take);
    else what the take itself recorded when it landed (it reached a provider, so it is never "not sent")."""
    if job is not None and job.billed_cost is not None:
        return Cost(job.billed_cost, Basis.BILLED)
    if made.billed_cost is not None:
        return Cost(made.billed_cost, Basis.BILLED)
    estimate = made.estimated_cost
    if estimate is None and job is not None:
        estimate = job.estimated_cost
    if estimate is not None:
        return Cost(estimate, Basis.UNREPORTED)  # delivered, and no figure came with it
    return estimate_cost(None, kind)


def ask_above(setting: str) -> Decimal:
    """The creator's threshold (AppSettings.ask_above_usd); a damaged one asks every time rather than never."""
    try:
        amount = Decimal(setting)
    except ArithmeticError:
        return Decimal(0)
    return amount if amount.is_finite() and amount >= 0 else Decimal(0)


def needs_asking(planned: Cost, threshold: Decimal) -> bool:
    """A Generate asks first when it may cost more than the threshold, or an amount nobody can say beforehand."""
    return planned.unknown > 0 or planned.amount > threshold


def spend_question(planned: Cost, jobs: int, threshold: Decimal, doing: str = "") -> str:
    """The sentence a paid Generate asks, with its figure; the creator answers it once per session. `doing` names
    other paid work in the same words ("Trying shot 2 on 3 models", "Drafting 4 stills"); else it is the takes."""
    doing = doing or f"Generating {jobs} take{'s' if jobs != 1 else ''}"
    if planned.unknown and not planned.amount:
        said = f"{doing} costs money, and Shotline does not know the provider's price for it."
    else:
        unknown = f" (and {planned.unknown} more whose price Shotline does not know)" if planned.unknown else ""
        said = f"{doing} is estimated at about {format_money(planned.amount)}{unknown}."
    when = (
        "before the first paid Generate of each session; set an amount in Preferences → Generation to be asked only "
        "above it"
        if threshold == 0
        else f"once per session before a Generate estimated above {format_money(threshold)} (Preferences → Generation)"
    )
    return f"{said} Shotline asks this {when}. Start it?"


def by_shot(project: Project, records: Iterable[JobRecord], kind_of: KindOf) -> list[tuple[str, Cost]]:
    """Where the money went: each shot with jobs, in film order ("Shot 2 · Gull"), then deleted shots' jobs."""
    jobs = list(records)
    rows: list[tuple[str, Cost]] = []
    for number, shot in enumerate(project.shots, start=1):
        cost = shot_cost(shot.id, jobs, kind_of)
        if cost is not None:
            rows.append((f"Shot {number} · {shot.title}" if shot.title else f"Shot {number}", cost))
    present = {shot.id for shot in project.shots}
    gone = [record for record in jobs if record.shot_id not in present]
    if gone:
        rows.append(("Deleted shots", total(gone, kind_of)))
    return rows
