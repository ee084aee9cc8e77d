"""Dialogue lines: the pure edits and their undo, who says a line, and what copies and removals do to lines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shotline.core import cast, commands, dialogue, edits
from shotline.core.errors import EditError
from shotline.core.history import History
from shotline.core.model import CastMember, DialogueLine, Project
from tests.core.factories import project, shot


def _film() -> Project:
    film = project(shot("a", "t1"), shot("b", "t2"))
    return replace(film, cast=(CastMember("m1", "Mara"),))


def _said(film: Project, shot_id: str = "a") -> list[tuple[str, str]]:
    return [(dialogue.speaker_name(film, line), line.text) for line in film.shot(shot_id).dialogue]


def test_lines_are_added_edited_moved_and_removed_in_speaking_order() -> None:
    film = dialogue.add_line(_film(), "a", DialogueLine("l1", "  Cast off.  ", member_id="m1"))
    film = dialogue.add_line(film, "a", DialogueLine("l2", "Tide's turning!", speaker=" Harbourmaster "))
    film = dialogue.add_line(film, "a", DialogueLine("l0", "Morning."), index=0)
    assert _said(film) == [("", "Morning."), ("Mara", "Cast off."), ("Harbourmaster", "Tide's turning!")]
    film = dialogue.edit_line(film, "a", "2", text="Cast off, now.")  # by position, as the CLI gives it
    film = dialogue.edit_line(film, "a", "l0", speaker="Gull")
    film = dialogue.edit_line(film, "a", "l2", member_id="m1")  # a cast member replaces the typed name
    assert _said(film) == [("Gull", "Morning."), ("Mara", "Cast off, now."), ("Mara", "Tide's turning!")]
    assert film.shot("a").dialogue[2].speaker == ""
    film = dialogue.move_line(film, "a", "l0", 9)
    assert [line.id for line in film.shot("a").dialogue] == ["l1", "l2", "l0"]
    film = dialogue.remove_line(film, "a", "l1")
    assert [line.id for line in film.shot("a").dialogue] == ["l2", "l0"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda f: dialogue.add_line(f, "b", DialogueLine("l1", "again")), "A line with id l1 is already"),
        (lambda f: dialogue.add_line(f, "a", DialogueLine("x", "w" * 1001)), "The line is longer than 1000"),
        (lambda f: dialogue.add_line(f, "a", DialogueLine("x", "hi", "S" * 81)), "speaker's name is longer than 80"),
        (lambda f: dialogue.add_line(f, "a", DialogueLine("x", "hi", member_id="gone")), "no longer in the project"),
        (lambda f: dialogue.edit_line(f, "a", "3", text="hi"), "Shot A has no line '3' (it has 1 line)"),
        (lambda f: dialogue.edit_line(f, "b", "1", text="hi"), "Shot B has no line '1' (it has no lines yet)"),
        (lambda f: dialogue.edit_line(f, "a", "l1", speaker="X", member_id="m1"), "one speaker"),
    ],
)
def test_a_line_that_cannot_be_is_refused_with_why(change: object, words: str) -> None:
    film = dialogue.add_line(_film(), "a", DialogueLine("l1", "Cast off."))
    with pytest.raises(EditError, match=words.replace("(", r"\(").replace(")", r"\)")):
        change(film)  # type: ignore[operator]


def test_a_shot_keeps_at_most_fifty_lines() -> None:
    film = _film()
    for n in range(dialogue.MAX_LINES):
        film = dialogue.add_line(film, "a", DialogueLine(f"l{n}", "hi"))
    with pytest.raises(EditError, match="has 50 lines, the most a shot keeps"):
        dialogue.add_line(film, "a", DialogueLine("one-more", "hi"))


def test_each_edit_is_one_undo_step_and_typing_a_line_merges() -> None:
    history = History(_film())
    history.execute(commands.add_line("a", "Cast off.", member_id="m1"))
    line_id = history.project.shot("a").dialogue[0].id
    for typed in ("Cast", "Cast off", "Cast off now"):
        history.execute(commands.edit_line("a", line_id, text=typed))
    assert _said(history.project) == [("Mara", "Cast off now")]
    history.undo()
    assert _said(history.project) == [("Mara", "Cast off.")], "the typing was one step"
    history.undo()
    assert history.project.shot("a").dialogue == ()


def test_removing_a_member_keeps_its_lines_said_by_its_name_and_an_undo_relinks_them() -> None:
    film = dialogue.add_line(_film(), "a", DialogueLine("l1", "Cast off.", member_id="m1"))
    gone = cast.remove_member(film, "m1")
    [line] = gone.shot("a").dialogue
    assert (line.member_id, line.speaker, dialogue.speaker_name(gone, line)) == (None, "Mara", "Mara")
    history = History(film)
    history.execute(commands.remove_cast_member("m1"))
    history.undo()
    assert history.project.shot("a").dialogue[0].member_id == "m1"


def test_a_duplicate_copies_the_lines_under_new_ids_and_a_split_keeps_them_on_the_first_half() -> None:
    film = dialogue.add_line(_film(), "a", DialogueLine("l1", "Cast off."))
    copied = edits.duplicate_shot(film, "a", "a2")
    [original], [copy] = copied.shot("a").dialogue, copied.shot("a2").dialogue
    assert copy.text == original.text and copy.id != original.id
    split = edits.split_shot(film, "a", 2_000_000, "a3")
    assert [line.id for line in split.shot("a").dialogue] == ["l1"] and split.shot("a3").dialogue == ()


def test_only_lines_with_words_are_spoken() -> None:
    film = dialogue.add_line(_film(), "a", DialogueLine("l1", ""))
    film = dialogue.add_line(film, "a", DialogueLine("l2", "Cast off."))
    assert [line.id for line in dialogue.spoken(film.shot("a"))] == ["l2"]
    assert dialogue.written(film, film.shot("b"), dialogue.DialogueForm.BLOCK) == ""
