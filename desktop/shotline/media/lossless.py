"""The lossless fast path: decide whether an export may copy the clips' packets instead of re-encoding.

An export copies only when nothing about the picture or the sound would change: every picked take shares one
stream description with the export's codec, size and frame rate, every cut falls on a keyframe (so no frame needs a
reference from outside its shot), no shot crossfades and nothing needs mixing. `decide` says which path runs and
lists every reason against copying, in words a creator can act on; `snap_suggestions` proposes the trims that
would put the cuts on keyframes. The copy itself is `media.stream_copy.render_copy` (re-exported here).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

from shotline.core.errors import MediaError
from shotline.core.model import CLIP_SOUND_LANE, AudioClip, Codec, Project, Shot, Trim
from shotline.core.timecode import US_PER_SECOND, format_fps, format_time
from shotline.media.keyframes import (
    ISO_MEDIA,
    StreamSignature,
    keyframes_us,
    open_gop_keyframes_us,
    read_ahead,
    stream_signature,
)
from shotline.media.mix import clip_heard, shot_heard
from shotline.media.plan import RenderPlan, Segment
from shotline.media.stream_copy import KEYFRAME_TOLERANCE_US, copy_streams, render_copy

__all__ = [
    "KEYFRAME_TOLERANCE_US",
    "ROUTE_NAMES",
    "Route",
    "RouteDecision",
    "SnapChange",
    "SnapPlan",
    "copy_streams",
    "decide",
    "describe",
    "render_copy",
    "snap_suggestions",
]

log = logging.getLogger(__name__)

SignatureLookup = Callable[[Path], StreamSignature]
KeyframeLookup = Callable[[Path], tuple[int, ...]]


Route = Literal["lossless", "copy picture", "re-encode"]


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """Which path an export takes. `reasons` say why: what stops a copy, or why the copy is possible.

    "lossless" copies picture and sound; "copy picture" copies the picture and mixes and encodes only the sound
    (loudness, music, gain or missing sound need nothing from the picture); "re-encode" encodes both.
    """

    route: Route
    reasons: tuple[str, ...]
    cuts_off_keyframes: bool = False
    """Some cut falls between keyframes: snapping cuts to keyframes would remove at least that reason."""

    @property
    def lossless(self) -> bool:
        return self.route == "lossless"

    @property
    def copies_picture(self) -> bool:
        return self.route != "re-encode"


@dataclass(frozen=True, slots=True)
class SnapChange:
    shot_id: str
    take_id: str
    old: Trim
    new: Trim


@dataclass(frozen=True, slots=True)
class SnapPlan:
    """New trims that put cuts on keyframes, and the shots that cannot be snapped (with why)."""

    changes: tuple[SnapChange, ...]
    skipped: tuple[str, ...]


ROUTE_NAMES: dict[Route, str] = {
    "lossless": "lossless copy",
    "copy picture": "picture copied, sound mixed and encoded",
    "re-encode": "re-encode",
}

# ---------------------------------------------------------------------------------------------- decide


def decide(
    project: Project,
    plan: RenderPlan,
    *,
    signature: SignatureLookup = stream_signature,
    keyframes: KeyframeLookup = keyframes_us,
) -> RouteDecision:
    """How `plan` is exported: which of its picture and sound can be copied as packets, with every reason that stops
    a copy (for the picture when it is re-encoded, else for the sound)."""
    settings = plan.settings
    if settings.codec.audio_only:
        return RouteDecision(
            "re-encode", (f"The export is sound only ({settings.codec.name}), so the sound is encoded",)
        )
    picture: list[str] = []
    sound: list[str] = []
    if not settings.lossless:
        picture.append("Lossless export is turned off")
    if settings.codec not in _COPYABLE:
        picture.append(f"The export is {_CODEC_NAMES[settings.codec]}")
    mix = _MixRule(project)
    real_files = signature is stream_signature and keyframes is keyframes_us
    if real_files:
        read_ahead(segment.source for segment in plan.segments)
    first: tuple[str, StreamSignature] | None = None
    off_keyframes: list[tuple[str, str]] = []
    for segment in plan.segments:
        shot = project.shot(segment.shot_id)
        name = _shot_name(project, shot)
        try:
            found = signature(segment.source)
            opens = open_gop_keyframes_us(segment.source) if real_files else ()
            cuts = _cut_reasons(name, segment, keyframes(segment.source), opens)
        except MediaError as exc:
            picture.append(f"{name}'s clip could not be read ({exc})")
            continue
        picture += _picture_reasons(name, segment, found, plan)
        off_keyframes += [(name, cut) for cut in cuts]
        sound += _sound_reasons(name, shot, found, plan, mix)
        if first is None:
            first = (name, found)
        else:
            picture += _signature_reasons(name, found, *first)
            sound += _sound_signature_reasons(name, found, *first)
    picture += _off_keyframes(off_keyframes)
    picture += _crossfade_reasons(project, plan)
    picture_captions, joined_captions = _caption_reasons(project, plan)
    picture += picture_captions
    sound += mix.lane_reasons(plan)
    sound += joined_captions
    sound += _loudness_reasons(project, plan, mix)
    if picture:
        return RouteDecision("re-encode", tuple(dict.fromkeys(picture)), cuts_off_keyframes=bool(off_keyframes))
    if sound:
        copied = "Every cut falls on a keyframe and the clips share their picture settings, so the picture is copied"
        return RouteDecision("copy picture", (copied, *dict.fromkeys(sound)))
    return RouteDecision(
        "lossless", ("Every cut falls on a keyframe and the clips share their settings, so the video is copied as is",)
    )


def _caption_reasons(project: Project, plan: RenderPlan) -> tuple[list[str], list[str]]:
    """What the captions ask of the picture (burned in: it is drawn anew) and of the joining (a subtitle track goes
    in beside the picture and sound, which only the joining step writes)."""
    chosen = plan.settings.captions
    if not project.captions:
        return [], []
    picture = ["The captions are burned into the picture"] if chosen.burn else []
    joined = ["The captions go in as a subtitle track"] if chosen.soft else []
    return picture, joined


_COPYABLE = {Codec.H264: "h264", Codec.H265: "hevc"}
_EXPORT_SOUND = "aac"
"""What an H.264/H.265 export's sound is encoded as (`encoders.audio_args`): a copied sound must already be it."""
_CODEC_NAMES = {Codec.H264: "H.264", Codec.H265: "H.265", Codec.PRORES: "ProRes", Codec.WAV: "WAV", Codec.M4A: "M4A"}
_SOURCE_CODEC_NAMES = {"h264": "H.264", "hevc": "H.265", "prores": "ProRes", "vp9": "VP9", "av1": "AV1"}


