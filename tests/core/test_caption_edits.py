"""The captions lane's edits: move, trim, split, edit words, add and delete — each one undo step, each marking the
caption as the creator's (edited), captions kept in time order."""

from __future__ import annotations

import pytest

from shotline.core import commands
from shotline.core.errors import EditError
from shotline.core.history import History
from shotline.core.model import Caption, Project

A = Caption("a", 1_000_000, 3_000_000, "Where is the boat tonight?", "Mara", "l-a")
B = Caption("b", 4_000_000, 5_000_000, "Gone.", "Old man", "l-b")


def _project() -> Project:
    return Project("p", "t", captions=(A, B))


def test_a_drag_moves_a_caption_keeps_its_length_and_order_and_is_one_undo_step() -> None:
    history = History(_project())
    for start in (2_000_000, 3_500_000, 4_500_000):  # one drag, three moves
        history.execute(commands.move_caption("a", start))
    moved = history.project.captions
    assert [c.id for c in moved] == ["b", "a"]
    assert (moved[1].start_us, moved[1].end_us, moved[1].edited) == (4_500_000, 6_500_000, True)
    history.undo()
    assert history.project.captions == (A, B)


def test_a_trim_keeps_a_readable_length_and_a_move_stops_at_the_films_start() -> None:
    project = commands.trim_caption("a", 2_500_000, 2_500_001).apply(_project())
    assert project.captions[0].duration_us == 100_000
    project = commands.move_caption("b", -3_000_000).apply(project)
    assert project.captions[0].id == "b" and project.captions[0].start_us == 0


def test_a_split_shares_the_words_as_the_time_is_and_both_halves_are_edited() -> None:
    project = commands.split_caption("a", 2_000_000).apply(_project())
    first, second, _ = project.captions
    assert (first.text, first.start_us, first.end_us) == ("Where is the", 1_000_000, 2_000_000)
    assert (second.text, second.start_us, second.end_us) == ("boat tonight?", 2_000_000, 3_000_000)
    assert first.edited and second.edited and second.id != "a" and second.line_id == "l-a"
    with pytest.raises(EditError, match="one word"):
        commands.split_caption("b", 4_500_000).apply(project)
    with pytest.raises(EditError, match="inside it"):
        commands.split_caption("a", 1_050_000).apply(_project())


def test_typing_words_is_one_step_and_a_caption_cannot_be_emptied() -> None:
    history = History(_project())
    for text in ("W", "Wh", "Where now?"):
        history.execute(commands.set_caption_text("b", text))
    assert history.project.captions[1].text == "Where now?" and history.project.captions[1].edited
    history.undo()
    assert history.project.captions[1] == B
    with pytest.raises(EditError, match="needs words"):
        commands.set_caption_text("b", "  ").apply(_project())


def test_a_caption_added_by_hand_is_the_creators_and_one_can_be_deleted() -> None:
    project = commands.add_caption(3_200_000, 3_900_000, " Listen. ").apply(_project())
    added = project.captions[1]
    assert (added.text, added.edited, added.line_id) == ("Listen.", True, None)
    project = commands.remove_caption("a").apply(project)
    assert [c.id for c in project.captions] == [added.id, "b"]
    with pytest.raises(EditError, match="no longer"):
        commands.remove_caption("a").apply(project)
