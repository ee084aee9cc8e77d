"""A fake fal.ai queue, close enough to the real one that the official `fal_client` runs against it.

    with FakeFal(key="key-id:key-secret") as fake:
        ...  # point SHOTLINE_FAL_BASE_URL (or fal_client's QUEUE_URL_FORMAT) at fake.url

Wire protocol (fal_client 1.x, docs.fal.ai queue pages):

- `POST /{endpoint id}` with the model input as the body → `request_id`, `response_url`, `status_url`,
  `cancel_url` (on `owner/alias` only — the sub-path is dropped), `gateway_request_id`, `status`, `queue_position`.
- `GET /{owner}/{alias}/requests/{id}/status?logs=1` → `IN_QUEUE` (+ `queue_position`), `IN_PROGRESS` (+ `logs`),
  `COMPLETED` (+ `logs`, `metrics`, and `error`/`error_type` when the runner failed). Each read moves the job on.
- `GET /{owner}/{alias}/requests/{id}` → the model output `{"video": {"url": …}, "seed": …}`, or the model's
  error (`{"detail": [{"loc", "msg", "type"}]}`, HTTP 422; `content_policy_violation` for a prompt with BLOCKME).
- `PUT …/cancel` → 202 `CANCELLATION_REQUESTED`, 400 `ALREADY_COMPLETED`, 404 `NOT_FOUND`.
- `GET /v1/models/pricing?endpoint_id=…` → the platform API's price list (the adapter's key check).
- `Authorization: Key <key>` everywhere; otherwise 401 `{"detail": …}`. An account with `exhausted=True` gets fal's
  403 "User is locked" answer. Every answer carries `x-fal-request-id`, as fal's own servers do.

Clips are served from a second server, `fake.files` (fal's file CDN is another host), as signed links that expire
after `url_ttl`; each result read signs a fresh one. Input is checked the way the model runners do it — a bad
duration or aspect ratio is accepted into the queue and ends as a 422 result — and unknown endpoints get a 404.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, file_reply, sample_mp4

KEY = "fal-test-id:fal-test-secret"

_NS = r"(?:(?:workflows|comfy)/)?"
_APP = rf"(?P<app>{_NS}[^/]+/[^/]+)"


@dataclass(frozen=True)
class Schema:
    """What a fake endpoint accepts: the allowed `duration` and `aspect_ratio` values (None: not checked)."""

    durations: frozenset[Any] | None = None
    aspects: frozenset[str] | None = None
    needs_image: bool = False


_KLING = Schema(frozenset({"5", "10"}), frozenset({"16:9", "9:16", "1:1"}))
_KLING_I2V = Schema(frozenset({"5", "10"}), frozenset({"16:9", "9:16", "1:1"}), needs_image=True)
_VEO = Schema(frozenset({"4s", "6s", "8s"}), frozenset({"16:9", "9:16"}))
_VEO_I2V = Schema(frozenset({"4s", "6s", "8s"}), frozenset({"16:9", "9:16"}), needs_image=True)
_KLING_3 = Schema(frozenset(str(seconds) for seconds in range(3, 16)), frozenset({"16:9", "9:16", "1:1"}))
_SEEDANCE_2_ASPECTS = frozenset({"auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"})
_SEEDANCE_2 = Schema(frozenset({"auto", *(str(seconds) for seconds in range(4, 16))}), _SEEDANCE_2_ASPECTS)
_SEEDANCE_2_I2V = Schema(_SEEDANCE_2.durations, _SEEDANCE_2_ASPECTS, needs_image=True)
_WAN_27 = Schema(frozenset(range(2, 16)), frozenset({"16:9", "9:16", "1:1", "4:3", "3:4"}))

ENDPOINTS: dict[str, Schema] = {
    "fal-ai/kling-video/v2.1/master/text-to-video": _KLING,
    "fal-ai/kling-video/v2.1/master/image-to-video": _KLING_I2V,
    "fal-ai/kling-video/v1.6/pro/text-to-video": _KLING,
    "fal-ai/kling-video/v1.6/pro/image-to-video": _KLING_I2V,
    "fal-ai/minimax/hailuo-02/standard/text-to-video": Schema(frozenset({"6", "10"})),
    "fal-ai/minimax/hailuo-02/standard/image-to-video": Schema(frozenset({"6", "10"}), needs_image=True),
    "fal-ai/minimax/hailuo-02/pro/text-to-video": Schema(frozenset({"6"})),
    "fal-ai/minimax/hailuo-02/pro/image-to-video": Schema(frozenset({"6"}), needs_image=True),
    "fal-ai/wan-t2v": Schema(aspects=frozenset({"16:9", "9:16"})),
    "fal-ai/wan-i2v": Schema(aspects=frozenset({"16:9", "9:16"}), needs_image=True),
    "fal-ai/bytedance/seedance/v1/pro/text-to-video": Schema(frozenset({"5", "10"})),
    "fal-ai/bytedance/seedance/v1/pro/image-to-video": Schema(frozenset({"5", "10"}), needs_image=True),
    "fal-ai/veo3": _VEO,
    "fal-ai/veo3/image-to-video": _VEO_I2V,
    "fal-ai/veo3/fast": _VEO,
    "fal-ai/veo3/fast/image-to-video": _VEO_I2V,
    "fal-ai/ltx-video": Schema(),
    # added with the catalogue's December 2026 models, each as its fal page's input schema states it
    "fal-ai/kling-video/v3/standard/text-to-video": _KLING_3,
    "fal-ai/kling-video/v3/pro/text-to-video": _KLING_3,
    "fal-ai/kling-video/v3/turbo/pro/text-to-video": _KLING_3,
    "fal-ai/kling-video/o3/4k/text-to-video": _KLING_3,
    "bytedance/seedance-2.0/text-to-video": _SEEDANCE_2,
    "bytedance/seedance-2.0/image-to-video": _SEEDANCE_2_I2V,
    "bytedance/seedance-2.0/fast/text-to-video": _SEEDANCE_2,
    "bytedance/seedance-2.0/fast/image-to-video": _SEEDANCE_2_I2V,
    # reference images in image_urls, named @Image1… in the prompt (fal's API reference for the endpoint)
    "bytedance/seedance-2.0/reference-to-video": _SEEDANCE_2,
    "bytedance/seedance-2.0/fast/reference-to-video": _SEEDANCE_2,
    "fal-ai/minimax/hailuo-2.3/standard/text-to-video": Schema(frozenset({"6", "10"})),
    "fal-ai/minimax/hailuo-2.3/standard/image-to-video": Schema(frozenset({"6", "10"}), needs_image=True),
    "fal-ai/minimax/hailuo-2.3/pro/text-to-video": Schema(frozenset()),
    "fal-ai/veo3.1": _VEO,
    "fal-ai/veo3.1/image-to-video": _VEO_I2V,
    "fal-ai/veo3.1/reference-to-video": _VEO,
    "fal-ai/ltx-2.3/text-to-video": Schema(frozenset({6, 8, 10}), frozenset({"16:9", "9:16"})),
    "fal-ai/ltx-2.3/text-to-video/fast": Schema(frozenset(range(6, 21, 2)), frozenset({"16:9", "9:16"})),
    "fal-ai/wan/v2.7/text-to-video": _WAN_27,
    "fal-ai/wan/v2.7/image-to-video": Schema(_WAN_27.durations, _WAN_27.aspects, needs_image=True),
    "fal-ai/ltx-video/image-to-video": Schema(needs_image=True),
    "someone/video-app/v2/generate": Schema(),
    "workflows/someone/storyboard-flow": Schema(),
}


@dataclass
class Job:
    request_id: str
    endpoint: str
    app: str
    input: dict[str, Any]
    queue_polls: int
    run_polls: int
    reads: int = 0
    cancelled: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)
    """The runner's 422 detail for this input, found when the job runs (empty: it is fine)."""

    @property
    def state(self) -> str:
        if self.cancelled or self.reads > self.queue_polls + self.run_polls:
            return "COMPLETED"
        if self.reads > self.queue_polls:
            return "IN_PROGRESS"
        return "IN_QUEUE"


