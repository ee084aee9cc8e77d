"""fal.ai's image endpoints (FLUX, Seedream) as the stills of the `fal` backend (backends.stills.ByKind).

A still goes through the same queue as a clip (submit → status → result → the file on fal's CDN), so this adapter
is the fal video adapter with two differences, read in fal's model pages and fal_client's queue API:

- The input: `prompt`, `num_images` (always 1: one job, one journaled and billed picture), the frame as the
  endpoint names it — FLUX's `image_size` enum (`landscape_16_9`, `portrait_16_9`, `square_hd`, `landscape_4_3`,
  `portrait_4_3`) or an `aspect_ratio` — and `seed` where the route says so. A model with reference slots sends the
  pictures inline (data URIs) in its route's `reference_field` to its `reference` endpoint (Seedream's `edit`).
- The result: `{"images": [{"url", "width", "height", "content_type"}], "seed", "has_nsfw_concepts"}`.

The route is the model's catalogue entry (`resources/catalogue/fal.toml`, `kind = "image"`): `text`, and optionally
`reference`, `reference_field`, `size` ("image_size" or "aspect_ratio") and `seed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shotline.backends.catalogue import offered_model
from shotline.backends.fal import FalBackend
from shotline.backends.fal_inputs import PROVIDER, inline_picture
from shotline.core.errors import InputRejected
from shotline.core.ports import GenerationRequest, MediaKind

IMAGE_SIZES = {
    "16:9": "landscape_16_9",
    "21:9": "landscape_16_9",
    "9:16": "portrait_16_9",
    "1:1": "square_hd",
    "4:3": "landscape_4_3",
    "3:4": "portrait_4_3",
}
"""FLUX's named frames by a shot's aspect (21:9, which it has no name for, as its nearest)."""


class FalImages(FalBackend):
    """Implements `GenerationBackend` for the stills of the fal backend."""

    def _input(self, request: GenerationRequest) -> tuple[str, dict[str, Any]]:
        model = offered_model(self.info, request.model, PROVIDER, MediaKind.IMAGE)
        route: Mapping[str, Any] = self._models.route(model.id)
        if not route.get("text"):
            raise InputRejected(f"{model.label} has no fal.ai endpoint in the model catalogue; give its route 'text'.")
        if not request.prompt.strip():
            raise InputRejected("The shot has no prompt; write what it should show first.")
        if len(request.reference_images) > model.reference_images:
            raise InputRejected(f"{model.label} on fal.ai takes at most {model.reference_images} reference pictures.")
        body: dict[str, Any] = {"prompt": request.prompt.strip(), "num_images": 1}
        if route.get("size", "image_size") == "image_size":
            body["image_size"] = IMAGE_SIZES.get(request.aspect, IMAGE_SIZES["16:9"])
        else:
            body["aspect_ratio"] = request.aspect
        if route.get("seed") and request.seed is not None:
            body["seed"] = request.seed
        endpoint = str(route["text"])
        if request.reference_images:
            endpoint = str(route.get("reference") or "")
            if not endpoint:
                raise InputRejected(f"{model.label} on fal.ai makes stills from words only; remove the pictures.")
            field = str(route.get("reference_field") or "image_urls")
            body[field] = [inline_picture(picture) for picture in request.reference_images]
        return endpoint, body

    def _output_url(self, result: Any) -> str | None:
        images = result.get("images") if isinstance(result, dict) else None
        first = images[0] if isinstance(images, list) and images and isinstance(images[0], dict) else {}
        url = first.get("url")
        return url if isinstance(url, str) and url else None
