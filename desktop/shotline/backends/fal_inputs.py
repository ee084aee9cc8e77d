"""fal.ai's model inputs: how each curated model takes a shot, and the input body sent to its endpoint.

Every fal endpoint has its own input schema (Kling wants `duration: "5"`, Veo `"8s"`, Wan none at all), so each
curated model's catalogue entry gives a `Route`: its endpoints (text, image, reference) and the names and formats of
its fields. `build_input` picks the endpoint for a shot and writes its input, refusing what the model cannot take
before anything is sent; any other endpoint is reached through the `custom` model with `options["endpoint"]`, and
`options["input"]` adds, overrides or drops fields for any model. Images go inline as data URIs. Sending the body
through fal's queue and reading its answers is backends.fal's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shotline.backends import builtin
from shotline.backends.catalogue import BackendModels, offered_model, sent_seconds, shipped
from shotline.backends.images import read_picture
from shotline.core.errors import InputRejected
from shotline.core.ports import BackendInfo, GenerationRequest

PROVIDER = "fal.ai"
CUSTOM = "custom"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Inline images travel in the JSON body; past this a data URI is more likely to be refused than used."""
NAMESPACES = ("workflows", "comfy")
"""Endpoint ids under these start with a namespace: `workflows/owner/alias/...`."""
ENDPOINT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)+")

_SHIPPED = shipped().models("fal")


_DURATIONS: Mapping[str, Callable[[int], Any] | None] = {
    "seconds": str,  # Kling and most others: duration "5"
    "seconds_s": lambda seconds: f"{seconds}s",  # Veo: duration "8s"
    "integer": int,  # Wan 2.7, LTX-2.3: duration 5
    "none": None,  # a fixed length: the endpoint takes no duration field
}


@dataclass(frozen=True)
class Route:
    """How one model takes a shot: its endpoints and the names and formats of its input fields (its catalogue
    entry's `route`, resources/catalogue/fal.toml)."""

    text: str
    """Endpoint id for text to video."""
    image: str | None = None
    """Endpoint id for image to video (the first frame goes in `image_field`)."""
    image_field: str = "image_url"
    image_aspect: bool = True
    """Whether the image endpoint takes `aspect_ratio` too (Kling 3's follows the picture's and has no such field)."""
    duration: Callable[[int], Any] | None = str
    """Formats whole seconds for the `duration` field; None when the model has a fixed length."""
    aspect: bool = True
    resolution: bool = False
    negative_prompt: bool = False
    seed: bool = False
    audio_field: str | None = None
    last_frame_field: str | None = None
    reference: str | None = None
    """Endpoint id for reference images (its prompt names them as the model's `reference_tag` says)."""
    reference_field: str = "image_urls"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    """Inputs always sent (e.g. Hailuo's prompt optimiser)."""


def route_of(table: Mapping[str, Any]) -> Route:
    """A model's route from its catalogue table; InputRejected naming what is wrong with one that cannot be sent."""
    written = str(table.get("duration", "seconds"))
    if written not in _DURATIONS:
        raise InputRejected(
            f"The fal.ai route's duration must be one of {', '.join(_DURATIONS)}, not {written!r}; "
            "fix the model's entry in the catalogue."
        )
    fixed = table.get("fixed", {})
    return Route(
        text=str(table.get("text") or ""),
        image=str(table["image"]) if table.get("image") else None,
        image_field=str(table.get("image_field") or "image_url"),
        image_aspect=bool(table.get("image_aspect", True)),
        duration=_DURATIONS[written],
        aspect=bool(table.get("aspect", True)),
        resolution=bool(table.get("resolution", False)),
        negative_prompt=bool(table.get("negative_prompt", False)),
        seed=bool(table.get("seed", False)),
        audio_field=str(table["audio_field"]) if table.get("audio_field") else None,
        last_frame_field=str(table["last_frame_field"]) if table.get("last_frame_field") else None,
        reference=str(table["reference"]) if table.get("reference") else None,
        reference_field=str(table.get("reference_field") or "image_urls"),
        fixed=dict(fixed) if isinstance(fixed, Mapping) else {},
    )


