"""Runway's text_to_image (Gen-4 Image) as the stills of the `runway` backend (backends.stills.ByKind).

A still is a Runway task like a clip (create, then `GET /v1/tasks/{id}` to SUCCEEDED with signed `output` links,
`cost.credits` charged), so only the create differs, as read in the runwayml SDK's `text_to_image_create_params`:

- `POST /v1/text_to_image` with `model` ("gen4_image"), `promptText` (up to 1000 UTF-16 units), `ratio` (one of
  the pixel sizes the model lists: 1920:1080 at 1080p, 1280:720 at 720p, and their turns) and `seed`.
- `referenceImages`: up to three `{uri, tag}`, the picture inline as a data URI and the tag the name the prompt
  calls it by, written `@tag` there. A tag must be 3–16 letters, digits or underscores, starting with a letter:
  a cast member's name that is not one (Old Tom, Al) is sent as the nearest that is (Old_Tom, Al_), and the
  prompt's `@Old Tom` rewritten to match. A picture the prompt does not name (the shot's own reference) goes
  without a tag.
- Runway cannot list tasks, so a create whose answer was lost is uncertain, never sent again.
"""

from __future__ import annotations

import re
from typing import Any

from shotline.backends.catalogue import offered_model
from shotline.backends.runway import _MAX_PROMPT_UTF16, _MAX_SEED, _PROVIDER, RunwayBackend, _Create, _data_uri
from shotline.core.errors import InputRejected
from shotline.core.ports import GenerationRequest, MediaKind

RATIOS = {
    "1080p": {
        "16:9": "1920:1080",
        "9:16": "1080:1920",
        "1:1": "1080:1080",
        "4:3": "1440:1080",
        "3:4": "1080:1440",
        "21:9": "1808:768",
    },
    "720p": {
        "16:9": "1280:720",
        "9:16": "720:1280",
        "1:1": "720:720",
        "4:3": "960:720",
        "3:4": "720:960",
        "21:9": "1680:720",
    },
}
"""The pixel sizes Gen-4 Image makes, by resolution and a shot's aspect."""


def runway_tag(tag: str) -> str:
    """A cast member's tag as Runway takes one: 3–16 letters, digits or underscores, starting with a letter."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", tag.removeprefix("@").strip())
    if not cleaned[:1].isalpha():
        cleaned = f"R{cleaned}"
    return cleaned.ljust(3, "_")[:16]


class RunwayImages(RunwayBackend):
    """Implements `GenerationBackend` for the stills of the runway backend."""

    async def _create(self, request: GenerationRequest) -> _Create:
        model = offered_model(self.info, request.model, _PROVIDER, MediaKind.IMAGE)
        prompt = request.prompt.strip()
        if not prompt:
            raise InputRejected("The shot has no prompt; write what it should show.")
        if len(request.reference_images) > model.reference_images:
            raise InputRejected(f"{model.label} on Runway takes at most {model.reference_images} reference pictures.")
        resolution = request.resolution or (model.resolutions[0] if model.resolutions else "1080p")
        ratio = RATIOS.get(resolution, {}).get(request.aspect) if request.aspect in model.aspects else None
        if ratio is None:
            raise InputRejected(
                f"{model.label} makes {', '.join(model.aspects)} stills at {' or '.join(RATIOS)}, not "
                f"{request.aspect} at {resolution}; change the shot's aspect."
            )
        references: list[dict[str, Any]] = []
        tags = (*request.reference_tags, *("",) * len(request.reference_images))
        for picture, tag in zip(request.reference_images, tags, strict=False):
            reference: dict[str, Any] = {"uri": await _data_uri(picture)}
            if tag.strip("@ "):
                sent = runway_tag(tag)
                prompt = prompt.replace(tag, f"@{sent}") if tag != f"@{sent}" else prompt
                reference["tag"] = sent
            references.append(reference)
        if len(prompt.encode("utf-16-le")) // 2 > _MAX_PROMPT_UTF16:
            raise InputRejected(f"Runway takes prompts of up to {_MAX_PROMPT_UTF16} characters; shorten this one.")
        body: dict[str, Any] = {"model": model.id, "promptText": prompt, "ratio": ratio}
        if references:
            body["referenceImages"] = references
        if request.seed is not None and 0 <= request.seed <= _MAX_SEED:
            body["seed"] = request.seed
        return _Create("/v1/text_to_image", body)
