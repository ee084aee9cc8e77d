"""Replicate's official image models on the fake API (FakeReplicate), close enough that replicate-python makes
stills against it: the same predictions, with each model's input schema as its replicate.com API page states it and
a list of picture links as its output (`/delivery/{id}/output.png`, signed, on the delivery host)."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.openai import png
from tests.fakes.replicate import KEY, FakeReplicate, Schema
from tests.fakes.server import Call, Reply, file_reply

_ASPECTS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
IMAGE_MODELS: dict[str, Schema] = {
    "black-forest-labs/flux-schnell": {
        "aspect_ratio": _ASPECTS,
        "num_outputs": (1, 2, 3, 4),
        "output_format": ("webp", "jpg", "png"),
    },
    "bytedance/seedream-4": {
        "aspect_ratio": ("match_input_image", *_ASPECTS),
        "size": ("1K", "2K", "4K", "custom"),
        "max_images": tuple(range(1, 16)),
    },
    "google/imagen-4": {
        "aspect_ratio": ("1:1", "9:16", "16:9", "3:4", "4:3"),
        "output_format": ("jpg", "png"),
    },
}


def frame(aspect: str) -> tuple[int, int]:
    """The picture a model makes at `aspect`, 1024 on its long side."""
    width, height = (int(part) for part in aspect.split(":")) if ":" in aspect and aspect[0].isdigit() else (1, 1)
    return (1024, 1024 * height // width) if width >= height else (1024 * width // height, 1024)


class FakeReplicateImages(FakeReplicate):
    def __init__(self, key: str = KEY) -> None:
        super().__init__(key)
        self.models.update(IMAGE_MODELS)
        self.route("GET", r"/delivery/(?P<id>[^/]+)/output\.png", self._deliver_picture)

    def _create(self, call: Call, model: str, version: str | None) -> Reply:
        if model in IMAGE_MODELS:
            inputs = (call.json() or {}).get("input")
            pictures = inputs.get("image_input") if isinstance(inputs, dict) else None
            if pictures is not None and (not isinstance(pictures, list) or len(pictures) > 10):
                detail = "- input.image_input: Array must have at most 10 items\n"
                return Reply(422, json={"title": "Input validation failed", "detail": detail, "status": 422})
        return super()._create(call, model, version)

    def _output(self, prediction_id: str) -> Any:
        prediction = self.predictions[prediction_id]
        if prediction["model"] not in IMAGE_MODELS:
            return super()._output(prediction_id)
        link = self.sign(f"/delivery/{prediction_id}/output.png").replace(self.url, self.delivery_host, 1)
        return [link]

    def _deliver_picture(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(404, body=b"Not Found", content_type="text/plain")
        with self.lock:
            prediction = self.predictions.get(match["id"])
        if prediction is None:
            return Reply(404, body=b"Not Found", content_type="text/plain")
        picture = png(*frame(str(prediction["input"].get("aspect_ratio", "1:1"))))
        return file_reply(picture, call, content_type="image/png")
