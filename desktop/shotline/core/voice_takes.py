"""Where a dialogue line's voice plays: one sound clip on the voice-over lane per line, whose takes are swapped.

How a sound clip's takes are modelled: every voice take of a line is a sound file in media/ with its job in the
journal (which line, which voice, what it cost), as a still is; the line's clip on the voice-over lane plays one of
them. The clip's id is derived from the line's, so speaking a line again, or picking another of its takes, changes
the one clip in place — its media, length and name — and keeps where the creator put it, its gain and its fades;
the clips of other lines and the creator's own sound are never touched. Each change is one undoable step, and an
undo never loses a take: its file and its journal row stay, to be picked again.
"""

from __future__ import annotations

from dataclasses import replace

from shotline.core.audio_edits import add_audio_clip
from shotline.core.dialogue import all_lines
from shotline.core.edits import derived_id
from shotline.core.model import VOICE_LANE, AudioClip, DialogueLine, MediaInfo, Project, Trim


def voice_clip_id(line_id: str) -> str:
    """The id of the clip that plays `line_id`'s voice on the voice-over lane."""
    return derived_id("voice", line_id)


def voice_clip(project: Project, line_id: str) -> AudioClip | None:
    clip_id = voice_clip_id(line_id)
    return next((clip for clip in project.audio if clip.id == clip_id), None)


def voiced_line(project: Project, clip_id: str) -> DialogueLine | None:
    """The dialogue line a clip on the voice-over lane plays the voice of; None for any other sound clip."""
    return next((line for _, line in all_lines(project) if voice_clip_id(line.id) == clip_id), None)


def put_voice_take(
    project: Project, *, line_id: str, media: str, info: MediaInfo, start_us: int, name: str = ""
) -> Project:
    """The line's clip playing `media`: swapped in place when the line has a clip (keeping its place, gain and
    fades, shortened to fit a shorter take), else a new clip at `start_us` on the voice-over lane."""
    whole = Trim(0, info.duration_us)
    found = voice_clip(project, line_id)
    if found is None:
        clip = AudioClip(
            id=voice_clip_id(line_id),
            media=media,
            lane=VOICE_LANE,
            start_us=max(0, start_us),
            trim=whole,
            info=info,
            source_name=name,
        )
        return add_audio_clip(project, clip)
    fade_in = min(found.fade_in_us, whole.duration_us)
    fade_out = min(found.fade_out_us, whole.duration_us - fade_in)
    swapped = replace(
        found, media=media, info=info, trim=whole, source_name=name, fade_in_us=fade_in, fade_out_us=fade_out
    )
    return replace(project, audio=tuple(swapped if clip.id == found.id else clip for clip in project.audio))
