"""fal.ai: runs a shot on one of fal's hosted video endpoints through its queue API.

The queue is submit → status (queue position, logs) → result → the clip's URL on fal's file host. Quirks that matter:

- An endpoint id is `owner/alias[/sub/path]` (or `workflows|comfy/owner/alias/...`). A job is created by POSTing
  the model's own input JSON to `{queue}/{endpoint id}`, but its status, result and cancel URLs use only
  `owner/alias`: `{queue}/{owner}/{alias}/requests/{id}/status`. Submit returns those URLs and we use them; after a
  restart only our provider job id is left, so it carries the full endpoint id (`endpoint|request_id`) and the
  URLs are rebuilt by that owner/alias rule.
- Every endpoint has its own input schema (Kling wants `duration: "5"`, Veo `"8s"`, Wan none at all), so the
  curated models each say how they take their settings. Any other endpoint is reachable through the `custom`
  model with `options["endpoint"]`; `options["input"]` adds or overrides input fields for any model. Writing that
  input is backends.fal_inputs'; this module is fal's queue protocol.
- Status has no percentage: only a queue position while waiting and free-text logs while running.
- A job that ran and failed still ends `COMPLETED`, with `error`/`error_type` on the status or an HTTP error (a
  FastAPI-style `detail` list; `content_policy_violation` for the safety checker) on the result.
- Images go inline as data URIs, which every fal endpoint accepts, so nothing is uploaded to fal's CDN first.
- fal cannot look a job up by anything of ours (no metadata, no listing by tag), so `find()` returns None and an
  ambiguous create ends UNCERTAIN rather than being sent again.
- The only base URL is the queue host; the key check reads fal's platform API (`api.fal.ai/v1`), which follows an
  overridden base URL so that one setting points everything at a test server.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import served, shipped
from shotline.backends.fal_inputs import ENDPOINT_ID, NAMESPACES, PROVIDER, Route, build_input, route_of
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.policy import JobGone, is_safety_stop, retired, unknown_state, unreadable
from shotline.backends.registry import BackendContext
from shotline.core.errors import (
    BackendError,
    ContentBlocked,
    InputRejected,
    JobFailed,
    QuotaExceeded,
)
from shotline.core.ports import (
    BackendInfo,
    GenerationRequest,
    JobState,
    JobStatus,
    ProgressSink,
    SentCreate,
)

log = logging.getLogger(__name__)

DEFAULT_URL = "https://queue.fal.run"
PLATFORM_URL = "https://api.fal.ai/v1"

_SEPARATOR = "|"
_PRIORITIES = frozenset({"normal", "low"})

_SHIPPED = shipped().models("fal")
_ROUTES: dict[str, Route] = {model.info.id: route_of(model.route) for model in _SHIPPED.models}
REPLACEMENTS: dict[str, str] = {
    model.info.id: model.info.replacement for model in _SHIPPED.models if model.info.replacement
}
"""The model to offer instead when fal stops serving one of the curated endpoints (the catalogue's replacement)."""
_MODEL_OF_ENDPOINT: dict[str, str] = {
    endpoint: model.info.id
    for model in _SHIPPED.models
    for endpoint in (_ROUTES[model.info.id].text, _ROUTES[model.info.id].image)
    if endpoint
}

INFO = builtin.FAL


# ---------------------------------------------------------------------------------------------- ids and URLs


def app_path(endpoint: str) -> str:
    """The `[namespace/]owner/alias` part of an endpoint id, which status, result and cancel URLs use."""
    parts = endpoint.split("/")
    if parts[0] in NAMESPACES:
        return "/".join(parts[:3])
    return "/".join(parts[:2])


def job_id(endpoint: str, request_id: str) -> str:
    return f"{endpoint}{_SEPARATOR}{request_id}"


def split_job_id(provider_job_id: str) -> tuple[str, str]:
    endpoint, separator, request_id = provider_job_id.rpartition(_SEPARATOR)
    if not separator or not request_id or not ENDPOINT_ID.fullmatch(endpoint) or len(app_path(endpoint).split("/")) < 2:
        raise JobFailed(
            f"{provider_job_id!r} is not a fal.ai job Shotline made (expected 'endpoint|request id'); "
            "generate the shot again."
        )
    return endpoint, request_id


@dataclass(frozen=True)
class _Urls:
    status: str
    result: str
    cancel: str


# ---------------------------------------------------------------------------------------------- errors


def _details(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):
        return [item for item in detail if isinstance(item, dict)]
    return []


def _error_type(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error_type"), str):
        return str(body["error_type"])
    return str(response.headers.get("x-fal-error-type", ""))


def on_error(response: httpx.Response, message: str, info: BackendInfo = INFO) -> BackendError | None:
    """fal's own error shapes; None leaves the HTTP status to ProviderHttp."""
    said = f" (fal.ai said: {message})" if message else ""
    details = _details(response)
    if is_safety_stop(_error_type(response), *(str(item.get("type") or "") for item in details)):
        return ContentBlocked(
            f"fal.ai's content checker stopped this shot{said}. Change the prompt or the image and generate again."
        )
    request = response.request
    path = request.url.path.strip("/")
    if request.method == "PUT" and path.endswith("/cancel") and response.status_code in (400, 404):
        # 400 ALREADY_COMPLETED or 404 NOT_FOUND: the request has ended or is gone, nothing is left to stop
        return JobGone(f"There was nothing left to cancel at fal.ai{said}.")
    lowered = message.lower()
    if response.status_code in (402, 403) and any(word in lowered for word in ("balance", "locked", "credit")):
        return QuotaExceeded(
            f"Your fal.ai account has run out of credit{said}. Top it up at fal.ai/dashboard/billing and try again."
        )
    if request.method == "POST" and response.status_code == 404:
        model_id = _MODEL_OF_ENDPOINT.get(path)
        if model_id is None:
            return InputRejected(
                f"fal.ai has no endpoint {path!r}{said}. Check the endpoint id on the model's page at fal.ai."
            )
        return retired(info, model_id, PROVIDER, message, named=REPLACEMENTS.get(model_id))
    return None


# ---------------------------------------------------------------------------------------------- the backend


class FalBackend:
    """Implements `GenerationBackend` and `KeyCheck` over fal's queue API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, self._models = served(ctx.catalogue, INFO)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=PROVIDER,
            base=base_url(ctx, INFO.id, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth("Authorization", "Key {key}", missing_hint="Create one at fal.ai/dashboard/keys."),
            on_error=lambda response, said: on_error(response, said, self._info),
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )
        self._urls: dict[str, _Urls] = {}
        self._cancelled: set[str] = set()

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        endpoint, body = await asyncio.to_thread(self._input, request)
        headers = {}
        priority = request.options.get("priority")
        if priority is not None:
            if priority not in _PRIORITIES:
                raise InputRejected(f"fal.ai queue priority must be 'normal' or 'low', not {priority!r}.")
            headers["X-Fal-Queue-Priority"] = str(priority)
        response = await self._http.create("POST", f"/{endpoint}", json=body, headers=headers)
        data = json_of(response, PROVIDER)
        request_id = data.get("request_id") if isinstance(data, dict) else None
        if not isinstance(request_id, str) or not request_id:
            # the job may well exist, but without its id we cannot follow it
            raise JobFailed("fal.ai accepted the shot but did not say which request it is; check your fal dashboard.")
        provider_job_id = job_id(endpoint, request_id)
        urls = _Urls(*(str(data.get(name, "")) for name in ("status_url", "response_url", "cancel_url")))
        if all(url and self._http.is_own_host(url) for url in (urls.status, urls.result, urls.cancel)):
            # the key goes with every status read, so only URLs on fal's own queue host are trusted
            self._urls[provider_job_id] = urls
        log.info("fal.ai request %s accepted on %s for job %s", request_id, endpoint, request.job_id)
        return provider_job_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        urls = self._urls_for(provider_job_id)
        data = await self._http.get_json(urls.status, params={"logs": "1"})
        if not isinstance(data, dict):
            raise unreadable(PROVIDER)
        state = str(data.get("status", ""))
        if state == "IN_QUEUE":
            position = data.get("queue_position")
            return JobStatus(JobState.QUEUED, queue_position=position if isinstance(position, int) else None)
        if state == "IN_PROGRESS":
            return JobStatus(JobState.RUNNING, message=_last_log(data.get("logs")))
        if state == "COMPLETED":
            if data.get("error"):
                return self._ended_with_error(provider_job_id, str(data["error"]), str(data.get("error_type") or ""))
            return await self._result(provider_job_id, urls)
        if state in ("CANCELED", "CANCELLED"):
            return JobStatus(JobState.CANCELLED, message="The request was cancelled at fal.ai.")
        if state in ("FAILED", "ERROR"):
            return JobStatus(JobState.FAILED, message=str(data.get("error") or "fal.ai reported that the job failed."))
        # fal's own client raises on an unknown status; Shotline follows the job on (policy.unknown_state)
        return unknown_state(PROVIDER, state)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        if not status.outputs:
            raise JobFailed("fal.ai finished the job without a clip to download. Generate the shot again.")
        await self._http.download(status.outputs[0], dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        urls = self._urls_for(provider_job_id)
        self._cancelled.add(provider_job_id)
        try:
            await self._http.read("PUT", urls.cancel)
        except JobGone:
            log.info("fal.ai request %s had already ended; nothing to cancel", provider_job_id)
            return
        log.info("fal.ai request %s cancelled", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        # fal keeps no tag of ours on a request and cannot list requests by one
        return None

    async def check_key(self) -> str:
        default = self._info.default_model
        endpoint = route_of(self._models.route(default.id)).text
        data = await self._http.get_json(self._platform("/models/pricing"), params={"endpoint_id": endpoint})
        prices = data.get("prices") if isinstance(data, dict) else None
        if isinstance(prices, list) and prices and isinstance(prices[0], dict):
            price = prices[0]
            unit = str(price.get("unit", "")).replace("_", " ")
            amount = price.get("unit_price")
            if isinstance(amount, int | float) and unit:
                currency = str(price.get("currency", "USD"))
                return f"Key accepted by fal.ai ({default.label}: {amount:g} {currency} per {unit} for this account)."
        return "Key accepted by fal.ai."

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------------------------------ helpers

    def _input(self, request: GenerationRequest) -> tuple[str, dict[str, Any]]:
        """The endpoint and the model input for `request` (reads image files: call it on a thread). The stills'
        adapter (backends.fal_images) builds a picture's instead, and reads its result's picture (`_output_url`)."""
        return build_input(request, self._info, self._models)

    def _output_url(self, result: Any) -> str | None:
        return video_url(result)

    def _urls_for(self, provider_job_id: str) -> _Urls:
        known = self._urls.get(provider_job_id)
        if known is not None:
            return known
        endpoint, request_id = split_job_id(provider_job_id)
        base = f"{self._http.base}/{app_path(endpoint)}/requests/{request_id}"
        return _Urls(status=f"{base}/status", result=base, cancel=f"{base}/cancel")

    def _platform(self, path: str) -> str:
        # the platform API lives on its own host; a test or proxy base URL serves it under /v1 instead
        root = PLATFORM_URL if self._http.base == DEFAULT_URL else f"{self._http.base}/v1"
        return root + path

    def _ended_with_error(self, provider_job_id: str, error: str, error_type: str) -> JobStatus:
        if is_safety_stop(error_type):
            return JobStatus(JobState.BLOCKED, message=error)
        if provider_job_id in self._cancelled or "cancel" in error_type.lower():
            return JobStatus(JobState.CANCELLED, message=f"The request was cancelled at fal.ai ({error}).")
        return JobStatus(JobState.FAILED, message=f"fal.ai could not make this clip: {error}")

    async def _result(self, provider_job_id: str, urls: _Urls) -> JobStatus:
        try:
            result = await self._http.get_json(urls.result)
        except ContentBlocked as exc:
            return JobStatus(JobState.BLOCKED, message=str(exc))
        except (InputRejected, JobFailed) as exc:
            if provider_job_id in self._cancelled:
                return JobStatus(JobState.CANCELLED, message="The request was cancelled at fal.ai.")
            return JobStatus(JobState.FAILED, message=str(exc))
        url = self._output_url(result)
        if url is None:
            return JobStatus(JobState.FAILED, message="fal.ai finished the job but its result has nothing made in it.")
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(url,))


def _last_log(logs: Any) -> str:
    if isinstance(logs, list):
        for entry in reversed(logs):
            if isinstance(entry, dict) and str(entry.get("message", "")).strip():
                return str(entry["message"]).strip()[:200]
    return ""


def video_url(result: Any) -> str | None:
    """Where a video endpoint's result keeps its clip: `video.url` (a few endpoints use `videos[0].url`)."""
    if not isinstance(result, dict):
        return None
    video = result.get("video")
    if isinstance(video, dict) and isinstance(video.get("url"), str):
        return str(video["url"])
    if isinstance(video, str) and video:
        return video
    videos = result.get("videos")
    if isinstance(videos, list) and videos and isinstance(videos[0], dict) and isinstance(videos[0].get("url"), str):
        return str(videos[0]["url"])
    return None
