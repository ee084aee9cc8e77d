"""The player's logic without Qt: timeline ↔ source mapping across cuts, frame steps, J/K/L and I/O trim points."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shotline.core import edits
from shotline.core.errors import EditError
from shotline.core.model import GenerationSettings, MediaInfo, Origin, Project, Shot, Take, Trim
from shotline.core.timecode import frame_time_us
from shotline.services import playback
from shotline.services.playback import Transport

FPS = Fraction(24)


def take(take_id: str, in_us: int, out_us: int, fps: Fraction = FPS) -> Take:
    info = MediaInfo(duration_us=5_000_000, has_video=True, has_audio=False, fps=fps)
    return Take(take_id, f"media/{take_id}.mp4", Origin.IMPORTED, info, Trim(in_us, out_us))


def film() -> Project:
    """Shot a: 1 s from 0.5 s in; shot b: 2 s from 1 s in at 25 fps; shot c: no take, asks for 1.5 s."""
    a = Shot("a", "a", takes=(take("ta", 500_000, 1_500_000),), picked_take_id="ta")
    b = Shot("b", "b", takes=(take("tb", 1_000_000, 3_000_000, Fraction(25)),), picked_take_id="tb")
    c = Shot("c", "c", generation=GenerationSettings(duration_us=1_500_000))
    return Project("p", "film", shots=(a, b, c))


def test_timeline_time_maps_to_the_right_shot_and_source_time_across_cuts() -> None:
    playlist = playback.timeline_playlist(film())
    assert (playlist.begin_us, playlist.end_us) == (0, 4_500_000)
    cases = {
        0: ("a", 500_000),
        999_999: ("a", 1_499_999),
        1_000_000: ("b", 1_000_000),
        2_250_000: ("b", 2_250_000),
        2_999_999: ("b", 2_999_999),
        3_000_000: ("c", None),
        4_500_000: ("c", None),
    }
    for at_us, (shot_id, source) in cases.items():
        segment = playlist.at(at_us)
        assert segment is not None
        assert (segment.shot_id, segment.source_time(at_us)) == (shot_id, source), at_us
        if source is not None:
            assert segment.clock_time(source) == at_us


def test_a_shot_playlist_keeps_the_timeline_clock() -> None:
    playlist = playback.shot_playlist(film(), "b")
    assert (playlist.begin_us, playlist.end_us) == (1_000_000, 3_000_000)
    assert playlist.clamp(0) == 1_000_000 and playlist.clamp(9_000_000) == 3_000_000


def test_frame_steps_count_the_films_frames_across_cuts() -> None:
    playlist = playback.timeline_playlist(film())
    assert playback.step_frames(playlist, 0, 1, FPS) == frame_time_us(1, FPS)
    # a's last frame steps onto b's first, and back
    last_of_a = frame_time_us(23, FPS)
    assert playback.step_frames(playlist, last_of_a, 1, FPS) == 1_000_000
    assert playback.step_frames(playlist, 1_000_000, -1, FPS) == last_of_a
    # inside b, a 25 fps take, the steps are still the film's 24ths of a second (the timecode's frames)
    assert playback.step_frames(playlist, 1_000_000, 2, FPS) == frame_time_us(26, FPS)
    # nothing steps outside the film: the last stop is the start of its last frame
    last_frame = frame_time_us(107, FPS)  # 4.5 s is 108 frames
    assert playback.last_frame_us(playlist, FPS) == last_frame
    assert playback.step_frames(playlist, 0, -1, FPS) == 0
    assert playback.step_frames(playlist, 4_500_000, 1, FPS) == last_frame
    assert playback.step_frames(playlist, last_frame, 1, FPS) == last_frame


def test_a_paused_player_stops_on_a_frame_of_the_film() -> None:
    playlist = playback.timeline_playlist(film())
    # 0.3 s lies between frames 7 (0.2917 s) and 8 (0.3333 s)
    assert playback.frame_stop(playlist, 300_000, FPS, nearest=True) == frame_time_us(7, FPS)
    assert playback.frame_stop(playlist, 320_000, FPS, nearest=True) == frame_time_us(8, FPS)
    assert playback.frame_stop(playlist, 320_000, FPS, nearest=False) == frame_time_us(7, FPS)
    # in b (a 25 fps take) too: the film's frames
    assert playback.frame_stop(playlist, 1_058_000, FPS, nearest=False) == frame_time_us(25, FPS)
    assert playback.frame_stop(playlist, 1_061_000, FPS, nearest=True) == frame_time_us(25, FPS)
    # past the end: the last frame; a shot's own playlist stops inside the shot
    assert playback.frame_stop(playlist, 9_000_000, FPS, nearest=True) == playback.last_frame_us(playlist, FPS)
    shot_b = playback.shot_playlist(film(), "b")
    assert playback.frame_stop(shot_b, 0, FPS, nearest=True) == 1_000_000
    assert playback.frame_stop(shot_b, 9_000_000, FPS, nearest=True) == frame_time_us(71, FPS)


def test_j_k_l_and_space() -> None:
    state = Transport()
    seen = []
    for press in ("forward", "forward", "forward", "forward", "reverse", "reverse", "pause", "toggle", "toggle"):
        state = getattr(state, press)()
        seen.append(state.rate)
    assert seen == [1, 2, 4, 4, -1, -2, 0, 1, 0]


def test_i_and_o_give_the_trims_the_cli_would_set() -> None:
    project = film()
    playlist = playback.timeline_playlist(project)
    point = playback.trim_out_at(playlist, 1_700_000)
    assert (point.shot_id, point.in_us, point.out_us) == ("b", 1_000_000, 1_700_000)
    # At a cut, O means the shot that just ended, I the one that starts.
    point = playback.trim_out_at(playlist, 1_000_000)
    assert (point.shot_id, point.out_us) == ("a", 1_500_000)
    point = playback.trim_in_at(playlist, 1_000_000)
    assert (point.shot_id, point.in_us) == ("b", 1_000_000)
    point = playback.trim_in_at(playlist, 250_000)
    trimmed = edits.trim_shot(project, point.shot_id, point.in_us, point.out_us)
    assert trimmed.shot("a").picked_take.trim == Trim(750_000, 1_500_000)  # type: ignore[union-attr]
    with pytest.raises(EditError, match="no take"):
        playback.trim_in_at(playlist, 3_500_000)
