"""A clip's length, as its right edge sets it: a looped bed plays more or fewer repeats of the same sound, one
repeat or less makes it a plain trimmed clip; its left edge trims the repeating sound and keeps its end. Fades stay
inside the clip, and a drag's many commands are one undo step."""

from __future__ import annotations

import pytest

from shotline.core import audio_edits, commands
from shotline.core.errors import InvalidTrim
from shotline.core.history import History
from shotline.core.model import Project, Trim
from shotline.media.mix import loop_pieces
from tests.core.factories import project
from tests.core.test_audio_edits import music


def _looped_bed() -> Project:
    """A 3 s sound, trimmed to 0.5–2.5 s, looped for 7 s from 1 s, fading in 0.5 s and out 1 s."""
    p = audio_edits.add_audio_clip(project(), music(seconds=3.0, start_us=1_000_000))
    p = audio_edits.trim_audio_clip(p, "m1", 500_000, 2_500_000)
    p = audio_edits.set_audio_clip_length(p, "m1", 7_000_000)
    return audio_edits.set_audio_clip(p, "m1", fade_in_us=500_000, fade_out_us=1_000_000)


def test_a_plain_clip_made_longer_than_its_sound_loops_it() -> None:
    bed = _looped_bed().audio_clip("m1")
    assert (bed.trim, bed.loop_us, bed.start_us, bed.end_us) == (
        Trim(500_000, 2_500_000),
        7_000_000,
        1_000_000,
        8_000_000,
    )


def test_lengthening_a_looped_bed_plays_more_repeats_of_the_same_sound() -> None:
    p = _looped_bed()
    longer = audio_edits.set_audio_clip_length(p, "m1", 11_000_000).audio_clip("m1")
    assert longer.trim == Trim(500_000, 2_500_000), "the sound that repeats is untouched"
    assert (longer.loop_us, longer.end_us) == (11_000_000, 12_000_000)
    assert (longer.fade_in_us, longer.fade_out_us) == (500_000, 1_000_000)
    assert len(list(loop_pieces(longer))) > len(list(loop_pieces(p.audio_clip("m1"))))


def test_shortening_to_one_repeat_or_less_makes_a_plain_trimmed_clip() -> None:
    p = _looped_bed()
    once = audio_edits.set_audio_clip_length(p, "m1", 1_200_000).audio_clip("m1")
    assert (once.trim, once.loop_us, once.duration_us) == (Trim(500_000, 1_700_000), 0, 1_200_000)
    exactly = audio_edits.set_audio_clip_length(p, "m1", 2_000_000).audio_clip("m1")
    assert (exactly.trim, exactly.loop_us) == (Trim(500_000, 2_500_000), 0), "one whole repeat plays once"
    back = audio_edits.set_audio_clip_length(
        audio_edits.set_audio_clip_length(p, "m1", 1_200_000), "m1", 5_000_000, repeat=Trim(500_000, 2_500_000)
    ).audio_clip("m1")
    assert (back.trim, back.loop_us) == (Trim(500_000, 2_500_000), 5_000_000), "the drag's repeat loops again"


def test_fades_are_clamped_into_a_shortened_clip() -> None:
    p = audio_edits.set_audio_clip(_looped_bed(), "m1", fade_in_us=3_000_000, fade_out_us=3_000_000)
    short = audio_edits.set_audio_clip_length(p, "m1", 4_000_000).audio_clip("m1")
    assert (short.fade_in_us, short.fade_out_us) == (3_000_000, 1_000_000)
    tiny = audio_edits.set_audio_clip_length(p, "m1", 1_000_000).audio_clip("m1")
    assert (tiny.fade_in_us, tiny.fade_out_us) == (1_000_000, 0)


def test_a_length_below_10_ms_or_a_repeat_outside_the_sound_is_refused() -> None:
    p = _looped_bed()
    with pytest.raises(InvalidTrim, match="at least 10 ms"):
        audio_edits.set_audio_clip_length(p, "m1", 5_000)
    with pytest.raises(InvalidTrim, match="outside the sound"):
        audio_edits.set_audio_clip_length(p, "m1", 9_000_000, repeat=Trim(0, 4_000_000))


def test_trimming_a_looped_bed_changes_the_repeat_and_keeps_its_length_or_end() -> None:
    p = _looped_bed()
    kept_length = audio_edits.trim_audio_clip(p, "m1", 0, 3_000_000).audio_clip("m1")
    assert (kept_length.trim, kept_length.start_us, kept_length.loop_us) == (Trim(0, 3_000_000), 1_000_000, 7_000_000)
    left_edge = audio_edits.trim_audio_clip(p, "m1", 1_000_000, 2_500_000, keep_end=True).audio_clip("m1")
    assert left_edge.trim == Trim(1_000_000, 2_500_000)
    assert (left_edge.start_us, left_edge.end_us, left_edge.loop_us) == (1_500_000, 8_000_000, 6_500_000)
    earlier = audio_edits.trim_audio_clip(p, "m1", 0, 2_500_000, keep_end=True).audio_clip("m1")
    assert (earlier.start_us, earlier.end_us, earlier.loop_us) == (500_000, 8_000_000, 7_500_000)
    short = audio_edits.set_audio_clip_length(p, "m1", 2_400_000)  # 2.4 s of a 2 s repeat
    trimmed = audio_edits.trim_audio_clip(short, "m1", 500_000, 3_000_000).audio_clip("m1")
    assert (trimmed.trim, trimmed.loop_us) == (Trim(500_000, 2_900_000), 0), "a longer repeat plays once, cut"
    assert trimmed.end_us == short.audio_clip("m1").end_us


def test_a_length_drag_is_one_undo_step() -> None:
    p = _looped_bed()
    history = History(p)
    repeat = p.audio_clip("m1").trim
    for length in (8_000_000, 1_500_000, 9_000_000):
        history.execute(commands.set_audio_clip_length("m1", length, repeat=repeat))
    assert history.project.audio_clip("m1").loop_us == 9_000_000
    assert history.undo_label == "Change sound length"
    history.undo()
    assert history.project == p
