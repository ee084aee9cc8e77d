"""Meta's MusicGen on the fake Replicate API (FakeReplicate), close enough that replicate-python makes music against
it: a community model run by its version id (`POST /v1/predictions` with `"version"`), its input schema as its
replicate.com API page states it (`model_version`, `duration`, `output_format`, `normalization_strategy`, …) and one
link to the sound as its output (`/delivery/{id}/output.wav`, signed, on the delivery host), `duration` long."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.fal_music import music_wav
from tests.fakes.replicate import KEY, VERSIONS, FakeReplicate, Schema
from tests.fakes.server import Call, Reply, file_reply

MUSICGEN = "meta/musicgen"
MUSICGEN_VERSION = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"
MUSICGEN_SCHEMA: Schema = {
    "model_version": ("stereo-melody-large", "stereo-large", "melody-large", "large"),
    "output_format": ("wav", "mp3"),
    "normalization_strategy": ("loudness", "clip", "peak", "rms"),
}
VERSIONS.setdefault(MUSICGEN_VERSION, MUSICGEN)  # the fake knows MusicGen's version as Replicate does


class FakeReplicateMusic(FakeReplicate):
    def __init__(self, key: str = KEY) -> None:
        super().__init__(key)
        self.models[MUSICGEN] = MUSICGEN_SCHEMA
        self.route("GET", r"/delivery/(?P<id>[^/]+)/output\.wav", self._deliver_sound)

    def _output(self, prediction_id: str) -> Any:
        prediction = self.predictions[prediction_id]
        if prediction["model"] != MUSICGEN:
            return super()._output(prediction_id)
        return self.sign(f"/delivery/{prediction_id}/output.wav").replace(self.url, self.delivery_host, 1)

    def _deliver_sound(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(404, body=b"Not Found", content_type="text/plain")
        with self.lock:
            prediction = self.predictions.get(match["id"])
        if prediction is None:
            return Reply(404, body=b"Not Found", content_type="text/plain")
        return file_reply(music_wav(int(prediction["input"].get("duration", 8))), call, content_type="audio/wav")
