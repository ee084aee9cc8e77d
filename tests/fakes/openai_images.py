"""A fake OpenAI Images API (GPT Image models) on 127.0.0.1, beside the fake Videos API, close enough to the real one
that openai-python's `client.images` works against it.

Routes, under `/v1` (optional, as on gateways), added to FakeOpenAI's:

    POST /images/generations   JSON {model, prompt, n, size, quality, output_format, …}
    POST /images/edits         multipart: prompt, model, size, quality, n, …, and the pictures as `image` or
                               `image[]` file parts (the SDK's array form), up to 16

Both answer at once with the pictures themselves, `{"created", "data": [{"b64_json"}], "output_format",
"quality", "size", "usage"}`: a PNG of the asked frame. A prompt with BLOCKNOW is refused as `moderation_blocked`.
`self.made` counts the pictures made (what OpenAI bills); `self.generated` keeps each create's fields, with the
files of an edit as {"filename", "content_type", "size"} in `"images"`.
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

from tests.fakes.openai import KEY, FakeOpenAI, _check_prompt, _error, _invalid, png
from tests.fakes.server import Call, Reply

IMAGE_MODELS = ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2")
FRAMES = ("1024x1024", "1536x1024", "1024x1536", "auto")
QUALITIES = ("low", "medium", "high", "auto")
FORMATS = ("png", "jpeg", "webp")
MAX_IMAGES = 16
_V1 = r"(?:/v1)?"


class FakeOpenAIImages(FakeOpenAI):
    def __init__(self, key: str = KEY, **options: Any) -> None:
        super().__init__(key, **options)
        self.generated: list[dict[str, Any]] = []
        self.made = 0
        self.route("POST", rf"{_V1}/images/generations", self._generate)
        self.route("POST", rf"{_V1}/images/edits", self._edit)

    def _generate(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        body = call.json() if call.headers.get("content-type", "").startswith("application/json") else None
        if not isinstance(body, dict):
            return _error(400, "We could not parse the JSON body of your request.", code="invalid_json")
        return self._answer({str(k): v for k, v in body.items()}, [])

    def _edit(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        fields, files = _parts(call)
        images = [file for name, file in files if name in ("image", "image[]")]
        if not images:
            return _error(400, "Missing required parameter: 'image'.", param="image", code="missing_required_parameter")
        if len(images) > MAX_IMAGES:
            return _error(400, f"Too many images: at most {MAX_IMAGES}.", param="image", code="invalid_value")
        for image in images:
            if image["content_type"] not in ("image/png", "image/jpeg", "image/webp"):
                return _error(400, "Invalid file: expected a png, webp or jpg image.", param="image")
        return self._answer(dict(fields), images)

    def _answer(self, fields: dict[str, Any], images: list[dict[str, Any]]) -> Reply:
        prompt = str(fields.get("prompt", ""))
        model = str(fields.get("model", "dall-e-2"))
        size = str(fields.get("size", "auto"))
        quality = str(fields.get("quality", "auto"))
        output_format = str(fields.get("output_format", "png"))
        n = int(fields.get("n", 1))
        if (problem := _check_prompt(prompt)) is not None:
            return problem
        if model in self.retired:
            return _error(404, f"The model `{model}` does not exist.", param="model", code="model_not_found")
        if model not in IMAGE_MODELS:
            return _invalid("model", model, IMAGE_MODELS)
        if size not in FRAMES:
            return _invalid("size", size, FRAMES)
        if quality not in QUALITIES:
            return _invalid("quality", quality, QUALITIES)
        if output_format not in FORMATS:
            return _invalid("output_format", output_format, FORMATS)
        if not 1 <= n <= 10:
            return _error(400, "n must be between 1 and 10.", param="n", code="invalid_value")
        width, height = (int(side) for side in (size if size != "auto" else "1024x1024").split("x"))
        with self.lock:
            self.generated.append({**fields, "images": [{k: v for k, v in i.items() if k != "data"} for i in images]})
            self.made += n
        picture = base64.b64encode(png(width, height)).decode("ascii")
        answer = {
            "created": int(time.time()),
            "data": [{"b64_json": picture} for _ in range(n)],
            "output_format": output_format,
            "quality": "medium" if quality == "auto" else quality,
            "size": f"{width}x{height}",
            "usage": {
                "input_tokens": 50,
                "input_tokens_details": {"image_tokens": 0, "text_tokens": 50},
                "output_tokens": 1056 * n,
                "total_tokens": 50 + 1056 * n,
            },
        }
        return Reply(200, json=answer, headers={"x-request-id": f"req_{self.made}"})


def _parts(call: Call) -> tuple[dict[str, str], list[tuple[str, dict[str, Any]]]]:
    """The plain fields and the file parts (in order, repeated names kept) of a multipart body."""
    content_type = call.headers.get("content-type", "")
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or found is None:
        body = call.json() if content_type.startswith("application/json") else {}
        return ({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in dict(body).items()}, [])
    fields: dict[str, str] = {}
    files: list[tuple[str, dict[str, Any]]] = []
    for part in call.body.split(b"--" + found.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', headers)
        if name is None:
            continue
        filename = re.search(r'filename="([^"]*)"', headers)
        if filename is None:
            fields[name.group(1)] = data.decode("utf-8")
            continue
        kind = re.search(r"(?im)^content-type:\s*(\S+)", headers)
        files.append(
            (
                name.group(1),
                {
                    "filename": filename.group(1),
                    "content_type": kind.group(1).lower() if kind else "application/octet-stream",
                    "size": len(data),
                    "data": data,
                },
            )
        )
    return fields, files
