"""One shot on several models ("try on…"): the same shot sent to 2–4 backend/model pairs at once, so the creator can
compare what each makes and pick.

Before anything is sent the creator sees, per pair, what that model will make of the shot (services.shot_fit: the
length it makes, what it changes or drops) and what it should cost (services.ledger), and the total. Each pair is an
ordinary generation job — one journal row per pair, written before sending — so resume, cancel and the budget treat
a try-on as they treat any Generate, and no pair is ever sent (or paid for) twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shotline.core.errors import InputRejected
from shotline.core.lengths import seconds_text
from shotline.core.ports import JobRecord, ModelInfo
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService
from shotline.services.ledger import FREE, Cost, estimate_cost, kinds
from shotline.services.session import ProjectSession
from shotline.services.shot_fit import ShotFit, fit_shot

FEWEST_PAIRS = 2
MOST_PAIRS = 4
"""More than a handful of side-by-side takes is no longer a comparison, and each one is paid for."""


@dataclass(frozen=True, slots=True)
class Pair:
    """A backend and one of its models, as the creator writes it: "runway/gen4.5" (or "runway": its default)."""

    backend: str
    model: str = ""

    @classmethod
    def parse(cls, text: str) -> Pair:
        backend, _, model = text.strip().partition("/")
        if not backend:
            raise InputRejected(f"{text!r} is not a backend/model pair; write it like runway/gen4.5.")
        return cls(backend, model)


@dataclass(frozen=True, slots=True)
class Trial:
    """One pair of a try-on: the job it will be, what its model makes of the shot and what it should cost."""

    name: str
    """ "Runway · Gen-4.5", as the take will be captioned."""
    fit: ShotFit
    cost: Cost
    record: JobRecord

    def describe(self) -> str:
        """ "Runway · Gen-4.5: a 5 s clip at 16:9 · ≈ $0.60"."""
        request = self.record.request
        made = f"a {seconds_text(self.fit.length.made_us)} clip" if self.fit.length is not None else "a clip"
        aspect = f" at {request['aspect']}" if request.get("aspect") else ""
        return f"{self.name}: {made}{aspect} · {self.cost.text()}"


@dataclass(frozen=True, slots=True)
class TryOn:
    """A planned try-on: nothing is written or sent until `GenerationService.write_down` takes its records."""

    shot_number: int
    trials: tuple[Trial, ...]

    @property
    def total(self) -> Cost:
        return sum((trial.cost for trial in self.trials), FREE)

    @property
    def records(self) -> list[JobRecord]:
        return [trial.record for trial in self.trials]


def plan_try_on(
    ctx: AppContext,
    session: ProjectSession,
    generation: GenerationService,
    shot_ref: str,
    pairs: Sequence[Pair],
    *,
    jobs_so_far: Iterable[JobRecord] | None = None,
) -> TryOn:
    """Check the pairs and price one job per pair for the shot; raises InputRejected naming the pair at fault."""
    if not FEWEST_PAIRS <= len(pairs) <= MOST_PAIRS:
        raise InputRejected(
            f"A shot is tried on {FEWEST_PAIRS} to {MOST_PAIRS} backend/model pairs at once, not {len(pairs)}."
        )
    project = session.project
    shot = project.shot(shot_ref)
    chosen = [_model_of(ctx, pair) for pair in pairs]
    seen: set[tuple[str, str]] = set()
    for pair, model in zip(pairs, chosen, strict=True):
        # the same model twice would make (and bill) the same take twice: a second take is a Generate's job
        if (pair.backend, model.id) in seen:
            raise InputRejected(f"{pair.backend}/{model.id} is given twice; each pair is tried once.")
        seen.add((pair.backend, model.id))
    records = generation.plan_pairs(
        shot.id, [(pair.backend, model.id) for pair, model in zip(pairs, chosen, strict=True)], jobs_so_far=jobs_so_far
    )
    kind_of = kinds(ctx.registry)
    trials = tuple(
        Trial(
            f"{ctx.registry.info(pair.backend).name} · {model.label}",
            fit_shot(shot, model),
            estimate_cost(record.estimated_cost, kind_of(record.backend)),
            record,
        )
        for pair, model, record in zip(pairs, chosen, records, strict=True)
    )
    return TryOn(project.index_of(shot.id) + 1, trials)


def _model_of(ctx: AppContext, pair: Pair) -> ModelInfo:
    info = ctx.registry.info(pair.backend)
    model = info.model(pair.model)
    if model is None:
        offered = ", ".join(m.id for m in info.models)
        raise InputRejected(f"{info.name} has no model {pair.model!r}; it offers {offered}.")
    return model
