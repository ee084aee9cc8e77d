"""Replicate's model inputs: a shot mapped onto the input schema of the video model it runs on.

Each official model Shotline knows (Kling, Hailuo, Wan, Video-01) takes its own input fields; a catalogue entry
names which by `route.inputs`, and any other `owner/name[:version]` gets the few fields most video models accept,
with images on the fields the shot's option `image_fields` names. The plan says where the prediction is created and
with what, refusing what the model cannot do before anything is sent. Sending it and reading answers is
backends.replicate's; the stills' and music adapters plan their own predictions with `PredictionPlan` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from shotline.backends import builtin
from shotline.backends.catalogue import BackendModels, offered_model, sent_length, sent_seconds, shipped
from shotline.core.errors import InputRejected
from shotline.core.ports import BackendInfo, GenerationRequest, ModelInfo

CUSTOM = "custom"
_S = 1_000_000
_REF = re.compile(r"(?P<owner>[A-Za-z0-9][\w.-]*)/(?P<name>[\w.-]+)(?::(?P<version>[0-9a-fA-F]{32,64}))?")

_SHIPPED = shipped().models("replicate")


@dataclass
class PredictionPlan:
    """One prediction as we would create it: where to send it, its settings, and the images still to attach."""

    path: str
    model: str
    """owner/name, as Replicate reports it on the prediction."""
    version: str | None
    inputs: dict[str, Any]
    images: dict[str, list[str]] = field(default_factory=dict)
    """Input field → image files (absolute paths); a one-element list is sent as a single value."""
    list_fields: frozenset[str] = frozenset()


def plan_prediction(
    request: GenerationRequest, info: BackendInfo = builtin.REPLICATE, models: BackendModels = _SHIPPED
) -> PredictionPlan:
    """Map a request onto the model's input schema, refusing what the model cannot do before anything is sent.

    `info` and `models` are the models served (the catalogue's, with the creator's own entries)."""
    model = offered_model(info, request.model, "Replicate")
    sent_length(model, request.duration_us)
    check_images(request, model)
    if model.id != CUSTOM and request.aspect not in model.aspects:
        raise InputRejected(
            f"{model.label} makes {', '.join(model.aspects)} clips, not {request.aspect}; change the shot's aspect."
        )
    if model.resolutions and request.resolution and request.resolution not in model.resolutions:
        raise InputRejected(
            f"{model.label} offers {', '.join(model.resolutions)}, not {request.resolution}; change the resolution."
        )
    inputs = str(models.route(model.id).get("inputs") or "")
    if inputs and inputs not in _BUILDERS:
        raise InputRejected(
            f"The model catalogue sends {model.label} by {inputs!r} inputs, which Shotline does not know; "
            f"write one of {', '.join(_BUILDERS)}, or leave them out to send it as another model."
        )
    builder = _BUILDERS.get(inputs, _custom)
    plan = builder(request, model)
    extra = request.options.get("input")
    if extra is not None:
        if not isinstance(extra, Mapping):
            raise InputRejected("The Replicate option 'input' must be a table of the model's own input fields.")
        plan.inputs.update({str(name): value for name, value in extra.items()})
    return plan


def check_images(request: GenerationRequest, model: ModelInfo) -> None:
    """The shot's images are ones the model takes, and are still on disk."""
    if request.first_frame and not model.image_to_video:
        raise InputRejected(f"{model.label} cannot start from an image; remove the first frame or pick another model.")
    if request.last_frame and not model.first_last_frame:
        raise InputRejected(f"{model.label} cannot end on a given image; remove the last frame or pick another model.")
    if request.last_frame and not request.first_frame:
        raise InputRejected("A last frame needs a first frame too on Replicate; add one or remove the last frame.")
    if len(request.reference_images) > model.reference_images:
        raise InputRejected(
            f"{model.label} takes {model.reference_images or 'no'} reference image(s); "
            f"this shot has {len(request.reference_images)}."
        )
    for path in (request.first_frame, request.last_frame, *request.reference_images):
        if path and not Path(path).is_file():
            raise InputRejected(f"The image {path} is not there any more; choose it again in the shot's settings.")


def model_path(model: str) -> str:
    """Where an official model's (or an unpinned one's) prediction is created."""
    return f"/v1/models/{model}/predictions"


def _kling(request: GenerationRequest, model: ModelInfo) -> PredictionPlan:
    inputs: dict[str, Any] = {
        "prompt": request.prompt,
        "duration": sent_seconds(model, request.duration_us),
        "aspect_ratio": request.aspect,
    }
    if request.negative_prompt:
        inputs["negative_prompt"] = request.negative_prompt
    images = {"start_image": [request.first_frame]} if request.first_frame else {}
    return PredictionPlan(model_path(model.id), model.id, None, inputs, images)


