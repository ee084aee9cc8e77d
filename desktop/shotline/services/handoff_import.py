"""Bring a cut back from another editor (OpenTimelineIO, FCPXML, FCP 7 XML or EDL) as a new Shotline project.

Each clip of the cut's picture track becomes a shot, in order, its clip copied in as the shot's take and trimmed to
the clip's in and out frames, and a dissolve between two clips becomes a crossfade. A clip Shotline handed off brings
its recipe back (`handoff_recipe`): the shot's title and prompt, and for a generated take its backend, model, seed
and cost. A clip whose file cannot be found is kept as a shot without a take (its prompt kept, so it can be
generated again) and named in the report, with where it was looked for. The music and voice-over come back onto
their lanes from an .otio (the tracks Shotline marked), an FCPXML (their audio roles) and an FCP 7 XML (their tracks'
names); what those two adapters leave out is read back by `handoff_xml`. An EDL is the picture only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import opentimelineio as otio

from shotline.core.errors import MediaError, MediaUnreadable
from shotline.core.model import (
    AudioClip,
    Caption,
    GenerationRecord,
    GenerationSettings,
    Origin,
    Shot,
    Size,
    Transition,
    TransitionKind,
    Trim,
    new_id,
)
from shotline.core.timecode import US_PER_SECOND
from shotline.media.probe import probe
from shotline.services.handoff_recipe import NAMESPACE, recipe_of
from shotline.services.handoff_xml import read_back
from shotline.services.importing import prepare_takes
from shotline.services.intake import NewMedia
from shotline.services.session import ProjectSession
from shotline.services.sound import prepare_sound
from shotline.storage.bundle import ProjectBundle

log = logging.getLogger(__name__)

READS = {".otio": "otio_json", ".fcpxml": "fcpx_xml", ".xml": "fcp_xml", ".edl": "cmx_3600"}
"""The cut files Shotline reads back, by ending, with the OpenTimelineIO adapter that reads each."""


@dataclass(frozen=True, slots=True)
class ImportedCut:
    """What an import made: the new project, how many shots and sound clips it holds, and what could not be found."""

    project: Path
    shots: int
    sounds: int
    missing: tuple[str, ...]


def read_cut(cut: Path) -> otio.schema.Timeline:
    """The cut in `cut`, read by OpenTimelineIO; MediaUnreadable naming the file when it is not one."""
    adapter = READS.get(cut.suffix.lower())
    if adapter is None:
        endings = ", ".join(READS)
        raise MediaUnreadable(f"{cut.name}: Shotline reads a cut from {endings} files; this is none of them.")
    if not cut.is_file():
        raise MediaError(f"There is no file {cut}; check its name and folder.")
    try:
        found = otio.adapters.read_from_file(str(cut), adapter_name=adapter)
    except Exception as error:  # an adapter raises whatever its parser met (XML, JSON, index, key errors)
        log.info("reading %s failed: %r", cut, error)
        raise MediaUnreadable(
            f"{cut.name} could not be read as a cut ({error.__class__.__name__}): the file is damaged or is not "
            "the format its name says."
        ) from None
    timeline = found if isinstance(found, otio.schema.Timeline) else None
    if timeline is None or not timeline.video_tracks():
        raise MediaUnreadable(f"{cut.name} holds no picture track, so there is no cut to bring in.")
    return read_back(timeline, cut, adapter)


def import_cut(cut: Path, destination: Path) -> ImportedCut:
    """A new project at `destination` holding the cut in `cut` (see the module's note); the cut is read, and
    refused with a clear message, before the project is made."""
    timeline = read_cut(cut)
    picture = timeline.video_tracks()[0]
    clips = [item for item in picture if isinstance(item, otio.schema.Clip)]
    if not clips:
        raise MediaUnreadable(f"{cut.name} has no clips on its picture track, so there is no cut to bring in.")
    fps = Fraction(clips[0].source_range.duration.rate).limit_denominator(1001)
    found = {id(clip): _file_of(clip, cut.parent) for clip in clips}
    first = next((path for path in found.values() if path.is_file()), None)
    with ProjectSession.create(destination, title=timeline.name, size=_size_of(first), fps=fps) as session:
        bundle = session.bundle
        missing: list[str] = []
        new_media = NewMedia(bundle)
        with new_media.removed_on_failure():
            shots = _with_dissolves(
                picture,
                [
                    _shot(number, clip, found[id(clip)], bundle, new_media, missing)
                    for number, clip in enumerate(clips, 1)
                ],
            )
            sounds = _sounds(timeline, cut.parent, bundle, new_media, missing)
            project = replace(session.project, shots=shots, audio=sounds, captions=_captions(timeline))
            bundle.save(project)
    return ImportedCut(destination, len(shots), len(sounds), tuple(missing))


def _shot(
    number: int, clip: otio.schema.Clip, path: Path, bundle: ProjectBundle, new_media: NewMedia, missing: list[str]
) -> Shot:
    reference = clip.media_reference
    recipe = recipe_of(clip.metadata, reference.metadata if reference else {})
    title = recipe.get("shot") or _title(clip.name)
    settings = (
        GenerationSettings(backend=recipe["backend"], model=recipe.get("model", "")) if "backend" in recipe else None
    )
    if settings is not None and recipe.get("seed", "").isdigit():
        settings = replace(settings, seed=int(recipe["seed"]))
    shot = Shot(id=new_id(), prompt=recipe.get("prompt", ""), title=title, generation=settings or GenerationSettings())
    if not path.is_file():
        missing.append(f"Shot {number} ({title}): its clip {path.name} is not at {path}")
        return shot
    try:
        [(_, take)] = prepare_takes(bundle, [path], new_media)
    except MediaError as error:
        missing.append(f"Shot {number} ({title}): {error}")
        return shot
    made = _record(recipe)
    take = replace(
        take,
        trim=_trim(clip.source_range, take.info.duration_us),
        generation=made,
        origin=Origin.GENERATED if made else Origin.IMPORTED,
        source_name=recipe.get("source", "" if made else take.source_name),  # the name it had, not media/'s
    )
    return replace(shot, takes=(take,), picked_take_id=take.id)


def _with_dissolves(picture: otio.schema.Track, shots: list[Shot]) -> tuple[Shot, ...]:
    """The shots with each dissolve between two clips back as a crossfade: the outgoing take runs on to the end of
    the dissolve and the incoming one starts at its beginning, as Shotline overlaps them (`handoff_timeline`)."""
    items = [item for item in picture if isinstance(item, otio.schema.Clip | otio.schema.Transition)]
    number = 0
    for index, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            number += 1
            continue
        if not (0 < number < len(shots)) or not isinstance(items[index - 1], otio.schema.Clip):
            continue  # a dissolve from or to nothing (black) has no shot to blend with
        before, after = _us(item.in_offset), _us(item.out_offset)
        outgoing, incoming = shots[number - 1], shots[number]
        out_take, in_take = outgoing.picked_take, incoming.picked_take
        if out_take is not None:
            trim = Trim(out_take.trim.in_us, min(out_take.trim.out_us + after, out_take.info.duration_us))
            outgoing = replace(outgoing, takes=(replace(out_take, trim=trim),))
        if in_take is not None:
            trim = Trim(max(in_take.trim.in_us - before, 0), in_take.trim.out_us)
            incoming = replace(incoming, takes=(replace(in_take, trim=trim),))
        blend = Transition(TransitionKind.CROSSFADE, before + after)
        shots[number - 1], shots[number] = replace(outgoing, transition_out=blend), incoming
    return tuple(shots)


def _sounds(
    timeline: otio.schema.Timeline, folder: Path, bundle: ProjectBundle, new_media: NewMedia, missing: list[str]
) -> tuple[AudioClip, ...]:
    """The sound clips of the tracks marked with a lane (an .otio's own marks, or `handoff_xml.read_back`'s)."""
    sounds: list[AudioClip] = []
    for track in timeline.audio_tracks():
        lane = track.metadata.get(NAMESPACE, {}).get("lane") if isinstance(track.metadata, Mapping) else None
        if lane is None:
            continue
        for clip in track:
            if not isinstance(clip, otio.schema.Clip):
                continue
            path = _file_of(clip, folder)
            if not path.is_file():
                missing.append(f"The sound {clip.name} on the {track.name} lane: {path.name} is not at {path}")
                continue
            start = _us(clip.trimmed_range_in_parent().start_time)
            sound = prepare_sound(bundle, path, str(lane), start, new_media)
            trim = _trim(clip.source_range, sound.info.duration_us)
            sounds.append(replace(sound, trim=trim, source_name=clip.name or sound.source_name))
    return tuple(sounds)


def _captions(timeline: otio.schema.Timeline) -> tuple[Caption, ...]:
    """The captions of the captions track an .otio from Shotline carries (`handoff_timeline.caption_tracks`): their
    words, speakers and times; the lines they came from are not in the new project, so they are the creator's."""
    found: list[Caption] = []
    for track in timeline.video_tracks():
        marked = track.metadata.get(NAMESPACE, {}) if isinstance(track.metadata, Mapping) else {}
        if not isinstance(marked, Mapping) or marked.get("kind") != "captions":
            continue
        for clip in track:
            said = clip.metadata.get(NAMESPACE, {}) if isinstance(clip, otio.schema.Clip) else None
            if not isinstance(said, Mapping) or not str(said.get("text", "")).strip():
                continue
            span = clip.trimmed_range_in_parent()
            start = _us(span.start_time)
            end = _us(span.start_time + span.duration)
            found.append(Caption(new_id(), start, end, str(said["text"]), str(said.get("speaker", "")), edited=True))
    return tuple(sorted(found, key=lambda c: (c.start_us, c.end_us)))


def _title(name: str) -> str:
    """A shot's title from a clip's name: Shotline names a clip "Shot 2 – Quay" (the title after the dash)."""
    number, dash, title = name.partition(" – ")
    return title if dash and number.startswith("Shot ") else name


def _file_of(clip: otio.schema.Clip, folder: Path) -> Path:
    """Where a clip's media is: a file URL as it says, a relative one from the cut's folder."""
    reference = clip.media_reference
    url = getattr(reference, "target_url", "") or ""
    if url.startswith("file:"):
        return Path(otio.url_utils.filepath_from_url(url))
    return (folder / unquote(url)).absolute() if url else folder / clip.name


def _trim(source_range: Any, duration_us: int) -> Trim:
    in_us = min(_us(source_range.start_time), duration_us)
    return Trim(in_us, min(in_us + _us(source_range.duration), duration_us))


def _us(time: Any) -> int:
    """An OpenTimelineIO time in whole microseconds, exact for whole frames of a rational rate."""
    rate = Fraction(time.rate).limit_denominator(1001)
    return round(Fraction(round(time.value)) * US_PER_SECOND / rate)


def _record(recipe: Mapping[str, str]) -> GenerationRecord | None:
    if "backend" not in recipe:
        return None
    request: dict[str, Any] = {"prompt": recipe.get("prompt", "")}
    if recipe.get("seed", "").isdigit():
        request["seed"] = int(recipe["seed"])
    try:
        cost = Decimal(recipe["cost"]) if recipe.get("cost") else None
    except InvalidOperation:
        cost = None
    return GenerationRecord(
        job_id="", backend=recipe["backend"], model=recipe.get("model", ""), request=request, billed_cost=cost
    )


def _size_of(path: Path | None) -> Size | None:
    """The frame of the cut's first clip that can be found, as the new project's size (None: the default)."""
    if path is None:
        return None
    try:
        size = probe(path).display_size
        return Size.parse(str(size)) if size else None
    except (MediaError, ValueError):
        return None
