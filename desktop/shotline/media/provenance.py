"""Where an export's pictures came from: each shot's prompt, backend, model and job, in the file and beside it.

`provenance` gathers, for every exported segment, the shot (number, title, prompt), its take's origin and, for a
generated take, the backend, model, provider job id, creation time and seed, plus the part of the source used.
The export carries it as compact JSON in its container metadata (`comment`, which MP4, MOV, M4A and WAV all keep;
MP4 and M4A also keep `description`) and in full in a sidecar `<export>.provenance.json`, written atomically.
Only chosen fields are copied: never a whole request, so never a key.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import av.error

from shotline import __version__
from shotline.core.model import Origin, Project, Shot, Take
from shotline.core.partial import partial_path
from shotline.media.intake import url
from shotline.media.plan import RenderPlan
from shotline.media.probe import PACKETS_ONLY

SIDECAR_SUFFIX = ".provenance.json"
COMMENT_LIMIT = 16_000
"""The most characters the container comment takes: it travels on ffmpeg's command line (32 K on Windows)."""
_PROMPT_CUT = 200


def provenance(project: Project, plan: RenderPlan, *, exported_at: datetime | None = None) -> dict[str, Any]:
    """What the export `plan` of `project` is made of, as plain JSON-ready data (see the module docstring)."""
    numbers = {shot.id: number for number, shot in enumerate(project.shots, start=1)}
    shots_by_id = {shot.id: shot for shot in project.shots}
    shots = []
    for segment in plan.segments:
        shot = shots_by_id.get(segment.shot_id)
        if shot is None:
            continue
        take = next((t for t in shot.takes if t.id == segment.take_id), None)
        entry: dict[str, Any] = {
            "shot": numbers[shot.id],
            "title": shot.title,
            "prompt": shot.prompt,
        }
        if shot.negative_prompt:
            entry["negative_prompt"] = shot.negative_prompt
        entry |= _take(shot, take)
        entry["source_in_us"] = segment.trim.in_us
        entry["source_out_us"] = segment.trim.out_us
        entry["start_frame"] = segment.start_frame
        entry["frames"] = segment.frames
        shots.append(entry)
    when = (exported_at or datetime.now(UTC)).isoformat(timespec="seconds")
    return {
        "app": f"Shotline {__version__}",
        "project": project.title,
        "exported_at": when,
        "ai_generated": any(entry["origin"] == Origin.GENERATED.value for entry in shots),
        "shots": shots,
    }


def _take(shot: Shot, take: Take | None) -> dict[str, Any]:
    if take is None:
        return {"origin": "unknown"}
    entry: dict[str, Any] = {"take": take.id, "origin": take.origin.value, "media": take.media}
    if take.source_name:
        entry["source_name"] = take.source_name
    record = take.generation
    if record is None:
        return entry
    entry |= {
        "backend": record.backend,
        "model": record.model or shot.generation.model,
        "job_id": record.job_id,
        "provider_job_id": record.provider_job_id,
        "created_at": record.created_at,
    }
    seed = record.request.get("seed") if record.request else None
    if isinstance(seed, int) and not isinstance(seed, bool):
        entry["seed"] = seed
    return entry


def compact(record: dict[str, Any], limit: int = COMMENT_LIMIT) -> str:
    """`record` as compact JSON of at most `limit` characters: prompts are shortened, then left out, if needed
    (the sidecar always has them in full)."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= limit:
        return text
    shortened = {**record, "truncated": True, "shots": [_short(entry) for entry in record["shots"]]}
    text = json.dumps(shortened, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= limit:
        return text
    keep = ("shot", "origin", "backend", "model")
    bare = [{k: entry[k] for k in keep if k in entry} for entry in record["shots"]]
    text = json.dumps({**record, "truncated": True, "shots": bare}, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= limit:
        return text
    head = {k: record[k] for k in ("app", "exported_at", "ai_generated")}
    return json.dumps({**head, "truncated": True}, ensure_ascii=False, separators=(",", ":"))


def _short(entry: dict[str, Any]) -> dict[str, Any]:
    shortened = dict(entry)
    for key in ("prompt", "negative_prompt"):
        text = shortened.get(key)
        if isinstance(text, str) and len(text) > _PROMPT_CUT:
            shortened[key] = text[: _PROMPT_CUT - 1] + "…"
    return shortened


def metadata_tags(record: dict[str, Any]) -> dict[str, str]:
    """The container tags that carry `record`: `comment` (kept by MP4, MOV, M4A and WAV) and `description`."""
    text = compact(record)
    return {"comment": text, "description": text}


def recorded(path: Path) -> dict[str, Any] | None:
    """The provenance a Shotline export carries in its container tags (compacted, see `compact`); None for a file
    that carries none, or is not media at all."""
    try:
        with av.open(url(path), options=PACKETS_ONLY) as container:
            text = container.metadata.get("comment", "")
        record = json.loads(text)
    except (av.error.FFmpegError, OSError, ValueError):
        return None
    app = record.get("app") if isinstance(record, dict) else None
    return record if isinstance(app, str) and app.startswith("Shotline") else None


def sidecar_path(output: Path) -> Path:
    return output.with_name(output.name + SIDECAR_SUFFIX)


def write_sidecar(record: dict[str, Any], output: Path) -> Path:
    """Write `record` to `<output>.provenance.json` through a hidden temporary file, so a reader never sees half of
    it. Blocking and short on purpose: it runs to the end even while the export is being cancelled."""
    target = sidecar_path(output)
    partial = partial_path(target, suffix="")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
