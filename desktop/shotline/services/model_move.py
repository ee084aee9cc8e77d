"""Moving every shot off one model onto another (a retired model onto its replacement) as one undoable edit.

`plan_move` shows first, before anything changes, what the new model keeps, changes and drops of each shot
(`services.shot_fit`) and what a take will cost on it; `ModelMove.command` then re-fits every shot to the new model
(`services.shots.fit_to_model`) in one step the creator can undo. The window's dialog and `shotline replace-model`
show the same lines.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from shotline.backends.registry import BackendRegistry
from shotline.core import edits
from shotline.core.commands import Command
from shotline.core.errors import InputRejected
from shotline.core.lengths import fit_length, seconds_text
from shotline.core.model import GenerationSettings, Project, Shot
from shotline.core.ports import ModelInfo
from shotline.services.retirement import RetiredAnswers, Retirement, model_id_of, retired_in_use
from shotline.services.shot_fit import ShotFit, fit_shot, take_off
from shotline.services.shots import estimate, fit_to_model


@dataclass(frozen=True, slots=True)
class ShotMove:
    shot_id: str
    number: int
    before: GenerationSettings
    after: GenerationSettings
    fit: ShotFit
    """What the new model keeps, changes and drops of the shot as it is now."""
    cost_before: Decimal | None
    cost_after: Decimal | None

    def describe(self) -> str:
        """ "Shot 2: keeps first frame, sound; drops end frame, seed 42; 8 s → 10 s made; $0.40 → $1.00 a take" """
        parts = []
        if self.fit.kept:
            parts.append(f"keeps {', '.join(setting.value for setting in self.fit.kept)}")
        if self.fit.dropped:
            parts.append(f"drops {', '.join(difference.text for difference in self.fit.dropped)}")
        made = _made(self.fit.model, self.after)
        length = seconds_text(self.before.duration_us)
        parts.append(length if made == self.before.duration_us else f"{length} → {seconds_text(made)} made")
        if self.after.aspect != self.before.aspect:
            parts.append(f"aspect {self.before.aspect} → {self.after.aspect}")
        if self.after.resolution != self.before.resolution:
            parts.append(f"resolution {self.before.resolution or 'default'} → {self.after.resolution or 'default'}")
        parts.append(f"{_money(self.cost_before)} → {_money(self.cost_after)} a take")
        return f"Shot {self.number}: {'; '.join(parts)}"


@dataclass(frozen=True, slots=True)
class ModelMove:
    retirement: Retirement
    to: ModelInfo
    shots: tuple[ShotMove, ...]

    @property
    def label(self) -> str:
        count = len(self.shots)
        return f"Move {count} shot{'s' if count != 1 else ''} to {self.to.label}"

    def describe(self, *, ids: bool = False) -> list[str]:
        """The heading (what is retired, what replaces it) and a line per shot: what the creator reads first.

        `ids`: the heading names the models by the ids the command line takes (backend/model), not their labels."""
        backend = self.retirement.backend.id
        if ids:
            moved = f"{backend}/{self.retirement.model_id} → {backend}/{self.to.id}"
        else:
            moved = f"{self.retirement.label} → {self.to.label}"
        heading = f"{moved}: {len(self.shots)} shot{'s' if len(self.shots) != 1 else ''}"
        return [heading, *(move.describe() for move in self.shots)]

    def command(self) -> Command:
        """Every shot moved in one undoable step; what the new model drops is taken off the shot, as shown."""
        moves = tuple((m.shot_id, m.after) for m in self.shots)
        return Command(self.label, partial(_move_all, moves=moves, model=self.to))


def _move_all(project: Project, moves: tuple[tuple[str, GenerationSettings], ...], model: ModelInfo) -> Project:
    for shot_id, settings in moves:
        project = edits.with_shot(project, shot_id, partial(_moved, settings=settings, model=model))
    return project


def _moved(shot: Shot, settings: GenerationSettings, model: ModelInfo) -> Shot:
    """The shot on `settings` (already fitted to `model`), without the negative prompt if `model` takes none."""
    return take_off(dataclasses.replace(shot, generation=settings), model)


def plan_move(registry: BackendRegistry, project: Project, retired: Retirement, to: str | None = None) -> ModelMove:
    """Every shot on `retired`'s model moved to `to` (a model id of the same backend; the replacement by default)."""
    info = retired.backend
    target = info.model(to) if to else retired.replacement
    if target is None:
        offered = ", ".join(m.id for m in info.models if not m.retired and m.id != retired.model_id)
        if to:
            raise InputRejected(f"{info.name} has no model {to!r}; it offers {offered}.")
        raise InputRejected(f"{retired.describe()} Name the model to move its shots to (one of {offered}).")
    if target.retired or target.id == retired.model_id:
        raise InputRejected(f"{target.label} cannot replace {retired.label}: it is not a served model of {info.name}.")
    moves = []
    for number, shot in enumerate(project.shots, start=1):
        if shot.generation.backend != info.id or model_id_of(info, shot.generation) != retired.model_id:
            continue
        after = fit_to_model(dataclasses.replace(shot.generation, model=target.id), target)
        moved = dataclasses.replace(shot, generation=after)
        moves.append(
            ShotMove(
                shot.id,
                number,
                shot.generation,
                after,
                fit_shot(shot, target),
                estimate(registry, project, shot),
                estimate(registry, project, moved),
            )
        )
    return ModelMove(retired, target, tuple(moves))


def plan_moves(registry: BackendRegistry, project: Project, answers: RetiredAnswers | None = None) -> list[ModelMove]:
    """A move for each retired model in use that has a replacement."""
    return [
        plan_move(registry, project, retired)
        for retired in retired_in_use(registry, project, answers)
        if retired.replacement is not None
    ]


def _made(model: ModelInfo, settings: GenerationSettings) -> int:
    """The length a take of the moved shot will be (the one rule, `fit_length`)."""
    try:
        return fit_length(model, settings.duration_us).made_us
    except InputRejected:
        return settings.duration_us


def _money(cost: Decimal | None) -> str:
    return "price unknown" if cost is None else f"${cost.quantize(Decimal('0.01'))}"