def _hailuo(request: GenerationRequest, model: ModelInfo) -> PredictionPlan:
    duration = sent_seconds(model, request.duration_us)
    resolution = request.resolution
    if duration == 10 and resolution == "1080p":
        raise InputRejected("Hailuo 02 makes 10 s clips only at 512p or 768p; pick 6 s or a lower resolution.")
    if duration == 10 and not resolution:
        resolution = "768p"  # the model's default, 1080p, would refuse a 10 s clip
    inputs: dict[str, Any] = {"prompt": request.prompt, "duration": duration}
    if resolution:
        inputs["resolution"] = resolution
    if "prompt_optimizer" in request.options:
        inputs["prompt_optimizer"] = bool(request.options["prompt_optimizer"])
    images: dict[str, list[str]] = {}
    if request.first_frame:
        images["first_frame_image"] = [request.first_frame]
    if request.last_frame:
        images["last_frame_image"] = [request.last_frame]
    return PredictionPlan(model_path(model.id), model.id, None, inputs, images)


WAN_FPS = 16
"""Wan bills by the clip's length at 16 frames a second, so keep that rate and change it only to reach a length."""


def _wan(request: GenerationRequest, model: ModelInfo) -> PredictionPlan:
    # the model makes 81 to 100 frames at 5 to 24 a second: the frames and rate that make exactly the length sent
    seconds = Fraction(request.duration_us, _S)
    exact = (fps for fps in (WAN_FPS, *range(5, 25)) if (seconds * fps).denominator == 1 and 81 <= seconds * fps <= 100)
    fps = next(exact, None)
    if fps is None:
        raise InputRejected(
            f"{model.label} cannot make exactly {request.duration_us / _S:g} s (81 to 100 frames at 5 to 24 a "
            "second); change the shot's length."
        )
    inputs: dict[str, Any] = {
        "prompt": request.prompt,
        "num_frames": int(seconds * fps),
        "frames_per_second": fps,
        "aspect_ratio": request.aspect,
    }
    if request.resolution:
        inputs["resolution"] = request.resolution
    if request.seed is not None:
        inputs["seed"] = request.seed
    return PredictionPlan(model_path(model.id), model.id, None, inputs)


def _video_01(request: GenerationRequest, model: ModelInfo) -> PredictionPlan:
    inputs: dict[str, Any] = {"prompt": request.prompt}
    if "prompt_optimizer" in request.options:
        inputs["prompt_optimizer"] = bool(request.options["prompt_optimizer"])
    images: dict[str, list[str]] = {}
    if request.first_frame:
        images["first_frame_image"] = [request.first_frame]
    if request.reference_images:
        images["subject_reference"] = [request.reference_images[0]]
    return PredictionPlan(model_path(model.id), model.id, None, inputs, images)


def _custom(request: GenerationRequest, model: ModelInfo) -> PredictionPlan:
    # a catalogue model of its own (owner/name) is that model; "custom" takes the one the shot's options name
    ref = str(request.options.get("model", "") or ("" if model.id == CUSTOM else model.id)).strip()
    match = _REF.fullmatch(ref)
    if match is None:
        raise InputRejected(
            "For another Replicate model, set the shot's option 'model' to owner/name (an official model) or "
            f"owner/name:version (a community model's version id){'; ' + repr(ref) + ' is neither' if ref else ''}."
        )
    name = f"{match['owner']}/{match['name']}"
    # we do not know this model's schema: send only what most video models accept, the rest goes in options.input
    inputs: dict[str, Any] = {"prompt": request.prompt}
    if request.negative_prompt:
        inputs["negative_prompt"] = request.negative_prompt
    if request.seed is not None:
        inputs["seed"] = request.seed
    fields = request.options.get("image_fields", {})
    fields = fields if isinstance(fields, Mapping) else {}
    images: dict[str, list[str]] = {}
    missing: list[str] = []
    for role, paths in (
        ("first_frame", [request.first_frame] if request.first_frame else []),
        ("last_frame", [request.last_frame] if request.last_frame else []),
        ("reference_images", list(request.reference_images)),
    ):
        if paths and fields.get(role):
            images[str(fields[role])] = paths
        elif paths:
            missing.append(role)
    if missing:
        raise InputRejected(
            "Shotline does not know which input of this Replicate model takes "
            f"{' and '.join(role.replace('_', ' ') for role in missing)}; set the shot's option 'image_fields' "
            '(for example first_frame = "image") or remove the image.'
        )
    lists = frozenset({str(fields["reference_images"])}) if request.reference_images else frozenset()
    if match["version"]:
        return PredictionPlan("/v1/predictions", name, match["version"].lower(), inputs, images, lists)
    return PredictionPlan(model_path(name), name, None, inputs, images, lists)


_BUILDERS: Mapping[str, Callable[[GenerationRequest, ModelInfo], PredictionPlan]] = {
    "kling": _kling,
    "hailuo": _hailuo,
    "wan": _wan,
    "video-01": _video_01,
}
"""The input schemas Shotline knows, by the name a catalogue entry's `route.inputs` gives."""
