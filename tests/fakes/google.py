"""A fake Gemini API: the Interactions and Files endpoints google-genai 3.4.0 calls for Gemini Omni video, on 127.0.0.1.

Every path works under `/v1/` (the SDK's default) and `/v1beta/` (most REST samples).

- `POST /{v}/interactions` checks the key (`x-goog-api-key` header or `?key=`: missing → 401 UNAUTHENTICATED, wrong
  → 400 "API key not valid", a key in `free_tier_keys` → 403 asking for billing), then the body the way the
  service does: unknown model → 400, a model in `retired` → 404 "no longer available", aspect ratio, resolution,
  duration (`"Ns"`, per model), delivery, task, seed, labels and `previous_interaction_id` (400/404, Interactions
  error shape `{"error": {"code": "<word>", "message"}}`). `background: true` answers at once with a queued
  interaction; otherwise the finished one comes back in the same answer.
- `GET /{v}/interactions/{id}`: every read moves a job one step, queued → in_progress → completed after
  `reads_to_finish` reads. A prompt holding BLOCKME ends `failed` with a safety error, FAILME ends `failed` with an
  internal error, NOVIDEO ends `completed` with only a text refusal.
- Output: `delivery: "inline"` (or none) puts base64 `data` in the video block; `"uri"` makes a Files API file,
  PROCESSING for `file_reads` reads of `GET /{v}/files/{id}`, then ACTIVE. `inline_on_get=True` imitates what
  Google's docs say the real service does: a later read carries inline data even for a uri job.
- `GET /{v}/files/{id}:download?alt=media` (key required) answers 302 to the clip on a second fake, the storage host
  (`file_host`), at a signed link minted each time the file's metadata is read as ACTIVE; the storage host takes no
  key and answers 403 once the link has expired (`file_host.url_ttl`).
- `POST /{v}/interactions/{id}/cancel` cancels a running job; a finished one is returned unchanged, or refused with
  400 FAILED_PRECONDITION when `cancel_finished_error` is set. `DELETE` forgets a job (`{}`), later reads are 404.
- `GET /{v}/models` lists the Omni models (the cheap read a key check uses), classic error shape.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, file_reply, sample_mp4

KEY = "AIzaSy-fake-gemini-key-0123456789abcd"
V = r"/(v1|v1beta)"

DURATIONS: dict[str, range] = {
    "gemini-omni-1.2-flash": range(3, 16),
    "gemini-omni-1.1-flash": range(3, 11),
}
ASPECTS = ("16:9", "9:16")
RESOLUTIONS = ("360p", "720p", "1080p", "4k")
DELIVERIES = ("inline", "uri")
TASKS = ("text_to_video", "image_to_video", "reference_to_video", "edit", "extend", "upscale")
TOKENS_PER_SECOND = 5792
_LABEL = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_DURATION = re.compile(r"(\d+)s")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _error(status: int, code: str, message: str) -> Reply:
    """The Interactions API's error shape."""
    return Reply(status, json={"error": {"code": code, "message": message}})


def _classic_error(status: int, message: str, word: str) -> Reply:
    """The classic Gemini API's error shape (Files, Models)."""
    return Reply(status, json={"error": {"code": status, "message": message, "status": word}})


