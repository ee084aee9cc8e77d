"""Fit to the film: a music clip shorter than the film loops to its end, a longer one is cut there with a short
fade-out; one undo step, and the clip's loop survives a save."""

from __future__ import annotations

import pytest

from shotline.core import audio_edits, commands
from shotline.core.errors import EditError
from shotline.core.history import History
from shotline.core.model import AudioClip, Project
from shotline.core.timeline import film_length_us
from shotline.storage import schema
from tests.core.factories import project, shot
from tests.core.test_audio_edits import music


def _film(*clips: AudioClip) -> Project:
    p = project(shot("a", "t1"), shot("b", "t2"))  # two 4 s shots: an 8 s film
    for clip in clips:
        p = audio_edits.add_audio_clip(p, clip)
    return p


def test_a_short_bed_loops_to_the_films_end_and_fades_out() -> None:
    p = _film(music(seconds=3.0, start_us=500_000))
    fitted = audio_edits.fit_audio_clip(p, "m1").audio_clip("m1")
    assert film_length_us(p) == 8_000_000
    assert fitted.end_us == 8_000_000, "it plays to the film's last sample"
    assert fitted.loop_us == 7_500_000 and fitted.trim.duration_us == 3_000_000, "its sound repeats, uncut"
    assert fitted.fade_out_us == audio_edits.FIT_FADE_OUT_US


def test_a_long_bed_is_cut_at_the_films_end_with_a_short_fade() -> None:
    p = _film(music(seconds=20.0, start_us=1_000_000))
    fitted = audio_edits.fit_audio_clip(p, "m1").audio_clip("m1")
    assert (fitted.trim.in_us, fitted.trim.out_us, fitted.loop_us) == (0, 7_000_000, 0)
    assert fitted.end_us == 8_000_000
    assert fitted.fade_out_us == audio_edits.FIT_FADE_OUT_US


def test_fitting_is_one_undo_step_and_the_loop_is_saved() -> None:
    p = _film(music(seconds=3.0))
    history = History(p)
    history.execute(commands.fit_audio_clip("m1"))
    looped = history.project
    assert looped.audio_clip("m1").loop_us == 8_000_000
    assert schema.loads(schema.dumps(looped)) == looped, "the loop survives a save"
    history.undo()
    assert history.project.audio_clip("m1").loop_us == 0
    assert history.project == p


def test_a_clip_after_the_films_end_is_refused_by_name() -> None:
    p = _film(music(seconds=3.0, start_us=9_000_000))
    with pytest.raises(EditError, match="after the film's end"):
        audio_edits.fit_audio_clip(p, "m1")
