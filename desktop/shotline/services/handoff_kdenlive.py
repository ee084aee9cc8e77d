"""The cut as a Kdenlive project (.kdenlive): the MLT document Kdenlive saves, with its crossfades as Kdenlive's own.

The .mlt hand-off (`handoff_mlt`) is Shotcut's layout, which Kdenlive opens too, but a dissolve there is a small
tractor inside the track, which Kdenlive drops (its frames became a gap). Kdenlive keeps a crossfade on one track by
making each track a tractor of two playlists: the clips either side of a crossfade sit on different playlists,
overlapping over its frames, and a transition of the track blends them (a luma wipe without a map for the picture,
a `mix` for the sound), marked with where its cut falls (`kdenlive:mixcut`) and, where the incoming clip is on the
first playlist, reversed. That is the shape of the projects Kdenlive itself saves (21.12 and 22.12); Shotcut does
not read it, hence a file of its own.

Everything else is as in the .mlt: one producer per clip with its recipe, the media once in the bin (`main_bin`,
Kdenlive's document version on it), the background as `black_track`, the sound tracks mixed as Kdenlive's track
mixing, paths relative to the project file, the project as long as the film. The tracks are in Kdenlive's own order,
the sound below the picture, and each shot's picture and own sound are grouped as Kdenlive groups a clip it splits,
so they move together. The captions are not a track here: Kdenlive loads `NAME.kdenlive.srt` beside the
project onto its subtitle track, and the hand-off writes that file.

Kdenlive 22.12 was seen to open it with each crossfade as its own mix over the same frames, the monitor blending
them as melt does, the captions on its subtitle track, and no "problems found" message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from xml.etree import ElementTree as ET

import opentimelineio as otio

from shotline.core.model import Size
from shotline.services.handoff_mlt import (
    BACKGROUND,
    black_producer,
    blend_of,
    clip_producer,
    document_root,
    end_at,
    frames_of,
    media_bin,
    properties,
    sound_mixing,
)
from shotline.services.handoff_timeline import CAPTIONS_TRACK, CLIP_SOUND_TRACK, PICTURE_TRACK

TRACK_HEIGHT = "67"
"""Kdenlive's own track height, as it saves a project."""


@dataclass(frozen=True)
class _Placed:
    """A clip of a track as Kdenlive lays it: on which of the track's two playlists, from which film frame, and
    which of its source frames (its in and out, reaching past its cut over a crossfade)."""

    side: int
    start: int
    producer: str
    first: int
    last: int


@dataclass(frozen=True)
class _Crossfade:
    start: int
    frames: int
    cut: int
    """Frames from the crossfade's start to its cut."""
    incoming_side: int


def kdenlive_document(timeline: otio.schema.Timeline, size: Size, fps: Fraction) -> bytes:
    """The Kdenlive project of `timeline` at the project's frame `size` and rate `fps`."""
    picture = next(track for track in timeline.tracks if track.kind == otio.schema.TrackKind.Video)
    film = max(frames_of(picture.duration(), fps), 1)
    root = document_root(timeline.name, size, fps)
    black_producer(root, BACKGROUND, film)
    # Kdenlive's own order, bottom up: the sound tracks (the one nearest the picture first: A1 is the shots' own
    # sound), then the picture
    sound = [track for track in timeline.tracks if track.kind == otio.schema.TrackKind.Audio]
    picture_tracks = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video and t.name != CAPTIONS_TRACK]
    tracks = [*reversed(sound), *picture_tracks]
    laid = [_track(root, track, f"track{index}", fps, film) for index, track in enumerate(tracks)]
    whole = {"id": "timeline", "title": timeline.name, "in": "0", "out": str(film - 1)}
    tractor = ET.SubElement(root, "tractor", whole)
    ET.SubElement(tractor, "track", {"producer": BACKGROUND})
    for track_id, _ in laid:
        ET.SubElement(tractor, "track", {"producer": track_id})
    for number, track in enumerate(tracks, start=1):
        if track.kind == otio.schema.TrackKind.Audio:
            sound_mixing(tractor, number)
    found = media_bin(root)
    root[1:1] = found  # after the profile: MLT reads a producer before its first use
    names = [track.name for track in tracks]
    if PICTURE_TRACK in names and CLIP_SOUND_TRACK in names:
        picture_at, sound_at = names.index(PICTURE_TRACK), names.index(CLIP_SOUND_TRACK)
        groups = _shot_groups(laid[picture_at][1], picture_at, laid[sound_at][1], sound_at)
        properties(found[-1], {"kdenlive:docproperties.groups": groups})
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _shot_groups(picture: list[_Placed], picture_at: int, sound: list[_Placed], sound_at: int) -> str:
    """Each shot's picture and own sound as a group Kdenlive moves together, as it groups a clip it splits into its
    picture and sound ("AVSplit"): each clip named by its track's place counted from the bottom, background left out,
    and the frame it starts on."""
    starts = {clip.start for clip in sound}
    groups = [
        {
            "children": [
                {"data": f"{picture_at}:{clip.start}", "leaf": "clip", "type": "Leaf"},
                {"data": f"{sound_at}:{clip.start}", "leaf": "clip", "type": "Leaf"},
            ],
            "type": "AVSplit",
        }
        for clip in picture
        if clip.start in starts
    ]
    return json.dumps(groups, indent=4)


