"""Writing a project as project.json's object (`storage.schema` owns the format; this is its writing half).

Exact values stay exact: Fractions as "30000/1001", Decimals as strings, times as integer microseconds, sizes as
"WxH"; keys in a stable order so two saves diff readably.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from shotline.core.errors import SaveFailed
from shotline.core.model import (
    FORMAT_VERSION,
    AudioClip,
    AudioLane,
    Caption,
    CastMember,
    DialogueLine,
    GenerationSettings,
    MediaInfo,
    Project,
    RemovedTake,
    Shot,
    Take,
    Trim,
    VoiceChoice,
)


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


def _line(line: DialogueLine) -> dict[str, Any]:
    # a line names its speaker one way: a cast member by id, or a typed name
    said_by = {"member": line.member_id} if line.member_id is not None else {"speaker": line.speaker}
    return {"id": line.id, "text": line.text, **said_by}


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
        "dialogue": [_line(line) for line in shot.dialogue],
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
        "loop_us": clip.loop_us,
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
        "voice": _voice(member.voice),
    }


def _voice(voice: VoiceChoice | None) -> dict[str, Any] | None:
    if voice is None:
        return None
    return {"backend": voice.backend, "voice": voice.voice, "model": voice.model, "settings": dict(voice.settings)}


def _caption(caption: Caption) -> dict[str, Any]:
    return {
        "id": caption.id,
        "start_us": caption.start_us,
        "end_us": caption.end_us,
        "text": caption.text,
        "speaker": caption.speaker,
        "line_id": caption.line_id,
        "edited": caption.edited,
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
        "captions": [_caption(c) for c in project.captions],
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
