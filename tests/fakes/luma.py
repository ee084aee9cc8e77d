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

Finished clips are served from a "storage host" — this same server reached as `localhost` instead of 127.0.0.1,
so an adapter treats it as another host (no key sent, 403 means an expired link) as it would storage.cdn-luma.com —
with links that expire after `url_ttl` seconds.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, bearer, file_reply, sample_mp4

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


class FakeLuma(FakeServer):
    def __init__(
        self,
        key: str = KEY,
        *,
        steps: tuple[str, ...] = ("queued", "dreaming", "dreaming", "completed"),
        credit_cents: float = 100_000.0,
    ) -> None:
        super().__init__()
        self.key = key
        self.steps = steps
        """The state shown by each successive status read; the last one sticks."""
        self.credit_cents = credit_cents
        self.jobs: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []
        self._expire_next = 0
        self.route("POST", r"/generations/video", self._create)
        self.route("POST", r"/generations", self._create)
        self.route("GET", r"/generations", self._list)
        self.route("GET", r"/generations/(?P<id>[^/]+)", self._get)
        self.route("DELETE", r"/generations/(?P<id>[^/]+)", self._delete)
        self.route("GET", r"/credits", self._credits)
        self.route("GET", r"/ping", self._ping)
        self.route("GET", r"/dream_machine/(?P<id>[^/]+)/video0\.mp4", self._video)
        self.route("GET", r"/dream_machine/(?P<id>[^/]+)/video0_thumb\.jpg", self._thumb)

    @property
    def storage_url(self) -> str:
        """The same server under another host name, standing in for Luma's CDN."""
        return self.url.replace("127.0.0.1", "localhost")

    def signed_asset(self, path: str, ttl: float | None = None) -> str:
        return self.sign(path, ttl).replace(self.url, self.storage_url, 1)

    def expire_next_links(self, count: int = 1) -> None:
        """Hand out the next `count` video links already expired (as if the download started too late)."""
        with self.lock:
            self._expire_next += count

    # ------------------------------------------------------------------------------------------ helpers

    def _denied(self, call: Call) -> Reply | None:
        if bearer(call) != self.key:
            return Reply(401, json={"detail": "Invalid API key provided"})
        return None

    def _generation(self, job: dict[str, Any]) -> dict[str, Any]:
        state = job["state"]
        assets = None
        if state == "completed":
            with self.lock:
                stale = self._expire_next > 0
                self._expire_next -= stale
            assets = {
                "video": self.signed_asset(f"/dream_machine/{job['id']}/video0.mp4", -1.0 if stale else None),
                "image": self.signed_asset(f"/dream_machine/{job['id']}/video0_thumb.jpg"),
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

    def _invalid(self, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "Request body must be a JSON object"
        model = body.get("model")
        if model not in MODELS:
            return f"Invalid model {model!r}: unknown model, expected one of {', '.join(MODELS)}"
        if "prompt" in body and not isinstance(body["prompt"], str):
            return "prompt must be a string"
        if body.get("aspect_ratio", "16:9") not in ASPECTS:
            return f"aspect_ratio must be one of {', '.join(ASPECTS)}"
        if body.get("duration", "5s") not in DURATIONS:
            return f"duration must be one of {', '.join(DURATIONS)}"
        if body.get("resolution", "720p") not in RESOLUTIONS:
            return f"resolution must be one of {', '.join(RESOLUTIONS)}"
        if "loop" in body and not isinstance(body["loop"], bool):
            return "loop must be a boolean"
        keyframes = body.get("keyframes")
        if keyframes is not None:
            if not isinstance(keyframes, dict) or set(keyframes) - {"frame0", "frame1"}:
                return "keyframes may only hold frame0 and frame1"
            for name, frame in keyframes.items():
                if not isinstance(frame, dict) or frame.get("type") not in {"image", "generation"}:
                    return f"keyframes.{name}.type must be 'image' or 'generation'"
                if frame["type"] == "image" and not re.match(r"https?://", str(frame.get("url", ""))):
                    return f"keyframes.{name}.url must be an http(s) URL"
                if frame["type"] == "generation" and frame.get("id") not in self.jobs:
                    return f"keyframes.{name}.id does not name a generation of yours"
        return None

    def _cost_cents(self, body: dict[str, Any]) -> float:
        seconds = int(str(body.get("duration", "5s")).rstrip("s"))
        factor = _RESOLUTION_FACTOR[body.get("resolution", "720p")]
        return float(_CENTS_PER_SECOND[body["model"]] * seconds * factor)

    # ------------------------------------------------------------------------------------------ routes

    def _create(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        try:
            body = call.json()
        except ValueError:
            return Reply(400, json={"detail": "Request body is not valid JSON"})
        if problem := self._invalid(body):
            return Reply(400, json={"detail": problem})
        cost = self._cost_cents(body)
        with self.lock:
            if cost > self.credit_cents:
                return Reply(402, json={"detail": "Insufficient credits: add credits to your account to continue"})
            self.credit_cents -= cost
            job_id = str(uuid.uuid4())
            request = {name: body.get(name) for name in _REQUEST_FIELDS}
            request["generation_type"] = "video"
            prompt = str(body.get("prompt") or "")
            job = {
                "id": job_id,
                "state": "queued",
                "reads": 0,
                "created_at": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "request": request,
                "failure_reason": BLOCKED_REASON if "BLOCKME" in prompt else FAILED_REASON,
                "fails": "BLOCKME" in prompt or "FAILME" in prompt,
            }
            self.jobs[job_id] = job
            return Reply(201, json=self._generation(job))

    def _get(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        with self.lock:
            job = self.jobs.get(match["id"])
            if job is None:
                return Reply(404, json={"detail": "Generation not found"})
            if job["state"] not in {"completed", "failed"}:
                step = self.steps[min(job["reads"], len(self.steps) - 1)]
                job["reads"] += 1
                job["state"] = "failed" if step == "completed" and job["fails"] else step
            return Reply(json=self._generation(job))

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
            return Reply(json={"credit_balance": self.credit_cents})

    def _ping(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        return Reply(json={"message": "pong"})

    def _video(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return _access_denied()
        return file_reply(sample_mp4(), call)

    def _thumb(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return _access_denied()
        return Reply(body=b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9", content_type="image/jpeg")

    # ------------------------------------------------------------------------------------------ test helpers

    def age(self, job_id: str, seconds: float) -> None:
        """Make a generation look `seconds` older (a job from before the one a test looks for)."""
        with self.lock:
            job = self.jobs[job_id]
            created = datetime.fromisoformat(job["created_at"].replace("Z", "+00:00")) - timedelta(seconds=seconds)
            job["created_at"] = created.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _access_denied() -> Reply:
    # the storage host is a signed-URL bucket: an expired or forged link is refused like S3 does
    return Reply(
        403,
        body=b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        content_type="application/xml",
    )