def _codec_name(canonical: str) -> str:
    return _SOURCE_CODEC_NAMES.get(canonical, canonical.upper())


def _shot_name(project: Project, shot: Shot) -> str:
    number = project.index_of(shot.id) + 1
    return f"Shot {number} ({shot.title})" if shot.title else f"Shot {number}"


def _in_sentence(name: str) -> str:
    """'Shot 2 (…)' as it reads after the start of a sentence."""
    return name[:1].lower() + name[1:]


def _picture_reasons(name: str, segment: Segment, found: StreamSignature, plan: RenderPlan) -> list[str]:
    settings = plan.settings
    reasons = []
    wanted = _COPYABLE.get(settings.codec)
    if wanted is not None and found.video_codec != wanted:
        reasons.append(f"{name} is {_codec_name(found.video_codec)} but the export is {_CODEC_NAMES[settings.codec]}")
    if found.container != ISO_MEDIA:
        reasons.append(f"{name}'s clip is not an MP4 or MOV file, so its packets cannot be copied")
    if segment.info.rotation:
        reasons.append(f"{name} is rotated; re-encoding turns it upright")
    if (found.width, found.height) != (settings.size.width, settings.size.height):
        reasons.append(f"{name} is {found.width}x{found.height} but the export is {settings.size}")
    if segment.info.variable_frame_rate:
        reasons.append(f"{name} has a variable frame rate")
    elif found.fps != settings.fps:
        shown = format_fps(found.fps) if found.fps else "an unknown rate"
        reasons.append(f"{name} runs at {shown} fps but the export is {format_fps(settings.fps)} fps")
    if found.pix_fmt != settings.pixel_format:
        reasons.append(f"{name}'s picture is {found.pix_fmt} but the export is {settings.pixel_format}")
    return reasons


MOST_CUTS_NAMED = 2
"""More cuts off keyframes than this are told in one line, naming their shots: a line per cut buried the route."""
_OPEN_GOP = "on a keyframe the frames around it are coded across (an open GOP), where a copy cannot cut"


