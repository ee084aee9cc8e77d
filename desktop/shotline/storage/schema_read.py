"""Reading project.json's object back into the model (`storage.schema` owns the format; this is its reading half).

Every value is checked against its type and its bounds as it is read, and ids and names for clashes once it is,
so a project that loads can be shown, edited and exported without surprises; a bad value is ProjectCorrupt naming
its field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from shotline.core import cast, dialogue
from shotline.core.model import (
    DEFAULT_LANES,
    FORMAT_VERSION,
    MAX_FPS,
    MAX_LENGTH_US,
    MAX_SAMPLE_RATE,
    MAX_SIDE,
    MIN_FPS,
    MIN_SAMPLE_RATE,
    MIN_SIDE,
    AudioClip,
    AudioLane,
    Caption,
    CastKind,
    CastMember,
    DialogueLine,
    GenerationRecord,
    GenerationSettings,
    LaneKind,
    Marker,
    MediaInfo,
    Origin,
    Project,
    ProjectSettings,
    RemovedTake,
    Shot,
    Take,
    Transition,
    TransitionKind,
    Trim,
    VoiceChoice,
)
from shotline.core.timecode import format_time
from shotline.storage import references
from shotline.storage.jsonfields import MISSING, Fields, corrupt, in_creator_words

log = logging.getLogger(__name__)

# Bounds on what a file says about a clip (its probe, stored). Wider than a project's own settings, because they
# describe files from anywhere (a GIF at 100 fps, a 5512 Hz WAV); narrow enough that nothing runs away on them.
_CLIP_FPS = (Fraction(1, 3600), Fraction(1000))
_CLIP_SIDES = (1, MAX_SIDE)
_CLIP_SAMPLE_RATE = 768_000
_CLIP_CHANNELS = 255
_GAIN_DB = (-120.0, 120.0)
"""Far beyond the edits' -60…+24 dB; what matters is that 10^(gain/20) stays a number."""
_DUCK_DB = (-120.0, 0.0)


def _time(f: Fields, key: str, default: object = MISSING) -> int:
    """A time in µs: never negative, never beyond MAX_LENGTH_US (a day)."""
    value = f.whole(key, default, minimum=0)
    if value > MAX_LENGTH_US:
        corrupt(
            f.path(key), f"is {format_time(value)}, longer than a project allows (a day, {format_time(MAX_LENGTH_US)})"
        )
    return value


def _read_trim(f: Fields) -> Trim:
    trim = Trim(_time(f, "in_us"), _time(f, "out_us"))
    if trim.out_us < trim.in_us:
        corrupt(f.where, f"ends ({trim.out_us} µs) before it starts ({trim.in_us} µs)")
    if trim.out_us == trim.in_us:
        corrupt(f.where, f"keeps nothing of its clip (it starts and ends at {trim.in_us} µs)")
    return trim


def _inside_clip(f: Fields, trim: Trim, info: MediaInfo) -> Trim:
    """A trim that starts after its clip ends is refused: it has nothing to show, and an export would leave the shot
    out and still succeed. One that runs past the end is cut back to it: past the end there is nothing to lose, and
    an export would otherwise fill the rest with black (an hour of it after a 3 s clip, in issue 13)."""
    length = info.duration_us
    if trim.in_us >= length:
        corrupt(
            f.path("trim"),
            f"starts at {format_time(trim.in_us)}, after its clip ends (it is {format_time(length)} long)",
        )
    if trim.out_us > length:
        where = f.path("trim")
        over = format_time(trim.out_us - length)
        log.warning(
            "%s%s ran %s past the end of its clip; it now ends with the clip",
            where,
            in_creator_words(where),
            over,
        )
        return Trim(trim.in_us, length)
    return trim


def _read_info(f: Fields) -> MediaInfo:
    return MediaInfo(
        duration_us=_time(f, "duration_us"),
        has_video=f.flag("has_video"),
        has_audio=f.flag("has_audio"),
        fps=f.opt_fraction("fps", between=_CLIP_FPS),
        size=f.opt_size("size", sides=_CLIP_SIDES),
        rotation=f.whole("rotation", 0, minimum=-359, maximum=359),
        video_codec=f.text("video_codec", ""),
        audio_codec=f.text("audio_codec", ""),
        sample_rate=f.whole("sample_rate", 0, minimum=0, maximum=_CLIP_SAMPLE_RATE),
        channels=f.whole("channels", 0, minimum=0, maximum=_CLIP_CHANNELS),
        variable_frame_rate=f.flag("variable_frame_rate", False),
    )


