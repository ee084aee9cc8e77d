"""What the export hears: every playing sound placed on the output's samples, with its gain, fades and ducking.

Pure apart from checking that every sound it places is there: `build_mix` turns a project and its render plan into
an `AudioMix`, a plain list of `Sound`s that two renderers play the same way — ffmpeg for the export (`audio_graph`)
and pydub for previews (`mixdown`). A sound clip whose file is gone is refused here, by the name the creator gave
it, before either renderer starts.

The rules (one place for them, so both renderers and every test agree):
- Solo: if anything is soloed (a lane, an audio clip or a shot's sound), only soloed things play; a soloed lane
  plays all its clips. Mute: a muted lane silences everything on it; a muted clip or shot is silent.
- Gain adds up: clip (or shot) gain + its lane's gain. The "clips" lane's settings apply to every shot's sound.
- Ducking: a lane with `duck_db` < 0 drops by exactly that much while speech plays on another lane — a playing
  dialogue shot with sound, or a playing clip on a voice lane. It goes down over `DUCK_ATTACK_US`, reaching the
  full drop `DUCK_ATTACK_US` before the speech starts, and comes back over the lane's `duck_release_us` after it
  ends.
- A crossfade fades the outgoing shot's sound out and the incoming one's in over the overlap, equal-power ("qsin").
- A looped clip plays as its repeats (`loop_pieces`), each crossfading into the next the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from shotline.core.errors import MediaMissing
from shotline.core.model import CLIP_SOUND_LANE, AudioClip, AudioLane, LaneKind, Project, Shot, Trim
from shotline.core.timecode import format_time
from shotline.core.timeline import layout
from shotline.media.plan import RenderPlan, Segment, sample_at

Curve = Literal["tri", "qsin"]
"""Fade shapes by their ffmpeg afade names: "tri" is linear in amplitude, "qsin" is a quarter sine (equal power)."""

DUCK_ATTACK_US = 100_000
"""The ducked lane is fully down this long before speech starts, so the first word is never masked."""
LOOP_CROSSFADE_US = 250_000
"""A looped clip's repeats overlap this long (at most a quarter of the repeat), crossfading at equal power."""
DUCK_BLOCK_SAMPLES = 256
"""Both renderers hold the ducking gain steady over blocks this long (5 ms at 48 kHz): smooth, and identical."""


@dataclass(frozen=True, slots=True)
class Ducking:
    """A gain envelope: `amount_db` during each span of output samples, ramped linearly (in dB) into and out of it."""

    spans: tuple[tuple[int, int], ...]
    amount_db: float
    attack_samples: int
    release_samples: int

    def depth(self, sample: float) -> float:
        """How far down the envelope is at output `sample`: 0 (not ducked) to 1 (the full `amount_db`)."""
        deepest = 0.0
        for start, end in self.spans:
            rising = (sample - (start - self.attack_samples)) / max(self.attack_samples, 1)
            falling = (end + self.release_samples - sample) / max(self.release_samples, 1)
            deepest = max(deepest, min(1.0, max(0.0, min(rising, falling))))
        return deepest

    def reaches(self, first: int, last: int) -> Ducking | None:
        """The envelope with only the spans that touch output samples [first, last); None when none do."""
        kept = tuple(
            (start, end)
            for start, end in self.spans
            if start - self.attack_samples < last and end + self.release_samples > first
        )
        return Ducking(kept, self.amount_db, self.attack_samples, self.release_samples) if kept else None


@dataclass(frozen=True, slots=True)
class Sound:
    """One source's sound on the output: `samples` long from output sample `start_sample`, read from `source_in_us`."""

    source: Path
    source_in_us: int
    start_sample: int
    samples: int
    gain_db: float = 0.0
    fade_in_samples: int = 0
    fade_out_samples: int = 0
    fade_in_curve: Curve = "tri"
    fade_out_curve: Curve = "tri"
    duck: Ducking | None = None

    @property
    def end_sample(self) -> int:
        return self.start_sample + self.samples


@dataclass(frozen=True, slots=True)
class AudioMix:
    """All the sounds of an export, to be summed (without normalising) into `samples` samples."""

    sounds: tuple[Sound, ...]
    samples: int
    sample_rate: int = 48_000
    channels: int = 2


def build_mix(project: Project, plan: RenderPlan, resolve: Callable[[str], Path]) -> AudioMix:
    """The sounds `plan` plays: each shot's own sound, then every audio clip inside the plan's window."""
    sounds = tuple(sound for _, sound in _lane_sounds(project, plan, resolve))
    return AudioMix(sounds, plan.samples, plan.settings.sample_rate, plan.settings.channels)


