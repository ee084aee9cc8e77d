"""Pure edits of the sound: audio clips on lanes, lane settings, a shot's sound and its transition out.

Like `edits`, each takes a Project and returns a new one or raises an EditError that says why not. Audio clip
times are microseconds on the timeline (start) and in the source (trim); they are not snapped to frames, because
sound is placed by sample, not by picture frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from shotline.core.edits import with_shot
from shotline.core.errors import EditError, InvalidTrim
from shotline.core.model import (
    AudioClip,
    AudioLane,
    LaneKind,
    Project,
    Shot,
    Transition,
    TransitionKind,
    Trim,
)
from shotline.core.timecode import format_time
from shotline.core.timeline import film_length_us

MIN_AUDIO_US = 10_000
"""The shortest piece of sound a trim may leave (10 ms); shorter is a click, not a clip."""
FIT_FADE_OUT_US = 1_000_000
"""A sound fitted to the film's end fades out over this long (at most half of what is left), rather than stop dead."""
MAX_GAIN_DB = 24.0
MIN_GAIN_DB = -60.0
MAX_DUCK_DB = -60.0
MAX_RELEASE_US = 10_000_000


def _with_clip(project: Project, clip_id: str, change: Callable[[AudioClip], AudioClip]) -> Project:
    project.audio_clip(clip_id)
    return replace(project, audio=tuple(change(c) if c.id == clip_id else c for c in project.audio))


def _clip_lane(project: Project, lane_id: str) -> AudioLane:
    lane = project.lane(lane_id)
    if lane.kind is LaneKind.CLIPS:
        raise EditError(f"The {lane.name} lane carries the shots' own sound; put music or voice-over on another lane.")
    return lane


def _checked_gain(gain_db: float) -> float:
    if not MIN_GAIN_DB <= gain_db <= MAX_GAIN_DB:
        raise EditError(f"A gain of {gain_db:g} dB is out of range; use {MIN_GAIN_DB:g} to +{MAX_GAIN_DB:g} dB.")
    return gain_db


def checked_audio_trim(clip: AudioClip, in_us: int, out_us: int) -> Trim:
    length = clip.info.duration_us
    if in_us < 0 or out_us > length + 1000 or in_us >= out_us:
        raise InvalidTrim(
            f"The trim {format_time(in_us)}–{format_time(out_us)} is outside the sound, "
            f"which runs 00:00:00.000–{format_time(length)}; in must come before out."
        )
    out_us = min(out_us, length)
    if out_us - in_us < MIN_AUDIO_US:
        raise InvalidTrim("A trim must keep at least 10 ms of sound.")
    return Trim(in_us, out_us)


def _checked_fades(clip: AudioClip) -> AudioClip:
    if clip.fade_in_us < 0 or clip.fade_out_us < 0:
        raise EditError("A fade cannot be shorter than nothing.")
    if clip.fade_in_us + clip.fade_out_us > clip.duration_us:
        raise EditError(
            f"The fades ({format_time(clip.fade_in_us)} in, {format_time(clip.fade_out_us)} out) are longer than "
            f"the clip ({format_time(clip.duration_us)}); shorten them."
        )
    return clip


def add_audio_clip(project: Project, clip: AudioClip) -> Project:
    if any(c.id == clip.id for c in project.audio):
        raise EditError(f"An audio clip with id {clip.id} is already in the project.")
    _clip_lane(project, clip.lane)
    if clip.start_us < 0:
        raise EditError("An audio clip cannot start before the film does.")
    checked_audio_trim(clip, clip.trim.in_us, clip.trim.out_us)
    return replace(project, audio=(*project.audio, _checked_fades(clip)))


def remove_audio_clip(project: Project, clip_id: str) -> Project:
    project.audio_clip(clip_id)
    return replace(project, audio=tuple(c for c in project.audio if c.id != clip_id))


def move_audio_clip(project: Project, clip_id: str, start_us: int, lane_id: str | None = None) -> Project:
    """Place a clip at `start_us` on the timeline (clamped at zero), on `lane_id` if given."""
    if lane_id is not None:
        _clip_lane(project, lane_id)
    return _with_clip(
        project, clip_id, lambda c: replace(c, start_us=max(0, start_us), lane=lane_id if lane_id else c.lane)
    )


def _played_for(clip: AudioClip, repeat: Trim, length_us: int) -> AudioClip:
    """`clip` playing the sound `repeat` for `length_us`: longer than one repeat it loops (`loop_us`), one repeat or
    shorter it plays once, trimmed to that length (`loop_us` 0), so a clip never holds a loop it does not play.
    Its fades are the whole clip's and shorten to fit it."""
    if length_us < MIN_AUDIO_US:
        raise InvalidTrim("A sound clip must play for at least 10 ms.")
    looped = length_us > repeat.duration_us
    fade_in = min(clip.fade_in_us, length_us)
    return replace(
        clip,
        trim=repeat if looped else Trim(repeat.in_us, repeat.in_us + length_us),
        loop_us=length_us if looped else 0,
        fade_in_us=fade_in,
        fade_out_us=min(clip.fade_out_us, length_us - fade_in),
    )


