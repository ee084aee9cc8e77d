"""The project.json format: the only place that knows its shape, its versions and how to migrate them.

A project is written as one JSON object. Exact values stay exact: Fractions as "30000/1001", Decimals as
strings, times as integer microseconds, sizes as "WxH". `loads` never lets a damaged file escape as anything
but `ProjectCorrupt` (or `ProjectTooNew`), and its message says which field is wrong so a creator (or a support
thread) can find it.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, NoReturn

from shotline.core import cast
from shotline.core.errors import ProjectCorrupt, ProjectTooNew, SaveFailed
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
    CastKind,
    CastMember,
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
)
from shotline.core.timecode import format_time
from shotline.storage import references
from shotline.storage.jsonfields import DAMAGED, MISSING, Fields, check_plain, corrupt, in_creator_words, kind

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

MAX_FILE_BYTES = 128 * 1024 * 1024
"""No project.json comes near this (ten thousand shots with their takes are some 30 MB); a larger file is not read,
so a damaged or hostile one cannot fill the memory while it is parsed."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Format 2 gives projects audio lanes with their own settings; a clip's unused `duck_db` goes (lanes duck)."""
    for clip in document.get("audio", []):
        clip.pop("duck_db", None)
    return document


def _v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    """Format 3 keeps the takes a creator deleted (`removed_takes`, each with the shot it came from) so they can be
    restored. A format-2 project has none. The version goes up, not just a field in, because an older Shotline
    would read the file, ignore the field and drop the deleted takes at its next save."""
    document.setdefault("removed_takes", [])
    return document


def _v3_to_v4(document: dict[str, Any]) -> dict[str, Any]:
    """Format 4 adds timeline markers (`markers`). A format-3 project has none; the version goes up so an older
    Shotline refuses the file rather than dropping the markers at its next save."""
    document.setdefault("markers", [])
    return document


def _v4_to_v5(document: dict[str, Any]) -> dict[str, Any]:
    """Format 5 adds the cast and places (`cast`). A format-4 project has none; the version goes up so an older
    Shotline refuses the file rather than dropping the cast (and its pictures' place in the project) at its next
    save."""
    document.setdefault("cast", [])
    return document


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5}
"""`MIGRATIONS[n]` turns a format-n document into a format-(n+1) one. Pure functions; add one per format bump,
with a golden fixture tests/data/projects/v<n>.json."""


# ---------------------------------------------------------------------------------------------- writing


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _trim(trim: Trim) -> dict[str, Any]:
    return {"in_us": trim.in_us, "out_us": trim.out_us}


def _info(info: MediaInfo) -> dict[str, Any]:
    return {
        "duration_us": info.duration_us,
        "has_video": info.has_video,
        "has_audio": info.has_audio,
        "fps": None if info.fps is None else _fraction(info.fps),
        "size": None if info.size is None else str(info.size),
        "rotation": info.rotation,
        "video_codec": info.video_codec,
        "audio_codec": info.audio_codec,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "variable_frame_rate": info.variable_frame_rate,
    }


def _take(take: Take) -> dict[str, Any]:
    gen = take.generation
    return {
        "id": take.id,
        "media": take.media,
        "origin": take.origin.value,
        "info": _info(take.info),
        "trim": _trim(take.trim),
        "generation": None
        if gen is None
        else {
            "job_id": gen.job_id,
            "backend": gen.backend,
            "model": gen.model,
            "request": dict(gen.request),
            "provider_job_id": gen.provider_job_id,
            "estimated_cost": _decimal(gen.estimated_cost),
            "billed_cost": _decimal(gen.billed_cost),
            "created_at": gen.created_at,
        },
        "source_name": take.source_name,
    }


def _removed(removed: RemovedTake) -> dict[str, Any]:
    return {"shot_id": removed.shot_id, "picked": removed.picked, "take": _take(removed.take)}


