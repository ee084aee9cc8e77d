"""The cut as an MLT XML project: the document Shotcut opens (and Kdenlive adds as a clip), rendered by `melt`.

No OpenTimelineIO adapter writes MLT, so Shotline writes it from the same timeline the other formats are written
from (`handoff_timeline`): a playlist per track (picture, clip sound, each sound lane), over a black background as
Shotcut lays one out, every sound track mixed into the film by a `mix` transition. Each clip is its own producer,
with its recipe as `shotline:*` properties and its name where Shotcut and Kdenlive show one. Media paths are
relative to the project file (MLT reads them from the file's folder), so the project moves with its media.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import opentimelineio as otio

from shotline.core.model import Size
from shotline.services.handoff_recipe import NAMESPACE

MLT_VERSION = "7.12.0"
"""The MLT the document is written for (Debian 12's melt, Shotcut 22 and later read it)."""


def mlt_document(timeline: otio.schema.Timeline, size: Size, fps: Fraction) -> bytes:
    """The MLT XML of `timeline` at the project's frame `size` and rate `fps`."""
    frames = max(round(timeline.tracks.duration().rescaled_to(float(fps)).value), 1)
    root = ET.Element(
        "mlt", {"LC_NUMERIC": "C", "version": MLT_VERSION, "title": timeline.name, "producer": "main_bin"}
    )
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
    _properties(ET.SubElement(root, "playlist", {"id": "main_bin"}), {"xml_retain": "1"})
    black = ET.SubElement(root, "producer", {"id": "black", "in": "0", "out": str(frames - 1)})
    _properties(
        black,
        {"length": str(frames), "eof": "pause", "resource": "0", "mlt_service": "color", "set.test_audio": "0"},
    )
    background = ET.SubElement(root, "playlist", {"id": "background"})
    ET.SubElement(background, "entry", {"producer": "black", "in": "0", "out": str(frames - 1)})
    playlists: list[tuple[str, bool]] = []
    for index, track in enumerate(timeline.tracks):
        video = track.kind == otio.schema.TrackKind.Video
        playlist = _playlist(root, track, f"playlist{index}", fps)
        _properties(playlist, {"shotcut:video" if video else "shotcut:audio": "1", "shotcut:name": track.name})
        root.append(playlist)
        playlists.append((playlist.get("id", ""), video))
    tractor = ET.SubElement(
        root, "tractor", {"id": "tractor0", "title": timeline.name, "in": "0", "out": str(frames - 1)}
    )
    _properties(tractor, {"shotcut": "1"})
    ET.SubElement(tractor, "track", {"producer": "background"})
    for playlist_id, video in playlists:
        ET.SubElement(tractor, "track", {"producer": playlist_id, "hide": "audio" if video else "video"})
    for number, (_, video) in enumerate(playlists, start=1):
        if not video:
            mix = ET.SubElement(tractor, "transition", {"id": f"mix{number}"})
            _properties(
                mix,
                {"a_track": "0", "b_track": str(number), "mlt_service": "mix", "always_active": "1", "sum": "1"},
            )
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _playlist(root: ET.Element, track: otio.schema.Track, playlist_id: str, fps: Fraction) -> ET.Element:
    """A track as an MLT playlist: a clip as an entry of its own producer, a gap as a blank, and a dissolve as
    Shotcut writes one, a small tractor blending the two clips over the frames around the cut, which they give up."""
    playlist = ET.Element("playlist", {"id": playlist_id})
    items = list(track)
    producers: dict[int, str] = {}
    for number, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            producers[number] = f"{playlist_id}.clip{number}"
            root.append(_producer(producers[number], item, fps))
    for number, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            start, length = _frames(item.source_range.start_time, fps), _frames(item.source_range.duration, fps)
            head, tail = _blend(items, number - 1, fps)[1], _blend(items, number + 1, fps)[0]
            entry = {"producer": producers[number], "in": str(start + head), "out": str(start + length - tail - 1)}
            ET.SubElement(playlist, "entry", entry)
        elif isinstance(item, otio.schema.Transition):
            tractor_id = _dissolve(root, items, number, producers, fps)
            frames = sum(_blend(items, number, fps))
            ET.SubElement(playlist, "entry", {"producer": tractor_id, "in": "0", "out": str(frames - 1)})
        elif (length := _frames(item.duration(), fps)) > 0:
            ET.SubElement(playlist, "blank", {"length": str(length)})
    return playlist


def _dissolve(root: ET.Element, items: list[Any], number: int, producers: dict[int, str], fps: Fraction) -> str:
    """The dissolve at `number` as a tractor of the clips either side of it (each reaching past the cut by the
    dissolve's offsets) with a luma wipe without a map (a plain dissolve) and a crossfade of their sound."""
    before, after = _blend(items, number, fps)
    last = before + after - 1
    outgoing, incoming = items[number - 1], items[number + 1]
    firsts = (
        _frames(outgoing.source_range.end_time_exclusive(), fps) - before,
        _frames(incoming.source_range.start_time, fps) - before,
    )
    tractor_id = f"{producers[number - 1]}.dissolve"
    tractor = ET.SubElement(root, "tractor", {"id": tractor_id, "in": "0", "out": str(last)})
    _properties(tractor, {"shotcut:transition": "lumaMix"})
    for producer, first in zip((producers[number - 1], producers[number + 1]), firsts, strict=True):
        ET.SubElement(tractor, "track", {"producer": producer, "in": str(first), "out": str(first + last)})
    for service, extra in (("luma", {"factory": "loader"}), ("mix", {"start": "-1", "accepts_blanks": "1"})):
        blend = ET.SubElement(tractor, "transition", {"id": f"{tractor_id}.{service}", "out": str(last)})
        _properties(blend, {"a_track": "0", "b_track": "1", "mlt_service": service, **extra})
    return tractor_id


def _blend(items: list[Any], number: int, fps: Fraction) -> tuple[int, int]:
    """The frames of the dissolve at `number` before and after its cut; (0, 0) where there is none."""
    if 0 <= number < len(items) and isinstance(item := items[number], otio.schema.Transition):
        return _frames(item.in_offset, fps), _frames(item.out_offset, fps)
    return 0, 0


def _frames(time: Any, fps: Fraction) -> int:
    return round(float(time.rescaled_to(float(fps)).value))


def _producer(producer_id: str, clip: otio.schema.Clip, fps: Fraction) -> ET.Element:
    reference = clip.media_reference
    available = reference.available_range
    length = round(available.duration.rescaled_to(float(fps)).value) if available else 0
    producer = ET.Element("producer", {"id": producer_id, "in": "0", "out": str(max(length - 1, 0))})
    found = clip.metadata.get(NAMESPACE, {})
    _properties(
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


def _properties(element: ET.Element, values: dict[str, str]) -> None:
    for name, value in values.items():
        ET.SubElement(element, "property", {"name": name}).text = value
