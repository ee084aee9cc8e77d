"""The continuity check finds a cast member the picked take's model was given nothing of (issue 16): read from the
take's request snapshot, where the job recorded per member what was sent (core.references)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.model import CastKind, CastMember, Size
from shotline.services.context import AppContext, open_context
from shotline.services.continuity import Fix, Problem, check
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.session import ProjectSession
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


def test_a_member_sent_neither_as_a_picture_nor_in_words_is_found_by_its_name_now(
    ctx: AppContext, session: ProjectSession
) -> None:
    session.execute(commands.add_cast_member(CastMember("c1", "Mara", CastKind.CHARACTER, "a fisherwoman")))
    session.execute(commands.add_cast_member(CastMember("c2", "Gull", CastKind.PROP)))  # nothing to send of it
    shot = add_shot(session, "@Mara watches a @Gull over the quay", title="Quay")
    generation = GenerationService(ctx, session)
    [started] = generation.run(generation.prepare([shot.id]))  # the offline animatic: text only
    generation.attach(started.handle.result(timeout=120))

    [finding] = check(session.project)
    assert finding.problem is Problem.CAST_DROPPED
    assert finding.text == "Shot 1 (Quay): its take was made without @Gull (its model had no place for them)."
    assert [action.fix for action in finding.actions] == [Fix.REGENERATE]

    session.execute(commands.rename_cast_member("c2", "Seagull"))
    [renamed] = check(session.project)
    assert "without @Seagull " in renamed.text  # named as the creator knows it now, not as it was sent


def test_a_take_whose_cast_all_went_or_that_records_no_cast_is_not_a_finding(
    ctx: AppContext, session: ProjectSession
) -> None:
    session.execute(commands.add_cast_member(CastMember("c1", "Mara", CastKind.CHARACTER, "a fisherwoman")))
    shot = add_shot(session, "@Mara mends a net")
    generation = GenerationService(ctx, session)
    [started] = generation.run(generation.prepare([shot.id]))
    generation.attach(started.handle.result(timeout=120))
    assert check(session.project) == []  # Mara went in words
