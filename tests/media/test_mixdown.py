"""The pydub mixdown and the ffmpeg export graph play the same AudioMix at the same levels, window by window."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from shotline.core.audio_edits import add_audio_clip, set_lane, set_shot_sound, set_transition
from shotline.core.dialogue import add_line
from shotline.core.model import AudioClip, DialogueLine, ExportSettings, Size, Transition, TransitionKind, Trim
from shotline.media.mix import AudioMix, build_mix
from shotline.media.mixdown import render_mix, write_wav
from shotline.media.plan import plan_export
from shotline.media.probe import probe
from tests.media.sound import read_wav, render_with_ffmpeg, segment_samples, tone, tone_clip, tone_db, window_levels
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

RATE = 48_000
AUDIBLE_DB = -60.0


def _clip(root: Path, path: Path, clip_id: str, lane: str, start_s: float, **more: object) -> AudioClip:
    info = probe(path)
    media = path.relative_to(root).as_posix()
    return AudioClip(clip_id, media, lane, round(start_s * 1e6), Trim(0, info.duration_us), info, **more)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def busy_mix(tmp_path_factory: pytest.TempPathFactory) -> tuple[AudioMix, Path]:
    """Three tone shots (one trimmed, a crossfade, a gain, one with dialogue), music at 44.1 kHz with fades,
    gain and ducking, and a voice-over clip."""
    root = tmp_path_factory.mktemp("mixdown")
    media = root / "media"
    media.mkdir()
    shots = [tone_clip(media / f"shot{hz}.mp4", hz=hz, seconds=2.5, amplitude=0.2) for hz in (440, 660, 880)]
    film = project_of([(shots[0], None), (shots[1], Trim(500_000, 2_500_000)), (shots[2], None)], root)
    film = set_transition(film, film.shots[0].id, Transition(TransitionKind.CROSSFADE, 600_000))
    film = set_shot_sound(film, film.shots[1].id, gain_db=-4.0)
    film = add_line(film, film.shots[2].id, DialogueLine("l2", "Over here!"))
    music = tone(media / "music.wav", hz=300, seconds=8, amplitude=0.3, rate=44_100)
    voice = tone(media / "voice.wav", hz=1200, seconds=0.8, amplitude=0.2)
    film = add_audio_clip(
        film, _clip(root, music, "music", "music", 0.3, gain_db=-3.0, fade_in_us=700_000, fade_out_us=900_000)
    )
    film = add_audio_clip(film, _clip(root, voice, "vo", "voice", 1.2, fade_in_us=50_000))
    film = set_lane(film, "music", gain_db=-2.0, duck_db=-9.0, duck_release_us=400_000)

    def resolve(rel: str) -> Path:
        return root / rel

    plan = plan_export(film, replace(ExportSettings(Size(320, 180), Fraction(30))), resolve)
    mix = build_mix(film, plan, resolve)
    assert any(sound.duck for sound in mix.sounds) and any(sound.fade_in_curve == "qsin" for sound in mix.sounds)
    return mix, root


def test_ffmpeg_and_pydub_agree_window_by_window(busy_mix: tuple[AudioMix, Path]) -> None:
    mix, root = busy_mix
    exported = render_with_ffmpeg(mix, root / "ffmpeg.wav")
    previewed = segment_samples(render_mix(mix))
    assert exported.shape == previewed.shape == (mix.samples, 2)
    by_ffmpeg, by_pydub = window_levels(exported, RATE), window_levels(previewed, RATE)
    audible = by_ffmpeg > AUDIBLE_DB
    assert audible.mean() > 0.9, "the mix should have sound nearly all the way through"
    worst = float(np.max(np.abs(by_ffmpeg[audible] - by_pydub[audible])))
    assert worst <= 0.5, f"levels differ by up to {worst:.2f} dB"
    # and the quiet windows (the start of the first fade) are quiet in both
    assert np.all(by_pydub[~audible] < AUDIBLE_DB + 6)


def test_both_have_the_music_fully_down_before_speech_starts(busy_mix: tuple[AudioMix, Path]) -> None:
    """The voice-over starts at 1.2 s and the dialogue shot at 3.9 s: the music (300 Hz) is 9 dB down through the
    100 ms before each, in both renderers."""
    mix, root = busy_mix
    for samples in (render_with_ffmpeg(mix, root / "ducked.wav"), segment_samples(render_mix(mix))):

        def music_db(start: float, samples: np.ndarray = samples) -> float:
            return tone_db(samples[round(start * RATE) : round((start + 0.1) * RATE)], RATE, 300)

        open_level = music_db(3.0)
        assert music_db(1.1) - open_level == pytest.approx(-9.0, abs=0.5)
        assert music_db(3.8) - open_level == pytest.approx(-9.0, abs=0.5)


def test_the_mixdown_is_exact_and_writes_a_wav(busy_mix: tuple[AudioMix, Path], tmp_path: Path) -> None:
    mix, _ = busy_mix
    written, rate = read_wav(write_wav(mix, tmp_path / "preview.wav"))
    assert (rate, written.shape) == (RATE, (mix.samples, 2))
    assert np.allclose(written, segment_samples(render_mix(mix)), atol=1e-9)
