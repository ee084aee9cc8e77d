"""Draft pictures of a cast member: the "Draft stills" grid opened from Cast & places, its prompt the member's
description, so a character, place or prop gets its first pictures before a shot shows it (issue 16).

The member is drafted as a shot that is not in the film: its prompt the member's description (its name when it has
none), its own pictures as that shot's reference images (a model that takes pictures keeps the member's look), in a
square frame where the model makes one. Its jobs are journaled under the member's id, so `stills_of(records,
member.id)` lists its pictures as a shot's stills are listed, and a job resumed after a crash lands as any still's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from shotline.core.errors import InputRejected
from shotline.core.model import CastMember, GenerationSettings, Project, Shot
from shotline.core.ports import JobRecord
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService
from shotline.services.session import ProjectSession
from shotline.services.stills import FEWEST, MOST, build_still_request

PORTRAIT_ASPECT = "1:1"
"""A reference picture is a portrait of one thing: square where the model makes squares, else its first frame."""


def member_prompt(member: CastMember) -> str:
    """What a member's pictures are asked to show: its description, else its name."""
    return member.description.strip() or member.name


def member_shot(member: CastMember, backend: str) -> Shot:
    """The member as a shot outside the film, for the stills' request (`build_still_request`)."""
    settings = GenerationSettings(backend=backend, aspect=PORTRAIT_ASPECT, reference_images=member.images)
    return Shot(id=member.id, prompt=member_prompt(member), title=member.name, generation=settings)


def plan_member_stills(
    ctx: AppContext,
    session: ProjectSession,
    generation: GenerationService,
    member_ref: str,
    count: int,
    *,
    backend: str,
    model: str | None = None,
    jobs_so_far: Iterable[JobRecord] | None = None,
) -> list[JobRecord]:
    """One job per picture of the member, priced and checked against the budget together; nothing is written."""
    if not FEWEST <= count <= MOST:
        raise InputRejected(f"Draft {FEWEST} to {MOST} pictures at a time, not {count}.")
    project = session.project
    member = project.member(member_ref)
    shot = member_shot(member, backend)
    # the request is built as a shot's (its cast carried, its pictures checked inside the project); the member's
    # shot is in this copy of the project only, so nothing of it reaches the film
    drafted: Project = replace(project, shots=(*project.shots, shot))
    requests = [
        replace(
            build_still_request(
                ctx, drafted, shot, backend=backend, model=model, project_dir=session.bundle.path, variant=variant
            ),
            shot_number=0,  # no shot of the film
        )
        for variant in range(count)
    ]
    return generation.priced(requests, jobs_so_far)
