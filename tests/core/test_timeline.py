"""One length for the film: `film_frames` counts it in frames of the export's rate, as the export renders it.

The figures are the ones a creator met (issue 11): a film of mixed frame rates whose shots add up to 16.270 s is
390 frames (16.250 s) at 24 fps, and 378 frames (15.750 s) after a 0.5 s crossfade.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from shotline.core.model import MediaInfo, Origin, Project, Shot, Size, Take, Transition, TransitionKind, Trim
from shotline.core.timeline import (
    crossfades,
    describe_film_length,
    film_frames,
    film_length_us,
    film_window,
    format_length,
    length_frames,
)


def clip_shot(shot_id: str, seconds: str, fps: int) -> Shot:
    """A shot whose picked take is a whole clip of `seconds` at `fps`."""
    duration = round(Fraction(seconds) * 1_000_000)
    info = MediaInfo(duration, has_video=True, has_audio=True, fps=Fraction(fps), size=Size(320, 240))
    take = Take(f"{shot_id}-take", f"media/{shot_id}.mp4", Origin.IMPORTED, info, Trim(0, duration))
    return Shot(shot_id, prompt=shot_id, takes=(take,), picked_take_id=take.id)


def mixed_film(crossfade_us: int = 0) -> Project:
    """2.52 s at 25 fps, 3.3 s at 30 fps, 4 s at 24 fps and 6.45 s at 20 fps in a 24 fps project: 16.27 s of shots."""
    shots = [clip_shot("a", "2.52", 25), clip_shot("b", "3.3", 30), clip_shot("c", "4", 24), clip_shot("d", "6.45", 20)]
    if crossfade_us:
        shots[0] = replace(shots[0], transition_out=Transition(TransitionKind.CROSSFADE, crossfade_us))
    return Project(id="p", title="Mixed", shots=tuple(shots))


def test_the_film_is_its_exact_end_rounded_to_a_whole_frame() -> None:
    film = mixed_film()
    assert film_window(film) == Trim(0, 16_270_000)
    assert film_frames(film) == 390  # 16.27 s × 24 = 390.48
    assert film_length_us(film) == 16_250_000


def test_a_crossfade_shortens_the_film_by_its_overlap_before_rounding() -> None:
    film = mixed_film(crossfade_us=500_000)
    assert film_window(film) == Trim(0, 15_770_000)
    assert film_frames(film) == 378  # 15.77 s × 24 = 378.48
    assert film_length_us(film) == 15_750_000
    assert describe_film_length(film) == "00:00:15.750 (378 frames at 24 fps)"


def test_another_export_rate_counts_its_own_frames() -> None:
    film = mixed_film()
    assert film_frames(film, Fraction(25)) == 407  # 406.75
    assert film_frames(film, Fraction(30000, 1001)) == 488  # 487.6
    assert film_length_us(film, Fraction(30000, 1001)) == 16_282_933  # 488 frames of 33 366.7 µs


def test_a_range_is_cut_to_the_film_before_it_is_counted() -> None:
    film = mixed_film()
    assert film_frames(film, wanted=Trim(1_000_000, 2_000_000)) == 24
    assert film_window(film, Trim(15_000_000, 99_000_000)) == Trim(15_000_000, 16_270_000)
    assert film_frames(film, wanted=Trim(15_000_000, 99_000_000)) == 30  # 1.27 s × 24 = 30.48
    assert film_frames(film, wanted=Trim(16_260_000, 17_000_000)) == 0, "less than half a frame is left"
    assert film_frames(film, wanted=Trim(20_000_000, 21_000_000)) == 0


def test_an_empty_film_lasts_no_frames() -> None:
    empty = Project(id="p", title="Empty")
    assert (film_frames(empty), film_length_us(empty)) == (0, 0)


def test_crossfades_name_their_shots_and_frames() -> None:
    film = mixed_film(crossfade_us=500_000)
    (blend,) = crossfades(film)
    assert (blend.outgoing.shot.id, blend.incoming.shot.id) == ("a", "b")
    # shot a ends at 2.52 s (frame 60.48 → 60), shot b starts at 2.02 s (frame 48.48 → 48)
    assert blend.frames == 12
    assert crossfades(film, Fraction(25))[0].frames == 13  # 63 - 50.5 → 63 - 50


def test_a_crossfade_shorter_than_half_a_frame_is_a_cut() -> None:
    assert crossfades(mixed_film(crossfade_us=10_000)) == ()
    assert crossfades(mixed_film()) == ()


def test_a_length_reads_as_whole_frames_of_the_projects_rate() -> None:
    fps = Fraction(24)
    assert length_frames(3_041_667, fps) == 73
    assert format_length(3_041_667, fps) == "3.042 s"  # 73 frames, to the millisecond
    assert format_length(3_030_000, fps) == "3.042 s"  # what plays is whole frames, whatever the trim's microseconds
    assert format_length(2_500_000, fps) == "2.5 s"
    assert format_length(3_000_000, fps) == "3 s"
    assert format_length(0, fps) == "0 s"