def _read_record(f: Fields) -> GenerationRecord:
    return GenerationRecord(
        job_id=f.text("job_id"),
        backend=f.text("backend"),
        model=f.text("model", ""),
        request=f.mapping("request"),
        provider_job_id=f.text("provider_job_id", ""),
        estimated_cost=f.decimal("estimated_cost"),
        billed_cost=f.decimal("billed_cost"),
        created_at=f.text("created_at", ""),
    )


def _enum_value(
    f: Fields,
    key: str,
    enum: type[Origin] | type[TransitionKind] | type[LaneKind] | type[CastKind],
    default: object = MISSING,
) -> str:
    text = f.text(key, default)
    allowed = [member.value for member in enum]
    if text not in allowed:
        corrupt(f.path(key), f"should be one of {', '.join(allowed)} but is {text!r}")
    return text


def _read_take(f: Fields) -> Take:
    generation = f.raw("generation", None)
    info = _read_info(f.nested("info"))
    return Take(
        id=f.text("id"),
        media=f.text("media"),
        origin=Origin(_enum_value(f, "origin", Origin)),
        info=info,
        trim=_inside_clip(f, _read_trim(f.nested("trim")), info),
        generation=None if generation is None else _read_record(f.nested("generation")),
        source_name=f.text("source_name", ""),
    )


def _read_removed(f: Fields) -> RemovedTake:
    return RemovedTake(shot_id=f.text("shot_id"), take=_read_take(f.nested("take")), picked=f.flag("picked", False))


def _read_marker(f: Fields) -> Marker:
    return Marker(id=f.text("id"), at_us=_time(f, "at_us"), name=f.text("name", ""))


def _read_member(f: Fields) -> CastMember:
    """A cast member, held to the rules its edits keep (`core.cast`): a name a prompt can mention, a description and
    a number of pictures within their bounds, so a hand-edited file cannot carry a megabyte into every prompt."""
    name = f.text("name")
    problem = cast.name_problem(name)
    if problem:
        corrupt(f.path("name"), f"is {name[: cast.MAX_NAME]!r}, which {problem}")
    description = f.text("description", "")
    if len(description) > cast.MAX_DESCRIPTION:
        corrupt(f.path("description"), f"is longer than {cast.MAX_DESCRIPTION} characters")
    images = f.strings("images")
    if len(images) > cast.MAX_IMAGES:
        corrupt(f.path("images"), f"lists {len(images)} pictures; a cast member keeps at most {cast.MAX_IMAGES}")
    return CastMember(
        id=f.text("id"),
        name=name,
        kind=CastKind(_enum_value(f, "kind", CastKind, CastKind.CHARACTER.value)),
        description=description,
        images=images,
        voice=None if f.raw("voice", None) is None else _read_voice(f.nested("voice")),
    )


_VOICE_TEXT = 200
"""Characters in a voice's backend, voice id or model: ids, never prose."""


def _read_voice(f: Fields) -> VoiceChoice:
    names = {key: f.text(key, "" if key == "model" else MISSING) for key in ("backend", "voice", "model")}
    for key, value in names.items():
        if len(value) > _VOICE_TEXT:
            corrupt(f.path(key), f"is longer than {_VOICE_TEXT} characters")
        if not value and key != "model":
            corrupt(f.path(key), "is empty")
    return VoiceChoice(names["backend"], names["voice"], names["model"], f.mapping("settings"))


def _words(f: Fields, key: str) -> str:
    """A line's or caption's words, within the bounds the line edits keep."""
    text = f.text(key, "")
    if problem := dialogue.text_problem(text):
        corrupt(f.path(key), problem)
    return text


def _read_line(f: Fields) -> DialogueLine:
    """A dialogue line: its words, and a cast member's id or a typed name for who says them (never both)."""
    member = f.opt_text("member")
    speaker = f.text("speaker", "")
    if problem := dialogue.speaker_problem(speaker):
        corrupt(f.path("speaker"), problem)
    if member is not None and speaker:
        corrupt(f.where, "names both a cast member and a typed speaker; a line has one speaker")
    return DialogueLine(id=f.text("id"), text=_words(f, "text"), speaker=speaker, member_id=member)


