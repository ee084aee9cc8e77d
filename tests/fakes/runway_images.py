"""Runway's text_to_image on the fake Runway API (FakeRunway), close enough that the runwayml SDK's
`text_to_image.create` makes stills against it.

    POST /v1/text_to_image   {model, promptText, ratio, referenceImages?: [{uri, tag?}], seed?, contentModeration?}

checked as the SDK's params say: `gen4_image` (up to three references) or `gen4_image_turbo` (one to three), a
ratio from the model's list, each reference a data URI or HTTPS URL with an optional tag of 3–16 letters, digits
or underscores starting with a letter (400 with Runway's `issues` otherwise). The task then runs as a video task
does (`GET /v1/tasks/{id}`), ending with a PNG of the ratio's size at `/files/{id}/output.png` and its
`cost.credits` (gen4_image: 5 at 720p, 8 at 1080p; turbo: 2). `self.stills` keeps each accepted body.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.fakes.openai import png
from tests.fakes.runway import KEY, FakeRunway
from tests.fakes.server import Call, Reply, file_reply

IMAGE_RATIOS = (
    "1024:1024",
    "1080:1080",
    "1168:880",
    "1360:768",
    "1440:1080",
    "1080:1440",
    "1808:768",
    "1920:1080",
    "1080:1920",
    "2112:912",
    "1280:720",
    "720:1280",
    "720:720",
    "960:720",
    "720:960",
    "1680:720",
)
IMAGE_MODELS = {"gen4_image": (0, 3), "gen4_image_turbo": (1, 3)}
"""Each model's fewest and most reference images."""
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,15}")
_URI = re.compile(r"data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+|https://\S+")


def credits(body: dict[str, Any]) -> int:
    if body["model"] == "gen4_image_turbo":
        return 2
    width, height = (int(side) for side in body["ratio"].split(":"))
    return 8 if max(width, height) > 1280 else 5


class FakeRunwayImages(FakeRunway):
    def __init__(self, key: str = KEY, **options: Any) -> None:
        super().__init__(key, **options)
        self.stills: list[dict[str, Any]] = []
        self.route("POST", r"/v1/text_to_image", self._text_to_image)
        self.route("GET", r"/files/([^/]+)/output\.png", self._picture)

    def file_link(self, task_id: str) -> str:
        task = self.tasks.get(task_id)
        if task is None or not task.get("still"):
            return super().file_link(task_id)
        return self.sign(f"/files/{task_id}/output.png").replace("://127.0.0.1:", "://localhost:", 1)

    def _text_to_image(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        try:
            body = call.json()
        except ValueError:
            return Reply(400, json={"error": "Request body is not valid JSON"})
        if (invalid := self._check(body)) is not None:
            return invalid
        task_id = str(uuid.uuid4())
        prompt = str(body["promptText"])
        with self.lock:
            self.stills.append(body)
            self.tasks[task_id] = {
                "id": task_id,
                "createdAt": "2026-12-07T12:00:00.000Z",
                "body": body,
                "credits": credits(body),
                "reads": 0,
                "status": "",
                "ending": "BLOCK" if "BLOCKME" in prompt else "FAIL" if "FAILME" in prompt else "",
                "still": True,
            }
        return Reply(200, json={"id": task_id})

    def _check(self, body: Any) -> Reply | None:
        if not isinstance(body, dict):
            return self._invalid("body", "Expected object")
        model = body.get("model")
        if model not in IMAGE_MODELS:
            allowed = " | ".join(f"'{name}'" for name in IMAGE_MODELS)
            return self._invalid(
                "model", f"Invalid discriminator value. Expected {allowed}", "invalid_union_discriminator"
            )
        prompt = body.get("promptText")
        if not isinstance(prompt, str) or not prompt.strip():
            return self._invalid("promptText", "String must contain at least 1 character(s)")
        if len(prompt.encode("utf-16-le")) // 2 > 1000:
            return self._invalid("promptText", "String must contain at most 1000 character(s)")
        if body.get("ratio") not in IMAGE_RATIOS:
            return self._invalid("ratio", f"Invalid enum value. Expected {' | '.join(IMAGE_RATIOS)}")
        references = body.get("referenceImages", [])
        fewest, most = IMAGE_MODELS[model]
        if not isinstance(references, list) or not fewest <= len(references) <= most:
            return self._invalid("referenceImages", f"Array must contain {fewest} to {most} element(s)")
        for reference in references:
            if not isinstance(reference, dict) or not _URI.fullmatch(str(reference.get("uri", ""))):
                return self._invalid("referenceImages", "Expected a HTTPS URL, runway:// URI or base64 data URI")
            if "tag" in reference and not _TAG.fullmatch(str(reference["tag"])):
                return self._invalid(
                    "referenceImages", "Tag must be 3-16 characters: letters, digits and underscores, a letter first"
                )
        return None

    def _picture(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(403, body=b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
        with self.lock:
            task = self.tasks.get(match.group(1))
        if task is None or task["status"] != "SUCCEEDED":
            return Reply(404, body=b"Not Found", content_type="text/plain")
        width, height = (int(side) for side in task["body"]["ratio"].split(":"))
        return file_reply(png(width, height), call, content_type="image/png")
