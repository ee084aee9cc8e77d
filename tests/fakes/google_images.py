"""The Gemini image models on the fake Gemini API (FakeGoogle), close enough that google-genai's
`models.generate_content` makes stills against it.

    POST /{v1|v1beta}/models/{model}:generateContent

checks the key as the rest of the API does (classic error shape), the model (unknown → 404 NOT_FOUND), the
`contents` (a user turn of `text` and `inlineData` parts; pictures must be PNG, JPEG, WebP, HEIC or HEIF, at most
`MAX_PICTURES[model]`) and `generationConfig.imageConfig.aspectRatio`, then answers at once with the picture as an
`inlineData` part of the first candidate, plus `usageMetadata` and `modelVersion`. A prompt holding BLOCKME is
refused as Google does it, a 200 with `promptFeedback.blockReason: PROHIBITED_CONTENT` and no candidate; IMGSAFETY
ends the candidate with `finishReason: IMAGE_SAFETY` and no picture. `self.generated` keeps each request's parts
(pictures as their MIME type and size) and its config; `self.made` counts the pictures made.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from tests.fakes.google import KEY, FakeGoogle, _classic_error
from tests.fakes.openai import png
from tests.fakes.server import Call, Reply

MAX_PICTURES = {"gemini-2.5-flash-image": 3, "gemini-3-pro-image-preview": 14}
ASPECTS = {
    "1:1": (1024, 1024),
    "2:3": (832, 1248),
    "3:2": (1248, 832),
    "3:4": (864, 1184),
    "4:3": (1184, 864),
    "4:5": (896, 1152),
    "5:4": (1152, 896),
    "9:16": (768, 1344),
    "16:9": (1344, 768),
    "21:9": (1536, 672),
}
_PICTURE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")


class FakeGoogleImages(FakeGoogle):
    def __init__(self, key: str = KEY, **options: Any) -> None:
        super().__init__(key, **options)
        self.generated: list[dict[str, Any]] = []
        self.made = 0
        self.route("POST", r"/(?:v1|v1beta)/models/(?P<model>[^/:]+):generateContent", self._generate)

    def _generate(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call, classic=True)) is not None:
            return refused
        model = match["model"]
        if model not in MAX_PICTURES:
            return _classic_error(404, f"models/{model} is not found for API version v1.", "NOT_FOUND")
        body = call.json()
        contents = body.get("contents") if isinstance(body, dict) else None
        if not isinstance(contents, list) or not contents or not isinstance(contents[-1], dict):
            return _classic_error(
                400, "* GenerateContentRequest.contents: contents is not specified", "INVALID_ARGUMENT"
            )
        parts = contents[-1].get("parts") or []
        texts = [str(part["text"]) for part in parts if isinstance(part, dict) and "text" in part]
        # proto JSON takes either spelling of a field; the SDK writes `mime_type` inside `inlineData`
        pictures = [_camel(part.get("inlineData", part.get("inline_data"))) for part in parts if isinstance(part, dict)]
        pictures = [picture for picture in pictures if picture]
        for picture in pictures:
            if picture.get("mimeType") not in _PICTURE_TYPES:
                return _classic_error(400, f"Unsupported MIME type: {picture.get('mimeType')}", "INVALID_ARGUMENT")
        if len(pictures) > MAX_PICTURES[model]:
            return _classic_error(400, f"{model} takes at most {MAX_PICTURES[model]} images.", "INVALID_ARGUMENT")
        config = body.get("generationConfig") or {}
        aspect = str((config.get("imageConfig") or {}).get("aspectRatio", "1:1"))
        if aspect not in ASPECTS:
            return _classic_error(400, f"Unsupported aspect ratio: {aspect}.", "INVALID_ARGUMENT")
        prompt = " ".join(texts)
        with self.lock:
            self.generated.append(
                {
                    "model": model,
                    "prompt": prompt,
                    "role": contents[-1].get("role"),
                    "pictures": [(p.get("mimeType"), len(base64.b64decode(p.get("data", "")))) for p in pictures],
                    "config": config,
                }
            )
        usage = {"promptTokenCount": 12 + 258 * len(pictures), "candidatesTokenCount": 1290, "totalTokenCount": 1560}
        if "BLOCKME" in prompt:
            return Reply(200, json={"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": usage})
        if "IMGSAFETY" in prompt:
            candidate = {"content": {"role": "model", "parts": []}, "finishReason": "IMAGE_SAFETY", "index": 0}
            return Reply(200, json={"candidates": [candidate], "usageMetadata": usage, "modelVersion": model})
        with self.lock:
            self.made += 1
        data = base64.b64encode(png(*ASPECTS[aspect])).decode("ascii")
        candidate = {
            "content": {
                "role": "model",
                "parts": [{"text": "Here is the picture."}, {"inlineData": {"mimeType": "image/png", "data": data}}],
            },
            "finishReason": "STOP",
            "index": 0,
        }
        return Reply(200, json={"candidates": [candidate], "usageMetadata": usage, "modelVersion": model})


def _camel(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), str(key)): item for key, item in value.items()}
