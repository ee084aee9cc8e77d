"""The export's sound, rendered by ffmpeg from build_mix: measured where beeps land, how far music ducks, and
what a crossfade's midpoint carries."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from shotline.core.audio_edits import (
    add_audio_clip,
    move_audio_clip,
    set_lane,
    set_transition,
    trim_audio_clip,
)
from shotline.core.dialogue import add_line
from shotline.core.model import (
    AudioClip,
    DialogueLine,
    ExportSettings,
    Project,
    Size,
    Transition,
    TransitionKind,
    Trim,
)
from shotline.media.mix import AudioMix, build_mix
from shotline.media.plan import plan_export
from shotline.media.probe import probe
from tests.clips import make_clip
from tests.media.sound import level_between, onset, render_with_ffmpeg, tone, tone_clip, tone_db
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

RATE = 48_000
FPS = Fraction(30)
ONE_FRAME_S = 1 / 30


def _settings(**changes: object) -> ExportSettings:
    return replace(ExportSettings(Size(320, 180), FPS), **changes)  # type: ignore[arg-type]


def _render(project: Project, root: Path, settings: ExportSettings | None = None) -> np.ndarray:
    def resolve(media: str) -> Path:
        return root / media

    mix = build_mix(project, plan_export(project, settings or _settings(), resolve), resolve)
    return render_with_ffmpeg(mix, root / "mix.wav")


def _silent_shots(root: Path, count: int, seconds: float = 2.0) -> Project:
    """Shots whose clips have a sound track that is silent (the beep sits past the end)."""
    media = root / "media"
    media.mkdir(exist_ok=True)
    clips = [
        make_clip(media / f"shot{n}.mp4", seconds=seconds, size=(320, 180), fps="30", audio=(48000, 2), beep_at=99)
        for n in range(count)
    ]
    return project_of([(clip, None) for clip in clips], root)


def _clip(root: Path, path: Path, clip_id: str, lane: str, start_s: float, trim: Trim | None = None) -> AudioClip:
    info = probe(path)
    return AudioClip(
        clip_id, path.relative_to(root).as_posix(), lane, round(start_s * 1e6), trim or Trim(0, info.duration_us), info
    )


def test_an_empty_mix_is_silence_of_exactly_the_asked_length(tmp_path: Path) -> None:
    samples = render_with_ffmpeg(AudioMix((), 12_345, RATE, 2), tmp_path / "empty.wav")
    assert samples.shape == (12_345, 2)
    assert not samples.any()


def test_a_music_beep_sits_at_its_timeline_time_after_trims_moves_and_a_range(tmp_path: Path) -> None:
    film = _silent_shots(tmp_path, 2)
    beep = make_clip(tmp_path / "media" / "beep.wav", seconds=3, audio=(44100, 2), beep_at=1.0, video=False)
    film = add_audio_clip(film, _clip(tmp_path, beep, "beep", "music", 1.2))
    samples = _render(film, tmp_path)
    assert len(samples) == 4 * RATE
    assert onset(samples, RATE) == pytest.approx(2.2, abs=ONE_FRAME_S)

    # trim 0.5 s off the clip's head: the beep comes 0.5 s sooner on the timeline
    film = trim_audio_clip(film, "beep", 500_000, 3_000_000)
    assert onset(_render(film, tmp_path), RATE) == pytest.approx(1.7, abs=ONE_FRAME_S)

    film = move_audio_clip(film, "beep", 300_000)
    assert onset(_render(film, tmp_path), RATE) == pytest.approx(0.8, abs=ONE_FRAME_S)

    # exporting from 0.5 s on: output time 0 is timeline 0.5 s
    ranged = _render(film, tmp_path, _settings(range=Trim(500_000, 4_000_000)))
    assert len(ranged) == round(3.5 * RATE)
    assert onset(ranged, RATE) == pytest.approx(0.3, abs=ONE_FRAME_S)


def test_a_beep_in_a_shot_sits_at_its_time_after_a_trim_and_a_crossfade(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    first = make_clip(media / "a.mp4", seconds=2, size=(320, 180), fps="30", audio=(48000, 2), beep_at=99)
    second = make_clip(media / "b.mp4", seconds=3, size=(320, 180), fps="30", audio=(48000, 2), beep_at=1.5)
    film = project_of([(first, None), (second, Trim(500_000, 3_000_000))], tmp_path)
    film = set_transition(film, film.shots[0].id, Transition(TransitionKind.CROSSFADE, 400_000))
    # shot 2 starts at 2.0 − 0.4 = 1.6 s, from its source 0.5 s: the beep (source 1.5 s) plays at 2.6 s
    assert onset(_render(film, tmp_path), RATE) == pytest.approx(2.6, abs=ONE_FRAME_S)


def test_music_ducks_by_the_set_amount_under_dialogue_and_voice_over_and_comes_back(tmp_path: Path) -> None:
    film = _silent_shots(tmp_path, 3)
    film = add_line(film, film.shots[1].id, DialogueLine("l1", "Over here!"))  # speech 2.0–4.0 s
    music = tone(tmp_path / "media" / "music.wav", hz=440, seconds=6)
    voice = tone(tmp_path / "media" / "voice.wav", hz=1000, seconds=0.6)
    film = add_audio_clip(film, _clip(tmp_path, music, "music", "music", 0.0))
    film = add_audio_clip(film, _clip(tmp_path, voice, "vo", "voice", 5.0))  # speech 5.0–5.6 s
    film = set_lane(film, "music", duck_db=-12.0, duck_release_us=500_000)
    samples = _render(film, tmp_path)

    def music_db(start: float, end: float) -> float:
        return tone_db(samples[round(start * RATE) : round(end * RATE)], RATE, 440)

    open_level = music_db(0.5, 1.5)
    assert open_level == pytest.approx(20 * np.log10(0.25 / np.sqrt(2)), abs=0.5)
    # the 100 ms attack runs from 1.8 to 1.9 s, so the music is fully down 100 ms before the first word
    assert music_db(1.6, 1.78) == pytest.approx(open_level, abs=0.5)  # still up before the attack
    assert music_db(1.9, 2.0) - open_level == pytest.approx(-12.0, abs=0.5)  # down before the first word
    assert music_db(4.9, 5.0) - open_level == pytest.approx(-12.0, abs=0.5)  # and before the voice-over's
    assert music_db(2.2, 3.8) - open_level == pytest.approx(-12.0, abs=0.5)  # under the dialogue shot
    assert music_db(4.55, 4.85) == pytest.approx(open_level, abs=0.5)  # back up after the release
    assert music_db(5.1, 5.5) - open_level == pytest.approx(-12.0, abs=0.5)  # under the voice-over
    assert tone_db(samples[round(5.1 * RATE) : round(5.5 * RATE)], RATE, 1000) == pytest.approx(open_level, abs=0.5)


def test_a_crossfades_midpoint_carries_both_sounds_at_equal_power(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    low = tone_clip(media / "low.mp4", hz=440, seconds=2)
    high = tone_clip(media / "high.mp4", hz=1000, seconds=2)
    film = project_of([(low, None), (high, None)], tmp_path)
    film = set_transition(film, film.shots[0].id, Transition(TransitionKind.CROSSFADE, 1_000_000))
    samples = _render(film, tmp_path)  # the overlap is 1.0–2.0 s; its midpoint is 1.5 s
    assert len(samples) == 3 * RATE

    def band(hz: float, start: float, end: float) -> float:
        return tone_db(samples[round(start * RATE) : round(end * RATE)], RATE, hz)

    low_alone, high_alone = band(440, 0.2, 0.8), band(1000, 2.2, 2.8)
    assert band(440, 1.45, 1.55) - low_alone == pytest.approx(-3.0, abs=0.5)
    assert band(1000, 1.45, 1.55) - high_alone == pytest.approx(-3.0, abs=0.5)
    # equal power: the blend is as loud at its midpoint as either shot alone
    assert level_between(samples, RATE, 1.45, 1.55) == pytest.approx(level_between(samples, RATE, 0.2, 0.8), abs=0.5)
    assert band(1000, 0.2, 0.8) < low_alone - 40 and band(440, 2.2, 2.8) < high_alone - 40