def _generation_settings(gen: GenerationSettings) -> dict[str, Any]:
    return {
        "backend": gen.backend,
        "model": gen.model,
        "duration_us": gen.duration_us,
        "aspect": gen.aspect,
        "resolution": gen.resolution,
        "seed": gen.seed,
        "audio": gen.audio,
        "first_frame": gen.first_frame,
        "last_frame": gen.last_frame,
        "reference_images": list(gen.reference_images),
        "options": dict(gen.options),
        # written only when set, so every project without a continuing shot (and each golden fixture) reads and
        # saves byte for byte as before; an older Shotline ignores it and merely loses the continuity check's hint
        **({"continues": True} if gen.continues else {}),
    }


def _shot(shot: Shot) -> dict[str, Any]:
    return {
        "id": shot.id,
        "title": shot.title,
        "prompt": shot.prompt,
        "negative_prompt": shot.negative_prompt,
        "generation": _generation_settings(shot.generation),
        "takes": [_take(t) for t in shot.takes],
        "picked_take_id": shot.picked_take_id,
        "gain_db": shot.gain_db,
        "muted": shot.muted,
        "solo": shot.solo,
        "dialogue": shot.dialogue,
        "transition_out": {"kind": shot.transition_out.kind.value, "duration_us": shot.transition_out.duration_us},
    }


def _audio(clip: AudioClip) -> dict[str, Any]:
    return {
        "id": clip.id,
        "media": clip.media,
        "lane": clip.lane,
        "start_us": clip.start_us,
        "trim": _trim(clip.trim),
        "info": _info(clip.info),
        "gain_db": clip.gain_db,
        "muted": clip.muted,
        "solo": clip.solo,
        "fade_in_us": clip.fade_in_us,
        "fade_out_us": clip.fade_out_us,
        "source_name": clip.source_name,
    }


def _lane(lane: AudioLane) -> dict[str, Any]:
    return {
        "id": lane.id,
        "name": lane.name,
        "kind": lane.kind.value,
        "gain_db": lane.gain_db,
        "muted": lane.muted,
        "solo": lane.solo,
        "duck_db": lane.duck_db,
        "duck_release_us": lane.duck_release_us,
    }


def _member(member: CastMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "name": member.name,
        "kind": member.kind.value,
        "description": member.description,
        "images": list(member.images),
    }


def project_to_json(project: Project) -> dict[str, Any]:
    """The project as plain JSON values. Always written as the current format, whatever it was read from."""
    settings = project.settings
    return {
        "format_version": FORMAT_VERSION,
        "id": project.id,
        "title": project.title,
        "settings": {
            "size": str(settings.size),
            "fps": _fraction(settings.fps),
            "sample_rate": settings.sample_rate,
            "style": settings.style,
            "budget": _decimal(settings.budget),
        },
        "shots": [_shot(s) for s in project.shots],
        "audio": [_audio(a) for a in project.audio],
        "lanes": [_lane(lane) for lane in project.lanes],
        "assets": [_take(t) for t in project.assets],
        "removed_takes": [_removed(r) for r in project.removed_takes],
        "markers": [{"id": m.id, "at_us": m.at_us, "name": m.name} for m in project.markers],
        "cast": [_member(m) for m in project.cast],
    }


def dumps(project: Project) -> bytes:
    """UTF-8 JSON, indented, keys in a stable order so diffs of two saves are readable."""
    try:
        text = json.dumps(project_to_json(project), indent=2, ensure_ascii=False, allow_nan=False)
        return (text + "\n").encode("utf-8")
    except (TypeError, ValueError) as error:
        # A NaN gain, a non-JSON value in a request snapshot, or text with half a character (a lone surrogate,
        # which UTF-8 cannot hold): writing it would produce a file we cannot read.
        raise SaveFailed(
            f"This project cannot be saved because it holds a value JSON cannot store ({error})."
        ) from error


# ---------------------------------------------------------------------------------------------- reading


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
        dialogue=f.flag("dialogue", False),
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


def format_version_of(data: Mapping[str, Any]) -> int:
    f = Fields(dict(data), "")
    return f.whole("format_version", minimum=0)