def _track(
    root: ET.Element, track: otio.schema.Track, track_id: str, fps: Fraction, film: int
) -> tuple[str, list[_Placed]]:
    """The track as a tractor of two playlists and its crossfades, added to `root`: its id and its clips."""
    video = track.kind == otio.schema.TrackKind.Video
    placed, crossfades = _lay_out(root, track, track_id, fps)
    hide = "audio" if video else "video"
    sides = []
    for side in (0, 1):
        playlist = ET.SubElement(root, "playlist", {"id": f"{track_id}.{'ab'[side]}"})
        if not video:
            properties(playlist, {"kdenlive:audio_track": "1"})
        end_at(playlist, _entries(p for p in placed if p.side == side), film)
        sides.append(playlist.get("id", ""))
    tractor = ET.SubElement(root, "tractor", {"id": track_id, "in": "0", "out": str(film - 1)})
    kind = {} if video else {"kdenlive:audio_track": "1"}
    properties(tractor, {**kind, "kdenlive:track_name": track.name, "kdenlive:trackheight": TRACK_HEIGHT})
    for playlist_id in sides:
        ET.SubElement(tractor, "track", {"producer": playlist_id, "hide": hide})
    for number, crossfade in enumerate(crossfades):
        _crossfade(tractor, f"{track_id}.crossfade{number}", crossfade, video)
    return track_id, placed


def _lay_out(
    root: ET.Element, track: otio.schema.Track, track_id: str, fps: Fraction
) -> tuple[list[_Placed], list[_Crossfade]]:
    """Each clip of `track` placed on a playlist (its producer added to `root`), the one after a crossfade on the
    other playlist than the one before it, and the crossfades between them."""
    items = list(track)
    placed: list[_Placed] = []
    crossfades: list[_Crossfade] = []
    side = 0
    for number, item in enumerate(items):
        if not isinstance(item, otio.schema.Clip):
            continue
        before, after = blend_of(items, number - 1, fps)  # a crossfade into this clip
        cut = frames_of(track.range_of_child_at_index(number).start_time, fps)
        # Kdenlive takes a clip on the second playlist only as the far side of a crossfade (it moved others back,
        # with a "problems found" message), and each crossfade's two clips on different ones
        side = 1 - side if before or after else 0
        if before or after:
            crossfades.append(_Crossfade(cut - before, before + after, before, side))
        head, tail = before, blend_of(items, number + 1, fps)[1]  # its media reaching past each cut it blends over
        producer = f"{track_id}.clip{number}"
        root.append(clip_producer(producer, item, fps))
        first = frames_of(item.source_range.start_time, fps) - head
        last = frames_of(item.source_range.end_time_exclusive(), fps) + tail - 1
        placed.append(_Placed(side, cut - head, producer, first, last))
    return placed, crossfades


def _entries(placed: Iterable[_Placed]) -> list[ET.Element]:
    """A playlist's clips in film order, with blanks between them."""
    items: list[ET.Element] = []
    at = 0
    for clip in sorted(placed, key=lambda p: p.start):
        if clip.start > at:
            items.append(ET.Element("blank", {"length": str(clip.start - at)}))
        items.append(ET.Element("entry", {"producer": clip.producer, "in": str(clip.first), "out": str(clip.last)}))
        at = clip.start + clip.last - clip.first + 1
    return items


def _crossfade(tractor: ET.Element, crossfade_id: str, crossfade: _Crossfade, video: bool) -> None:
    """A crossfade as Kdenlive saves one: over its frames (its out one past the last, as Kdenlive sets it), from the
    first playlist to the second, reversed when the incoming clip is on the first."""
    span = {"in": str(crossfade.start), "out": str(crossfade.start + crossfade.frames)}
    transition = ET.SubElement(tractor, "transition", {"id": crossfade_id, **span})
    service = "luma" if video else "mix"
    kind = (
        {"factory": "loader", "resource": "", "softness": "0", "alpha_over": "0"}
        if video
        else {"start": "-1", "accepts_blanks": "1"}
    )
    properties(
        transition,
        {
            "a_track": "0",
            "b_track": "1",
            "mlt_service": service,
            "kdenlive_id": service,
            "kdenlive:mixcut": str(crossfade.cut),
            **kind,
            "reverse": "1" if crossfade.incoming_side == 0 else "0",
        },
    )
