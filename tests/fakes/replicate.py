"""A fake Replicate API: predictions on official models and on versions, the way replicate-python 1.x talks to it.

Routes (Bearer token on every /v1 route; errors as RFC 7807 problem details):

    POST /v1/models/{owner}/{name}/predictions    create on an official model → 201 prediction
    POST /v1/predictions                          create on a version ("version": "<id>") → 201 prediction
    GET  /v1/predictions/{id}                     each read moves the job on: starting → processing → succeeded
    POST /v1/predictions/{id}/cancel              → 200 prediction (unchanged when it already ended)
    GET  /v1/predictions                          newest first, paginated with `next` cursors
    GET  /v1/models/{owner}/{name}/versions/{id}  the version object replicate.run() reads for owner/name:version
    POST /v1/files                                multipart upload (`content`) → file object with urls.get
    GET  /v1/account                              the token's account

Outputs are served from `http://localhost:<port>/delivery/...` — another host name than the API's 127.0.0.1, the
way replicate.delivery is not api.replicate.com — with signed links that expire after `url_ttl`. A prompt containing
"BLOCKME" ends `failed` with Replicate's "flagged as sensitive (E005)" error, "FAILME" with an out-of-memory one.
`Prefer: wait` finishes the job inside the create and answers `processing` with the output set (the quirk
replicate.run() works around).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import itertools
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, bearer, file_reply, sample_mp4

KEY = "r8_fake_replicate_token"
COMMUNITY_MODEL = "fofr/fake-video"
COMMUNITY_VERSION = "5b15e6bf879ebd2fbb4510f78eb6dd00e666e06716915d0c31533651a744748f"
BLOCK_WORD = "BLOCKME"
FLAGGED = "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
FAIL_WORD = "FAILME"
FAILED = "CUDA out of memory. Tried to allocate 2.00 GiB"

Schema = dict[str, tuple[Any, ...]]
"""Input field → allowed values (a closed enum); fields not listed are taken as given."""

MODELS: dict[str, Schema] = {
    "kwaivgi/kling-v2.0": {"duration": (5, 10), "aspect_ratio": ("16:9", "9:16", "1:1")},
    "minimax/hailuo-02": {"duration": (6, 10), "resolution": ("512p", "768p", "1080p")},
    "wan-video/wan-2.2-t2v-fast": {
        "aspect_ratio": ("16:9", "9:16"),
        "resolution": ("480p", "720p"),
        "num_frames": tuple(range(81, 101)),
        "frames_per_second": tuple(range(5, 25)),
    },
    "minimax/video-01": {},
    # added with the catalogue's December 2026 models, as their replicate.com API schemas state them
    "kwaivgi/kling-v3-video": {
        "duration": tuple(range(3, 16)),
        "aspect_ratio": ("16:9", "9:16", "1:1"),
        "mode": ("standard", "pro"),
    },
    "minimax/hailuo-2.3": {"duration": (6, 10), "resolution": ("768p", "1080p")},
    "luma/ray-3.2": {
        "duration": (5, 10),
        "aspect_ratio": ("9:16", "3:4", "1:1", "4:3", "16:9", "21:9"),
        "resolution": ("540p", "720p", "1080p"),
        "negative_prompt": (),
    },
    COMMUNITY_MODEL: {},
}
VERSIONS = {COMMUNITY_VERSION: COMMUNITY_MODEL}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _problem(status: int, title: str, detail: str, **extra: Any) -> Reply:
    return Reply(
        status,
        json={"type": "https://replicate.com/docs/errors", "title": title, "status": status, "detail": detail, **extra},
        content_type="application/problem+json",
    )


class FakeReplicate(FakeServer):
    def __init__(self, key: str = KEY) -> None:
        super().__init__()
        self.key = key
        self.models: dict[str, Schema] = dict(MODELS)
        """The official models this fake runs, by their input schemas (a subclass adds its own)."""
        self.predictions: dict[str, dict[str, Any]] = {}
        self.reads: dict[str, int] = {}
        self.files: dict[str, bytes] = {}
        self.processing_reads = 2
        """Status reads a prediction spends `processing` before it ends."""
        self.output_shape = "string"
        """How `output` looks: "string" (one URL), "list" (a list of URLs) or "data" (a data: URI)."""
        self.page_size = 100
        self.stale_links = 0
        """How many of the next output links to hand out already expired (as a link fetched an hour ago would be)."""
        self.list_shows_input = True
        """Whether GET /v1/predictions includes each prediction's `input` (a listing may leave it out)."""
        self.clip = sample_mp4()
        self._order = itertools.count()
        self.route("POST", r"/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions", self._create_on_model)
        self.route("POST", r"/v1/predictions", self._create_on_version)
        self.route("GET", r"/v1/predictions", self._list)
        self.route("GET", r"/v1/predictions/(?P<id>[^/]+)", self._get)
        self.route("POST", r"/v1/predictions/(?P<id>[^/]+)/cancel", self._cancel)
        self.route("GET", r"/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/versions/(?P<id>[^/]+)", self._version)
        self.route("POST", r"/v1/files", self._upload)
        self.route("GET", r"/v1/account", self._account)
        self.route("GET", r"/delivery/(?P<id>[^/]+)/output\.mp4", self._deliver)

    # ------------------------------------------------------------------------------------------ helpers for tests

    def creates(self) -> int:
        return self.count("POST", r"/v1/models/[^/]+/[^/]+/predictions") + self.count("POST", r"/v1/predictions")

    def create_calls(self) -> list[Call]:
        return self.calls_to("POST", r"/v1/models/[^/]+/[^/]+/predictions") + self.calls_to("POST", r"/v1/predictions")

    @property
    def delivery_host(self) -> str:
        return self.url.replace("127.0.0.1", "localhost")

    # ------------------------------------------------------------------------------------------ routes

    def _unauthorised(self, call: Call) -> Reply | None:
        if bearer(call) != self.key:
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        return None

    def _create_on_model(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        model = f"{match['owner']}/{match['name']}"
        if model not in self.models:
            return _problem(404, "Not found", "The requested resource could not be found.")
        return self._create(call, model, version=None)

    def _create_on_version(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        body = call.json() or {}
        version = str(body.get("version", ""))
        model = VERSIONS.get(version)
        if model is None:
            return _problem(
                422,
                "Invalid version or not permitted",
                "The specified version does not exist (or perhaps you don't have permission to use it?)",
            )
        return self._create(call, model, version=version)

    def _create(self, call: Call, model: str, version: str | None) -> Reply:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            return _problem(422, "Input validation failed", "- (root): input is required")
        inputs: dict[str, Any] = body["input"]
        invalid = []
        if not isinstance(inputs.get("prompt"), str) or not inputs["prompt"]:
            invalid.append({"type": "required", "field": "input", "description": "prompt is required"})
        for name, allowed in self.models[model].items():
            if name in inputs and inputs[name] not in allowed:
                shown = ", ".join(f'"{value}"' if isinstance(value, str) else str(value) for value in allowed[:6])
                invalid.append(
                    {
                        "type": "enum",
                        "field": f"input.{name}",
                        "description": f"{name} must be one of the following: {shown}",
                    }
                )
        if invalid:
            detail = "".join(f"- {item['field']}: {item['description']}\n" for item in invalid)
            return _problem(422, "Input validation failed", detail, invalid_fields=invalid)
        prediction_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
        prediction = {
            "id": prediction_id,
            "model": model,
            "version": version or "dp-" + prediction_id[:16],
            "status": "starting",
            "input": inputs,
            "output": None,
            "error": None,
            "logs": "",
            "metrics": {},
            "source": "api",
            "data_removed": False,
            "created_at": _now(),
            "started_at": None,
            "completed_at": None,
            "urls": {
                "get": f"{self.url}/v1/predictions/{prediction_id}",
                "cancel": f"{self.url}/v1/predictions/{prediction_id}/cancel",
                "web": f"https://replicate.com/p/{prediction_id}",
            },
            "_order": next(self._order),
        }
        with self.lock:
            self.predictions[prediction_id] = prediction
            self.reads[prediction_id] = 0
            if call.headers.get("prefer", "").startswith("wait"):
                self._finish(prediction)
                answer = self._public(prediction)
                if prediction["status"] == "succeeded":
                    answer["status"] = "processing"  # what the blocking API says even though the output is ready
                return Reply(201, json=answer)
            return Reply(201, json=self._public(prediction))

    def _get(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        with self.lock:
            prediction = self.predictions.get(match["id"])
            if prediction is None:
                return _problem(404, "Not found", "The requested resource could not be found.")
            self._advance(prediction)
            return Reply(200, json=self._public(prediction))

    def _cancel(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        with self.lock:
            prediction = self.predictions.get(match["id"])
            if prediction is None:
                return _problem(404, "Not found", "The requested resource could not be found.")
            if prediction["status"] in ("starting", "processing"):
                prediction.update(status="canceled", completed_at=_now())
            return Reply(200, json=self._public(prediction))

    def _list(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        start = int(call.param("cursor") or 0)
        with self.lock:
            newest_first = sorted(self.predictions.values(), key=lambda item: -item["_order"])
            page = [self._public(item, listed=True) for item in newest_first[start : start + self.page_size]]
            more = start + self.page_size < len(newest_first)
        return Reply(
            200,
            json={
                "previous": f"{self.url}/v1/predictions?cursor={max(start - self.page_size, 0)}" if start else None,
                "next": f"{self.url}/v1/predictions?cursor={start + self.page_size}" if more else None,
                "results": page,
            },
        )

    def _version(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        if VERSIONS.get(match["id"]) != f"{match['owner']}/{match['name']}":
            return _problem(404, "Not found", "The requested resource could not be found.")
        return Reply(
            200,
            json={
                "id": match["id"],
                "created_at": "2025-05-01T10:00:00Z",
                "cog_version": "0.9.4",
                "openapi_schema": {},
            },
        )

    def _upload(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {call.headers.get('content-type', '')}\r\n\r\n".encode() + call.body
        )
        parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        content = parts.get("content")
        if content is None:
            return _problem(422, "Input validation failed", "- content: content is required")
        data = content.get_payload(decode=True) or b""
        file_id = secrets.token_hex(12)
        with self.lock:
            self.files[file_id] = data
        return Reply(
            201,
            json={
                "id": file_id,
                "name": content.get_filename() or "upload",
                "content_type": content.get_content_type(),
                "size": len(data),
                "etag": file_id,
                "checksums": {},
                "metadata": {},
                "created_at": _now(),
                "expires_at": None,
                "urls": {"get": f"{self.url}/v1/files/{file_id}"},
            },
        )

    def _account(self, call: Call, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(call):
            return refused
        account = {"type": "user", "username": "shotline-test", "name": "Shotline Test", "github_url": None}
        return Reply(200, json=account)

    def _deliver(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(404, body=b"Not Found", content_type="text/plain")
        return file_reply(self.clip, call)

    # ------------------------------------------------------------------------------------------ the job

    def _advance(self, prediction: dict[str, Any]) -> None:
        if prediction["status"] in ("succeeded", "failed", "canceled"):
            return
        reads = self.reads[prediction["id"]] = self.reads[prediction["id"]] + 1
        if reads > self.processing_reads:
            self._finish(prediction)
            return
        total = 30
        done = total * reads // (self.processing_reads + 1)
        prediction["status"] = "processing"
        prediction["started_at"] = prediction["started_at"] or _now()
        prediction["logs"] += f"{done * 100 // total:3d}%|{'█' * (done // 3):<10}| {done}/{total} [00:0{reads}<00:10]\n"

    def _finish(self, prediction: dict[str, Any]) -> None:
        prediction["started_at"] = prediction["started_at"] or _now()
        prediction["completed_at"] = _now()
        if BLOCK_WORD in str(prediction["input"].get("prompt", "")):
            prediction.update(status="failed", error=FLAGGED)
            return
        if FAIL_WORD in str(prediction["input"].get("prompt", "")):
            prediction.update(status="failed", error=FAILED)
            return
        prediction["logs"] += "100%|██████████| 30/30 [00:10<00:00]\n"
        prediction.update(status="succeeded", metrics={"predict_time": 71.2, "total_time": 74.9})

    def _public(self, prediction: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
        """The prediction as the API shows it; a finished one carries a freshly signed output link."""
        shown = {name: value for name, value in prediction.items() if not name.startswith("_")}
        if prediction["status"] == "succeeded" and prediction["output"] is None:
            shown["output"] = self._output(prediction["id"])
        if listed:
            shown.pop("logs", None)
            if not self.list_shows_input:
                shown.pop("input", None)
        return shown

    def _output(self, prediction_id: str) -> Any:
        if self.output_shape == "data":
            return "data:video/mp4;base64," + base64.b64encode(self.clip).decode("ascii")
        ttl = None
        if self.stale_links > 0:
            self.stale_links -= 1
            ttl = -1.0
        link = self.sign(f"/delivery/{prediction_id}/output.mp4", ttl).replace(self.url, self.delivery_host, 1)
        return [link] if self.output_shape == "list" else link
