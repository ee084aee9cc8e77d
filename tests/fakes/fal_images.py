"""fal.ai's image endpoints on the fake queue (FakeFal), close enough that fal_client makes stills against it.

The queue is the video one (submit, status, result, cancel); an image endpoint differs in what it takes and
gives, as fal's model pages say:

- FLUX (`fal-ai/flux/dev`): `prompt`, `image_size` (one of FLUX's named frames, or `{"width", "height"}`),
  `num_images` (1–4), `seed`.
- Seedream 4 (`fal-ai/bytedance/seedream/v4/text-to-image`, and `…/edit` with `image_urls`: 1–10 pictures as URLs
  or data URIs).
- The result: `{"images": [{"url", "width", "height", "content_type"}], "seed", "has_nsfw_concepts", "prompt"}`,
  the pictures on the file host (`fake.files`) as expiring signed links. A bad input is accepted into the queue and
  ends as the runner's 422, as on fal; BLOCKME in the prompt is the content checker's `content_policy_violation`.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.fal import FakeFalMedia, Job, _problem
from tests.fakes.openai import png

FRAMES = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}
IMAGE_ENDPOINTS = {
    "fal-ai/flux/dev": None,
    "fal-ai/bytedance/seedream/v4/text-to-image": None,
    "fal-ai/bytedance/seedream/v4/edit": "image_urls",
}
"""Each image endpoint, with the field its pictures to go on are required in (None: it takes words only)."""


class FakeFalImages(FakeFalMedia):
    ENDPOINTS = IMAGE_ENDPOINTS
    OUTPUT = "output.png"
    CONTENT_TYPE = "image/png"
    MODERATED = True

    def _problems(self, endpoint: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        return _check(endpoint, body)

    def _answer(self, job: Job, url: str) -> dict[str, Any]:
        width, height = _frame(job.input)
        picture = {"url": url, "width": width, "height": height, "content_type": "image/png"}
        count = int(job.input.get("num_images", 1))
        return {
            "images": [picture] * count,
            "seed": job.input.get("seed", 1234567),
            "has_nsfw_concepts": [False] * count,
            "prompt": job.input.get("prompt", ""),
        }

    def _made(self, job: Job) -> bytes:
        return png(*_frame(job.input))


def _frame(body: dict[str, Any]) -> tuple[int, int]:
    size = body.get("image_size", "landscape_4_3")
    if isinstance(size, dict):
        return int(size.get("width", 1024)), int(size.get("height", 768))
    return FRAMES.get(str(size), (1024, 768))


def _check(endpoint: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    if not str(body.get("prompt", "")).strip():
        problems.append(_problem(["body", "prompt"], "Field required", "missing"))
    size = body.get("image_size")
    if size is not None and not isinstance(size, dict) and size not in FRAMES:
        problems.append(_problem(["body", "image_size"], f"Input should be one of {', '.join(FRAMES)}", "enum"))
    if not 1 <= int(body.get("num_images", 1)) <= 4:
        problems.append(_problem(["body", "num_images"], "Input should be between 1 and 4", "less_than_equal"))
    field = IMAGE_ENDPOINTS[endpoint]
    if field is not None:
        pictures = body.get(field)
        if not isinstance(pictures, list) or not 1 <= len(pictures) <= 10:
            problems.append(_problem(["body", field], "List should have 1 to 10 items", "too_long"))
    return problems
