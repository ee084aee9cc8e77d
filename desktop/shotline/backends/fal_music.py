"""fal.ai's music endpoints (Stable Audio 2.5, Stable Audio Open) as the music of the `fal` backend
(backends.music.with_music).

Music goes through the same queue as a clip (submit → status → result → the file on fal's CDN), so this adapter is
the fal video adapter with two differences, read in fal's model pages:

- The input: `prompt`, the length in whole seconds in the field the route names (`seconds_total` for both), and
  `seed` where the route says so.
- The result: the sound as a fal File (`{"url", "content_type", "file_name", "file_size"}`): Stable Audio 2.5's
  `audio`, Stable Audio Open's `audio_file`.

The route is the model's catalogue entry (`resources/catalogue/fal.toml`, `kind = "music"`): `text`, `length_field`
and `seed`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shotline.backends.fal import FalBackend
from shotline.backends.fal_inputs import PROVIDER
from shotline.backends.music import music_model
from shotline.core.errors import InputRejected
from shotline.core.ports import GenerationRequest


class FalMusic(FalBackend):
    """Implements `GenerationBackend` for the music of the fal backend."""

    def _input(self, request: GenerationRequest) -> tuple[str, dict[str, Any]]:
        model = music_model(self.info, request, PROVIDER)
        route: Mapping[str, Any] = self._models.route(model.id)
        if not route.get("text"):
            raise InputRejected(f"{model.label} has no fal.ai endpoint in the model catalogue; give its route 'text'.")
        # whole seconds, rounded up: a bed a little long is cut to the film with a fade, one too short would loop
        body: dict[str, Any] = {
            "prompt": request.prompt.strip(),
            str(route.get("length_field") or "seconds_total"): math.ceil(request.duration_us / 1_000_000),
        }
        if route.get("seed") and request.seed is not None:
            body["seed"] = request.seed
        return str(route["text"]), body

    def _output_url(self, result: Any) -> str | None:
        if not isinstance(result, dict):
            return None
        sound = result.get("audio") or result.get("audio_file")
        url = sound.get("url") if isinstance(sound, dict) else None
        return url if isinstance(url, str) and url else None
