"""The cut as an MLT XML project: the document Shotcut and Kdenlive open as a project, rendered by `melt`.

No OpenTimelineIO adapter writes MLT, so Shotline writes it from the same timeline the other formats are written
from (`handoff_timeline`): a playlist per track (picture, clip sound, each sound lane), over a black background as
Shotcut lays one out, every sound track mixed into the film by a `mix` transition. The project is as long as the
film (its picture): a sound running on past the last frame, such as music longer than the film, is cut there, as
Shotline's export cuts it, so that Shotcut's timeline and melt's render end with the film. Each clip is its own
producer, with its recipe as `shotline:*` properties and its name where Shotcut and Kdenlive show one. Media paths
are relative to the project file (MLT reads them from the file's folder), so the project moves with its media.

Kdenlive (22.12 was tried) opens a plain MLT document as a project but keeps only what it can tie to its own bin, so
the document also carries what Kdenlive reads, which Shotcut and melt pass over: every media file once in the bin
(`main_bin`, which Shotcut shows as its playlist) with a `kdenlive:id` its timeline clips repeat, the track names and
which tracks are sound, the background as Kdenlive names it (`black_track`, which Kdenlive skips and Shotcut also
knows) and the sound tracks' `mix` marked as the track mixing Kdenlive builds itself (`internal_added`). Without them
Kdenlive removed every clip, and listed each mix as an invalid composition. A dissolve, a small tractor as Shotcut
writes one, is the one thing Kdenlive still drops (its frames become a gap there): Kdenlive's own crossfade lives in a
track made of two playlists, which Shotcut does not read, so it needs a .kdenlive project of its own.

The captions are a video track of their own above the picture, as Shotcut 22.12 (which has no subtitle track) makes
titles: each caption a transparent clip over its frames with its words drawn by Shotcut's "Text: Simple" filter
(`dynamictext`), blended over the picture. The track is hidden, so that melt renders the film as Shotline exports it
(without burned-in captions); showing it (its eye) burns them in. The SRT beside the cut is the subtitle file.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import opentimelineio as otio

from shotline.core.model import Size
from shotline.services.handoff_recipe import NAMESPACE
from shotline.services.handoff_timeline import CAPTIONS_TRACK

MLT_VERSION = "7.12.0"
"""The MLT the document is written for (Debian 12's melt, Shotcut 22 and later read it)."""
KDENLIVE_VERSION = "1.04"
"""The Kdenlive document version the bin is written as (Kdenlive 22.12's own; later ones upgrade it on opening).
Without one Kdenlive says the project file's version cannot be read."""
BACKGROUND = "black_track"
"""The background track's id: Kdenlive skips a track of this name; Shotcut takes it as a Kdenlive background."""
KDENLIVE_TRACK_MIXING = "237"
"""`internal_added`'s value on a transition Kdenlive's track mixing made (and makes again) rather than the user."""


def mlt_document(timeline: otio.schema.Timeline, size: Size, fps: Fraction) -> bytes:
    """The MLT XML of `timeline` at the project's frame `size` and rate `fps`."""
    picture = next(track for track in timeline.tracks if track.kind == otio.schema.TrackKind.Video)
    frames = max(frames_of(picture.duration(), fps), 1)
    root = document_root(timeline.name, size, fps)
    black_producer(root, "black", frames)
    background = ET.SubElement(root, "playlist", {"id": BACKGROUND})
    ET.SubElement(background, "entry", {"producer": "black", "in": "0", "out": str(frames - 1)})
    playlists: list[tuple[str, bool]] = []
    for index, track in enumerate(timeline.tracks):
        video = track.kind == otio.schema.TrackKind.Video
        # "track", not Shotcut's "playlist": beside a black_track Shotcut takes a "playlist1" for Kdenlive's own
        playlist = _playlist(root, track, f"track{index}", fps, frames, size)
        kind = {"shotcut:video": "1"} if video else {"shotcut:audio": "1", "kdenlive:audio_track": "1"}
        properties(playlist, {**kind, "shotcut:name": track.name, "kdenlive:track_name": track.name})
        root.append(playlist)
        playlists.append((playlist.get("id", ""), video))
    tractor = ET.SubElement(
        root, "tractor", {"id": "tractor0", "title": timeline.name, "in": "0", "out": str(frames - 1)}
    )
    properties(tractor, {"shotcut": "1"})
    ET.SubElement(tractor, "track", {"producer": BACKGROUND})
    for (playlist_id, video), track in zip(playlists, timeline.tracks, strict=True):
        hide = "both" if track.name == CAPTIONS_TRACK else "audio" if video else "video"
        ET.SubElement(tractor, "track", {"producer": playlist_id, "hide": hide})
    for number, (_, video) in enumerate(playlists, start=1):
        if not video:
            sound_mixing(tractor, number)
        elif timeline.tracks[number - 1].name == CAPTIONS_TRACK:
            blend = ET.SubElement(tractor, "transition", {"id": f"blend{number}"})
            over = {"a_track": "1", "b_track": str(number), "mlt_service": "frei0r.cairoblend"}  # onto the picture
            properties(blend, {**over, "always_active": "1", "internal_added": KDENLIVE_TRACK_MIXING})
    root[1:1] = media_bin(root)  # after the profile: MLT reads a producer before its first use
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def black_producer(root: ET.Element, producer_id: str, frames: int) -> None:
    """The background: black for `frames` frames, silent."""
    black = ET.SubElement(root, "producer", {"id": producer_id, "in": "0", "out": str(frames - 1)})
    properties(
        black,
        {"length": str(frames), "eof": "pause", "resource": "0", "mlt_service": "color", "set.test_audio": "0"},
    )


def sound_mixing(tractor: ET.Element, number: int) -> None:
    """The sound of the tractor's track `number` mixed into the film (the track mixing Kdenlive builds itself)."""
    mix = ET.SubElement(tractor, "transition", {"id": f"mix{number}"})
    properties(
        mix,
        {
            "a_track": "0",
            "b_track": str(number),
            "mlt_service": "mix",
            "always_active": "1",
            "sum": "1",
            "internal_added": KDENLIVE_TRACK_MIXING,
        },
    )


def document_root(title: str, size: Size, fps: Fraction) -> ET.Element:
    """An MLT document with its profile: the frame `size` and rate `fps`, square pixels, progressive."""
    root = ET.Element("mlt", {"LC_NUMERIC": "C", "version": MLT_VERSION, "title": title, "producer": "main_bin"})
    aspect = size.aspect
    ET.SubElement(
        root,
        "profile",
        {
            "description": f"Shotline {size} {float(fps):g} fps",
            "width": str(size.width),
            "height": str(size.height),
            "progressive": "1",
            "sample_aspect_num": "1",
            "sample_aspect_den": "1",
            "display_aspect_num": str(aspect.numerator),
            "display_aspect_den": str(aspect.denominator),
            "frame_rate_num": str(fps.numerator),
            "frame_rate_den": str(fps.denominator),
            "colorspace": "709",
        },
    )
    return root


def media_bin(root: ET.Element) -> list[ET.Element]:
    """The bin (`main_bin`) after a producer of each media file of the clips in `root`, each file once, its
    `kdenlive:id` set on every clip of that file too: Kdenlive removes a timeline clip whose id is not in the bin,
    and Shotcut lists the bin as its playlist.

    The background and the captions (colour clips, no file) stay out: Kdenlive 22.12 keeps no caption's words (it
    drops the text filter), and it takes a clip it cannot find in the bin for any bin clip without a file, so with a
    caption in the bin each dissolve came back as a caption clip on the picture track."""
    bin_playlist = ET.Element("playlist", {"id": "main_bin"})
    properties(bin_playlist, {"xml_retain": "1", "kdenlive:docproperties.version": KDENLIVE_VERSION})
    media: dict[str, ET.Element] = {}
    for clip in root.findall("producer"):
        if clip.findtext("property[@name='mlt_service']") == "color":
            continue
        resource = clip.findtext("property[@name='resource']", "")
        if resource not in media:
            kdenlive_id = str(len(media) + 1)
            span = {"in": clip.get("in", ""), "out": clip.get("out", "")}
            media[resource] = ET.Element("producer", {"id": f"bin{kdenlive_id}", **span})
            kept = ("length", "resource", "mlt_service", "shotcut:caption", "kdenlive:clipname")
            properties(media[resource], {name: clip.findtext(f"property[@name='{name}']", "") for name in kept})
            properties(media[resource], {"kdenlive:id": kdenlive_id})
            ET.SubElement(bin_playlist, "entry", {"producer": f"bin{kdenlive_id}", **span})
        properties(clip, {"kdenlive:id": media[resource].findtext("property[@name='kdenlive:id']", "")})
    return [*media.values(), bin_playlist]


def _playlist(
    root: ET.Element, track: otio.schema.Track, playlist_id: str, fps: Fraction, film: int, size: Size
) -> ET.Element:
    """A track as an MLT playlist: a clip as an entry of its own producer, a gap as a blank, and a dissolve as
    Shotcut writes one, a small tractor blending the two clips over the frames around the cut, which they give up.
    Whatever lies past the film's last frame (`film` frames long) is cut off."""
    playlist = ET.Element("playlist", {"id": playlist_id})
    end_at(playlist, _items(root, track, playlist_id, fps, size), film)
    return playlist


def end_at(playlist: ET.Element, items: list[ET.Element], film: int) -> None:
    """Append `items` (entries and blanks) to `playlist` up to frame `film`: the one across it is shortened to end
    there and any after it left out."""
    at = 0
    for item in items:
        if at >= film:
            break
        blank = item.tag == "blank"
        first = int(item.get("in", "0"))
        length = int(item.get("length", "0")) if blank else int(item.get("out", "0")) - first + 1
        if at + length > film and blank:
            item.set("length", str(film - at))
        elif at + length > film:
            item.set("out", str(first + film - at - 1))
        playlist.append(item)
        at += length


def _items(root: ET.Element, track: otio.schema.Track, playlist_id: str, fps: Fraction, size: Size) -> list[ET.Element]:
    """The track's entries and blanks in order, each clip's producer (and a dissolve's tractor) added to `root`."""
    playlist = ET.Element("playlist")
    items = list(track)
    producers: dict[int, str] = {}
    for number, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            producers[number] = f"{playlist_id}.clip{number}"
            if isinstance(item.media_reference, otio.schema.GeneratorReference):
                root.append(_caption(producers[number], item, fps, size))
            else:
                root.append(clip_producer(producers[number], item, fps))
    for number, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            start, length = frames_of(item.source_range.start_time, fps), frames_of(item.source_range.duration, fps)
            head, tail = blend_of(items, number - 1, fps)[1], blend_of(items, number + 1, fps)[0]
            entry = {"producer": producers[number], "in": str(start + head), "out": str(start + length - tail - 1)}
            ET.SubElement(playlist, "entry", entry)
        elif isinstance(item, otio.schema.Transition):
            tractor_id = _dissolve(root, items, number, producers, fps)
            frames = sum(blend_of(items, number, fps))
            ET.SubElement(playlist, "entry", {"producer": tractor_id, "in": "0", "out": str(frames - 1)})
        elif (length := frames_of(item.duration(), fps)) > 0:
            ET.SubElement(playlist, "blank", {"length": str(length)})
    return list(playlist)


def _dissolve(root: ET.Element, items: list[Any], number: int, producers: dict[int, str], fps: Fraction) -> str:
    """The dissolve at `number` as a tractor of the clips either side of it (each reaching past the cut by the
    dissolve's offsets) with a luma wipe without a map (a plain dissolve) and a crossfade of their sound."""
    before, after = blend_of(items, number, fps)
    last = before + after - 1
    outgoing, incoming = items[number - 1], items[number + 1]
    firsts = (
        frames_of(outgoing.source_range.end_time_exclusive(), fps) - before,
        frames_of(incoming.source_range.start_time, fps) - before,
    )
    tractor_id = f"{producers[number - 1]}.dissolve"
    tractor = ET.SubElement(root, "tractor", {"id": tractor_id, "in": "0", "out": str(last)})
    properties(tractor, {"shotcut:transition": "lumaMix"})
    for producer, first in zip((producers[number - 1], producers[number + 1]), firsts, strict=True):
        ET.SubElement(tractor, "track", {"producer": producer, "in": str(first), "out": str(first + last)})
    for service, extra in (("luma", {"factory": "loader"}), ("mix", {"start": "-1", "accepts_blanks": "1"})):
        blend = ET.SubElement(tractor, "transition", {"id": f"{tractor_id}.{service}", "out": str(last)})
        properties(blend, {"a_track": "0", "b_track": "1", "mlt_service": service, **extra})
    return tractor_id


def blend_of(items: list[Any], number: int, fps: Fraction) -> tuple[int, int]:
    """The frames of the dissolve at `number` before and after its cut; (0, 0) where there is none."""
    if 0 <= number < len(items) and isinstance(item := items[number], otio.schema.Transition):
        return frames_of(item.in_offset, fps), frames_of(item.out_offset, fps)
    return 0, 0


def frames_of(time: Any, fps: Fraction) -> int:
    return round(float(time.rescaled_to(float(fps)).value))


def clip_producer(producer_id: str, clip: otio.schema.Clip, fps: Fraction) -> ET.Element:
    reference = clip.media_reference
    available = reference.available_range
    length = round(available.duration.rescaled_to(float(fps)).value) if available else 0
    producer = ET.Element("producer", {"id": producer_id, "in": "0", "out": str(max(length - 1, 0))})
    found = clip.metadata.get(NAMESPACE, {})
    properties(
        producer,
        {
            "length": str(length),
            "resource": unquote(reference.target_url),
            "mlt_service": "avformat-novalidate",
            "shotcut:caption": clip.name,
            "kdenlive:clipname": clip.name,
            **{f"shotline:{key}": str(value) for key, value in found.items()},
        },
    )
    return producer


def _caption(producer_id: str, clip: otio.schema.Clip, fps: Fraction, size: Size) -> ET.Element:
    """A caption as Shotcut makes a title: a transparent colour clip over its frames, its words drawn at the foot of
    the frame by a "Text: Simple" filter in white with a dark outline."""
    length = frames_of(clip.source_range.duration, fps)
    producer = ET.Element("producer", {"id": producer_id, "in": "0", "out": str(length - 1)})
    found = clip.metadata.get(NAMESPACE, {})
    properties(
        producer,
        {
            "length": str(length),
            "resource": "#00000000",
            "mlt_service": "color",
            "mlt_image_format": "rgba",
            "shotcut:caption": clip.name,
            "kdenlive:clipname": clip.name,
            **{f"shotline:{key}": str(value) for key, value in found.items()},
        },
    )
    words = ET.SubElement(producer, "filter", {"id": f"{producer_id}.words"})
    points = max(size.height // 15, 1)  # the size Kdenlive gives its subtitles
    properties(
        words,
        {
            "mlt_service": "dynamictext",
            "shotcut:filter": "dynamicText",
            "argument": clip.name,
            # a band along the foot of the frame, where Shotcut's filter fits its words when its size is not set
            "geometry": f"{size.width // 20} {size.height * 3 // 4} {size.width * 9 // 10} {size.height // 5} 1",
            "family": "Sans",
            "size": str(points),
            "shotcut:usePointSize": "1",
            "shotcut:pointSize": str(points),
            "weight": "700",
            "fgcolour": "#ffffffff",
            "bgcolour": "#00000000",
            "olcolour": "#ff000000",
            "outline": "2",
            "pad": "0",
            "halign": "center",
            "valign": "bottom",
        },
    )
    return producer


def properties(element: ET.Element, values: dict[str, str]) -> None:
    for name, value in values.items():
        ET.SubElement(element, "property", {"name": name}).text = value