def build_stems(project: Project, plan: RenderPlan, resolve: Callable[[str], Path]) -> dict[LaneKind, AudioMix]:
    """The mix split by the kind of lane each sound plays on (clip sound, music, voice), each as long as the film:
    stems that sum to `build_mix`, with the same gains, fades and ducking. Only kinds with a sound are there."""
    kinds: dict[LaneKind, list[Sound]] = {}
    for lane, sound in _lane_sounds(project, plan, resolve):
        kinds.setdefault(lane.kind, []).append(sound)
    return {
        kind: AudioMix(tuple(sounds), plan.samples, plan.settings.sample_rate, plan.settings.channels)
        for kind, sounds in kinds.items()
    }


def _lane_sounds(
    project: Project, plan: RenderPlan, resolve: Callable[[str], Path]
) -> Iterator[tuple[AudioLane, Sound]]:
    """Every sound `plan` plays with the lane it plays on, in mix order."""
    attack = sample_at(DUCK_ATTACK_US, plan.settings.sample_rate)
    clip_lane = _clip_sound_lane(project)
    clip_duck = _ducking(project, plan, clip_lane, attack)
    for segment in plan.segments:
        if _shot_plays(project, segment):
            yield clip_lane, _shot_sound(project, segment, clip_lane, clip_duck)
    for clip in project.audio:
        if _clip_plays(project, clip):
            lane = project.lane(clip.lane)
            duck = _ducking(project, plan, lane, attack)
            for piece, curve in loop_pieces(clip):
                sound = _clip_sound(piece, lane, plan, resolve(clip.media), duck, curve)
                if sound is not None:
                    _check_present(clip, lane, sound.source)
                    yield lane, sound


def _check_present(clip: AudioClip, lane: AudioLane, source: Path) -> None:
    if not source.is_file():
        name = f"The sound {clip.source_name}" if clip.source_name else "A sound"
        raise MediaMissing(
            f"{name} on the {lane.name or lane.id} lane (at {format_time(clip.start_us)}) is missing from the project "
            "folder. Relink it or remove it from its lane, then try again."
        )


def speech_spans(project: Project, plan: RenderPlan, *, lane_id: str) -> tuple[tuple[int, int], ...]:
    """Output samples where speech plays on lanes other than `lane_id`, merged and in order.

    Speech is a playing shot with dialogue lines and sound (on the clips lane) or a playing clip on a voice lane. A lane
    never ducks under its own sound, so a dialogue shot does not lower the other shots' sound around it.
    """
    found: list[tuple[int, int]] = []
    for segment in plan.segments:
        if _shot_speaks(project, project.shot(segment.shot_id), segment.info.has_audio, lane_id):
            found.append((segment.start_sample, segment.end_sample))
    for clip in project.audio:
        if _clip_speaks(project, clip, lane_id):
            span = _clip_span(clip, plan)
            if span is not None:
                found.append(span)
    return _merged(found)


def _shot_speaks(project: Project, shot: Shot, has_audio: bool, lane_id: str) -> bool:
    return lane_id != CLIP_SOUND_LANE and bool(shot.dialogue) and has_audio and shot_heard(project, shot)


def _clip_speaks(project: Project, clip: AudioClip, lane_id: str) -> bool:
    lane = project.lane(clip.lane)
    return lane.kind is LaneKind.VOICE and lane.id != lane_id and _clip_plays(project, clip)


def timeline_ducking(project: Project, lane: AudioLane) -> Ducking | None:
    """A lane's ducking on the timeline's clock, in microseconds rather than output samples: the same speech, attack
    and release the mix ducks under (`speech_spans`, `_ducking`), for the timeline to draw on the lane's clips."""
    if lane.duck_db >= 0:
        return None
    found = [
        (placement.start_us, placement.end_us)
        for placement in layout(project)
        if placement.take is not None and _shot_speaks(project, placement.shot, placement.take.info.has_audio, lane.id)
    ]
    found += [(clip.start_us, clip.end_us) for clip in project.audio if _clip_speaks(project, clip, lane.id)]
    if not found:
        return None
    down = _merged([(max(0, start - DUCK_ATTACK_US), end) for start, end in found])
    return Ducking(down, lane.duck_db, DUCK_ATTACK_US, lane.duck_release_us)


# ---------------------------------------------------------------------------------------------- mute and solo


def _anything_soloed(project: Project) -> bool:
    return (
        any(lane.solo for lane in project.lanes)
        or any(clip.solo for clip in project.audio)
        or any(shot.solo for shot in project.shots)
    )


def _clip_sound_lane(project: Project) -> AudioLane:
    return next(
        (lane for lane in project.lanes if lane.id == CLIP_SOUND_LANE), AudioLane(CLIP_SOUND_LANE, "", LaneKind.CLIPS)
    )


def shot_heard(project: Project, shot: Shot) -> bool:
    """Whether mute and solo let a shot's own sound through (the one rule the mix and the lossless check share)."""
    lane = _clip_sound_lane(project)
    if shot.muted or lane.muted:
        return False
    return not _anything_soloed(project) or lane.solo or shot.solo


def clip_heard(project: Project, clip: AudioClip) -> bool:
    """Whether mute and solo let an audio clip through."""
    lane = project.lane(clip.lane)
    if clip.muted or lane.muted:
        return False
    return not _anything_soloed(project) or lane.solo or clip.solo