class FakeFal(FakeServer):
    def __init__(
        self,
        key: str = KEY,
        *,
        queue_polls: int = 2,
        run_polls: int = 2,
        exhausted: bool = False,
        clip_seconds: float = 2.0,
    ) -> None:
        super().__init__()
        self.key = key
        self.queue_polls = queue_polls
        self.run_polls = run_polls
        self.exhausted = exhausted
        self.clip_seconds = clip_seconds
        self.jobs: dict[str, Job] = {}
        self.files = FakeServer()
        self.files.route("GET", r"/files/(?P<id>[^/]+)/output\.mp4", self._file)
        self.route("GET", r"/v1/models/pricing", self._pricing)
        self.route("POST", rf"/(?P<endpoint>{_NS}[^/]+/[^/]+(?:/.+)?)", self._submit)
        self.route("GET", rf"/{_APP}/requests/(?P<id>[^/]+)/status", self._status)
        self.route("GET", rf"/{_APP}/requests/(?P<id>[^/]+)", self._result)
        self.route("PUT", rf"/{_APP}/requests/(?P<id>[^/]+)/cancel", self._cancel)

    def start(self) -> FakeFal:
        self.files.start()
        super().start()
        for server in (self, self.files):
            # headers and body leave in two writes; with Nagle on, each answer waits ~40 ms for a delayed ACK
            assert server._server is not None
            server._server.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        return self

    def stop(self) -> None:
        super().stop()
        self.files.stop()

    def __enter__(self) -> FakeFal:
        return self.start()

    # ------------------------------------------------------------------------------------------ inspection

    def submits(self) -> list[Call]:
        """Every create request the fake received (a POST to an endpoint id)."""
        with self.lock:
            return [call for call in self.calls if call.method == "POST"]

    def only_job(self) -> Job:
        with self.lock:
            (job,) = self.jobs.values()
            return job

    # ------------------------------------------------------------------------------------------ auth

    def _refused(self, call: Call) -> Reply | None:
        header = call.headers.get("authorization", "")
        if header != f"Key {self.key}":
            return _reply(
                401,
                {"detail": "Authentication is required to access this application, or the key is not valid."},
            )
        if self.exhausted:
            return _reply(403, {"detail": "User is locked. Reason: Exhausted balance. Top up your balance."})
        return None

    # ------------------------------------------------------------------------------------------ routes

    def _submit(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        endpoint = match["endpoint"]
        schema = ENDPOINTS.get(endpoint)
        if schema is None:
            return _reply(404, {"detail": f"Application '{endpoint}' not found"})
        try:
            body = call.json()
        except ValueError:
            return _reply(422, {"detail": [_problem(["body"], "Input should be a valid JSON object", "json_invalid")]})
        if not isinstance(body, dict):
            return _reply(422, {"detail": [_problem(["body"], "Input should be a valid dictionary", "dict_type")]})
        return self._queued(endpoint, body, _check(schema, body))

    def _queued(self, endpoint: str, body: dict[str, Any], problems: list[dict[str, Any]]) -> Reply:
        """Queue a job for an endpoint and answer as fal's submit does; `problems` are its input's 422, for later."""
        app = _app_of(endpoint)
        request_id = str(uuid.uuid4())
        job = Job(request_id, endpoint, app, body, self.queue_polls, self.run_polls, problems=problems)
        with self.lock:
            self.jobs[request_id] = job
        base = f"{self.url}/{app}/requests/{request_id}"
        return _reply(
            200,
            {
                "request_id": request_id,
                "response_url": base,
                "status_url": f"{base}/status",
                "cancel_url": f"{base}/cancel",
                "gateway_request_id": request_id,
                "status": "IN_QUEUE",
                "queue_position": self.queue_polls,
            },
        )

    def _job(self, call: Call, match: re.Match[str]) -> Job | Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            job = self.jobs.get(match["id"])
        # requests live under owner/alias: asking under the full endpoint path finds nothing, as on fal
        if job is None or job.app != match["app"]:
            return _reply(404, {"detail": f"Request {match['id']} not found"})
        return job

    def _status(self, call: Call, match: re.Match[str]) -> Reply:
        job = self._job(call, match)
        if isinstance(job, Reply):
            return job
        with self.lock:
            job.reads += 1
            state = job.state
            ran = max(0, job.reads - job.queue_polls)
        with_logs = (call.param("logs") or "").lower() in {"1", "true"}
        base = f"{self.url}/{job.app}/requests/{job.request_id}"
        body: dict[str, Any] = {"status": state, "request_id": job.request_id, "response_url": base}
        if state == "IN_QUEUE":
            body["queue_position"] = max(0, job.queue_polls - job.reads)
        elif state == "IN_PROGRESS":
            body["logs"] = _logs(ran) if with_logs else None
        else:
            body["logs"] = _logs(job.run_polls) if with_logs else None
            body["metrics"] = {"inference_time": 1.25}
            if job.cancelled:
                body["error"] = "Request was cancelled by the user."
            elif "FAILME" in str(job.input.get("prompt", "")):
                body["error"], body["error_type"] = "Runner disconnected", "runner_disconnected"
        return _reply(200 if state == "COMPLETED" else 202, body)

    def _result(self, call: Call, match: re.Match[str]) -> Reply:
        job = self._job(call, match)
        if isinstance(job, Reply):
            return job
        if job.state != "COMPLETED":
            return _reply(400, {"detail": "Request is still in progress"})
        if job.cancelled:
            return _reply(400, {"detail": "Request was cancelled by the user."})
        if (blocked := _moderated(job)) is not None:
            return blocked
        if "FAILME" in str(job.input.get("prompt", "")):
            return _reply(500, {"detail": "Runner disconnected"})
        if job.problems:
            return _reply(422, {"detail": job.problems})
        size = len(sample_mp4(self.clip_seconds))
        return _reply(
            200,
            {
                "video": {
                    "url": self.files.sign(f"/files/{job.request_id}/output.mp4", ttl=self.url_ttl),
                    "content_type": "video/mp4",
                    "file_name": "output.mp4",
                    "file_size": size,
                },
                "seed": job.input.get("seed", 1234567),
            },
        )

    def _cancel(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            job = self.jobs.get(match["id"])
            if job is None or job.app != match["app"]:
                return _reply(404, {"status": "NOT_FOUND"})
            if job.state == "COMPLETED":
                return _reply(400, {"status": "ALREADY_COMPLETED"})
            job.cancelled = True
        return _reply(202, {"status": "CANCELLATION_REQUESTED"})

    def _file(self, call: Call, match: re.Match[str]) -> Reply:
        job = self._stored(call, match)
        return job if isinstance(job, Reply) else file_reply(sample_mp4(self.clip_seconds), call)

    def _stored(self, call: Call, match: re.Match[str]) -> Job | Reply:
        """The job a file-host link is to, or the host's refusal: 403 for an expired link, 404 for no such job."""
        if not self.files.link_ok(call):
            return Reply(403, body=b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
        with self.lock:
            job = self.jobs.get(match["id"])
        return Reply(404, body=b"Not Found", content_type="text/plain") if job is None else job

    def _pricing(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        endpoints = call.query.get("endpoint_id", [])
        prices = [
            {"endpoint_id": endpoint, "unit_price": 0.28, "unit": "second", "currency": "USD"}
            for endpoint in endpoints
            if endpoint in ENDPOINTS
        ]
        return _reply(200, {"prices": prices, "next_cursor": None, "has_more": False})


class FakeFalMedia(FakeFal):
    """The queue with endpoints that make other things than clips (stills, music) beside the video ones: the same
    submit, status and cancel; a subclass names its endpoints and output file, checks an input, and makes the
    result and the file."""

    ENDPOINTS: Mapping[str, object]
    OUTPUT: str
    """The output's file name on the file host."""
    CONTENT_TYPE: str
    MODERATED = False
    """Whether BLOCKME in a prompt ends as the content checker's 422 (fal's image endpoints do)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files.route("GET", rf"/files/(?P<id>[^/]+)/{re.escape(self.OUTPUT)}", self._output)

    def _problems(self, endpoint: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The runner's 422 detail for an input (empty: it is fine)."""
        raise NotImplementedError

    def _answer(self, job: Job, url: str) -> dict[str, Any]:
        """The result of a finished job whose output is at `url`."""
        raise NotImplementedError

    def _made(self, job: Job) -> bytes:
        """The output file's bytes."""
        raise NotImplementedError

    def _submit(self, call: Call, match: re.Match[str]) -> Reply:
        endpoint = match["endpoint"]
        if endpoint not in self.ENDPOINTS:
            return super()._submit(call, match)
        if (refused := self._refused(call)) is not None:
            return refused
        body = call.json()
        if not isinstance(body, dict):
            return _reply(422, {"detail": [_problem(["body"], "Input should be a valid dictionary", "dict_type")]})
        return self._queued(endpoint, body, self._problems(endpoint, body))

    def _result(self, call: Call, match: re.Match[str]) -> Reply:
        with self.lock:
            job = self.jobs.get(match["id"])
        if job is None or job.endpoint not in self.ENDPOINTS or job.state != "COMPLETED" or job.cancelled:
            return super()._result(call, match)
        if (refused := self._refused(call)) is not None:
            return refused
        if self.MODERATED and (blocked := _moderated(job)) is not None:
            return blocked
        if job.problems:
            return _reply(422, {"detail": job.problems})
        url = self.files.sign(f"/files/{job.request_id}/{self.OUTPUT}", ttl=self.url_ttl)
        return _reply(200, self._answer(job, url))

    def _output(self, call: Call, match: re.Match[str]) -> Reply:
        job = self._stored(call, match)
        return job if isinstance(job, Reply) else file_reply(self._made(job), call, content_type=self.CONTENT_TYPE)


def _reply(status: int, body: Any) -> Reply:
    return Reply(status, json=body, headers={"x-fal-request-id": str(uuid.uuid4())})


def _moderated(job: Job) -> Reply | None:
    """The content checker's 422 for a prompt holding BLOCKME."""
    if "BLOCKME" not in str(job.input.get("prompt", "")):
        return None
    message = "The content could not be processed because it contained material flagged by a content checker."
    return _reply(422, {"detail": [_problem(["body", "prompt"], message, "content_policy_violation")]})


def _app_of(endpoint: str) -> str:
    parts = endpoint.split("/")
    return "/".join(parts[:3] if parts[0] in {"workflows", "comfy"} else parts[:2])


def _problem(loc: list[str], message: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"loc": loc, "msg": message, "type": kind, **extra}


def _check(schema: Schema, body: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
        problems.append(_problem(["body", "prompt"], "Field required", "missing"))
    duration = body.get("duration")
    if schema.durations is not None and duration is not None and duration not in schema.durations:
        expected = " or ".join(repr(value) for value in sorted(schema.durations, key=str))
        problems.append(_problem(["body", "duration"], f"Input should be {expected}", "literal_error", input=duration))
    aspect = body.get("aspect_ratio")
    if schema.aspects is not None and aspect is not None and aspect not in schema.aspects:
        expected = " or ".join(repr(value) for value in sorted(schema.aspects))
        problems.append(
            _problem(["body", "aspect_ratio"], f"Input should be {expected}", "literal_error", input=aspect)
        )
    image = body.get("image_url")
    if schema.needs_image and not image:
        problems.append(_problem(["body", "image_url"], "Field required", "missing"))
    if image is not None and not re.fullmatch(r"(https://\S+|data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+)", str(image)):
        problems.append(_problem(["body", "image_url"], "Input should be a valid URL", "url_parsing"))
    return problems


def _logs(count: int) -> list[dict[str, Any]]:
    return [
        {
            "message": f"Generating video: step {number} of 10",
            "level": "INFO",
            "source": "user",
            "timestamp": f"2026-11-01T10:00:{number:02d}.000Z",
        }
        for number in range(1, count + 1)
    ]
