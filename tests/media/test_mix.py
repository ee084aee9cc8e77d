"""build_mix: who plays, where, how loud, with which fades and ducking — on plain projects, no media decoded.

plan_export and build_mix only check that the takes' and sounds' files exist, so empty placeholder files stand in
for media here.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core.audio_edits import add_audio_clip, set_audio_clip, set_lane, set_shot_sound, set_transition
from shotline.core.dialogue import add_line
from shotline.core.model import (
    AudioClip,
    DialogueLine,
    ExportSettings,
    MediaInfo,
    Project,
    Size,
    Transition,
    TransitionKind,
    Trim,
)
from shotline.media.mix import AudioMix, Ducking, Sound, build_mix, speech_spans
from shotline.media.plan import RenderPlan, plan_export
from tests.core.factories import project, shot

RATE = 48_000
FPS = Fraction(30)
SOUND = MediaInfo(20_000_000, has_video=False, has_audio=True, sample_rate=RATE, channels=2)


def _settings(**changes: object) -> ExportSettings:
    return replace(ExportSettings(Size(320, 180), FPS), **changes)  # type: ignore[arg-type]


def _film(seconds: tuple[float, ...] = (2.0, 2.0)) -> Project:
    return project(*(shot(f"s{n}", f"t{n}", seconds=length) for n, length in enumerate(seconds, start=1)))


def _clip(clip_id: str, lane: str, start_s: float, in_s: float = 0.0, out_s: float = 1.0, **more: object) -> AudioClip:
    trim = Trim(round(in_s * 1e6), round(out_s * 1e6))
    return AudioClip(clip_id, f"media/{clip_id}.wav", lane, round(start_s * 1e6), trim, SOUND, **more)  # type: ignore[arg-type]


def _mix(tmp_path: Path, film: Project, settings: ExportSettings | None = None) -> tuple[AudioMix, RenderPlan]:
    (tmp_path / "media").mkdir(exist_ok=True)
    for media in film.media_paths():
        (tmp_path / media).touch()

    def resolve(media: str) -> Path:
        return tmp_path / media

    plan = plan_export(film, settings or _settings(), resolve)
    return build_mix(film, plan, resolve), plan


def _by_source(mix: AudioMix) -> dict[str, Sound]:
    return {sound.source.stem: sound for sound in mix.sounds}


def test_each_shot_sound_sits_on_its_segment_with_shot_and_lane_gain(tmp_path: Path) -> None:
    film = set_lane(set_shot_sound(_film(), "s2", gain_db=-6.0), "clips", gain_db=2.0)
    mix, _ = _mix(tmp_path, film)
    assert (mix.samples, mix.sample_rate, mix.channels) == (4 * RATE, RATE, 2)
    sounds = _by_source(mix)
    assert [(s.start_sample, s.samples, s.gain_db) for s in (sounds["t1"], sounds["t2"])] == [
        (0, 2 * RATE, 2.0),
        (2 * RATE, 2 * RATE, -4.0),
    ]
    assert sounds["t1"].fade_out_samples == 0 and sounds["t2"].duck is None


def test_a_crossfade_fades_both_sounds_with_equal_power_over_the_overlap(tmp_path: Path) -> None:
    film = set_transition(_film(), "s1", Transition(TransitionKind.CROSSFADE, 500_000))
    mix, _ = _mix(tmp_path, film)
    out, into = _by_source(mix)["t1"], _by_source(mix)["t2"]
    assert mix.samples == round(3.5 * RATE)
    assert into.start_sample == round(1.5 * RATE) and out.end_sample == 2 * RATE
    assert out.fade_out_samples == into.fade_in_samples == RATE // 2
    assert out.fade_out_curve == into.fade_in_curve == "qsin"


def test_muted_and_silent_things_are_left_out(tmp_path: Path) -> None:
    film = set_shot_sound(_film(), "s1", muted=True)
    film = add_audio_clip(film, _clip("m", "music", 0.5, muted=True))
    film = add_audio_clip(film, _clip("v", "voice", 0.5))
    film = set_lane(film, "voice", muted=True)
    assert set(_by_source(_mix(tmp_path, film)[0])) == {"t2"}
    silent = film.shots[1].takes[0]
    no_sound = replace(silent, info=replace(silent.info, has_audio=False))
    film = replace(film, shots=(film.shots[0], replace(film.shots[1], takes=(no_sound,))))
    assert _mix(tmp_path, film)[0].sounds == ()


def test_a_muted_clips_lane_silences_every_shot(tmp_path: Path) -> None:
    film = add_audio_clip(set_lane(_film(), "clips", muted=True), _clip("m", "music", 0.0))
    assert set(_by_source(_mix(tmp_path, film)[0])) == {"m"}


@pytest.mark.parametrize(
    ("solo", "heard"),
    [
        ("clip m1", {"m1"}),
        ("lane music", {"m1", "m2"}),
        ("shot s2", {"t2"}),
        ("lane clips", {"t1", "t2"}),
        ("clip m1 + shot s1", {"m1", "t1"}),
    ],
)
def test_when_anything_is_soloed_only_soloed_things_play(tmp_path: Path, solo: str, heard: set[str]) -> None:
    film = _film()
    for clip in (_clip("m1", "music", 0.0), _clip("m2", "music", 1.0), _clip("v", "voice", 2.0)):
        film = add_audio_clip(film, clip)
    for part in solo.split(" + "):
        kind, ref = part.split()
        if kind == "clip":
            film = set_audio_clip(film, ref, solo=True)
        elif kind == "lane":
            film = set_lane(film, ref, solo=True)
        else:
            film = set_shot_sound(film, ref, solo=True)
    assert set(_by_source(_mix(tmp_path, film)[0])) == heard


def test_a_clip_lands_at_its_timeline_time_read_from_its_in_point_with_its_fades(tmp_path: Path) -> None:
    clip = _clip("m", "music", 1.25, in_s=3.0, out_s=5.0, gain_db=-3.0, fade_in_us=200_000, fade_out_us=300_000)
    film = set_lane(add_audio_clip(_film(), clip), "music", gain_db=-1.0)
    sound = _by_source(_mix(tmp_path, film)[0])["m"]
    assert (sound.start_sample, sound.samples, sound.source_in_us) == (60_000, 2 * RATE, 3_000_000)
    assert (sound.gain_db, sound.fade_in_samples, sound.fade_out_samples) == (-4.0, 9_600, 14_400)
    assert (sound.fade_in_curve, sound.fade_out_curve) == ("tri", "tri")


def test_a_range_cuts_clips_to_the_window_and_reads_on_from_the_cut(tmp_path: Path) -> None:
    film = _film((2.0, 2.0, 2.0))
    film = add_audio_clip(film, _clip("early", "music", 0.5, in_s=1.0, out_s=4.0, fade_in_us=2_000_000))
    film = add_audio_clip(film, _clip("late", "voice", 4.5, in_s=0.0, out_s=3.0, fade_out_us=1_000_000))
    film = add_audio_clip(film, _clip("outside", "music", 0.0, out_s=0.5))
    mix, _ = _mix(tmp_path, film, _settings(range=Trim(1_000_000, 5_000_000)))
    assert mix.samples == 4 * RATE
    sounds = _by_source(mix)
    assert set(sounds) == {"t1", "t2", "t3", "early", "late"}
    early, late = sounds["early"], sounds["late"]
    # "early" plays 0.5–3.5 s on the timeline; the window starts at 1 s, so it starts at 0 from source 1.5 s
    assert (early.start_sample, early.samples, early.source_in_us) == (0, round(2.5 * RATE), 1_500_000)
    assert early.fade_in_samples == round(1.5 * RATE)  # the part of the 2 s fade still to come
    # "late" plays 4.5–7.5 s; the window ends at 5 s, so half a second of it is heard, its fade-out cut away
    assert (late.start_sample, late.samples, late.fade_out_samples) == (round(3.5 * RATE), RATE // 2, 0)


def test_music_ducks_under_a_dialogue_shot_and_a_voice_over(tmp_path: Path) -> None:
    film = add_line(_film((2.0, 2.0, 2.0)), "s2", DialogueLine("l2", "Over here!"))
    film = add_audio_clip(film, _clip("music", "music", 0.0, out_s=6.0))
    film = add_audio_clip(film, _clip("vo", "voice", 4.5, out_s=1.0))
    film = set_lane(film, "music", duck_db=-9.0, duck_release_us=250_000)
    mix, plan = _mix(tmp_path, film)
    sounds = _by_source(mix)
    duck = sounds["music"].duck
    speech = ((2 * RATE, 4 * RATE), (round(4.5 * RATE), round(5.5 * RATE)))
    assert speech_spans(film, plan, lane_id="music") == speech
    # fully down from the attack (100 ms, 4 800 samples) before each piece of speech until it ends
    attack = 4_800
    assert duck == Ducking(tuple((start - attack, end) for start, end in speech), -9.0, attack, 12_000)
    # the shots' own sound does not duck under its own dialogue; the voice lane has no ducking set
    assert sounds["t1"].duck is None and sounds["vo"].duck is None
    assert duck.depth(2 * RATE - 2 * attack) == 0.0 and duck.depth(2 * RATE - 1.5 * attack) == 0.5
    assert duck.depth(2 * RATE - attack) == duck.depth(2 * RATE) == duck.depth(3 * RATE) == 1.0
    assert duck.depth(round(4.5 * RATE) - attack) == 1.0
    assert duck.depth(4 * RATE + 6_000) == 0.5 and duck.depth(4 * RATE + 12_000) == 0.0


def test_speech_at_the_very_start_is_ducked_from_the_first_sample(tmp_path: Path) -> None:
    film = add_line(_film(), "s1", DialogueLine("l1", "Over here!"))
    film = add_audio_clip(film, _clip("music", "music", 0.0, out_s=4.0))
    film = set_lane(film, "music", duck_db=-6.0)
    duck = _by_source(_mix(tmp_path, film)[0])["music"].duck
    assert duck is not None and duck.spans == ((0, 2 * RATE),) and duck.depth(0) == 1.0


def test_silent_speech_ducks_nothing(tmp_path: Path) -> None:
    film = set_shot_sound(add_line(_film(), "s1", DialogueLine("l1", "Over here!")), "s1", muted=True)
    film = add_audio_clip(film, _clip("music", "music", 0.0, out_s=4.0))
    film = add_audio_clip(film, _clip("vo", "voice", 2.5, muted=True))
    assert _by_source(_mix(tmp_path, film)[0])["music"].duck is None


def test_overlapping_speech_merges_into_one_span(tmp_path: Path) -> None:
    film = add_line(_film(), "s1", DialogueLine("l1", "Over here!"))
    film = add_audio_clip(film, _clip("vo", "voice", 1.5, out_s=1.0))
    film = add_audio_clip(film, _clip("vo2", "voice", 3.5, out_s=0.25))
    _, plan = _mix(tmp_path, film)
    assert speech_spans(film, plan, lane_id="music") == (
        (0, round(2.5 * RATE)),
        (round(3.5 * RATE), round(3.75 * RATE)),
    )
