"""What OpenTimelineIO's FCPXML and FCP 7 XML adapters leave out of a hand-off: put into the file they write, and
taken back out of the file they read.

FCPXML (otio-fcpx-xml-adapter 1.0) writes no transition and no audio role, and reads neither:
- each dissolve of the picture becomes Final Cut's Cross Dissolve, a `transition` in the spine between its two clips.
  The clips stay laid end to end, meeting at the dissolve's cut; the transition starts (`offset`) the dissolve's
  first frame and lasts (`duration`) all of it, playing the outgoing clip's media past the cut and the incoming
  one's before it, as Final Cut and Resolve write and read one. Read back, each comes back as a dissolve between
  the two clips on the picture track.
- the shots' own sound under a dissolve crossfades with it. The adapter writes that sound as connected clips, which
  take no transition, so the crossfade is made of their lengths and volume fades: the outgoing shot's sound runs on
  past the cut to the dissolve's end and fades out over it, the incoming one's starts at the dissolve's start and
  fades in, at equal power as Shotline's export crossfades them (Final Cut's "+3dB" fade, which it writes as
  `easeIn` both ways).
- each sound lane's clips get the audio role of their kind, the track's name as the subrole: "music.Music",
  "dialogue.Voice-over", and "effects.Clip sound" for the shots' own sound. Roles are how Final Cut groups sound
  (lanes there are only rows), and a Final Cut export keeps them, so read back, music and dialogue come back onto
  Shotline's Music and Voice-over lanes; the shots' own sound and effects stay with the takes they came with.

FCP 7 XML (otio-fcp-adapter 1.0) keeps the dissolves but names no track and writes a sound track's dissolve as a
video effect: each sound track gets its name as Premiere writes one (`MZ.TrackName`, which Premiere keeps) and
Shotline's lane (`shotline.lane`, `shotline.kind`), and a dissolve on a sound track is the audio Cross Fade (+3dB).
Read back, a sound track comes onto the lane it names, or the lane whose name Premiere's track name has.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from shotline.core.model import DEFAULT_LANES, LaneKind
from shotline.services.handoff_recipe import NAMESPACE

CROSS_DISSOLVE = ("Cross Dissolve", "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265")
"""Final Cut's own Cross Dissolve: its name and the effect uid Final Cut and Resolve write for it."""
ROLES = {LaneKind.MUSIC: "music", LaneKind.VOICE: "dialogue", LaneKind.CLIPS: "effects"}
"""The FCPXML audio role of each lane kind (Final Cut's three built-in roles)."""
AUDIO_CROSSFADE = {
    "name": "Cross Fade (+3dB)",
    "effectid": "KGAudioTransCrossFade3dB",
    "effectcategory": "audiotransition",
    "effecttype": "transition",
    "mediatype": "audio",
}
"""FCP 7's and Premiere's audio crossfade, as their XML names it."""
_TRACK_NAME = "MZ.TrackName"
_LANE, _KIND = "shotline.lane", "shotline.kind"
"""The attributes of an FCP 7 XML track naming its Shotline lane (OpenTimelineIO reads them back as "@" keys)."""
_VIDEO_ADJUSTMENTS = (
    "adjust-crop", "adjust-corners", "adjust-conform", "adjust-transform", "adjust-blend", "adjust-stabilization",
    "adjust-rollingShutter", "adjust-360-transform", "adjust-reorient", "adjust-orientation",
)  # fmt: skip
"""FCPXML 1.8's picture settings of a clip, which come before its sound's (adjust-volume)."""
_CLIP_TAGS = {"clip", "asset-clip", "ref-clip", "sync-clip", "mc-clip", "gap", "audition", "title", "video", "audio"}


def amend(text: str, timeline: otio.schema.Timeline, adapter: str) -> str:
    """The file `adapter` wrote for `timeline` with what it left out (see the module's note); others as they are."""
    if adapter == "fcpx_xml":
        return _amend_fcpxml(text, timeline)
    if adapter == "fcp_xml":
        return _amend_fcp7(text, timeline)
    return text


def read_back(timeline: otio.schema.Timeline, cut: Path, adapter: str) -> otio.schema.Timeline:
    """`timeline` as `adapter` read it from `cut`, with what the adapter leaves out of it put back: the dissolves
    of an FCPXML, and each sound track's lane as an .otio marks it (`{"shotline": {"lane": …, "kind": …}}`)."""
    if adapter == "fcpx_xml":
        root = ET.parse(cut).getroot()
        sequence = root.find(".//project/sequence")
        if sequence is not None and timeline.video_tracks():
            _read_dissolves(sequence, root, timeline.video_tracks()[0])
            _read_roles(sequence, timeline)
    elif adapter == "fcp_xml":
        for track in timeline.audio_tracks():
            found = track.metadata.get("fcp_xml", {})
            if isinstance(found, Mapping):
                _mark(track, found.get(f"@{_LANE}"), found.get(f"@{_KIND}"), found.get(f"@{_TRACK_NAME}"))
    return timeline