def _read_caption(f: Fields) -> Caption:
    start, end = _time(f, "start_us"), _time(f, "end_us")
    if end <= start:
        corrupt(f.path("end_us"), f"is {format_time(end)}, not after its start ({format_time(start)})")
    speaker = f.text("speaker", "")
    if problem := dialogue.speaker_problem(speaker):
        corrupt(f.path("speaker"), problem)
    return Caption(
        id=f.text("id"),
        start_us=start,
        end_us=end,
        text=_words(f, "text"),
        speaker=speaker,
        line_id=f.opt_text("line_id"),
        edited=f.flag("edited", False),
    )


def _read_generation_settings(f: Fields) -> GenerationSettings:
    return GenerationSettings(
        backend=f.text("backend", "animatic"),
        model=f.text("model", ""),
        duration_us=_time(f, "duration_us", 4_000_000),
        aspect=f.text("aspect", "16:9"),
        resolution=f.text("resolution", ""),
        seed=f.opt_whole("seed"),
        audio=f.flag("audio", True),
        first_frame=f.opt_text("first_frame"),
        last_frame=f.opt_text("last_frame"),
        reference_images=f.strings("reference_images"),
        options=f.mapping("options"),
        continues=f.flag("continues", False),
    )


def _list_of(f: Fields, key: str, read: Callable[[Fields], Any]) -> tuple[Any, ...]:
    return tuple(read(Fields(item, f"{f.path(key)}[{i}]")) for i, item in enumerate(f.items(key, [])))


def _lines(f: Fields) -> tuple[DialogueLine, ...]:
    lines = _list_of(f, "dialogue", _read_line)
    if len(lines) > dialogue.MAX_LINES:
        corrupt(f.path("dialogue"), f"lists {len(lines)} lines; a shot keeps at most {dialogue.MAX_LINES}")
    return lines


def _read_shot(f: Fields) -> Shot:
    generation = f.raw("generation", None)
    transition = f.raw("transition_out", None)
    t = None if transition is None else f.nested("transition_out")
    return Shot(
        id=f.text("id"),
        prompt=f.text("prompt"),
        title=f.text("title", ""),
        negative_prompt=f.text("negative_prompt", ""),
        generation=GenerationSettings() if generation is None else _read_generation_settings(f.nested("generation")),
        takes=_list_of(f, "takes", _read_take),
        picked_take_id=f.opt_text("picked_take_id"),
        gain_db=f.number("gain_db", 0.0, between=_GAIN_DB),
        muted=f.flag("muted", False),
        solo=f.flag("solo", False),
        dialogue=_lines(f),
        transition_out=Transition()
        if t is None
        else Transition(TransitionKind(_enum_value(t, "kind", TransitionKind)), _time(t, "duration_us", 0)),
    )


def _read_audio(f: Fields) -> AudioClip:
    info = _read_info(f.nested("info"))
    return AudioClip(
        id=f.text("id"),
        media=f.text("media"),
        lane=f.text("lane"),
        start_us=_time(f, "start_us"),
        trim=_inside_clip(f, _read_trim(f.nested("trim")), info),
        info=info,
        gain_db=f.number("gain_db", 0.0, between=_GAIN_DB),
        muted=f.flag("muted", False),
        solo=f.flag("solo", False),
        fade_in_us=_time(f, "fade_in_us", 0),
        fade_out_us=_time(f, "fade_out_us", 0),
        source_name=f.text("source_name", ""),
        loop_us=_time(f, "loop_us", 0),  # within format 6, which nothing released reads yet: absent is "plays once"
    )


def _read_lane(f: Fields) -> AudioLane:
    return AudioLane(
        id=f.text("id"),
        name=f.text("name", ""),
        kind=LaneKind(_enum_value(f, "kind", LaneKind)),
        gain_db=f.number("gain_db", 0.0, between=_GAIN_DB),
        muted=f.flag("muted", False),
        solo=f.flag("solo", False),
        duck_db=f.number("duck_db", 0.0, between=_DUCK_DB),
        duck_release_us=_time(f, "duck_release_us", 500_000),
    )


def _read_settings(f: Fields) -> ProjectSettings:
    defaults = ProjectSettings()
    return ProjectSettings(
        size=f.size("size", defaults.size, sides=(MIN_SIDE, MAX_SIDE)),
        fps=f.fraction("fps", defaults.fps, between=(MIN_FPS, MAX_FPS)),
        sample_rate=f.whole("sample_rate", defaults.sample_rate, minimum=MIN_SAMPLE_RATE, maximum=MAX_SAMPLE_RATE),
        style=f.text("style", ""),
        budget=f.decimal("budget"),
    )


