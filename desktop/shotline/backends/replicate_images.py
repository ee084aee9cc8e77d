"""Replicate's image models (FLUX schnell, Seedream 4, Imagen 4) as the stills of the `replicate` backend
(backends.stills.ByKind).

A still is a prediction like a clip (create, poll, fetch the output at once; `find` recognises a create whose answer
was lost by its model, settings and time, so it is never made twice), read in replicate-python's `predictions`
and `models.predictions` and each model's input schema:

- The input: `prompt`, `aspect_ratio` (the shot's, when the model makes it), `output_format` "png", `seed` where the
  model takes one, whatever the route fixes (`num_outputs` = 1 for FLUX, `max_images` = 1 for Seedream: one job,
  one picture), and the pictures to go on as a list in the route's `references` field (Seedream's `image_input`),
  inline as data URIs or uploaded to /v1/files when large.
- The output: a URL, or a list of them (the first is the still).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shotline.backends.catalogue import offered_model
from shotline.backends.replicate import ReplicateBackend
from shotline.backends.replicate_inputs import PredictionPlan, check_images, model_path
from shotline.core.errors import InputRejected
from shotline.core.ports import GenerationRequest, MediaKind


class ReplicateImages(ReplicateBackend):
    """Implements `GenerationBackend` for the stills of the replicate backend."""

    def _plan(self, request: GenerationRequest) -> PredictionPlan:
        model = offered_model(self.info, request.model, "Replicate", MediaKind.IMAGE)
        check_images(request, model)
        route: Mapping[str, Any] = self._models.route(model.id)
        if not request.prompt.strip():
            raise InputRejected("The shot has no prompt; write what it should show first.")
        inputs: dict[str, Any] = {"prompt": request.prompt.strip(), "output_format": "png"}
        if request.aspect in model.aspects:
            inputs["aspect_ratio"] = request.aspect
        if model.seed and request.seed is not None:
            inputs["seed"] = request.seed
        fixed = route.get("fixed", {})
        inputs.update(dict(fixed) if isinstance(fixed, Mapping) else {})
        field = str(route.get("references") or "")
        images = {field: list(request.reference_images)} if field and request.reference_images else {}
        return PredictionPlan(model_path(model.id), model.id, None, inputs, images, frozenset({field} if field else ()))
