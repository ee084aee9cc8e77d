"""Sound edits: audio clips on lanes, lane settings, a shot's sound, crossfades and where they put the shots."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shotline.core import audio_edits, commands
from shotline.core.changes import diff
from shotline.core.errors import EditError, InvalidTrim, UnknownAudioClip, UnknownLane
from shotline.core.history import History
from shotline.core.model import AudioClip, MediaInfo, Transition, TransitionKind, Trim
from shotline.core.timeline import film_window, layout, placement_at
from shotline.services.playback import timeline_playlist
from tests.core.factories import project, shot


def music(clip_id: str = "m1", seconds: float = 10.0, start_us: int = 0, lane: str = "music") -> AudioClip:
    length = round(seconds * 1_000_000)
    info = MediaInfo(length, has_video=False, has_audio=True, sample_rate=48_000, channels=2)
    return AudioClip(clip_id, f"media/{clip_id}.wav", lane, start_us, Trim(0, length), info)


def test_add_move_trim_remove_a_clip() -> None:
    p = audio_edits.add_audio_clip(project(shot("a", "t1")), music())
    p = audio_edits.move_audio_clip(p, "m1", 2_500_000, "voice")
    assert (p.audio[0].start_us, p.audio[0].lane) == (2_500_000, "voice")
    p = audio_edits.trim_audio_clip(p, "m1", 1_000_000, 4_000_000, keep_end=True)
    clip = p.audio_clip("m1")
    assert clip.trim == Trim(1_000_000, 4_000_000)
    assert clip.start_us == 3_500_000, "a left-edge trim keeps the source under the same timeline time"
    assert clip.end_us == 6_500_000
    assert audio_edits.remove_audio_clip(p, "m1").audio == ()


def test_moving_before_zero_clamps_and_unknown_ids_say_so() -> None:
    p = audio_edits.add_audio_clip(project(), music(start_us=1_000_000))
    assert audio_edits.move_audio_clip(p, "m1", -5).audio[0].start_us == 0
    with pytest.raises(UnknownAudioClip):
        audio_edits.remove_audio_clip(p, "nope")
    with pytest.raises(UnknownLane, match="its lanes are clips, music, voice"):
        audio_edits.move_audio_clip(p, "m1", 0, "drums")


def test_clips_never_go_on_the_clip_sound_lane() -> None:
    with pytest.raises(EditError, match="shots' own sound"):
        audio_edits.add_audio_clip(project(), music(lane="clips"))


@pytest.mark.parametrize(("in_us", "out_us"), [(-1, 1_000_000), (0, 11_000_000), (3_000_000, 2_000_000), (0, 5_000)])
def test_bad_trims_are_refused(in_us: int, out_us: int) -> None:
    p = audio_edits.add_audio_clip(project(), music())
    with pytest.raises(InvalidTrim):
        audio_edits.trim_audio_clip(p, "m1", in_us, out_us)


def test_fades_longer_than_the_clip_are_refused_and_trims_shorten_fades() -> None:
    p = audio_edits.add_audio_clip(project(), music(seconds=4.0))
    p = audio_edits.set_audio_clip(p, "m1", fade_in_us=1_000_000, fade_out_us=2_000_000, gain_db=-6.0, solo=True)
    clip = p.audio_clip("m1")
    assert (clip.fade_in_us, clip.fade_out_us, clip.gain_db, clip.solo) == (1_000_000, 2_000_000, -6.0, True)
    with pytest.raises(EditError, match="longer than the clip"):
        audio_edits.set_audio_clip(p, "m1", fade_out_us=3_500_000)
    shorter = audio_edits.trim_audio_clip(p, "m1", 0, 1_500_000).audio_clip("m1")
    assert shorter.fade_in_us + shorter.fade_out_us <= shorter.duration_us
    with pytest.raises(EditError, match="no setting volume"):
        audio_edits.set_audio_clip(p, "m1", volume=3)
    with pytest.raises(EditError, match="out of range"):
        audio_edits.set_audio_clip(p, "m1", gain_db=40.0)


def test_lane_settings_are_checked() -> None:
    p = audio_edits.set_lane(project(), "music", duck_db=-18.0, duck_release_us=1_000_000, muted=True)
    lane = p.lane("music")
    assert (lane.duck_db, lane.duck_release_us, lane.muted) == (-18.0, 1_000_000, True)
    with pytest.raises(EditError, match="Ducking of 6 dB"):
        audio_edits.set_lane(p, "music", duck_db=6.0)
    with pytest.raises(EditError, match="release"):
        audio_edits.set_lane(p, "music", duck_release_us=60_000_000)


def test_shot_sound_settings() -> None:
    p = audio_edits.set_shot_sound(project(shot("a", "t1")), "a", gain_db=-3.0, solo=True)
    assert (p.shots[0].gain_db, p.shots[0].solo) == (-3.0, True)
    with pytest.raises(EditError, match="no setting dialogue"):  # a shot speaks by its lines now (format 6)
        audio_edits.set_shot_sound(p, "a", dialogue=True)


def test_crossfade_overlaps_shots_on_the_timeline_and_the_preview_cuts_where_it_begins() -> None:
    p = project(shot("a", "t1"), shot("b", "t2"), shot("c", "t3"))
    p = audio_edits.set_transition(p, "a", Transition(TransitionKind.CROSSFADE, 1_000_000))
    starts = [placement.start_us for placement in layout(p)]
    assert starts == [0, 3_000_000, 7_000_000]
    assert film_window(p) == Trim(0, 11_000_000)
    assert placement_at(p, 2_999_999).shot.id == "a"  # type: ignore[union-attr]
    assert placement_at(p, 3_000_000).shot.id == "b"  # type: ignore[union-attr]
    segments = timeline_playlist(p).segments
    assert [(s.start_us, s.end_us) for s in segments] == [
        (0, 3_000_000),
        (3_000_000, 7_000_000),
        (7_000_000, 11_000_000),
    ]


def test_crossfades_are_checked_and_a_cut_clears_the_length() -> None:
    p = project(shot("a", "t1"), shot("b", "t2"))
    with pytest.raises(EditError, match="last shot"):
        audio_edits.set_transition(p, "b", Transition(TransitionKind.CROSSFADE, 500_000))
    with pytest.raises(EditError, match=r"at most 00:00:02\.000"):
        audio_edits.set_transition(p, "a", Transition(TransitionKind.CROSSFADE, 2_500_000))
    with pytest.raises(EditError, match="needs a length"):
        audio_edits.set_transition(p, "a", Transition(TransitionKind.CROSSFADE, 0))
    cut = audio_edits.set_transition(p, "a", Transition(TransitionKind.CUT, 700_000))
    assert cut.shots[0].transition_out == Transition()


def test_a_crossfade_that_outgrows_a_trimmed_shot_is_clamped_not_broken() -> None:
    p = audio_edits.set_transition(
        project(shot("a", "t1"), shot("b", "t2")), "a", Transition(TransitionKind.CROSSFADE, 2_000_000)
    )
    b = p.shots[1]
    short = replace(b, takes=(replace(b.takes[0], trim=Trim(0, 1_000_000)),))
    p = replace(p, shots=(p.shots[0], short))
    assert [placement.start_us for placement in layout(p)] == [0, 3_500_000]


def test_sound_commands_undo_in_one_step_and_report_an_audio_change() -> None:
    history = History(project(shot("a", "t1")))
    history.execute(commands.add_audio_clip(music()))
    for gain in (-1.0, -2.0, -3.0):
        history.execute(commands.set_audio_clip("m1", gain_db=gain))
    assert history.project.audio_clip("m1").gain_db == -3.0
    before = history.project
    history.undo()
    assert history.project.audio_clip("m1").gain_db == 0.0, "a run of gain changes is one undo step"
    assert diff(before, history.project).audio
    history.undo()
    assert history.project.audio == ()
