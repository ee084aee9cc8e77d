"""A clip's generation recipe (backend, model, prompt, seed, cost) as each hand-off format can carry it, and back.

OpenTimelineIO keeps any metadata, so an .otio keeps the recipe whole under "shotline". The other formats keep it
only where their own editors show it, so the creator sees the prompt in the other editor:
- FCPXML: the asset-clip's note is the prompt, and `md` entries hold the rest (keys "com.shotline.*");
- FCP 7 XML: the clip's log description is the prompt, its log note the rest ("backend: fal; model: …");
- CMX 3600 EDL: comment lines under the event ("* SHOTLINE PROMPT: …"), one line each, as an EDL has no other place.
`recipe_of` reads whichever of these an OpenTimelineIO adapter brought back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shotline.core.model import Shot, Take

NAMESPACE = "shotline"
FIELDS = ("backend", "model", "prompt", "seed", "cost")
"""What a recipe holds, in this order; `origin` and `shot` (the shot's title) are kept beside them."""

_MD_PREFIX = "com.shotline."
_EDL_PREFIX = "SHOTLINE "


def recipe(shot: Shot, take: Take) -> dict[str, str]:
    """How `take` came to be, as text: what its backend was asked (the prompt as sent, its seed) and what it cost.
    An imported take has no backend: its recipe is the shot's prompt and where it came from."""
    made = take.generation
    request: Mapping[str, Any] = made.request if made else {}
    cost = (made.billed_cost if made.billed_cost is not None else made.estimated_cost) if made else None
    seed = request.get("seed", shot.generation.seed if made else None)
    found = {
        "shot": shot.title,
        "origin": take.origin.value,
        "backend": made.backend if made else "",
        "model": made.model if made else "",
        "prompt": str(request.get("prompt") or shot.prompt),
        "seed": "" if seed is None else str(seed),
        "cost": "" if cost is None else str(cost),
    }
    if take.source_name:
        found["source"] = take.source_name
    return {key: value for key, value in found.items() if value}


def format_metadata(found: Mapping[str, str], adapter: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The recipe as `adapter` writes it: (the clip's metadata, its media reference's metadata)."""
    if adapter == "fcpx_xml":
        # FCPXML keeps it on the asset, which every clip of one file shares: the shot's title stays in the clip's name
        entries = [{f"{_MD_PREFIX}{key}": value} for key, value in found.items() if key not in ("prompt", "shot")]
        return {}, {"fcpx": {"note": found.get("prompt", ""), "metadata": entries}}
    if adapter == "fcp_xml":
        rest = "; ".join(f"{key}: {_one_line(value)}" for key, value in found.items() if key != "prompt")
        return {"fcp_xml": {"logginginfo": {"description": found.get("prompt", ""), "lognote": rest}}}, {}
    if adapter == "cmx_3600":
        lines = [f"{_EDL_PREFIX}{key.upper()}: {' '.join(value.split())}" for key, value in found.items()]
        return {"cmx_3600": {"comments": lines}}, {}
    return {NAMESPACE: dict(found)}, {}


def recipe_of(clip_metadata: Mapping[str, Any], reference_metadata: Mapping[str, Any]) -> dict[str, str]:
    """The recipe a clip read back by an OpenTimelineIO adapter carries, from whichever format wrote it; {} if none."""
    if isinstance(own := clip_metadata.get(NAMESPACE), Mapping):
        return {str(key): str(value) for key, value in own.items()}
    found: dict[str, str] = {}
    fcpx = reference_metadata.get("fcpx")
    if isinstance(fcpx, Mapping):
        for entry in fcpx.get("metadata", []):
            for key, value in entry.items():
                if str(key).startswith(_MD_PREFIX):
                    found[str(key).removeprefix(_MD_PREFIX)] = str(value)
        if found and fcpx.get("note"):
            found["prompt"] = str(fcpx["note"])
    logged = clip_metadata.get("fcp_xml", {}).get("logginginfo")
    if isinstance(logged, Mapping) and logged.get("lognote"):
        for part in str(logged["lognote"]).split("; "):
            key, _, value = part.partition(": ")
            found[key] = value
        if logged.get("description"):
            found["prompt"] = str(logged["description"])
    for line in clip_metadata.get("cmx_3600", {}).get("comments", []):
        if str(line).startswith(_EDL_PREFIX):
            key, _, value = str(line).removeprefix(_EDL_PREFIX).partition(": ")
            found[key.lower()] = value
    return found


def _one_line(text: str) -> str:
    """A value on one line, as an EDL comment and a log note's "key: value; …" need (a prompt may have several)."""
    return " ".join(text.split()).replace("; ", ", ")
