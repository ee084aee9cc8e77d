"""A fake Luma Agents API (Ray 3.2), close enough to the real one that Luma's official `luma-agents` SDK works
against it (tests/backends/sdk/test_luma_agents_sdk.py proves it).

Routes, under `/v1` as the SDK's base URL has them (Bearer key on every API route):

    POST   /v1/generations        create (201, the Generation object, state "queued")
    GET    /v1/generations/{id}   each read moves the job one step: queued → processing → … → completed
    GET    /v1/files              the account's uploaded files (none): a free read that needs a good key

There is no list of generations and no way to cancel or delete one, as in the SDK. Errors are `{"detail": "..."}`
(Luma's error guide): 401 for a bad key, 400 for a bad setting, 422 for a combination Ray 3.2 refuses (a start or
end frame, or a loop, with 10 s), 402 when the balance does not cover the job. A prompt containing BLOCKME fails
with `failure_code` content_moderated; FAILME fails with generation_failed.

Finished clips are served from a "storage host" by presigned links that expire after `url_ttl` seconds, as Luma's do
after an hour; the generation's life, the key check, the balance and the storage host are the ones the Dream Machine
fake shares (tests/fakes/luma_generations.py).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from tests.fakes.luma_generations import FakeLumaGenerations
from tests.fakes.server import Call, Reply

KEY = "luma-api-test-7c21e0d94b"
MODELS = ("ray-3.2",)
ASPECTS = ("9:16", "3:4", "1:1", "4:3", "16:9", "21:9")
RESOLUTIONS = ("360p", "540p", "720p", "1080p")
DURATIONS = ("5s", "10s")
BLOCKED_REASON = "Prompt or input image violated content guidelines"
FAILED_REASON = "Internal model error during generation"
CENTS = {"360p": 6, "540p": 15, "720p": 30, "1080p": 120}
"""What a 5 s clip costs this fake's account, per resolution (a 10 s clip is two 5 s blocks): the fake's own figures,
for its balance, never Shotline's estimate."""
_FRAME_FIELDS = ("url", "data", "generation_id", "file_id")


