"""What the storyboard and inspector show about a shot, and the small edits they make, without Qt.

A shot's state comes from its journal rows and its takes (its cost is the ledger's: services.ledger).
New shots follow the look of the shot they are inserted after. Frames and images the creator picks become files
in the project's media/ folder, so the project stays self-contained.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from shotline.backends.registry import BackendRegistry
from shotline.core.errors import InputRejected, MediaUnreadable, UnknownBackend
from shotline.core.lengths import LengthFit, fit_length
from shotline.core.model import GenerationSettings, Project, Shot, Take, new_id
from shotline.core.ports import BackendKind, GenerationRequest, JobPhase, JobRecord, MediaKind, ModelInfo
from shotline.media.thumbnails import thumbnail
from shotline.services.generation import request_size
from shotline.storage.bundle import ProjectBundle

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
_FAILED = frozenset({JobPhase.FAILED, JobPhase.BLOCKED, JobPhase.UNCERTAIN})
_WAITING = frozenset({JobPhase.SUBMITTING, JobPhase.SENDING})


class ShotState(StrEnum):
    NO_TAKE = "no take"
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    BLOCKED = "blocked"
    """Stopped by the provider's safety check: the prompt or picture needs changing, not a retry."""
    UNCERTAIN = "uncertain"
    """A create that may have started a billed job Shotline cannot find: never sent again without asking."""


_ENDED_AS = {JobPhase.BLOCKED: ShotState.BLOCKED, JobPhase.UNCERTAIN: ShotState.UNCERTAIN}
"""A card names how its last job ended: a blocked prompt is not a failure to retry as it is."""


@dataclass(frozen=True, slots=True)
class ShotStatus:
    state: ShotState
    progress: float | None = None
    """0–1 while running, else None."""
    message: str = ""
    jobs: int = 0


def is_waiting(record: JobRecord) -> bool:
    """Not yet at the provider, or waiting there for a free slot: the card and the jobs panel say "queued"."""
    if record.phase in _WAITING:
        return True
    return record.phase is JobPhase.SUBMITTED and record.progress <= 0 and record.message.startswith("Waiting")


def shot_status(shot: Shot, jobs: Iterable[JobRecord]) -> ShotStatus:
    """The state a card shows: a job in flight wins, then a failed last job, then whether there is a take. A draft
    still of the shot (services.stills) is no clip in the making: its grid shows it, the card does not."""
    mine = sorted(
        (j for j in jobs if j.shot_id == shot.id and j.request.get("kind") != MediaKind.IMAGE.value),
        key=lambda j: j.created_at,
    )
    attached = {t.generation.job_id for t in shot.takes if t.generation is not None}
    in_flight = [j for j in mine if not j.phase.is_final and j.id not in attached]
    if in_flight:
        running = [j for j in in_flight if not is_waiting(j)]
        if running:
            progress = max(j.progress for j in running)
            return ShotStatus(ShotState.RUNNING, progress, running[-1].message, len(mine))
        return ShotStatus(ShotState.QUEUED, None, in_flight[-1].message, len(mine))
    if mine and mine[-1].phase in _FAILED and mine[-1].id not in attached:
        state = _ENDED_AS.get(mine[-1].phase, ShotState.FAILED)
        return ShotStatus(state, None, mine[-1].message, len(mine))
    state = ShotState.READY if shot.picked_take is not None else ShotState.NO_TAKE
    return ShotStatus(state, None, "", len(mine))


def is_offline(registry: BackendRegistry, backend_id: str) -> bool:
    try:
        return registry.info(backend_id).kind is BackendKind.OFFLINE
    except UnknownBackend:
        return False


def model_info(registry: BackendRegistry, settings: GenerationSettings) -> ModelInfo | None:
    """The model a shot asks for (the backend's default when it names none); None if it is unknown."""
    try:
        return registry.info(settings.backend).model(settings.model)
    except UnknownBackend:
        return None