def _amend_fcpxml(text: str, timeline: otio.schema.Timeline) -> str:
    root = ET.fromstring(text)
    sequence = root.find(".//project/sequence")
    spine = sequence.find("spine") if sequence is not None else None
    if sequence is None or spine is None:
        return text
    picture = timeline.video_tracks()[0]
    frame = _frame_duration(root, sequence)
    effect_id = None
    own_sound = _own_sound_lane(timeline)
    placed = 0  # the adapter writes each clip and gap of the picture as one element of the spine, in order
    for index, item in enumerate(picture):
        if not isinstance(item, otio.schema.Transition):
            placed += 1
            continue
        if effect_id is None:
            effect_id = _add_effect(root, *CROSS_DISSOLVE)
        span = picture.range_of_child_at_index(index)
        transition = ET.Element(
            "transition",
            name=CROSS_DISSOLVE[0],
            offset=_time(round(span.start_time.value), frame),
            duration=_time(round(span.duration.value), frame),
        )
        ET.SubElement(transition, "filter-video", ref=effect_id, name=CROSS_DISSOLVE[0])
        spine.insert(placed, transition)
        if own_sound is not None and 0 < placed < len(spine) - 1:
            lead, tail = round(item.in_offset.value), round(item.out_offset.value)
            _crossfade_own_sound(spine[placed - 1], spine[placed + 1], own_sound, lead, tail, frame)
        placed += 1
    for number, track in enumerate(timeline.audio_tracks(), 1):
        role = f"{ROLES[_kind_of(track)]}.{track.name}"
        for element in sequence.iter("audio"):
            if element.get("lane") == str(-number):  # the adapter's lane for the track: -1, -2, … in order
                element.set("role", role)
    ET.indent(root, "    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + ET.tostring(root, encoding="unicode")


def _own_sound_lane(timeline: otio.schema.Timeline) -> str | None:
    """The FCPXML lane the adapter gives the shots' own sound (-1, -2, … by its track's place), if the cut has it."""
    number = next((n for n, t in enumerate(timeline.audio_tracks(), 1) if _kind_of(t) is LaneKind.CLIPS), None)
    return None if number is None else str(-number)


def _crossfade_own_sound(
    before: ET.Element, after: ET.Element, lane: str, lead: int, tail: int, frame: Fraction
) -> None:
    """The connected clips of the shots' own sound either side of a dissolve (`lead` frames before its cut, `tail`
    after), made to overlap over it with a fade each (see the module's note). A shot without sound has no such clip;
    the incoming sound starts no earlier than its media does."""
    outgoing = next((e for e in before if e.tag == "clip" and e.get("lane") == lane), None)
    incoming = next((e for e in after if e.tag == "clip" and e.get("lane") == lane), None)
    if outgoing is not None:
        outgoing.set("duration", _time(_frames(outgoing.get("duration"), frame) + tail, frame))
        _fade(outgoing, "fadeOut", lead + tail, frame)
    if incoming is not None:
        early = min(lead, _frames(incoming.get("start"), frame))
        for name in ("offset", "start"):
            incoming.set(name, _time(_frames(incoming.get(name), frame) - early, frame))
        incoming.set("duration", _time(_frames(incoming.get("duration"), frame) + early, frame))
        _fade(incoming, "fadeIn", lead + tail, frame)


def _fade(clip: ET.Element, kind: str, frames: int, frame: Fraction) -> None:
    """A volume fade at the start ("fadeIn") or end ("fadeOut") of `clip`, as Final Cut writes one: an adjust-volume
    after the clip's own settings and before what it holds (the DTD's order)."""
    volume = clip.find("adjust-volume")
    if volume is None:
        volume = ET.Element("adjust-volume")
        settings = ("note", "conform-rate", "timeMap", *_VIDEO_ADJUSTMENTS)
        clip.insert(next((i for i, e in enumerate(clip) if e.tag not in settings), len(clip)), volume)
    amount = volume.find("param[@name='amount']")
    if amount is None:
        amount = ET.SubElement(volume, "param", name="amount")
    ET.SubElement(amount, kind, type="easeIn", duration=_time(frames, frame))
    if kind == "fadeIn" and len(amount) > 1:
        amount.insert(0, amount[-1])  # the DTD has a fade in before a fade out


def _amend_fcp7(text: str, timeline: otio.schema.Timeline) -> str:
    root = ET.fromstring(text)
    tracks = root.findall(".//sequence/media/audio/track")
    if len(tracks) != len(timeline.audio_tracks()):
        return text  # not the one sequence this hand-off writes: leave the adapter's file as it is
    for element, track in zip(tracks, timeline.audio_tracks(), strict=True):
        element.set(_TRACK_NAME, track.name)
        marked = track.metadata.get(NAMESPACE, {})
        if isinstance(marked, Mapping) and marked.get("lane"):
            element.set(_LANE, str(marked["lane"]))
            element.set(_KIND, str(marked.get("kind", "")))
        for effect in element.findall("transitionitem/effect"):
            for tag, value in AUDIO_CROSSFADE.items():
                found = effect.find(tag)
                (found if found is not None else ET.SubElement(effect, tag)).text = value
    ET.indent(root, "    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + ET.tostring(root, encoding="unicode")


def _read_dissolves(sequence: ET.Element, root: ET.Element, picture: otio.schema.Track) -> None:
    """Each transition of the spine between two clips as a dissolve between them on `picture`: its cut where the
    next clip starts, as much of it before the cut as the transition starts before."""
    spine = sequence.find("spine")
    if spine is None:
        return
    frame = _frame_duration(root, sequence)
    elements = [e for e in spine if e.tag == "transition" or e.tag in _CLIP_TAGS]
    for number, element in enumerate(elements):
        if element.tag != "transition" or not 0 < number < len(elements) - 1:
            continue
        before, after = elements[number - 1], elements[number + 1]
        if "transition" in (before.tag, after.tag) or "gap" in (before.tag, after.tag):
            continue  # a dissolve from or to nothing has no two shots to blend
        start = _frames(element.get("offset"), frame)
        cut = _frames(after.get("offset"), frame)
        end = start + _frames(element.get("duration"), frame)
        if not start <= cut <= end:
            continue
        rate = picture.duration().rate if len(picture) else float(1 / frame)
        index = next((i for i, item in enumerate(picture) if _starts_at(picture, i, cut)), None)
        if index is None or not index or not isinstance(picture[index - 1], otio.schema.Clip):
            continue
        picture.insert(
            index,
            otio.schema.Transition(
                name=element.get("name", CROSS_DISSOLVE[0]),
                transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                in_offset=otio.opentime.RationalTime(cut - start, rate),
                out_offset=otio.opentime.RationalTime(end - cut, rate),
            ),
        )


def _read_roles(sequence: ET.Element, timeline: otio.schema.Timeline) -> None:
    """Each sound track the adapter read (named by its FCPXML lane) onto the lane its clips' audio role names."""
    roles: dict[str, str] = {}
    for element in sequence.iter():
        lane = element.get("lane")
        if lane is None or lane in roles:
            continue
        role = next((r for e in element.iter() if (r := e.get("audioRole") or e.get("role"))), None)
        if role:
            roles[lane] = role
    for track in timeline.audio_tracks():
        role = roles.get(track.name)
        if role is None:
            continue
        main, _, sub = role.partition(".")
        kind = next((k for k, r in ROLES.items() if r == main.lower()), None)
        _mark(track, None, kind.value if kind else None, sub or None)


def _mark(track: otio.schema.Track, lane: object, kind: object, name: object) -> None:
    """Mark `track` with the Shotline lane it names, or else the lane of its kind, or else the lane of its name
    ("Music 2" is the Music lane's second track); a track of the shots' own sound is left unmarked."""
    if isinstance(name, str) and name:
        track.name = name
    if lane is None and kind is None and isinstance(name, str):
        bare = re.sub(r" \d+$", "", name).casefold()
        found = next((default for default in DEFAULT_LANES if default.name.casefold() == bare), None)
        lane, kind = (found.id, found.kind.value) if found else (None, None)
    if lane is None:
        found = next((default for default in DEFAULT_LANES if default.kind.value == kind), None)
        lane = found.id if found else None
    if lane is None or kind == LaneKind.CLIPS.value:
        return
    track.metadata[NAMESPACE] = {"lane": str(lane), "kind": str(kind or "")}


def _kind_of(track: otio.schema.Track) -> LaneKind:
    marked = track.metadata.get(NAMESPACE, {})
    kind = marked.get("kind") if isinstance(marked, Mapping) else None
    return LaneKind(kind) if kind in {k.value for k in LaneKind} else LaneKind.CLIPS


def _add_effect(root: ET.Element, name: str, uid: str) -> str:
    """Declare an effect among the resources under an id no other resource has; its id."""
    resources = root.find("resources")
    if resources is None:
        resources = ET.Element("resources")
        root.insert(0, resources)
    taken = {element.get("id") for element in root.iter() if element.get("id")}
    number = len(taken) + 1
    while f"r{number}" in taken:
        number += 1
    ET.SubElement(resources, "effect", id=f"r{number}", name=name, uid=uid)
    return f"r{number}"


def _frame_duration(root: ET.Element, sequence: ET.Element) -> Fraction:
    """The sequence's frame in seconds, from its format (1/24 s where it names none)."""
    format_id = sequence.get("format")
    found = next((f for f in root.iter("format") if f.get("id") == format_id), None)
    text = found.get("frameDuration") if found is not None else None
    return _seconds(text) if text else Fraction(1, 24)


def _time(frames: int, frame: Fraction) -> str:
    """`frames` frames as FCPXML writes a time: a rational number of seconds ("9/8s", "2s")."""
    seconds = frames * frame
    return f"{seconds.numerator}s" if seconds.denominator == 1 else f"{seconds.numerator}/{seconds.denominator}s"


def _seconds(text: str) -> Fraction:
    return Fraction(text.strip().removesuffix("s") or "0")


def _frames(text: str | None, frame: Fraction) -> int:
    return round(_seconds(text) / frame) if text else 0


def _starts_at(track: otio.schema.Track, index: int, frame: int) -> bool:
    return bool(round(track.range_of_child_at_index(index).start_time.value) == frame)