def _cut_reasons(name: str, segment: Segment, keys: tuple[int, ...], open_gop: tuple[int, ...]) -> list[str]:
    """Cuts off keyframes, each naming the keyframe that snapping would move it to."""
    reasons = []
    trim = segment.trim
    if not _on_keyframe(trim.in_us, keys):
        after = [k for k in keys if k > trim.in_us]
        where = f"next keyframe at {format_time(after[0])}" if after else "no keyframe after it"
        what = _OPEN_GOP if _on_keyframe(trim.in_us, open_gop) else "between keyframes"
        reasons.append(f"{name} starts {what} ({where})")
    if not _at_source_end(trim.out_us, segment) and not _on_keyframe(trim.out_us, keys):
        before = [k for k in keys if k < trim.out_us]
        where = f"previous keyframe at {format_time(before[-1])}" if before else "no keyframe before it"
        what = _OPEN_GOP if _on_keyframe(trim.out_us, open_gop) else "between keyframes"
        reasons.append(f"{name} ends {what} ({where})")
    return reasons


def _off_keyframes(cuts: list[tuple[str, str]]) -> list[str]:
    """Each cut off a keyframe in a line of its own, or, when there are many, one line naming their shots."""
    if len(cuts) <= MOST_CUTS_NAMED:
        return [reason for _, reason in cuts]
    shots = list(dict.fromkeys(name for name, _ in cuts))
    named = ", ".join(_in_sentence(name) for name in shots[:MOST_CUTS_NAMED])
    if len(shots) > MOST_CUTS_NAMED:
        named += f" and {len(shots) - MOST_CUTS_NAMED} more"
    return [f"{len(cuts)} cuts fall between keyframes, in {named}: snapping cuts to keyframes would let it be copied"]


def _on_keyframe(us: int, keys: tuple[int, ...]) -> bool:
    return bool(keys) and abs(_nearest(us, keys) - us) <= KEYFRAME_TOLERANCE_US


def _nearest(us: int, keys: tuple[int, ...]) -> int:
    return min(keys, key=lambda key: abs(key - us), default=0)


def _at_source_end(out_us: int, segment: Segment) -> bool:
    """The out point is the clip's end (within half a frame), so nothing after it needs cutting."""
    fps = segment.info.fps or Fraction(24)
    return out_us >= segment.info.duration_us - US_PER_SECOND / fps / 2


def _sound_reasons(name: str, shot: Shot, found: StreamSignature, plan: RenderPlan, mix: _MixRule) -> list[str]:
    if not found.has_audio:
        return [f"{name} has no sound, so the sound is encoded with silence there"]
    settings = plan.settings
    if not mix.shot_plays(shot):
        return [f"{name}'s sound is {mix.why_silent(shot)}, so the sound is re-encoded"]
    reasons = []
    if found.audio_codec != _EXPORT_SOUND:
        reasons.append(f"{name}'s sound is {found.audio_codec.upper()} but the export's is AAC")
    if shot.gain_db:
        reasons.append(f"{name}'s sound is turned {_up_or_down(shot.gain_db)}")
    if found.sample_rate != settings.sample_rate:
        reasons.append(f"{name}'s sound is {_khz(found.sample_rate)} but the export is {_khz(settings.sample_rate)}")
    if found.channels != settings.channels:
        reasons.append(
            f"{name}'s sound has {_channels(found.channels)} but the export has {_channels(settings.channels)}"
        )
    return reasons


def _up_or_down(gain_db: float) -> str:
    return f"{'up' if gain_db > 0 else 'down'} {abs(gain_db):g} dB"


def _khz(rate: int) -> str:
    return f"{rate / 1000:g} kHz"


def _channels(count: int) -> str:
    return {1: "one channel (mono)", 2: "two channels (stereo)"}.get(count, f"{count} channels")


def _signature_reasons(name: str, found: StreamSignature, first_name: str, first: StreamSignature) -> list[str]:
    """How this clip's picture was made differently from the first shot's, beyond what the export settings already
    explained."""
    differences = [
        (found.profile, first.profile, f"{found.profile} vs {first.profile} profile"),
        (found.video_setup, first.video_setup, "different video encoder settings"),
    ]
    return _first_difference(name, first_name, differences)


def _sound_signature_reasons(name: str, found: StreamSignature, first_name: str, first: StreamSignature) -> list[str]:
    """How this clip's sound was encoded differently from the first shot's (a clip without sound is told apart
    already)."""
    if not (found.has_audio and first.has_audio):
        return []
    differences = [
        (found.audio_codec, first.audio_codec, f"{found.audio_codec} vs {first.audio_codec} sound"),
        (found.audio_setup, first.audio_setup, "different sound encoder settings"),
    ]
    return _first_difference(name, first_name, differences)


def _first_difference(name: str, first_name: str, differences: list[tuple[str, str, str]]) -> list[str]:
    for mine, theirs, detail in differences:
        if mine != theirs:
            return [f"{name} was made with different settings from {_in_sentence(first_name)} ({detail})"]
    return []