def trim_audio_clip(project: Project, clip_id: str, in_us: int, out_us: int, *, keep_end: bool = False) -> Project:
    """Set a clip's source in/out. With `keep_end` the clip's end stays put on the timeline (a left-edge drag).

    A looped clip's in/out is the sound that repeats: it keeps playing for as long as before, or with `keep_end`
    until the same end (starting where the in point moved it to); should that be one repeat or less, it plays once."""

    def change(clip: AudioClip) -> AudioClip:
        trim = checked_audio_trim(clip, in_us, out_us)
        moved = trim.in_us - clip.trim.in_us if keep_end else 0
        start = clip.start_us + moved
        if start < 0:
            raise EditError("An audio clip cannot start before the film does.")
        length = clip.loop_us - moved if clip.loop_us else trim.duration_us
        return _played_for(replace(clip, start_us=start), trim, length)

    return _with_clip(project, clip_id, change)


def set_audio_clip_length(project: Project, clip_id: str, length_us: int, *, repeat: Trim | None = None) -> Project:
    """Make a clip play for `length_us` from its start (its right edge, `shotline sound length`).

    The rule, as a music bed's right edge in an editor: longer than one repeat of its sound it loops that sound to
    the new length; one repeat or shorter it plays once, its out point trimmed to the length (`loop_us` 0). The
    repeating sound is `repeat` (by default the clip's own in/out): a drag passes the one it started with, so a
    bed dragged below one repeat and back out within the same drag loops its whole sound again. Fades shorten to
    fit it, the fade-out first, as a trim's do."""

    def change(clip: AudioClip) -> AudioClip:
        sound = repeat or clip.trim
        return _played_for(clip, checked_audio_trim(clip, sound.in_us, sound.out_us), length_us)

    return _with_clip(project, clip_id, change)


def set_audio_clip(project: Project, clip_id: str, **changes: Any) -> Project:
    """Change a clip's gain_db, muted, solo, fade_in_us or fade_out_us."""
    allowed = {"gain_db", "muted", "solo", "fade_in_us", "fade_out_us"}
    if unknown := set(changes) - allowed:
        raise EditError(f"An audio clip has no setting {', '.join(sorted(unknown))}.")
    if "gain_db" in changes:
        _checked_gain(changes["gain_db"])
    return _with_clip(project, clip_id, lambda c: _checked_fades(replace(c, **changes)))


def fit_audio_clip(project: Project, clip_id: str) -> Project:
    """Make a clip end where the film ends: a shorter one loops its sound to the end, a longer one is cut there; both
    close with a short fade-out (`FIT_FADE_OUT_US`, or the clip's own if longer) so the sound does not stop dead."""
    clip = project.audio_clip(clip_id)
    film_end = film_length_us(project)
    wanted = film_end - clip.start_us
    name = clip.source_name or "This sound"
    if wanted < MIN_AUDIO_US:
        raise EditError(
            f"{name} starts at {format_time(clip.start_us)}, at or after the film's end ({format_time(film_end)}); "
            "move it earlier to fit it to the film."
        )
    fade_out = max(clip.fade_out_us, min(FIT_FADE_OUT_US, wanted // 2))
    played = _played_for(clip, clip.trim, wanted)
    fitted = replace(played, fade_in_us=min(clip.fade_in_us, wanted - fade_out), fade_out_us=fade_out)
    return _with_clip(project, clip_id, lambda _: _checked_fades(fitted))


def set_lane(project: Project, lane_id: str, **changes: Any) -> Project:
    """Change a lane's name, gain_db, muted, solo, duck_db or duck_release_us."""
    allowed = {"name", "gain_db", "muted", "solo", "duck_db", "duck_release_us"}
    if unknown := set(changes) - allowed:
        raise EditError(f"An audio lane has no setting {', '.join(sorted(unknown))}.")
    project.lane(lane_id)
    if "gain_db" in changes:
        _checked_gain(changes["gain_db"])
    duck = changes.get("duck_db", 0.0)
    if not MAX_DUCK_DB <= duck <= 0:
        raise EditError(f"Ducking of {duck:g} dB is out of range; use 0 (none) down to {MAX_DUCK_DB:g} dB.")
    release = changes.get("duck_release_us", 0)
    if not 0 <= release <= MAX_RELEASE_US:
        raise EditError("The duck release must be between 0 and 10 seconds.")
    return replace(project, lanes=tuple(replace(la, **changes) if la.id == lane_id else la for la in project.lanes))


def set_shot_sound(project: Project, shot_id: str, **changes: Any) -> Project:
    """Change a shot's own sound: gain_db, muted, solo. (Whether it carries speech is its dialogue lines.)"""
    allowed = {"gain_db", "muted", "solo"}
    if unknown := set(changes) - allowed:
        raise EditError(f"A shot's sound has no setting {', '.join(sorted(unknown))}.")
    if "gain_db" in changes:
        _checked_gain(changes["gain_db"])
    return with_shot(project, shot_id, lambda s: replace(s, **changes))


def set_transition(project: Project, shot_id: str, transition: Transition) -> Project:
    """Set how a shot hands over to the next one: a cut, or a crossfade of picture and sound."""
    index = project.index_of(shot_id)
    if transition.kind is TransitionKind.CROSSFADE:
        if index == len(project.shots) - 1:
            raise EditError("The last shot has nothing to crossfade into; add a shot after it first.")
        if transition.duration_us <= 0:
            raise EditError("A crossfade needs a length; give it one, e.g. 0.5 s.")
        following = project.shots[index + 1]
        limit = min(project.shots[index].duration_us, following.duration_us) // 2
        if transition.duration_us > limit:
            raise EditError(
                f"A crossfade of {format_time(transition.duration_us)} is longer than half of a shot it joins; "
                f"use at most {format_time(limit)}."
            )
    else:
        transition = Transition()

    def change(shot: Shot) -> Shot:
        return replace(shot, transition_out=transition)

    return with_shot(project, shot_id, change)
