"""The project document: frozen dataclasses that edits replace, never mutate (DESIGN §3).

A project is an ordered list of shots; a shot holds a prompt, its generation settings and its takes, one of
them picked. The timeline is the picked takes in shot order, each inside its trim. Paths to media are relative
to the project folder, in POSIX form. Times are integer microseconds (see `timecode`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from shotline.core.caption_style import NO_CAPTIONS, CaptionExport
from shotline.core.errors import (
    EditError,
    UnknownAudioClip,
    UnknownCastMember,
    UnknownLane,
    UnknownShot,
    UnknownTake,
)

FORMAT_VERSION = 6
"""The project.json format this Shotline writes; storage migrates older ones and refuses newer ones."""

# What a project's settings may ask of an export. The loader refuses a project outside these bounds (a hand-edited
# rate of 10^6 fps or 10^9 Hz once rendered until the disk was full), and the edits that set them keep to them.
MIN_SIDE = 16
MAX_SIDE = 8192
MIN_FPS = Fraction(1)
MAX_FPS = Fraction(240)
MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 192_000
MAX_LENGTH_US = 24 * 3600 * 1_000_000
"""The longest time a project holds anywhere (a clip, a trim, a place on the timeline, a fade): a day."""


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Size:
    width: int
    height: int

    @classmethod
    def parse(cls, text: str) -> Size:
        match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
        if not match:
            raise ValueError(f"{text!r} is not a size; write it as WIDTHxHEIGHT, e.g. 1920x1080")
        width, height = int(match[1]), int(match[2])
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
            raise ValueError(f"{text!r}: width and height must be between {MIN_SIDE} and {MAX_SIDE} pixels")
        if width % 2 or height % 2:
            raise ValueError(f"{text!r}: width and height must be even numbers for H.264")
        return cls(width, height)

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def aspect(self) -> Fraction:
        return Fraction(self.width, self.height)


class Origin(StrEnum):
    GENERATED = "generated"
    IMPORTED = "imported"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a probe found in a media file; `size` is as stored, `display_size` after rotation."""

    duration_us: int
    has_video: bool
    has_audio: bool
    fps: Fraction | None = None
    size: Size | None = None
    rotation: int = 0
    video_codec: str = ""
    audio_codec: str = ""
    sample_rate: int = 0
    channels: int = 0
    variable_frame_rate: bool = False

    @property
    def display_size(self) -> Size | None:
        if self.size is None or self.rotation % 180 == 0:
            return self.size
        return Size(self.size.height, self.size.width)


@dataclass(frozen=True, slots=True)
class Trim:
    """The part of a source that plays: [in_us, out_us) in source time."""

    in_us: int
    out_us: int

    @property
    def duration_us(self) -> int:
        return self.out_us - self.in_us


@dataclass(frozen=True, slots=True)
class GenerationRecord:
    """How a generated take came to be. `request` is exactly what was asked for (never a key)."""

    job_id: str
    backend: str
    model: str
    request: Mapping[str, Any] = field(default_factory=dict)
    provider_job_id: str = ""
    estimated_cost: Decimal | None = None
    billed_cost: Decimal | None = None
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class Take:
    id: str
    media: str
    origin: Origin
    info: MediaInfo
    trim: Trim
    generation: GenerationRecord | None = None
    source_name: str = ""

    @property
    def duration_us(self) -> int:
        return self.trim.duration_us


@dataclass(frozen=True, slots=True)
class RemovedTake:
    """A take the creator deleted from a shot: out of the film, but kept in the project with its clip (a generated
    take may have been paid for), so it can be restored to the shot it came from."""

    shot_id: str
    take: Take
    picked: bool = False
    """It was the shot's picked take when it was deleted; restoring it picks it again."""


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """What a shot asks its backend for. An empty `model` or `resolution` means the backend's default."""

    backend: str = "animatic"
    model: str = ""
    duration_us: int = 4_000_000
    aspect: str = "16:9"
    resolution: str = ""
    seed: int | None = None
    audio: bool = True
    first_frame: str | None = None
    last_frame: str | None = None
    reference_images: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    continues: bool = False
    """The shot starts where the previous one ends: its first frame was taken from that shot's last frame. Never
    sent; the continuity check compares the two shots' pictures where they meet."""


class TransitionKind(StrEnum):
    CUT = "cut"
    CROSSFADE = "crossfade"


@dataclass(frozen=True, slots=True)
class Transition:
    kind: TransitionKind = TransitionKind.CUT
    duration_us: int = 0


CUT = Transition()