def estimate(registry: BackendRegistry, project: Project, shot: Shot) -> Decimal | None:
    """What one take of this shot should cost in USD; None when free or unknown."""
    try:
        info = registry.info(shot.generation.backend)
    except UnknownBackend:
        return None
    model = info.model(shot.generation.model)
    if model is None:
        return None
    try:
        made = fit_length(model, shot.generation.duration_us)
    except InputRejected:
        return None  # the model cannot make this shot's length: nothing will be sent, so nothing is priced
    # priced as services.generation.build_request will send it: the length made, the sound and resolution asked
    request = GenerationRequest(
        job_id="estimate",
        shot_id=shot.id,
        backend=info.id,
        model=model.id,
        prompt=shot.prompt,
        duration_us=made.made_us,
        resolution=shot.generation.resolution,
        audio=shot.generation.audio,
        size=request_size(shot.generation.aspect, project.settings.size)
        if ":" in shot.generation.aspect
        else project.settings.size,
    )
    return registry.estimate(request)


def fit_to_model(settings: GenerationSettings, model: ModelInfo) -> GenerationSettings:
    """Settings moved inside what a newly chosen model can do (duration, aspect, resolution, frames, audio)."""
    try:
        duration = fit_length(model, settings.duration_us).made_us
    except InputRejected:
        # a length the model's own rule refuses (longer than it makes, or not one it makes exactly): the nearest
        duration = fit_length(dataclasses.replace(model, length_fit=LengthFit.NEAREST), settings.duration_us).made_us
    aspect = settings.aspect if settings.aspect in model.aspects or not model.aspects else model.aspects[0]
    resolution = settings.resolution if settings.resolution in model.resolutions else ""
    return dataclasses.replace(
        settings,
        model=model.id,
        duration_us=duration,
        aspect=aspect,
        resolution=resolution,
        audio=settings.audio and model.audio,
        seed=settings.seed if model.seed else None,
        first_frame=settings.first_frame if model.image_to_video or model.first_last_frame else None,
        last_frame=settings.last_frame if model.first_last_frame else None,
        reference_images=settings.reference_images[: model.reference_images],
    )


def follow_on_settings(project: Project, after_id: str | None, default_backend: str = "animatic") -> GenerationSettings:
    """Settings for a shot inserted after `after_id`: the same backend, model, length and aspect, no frames."""
    if after_id is not None and project.has_shot(after_id):
        previous = project.shot(after_id).generation
        return GenerationSettings(
            backend=previous.backend,
            model=previous.model,
            duration_us=previous.duration_us,
            aspect=previous.aspect,
            resolution=previous.resolution,
            audio=previous.audio,
        )
    return GenerationSettings(backend=default_backend)


def insert_index(project: Project, after_id: str | None) -> int:
    """Where a new shot goes: right after `after_id`, or at the end."""
    if after_id is not None and project.has_shot(after_id):
        return project.index_of(after_id) + 1
    return len(project.shots)


def new_shots(
    project: Project, after_id: str | None, texts: list[tuple[str, str]], default_backend: str = "animatic"
) -> tuple[list[Shot], int]:
    """Shots for (title, prompt) pairs and the index the first goes to; they follow the shot before them."""
    settings = follow_on_settings(project, after_id, default_backend)
    shots = [Shot(id=new_id(), prompt=prompt, title=title, generation=settings) for title, prompt in texts]
    return shots, insert_index(project, after_id)


def last_frame_image(bundle: ProjectBundle, take: Take) -> str:
    """Save the last frame a take plays (at full width) into media/; returns its path in the project.

    Slow (decodes video): call it off the GUI thread.
    """
    info = take.info
    width = info.display_size.width if info.display_size else 1280
    frame_us = round(1_000_000 / info.fps) if info.fps else 40_000
    at_us = max(take.trim.in_us, take.trim.out_us - frame_us)
    with tempfile.TemporaryDirectory(dir=bundle.cache_dir if bundle.cache_dir.is_dir() else None) as scratch:
        still = thumbnail(bundle.resolve(take.media), at_us, Path(scratch) / "last-frame.jpg", width)
        return bundle.import_media(still)


def import_image(bundle: ProjectBundle, path: Path) -> str:
    """Copy a still image into media/ (for first/last frames and references); returns its path in the project."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise MediaUnreadable(f"{path.name} is not a picture Shotline can send; choose a PNG, JPEG or WebP image.")
    return bundle.import_media(path)
