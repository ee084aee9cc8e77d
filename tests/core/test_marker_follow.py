"""Markers follow the shot they are on (`markers.follow`, applied by `History` to every edit): a beat marked on
shot 3 stays on that picture whatever is trimmed, moved, split, deleted or crossfaded before it, and undo puts it back.

Three shots of 4 s (25 fps takes, a 24 fps film): a 0-4 s, b 4-8 s, c 8-12 s."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from shotline.core import commands, edits
from shotline.core.history import History
from shotline.core.markers import follow
from shotline.core.model import GenerationSettings, Marker, Project, Shot, Transition, TransitionKind
from shotline.core.timecode import frame_time_us
from tests.core.factories import project, shot, take

S = 1_000_000
FPS = 24


def film(*shots: Shot, **marks: float) -> History:
    """A history over `shots` with a marker named after each keyword, at that many seconds."""
    markers = tuple(sorted((Marker(name, round(s * S), name) for name, s in marks.items()), key=lambda m: m.at_us))
    return History(replace(project(*shots), markers=markers))


def abc(**marks: float) -> History:
    return film(shot("a", "ta"), shot("b", "tb"), shot("c", "tc"), **marks)


def places(history: History) -> dict[str, float]:
    return {m.name: m.at_us / S for m in history.project.markers}


def undone_exactly(history: History, before: Project) -> None:
    after = history.project
    history.undo()
    assert history.project == before
    history.redo()
    assert history.project == after


def test_trimming_shot_1_slides_a_beat_on_shot_3_with_its_picture() -> None:
    history = abc(beat=9.0, on_b=5.5)
    before = history.project
    history.execute(commands.trim_shot("a", 0, 2 * S))
    assert places(history) == {"beat": 7.0, "on_b": 3.5}
    undone_exactly(history, before)


def test_a_trim_drag_is_one_step_and_the_marker_follows_each_move() -> None:
    history = abc(beat=9.0)
    for out in (3.6, 3.2, 2.8):
        history.execute(commands.trim_shot("a", 0, round(out * S)))
    assert places(history) == {"beat": 7.8}
    history.undo()
    assert places(history) == {"beat": 9.0}


def test_a_trim_of_the_marked_shots_start_keeps_the_marker_on_its_frame() -> None:
    history = abc(on_a=3.0, beat=9.0)
    history.execute(commands.trim_shot("a", 1 * S, 4 * S))
    assert places(history) == {"on_a": 2.0, "beat": 8.0}


def test_a_marker_on_a_moment_trimmed_off_stays_on_its_shots_nearest_kept_frame() -> None:
    history = abc(early=0.5, late=3.0)
    history.execute(commands.trim_shot("a", 1 * S, 2 * S))
    last_frame = frame_time_us(FPS - 1, project().settings.fps)  # a plays 1 s: its last frame starts at 23/24 s
    assert [m.at_us for m in history.project.markers] == [0, last_frame]


def test_moving_a_shot_carries_its_markers() -> None:
    history = abc(on_a=3.0, beat=9.0)
    before = history.project
    history.execute(commands.move_shot("c", 0))
    assert places(history) == {"beat": 1.0, "on_a": 7.0}
    undone_exactly(history, before)


def test_a_deleted_shots_marker_stays_where_the_shot_was_and_later_ones_close_up() -> None:
    history = abc(on_b=5.5, beat=9.0)
    before = history.project
    history.execute(commands.remove_shot("b"))
    assert places(history) == {"on_b": 4.0, "beat": 5.0}
    undone_exactly(history, before)
    history.undo()
    history.execute(commands.remove_shot("c"))  # the last shot: its marker goes to the film's new end
    assert places(history) == {"on_b": 5.5, "beat": 8.0}


def test_a_marker_past_a_split_goes_with_the_second_half() -> None:
    history = abc(beat=9.0)
    history.execute(commands.split_shot("c", 480_000))  # on a frame of the 25 fps take
    assert places(history) == {"beat": 9.0}  # nothing moved: the split did not pin it to the first half's end
    history.execute(commands.remove_shot("c"))  # the first half goes: the second, with the beat, closes up
    assert places(history) == {"beat": 8.52}


def test_a_crossfade_slides_the_later_shots_markers_with_them() -> None:
    history = abc(on_a=3.0, on_b=5.0, beat=9.0)
    before = history.project
    history.execute(commands.set_transition("a", Transition(TransitionKind.CROSSFADE, S)))
    assert places(history) == {"on_a": 3.0, "on_b": 4.0, "beat": 8.0}
    undone_exactly(history, before)


def test_a_shot_without_a_take_changing_its_length_moves_the_markers_after_it() -> None:
    history = film(shot("x"), shot("c", "tc"), on_x=1.0, beat=5.0)
    history.execute(commands.set_generation("x", GenerationSettings(duration_us=2 * S)))
    assert places(history) == {"on_x": 1.0, "beat": 3.0}


def test_picking_a_shorter_take_keeps_the_marker_as_far_into_the_shot_cut_to_its_length() -> None:
    b = replace(shot("b", "tb1"), takes=(take("tb1"), take("tb2", 2.0)))
    history = film(shot("a", "ta"), b, shot("c", "tc"), on_b=5.0, late_b=7.0, beat=9.0)
    history.execute(commands.pick_take("b", "tb2"))
    last_of_b = frame_time_us(6 * FPS - 1, project().settings.fps)  # b plays 4-6 s
    assert [m.at_us for m in history.project.markers] == [5 * S, last_of_b, 7 * S]


def test_a_take_landing_on_a_shot_without_one_moves_the_markers_after_it_in_every_snapshot() -> None:
    history = film(shot("x"), shot("c", "tc"), beat=5.0)
    history.execute(commands.set_title("c", "Dawn"))
    history.land(partial(edits.land_take, shot_id="x", take=take("tx", 6.0)))
    assert places(history) == {"beat": 7.0}
    history.undo()
    assert places(history) == {"beat": 7.0}


def test_a_marker_at_or_past_the_end_keeps_its_time_clamped_to_the_new_end() -> None:
    history = abc(end=12.0, after=15.0)
    history.execute(commands.trim_shot("c", 0, 2 * S))
    assert places(history) == {"end": 10.0, "after": 10.0}  # both kept: the names are the creator's
    history.undo()
    history.execute(commands.add_shot(shot("d", "td")))
    assert places(history) == {"end": 12.0, "after": 15.0}


def test_edits_of_the_markers_or_of_no_timing_leave_them_as_the_edit_made_them() -> None:
    history = abc(beat=9.0)
    titled = edits.set_title(history.project, "c", "Dawn")
    assert follow(history.project, titled) is titled
    history.execute(commands.add_marker(2 * S, "cue"))
    assert places(history) == {"cue": 2.0, "beat": 9.0}
