"""What a model keeps of a shot: which of the shot's settings it takes as they are, which it changes, and which it
cannot take at all — said to the creator before anything is sent, never dropped in silence.

One answer serves the inspector (a line under the model), `shotline generate` (a line per shot before the jobs go
out), the request itself (`services.generation` sends only the pictures this says are kept) and a model change
(`services.retirement`: what moving a shot to another model keeps or drops).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from shotline.backends.registry import BackendRegistry
from shotline.core import dialogue, edits
from shotline.core.commands import Command
from shotline.core.errors import InputRejected, UnknownBackend
from shotline.core.lengths import FittedLength, fit_length
from shotline.core.model import Project, Shot
from shotline.core.ports import ModelInfo
from shotline.core.references import takes_first_frame


class Setting(StrEnum):
    """A shot setting a model may not take, named as the inspector names it."""

    LENGTH = "length"
    ASPECT = "aspect"
    RESOLUTION = "resolution"
    SOUND = "sound"
    SEED = "seed"
    NEGATIVE_PROMPT = "negative prompt"
    FIRST_FRAME = "first frame"
    END_FRAME = "end frame"
    REFERENCES = "reference images"


@dataclass(frozen=True, slots=True)
class Difference:
    setting: Setting
    text: str
    """The setting as the creator knows it: "end frame", "seed 42", "2 of 3 reference images"."""


@dataclass(frozen=True, slots=True)
class ShotFit:
    """How `model` takes a shot's settings."""

    model: ModelInfo
    kept: tuple[Setting, ...]
    """Settings the shot uses (a frame, sound, a seed…) that the model takes as they are."""
    changed: tuple[Difference, ...]
    """Sent, but not as the shot asks: a length fitted to one the model makes, an aspect or resolution it lacks."""
    dropped: tuple[Difference, ...]
    """Not sent at all: the model has no place for them."""
    length: FittedLength | None
    """The length the model will make; None when it cannot make this shot's length (see `length_refused`)."""
    length_refused: str = ""
    unspoken: str = ""
    """Why the shot's dialogue lines are not sent, when they are not: the model cannot speak, or the shot's sound is
    off. Not a setting dropped: the lines stay on the shot for a voice and the captions."""

    @property
    def drops(self) -> frozenset[Setting]:
        return frozenset(difference.setting for difference in self.dropped)

    def cannot_take(self) -> str:
        """ "Kling 2.1 cannot take this shot's end frame or seed 42: they will not be sent.", or ""."""
        if not self.dropped:
            return ""
        them = "they" if len(self.dropped) > 1 else "it"
        return f"{self.model.label} cannot take this shot's {_listed(self.dropped)}: {them} will not be sent."

    def notes(self) -> list[str]:
        """Everything the creator should read before sending: what is dropped, then what is changed."""
        lines = [self.cannot_take()] if self.dropped else []
        if self.length_refused:
            lines.append(self.length_refused)
        if self.unspoken:
            lines.append(self.unspoken)
        lines.extend(f"{self.model.label}: {difference.text}." for difference in self.changed)
        return lines


def fit_shot(shot: Shot, model: ModelInfo) -> ShotFit:
    """What `model` keeps, changes and drops of `shot`'s settings (pure; nothing is changed)."""
    settings = shot.generation
    kept: list[Setting] = []
    changed: list[Difference] = []
    dropped: list[Difference] = []

    def offer(setting: Setting, used: bool, taken: bool, text: str) -> None:
        if used and taken:
            kept.append(setting)
        elif used:
            dropped.append(Difference(setting, text))

    # the pictures are stored under ids in media/, not the names they were chosen by: named by their role only
    offer(Setting.FIRST_FRAME, bool(settings.first_frame), takes_first_frame(model), "first frame")
    offer(Setting.END_FRAME, bool(settings.last_frame), model.first_last_frame, "end frame")
    offer(Setting.SOUND, settings.audio, model.audio, "sound")
    offer(Setting.SEED, settings.seed is not None, model.seed, f"seed {settings.seed}")
    offer(Setting.NEGATIVE_PROMPT, bool(shot.negative_prompt.strip()), model.negative_prompt, "negative prompt")
    references = len(settings.reference_images)
    if references:
        room = model.reference_images
        if frames_only(shot, model):
            dropped.append(Difference(Setting.REFERENCES, f"{_count(references, 'reference image')} beside a frame"))
        elif references <= room:
            kept.append(Setting.REFERENCES)
        elif room == 0:
            dropped.append(Difference(Setting.REFERENCES, _count(references, "reference image")))
        else:
            dropped.append(Difference(Setting.REFERENCES, f"{references - room} of {references} reference images"))
    if model.aspects and settings.aspect not in model.aspects:
        made = " or ".join(model.aspects)
        changed.append(Difference(Setting.ASPECT, f"makes {made}, not {settings.aspect}"))
    if settings.resolution and settings.resolution not in model.resolutions:
        made = " or ".join(model.resolutions) if model.resolutions else "its own resolution only"
        changed.append(Difference(Setting.RESOLUTION, f"makes {made}, not {settings.resolution}"))
    length: FittedLength | None
    refused = ""
    try:
        length = fit_length(model, settings.duration_us)
    except InputRejected as error:
        length, refused = None, str(error)
    if length is not None and length.changed:
        changed.append(Difference(Setting.LENGTH, length.describe()))
    return ShotFit(model, tuple(kept), tuple(changed), tuple(dropped), length, refused, _unspoken(shot, model))