def checked_endpoint(endpoint: str) -> str:
    """An endpoint id a creator wrote (the custom model's `options["endpoint"]`), trimmed, or InputRejected."""
    endpoint = endpoint.strip().strip("/")
    parts = endpoint.split("/")
    minimum = 3 if parts[0] in NAMESPACES else 2
    if not ENDPOINT_ID.fullmatch(endpoint) or len(parts) < minimum:
        raise InputRejected(
            f"{endpoint!r} is not a fal endpoint id; write it as owner/name[/path], e.g. "
            "fal-ai/kling-video/v2.1/master/text-to-video (it is on the model's page at fal.ai)."
        )
    return endpoint


def build_input(
    request: GenerationRequest, info: BackendInfo = builtin.FAL, models: BackendModels = _SHIPPED
) -> tuple[str, dict[str, Any]]:
    """The endpoint and the model input for `request`, checked against what the model takes (reads image files).

    `info` and `models` are the models served (the catalogue's, with the creator's own entries)."""
    model = offered_model(info, request.model, PROVIDER)
    route = route_of(models.route(model.id))
    if model.id != CUSTOM and not route.text:
        raise InputRejected(
            f"{model.label} has no fal.ai endpoint in the model catalogue; give its entry a route with 'text'."
        )
    if not request.prompt.strip():
        raise InputRejected("The shot has no prompt; write what it should show first.")
    if request.aspect not in model.aspects:
        raise InputRejected(
            f"{model.label} makes {', '.join(model.aspects)} clips, not {request.aspect}; change the shot's aspect."
        )
    if request.resolution and model.resolutions and request.resolution not in model.resolutions:
        raise InputRejected(
            f"{model.label} makes {', '.join(model.resolutions)} clips, not {request.resolution}; "
            "change the shot's resolution."
        )
    if request.reference_images and not (route.reference and model.reference_images):
        raise InputRejected(f"{model.label} on fal.ai takes no reference images; remove them from the shot.")
    if len(request.reference_images) > model.reference_images:
        raise InputRejected(
            f"{model.label} on fal.ai takes at most {model.reference_images} reference images; remove some."
        )
    if request.reference_images and (request.first_frame or request.last_frame):
        raise InputRejected(
            f"{model.label} on fal.ai takes reference images or a first/last frame, not both; remove one."
        )
    if request.last_frame and not route.last_frame_field:
        raise InputRejected(f"{model.label} on fal.ai cannot end on a given last frame; remove it from the shot.")

    if model.id == CUSTOM:
        if not str(request.options.get("endpoint") or "").strip():
            raise InputRejected("The custom fal.ai model needs an endpoint id in the shot's options ('endpoint').")
        endpoint = checked_endpoint(str(request.options["endpoint"]))
    elif request.reference_images:
        endpoint = route.reference or ""
    elif request.first_frame:
        endpoint = route.image or ""
        if not endpoint:
            raise InputRejected(f"{model.label} on fal.ai makes clips from text only; remove the first frame.")
    else:
        endpoint = route.text

    body: dict[str, Any] = {"prompt": request.prompt.strip()}
    if route.duration is not None:
        body["duration"] = route.duration(sent_seconds(model, request.duration_us))
    if route.aspect and (route.image_aspect or not request.first_frame):
        body["aspect_ratio"] = request.aspect
    if route.resolution and request.resolution:
        body["resolution"] = request.resolution
    if route.negative_prompt and request.negative_prompt.strip():
        body["negative_prompt"] = request.negative_prompt.strip()
    if route.seed and request.seed is not None:
        body["seed"] = request.seed
    if route.audio_field:
        body[route.audio_field] = bool(request.audio)
    body.update(route.fixed)
    if request.first_frame:
        body[route.image_field] = inline_picture(request.first_frame)
    if request.last_frame and route.last_frame_field:
        body[route.last_frame_field] = inline_picture(request.last_frame)
    if request.reference_images:
        body[route.reference_field] = [inline_picture(image) for image in request.reference_images]
    extra = request.options.get("input")
    if extra is not None:
        if not isinstance(extra, Mapping):
            raise InputRejected("The fal.ai option 'input' must be a table of input fields and values.")
        for name, value in extra.items():
            if value is None:
                body.pop(str(name), None)  # lets a creator drop a field the endpoint does not take
            else:
                body[str(name)] = value
    return endpoint, body


def inline_picture(path: str) -> str:
    """A picture as a data URI, the inline form every fal endpoint takes where it asks for an image URL."""
    return read_picture(path, PROVIDER, max_bytes=MAX_IMAGE_BYTES).data_uri()
