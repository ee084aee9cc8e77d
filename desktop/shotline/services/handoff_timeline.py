"""The cut as an OpenTimelineIO timeline: what every hand-off format is written from (DESIGN §10, interchange).

Tracks, top to bottom as an editor shows them: the picture (each shot's picked take inside its trim), then the
sound lanes, each its own track — the shots' own sound ("Clip sound", the same clips as the picture, as an editor
links them), then each music and voice-over lane with its clips where they sit — and, in an .otio, the captions'
track once the project has captions (`caption_tracks`; the other formats' writers take no such track, so the
hand-off writes the captions beside the cut as SRT, which each of those editors imports). Every time is a whole
frame of the project's rate, placed as the export places it (`media.plan`): a shot starts on the frame Shotline's
own export starts it on, so the cut in the other editor is the same cut, frame for frame.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import PurePosixPath

import opentimelineio as otio

from shotline.core.model import AudioClip, AudioLane, ExportSettings, LaneKind, Project
from shotline.media.mix import loop_pieces
from shotline.media.plan import RenderPlan, Segment, frame_at, plan_export
from shotline.services.handoff_recipe import NAMESPACE, format_metadata, recipe
from shotline.storage.bundle import ProjectBundle

PICTURE_TRACK = "Picture"
CLIP_SOUND_TRACK = "Clip sound"
CAPTIONS_TRACK = "Captions"
CAPTION_TRACK_ADAPTERS = {"otio_json", "mlt"}
"""The formats whose writer takes a track of generated clips: the others get the captions as an SRT file beside."""

Locate = Callable[[str], str]
"""Where a project media path (relative to the bundle) is for the file being written: a URL relative to it or not."""


def build_timeline(project: Project, bundle: ProjectBundle, locate: Locate, adapter: str) -> otio.schema.Timeline:
    """The project's cut as a timeline, its media at `locate`'s URLs and each clip's recipe as `adapter` keeps it.

    A crossfade is a dissolve over the same frames as the export blends them: the cut at its middle, the outgoing
    shot's clip running on past it and the incoming one's starting before it (OpenTimelineIO's in and out offsets).
    Refuses (EditError, MediaMissing) a shot without a take or with its clip missing, naming it."""
    settings = ExportSettings.for_project(project)
    plan = plan_export(project, settings, bundle.resolve)  # names a shot without a take, or a missing clip
    rate = float(settings.fps)
    timeline = otio.schema.Timeline(name=project.title or "Shotline cut")
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    picture = otio.schema.Track(name=PICTURE_TRACK, kind=otio.schema.TrackKind.Video)
    sound = otio.schema.Track(name=CLIP_SOUND_TRACK, kind=otio.schema.TrackKind.Audio)
    segments = plan.segments
    for index, segment in enumerate(segments):
        before = segments[index - 1].crossfade_out_frames if index else 0
        head, tail = before // 2, (segment.crossfade_out_frames + 1) // 2
        start = segment.start_frame + head
        clip = _shot_clip(project, segment, plan, locate, adapter, head, tail)
        _place(picture, clip, start, rate)
        if segment.info.has_audio:
            _place(sound, clip.deepcopy(), start, rate)
        if segment.crossfade_out_frames:
            blend = _dissolve(segment.crossfade_out_frames, rate)
            picture.append(blend)
            if segment.info.has_audio and segments[index + 1].info.has_audio:
                sound.append(blend.deepcopy())
    timeline.tracks.append(picture)
    timeline.tracks.append(sound)
    for lane in project.lanes:
        if lane.kind is not LaneKind.CLIPS:
            for track in _lane_tracks(project, lane, settings.fps, locate):
                timeline.tracks.append(track)
    if adapter in CAPTION_TRACK_ADAPTERS:
        for track in caption_tracks(project, settings.fps):
            timeline.tracks.append(track)
    return timeline


def _lane_tracks(project: Project, lane: AudioLane, fps: Fraction, locate: Locate) -> list[otio.schema.Track]:
    """A sound lane as one track, or more where its clips overlap (a track holds one clip at a time): each clip goes
    on the first of the lane's tracks where it fits, so none is dropped."""
    rate = float(fps)
    tracks: list[otio.schema.Track] = []
    # a looped clip as its repeats (media.mix.loop_pieces): each lies inside its sound file, as an editor needs,
    # and the crossfade's overlap puts every other repeat on the lane's next track
    pieces = (piece for c in project.audio if c.lane == lane.id for piece, _ in loop_pieces(c))
    for clip in sorted(pieces, key=lambda c: c.start_us):
        start = frame_at(clip.start_us, fps)
        track = next((t for t in tracks if _end_of(t, rate) <= start), None)
        if track is None:
            name = lane.name or lane.id
            track = otio.schema.Track(
                name=name if not tracks else f"{name} {len(tracks) + 1}", kind=otio.schema.TrackKind.Audio
            )
            track.metadata[NAMESPACE] = {"lane": lane.id, "kind": lane.kind.value}
            tracks.append(track)
        _place(track, _sound_clip(clip, lane.name, fps, locate), start, rate)
    return tracks


def caption_tracks(project: Project, fps: Fraction) -> list[otio.schema.Track]:
    """The captions as a track of their own under the sound, where an editor lays titles: each caption a clip of
    generated media (OpenTimelineIO's `GeneratorReference`, kind "Caption") over its frames, its words in the
    generator's parameters and in Shotline's metadata with its speaker. None when the project has no captions.

    Captions that overlap (the creator's edits may make them) go on the same track one after the other: a caption
    starts no earlier than the previous one ends, as a subtitle track shows them."""
    if not project.captions:
        return []
    rate = float(fps)
    track = otio.schema.Track(name=CAPTIONS_TRACK, kind=otio.schema.TrackKind.Video)
    track.metadata[NAMESPACE] = {"kind": "captions"}
    for caption in sorted(project.captions, key=lambda c: (c.start_us, c.end_us)):
        start = max(frame_at(caption.start_us, fps), _end_of(track, rate))
        frames = frame_at(caption.end_us, fps) - start
        if frames <= 0:
            continue
        words = {"text": caption.text, "speaker": caption.speaker}
        reference = otio.schema.GeneratorReference(
            name="Caption", generator_kind="Caption", available_range=_range(0, frames, rate), parameters=words
        )
        clip = otio.schema.Clip(
            name=caption.text,
            media_reference=reference,
            source_range=_range(0, frames, rate),
            metadata={NAMESPACE: {**words, "line": caption.line_id or "", "edited": str(caption.edited).lower()}},
        )
        _place(track, clip, start, rate)
    return [track]


def _dissolve(frames: int, rate: float) -> otio.schema.Transition:
    """A crossfade of `frames` frames as a dissolve centred on the cut (an odd frame goes after it)."""
    return otio.schema.Transition(
        name="Crossfade",
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=otio.opentime.RationalTime(frames // 2, rate),
        out_offset=otio.opentime.RationalTime(frames - frames // 2, rate),
    )


def _shot_clip(
    project: Project, segment: Segment, plan: RenderPlan, locate: Locate, adapter: str, head: int, tail: int
) -> otio.schema.Clip:
    """A shot's clip on the track: its segment less the `head` and `tail` frames a dissolve plays over it."""
    fps = plan.settings.fps
    rate = float(fps)
    number = project.index_of(segment.shot_id) + 1
    shot = project.shots[number - 1]
    take = shot.take(segment.take_id)
    clip_meta, reference_meta = format_metadata(recipe(shot, take), adapter)
    reference = otio.schema.ExternalReference(
        target_url=locate(take.media),
        available_range=_range(0, frame_at(take.info.duration_us, fps), rate),
        metadata=reference_meta,
    )
    reference.name = take.source_name or PurePosixPath(take.media).name
    return otio.schema.Clip(
        name=f"Shot {number} – {shot.title}" if shot.title else f"Shot {number}",
        media_reference=reference,
        source_range=_range(frame_at(segment.trim.in_us, fps) + head, segment.frames - head - tail, rate),
        metadata=clip_meta,
    )


def _sound_clip(clip: AudioClip, lane_name: str, fps: Fraction, locate: Locate) -> otio.schema.Clip:
    rate = float(fps)
    reference = otio.schema.ExternalReference(
        target_url=locate(clip.media), available_range=_range(0, frame_at(clip.info.duration_us, fps), rate)
    )
    name = clip.source_name or PurePosixPath(clip.media).name
    return otio.schema.Clip(
        name=name,
        media_reference=reference,
        source_range=_range(frame_at(clip.trim.in_us, fps), max(frame_at(clip.duration_us, fps), 1), rate),
        metadata={NAMESPACE: {"lane": lane_name, "source": name, "gain_db": str(clip.gain_db)}},
    )


def _place(track: otio.schema.Track, item: otio.schema.Clip, start_frame: int, rate: float) -> None:
    """Append `item` at `start_frame`, after a gap where the track ends before it."""
    end = _end_of(track, rate)
    if start_frame > end:
        track.append(otio.schema.Gap(source_range=_range(0, start_frame - end, rate)))
    track.append(item)


def _end_of(track: otio.schema.Track, rate: float) -> int:
    return round(track.duration().rescaled_to(rate).value) if len(track) else 0


def _range(start: int, frames: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(frames, rate))