@dataclass(frozen=True, slots=True)
class DialogueLine:
    """One line said in a shot: its words and who says them (`core.dialogue` has the rules and the edits).

    The speaker is a cast member (`member_id`, so a renamed member keeps its lines and its voice) or a name the
    creator typed (`speaker`: "Narrator", "A voice off"), or nobody named when both are empty. A line with no
    `text` yet is an unwritten one (a format-5 "has dialogue" shot opens with one): it still makes the shot a
    speaking one, but nothing is sent, spoken or captioned for it."""

    id: str
    text: str = ""
    speaker: str = ""
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Shot:
    id: str
    prompt: str
    title: str = ""
    negative_prompt: str = ""
    generation: GenerationSettings = GenerationSettings()
    takes: tuple[Take, ...] = ()
    picked_take_id: str | None = None
    gain_db: float = 0.0
    muted: bool = False
    solo: bool = False
    dialogue: tuple[DialogueLine, ...] = ()
    """What is said in the shot, in speaking order. A shot with lines carries speech: music lanes duck under its
    own sound, a model that speaks is sent them, a voice can say them and captions show them."""
    transition_out: Transition = CUT

    @property
    def picked_take(self) -> Take | None:
        return next((t for t in self.takes if t.id == self.picked_take_id), None)

    def take(self, ref: str) -> Take:
        """A take by id or by 1-based position among this shot's takes."""
        for take in self.takes:
            if take.id == ref:
                return take
        if ref.isdigit() and 1 <= int(ref) <= len(self.takes):
            return self.takes[int(ref) - 1]
        raise UnknownTake(f"Shot {self.title or self.id} has no take {ref!r} (it has {len(self.takes)}).")

    @property
    def duration_us(self) -> int:
        """How long the shot plays: its picked take's trim, or the requested length while it has none."""
        take = self.picked_take
        return take.duration_us if take else self.generation.duration_us


class LaneKind(StrEnum):
    CLIPS = "clips"
    """The shots' own sound (the lane holds no clips; its settings apply to every shot's sound)."""
    MUSIC = "music"
    VOICE = "voice"


@dataclass(frozen=True, slots=True)
class AudioLane:
    """A row of sound under the picture, with settings that apply to everything on it.

    `duck_db` (≤ 0) lowers this lane while a dialogue shot or a voice-over clip plays; 0 means no ducking.
    `duck_release_us` is how long the lane takes to come back up after the speech ends.
    """

    id: str
    name: str
    kind: LaneKind
    gain_db: float = 0.0
    muted: bool = False
    solo: bool = False
    duck_db: float = 0.0
    duck_release_us: int = 500_000


CLIP_SOUND_LANE = "clips"
MUSIC_LANE = "music"
VOICE_LANE = "voice"
DEFAULT_LANES: tuple[AudioLane, ...] = (
    AudioLane(CLIP_SOUND_LANE, "Clip sound", LaneKind.CLIPS),
    AudioLane(MUSIC_LANE, "Music", LaneKind.MUSIC, duck_db=-12.0),
    AudioLane(VOICE_LANE, "Voice-over", LaneKind.VOICE),
)


@dataclass(frozen=True, slots=True)
class AudioClip:
    """A music or voice-over clip placed on an audio lane (by lane id) at `start_us` on the timeline."""

    id: str
    media: str
    lane: str
    start_us: int
    trim: Trim
    info: MediaInfo
    gain_db: float = 0.0
    muted: bool = False
    solo: bool = False
    fade_in_us: int = 0
    fade_out_us: int = 0
    source_name: str = ""
    loop_us: int = 0
    """How long the clip plays when it repeats its trimmed sound (a music bed looped to the film's end); 0 plays it
    once. Each repeat crossfades into the next (`media.mix.LOOP_CROSSFADE_US`); fades are the whole clip's."""

    @property
    def duration_us(self) -> int:
        return self.loop_us or self.trim.duration_us

    @property
    def end_us(self) -> int:
        return self.start_us + self.duration_us


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    size: Size = Size(1920, 1080)
    fps: Fraction = Fraction(24)
    sample_rate: int = 48_000
    style: str = ""
    budget: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Marker:
    """A moment on the timeline the creator marked (M at the playhead): a beat to cut on, a cue, a note."""

    id: str
    at_us: int
    name: str = ""


class CastKind(StrEnum):
    """What a cast member is to the film: the later reference-slot mapping sends each kind where a model takes it."""

    CHARACTER = "character"
    PLACE = "place"
    PROP = "prop"
    LOOK = "look"


