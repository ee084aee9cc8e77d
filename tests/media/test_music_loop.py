"""A music bed fitted to the film, heard in the exported film and in the preview mix: a short bed loops to the film's
end with no gap at its loop points (each repeat crossfades into the next at equal power), and a long one is cut at
the film's end, fading out."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from shotline.core.audio_edits import FIT_FADE_OUT_US, add_audio_clip, fit_audio_clip
from shotline.core.model import AudioClip, ExportSettings, Project, Size, Trim
from shotline.core.timeline import film_length_us
from shotline.media.mix import build_mix
from shotline.media.mixdown import render_mix
from shotline.media.plan import plan_export
from shotline.media.probe import probe
from shotline.media.render import render
from tests.clips import ffmpeg_exe, make_clip
from tests.media.sound import read_wav, segment_samples, tone, tone_db, window_levels
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

RATE = 48_000
FILM_S = 6.0


def _film_with_music(root: Path, seconds: float) -> Project:
    """Two silent 3 s shots and a steady 300 Hz bed `seconds` long at the film's start, fitted to the film."""
    media = root / "media"
    media.mkdir()
    shots = [make_clip(media / f"shot{n}.mp4", seconds=FILM_S / 2, size=(320, 180), fps="30") for n in (1, 2)]
    film = project_of([(path, None) for path in shots], root)
    bed = tone(media / "bed.wav", hz=300, seconds=seconds, amplitude=0.3)
    info = probe(bed)
    film = add_audio_clip(film, AudioClip("bed", "media/bed.wav", "music", 0, Trim(0, info.duration_us), info))
    return fit_audio_clip(film, "bed")


def _exported_sound(film: Project, root: Path) -> np.ndarray:
    settings = ExportSettings(Size(320, 180), Fraction(30), preset="ultrafast", loudness_lufs=None)
    plan = plan_export(film, settings, root.joinpath)
    out = root / "film.mp4"
    asyncio.run(render(film, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath))
    samples, rate = read_wav(out)
    assert rate == RATE
    return samples


def test_a_short_bed_loops_to_the_films_end_with_no_gap(tmp_path: Path) -> None:
    film = _film_with_music(tmp_path, seconds=1.6)  # repeats at 1.35 s, 2.7 s, 4.05 s, 5.4 s
    assert film.audio_clip("bed").end_us == film_length_us(film) == 6_000_000
    exported = _exported_sound(film, tmp_path)
    plan = plan_export(film, ExportSettings(Size(320, 180), Fraction(30)), tmp_path.joinpath)
    previewed = segment_samples(render_mix(build_mix(film, plan, tmp_path.joinpath)))

    for heard in (exported, previewed):
        levels = window_levels(heard, RATE, 0.02)
        steady = float(np.median(levels[10:60]))  # 0.2–1.2 s: the first repeat alone
        before_fade = levels[: round((FILM_S - FIT_FADE_OUT_US / 1e6) / 0.02) - 1]
        assert before_fade.min() > steady - 1.5, (
            f"the bed dips to {before_fade.min() - steady:.1f} dB at "
            f"{np.argmin(before_fade) * 0.02:.2f} s: a gap at a loop point"
        )
        assert before_fade.max() < steady + 3.5, "an equal-power crossfade of one tone rises at most 3 dB"
        near_end = levels[round(5.7 / 0.02) : round(5.9 / 0.02)]  # after the last loop point, inside the fade
        assert near_end.min() > steady - 30, "the bed is still heard in the film's last moments"
        assert near_end.max() < steady - 6, "fading out there"


def test_a_long_bed_is_cut_at_the_films_end_fading_out(tmp_path: Path) -> None:
    film = _film_with_music(tmp_path, seconds=10.0)
    clip = film.audio_clip("bed")
    assert (clip.trim.duration_us, clip.end_us) == (6_000_000, 6_000_000)
    exported = _exported_sound(film, tmp_path)
    assert abs(len(exported) - round(FILM_S * RATE)) < RATE // 20, "the film is as long as its shots, not the bed"
    levels = window_levels(exported, RATE, 0.05)
    steady = float(np.median(levels[10:80]))
    assert levels[round(5.2 / 0.05)] < steady - 1 and levels[round(5.2 / 0.05)] > steady - 20, "fading at 5.2 s"
    assert levels[-2] < steady - 15, "nearly silent as the film ends"


def test_a_looped_bed_ducks_under_the_voice_over_in_every_repeat(tmp_path: Path) -> None:
    film = _film_with_music(tmp_path, seconds=1.6)
    voice = tone(tmp_path / "media" / "voice.wav", hz=1200, seconds=1.0, amplitude=0.2)
    info = probe(voice)
    film = add_audio_clip(film, AudioClip("vo", "media/voice.wav", "voice", 3_000_000, Trim(0, info.duration_us), info))
    plan = plan_export(film, ExportSettings(Size(320, 180), Fraction(30)), tmp_path.joinpath)
    mix = build_mix(film, plan, tmp_path.joinpath)
    heard = segment_samples(render_mix(mix))

    def bed_db(start: float) -> float:
        return tone_db(heard[round(start * RATE) : round((start + 0.1) * RATE)], RATE, 300)

    assert bed_db(3.4) - bed_db(1.9) == pytest.approx(-12.0, abs=1.0), "the music lane's -12 dB under the voice"
    assert bed_db(5.0) - bed_db(1.9) == pytest.approx(0.0, abs=1.0), "and back up after it"
