"""Stills first: N draft stills of a shot through the same registry, jobs, journal and estimates as its clips; each
lands as a picture under media/, never as a take, and can become the shot's first frame or a cast picture."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import av
import pytest

from shotline.core import commands
from shotline.core.errors import InputRejected, OverBudget
from shotline.core.model import CastKind, CastMember, GenerationSettings, Size
from shotline.core.ports import JobPhase, MediaKind
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.jobs_view import state_detail, state_text
from shotline.services.session import ProjectSession
from shotline.services.stills import StillsService, add_to_cast, stills_of, use_as_first_frame
from shotline.storage.secrets import MemorySecretStore

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        yield opened


def _shot(session: ProjectSession, prompt: str = "A lighthouse at dawn", aspect: str = "16:9") -> str:
    settings = GenerationSettings(backend="animatic", model="card", duration_us=3_000_000, aspect=aspect)
    return add_shot(session, prompt, generation=settings).id


def _size(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.width, frame.height


def test_three_animatic_stills_land_as_pictures_not_takes(ctx: AppContext, session: ProjectSession) -> None:
    shot = _shot(session, aspect="9:16")
    stills = StillsService(ctx, session)

    records = stills.plan(shot, 3)
    assert session.journal.all() == []  # planned and priced only
    assert [(r.backend, r.model) for r in records] == [("animatic", "still-card")] * 3
    assert all(r.request["kind"] == "image" and r.request["duration_us"] == 0 for r in records)
    made = [stills.land(job) for job in stills.make(records)]

    assert len({still.media for still in made}) == 3
    for still in made:
        picture = session.bundle.path / still.media
        assert picture.suffix == ".png" and picture.parent.name == "media"
        assert _size(picture) == (100, 180)  # the shot's 9:16 inside the 320×180 film
    assert session.project.shot(shot).takes == ()  # a still is an ingredient, not something the timeline plays
    assert {r.phase for r in session.journal.all()} == {JobPhase.ATTACHED}
    assert stills_of(session.journal.all(), shot) == made
    # the jobs panel says what was made, not "take added" for a take that is not there
    assert {state_text(r) for r in session.journal.all()} == {"done — still made"}
    assert "among the shot's stills" in state_detail(session.journal.all()[0])


def test_a_still_becomes_the_first_frame_or_a_cast_picture(ctx: AppContext, session: ProjectSession) -> None:
    shot = _shot(session)
    stills = StillsService(ctx, session)
    (still,) = [stills.land(job) for job in stills.make(stills.plan(shot, 1))]
    session.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER)))

    assert use_as_first_frame(session, shot, still).generation.first_frame == still.media
    assert add_to_cast(session, "Mara", still).images == (still.media,)
    session.history.undo()
    session.history.undo()
    assert session.project.shot(shot).generation.first_frame is None


def test_a_still_whose_job_was_left_downloaded_is_never_made_a_take_on_resume(
    ctx: AppContext, session: ProjectSession
) -> None:
    """A crash between the picture landing and the journal noting it: the resume (window, `shotline resume`) finishes
    the job through GenerationService, which must land a picture, not a take."""
    shot = _shot(session)
    stills = StillsService(ctx, session)
    (record,) = stills.plan(shot, 1)
    (job,) = stills.make([record])
    job.handle.result()  # done, but not landed: the row stays DOWNLOADED as after a crash
    assert session.journal.get(record.id).phase is JobPhase.DOWNLOADED

    generation = GenerationService(ctx, session)
    for resumed in generation.run(generation.unfinished()):
        assert generation.attach(resumed.handle.result()) is False
    assert session.project.shot(shot).takes == ()
    assert session.journal.get(record.id).phase is JobPhase.ATTACHED


def test_stills_are_priced_per_picture_and_held_to_the_budget(ctx: AppContext, session: ProjectSession) -> None:
    shot = _shot(session)
    session.execute(commands.set_project_settings(replace(session.project.settings, budget=Decimal("0.10"))))
    stills = StillsService(ctx, session)
    assert [r.estimated_cost for r in stills.plan(shot, 2)] == [None, None]  # the animatic is free

    # per picture, by the quality (the model's first resolution, medium, unless the catalogue says otherwise)
    planned = stills.plan(shot, 1, backend="openai", model="gpt-image-1")
    assert [(r.request["resolution"], r.estimated_cost) for r in planned] == [("medium", Decimal("0.063"))]
    with pytest.raises(OverBudget):  # two at $0.063 fit under $0.10 only one at a time
        stills.plan(shot, 2, backend="openai", model="gpt-image-1")
    assert session.journal.all() == []


@pytest.mark.parametrize(
    ("count", "backend", "said"),
    [
        (0, None, r"1 to 8 stills"),
        (9, None, r"1 to 8 stills"),
        (1, "comfyui", r"makes no stills in Shotline; choose a backend that does: animatic"),
    ],
)
def test_what_cannot_be_drafted_is_refused_before_anything_is_written(
    ctx: AppContext, session: ProjectSession, count: int, backend: str | None, said: str
) -> None:
    shot = _shot(session)
    with pytest.raises(InputRejected, match=said):
        StillsService(ctx, session).plan(shot, count, backend=backend)
    assert session.journal.all() == []


def test_a_clip_request_snapshot_reads_as_before_and_a_still_round_trips(
    ctx: AppContext, session: ProjectSession
) -> None:
    from shotline.core.ports import GenerationRequest

    shot = _shot(session)
    (record,) = StillsService(ctx, session).plan(shot, 1)
    request = GenerationRequest.from_json(record.request)
    assert request.kind is MediaKind.IMAGE and GenerationRequest.from_json(request.to_json()) == request
    clip = replace(request, kind=MediaKind.VIDEO)
    assert "kind" not in clip.to_json()
