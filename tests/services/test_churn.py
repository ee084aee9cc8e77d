"""Churn: a retired model is named with its replacement, never sent a job, and one undoable edit moves every shot on
it to the replacement, showing first what the new model keeps or drops; and what a model cannot take of a shot is
said (services.shot_fit) by the same rule that leaves it out of the request."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendRegistry
from shotline.core import commands
from shotline.core.errors import InputRejected, ModelRetired
from shotline.core.lengths import LengthFit
from shotline.core.model import GenerationSettings, Shot, Size
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService, build_request
from shotline.services.model_move import plan_move, plan_moves
from shotline.services.retirement import retired_in_use, retirement
from shotline.services.session import ProjectSession
from shotline.services.shot_fit import Setting, fit_shot, sending_notes, take_off_command
from tests.services.retired_models import NEW, OLD, RETIRED_ON, SPEC

ANIMATIC = builtin_spec("animatic")

EIGHT_SECONDS = 8_000_000
ON_OLD = GenerationSettings(
    backend="studio",
    model=OLD.id,
    duration_us=EIGHT_SECONDS,
    aspect="1:1",
    seed=42,
    audio=True,
    first_frame="media/dawn.png",
    last_frame="media/dusk.png",
    reference_images=("media/face.png",),
)


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context() as context:
        context.registry = BackendRegistry(builtins=[ANIMATIC, SPEC], discover=False)
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        yield opened


def test_what_a_model_keeps_changes_and_drops_of_a_shot() -> None:
    shot = Shot(id="s", prompt="A lighthouse", negative_prompt="no people", generation=ON_OLD)
    fit = fit_shot(shot, NEW)
    assert fit.kept == (Setting.FIRST_FRAME, Setting.SOUND)
    assert [d.setting for d in fit.dropped] == [
        Setting.END_FRAME,
        Setting.SEED,
        Setting.NEGATIVE_PROMPT,
        Setting.REFERENCES,
    ]
    assert fit.cannot_take() == (
        "Studio Two cannot take this shot's end frame, seed 42, negative prompt or 1 reference image: "
        "they will not be sent."
    )
    assert {d.setting for d in fit.changed} == {Setting.ASPECT, Setting.LENGTH}
    assert fit.length is not None and fit.length.made_us == 10_000_000
    assert "asks 8 s → 10 s will be made and billed" in " ".join(fit.notes())
    assert fit_shot(shot, OLD).dropped == ()  # the model it was made for takes everything
    seedless = dataclasses.replace(
        shot, negative_prompt="", generation=dataclasses.replace(shot.generation, last_frame=None, reference_images=())
    )
    assert fit_shot(seedless, NEW).cannot_take() == "Studio Two cannot take this shot's seed 42: it will not be sent."


def test_a_length_the_model_cannot_make_is_said_not_sent() -> None:
    exact = dataclasses.replace(NEW, length_fit=LengthFit.EXACT)
    fit = fit_shot(Shot(id="s", prompt="x", generation=ON_OLD), exact)
    assert fit.length is None and "makes clips of 5 or 10 s, not 8 s" in fit.length_refused


def test_the_request_leaves_out_exactly_what_the_shot_is_told_is_dropped(
    ctx: AppContext, session: ProjectSession
) -> None:
    """_images used to drop an end frame in silence; now the same rule (shot_fit) says it and leaves it out."""
    shot = add_shot(session, "A lighthouse", generation=dataclasses.replace(ON_OLD, model=NEW.id, aspect="16:9"))
    request = build_request(ctx, session.project, session.project.shot(shot.id))
    fit = fit_shot(session.project.shot(shot.id), NEW)
    assert Setting.END_FRAME in fit.drops and request.last_frame is None
    assert Setting.FIRST_FRAME not in fit.drops and request.first_frame == "media/dawn.png"
    assert Setting.REFERENCES in fit.drops and request.reference_images == ()


def test_a_retired_model_is_named_with_its_replacement_and_never_sent(ctx: AppContext, session: ProjectSession) -> None:
    shot = add_shot(session, "A lighthouse", generation=ON_OLD)
    retired = retirement(ctx.registry, shot.generation)
    assert retired is not None and retired.replacement == NEW
    assert retired.describe() == f"Studio One was retired by Test Studio on {RETIRED_ON}; Studio Two replaces it."
    assert retired.describe(today=date(2026, 7, 1)).startswith(f"Test Studio retires Studio One on {RETIRED_ON}")
    with pytest.raises(ModelRetired, match="Studio Two replaces it") as refused:
        GenerationService(ctx, session).prepare([shot.id])
    assert refused.value.replacement == NEW.id
    assert session.journal.all() == []  # refused before it was written down, so never priced or sent


def test_a_provider_answer_names_a_model_the_catalogue_still_lists(ctx: AppContext, session: ProjectSession) -> None:
    shot = add_shot(session, "A lighthouse", generation=dataclasses.replace(ON_OLD, model=NEW.id))
    assert retirement(ctx.registry, shot.generation) is None
    said = retirement(ctx.registry, shot.generation, {("studio", NEW.id): ""})
    assert said is not None and said.replacement is None
    assert said.describe() == "Test Studio says Studio Two is no longer available; choose another model for its shots."
    with pytest.raises(InputRejected, match="Name the model to move its shots to"):
        plan_move(ctx.registry, session.project, said)


def test_one_undoable_edit_moves_every_shot_off_a_retired_model(ctx: AppContext, session: ProjectSession) -> None:
    first = add_shot(session, "A lighthouse", generation=ON_OLD)
    session.execute(commands.set_prompt(first.id, first.prompt, "no people"))
    add_shot(session, "A gull", generation=GenerationSettings(duration_us=3_000_000))
    third = add_shot(session, "A net", generation=dataclasses.replace(ON_OLD, last_frame=None, seed=None))
    before = session.project
    assert [r.model_id for r in retired_in_use(ctx.registry, before)] == [OLD.id]

    [move] = plan_moves(ctx.registry, before)
    assert [m.number for m in move.shots] == [1, 3]
    heading, shot_one, shot_three = move.describe()
    assert heading == "Studio One → Studio Two: 2 shots"
    assert move.describe(ids=True)[0] == "studio/studio-one → studio/card: 2 shots"  # as the command line names them
    assert shot_one == (
        "Shot 1: keeps first frame, sound; drops end frame, seed 42, negative prompt, 1 reference image; "
        "8 s → 10 s made; aspect 1:1 → 16:9; $0.40 → $1.00 a take"
    )
    assert "drops" in shot_three and "end frame" not in shot_three
    assert (move.shots[0].cost_before, move.shots[0].cost_after) == (Decimal("0.40"), Decimal("1.00"))
    assert session.project is before  # showing the move changed nothing

    session.execute(move.command())
    moved = [session.project.shot(s.id).generation for s in (first, third)]
    assert all(g.model == NEW.id and g.duration_us == 10_000_000 and g.aspect == "16:9" for g in moved)
    assert moved[0].last_frame is None and moved[0].seed is None and moved[0].first_frame == "media/dawn.png"
    assert session.project.shot(first.id).negative_prompt == ""  # dropped, as shown: not left on the shot unsent
    assert session.project.shots[1].generation == before.shots[1].generation  # the animatic shot stays
    assert retired_in_use(ctx.registry, session.project) == []
    build_request(ctx, session.project, session.project.shot(first.id))  # sendable now

    session.undo()  # one step takes every shot back, end frame and seed included
    assert session.project.shots == before.shots
    session.redo()
    assert [session.project.shot(s.id).generation for s in (first, third)] == moved


def test_what_the_model_cannot_take_comes_off_the_shot_in_one_undoable_step(session: ProjectSession) -> None:
    """The inspector hides the fields a model has no place for; its Remove button clears them instead."""
    shot = add_shot(session, "A lighthouse", generation=dataclasses.replace(ON_OLD, model=NEW.id, aspect="16:9"))
    session.execute(commands.set_prompt(shot.id, shot.prompt, "no people"))
    before = session.project.shot(shot.id)
    session.execute(take_off_command(shot.id, NEW))
    after = session.project.shot(shot.id)
    assert fit_shot(after, NEW).dropped == ()
    assert (after.generation.last_frame, after.generation.seed, after.negative_prompt) == (None, None, "")
    assert after.generation.reference_images == () and after.generation.first_frame == "media/dawn.png"
    assert after.generation.duration_us == EIGHT_SECONDS  # only what it cannot take; the length is fitted when sent
    session.undo()
    assert session.project.shot(shot.id) == before


def test_generate_notes_name_each_shot_and_skip_a_retired_model(ctx: AppContext, session: ProjectSession) -> None:
    on_new = add_shot(session, "A gull", generation=dataclasses.replace(ON_OLD, model=NEW.id, aspect="16:9"))
    on_old = add_shot(session, "A net", generation=dataclasses.replace(ON_OLD, reference_images=("a.png", "b.png")))
    notes = sending_notes(ctx.registry, session.project, [on_new.id, on_old.id])
    assert notes[0] == (
        "Shot 1: Studio Two cannot take this shot's end frame, seed 42 or 1 reference image: they will not be sent."
    )
    assert all(note.startswith("Shot 1:") for note in notes)  # shot 2's model is retired: refused, not noted
    assert sending_notes(ctx.registry, session.project, [on_old.id], model=NEW.id)[0].startswith("Shot 2: Studio Two")