def _crossfade_reasons(project: Project, plan: RenderPlan) -> list[str]:
    reasons = []
    for segment, following in zip(plan.segments, plan.segments[1:], strict=False):
        if segment.crossfade_out_frames > 0 or following.crossfade_in_frames > 0:
            a, b = project.shot(segment.shot_id), project.shot(following.shot_id)
            reasons.append(f"{_shot_name(project, a)} crossfades into {_in_sentence(_shot_name(project, b))}")
    return reasons


def _loudness_reasons(project: Project, plan: RenderPlan, mix: _MixRule) -> list[str]:
    if plan.settings.loudness_lufs is None:
        return []
    if any(s.info.has_audio and mix.shot_plays(project.shot(s.shot_id)) for s in plan.segments):
        return ["Loudness normalisation re-encodes the sound (turn it off for a lossless export)"]
    return []


class _MixRule:
    """Who is heard, by the project's mute/solo rule: when anything is soloed only soloed things play."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.clip_lane = next((lane for lane in project.lanes if lane.id == CLIP_SOUND_LANE), None)

    def shot_plays(self, shot: Shot) -> bool:
        return shot_heard(self.project, shot)

    def why_silent(self, shot: Shot) -> str:
        if shot.muted:
            return "muted"
        if self.clip_lane is not None and self.clip_lane.muted:
            return f"muted on the {self.clip_lane.name} lane"
        return "silenced by a solo elsewhere"

    def clip_plays(self, clip: AudioClip) -> bool:
        return clip_heard(self.project, clip)

    def lane_reasons(self, plan: RenderPlan) -> list[str]:
        """Lanes whose clips sound inside the exported window, and a clip-sound lane gain that changes levels."""
        reasons = []
        window = plan.window
        for lane in self.project.lanes:
            clips = [c for c in self.project.audio if c.lane == lane.id]
            heard = [c for c in clips if self.clip_plays(c) and _overlaps(c, window)]
            if heard:
                reasons.append(f"The {lane.name} lane has sound to mix")
        clip_lane = self.clip_lane
        if clip_lane is not None and clip_lane.gain_db and not clip_lane.muted:
            reasons.append(f"The {clip_lane.name} lane is turned {_up_or_down(clip_lane.gain_db)}")
        return reasons


def _overlaps(clip: AudioClip, window: Trim) -> bool:
    if window.out_us <= window.in_us:  # a plan without a window renders the whole film
        return True
    return clip.start_us < window.out_us and clip.end_us > window.in_us


# ---------------------------------------------------------------------------------------------- snap


def snap_suggestions(
    project: Project, resolve: Callable[[str], Path], *, keyframes: KeyframeLookup = keyframes_us
) -> SnapPlan:
    """Trims that start on the first keyframe at or after each in point (so no unwanted frame appears) and end
    on the last keyframe at or before each out point, or stay at the clip's end. A shot with no keyframe inside
    its trim is left alone and named in `skipped`."""
    changes: list[SnapChange] = []
    skipped: list[str] = []
    for shot in project.shots:
        take = shot.picked_take
        if take is None:
            continue
        name = _shot_name(project, shot)
        try:
            keys = keyframes(resolve(take.media))
        except MediaError as exc:
            skipped.append(f"{name}: its clip could not be read ({exc})")
            continue
        new = _snapped(take.trim, keys, take.info.duration_us, take.info.fps)
        if new is None:
            skipped.append(f"{name} has no keyframe inside its trim, so it cannot be cut losslessly")
        elif new != take.trim:
            changes.append(SnapChange(shot.id, take.id, take.trim, new))
    return SnapPlan(tuple(changes), tuple(skipped))


def _snapped(trim: Trim, keys: tuple[int, ...], length_us: int, fps: Fraction | None) -> Trim | None:
    tolerance = KEYFRAME_TOLERANCE_US
    new_in = next((k for k in keys if k >= trim.in_us - tolerance), None)
    half_frame = US_PER_SECOND / (fps or Fraction(24)) / 2
    if trim.out_us >= length_us - half_frame:
        new_out: int | None = trim.out_us
    else:
        new_out = next((k for k in reversed(keys) if k <= trim.out_us + tolerance), None)
    if new_in is None or new_out is None or new_out <= new_in:
        return None
    return Trim(trim.in_us if abs(new_in - trim.in_us) <= tolerance else new_in, new_out)


def describe(decision: RouteDecision) -> Iterable[str]:
    """The route and its reasons as lines for a log, the CLI or a tooltip."""
    yield f"Export path: {ROUTE_NAMES[decision.route]}"
    for reason in decision.reasons:
        yield f"  - {reason}"
