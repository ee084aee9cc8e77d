"""Replicate's music model (Meta's MusicGen) as the music of the `replicate` backend (backends.music.with_music).

Music is a prediction like a clip (create, poll, fetch the output at once; `find` recognises a create whose answer
was lost by its model, settings and time, so it is never made twice), read in MusicGen's input schema on Replicate:
`prompt`, `duration` (whole seconds), `model_version` (the route's: "stereo-large" for a stereo bed),
`output_format` "wav", `normalization_strategy` "loudness", and `seed` where given. The output is one URL.

MusicGen is a community model, so its catalogue id pins a version (`meta/musicgen:<id>`), sent to /v1/predictions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shotline.backends.music import music_model
from shotline.backends.replicate import ReplicateBackend
from shotline.backends.replicate_inputs import PredictionPlan, model_path
from shotline.core.ports import GenerationRequest


class ReplicateMusic(ReplicateBackend):
    """Implements `GenerationBackend` for the music of the replicate backend."""

    def _plan(self, request: GenerationRequest) -> PredictionPlan:
        model = music_model(self.info, request, "Replicate")
        route: Mapping[str, Any] = self._models.route(model.id)
        inputs: dict[str, Any] = {
            "prompt": request.prompt.strip(),
            # whole seconds, rounded up: a bed a little long is cut to the film with a fade, one too short would loop
            "duration": math.ceil(request.duration_us / 1_000_000),
            "output_format": "wav",
            "normalization_strategy": "loudness",
        }
        if route.get("model_version"):
            inputs["model_version"] = str(route["model_version"])
        if request.seed is not None:
            inputs["seed"] = request.seed
        name, _, version = model.id.partition(":")
        if version:
            return PredictionPlan("/v1/predictions", name, version.lower(), inputs)
        return PredictionPlan(model_path(name), name, None, inputs)