@dataclass(frozen=True, slots=True)
class CastMember:
    """A character, place, prop or look of the project's cast, mentioned in prompts as `@name` (`core.cast`).

    `images` are its reference pictures in media/, in the creator's order: a model with fewer reference slots than
    pictures gets the first ones."""

    id: str
    name: str
    kind: CastKind = CastKind.CHARACTER
    description: str = ""
    images: tuple[str, ...] = ()
    voice: VoiceChoice | None = None
    """How the member sounds wherever a line of theirs is voiced, so a character sounds the same in every shot."""


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """A voice: the voice backend that speaks it, its voice there and how it is set. An empty `model` means the
    backend's default; `settings` are the backend's own (speed, stability, style…), plain JSON values."""

    backend: str
    voice: str
    model: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Caption:
    """Words on screen over [start_us, end_us) of the timeline. `line_id` is the dialogue line it was made from
    (None for one the creator added; a line deleted later leaves its caption as it is); `edited` says the creator
    changed its words or times, so remaking captions from the lines keeps it. `speaker` is the name shown, as it
    was when the caption was made."""

    id: str
    start_us: int
    end_us: int
    text: str
    speaker: str = ""
    line_id: str | None = None
    edited: bool = False

    @property
    def duration_us(self) -> int:
        return self.end_us - self.start_us


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    title: str
    settings: ProjectSettings = ProjectSettings()
    shots: tuple[Shot, ...] = ()
    audio: tuple[AudioClip, ...] = ()
    lanes: tuple[AudioLane, ...] = DEFAULT_LANES
    assets: tuple[Take, ...] = ()
    """The library: takes that belong to no shot (e.g. a generation that finished after its shot was deleted)."""
    removed_takes: tuple[RemovedTake, ...] = ()
    """Takes the creator deleted, each with the shot it came from, oldest first: restorable, never lost."""
    markers: tuple[Marker, ...] = ()
    """Timeline markers, in time order."""
    cast: tuple[CastMember, ...] = ()
    """The cast and places: characters, places, props and looks prompts mention as `@name`, in the creator's order."""
    captions: tuple[Caption, ...] = ()
    """The film's captions, in time order."""
    format_version: int = FORMAT_VERSION

    def index_of(self, shot_id: str) -> int:
        for index, shot in enumerate(self.shots):
            if shot.id == shot_id:
                return index
        raise UnknownShot(f"This project has no shot {shot_id!r}.")

    def shot(self, ref: str) -> Shot:
        """A shot by id, by its 1-based position in the shot list, or by the start of its id that `info` shows."""
        for shot in self.shots:
            if shot.id == ref:
                return shot
        if ref.isdigit() and 1 <= int(ref) <= len(self.shots):
            return self.shots[int(ref) - 1]
        if found := _by_id_start(self.shots, ref, "shot"):
            return found
        raise UnknownShot(
            f"This project has no shot {ref!r}; give a shot id or a position from 1 to {len(self.shots)}."
        )

    def lane(self, lane_id: str) -> AudioLane:
        for lane in self.lanes:
            if lane.id == lane_id:
                return lane
        names = ", ".join(lane.id for lane in self.lanes)
        raise UnknownLane(f"This project has no audio lane {lane_id!r}; its lanes are {names}.")

    def audio_clip(self, clip_id: str) -> AudioClip:
        """A sound clip by id, or by the start of its id that `sound list` shows."""
        for clip in self.audio:
            if clip.id == clip_id:
                return clip
        if found := _by_id_start(self.audio, clip_id, "sound clip"):
            return found
        raise UnknownAudioClip(f"This project has no audio clip {clip_id!r}.")

    def media_paths(self) -> list[str]:
        """Every media path the project refers to, once each: takes (in shots and the library), sound clips, and
        the pictures shots ask their backend to start from, end on or follow."""
        used: list[str] = [take.media for take in self.all_takes()]
        used += [clip.media for clip in self.audio]
        for shot in self.shots:
            gen = shot.generation
            used += [p for p in (gen.first_frame, gen.last_frame, *gen.reference_images) if p]
        for member in self.cast:
            used += member.images
        return list(dict.fromkeys(used))

    def media_names(self) -> dict[str, str]:
        """The name the creator knows each take's or sound clip's media by (it is stored under an id): the file it
        was imported from, else what it is ("shot 2's take from runway")."""
        names: dict[str, str] = {}
        for number, shot in enumerate(self.shots, start=1):
            for take in shot.takes:
                made = f" from {take.generation.backend}" if take.generation else ""
                names.setdefault(take.media, take.source_name or f"shot {number}'s take{made}")
        for take in self.assets:
            names.setdefault(take.media, take.source_name or "a take in the library")
        for removed in self.removed_takes:
            names.setdefault(removed.take.media, removed.take.source_name or "a deleted take")
        for clip in self.audio:
            names.setdefault(clip.media, clip.source_name or f"a sound clip on the {clip.lane} lane")
        for member in self.cast:
            for number, image in enumerate(member.images, start=1):
                names.setdefault(image, f"@{member.name}'s picture {number}")
        return names

    def member(self, ref: str) -> CastMember:
        """A cast member by id, by name (any case, with or without its "@"), or by the start of its id."""
        name = ref.removeprefix("@").casefold()
        for member in self.cast:
            if member.id == ref or member.name.casefold() == name:
                return member
        if found := _by_id_start(self.cast, ref, "cast member"):
            return found
        known = ", ".join(f"@{m.name}" for m in self.cast) or "none yet"
        raise UnknownCastMember(f"This project has no cast member {ref!r} (its cast: {known}).")

    def has_shot(self, shot_id: str) -> bool:
        return any(shot.id == shot_id for shot in self.shots)

    def all_takes(self) -> Iterator[Take]:
        """Every take the project holds: its shots', the library's and the deleted ones (whose clips it keeps)."""
        for shot in self.shots:
            yield from shot.takes
        yield from self.assets
        for removed in self.removed_takes:
            yield removed.take

    def removed_from(self, shot_id: str) -> tuple[RemovedTake, ...]:
        """The takes deleted from `shot_id`, oldest first."""
        return tuple(removed for removed in self.removed_takes if removed.shot_id == shot_id)


