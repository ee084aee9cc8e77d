"""A fake Luma Dream Machine API, close enough to the real one that the official `lumaai` SDK works against it.

Routes (paths relative to the base URL, as the SDK sends them; Bearer key on every API route):

    POST   /generations/video      create (201, the Generation object, state "queued")
    POST   /generations            the older create path, same behaviour
    GET    /generations/{id}       each read moves the job one step: queued → dreaming → … → completed
    GET    /generations            list, newest first: {"generations", "count", "has_more", "limit", "offset"}
    DELETE /generations/{id}       204; afterwards the generation is gone (404)
    GET    /credits                {"credit_balance": <USD cents>}
    GET    /ping                   {"message": "pong"}

Errors are `{"detail": "..."}`: 401 for a bad key, 400 for a bad setting, 402 when the credit does not cover the
job. A prompt containing BLOCKME fails moderation; FAILME fails for another reason.

Finished clips are served from a "storage host" standing in for storage.cdn-luma.com; the generation's life, the
key check, the balance and the storage host are the ones the Agents fake shares (tests/fakes/luma_generations.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from tests.fakes.luma_generations import FakeLumaGenerations, access_denied
from tests.fakes.server import Call, Reply

KEY = "luma-test-key-3f9a1c"
MODELS = ("ray-2", "ray-flash-2")
ASPECTS = ("1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")
RESOLUTIONS = ("540p", "720p", "1080p", "4k")
DURATIONS = ("5s", "9s")
BLOCKED_REASON = "400: prompt not allowed because advanced moderation failed"
FAILED_REASON = "Job failed: the generation could not be completed"
_CENTS_PER_SECOND = {"ray-2": 14, "ray-flash-2": 5}
_RESOLUTION_FACTOR = {"540p": 1, "720p": 2, "1080p": 4, "4k": 8}
_REQUEST_FIELDS = ("model", "prompt", "aspect_ratio", "loop", "keyframes", "callback_url", "resolution", "duration")


class FakeLuma(FakeLumaGenerations):
    KEY_REFUSED = "Invalid API key provided"
    NO_FUNDS = "Insufficient credits: add credits to your account to continue"
    BLOCKED_REASON = BLOCKED_REASON
    FAILED_REASON = FAILED_REASON

    def __init__(
        self,
        key: str = KEY,
        *,
        steps: tuple[str, ...] = ("queued", "dreaming", "dreaming", "completed"),
        credit_cents: float = 100_000.0,
    ) -> None:
        super().__init__(key, steps=steps, balance_cents=credit_cents)
        self.deleted: list[str] = []
        self.route("POST", r"/generations/video", self._create)
        self.route("POST", r"/generations", self._create)
        self.route("GET", r"/generations", self._list)
        self.route("GET", r"/generations/(?P<id>[^/]+)", self._get)
        self.route("DELETE", r"/generations/(?P<id>[^/]+)", self._delete)
        self.route("GET", r"/credits", self._credits)
        self.route("GET", r"/ping", self._ping)
        self.route("GET", r"/dream_machine/(?P<id>[^/]+)/video0\.mp4", self._video)
        self.route("GET", r"/dream_machine/(?P<id>[^/]+)/video0_thumb\.jpg", self._thumb)

    # ------------------------------------------------------------------------------------------ the Dream Machine

    def _generation(self, job: dict[str, Any]) -> dict[str, Any]:
        state = job["state"]
        assets = None
        if state == "completed":
            assets = {
                "video": self._video_link(f"/dream_machine/{job['id']}/video0.mp4"),
                "image": self._stored_link(f"/dream_machine/{job['id']}/video0_thumb.jpg"),
                "progress_video": None,
            }
        return {
            "id": job["id"],
            "generation_type": "video",
            "state": state,
            "failure_reason": job["failure_reason"] if state == "failed" else None,
            "created_at": job["created_at"],
            "model": job["request"]["model"],
            "assets": assets,
            "request": dict(job["request"]),
        }

    def _job_fields(self, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        request = {name: body.get(name) for name in _REQUEST_FIELDS}
        request["generation_type"] = "video"
        return {"request": request}

    def _invalid(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict):
            return 400, "Request body must be a JSON object"
        model = body.get("model")
        if model not in MODELS:
            return 400, f"Invalid model {model!r}: unknown model, expected one of {', '.join(MODELS)}"
        if "prompt" in body and not isinstance(body["prompt"], str):
            return 400, "prompt must be a string"
        if body.get("aspect_ratio", "16:9") not in ASPECTS:
            return 400, f"aspect_ratio must be one of {', '.join(ASPECTS)}"
        if body.get("duration", "5s") not in DURATIONS:
            return 400, f"duration must be one of {', '.join(DURATIONS)}"
        if body.get("resolution", "720p") not in RESOLUTIONS:
            return 400, f"resolution must be one of {', '.join(RESOLUTIONS)}"
        if "loop" in body and not isinstance(body["loop"], bool):
            return 400, "loop must be a boolean"
        keyframes = body.get("keyframes")
        if keyframes is not None:
            if not isinstance(keyframes, dict) or set(keyframes) - {"frame0", "frame1"}:
                return 400, "keyframes may only hold frame0 and frame1"
            for name, frame in keyframes.items():
                if not isinstance(frame, dict) or frame.get("type") not in {"image", "generation"}:
                    return 400, f"keyframes.{name}.type must be 'image' or 'generation'"
                if frame["type"] == "image" and not re.match(r"https?://", str(frame.get("url", ""))):
                    return 400, f"keyframes.{name}.url must be an http(s) URL"
                if frame["type"] == "generation" and frame.get("id") not in self.jobs:
                    return 400, f"keyframes.{name}.id does not name a generation of yours"
        return None

    def _cost_cents(self, body: dict[str, Any]) -> float:
        seconds = int(str(body.get("duration", "5s")).rstrip("s"))
        factor = _RESOLUTION_FACTOR[body.get("resolution", "720p")]
        return float(_CENTS_PER_SECOND[body["model"]] * seconds * factor)

    # ------------------------------------------------------------------------------------------ routes

    def _list(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        try:
            limit = int(call.param("limit") or 10)
            offset = int(call.param("offset") or 0)
        except ValueError:
            return Reply(400, json={"detail": "limit and offset must be integers"})
        with self.lock:
            newest_first = sorted(self.jobs.values(), key=lambda job: job["created_at"], reverse=True)
            page = [self._generation(job) for job in newest_first[offset : offset + limit]]
            more = offset + limit < len(newest_first)
        return Reply(json={"generations": page, "count": len(page), "has_more": more, "limit": limit, "offset": offset})

    def _delete(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        with self.lock:
            if self.jobs.pop(match["id"], None) is None:
                return Reply(404, json={"detail": "Generation not found"})
            self.deleted.append(match["id"])
        return Reply(204, body=b"")

    def _credits(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        with self.lock:
            return Reply(json={"credit_balance": self.balance_cents})

    def _ping(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        return Reply(json={"message": "pong"})

    def _thumb(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return access_denied()
        return Reply(body=b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9", content_type="image/jpeg")

    # ------------------------------------------------------------------------------------------ test helpers

    def age(self, job_id: str, seconds: float) -> None:
        """Make a generation look `seconds` older (a job from before the one a test looks for)."""
        with self.lock:
            job = self.jobs[job_id]
            created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00")) - timedelta(seconds=seconds)
            job["created_at"] = created.isoformat(timespec="microseconds").replace("+00:00", "Z")
