"""A shot's generation settings from the command line: checked against the backends and their models, and fitted
to the chosen model the way the window's inspector fits them (`services.shots.fit_to_model`), so a shot that
`add` or `shot set` accepted is one its backend can make.

The backends are looked up only when a command runs: importing them is most of a command's start-up time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click

from shotline.cli.session_scope import editing, saved
from shotline.core import commands
from shotline.core.model import GenerationSettings
from shotline.core.timecode import seconds_to_us

if TYPE_CHECKING:
    from shotline.core.ports import ModelInfo

DURATION = click.FloatRange(min=0, min_open=True, max=600)


def _seconds(duration_us: int) -> str:
    return f"{duration_us / 1e6:g}"


def _choices(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def model_durations(model: ModelInfo) -> str:
    """What lengths a model makes, as a creator reads them: "5 or 10 s", "2–10 s"."""
    if model.durations_us:
        return f"{_choices([_seconds(d) for d in model.durations_us])} s"
    return f"{_seconds(model.min_duration_us)}–{_seconds(model.max_duration_us)} s"


def fitted_settings(
    settings: GenerationSettings,
    *,
    backend: str | None = None,
    model: str | None = None,
    duration: float | None = None,
    aspect: str | None = None,
) -> GenerationSettings:
    """`settings` with what the creator gave, on a backend and model that exist, fitted to that model.

    A new backend starts on its default model unless `model` names another. What the creator did not give is
    moved inside the model's range (a 4 s shot on a 5–10 s model becomes 5 s, as in the window); what they did give
    and the model cannot make is refused with the model's choices, never silently changed.
    """
    from shotline.backends.builtin import BUILTIN_SPECS
    from shotline.backends.registry import BackendRegistry
    from shotline.services.retirement import retirement
    from shotline.services.shots import fit_to_model

    registry = BackendRegistry(builtins=BUILTIN_SPECS)
    backend_id = backend or settings.backend
    if backend_id not in registry.ids():
        raise click.BadParameter(
            f"there is no backend {backend_id!r}; choose {_choices(registry.ids())} "
            "(`shotline backends` lists them with their models).",
            param_hint="--backend",
        )
    info = registry.info(backend_id)
    model_id = model if model is not None else settings.model if backend_id == settings.backend else ""
    chosen = info.model(model_id)
    if chosen is None:
        raise click.BadParameter(
            f"{info.name} has no model {model_id!r}; choose {_choices([m.id for m in info.models])}.",
            param_hint="--model",
        )
    if chosen.retired and model is not None:  # a retired model is given to no shot (its own shots keep it until moved)
        retired = retirement(registry, replace(settings, backend=backend_id, model=chosen.id))
        instead = f" Choose --model {chosen.replacement}." if chosen.replacement else ""
        raise click.BadParameter(f"{retired.describe() if retired else chosen.label}{instead}", param_hint="--model")
    duration_us = seconds_to_us(str(duration)) if duration is not None else settings.duration_us
    wanted = replace(settings, backend=backend_id, duration_us=duration_us, aspect=aspect or settings.aspect)
    fitted = fit_to_model(wanted, chosen)
    if duration is not None and fitted.duration_us != duration_us:
        raise click.BadParameter(
            f"{backend_id}/{chosen.id} makes {model_durations(chosen)} clips, not {_seconds(duration_us)} s.",
            param_hint="--duration",
        )
    if aspect is not None and fitted.aspect != aspect:
        raise click.BadParameter(
            f"{backend_id}/{chosen.id} makes {_choices(list(chosen.aspects))} clips, not {aspect}.",
            param_hint="--aspect",
        )
    return fitted


def describe(settings: GenerationSettings) -> str:
    """ "runway/gen4.5, 5 s, 16:9" — what a shot will ask its backend for."""
    model = f"/{settings.model}" if settings.model else ""
    return f"{settings.backend}{model}, {_seconds(settings.duration_us)} s, {settings.aspect}"


@click.command("set")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.option("--backend", default=None, help="Backend id (see `shotline backends`); starts on its first model.")
@click.option("--model", default=None, help="Model id of the shot's backend.")
@click.option("--duration", type=DURATION, default=None, help="Seconds.")
@click.option("--aspect", default=None, help="Aspect ratio, e.g. 16:9, 9:16, 1:1.")
def shot_set(
    project: str, shot_ref: str, backend: str | None, model: str | None, duration: float | None, aspect: str | None
) -> None:
    """Change what SHOT (id or position) asks its backend for: backend, model, length, aspect."""
    if backend is None and model is None and duration is None and aspect is None:
        raise click.UsageError("Nothing to change; give at least one option (see --help).")
    with editing(project) as session:
        shot = session.project.shot(shot_ref)
        settings = fitted_settings(shot.generation, backend=backend, model=model, duration=duration, aspect=aspect)
        session.execute(commands.set_generation(shot.id, settings))
        number = session.project.index_of(shot.id) + 1
        saved(session)
        click.echo(f"Shot {number} asks for {describe(settings)}.")
