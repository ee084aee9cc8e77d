"""The one rule for how long a generated clip will be: a model makes only some lengths, and a shot's asked length is
fitted to one of them before anything is priced or sent.

The estimate, the budget, the inspector, the CLI and every adapter use `fit_length`, so the length the creator is
shown, the length that is priced and the length the provider is asked for (and bills) are the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from shotline.core.errors import InputRejected

if TYPE_CHECKING:
    from shotline.core.ports import ModelInfo

_SECOND = 1_000_000


class LengthFit(StrEnum):
    """How a model fits an asked length to one it makes (declared per model in the catalogue)."""

    NEAREST = "nearest"
    """The nearest length it makes; a tie goes to the longer clip, so a shot is never made shorter than it could."""
    AT_LEAST = "at_least"
    """The shortest length it makes that holds the whole shot (the rest is trimmed in the timeline)."""
    EXACT = "exact"
    """Only a length it makes is accepted; any other is refused before sending, never changed."""


@dataclass(frozen=True, slots=True)
class FittedLength:
    asked_us: int
    made_us: int

    @property
    def changed(self) -> bool:
        return self.asked_us != self.made_us

    def describe(self) -> str:
        """ "asks 7.5 s → 10 s will be made and billed", or "5 s" when nothing changes."""
        if not self.changed:
            return seconds_text(self.made_us)
        return f"asks {seconds_text(self.asked_us)} → {seconds_text(self.made_us)} will be made and billed"


def seconds_text(length_us: int) -> str:
    return f"{length_us / _SECOND:g} s"


def lengths_text(model: ModelInfo) -> str:
    """The lengths a model makes, as a creator reads them: "5 or 10 s", "4–20 s in whole seconds"."""
    if model.durations_us:
        values = [f"{d / _SECOND:g}" for d in model.durations_us]
        listed = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
        return f"{listed} s"
    span = f"{model.min_duration_us / _SECOND:g}–{model.max_duration_us / _SECOND:g} s"
    if model.length_step_us == _SECOND:
        return f"{span} in whole seconds"
    if model.length_step_us > 0:
        return f"{span} in steps of {seconds_text(model.length_step_us)}"
    return span


def made_lengths(model: ModelInfo) -> tuple[int, ...] | None:
    """Every length the model makes, shortest first; None for a range too fine to list (any length, to the step)."""
    if model.durations_us:
        return tuple(sorted(model.durations_us))
    step = model.length_step_us
    if step <= 0 or (model.max_duration_us - model.min_duration_us) // step > 1000:
        return None
    first = -(-model.min_duration_us // step) * step
    return tuple(range(first, model.max_duration_us + 1, step))


def fit_length(model: ModelInfo, asked_us: int) -> FittedLength:
    """The length `model` will make (and the provider bill) for a shot that asks for `asked_us`.

    Raises InputRejected, naming the lengths it makes, when the model's rule cannot fit the shot.
    """
    choices = made_lengths(model)
    if choices is None:  # a fine-grained range: anything inside it, to the step
        if not model.min_duration_us <= asked_us <= model.max_duration_us and model.length_fit is LengthFit.EXACT:
            raise _refused(model, asked_us)
        clamped = min(max(asked_us, model.min_duration_us), model.max_duration_us)
        step = model.length_step_us
        made = clamped if step <= 0 else max(model.min_duration_us, round(clamped / step) * step)
        return FittedLength(asked_us, min(made, model.max_duration_us))
    if not choices:
        raise _refused(model, asked_us)
    if model.length_fit is LengthFit.EXACT:
        if asked_us not in choices:
            raise _refused(model, asked_us)
        return FittedLength(asked_us, asked_us)
    if model.length_fit is LengthFit.AT_LEAST:
        holding = [length for length in choices if length >= asked_us]
        if not holding:
            raise _refused(model, asked_us)
        return FittedLength(asked_us, holding[0])
    return FittedLength(asked_us, min(choices, key=lambda length: (abs(length - asked_us), -length)))


def _refused(model: ModelInfo, asked_us: int) -> InputRejected:
    return InputRejected(
        f"{model.label} makes clips of {lengths_text(model)}, not {seconds_text(asked_us)}; change the shot's length."
    )