def _unspoken(shot: Shot, model: ModelInfo) -> str:
    """ "Kling 2.1 cannot speak this shot's 2 lines: …", or "" when the model is sent them (or there are none)."""
    said = len(dialogue.spoken(shot))
    if not said:
        return ""
    them = "its line" if said == 1 else f"its {said} lines"
    if not model.audio:
        they = "it" if said == 1 else "they"
        return (
            f"{model.label} cannot speak this shot's {_count(said, 'line')}: {they} will not be sent "
            f"(a voice can say {'it' if said == 1 else 'them'} on the voice-over lane)."
        )
    if not shot.generation.audio:
        spoken = "it" if said == 1 else "them"
        return (
            f"This shot's sound is off, so {model.label} is not sent {them}; turn its sound on to have {spoken} spoken."
        )
    return ""


def take_off(shot: Shot, model: ModelInfo) -> Shot:
    """`shot` without the settings `model` cannot take (what `fit_shot` says it drops); the rest as it was."""
    drops = fit_shot(shot, model).drops
    settings = shot.generation
    settings = dataclasses.replace(
        settings,
        first_frame=None if Setting.FIRST_FRAME in drops else settings.first_frame,
        last_frame=None if Setting.END_FRAME in drops else settings.last_frame,
        audio=settings.audio and Setting.SOUND not in drops,
        seed=None if Setting.SEED in drops else settings.seed,
        reference_images=() if frames_only(shot, model) else settings.reference_images[: model.reference_images],
    )
    negative = "" if Setting.NEGATIVE_PROMPT in drops else shot.negative_prompt
    return dataclasses.replace(shot, generation=settings, negative_prompt=negative)


def take_off_command(shot_id: str, model: ModelInfo) -> Command:
    """The creator's "remove them": what the shot's model cannot take comes off the shot, in one undoable step (its
    fields are hidden in the inspector, so this is the way to clear them)."""
    return Command("Remove what the model cannot take", partial(_taken_off, shot_id=shot_id, model=model))


def _taken_off(project: Project, shot_id: str, model: ModelInfo) -> Project:
    return edits.with_shot(project, shot_id, lambda shot: take_off(shot, model))


def sending_notes(
    registry: BackendRegistry,
    project: Project,
    shot_ids: list[str],
    *,
    backend: str | None = None,
    model: str | None = None,
) -> list[str]:
    """ "Shot 2: …" for each shot whose model (its own, or `backend`/`model` as `generate` would use) cannot take a
    setting as the shot asks: what `shotline generate` prints before anything is sent."""
    lines: list[str] = []
    for shot_id in dict.fromkeys(shot_ids):
        shot = project.shot(shot_id)
        chosen = _sent_to(registry, shot, backend, model)
        if chosen is not None and not chosen.retired:  # a retired model is sent nothing: its refusal says so
            number = project.index_of(shot.id) + 1
            lines.extend(f"Shot {number}: {note}" for note in fit_shot(shot, chosen).notes())
    return lines


def _sent_to(registry: BackendRegistry, shot: Shot, backend: str | None, model: str | None) -> ModelInfo | None:
    """The model a job for `shot` goes to, chosen as services.generation.build_request chooses it."""
    backend_id = backend or shot.generation.backend
    if model is None:  # the shot's own model, unless another backend was asked for: then that backend's default
        model = shot.generation.model if backend_id == shot.generation.backend else ""
    try:
        return registry.info(backend_id).model(model)
    except UnknownBackend:
        return None


def frames_only(shot: Shot, model: ModelInfo) -> bool:
    """The model takes reference images or a first/last frame, never both, and the shot sends a frame: the frame
    wins (core.references sends it so)."""
    settings = shot.generation
    framed = (settings.first_frame and takes_first_frame(model)) or (settings.last_frame and model.first_last_frame)
    return bool(framed) and not model.references_with_frames


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _listed(differences: tuple[Difference, ...]) -> str:
    texts = [difference.text for difference in differences]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} or {texts[-1]}"
