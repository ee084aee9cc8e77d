"""Stills first: cheap draft pictures for a shot, made before paying for its clip, through the same registry, jobs,
journal and estimates as the clips (issue 16).

A still lands as a picture file under media/ (`media/<job id>.png`), not as a take: a take is what the timeline
plays and what a shot's pick chooses among, while a still is an ingredient — the shot's first frame, or a cast
member's reference picture — that several shots may use. The job journal is its record: which shot asked for it,
the request as sent, what it was estimated at and billed. So the "Draft stills" grid lists a shot's stills from the
journal (`stills_of`), and picking one is an undoable edit of the shot (`use_as_first_frame`) or of the cast
(`add_to_cast`); a resume after a crash finishes a still's job exactly as a clip's, and never pays twice (its create
was journaled before it went out).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from shotline.backends.catalogue import offered_model
from shotline.core import commands
from shotline.core.errors import InputRejected
from shotline.core.model import CastMember, Project, Shot, new_id
from shotline.core.ports import GenerationRequest, JobPhase, JobRecord, MediaKind, ModelInfo
from shotline.core.references import carry
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService, StartedJob, request_size
from shotline.services.session import ProjectSession
from shotline.storage import references

FEWEST = 1
MOST = 8
"""The grid drafts 2–8 candidates; one at a time is allowed from the command line."""


@dataclass(frozen=True, slots=True)
class Still:
    """One finished draft still of a shot."""

    job_id: str
    shot_id: str
    media: str
    """The picture, relative to the project folder (media/…)."""
    backend: str
    model: str
    estimated_cost: Decimal | None = None
    billed_cost: Decimal | None = None


def still_models(ctx: AppContext, backend_id: str) -> tuple[ModelInfo, ...]:
    return ctx.registry.info(backend_id).still_models


def build_still_request(
    ctx: AppContext,
    project: Project,
    shot: Shot,
    *,
    backend: str | None = None,
    model: str | None = None,
    project_dir: Path | None = None,
    variant: int = 0,
) -> GenerationRequest:
    """The request for one still of `shot`: its prompt, aspect and pictures as a clip's are carried to the model
    (core.references: the shot's own reference images first, then its cast's, the rest in words). `variant`
    (0, 1, …) moves a set seed on, so N stills of one shot are N different pictures."""
    number = project.index_of(shot.id) + 1
    backend_id = backend or shot.generation.backend
    info = ctx.registry.spec(backend_id).info
    if not info.still_models:
        makers = ", ".join(i.id for i in ctx.registry.infos() if i.still_models) or "none"
        raise InputRejected(f"{info.name} makes no stills in Shotline; choose a backend that does: {makers}.")
    chosen = offered_model(info, model or info.still_models[0].id, info.name, MediaKind.IMAGE)
    if not shot.prompt.strip():
        raise InputRejected(f"Shot {number} has no prompt; write what it should show first.")
    aspect = shot.generation.aspect if shot.generation.aspect in chosen.aspects else chosen.aspects[0]
    carried = carry(project, shot, chosen)
    seed = shot.generation.seed
    return GenerationRequest(
        job_id=new_id(),
        shot_id=shot.id,
        backend=backend_id,
        model=chosen.id,
        prompt=carried.prompt,
        duration_us=0,
        size=request_size(aspect, project.settings.size),
        fps=project.settings.fps,
        aspect=aspect,
        resolution=chosen.resolutions[0] if chosen.resolutions else "",
        negative_prompt=carried.negative_prompt if chosen.negative_prompt else "",
        seed=None if seed is None or not chosen.seed else seed + variant,
        audio=False,
        reference_images=_inside(carried.reference_images, project_dir),
        reference_tags=carried.reference_tags,
        cast=carried.placements,
        options=dict(shot.generation.options),
        label=shot.title.strip(),
        shot_number=number,
        kind=MediaKind.IMAGE,
    )


def _inside(pictures: tuple[str, ...], project_dir: Path | None) -> tuple[str, ...]:
    if project_dir is None:
        return pictures
    # checked again as the pictures are about to go out, as a clip's are (services.generation._images)
    return tuple(str(references.inside(project_dir, picture)) for picture in pictures)


class StillsService:
    """N stills for a shot: planned and priced (nothing sent), journaled, made, and landed as pictures."""

    def __init__(self, ctx: AppContext, session: ProjectSession, generation: GenerationService | None = None) -> None:
        self._ctx = ctx
        self._session = session
        self._generation = generation or GenerationService(ctx, session)

    def plan(
        self,
        shot_ref: str,
        count: int,
        *,
        backend: str | None = None,
        model: str | None = None,
        jobs_so_far: Iterable[JobRecord] | None = None,
    ) -> list[JobRecord]:
        """One job per still, priced per picture and checked against the budget together; nothing is written."""
        if not FEWEST <= count <= MOST:
            raise InputRejected(f"Draft {FEWEST} to {MOST} stills at a time, not {count}.")
        project = self._session.project
        shot = project.shot(shot_ref)
        requests = [
            build_still_request(
                self._ctx,
                project,
                shot,
                backend=backend,
                model=model,
                project_dir=self._session.bundle.path,
                variant=variant,
            )
            for variant in range(count)
        ]
        return self._generation.priced(requests, jobs_so_far)

    def make(self, records: Sequence[JobRecord]) -> list[StartedJob]:
        """Journal every still's job, then run them (on the runner); land each outcome with `land`."""
        return self._generation.run(self._generation.write_down(list(records)))

    def land(self, started: StartedJob) -> Still:
        """Wait for one still's job and note it landed; raises the job's BackendError."""
        outcome = started.handle.result()
        self._generation.attach(outcome)
        return _still(self._session.journal.get(outcome.job_id))


def stills_of(records: Iterable[JobRecord], shot_id: str | None = None) -> list[Still]:
    """The finished stills in the journal (of one shot, when given), oldest first: what the grid shows."""
    return [
        _still(record)
        for record in records
        if record.kind is MediaKind.IMAGE
        and record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED)
        and record.media_path
        and (shot_id is None or record.shot_id == shot_id)
    ]


def _still(record: JobRecord) -> Still:
    return Still(
        job_id=record.id,
        shot_id=record.shot_id,
        media=record.media_path,
        backend=record.backend,
        model=record.model,
        estimated_cost=record.estimated_cost,
        billed_cost=record.billed_cost,
    )


def use_as_first_frame(session: ProjectSession, shot_ref: str, still: Still) -> Shot:
    """Make the still the shot's first frame, one undoable step; Generate then animates it."""
    shot = session.project.shot(shot_ref)
    settings = replace(shot.generation, first_frame=still.media)
    session.execute(commands.set_generation(shot.id, settings))
    return session.project.shot(shot.id)


def add_to_cast(session: ProjectSession, member_ref: str, still: Still) -> CastMember:
    """Add the still to a cast member's reference pictures (after its others), one undoable step."""
    member = session.project.member(member_ref)
    session.execute(commands.add_cast_image(member.id, still.media))
    return session.project.member(member.id)