def transition_overlap_us(shot: Shot, following: Shot) -> int:
    """How long `shot` and `following` overlap: its crossfade, at most half of either shot."""
    transition = shot.transition_out
    if transition.kind is not TransitionKind.CROSSFADE or transition.duration_us <= 0:
        return 0
    return min(transition.duration_us, shot.duration_us // 2, following.duration_us // 2)


class Fit(StrEnum):
    FIT = "fit"
    """Scale to fit inside the frame, bars where the aspect differs."""
    FILL = "fill"
    """Scale to cover the frame, cropping what falls outside."""
    PAD = "pad"
    """No scaling: the clip at its own size, centred on black (scaled down only if it would not fit)."""


class Codec(StrEnum):
    H264 = "h264"
    H265 = "h265"
    PRORES = "prores"
    """ProRes 422 in a MOV."""
    WAV = "wav"
    """Sound only, PCM."""
    M4A = "m4a"
    """Sound only, AAC."""

    @property
    def audio_only(self) -> bool:
        return self in (Codec.WAV, Codec.M4A)

    @property
    def extensions(self) -> tuple[str, ...]:
        """The file name endings this codec's container takes, the usual one first."""
        return _EXTENSIONS[self]


_EXTENSIONS = {
    Codec.H264: (".mp4", ".mov", ".m4v"),
    Codec.H265: (".mp4", ".mov"),
    Codec.PRORES: (".mov",),
    Codec.WAV: (".wav",),
    Codec.M4A: (".m4a",),
}

WEB_LUFS = -14.0
BROADCAST_LUFS = -23.0


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """How to render: frame, codec, sound and loudness, and which part of the timeline.

    `loudness_lufs` None leaves levels as mixed; otherwise the export is normalised to that integrated loudness
    (EBU R128, measured on the encoded sound) with a `true_peak_db` ceiling. `range` (timeline time) limits the
    export to part of the film. `lossless` allows the stream-copy paths when the timeline permits them; `hardware`
    allows a hardware encoder.
    """

    size: Size
    fps: Fraction
    sample_rate: int = 48_000
    channels: int = 2
    fit: Fit = Fit.FIT
    codec: Codec = Codec.H264
    crf: int = 20
    preset: str = "medium"
    pixel_format: str = "yuv420p"
    audio_bitrate: str = "192k"
    loudness_lufs: float | None = WEB_LUFS
    true_peak_db: float = -1.0
    range: Trim | None = None
    lossless: bool = True
    hardware: bool = False
    captions: CaptionExport = NO_CAPTIONS
    """Which forms of the project's captions the export writes: files beside it, a subtitle track, burned in."""

    @classmethod
    def for_project(cls, project: Project, size: Size | None = None, fps: Fraction | None = None) -> ExportSettings:
        return cls(
            size=size or project.settings.size,
            fps=fps or project.settings.fps,
            sample_rate=project.settings.sample_rate,
        )


_Identified = TypeVar("_Identified", "Shot", "AudioClip", "CastMember")
SHORT_ID = 8
"""How much of an id the command line shows, and the least of one it takes back."""


def _by_id_start(items: Sequence[_Identified], start: str, what: str) -> _Identified | None:
    """The one item whose id starts with `start` (at least `SHORT_ID` characters, as they are shown); None if none
    does. Two that do is an error naming neither as chosen, never a guess: an edit must not land on the wrong one."""
    if len(start) < SHORT_ID:
        return None
    found = [item for item in items if item.id.startswith(start)]
    if len(found) > 1:
        raise EditError(f"{start!r} starts the ids of more than one {what}; give more of the id.")
    return found[0] if found else None