def migrate(data: Mapping[str, Any], migrations: Mapping[int, Migration] | None = None) -> dict[str, Any]:
    """Bring a document of any readable format up to FORMAT_VERSION, one pure step at a time."""
    steps = MIGRATIONS if migrations is None else migrations
    version = format_version_of(data)
    if version > FORMAT_VERSION:
        raise ProjectTooNew(
            f"This project was saved by a newer Shotline (format {version}); this Shotline reads up to format "
            f"{FORMAT_VERSION}. Update Shotline to open it."
        )
    document = copy.deepcopy(dict(data))
    while version < FORMAT_VERSION:
        step = steps.get(version)
        if step is None:
            raise ProjectCorrupt(
                f"This project uses format {version}, which this Shotline can no longer read. "
                "Open it in an older Shotline and save it there first."
            )
        try:
            document = step(document)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ProjectCorrupt(
                f"{DAMAGED}: it could not be upgraded from format {version} ({type(error).__name__}: {error})."
            ) from error
        version += 1
        document["format_version"] = version
        log.info("Upgraded a project document to format %d", version)
    return document


def project_from_json(data: object, migrations: Mapping[int, Migration] | None = None) -> Project:
    """Build the model from parsed JSON; raises ProjectCorrupt naming the bad field, or ProjectTooNew."""
    if not isinstance(data, dict):
        corrupt("the top level", f"should be an object but is {kind(data)}")
    f = Fields(migrate(data, migrations), "")
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
    lanes = {lane.id for lane in project.lanes}
    for n, clip in enumerate(project.audio):
        if clip.lane not in lanes:
            have = ", ".join(sorted(lanes)) or "none"
            corrupt(f"audio[{n}].lane", f"is {clip.lane!r}, a lane this project does not have (it has {have})")


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(raw: bytes) -> object:
    if len(raw) > MAX_FILE_BYTES:
        raise ProjectCorrupt(
            f"{DAMAGED}: it is larger than any project can be (more than {MAX_FILE_BYTES // 2**20} MB)."
        )
    if not raw:
        raise ProjectCorrupt(f"{DAMAGED}: it is empty (0 bytes). It was probably cut off while being saved.")
    if not raw.strip(b"\x00"):
        raise ProjectCorrupt(
            f"{DAMAGED}: it holds only zero bytes ({len(raw)} of them), which happens when the computer loses "
            "power while saving."
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise ProjectCorrupt(f"{DAMAGED}: it contains zero bytes (the first at byte {nul}), so part of it is lost.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectCorrupt(f"{DAMAGED}: it is not UTF-8 text (bad byte at position {error.start}).") from error
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        # cut off between values, or inside a text value that runs on to the end of the file
        if not text[error.pos :].strip() or error.msg.startswith("Unterminated string"):
            raise ProjectCorrupt(
                f"{DAMAGED}: it ends too early (line {error.lineno}, column {error.colno}); it was probably cut "
                "off while being saved."
            ) from error
        raise ProjectCorrupt(
            f"{DAMAGED}: it is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from error
    except RecursionError as error:
        raise ProjectCorrupt(f"{DAMAGED}: it is nested too deeply to be a project.") from error
    except ValueError as error:  # NaN/Infinity, or a number with more digits than Python converts
        raise ProjectCorrupt(f"{DAMAGED}: it is not valid JSON ({error}).") from error
    check_plain(data)
    return data


def loads(raw: bytes, migrations: Mapping[int, Migration] | None = None) -> Project:
    """Parse project.json bytes; any damage becomes ProjectCorrupt, a newer format ProjectTooNew.

    Every value is checked against the schema and its bounds (DESIGN §3-4) and every reference against the folder
    rule (`references.check_names`), so a project that loads can be shown, edited and exported without surprises.
    """
    data = _parse(raw)
    try:
        return project_from_json(data, migrations)
    except (ArithmeticError, AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
        # The checks above should have named the field; reaching here is a gap in them, so it is logged as one.
        log.exception("A project file passed the schema's checks but could not be read")
        raise ProjectCorrupt(f"{DAMAGED}: it holds a value Shotline cannot read ({type(error).__name__}).") from error