def read_project(f: Fields) -> Project:
    """The project in a document already brought to FORMAT_VERSION; raises ProjectCorrupt naming the bad field."""
    project = Project(
        id=f.text("id"),
        title=f.text("title", ""),
        settings=ProjectSettings() if f.raw("settings", None) is None else _read_settings(f.nested("settings")),
        shots=_list_of(f, "shots", _read_shot),
        audio=_list_of(f, "audio", _read_audio),
        lanes=DEFAULT_LANES if f.raw("lanes", None) is None else _list_of(f, "lanes", _read_lane),
        assets=_list_of(f, "assets", _read_take),
        removed_takes=_list_of(f, "removed_takes", _read_removed),
        # kept in time order whatever the file says: the timeline and the edits rely on it
        markers=tuple(sorted(_list_of(f, "markers", _read_marker), key=lambda m: m.at_us)),
        cast=_list_of(f, "cast", _read_member),
        # kept in time order whatever the file says, as markers are
        captions=tuple(sorted(_list_of(f, "captions", _read_caption), key=lambda c: (c.start_us, c.end_us))),
        format_version=FORMAT_VERSION,
    )
    _check_ids(project)
    references.check_names(project)
    return project


def _unique(ids: Iterable[tuple[str, str]], things: str) -> None:
    """Each (field, id) must have an id no earlier one has: `remove <id>` once deleted both shots sharing one."""
    first: dict[str, str] = {}
    for where, ident in ids:
        if ident in first:
            corrupt(f"{where}.id", f"is {ident!r}, the same as {first[ident]}.id; {things} each need their own id")
        first[ident] = where


def _check_ids(project: Project) -> None:
    """Ids are unique among shots, among the shots' takes and the deleted ones (one restored beside a take with its
    id would make two takes one), among the library's takes, sound clips and lanes, and every sound clip sits on a
    lane the project has. (A library take may share an id with a shot's take: the same take kept in both places, as
    format 1 files do.)"""
    _unique(((f"shots[{n}]", shot.id) for n, shot in enumerate(project.shots)), "shots")
    in_shots = (
        (f"shots[{n}].takes[{t}]", take.id) for n, shot in enumerate(project.shots) for t, take in enumerate(shot.takes)
    )
    deleted = ((f"removed_takes[{n}].take", removed.take.id) for n, removed in enumerate(project.removed_takes))
    _unique((*in_shots, *deleted), "takes")
    _unique(((f"assets[{n}]", take.id) for n, take in enumerate(project.assets)), "takes in the library")
    _unique(((f"audio[{n}]", clip.id) for n, clip in enumerate(project.audio)), "sound clips")
    _unique(((f"lanes[{n}]", lane.id) for n, lane in enumerate(project.lanes)), "audio lanes")
    _unique(((f"markers[{n}]", marker.id) for n, marker in enumerate(project.markers)), "markers")
    _unique(((f"cast[{n}]", member.id) for n, member in enumerate(project.cast)), "cast members")
    names: dict[str, int] = {}
    for n, member in enumerate(project.cast):
        first = names.setdefault(member.name.casefold(), n)
        if first != n:
            corrupt(
                f"cast[{n}].name", f"is {member.name!r}, the name of cast[{first}] too; a prompt's @name must name one"
            )
    lines = (
        (f"shots[{n}].dialogue[{k}]", line.id) for n, s in enumerate(project.shots) for k, line in enumerate(s.dialogue)
    )
    _unique(lines, "dialogue lines (voices and captions name the line they came from)")
    _unique(((f"captions[{n}]", caption.id) for n, caption in enumerate(project.captions)), "captions")
    members = {member.id for member in project.cast}
    for n, shot in enumerate(project.shots):
        for k, line in enumerate(shot.dialogue):
            if line.member_id is not None and line.member_id not in members:
                corrupt(f"shots[{n}].dialogue[{k}].member", f"is {line.member_id!r}, no member of this project's cast")
    lanes = {lane.id for lane in project.lanes}
    for n, clip in enumerate(project.audio):
        if clip.lane not in lanes:
            have = ", ".join(sorted(lanes)) or "none"
            corrupt(f"audio[{n}].lane", f"is {clip.lane!r}, a lane this project does not have (it has {have})")