def _shot_plays(project: Project, segment: Segment) -> bool:
    return segment.info.has_audio and shot_heard(project, project.shot(segment.shot_id))


def _clip_plays(project: Project, clip: AudioClip) -> bool:
    return clip.info.has_audio and clip.duration_us > 0 and clip_heard(project, clip)


# ---------------------------------------------------------------------------------------------- sounds


def _shot_sound(project: Project, segment: Segment, lane: AudioLane, duck: Ducking | None) -> Sound:
    shot = project.shot(segment.shot_id)
    return Sound(
        source=segment.source,
        source_in_us=segment.trim.in_us,
        start_sample=segment.start_sample,
        samples=segment.samples,
        gain_db=shot.gain_db + lane.gain_db,
        fade_in_samples=segment.crossfade_in_samples,
        fade_out_samples=segment.crossfade_out_samples,
        fade_in_curve="qsin",
        fade_out_curve="qsin",
        duck=duck.reaches(segment.start_sample, segment.end_sample) if duck else None,
    )


def _clip_span(clip: AudioClip, plan: RenderPlan) -> tuple[int, int] | None:
    """The output samples a clip covers, cut to the plan; None when it lies outside."""
    rate = plan.settings.sample_rate
    start = sample_at(clip.start_us - plan.window.in_us, rate)
    end = sample_at(clip.end_us - plan.window.in_us, rate)
    first, last = max(start, 0), min(end, plan.samples)
    return (first, last) if last > first else None


def loop_pieces(clip: AudioClip) -> Iterator[tuple[AudioClip, tuple[Curve, Curve]]]:
    """A clip as the pieces of sound it plays, each a clip that plays once, with its fade curves (in, out).

    A clip that plays once is its own piece. A looped one (`loop_us`) repeats its trimmed sound until its end, each
    repeat starting `LOOP_CROSSFADE_US` before the one before it ends and crossfading into it at equal power, so the
    bed never dips at the loop point; its own fade-in opens the first repeat and its fade-out closes the last.
    """
    if clip.loop_us <= clip.trim.duration_us:
        yield replace(clip, trim=Trim(clip.trim.in_us, clip.trim.in_us + clip.duration_us), loop_us=0), ("tri", "tri")
        return
    overlap = min(LOOP_CROSSFADE_US, clip.trim.duration_us // 4)
    step = clip.trim.duration_us - overlap
    at = 0
    while at < clip.loop_us:
        length = min(clip.trim.duration_us, clip.loop_us - at)
        first, last = at == 0, at + length >= clip.loop_us
        yield (
            replace(
                clip,
                start_us=clip.start_us + at,
                trim=Trim(clip.trim.in_us, clip.trim.in_us + length),
                fade_in_us=clip.fade_in_us if first else overlap,
                fade_out_us=min(clip.fade_out_us, length) if last else overlap,
                loop_us=0,
            ),
            ("tri" if first else "qsin", "tri" if last else "qsin"),
        )
        if last:
            return
        at += step


def _clip_sound(
    clip: AudioClip,
    lane: AudioLane,
    plan: RenderPlan,
    source: Path,
    duck: Ducking | None,
    curves: tuple[Curve, Curve] = ("tri", "tri"),
) -> Sound | None:
    span = _clip_span(clip, plan)
    if span is None:
        return None
    rate = plan.settings.sample_rate
    first, last = span
    start = sample_at(clip.start_us - plan.window.in_us, rate)
    end = sample_at(clip.end_us - plan.window.in_us, rate)
    cut_us = max(0, plan.window.in_us - clip.start_us)
    samples = last - first
    # a window that cuts into a fade keeps the rest of it (from silence): exact enough for a range export
    fade_in = max(0, sample_at(clip.fade_in_us, rate) - (first - start))
    fade_out = max(0, sample_at(clip.fade_out_us, rate) - (end - last))
    return Sound(
        source=source,
        source_in_us=clip.trim.in_us + cut_us,
        start_sample=first,
        samples=samples,
        gain_db=clip.gain_db + lane.gain_db,
        fade_in_samples=min(fade_in, samples),
        fade_out_samples=min(fade_out, samples),
        fade_in_curve=curves[0],
        fade_out_curve=curves[1],
        duck=duck.reaches(first, last) if duck else None,
    )


def _ducking(project: Project, plan: RenderPlan, lane: AudioLane, attack: int) -> Ducking | None:
    if lane.duck_db >= 0:
        return None
    spans = speech_spans(project, plan, lane_id=lane.id)
    if not spans:
        return None
    release = sample_at(lane.duck_release_us, plan.settings.sample_rate)
    # the envelope is fully down over its spans, so each opens `attack` before the speech: the first word is clear
    down = _merged([(max(0, start - attack), end) for start, end in spans])
    return Ducking(down, lane.duck_db, attack, release)


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple(_merge(sorted(spans)))


def _merge(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    current: tuple[int, int] | None = None
    for start, end in spans:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current
