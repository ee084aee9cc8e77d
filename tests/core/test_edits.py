from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from shotline.core import edits
from shotline.core.errors import EditError, InvalidTrim, UnknownShot, UnknownTake
from shotline.core.model import GenerationRecord, MediaInfo, Size, Trim
from shotline.core.timeline import film_window
from tests.core.factories import project, shot, take

_RECORD = GenerationRecord(job_id="job", backend="runway", model="gen4.5")


def test_trim_snaps_to_source_frames() -> None:
    p = edits.trim_shot(project(shot("a", "ta")), "a", 1_010_000, 2_995_000)
    assert p.shots[0].takes[0].trim == Trim(1_000_000, 3_000_000)  # 25 fps frames are 40 ms apart


def test_trim_at_2997_lands_on_whole_frames() -> None:
    t = take("t")
    info = MediaInfo(10_010_000, True, False, fps=Fraction(30000, 1001), size=Size(320, 240))
    p = project(
        shot("a").__class__(
            "a", "p", takes=(t.__class__(t.id, t.media, t.origin, info, Trim(0, 10_010_000)),), picked_take_id="t"
        )
    )
    p = edits.trim_shot(p, "a", 1_000_000, 2_000_000)
    trim = p.shots[0].takes[0].trim
    assert trim.in_us == 1_001_000  # frame 30
    assert round(trim.out_us * Fraction(30000, 1001) / 1_000_000) * 1_000_000 / Fraction(30000, 1001) == pytest.approx(
        trim.out_us, abs=1
    )


@pytest.mark.parametrize(("in_us", "out_us"), [(-1, 1_000_000), (0, 5_000_000), (2_000_000, 1_000_000), (0, 0)])
def test_trim_outside_the_clip_is_refused_with_a_message(in_us: int, out_us: int) -> None:
    with pytest.raises(InvalidTrim, match="outside the clip"):
        edits.trim_shot(project(shot("a", "ta")), "a", in_us, out_us)


def test_trim_keeps_at_least_one_frame() -> None:
    with pytest.raises(InvalidTrim, match="one frame"):
        edits.trim_shot(project(shot("a", "ta")), "a", 1_000_000, 1_010_000)


def test_split_keeps_total_duration_and_orders_halves() -> None:
    p = project(shot("a", "ta", "tx"), shot("b", "tb"))
    p = edits.trim_shot(p, "a", 400_000, 3_600_000)
    before = film_window(p)
    p = edits.split_shot(p, "a", 1_000_000, "a2")
    assert [s.id for s in p.shots] == ["a", "a2", "b"]
    assert p.shots[0].picked_take.trim == Trim(400_000, 1_400_000)
    assert p.shots[1].picked_take.trim == Trim(1_400_000, 3_600_000)
    assert film_window(p) == before
    ids = [t.id for t in p.all_takes()]
    assert len(ids) == len(set(ids)), "take ids stay unique"


def test_split_outside_shot_is_refused() -> None:
    with pytest.raises(InvalidTrim):
        edits.split_shot(project(shot("a", "ta")), "a", 4_000_000, "x")


def test_shot_refs_accept_ids_and_positions() -> None:
    p = project(shot("a"), shot("b"))
    assert p.shot("2").id == "b"
    assert p.shot("a").id == "a"
    with pytest.raises(UnknownShot, match="from 1 to 2"):
        p.shot("3")
    with pytest.raises(UnknownTake):
        p.shot("a").take("1")


def test_attach_take_to_deleted_shot_goes_to_library() -> None:
    p = edits.attach_take(project(shot("a")), "gone", take("late"))
    assert [t.id for t in p.assets] == ["late"]
    with pytest.raises(EditError):
        edits.attach_take(p, "a", take("late"))


def test_attach_first_take_picks_it_and_remove_repicks() -> None:
    p = edits.attach_take(project(shot("a")), "a", take("t1"), pick=False)
    assert p.shots[0].picked_take_id == "t1"
    p = edits.attach_take(p, "a", take("t2"), pick=False)
    assert p.shots[0].picked_take_id == "t1"
    p = edits.remove_take(p, "a", "t1")
    assert p.shots[0].picked_take_id == "t2"