class FakeFileHost(FakeServer):
    """The storage host the Files API redirects downloads to: signed, expiring links and no key."""

    def __init__(self) -> None:
        super().__init__()
        self.blobs: dict[str, bytes] = {}
        self.route("GET", r"/download/([a-z0-9]+)\.mp4", self._download)

    def link(self, file_id: str) -> str:
        return self.sign(f"/download/{file_id}.mp4")

    def _download(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(
                403,
                body=b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code>"
                b"<Message>The provided token has expired.</Message></Error>",
                content_type="application/xml",
            )
        with self.lock:
            data = self.blobs.get(match.group(1))
        if data is None:
            return Reply(404, body=b"No such object.", content_type="text/plain")
        return file_reply(data, call)


class FakeGoogle(FakeServer):
    def __init__(
        self,
        key: str = KEY,
        *,
        reads_to_finish: int = 2,
        file_reads: int = 1,
        inline_on_get: bool = False,
        cancel_finished_error: bool = False,
        retired: dict[str, str] | None = None,
        free_tier_keys: tuple[str, ...] = (),
        video: bytes | None = None,
    ) -> None:
        super().__init__()
        self.key = key
        self.reads_to_finish = reads_to_finish
        self.file_reads = file_reads
        self.inline_on_get = inline_on_get
        self.cancel_finished_error = cancel_finished_error
        self.retired = dict(retired or {"gemini-omni-flash-preview": "gemini-omni-1.2-flash"})
        self.free_tier_keys = free_tier_keys
        self.video = video if video is not None else sample_mp4()
        self.file_host = FakeFileHost()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.cancelled: list[str] = []
        self.route("POST", rf"{V}/interactions", self._create)
        self.route("GET", rf"{V}/interactions/([A-Za-z0-9_-]+)", self._get)
        self.route("POST", rf"{V}/interactions/([A-Za-z0-9_-]+)/cancel", self._cancel)
        self.route("DELETE", rf"{V}/interactions/([A-Za-z0-9_-]+)", self._delete)
        self.route("GET", rf"{V}/files/([a-z0-9]+):download", self._file_download)
        self.route("GET", rf"{V}/files/([a-z0-9]+)", self._file_meta)
        self.route("GET", rf"{V}/models", self._models)

    def start(self) -> FakeGoogle:
        self.file_host.start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        self.file_host.stop()

    def __enter__(self) -> FakeGoogle:
        return self.start()

    # ------------------------------------------------------------------------------------------ helpers for tests

    def creates(self) -> list[Call]:
        return self.calls_to("POST", rf"{V}/interactions")

    # ------------------------------------------------------------------------------------------ checks

    def _key_of(self, call: Call) -> str | None:
        return call.headers.get("x-goog-api-key") or call.param("key")

    def _refused(self, call: Call, *, classic: bool = False) -> Reply | None:
        key = self._key_of(call)
        if not key:
            message = (
                "Method doesn't allow unregistered callers (callers without established identity). "
                "Please use API Key or other form of API consumer identity to call this API."
            )
            if classic:
                return _classic_error(401, message, "UNAUTHENTICATED")
            return _error(401, "unauthenticated", message)
        if key != self.key and key not in self.free_tier_keys:
            message = "API key not valid. Please pass a valid API key."
            if classic:
                return _classic_error(400, message, "INVALID_ARGUMENT")
            return _error(400, "invalid_argument", message)
        return None

    def _invalid(self, body: dict[str, Any]) -> Reply | None:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return _error(400, "invalid_argument", "model is required.")
        if model in self.retired:
            return _error(
                404,
                "not_found",
                f"models/{model} is no longer available. Use {self.retired[model]} instead.",
            )
        if model not in DURATIONS:
            return _error(400, "invalid_argument", f"Unknown model '{model}'.")
        previous = body.get("previous_interaction_id")
        if previous is not None:
            with self.lock:
                known = previous in self.jobs and self.jobs[previous]["store"]
            if not known:
                return _error(404, "not_found", f"Interaction {previous} not found.")
        elif body.get("input") in (None, "", []):
            return _error(400, "invalid_argument", "input is required.")
        formats = body.get("response_format")
        formats = formats if isinstance(formats, list) else [formats] if formats is not None else []
        for fmt in formats:
            if not isinstance(fmt, dict) or fmt.get("type") != "video":
                continue
            if (aspect := fmt.get("aspect_ratio")) is not None and aspect not in ASPECTS:
                return _error(400, "invalid_argument", f"Unsupported aspect_ratio '{aspect}'.")
            if (resolution := fmt.get("resolution")) is not None and resolution not in RESOLUTIONS:
                return _error(400, "invalid_argument", f"Unsupported resolution '{resolution}'.")
            if (delivery := fmt.get("delivery")) is not None and delivery not in DELIVERIES:
                return _error(400, "invalid_argument", f"Unsupported delivery '{delivery}'.")
            if (duration := fmt.get("duration")) is not None:
                match = _DURATION.fullmatch(str(duration))
                if match is None:
                    return _error(400, "invalid_argument", f"duration must look like '6s', not '{duration}'.")
                allowed = DURATIONS[model]
                if int(match.group(1)) not in allowed:
                    return _error(
                        400,
                        "invalid_argument",
                        f"duration {duration} is out of range for {model} ({allowed[0]}s to {allowed[-1]}s).",
                    )
        config = body.get("generation_config") or {}
        if not isinstance(config, dict):
            return _error(400, "invalid_argument", "generation_config must be an object.")
        task = (config.get("video_config") or {}).get("task")
        if task is not None and task not in TASKS:
            return _error(400, "invalid_argument", f"Unknown video task '{task}'.")
        if (seed := config.get("seed")) is not None and not (isinstance(seed, int) and 0 <= seed < 2**31):
            return _error(400, "invalid_argument", f"seed must be a non-negative 32-bit integer, not {seed!r}.")
        labels = body.get("labels") or {}
        for name, value in labels.items() if isinstance(labels, dict) else []:
            if not _LABEL.fullmatch(str(name)) or not _LABEL_VALUE.fullmatch(str(value)):
                return _error(400, "invalid_argument", f"Invalid label {name}={value}.")
        return None

    # ------------------------------------------------------------------------------------------ interactions

    def _create(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        if self._key_of(call) in self.free_tier_keys:
            return _error(
                403,
                "permission_denied",
                "Gemini Omni models are not available on the free tier. Enable billing for your project.",
            )
        try:
            body = call.json()
        except ValueError:
            return _error(400, "invalid_argument", "Request body is not valid JSON.")
        if not isinstance(body, dict):
            return _error(400, "invalid_argument", "Request body must be a JSON object.")
        if (invalid := self._invalid(body)) is not None:
            return invalid
        fmt = next(
            (f for f in _as_list(body.get("response_format")) if isinstance(f, dict) and f.get("type") == "video"),
            {},
        )
        duration = _DURATION.fullmatch(str(fmt.get("duration", "")))
        job_id = "v1_" + uuid.uuid4().hex[:20]
        job: dict[str, Any] = {
            "id": job_id,
            "version": match.group(1),
            "model": body["model"],
            "status": "queued",
            "created": _now(),
            "updated": _now(),
            "reads": 0,
            "prompt": _prompt_of(body.get("input")),
            "input": body.get("input"),
            "delivery": fmt.get("delivery", "inline"),
            "seconds": int(duration.group(1)) if duration else 8,
            "store": body.get("store", True) is not False,
            "labels": dict(body.get("labels") or {}),
            "body": body,
            "file_id": None,
        }
        with self.lock:
            self.jobs[job_id] = job
            if not body.get("background"):
                self._finish(job)  # a unary call holds the answer until the clip is done
            return Reply(200, json=self._snapshot(job, include_input=False))

    def _get(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        if call.param("stream") == "true":
            return _error(400, "invalid_argument", "This fake does not stream.")
        with self.lock:
            job = self.jobs.get(match.group(2))
            if job is None or not job["store"]:
                return _error(404, "not_found", f"Interaction {match.group(2)} not found.")
            if job["status"] in ("queued", "in_progress"):
                job["reads"] += 1
                if job["reads"] >= self.reads_to_finish:
                    self._finish(job)
                else:
                    job["status"], job["updated"] = "in_progress", _now()
            include_input = call.param("include_input") != "false"
            return Reply(200, json=self._snapshot(job, include_input=include_input, read=True))

    def _cancel(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            job = self.jobs.get(match.group(2))
            if job is None:
                return _error(404, "not_found", f"Interaction {match.group(2)} not found.")
            if job["status"] in ("queued", "in_progress"):
                job["status"], job["updated"] = "cancelled", _now()
                self.cancelled.append(job["id"])
            elif self.cancel_finished_error:
                return _error(
                    400, "failed_precondition", f"Interaction {job['id']} is already {job['status']}; cannot cancel."
                )
            return Reply(200, json=self._snapshot(job, include_input=False))

    def _delete(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            if self.jobs.pop(match.group(2), None) is None:
                return _error(404, "not_found", f"Interaction {match.group(2)} not found.")
        return Reply(200, json={})

    def _finish(self, job: dict[str, Any]) -> None:
        """End a job (lock held): its output or its failure, decided by the prompt."""
        job["updated"] = _now()
        prompt = job["prompt"]
        if "BLOCKME" in prompt:
            job["status"] = "failed"
            job["errors"] = [
                {"code": "safety", "message": "The prompt was blocked by safety filters (prohibited content)."}
            ]
        elif "FAILME" in prompt:
            job["status"] = "failed"
            job["errors"] = [{"code": "internal", "message": "Video generation failed due to an internal error."}]
        else:
            job["status"] = "completed"
            if job["delivery"] == "uri" and "NOVIDEO" not in prompt:
                file_id = uuid.uuid4().hex[:12]
                job["file_id"] = file_id
                self.files[file_id] = {"state": "PROCESSING", "reads": 0, "created": _now(), "link": None}
                with self.file_host.lock:
                    self.file_host.blobs[file_id] = self.video

    def _snapshot(self, job: dict[str, Any], *, include_input: bool, read: bool = False) -> dict[str, Any]:
        snapshot: dict[str, Any] = {
            "id": job["id"],
            "object": "interaction",
            "model": job["model"],
            "status": job["status"],
            "created": job["created"],
            "updated": job["updated"],
        }
        if job.get("errors"):
            snapshot["errors"] = job["errors"]
        if job["labels"]:
            snapshot["labels"] = job["labels"]
        if job["status"] != "completed":
            return snapshot
        steps: list[dict[str, Any]] = []
        if include_input:
            steps.append({"type": "user_input", "content": _content_of(job["input"])})
        steps.append({"type": "thought", "signature": base64.b64encode(b"fake-signature").decode()})
        if "NOVIDEO" in job["prompt"]:
            content: dict[str, Any] = {"type": "text", "text": "I can't create that video."}
        elif job["file_id"] and not (self.inline_on_get and read):
            content = {
                "type": "video",
                "mime_type": "video/mp4",
                "uri": f"{self.url}/{job['version']}/files/{job['file_id']}:download?alt=media",
            }
        else:
            content = {"type": "video", "mime_type": "video/mp4", "data": base64.b64encode(self.video).decode()}
        steps.append({"type": "model_output", "content": [content]})
        snapshot["steps"] = steps
        video_tokens = TOKENS_PER_SECOND * job["seconds"]
        snapshot["usage"] = {
            "total_input_tokens": 18,
            "total_output_tokens": video_tokens,
            "output_tokens_by_modality": [{"modality": "video", "tokens": video_tokens}],
            "total_thought_tokens": 210,
            "total_tokens": 18 + video_tokens + 210,
        }
        return snapshot

    # ------------------------------------------------------------------------------------------ files and models

    def _file_meta(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call, classic=True)) is not None:
            return refused
        version, file_id = match.group(1), match.group(2)
        with self.lock:
            record = self.files.get(file_id)
            if record is None:
                return _classic_error(404, f"File {file_id} not found.", "NOT_FOUND")
            record["reads"] += 1
            if record["state"] == "PROCESSING" and record["reads"] > self.file_reads:
                record["state"] = "ACTIVE"
            if record["state"] == "ACTIVE":
                record["link"] = self.file_host.link(file_id)
            state = record["state"]
            created = record["created"]
        file_uri = f"{self.url}/{version}/files/{file_id}"
        return Reply(
            200,
            json={
                "name": f"files/{file_id}",
                "mimeType": "video/mp4",
                "sizeBytes": str(len(self.video)),
                "createTime": created,
                "updateTime": _now(),
                "expirationTime": "2099-01-01T00:00:00Z",
                "state": state,
                "source": "GENERATED",
                "uri": file_uri,
                "downloadUri": f"{file_uri}:download?alt=media",
            },
        )

    def _file_download(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call, classic=True)) is not None:
            return refused
        file_id = match.group(2)
        if call.param("alt") != "media":
            return _classic_error(400, "Downloads need alt=media.", "INVALID_ARGUMENT")
        with self.lock:
            record = self.files.get(file_id)
            if record is None:
                return _classic_error(404, f"File {file_id} not found.", "NOT_FOUND")
            if record["state"] != "ACTIVE":
                return _classic_error(400, f"File {file_id} is not ACTIVE yet.", "FAILED_PRECONDITION")
            link = record["link"] or self.file_host.link(file_id)
            record["link"] = link
        return Reply(302, body=b"", headers={"Location": link}, content_type="text/html")

    def _models(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call, classic=True)) is not None:
            return refused
        return Reply(
            200,
            json={
                "models": [
                    {
                        "name": f"models/{model}",
                        "displayName": model.replace("-", " ").title(),
                        "supportedGenerationMethods": ["createInteraction"],
                    }
                    for model in DURATIONS
                ]
            },
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _content_of(value: Any) -> list[Any]:
    """The content blocks of an input, whichever of the accepted forms it came in."""
    if isinstance(value, str):
        return [{"type": "text", "text": value}]
    blocks: list[Any] = []
    for item in _as_list(value):
        if isinstance(item, dict) and item.get("type") == "user_input":
            blocks.extend(_as_list(item.get("content")))
        elif isinstance(item, dict):
            blocks.append(item)
    return blocks


def _prompt_of(value: Any) -> str:
    return " ".join(
        str(block.get("text", ""))
        for block in _content_of(value)
        if isinstance(block, dict) and block.get("type", "text") == "text"
    )