class FakeLumaAgents(FakeLumaGenerations):
    KEY_REFUSED = "Invalid or missing API key"
    NO_FUNDS = "Insufficient balance: add funds to continue"
    BLOCKED_REASON = BLOCKED_REASON
    FAILED_REASON = FAILED_REASON
    TIMESPEC = "milliseconds"

    def __init__(
        self,
        key: str = KEY,
        *,
        steps: tuple[str, ...] = ("queued", "processing", "processing", "completed"),
        balance_cents: int = 100_000,
    ) -> None:
        super().__init__(key, steps=steps, balance_cents=balance_cents)
        self.route("POST", r"/v1/generations", self._create)
        self.route("GET", r"/v1/generations/(?P<id>[^/]+)", self._get)
        self.route("GET", r"/v1/files", self._files)
        self.route("GET", r"/outputs/(?P<id>[^/]+)/video\.mp4", self._video)

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    def creates(self) -> list[Call]:
        return self.calls_to("POST", r"/v1/generations")

    # ------------------------------------------------------------------------------------------ the Agents API

    def _generation(self, job: dict[str, Any]) -> dict[str, Any]:
        state = job["state"]
        output = None
        if state == "completed":
            output = [{"type": "video", "url": self._video_link(f"/outputs/{job['id']}/video.mp4")}]
        failed = state == "failed"
        return {
            "id": job["id"],
            "created_at": job["created_at"],
            "model": job["model"],
            "state": state,
            "type": "video",
            "failure_code": job["failure_code"] if failed else None,
            "failure_reason": job["failure_reason"] if failed else None,
            "output": output,
        }

    def _job_fields(self, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        return {
            "model": body["model"],
            "failure_code": "content_moderated" if "BLOCKME" in prompt else "generation_failed",
        }

    def _cost_cents(self, body: dict[str, Any]) -> float:
        video = body.get("video") or {}
        blocks = 2 if video.get("duration") == "10s" else 1
        return CENTS[video.get("resolution", "720p")] * blocks

    def _invalid(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict):
            return 400, "Request body must be a JSON object"
        if not isinstance(body.get("prompt"), str) or not body["prompt"]:
            return 400, "prompt is required"
        model = body.get("model")
        if model not in MODELS:
            return 400, f"Invalid model {model!r}: unknown model for type video, expected one of {', '.join(MODELS)}"
        if body.get("type") != "video":
            return 400, "this fake makes only type=video"
        if body.get("aspect_ratio", "16:9") not in ASPECTS:
            return 400, f"aspect_ratio must be one of {', '.join(ASPECTS)} for ray-3.2"
        video = body.get("video") or {}
        if not isinstance(video, dict):
            return 400, "video must be an object"
        if video.get("duration", "5s") not in DURATIONS:
            return 400, f"video.duration must be one of {', '.join(DURATIONS)}"
        if video.get("resolution", "720p") not in RESOLUTIONS:
            return 400, f"video.resolution must be one of {', '.join(RESOLUTIONS)}"
        for name in ("start_frame", "end_frame"):
            if name in video and (problem := _bad_frame(video[name], name)):
                return 400, problem
        if "loop" in video and not isinstance(video["loop"], bool):
            return 400, "video.loop must be a boolean"
        anchored = [name for name in ("start_frame", "end_frame", "loop") if video.get(name)]
        if video.get("duration") == "10s" and anchored:
            return 422, f"video.{anchored[0]} is not supported with duration=10s"
        if "keyframes" in video or "keyframe_indexes" in video:
            return _bad_keyframes(video, anchored)
        return None

    # ------------------------------------------------------------------------------------------ routes

    def _files(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        return Reply(json={"data": [], "has_more": False, "next_cursor": None})


def _bad_keyframes(video: dict[str, Any], anchored: list[str]) -> tuple[int, str] | None:
    """What is wrong with `video.keyframes` as the SDK describes them: 1-64 images, each pinned by the parallel
    keyframe_indexes to a unique output frame on the duration x 24 fps grid (5s -> 0..120, 10s -> 0..240), and never
    beside start_frame, end_frame or loop."""
    frames, indexes = video.get("keyframes"), video.get("keyframe_indexes")
    if not isinstance(frames, list) or not isinstance(indexes, list) or not 1 <= len(frames) <= 64:
        return 400, "video.keyframes must be 1-64 images with their video.keyframe_indexes"
    if len(frames) != len(indexes):
        return 400, "video.keyframe_indexes must match video.keyframes in length"
    last = int(str(video.get("duration", "5s")).removesuffix("s")) * 24
    if len(set(indexes)) != len(indexes) or not all(isinstance(i, int) and 0 <= i <= last for i in indexes):
        return 400, f"video.keyframe_indexes must be unique output frames in 0..{last}"
    if anchored:
        return 422, f"video.keyframes cannot go with video.{anchored[0]}"
    for number, frame in enumerate(frames):
        if problem := _bad_frame(frame, f"keyframes[{number}]"):
            return 400, problem
    return None


def _bad_frame(frame: Any, name: str) -> str | None:
    """What is wrong with an ImageRef, as the SDK describes one: exactly one of url, data, generation_id, file_id;
    data is base64 and needs its media_type."""
    if not isinstance(frame, dict):
        return f"video.{name} must be an object"
    given = [field for field in _FRAME_FIELDS if frame.get(field)]
    if len(given) != 1:
        return f"video.{name} must give exactly one of {', '.join(_FRAME_FIELDS)}"
    if given == ["url"] and not re.match(r"https?://", str(frame["url"])):
        return f"video.{name}.url must be an http(s) URL"
    if given == ["data"]:
        if not str(frame.get("media_type", "")).startswith("image/"):
            return f"video.{name}.media_type is required with data and must be an image type"
        try:
            base64.b64decode(str(frame["data"]), validate=True)
        except (binascii.Error, ValueError):
            return f"video.{name}.data is not base64"
    return None