def test_move_clamps_and_duplicate_copies_takes() -> None:
    p = project(shot("a", "ta"), shot("b"), shot("c"))
    assert [s.id for s in edits.move_shot(p, "a", 99).shots] == ["b", "c", "a"]
    d = edits.duplicate_shot(p, "a", "a-copy")
    assert [s.id for s in d.shots] == ["a", "a-copy", "b", "c"]
    assert d.shots[1].picked_take is not None and d.shots[1].picked_take.media == "media/ta.mp4"
    assert d.shots[1].picked_take_id != "ta"


def test_a_deleted_take_keeps_its_clip_and_comes_back_where_it_was_picked() -> None:
    """Deleting a take is not forgetting it (issue 14, point 12): it waits among the deleted takes, with its shot."""
    p = edits.remove_take(project(shot("a", "t1", "t2")), "a", "t1")
    assert [t.id for t in p.shot("a").takes] == ["t2"] and p.shot("a").picked_take_id == "t2"
    assert [(r.shot_id, r.take.id, r.picked) for r in p.removed_takes] == [("a", "t1", True)]
    assert "media/t1.mp4" in p.media_paths() and p.removed_from("a") == p.removed_takes
    back = edits.restore_take(p, "t1")
    assert [t.id for t in back.shot("a").takes] == ["t2", "t1"] and back.shot("a").picked_take_id == "t1"
    assert back.removed_takes == ()
    with pytest.raises(EditError, match="not among"):
        edits.restore_take(back, "t1")


def test_a_deleted_take_whose_shot_is_gone_is_restored_to_a_shot_the_creator_names() -> None:
    p = edits.remove_shot(edits.remove_take(project(shot("a", "t1", "t2"), shot("b")), "a", "t2"), "a")
    with pytest.raises(EditError, match="choose a shot"):
        edits.restore_take(p, "t2")
    back = edits.restore_take(p, "t2", "b")
    assert back.shot("b").picked_take_id == "t2", "the first take of a shot plays"


def test_a_landed_take_is_added_once_and_picked_only_where_none_is() -> None:
    p = project(shot("a", "t1"))
    landed = edits.land_take(p, "a", take("job"))
    assert [t.id for t in landed.shot("a").takes] == ["t1", "job"] and landed.shot("a").picked_take_id == "t1"
    assert edits.land_take(landed, "a", take("job")) is landed
    assert edits.land_take(edits.remove_take(landed, "a", "job"), "a", take("job")).shot("a").takes == (take("t1"),)
    assert edits.land_take(project(shot("a")), "a", take("job")).shot("a").picked_take_id == "job"
    waiting = edits.land_take(project(), "a", take("job"))
    assert [(r.shot_id, r.take.id) for r in waiting.removed_takes] == [("a", "job")], "restorable onto any shot"


def test_a_deleted_shots_takes_wait_among_the_deleted_takes() -> None:
    p = edits.remove_shot(project(shot("a", "t1", "t2"), shot("b")), "a")
    assert [(r.shot_id, r.take.id, r.picked) for r in p.removed_takes] == [("a", "t1", True), ("a", "t2", False)]
    assert edits.restore_take(p, "t2", "b").shot("b").picked_take_id == "t2"


def test_a_project_from_elsewhere_keeps_the_generated_takes_the_present_one_has() -> None:
    """Unsaved work restored from an autosave written before a job's take landed must not drop that take."""
    paid, deleted = replace(take("paid"), generation=_RECORD), replace(take("gone"), generation=_RECORD)
    autosaved = edits.set_title(project(shot("a", "t1"), shot("b")), "a", "Storm")
    present = edits.remove_take(
        edits.land_take(edits.land_take(project(shot("a", "t1"), shot("b")), "a", paid), "b", deleted), "b", "gone"
    )
    present = edits.attach_take(present, "b", take("imported"))  # the creator's own: undone in the autosave, stays so
    kept = edits.keep_generated_takes(autosaved, present)
    assert kept.shot("a").title == "Storm" and kept.shot("a").takes == (take("t1"), paid)
    assert [r.take for r in kept.removed_takes] == [deleted] and kept.shot("b").takes == ()
    assert edits.keep_generated_takes(kept, present) is kept
