"""Models the provider has retired: named with the replacement it suggests, and never sent a job.

A model is retired when the catalogue marks it (`ModelInfo.retired`, with the `replacement` the provider suggests)
or when the provider answers that it no longer serves it (`core.errors.ModelRetired`, which may name a replacement;
the window remembers such answers for the session). The shot, the inspector and the CLI name it with its replacement,
and `services.model_move` moves every shot off it in one undoable edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shotline.backends.registry import BackendRegistry
from shotline.core.errors import ModelRetired, UnknownBackend
from shotline.core.model import GenerationSettings, Project
from shotline.core.ports import BackendInfo, ModelInfo

MOVE_HINT = "Edit → Replace retired models… (or `shotline replace-model PROJECT`) moves its shots to another model."

RetiredAnswers = Mapping[tuple[str, str], str]
"""(backend id, model id) → the replacement a provider named when it answered that the model is retired ("" when
it named none): what this session learned that the catalogue does not say yet."""


@dataclass(frozen=True, slots=True)
class Retirement:
    backend: BackendInfo
    model_id: str
    label: str
    when: str
    """ISO date from the catalogue, or "" when the provider said so."""
    replacement: ModelInfo | None

    def has_passed(self, today: date | None = None) -> bool:
        """Past its date (or said so by the provider): no job is sent to it any more."""
        return not self.when or self.when <= (today or date.today()).isoformat()

    def describe(self, today: date | None = None) -> str:
        """ "Gen-3 Alpha Turbo was retired by Runway on 2026-07-30; Gen-4 Turbo replaces it." """
        if not self.when:
            said = f"{self.backend.name} says {self.label} is no longer available"
        elif not self.has_passed(today):
            said = f"{self.backend.name} retires {self.label} on {self.when}"
        else:
            said = f"{self.label} was retired by {self.backend.name} on {self.when}"
        if self.replacement is None:
            return f"{said}; choose another model for its shots."
        return f"{said}; {self.replacement.label} replaces it."


def retirement(
    registry: BackendRegistry, settings: GenerationSettings, answers: RetiredAnswers | None = None
) -> Retirement | None:
    """The retirement of the model `settings` asks for, or None while it is served."""
    try:
        info = registry.info(settings.backend)
    except UnknownBackend:
        return None
    model = info.model(settings.model)
    model_id = model_id_of(info, settings)
    answered = (answers or {}).get((info.id, model_id))
    if model is not None and model.retired:
        return Retirement(info, model.id, model.label, model.retired, _replacement(info, model.replacement, model.id))
    if answered is not None:
        label = model.label if model is not None else model_id
        return Retirement(info, model_id, label, "", _replacement(info, answered, model_id))
    return None


def model_id_of(info: BackendInfo, settings: GenerationSettings) -> str:
    """The model a shot asks for: its own id, or the backend's default when it names none."""
    model = info.model(settings.model)
    return model.id if model is not None else settings.model


def _replacement(info: BackendInfo, model_id: str, retired_id: str) -> ModelInfo | None:
    found = info.model(model_id) if model_id and model_id != retired_id else None
    return found if found is not None and not found.retired else None


def retired_in_use(
    registry: BackendRegistry, project: Project, answers: RetiredAnswers | None = None
) -> list[Retirement]:
    """Each retired model some shot of `project` asks for, once, in shot order."""
    found: dict[tuple[str, str], Retirement] = {}
    for shot in project.shots:
        retired = retirement(registry, shot.generation, answers)
        if retired is not None:
            found.setdefault((retired.backend.id, retired.model_id), retired)
    return list(found.values())


def refuse_retired(info: BackendInfo, model: ModelInfo, today: date | None = None) -> None:
    """Before a job is priced or sent: ModelRetired, naming the replacement, for a model past its retirement."""
    if not model.retired:
        return
    retired = Retirement(info, model.id, model.label, model.retired, _replacement(info, model.replacement, model.id))
    if retired.has_passed(today):
        replacement = retired.replacement.id if retired.replacement is not None else None
        raise ModelRetired(f"{retired.describe(today)} {MOVE_HINT}", replacement)
