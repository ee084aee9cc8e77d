from __future__ import annotations

from functools import partial

import pytest

from shotline.core import commands, edits
from shotline.core.errors import EditError, InvalidTrim, UnknownShot
from shotline.core.history import History
from shotline.core.model import Shot
from tests.core.factories import project, shot, take


def _edits(first: Shot) -> list[commands.Command]:
    return [
        commands.add_shot(shot("c", "tc")),
        commands.trim_shot("a", 500_000, 3_000_000),
        commands.move_shot("c", 0),
        commands.split_shot("a", 1_000_000),
        commands.set_prompt("b", "a lighthouse at dusk"),
        commands.pick_take("b", "tb2"),
        commands.duplicate_shot("c"),
        commands.remove_shot(first.id),
    ]


def test_undo_all_restores_original_and_redo_all_restores_final() -> None:
    a, b = shot("a", "ta"), shot("b", "tb1", "tb2")
    original = project(a, b)
    history = History(original)
    states = [original]
    for command in _edits(a):
        history.execute(command)
        history.seal()
        states.append(history.project)
    final = history.project
    assert len({id(s) for s in states}) == len(states), "every edit must change the project"

    for expected in reversed(states[:-1]):
        assert history.undo() == expected
    assert history.project == original
    assert not history.can_undo and history.undo() is None

    for expected in states[1:]:
        assert history.redo() == expected
    assert history.project == final
    assert not history.can_redo


def test_merged_commands_collapse_into_one_step() -> None:
    history = History(project(shot("a", "ta")))
    original = history.project
    for out_us in range(3_880_000, 2_000_000, -120_000):  # a trim drag, on 25 fps frames
        history.execute(commands.trim_shot("a", 0, out_us))
    history.seal()
    assert history.undo_label == "Trim shot"
    assert history.project.shots[0].takes[0].trim.out_us == 2_080_000
    history.undo()
    assert history.project == original
    assert not history.can_undo


def test_seal_separates_gestures_with_the_same_merge_key() -> None:
    history = History(project(shot("a", "ta")))
    history.execute(commands.trim_shot("a", 0, 3_000_000))
    history.seal()
    history.execute(commands.trim_shot("a", 0, 2_000_000))
    history.undo()
    assert history.project.shots[0].takes[0].trim.out_us == 3_000_000


def test_different_merge_keys_do_not_merge() -> None:
    history = History(project(shot("a", "ta"), shot("b", "tb")))
    history.execute(commands.trim_shot("a", 0, 3_000_000))
    history.execute(commands.trim_shot("b", 0, 3_000_000))
    history.undo()
    assert history.project.shots[0].takes[0].trim.out_us == 3_000_000
    assert history.project.shots[1].takes[0].trim.out_us == 4_000_000


def test_failed_transaction_leaves_no_trace() -> None:
    original = project(shot("a", "ta"), shot("b", "tb"))
    history = History(original)
    history.execute(commands.set_prompt("a", "kept"))
    before = history.project
    with pytest.raises(InvalidTrim), history.transaction("Tidy up"):
        history.execute(commands.move_shot("b", 0))
        history.execute(commands.trim_shot("a", 0, 9_000_000))  # outside the 4 s clip
    assert history.project is before
    assert history.undo_label == "Edit prompt"
    assert not history.can_redo


def test_transaction_is_one_undo_step() -> None:
    original = project(shot("a", "ta"), shot("b", "tb"))
    history = History(original)
    with history.transaction("Split and move"):
        history.execute(commands.split_shot("a", 2_000_000))
        history.execute(commands.move_shot("b", 0))
    assert history.project.shots[0].id == "b"
    assert history.undo_label == "Split and move"
    assert history.undo() == original
    assert not history.can_undo


def test_clean_marker_follows_undo_and_redo() -> None:
    history = History(project(shot("a", "ta")))
    assert not history.is_dirty
    history.execute(commands.set_title("a", "One"))
    assert history.is_dirty
    history.mark_clean()
    history.execute(commands.set_title("a", "Two"))
    assert history.is_dirty
    history.undo()
    assert not history.is_dirty
    history.undo()
    assert history.is_dirty
    history.redo()
    assert not history.is_dirty


def test_clean_state_on_dropped_redo_branch_is_dirty_forever() -> None:
    history = History(project(shot("a", "ta")))
    history.execute(commands.set_title("a", "Saved"))
    history.mark_clean()
    history.undo()
    history.execute(commands.set_title("a", "Other"))
    assert history.is_dirty and not history.can_redo


def test_no_op_edit_leaves_no_step() -> None:
    history = History(project(shot("a", "ta")))
    history.execute(commands.move_shot("a", 0))
    assert not history.can_undo


def test_failed_edit_changes_nothing() -> None:
    history = History(project(shot("a", "ta")))
    with pytest.raises(UnknownShot):
        history.execute(commands.remove_shot("nope"))
    with pytest.raises(EditError):
        history.execute(commands.split_shot("a", 0))
    assert not history.can_undo


def test_a_landed_take_survives_every_undo_and_redo_and_leaves_the_steps_alone() -> None:
    """A take a job made is not an edit (issue 14, point 12): no undo or redo can remove it, none is added for it."""
    original = project(shot("a", "t1"))
    history = History(original)
    history.execute(commands.set_prompt("a", "dusk"))
    history.seal()
    history.execute(commands.add_shot(shot("b")))
    history.undo()  # "Add shot" waits on the redo branch
    landed = take("paid")
    history.land(partial(edits.land_take, shot_id="b", take=landed))
    assert history.undo_label == "Edit prompt" and history.redo_label == "Add shot"
    assert [r.take.id for r in history.project.removed_takes] == ["paid"], "shot b is not in the film now: it waits"
    history.redo()
    assert history.project.shot("b").takes == (landed,) and history.project.removed_takes == ()
    history.undo()
    history.undo()
    assert history.project.shot("a").prompt != "dusk" and [r.take for r in history.project.removed_takes] == [landed]
    assert not history.can_undo


def test_landing_keeps_a_saved_project_clean_and_an_edited_one_dirty() -> None:
    history = History(project(shot("a")))
    history.land(partial(edits.land_take, shot_id="a", take=take("paid")))
    assert not history.is_dirty and not history.can_undo
    history.execute(commands.set_title("a", "Harbour"))
    history.land(partial(edits.land_take, shot_id="a", take=take("second")))
    assert history.is_dirty
    history.undo()
    assert not history.is_dirty and [t.id for t in history.project.shot("a").takes] == ["paid", "second"]


def test_a_take_that_lands_during_a_transaction_stays_if_the_transaction_rolls_back() -> None:
    history = History(project(shot("a")))
    with pytest.raises(EditError), history.transaction("Two edits"):
        history.execute(commands.set_title("a", "Harbour"))
        history.land(partial(edits.land_take, shot_id="a", take=take("paid")))
        history.execute(commands.remove_shot("nope"))
    assert history.project.shot("a").title == "A" and [t.id for t in history.project.shot("a").takes] == ["paid"]
