"""fal.ai: runs a shot on one of fal's hosted video endpoints through its queue API.

The queue is submit → status (queue position, logs) → result → the clip's URL on fal's file host. Quirks that matter:

- An endpoint id is `owner/alias[/sub/path]` (or `workflows|comfy/owner/alias/...`). A job is created by POSTing
  the model's own input JSON to `{queue}/{endpoint id}`, but its status, result and cancel URLs use only
  `owner/alias`: `{queue}/{owner}/{alias}/requests/{id}/status`. Submit returns those URLs and we use them; after a
  restart only our provider job id is left, so it carries the full endpoint id (`endpoint|request_id`) and the
  URLs are rebuilt by that owner/alias rule.
- Every endpoint has its own input schema (Kling wants `duration: "5"`, Veo `"8s"`, Wan none at all), so the
  curated models each say how they take their settings. Any other endpoint is reachable through the `custom`
  model with `options["endpoint"]`; `options["input"]` adds or overrides input fields for any model.
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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import BackendModels, offered_model, sent_seconds, served, shipped
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.images import read_picture
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

PROVIDER = "fal.ai"
DEFAULT_URL = "https://queue.fal.run"
PLATFORM_URL = "https://api.fal.ai/v1"
CUSTOM = "custom"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Inline images travel in the JSON body; past this a data URI is more likely to be refused than used."""

_NAMESPACES = ("workflows", "comfy")
_ENDPOINT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)+")
_SEPARATOR = "|"
_PRIORITIES = frozenset({"normal", "low"})


# ---------------------------------------------------------------------------------------------- models


_DURATIONS: Mapping[str, Callable[[int], Any] | None] = {
    "seconds": str,  # Kling and most others: duration "5"
    "seconds_s": lambda seconds: f"{seconds}s",  # Veo: duration "8s"
    "integer": int,  # Wan 2.7, LTX-2.3: duration 5
    "none": None,  # a fixed length: the endpoint takes no duration field
}


@dataclass(frozen=True)
class Route:
    """How one model takes a shot: its endpoints and the names and formats of its input fields (its catalogue
    entry's `route`, resources/catalogue/fal.toml)."""

    text: str
    """Endpoint id for text to video."""
    image: str | None = None
    """Endpoint id for image to video (the first frame goes in `image_field`)."""
    image_field: str = "image_url"
    image_aspect: bool = True
    """Whether the image endpoint takes `aspect_ratio` too (Kling 3's follows the picture's and has no such field)."""
    duration: Callable[[int], Any] | None = str
    """Formats whole seconds for the `duration` field; None when the model has a fixed length."""
    aspect: bool = True
    resolution: bool = False
    negative_prompt: bool = False
    seed: bool = False
    audio_field: str | None = None
    last_frame_field: str | None = None
    reference: str | None = None
    """Endpoint id for reference images (its prompt names them as the model's `reference_tag` says)."""
    reference_field: str = "image_urls"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    """Inputs always sent (e.g. Hailuo's prompt optimiser)."""


def route_of(table: Mapping[str, Any]) -> Route:
    """A model's route from its catalogue table; InputRejected naming what is wrong with one that cannot be sent."""
    written = str(table.get("duration", "seconds"))
    if written not in _DURATIONS:
        raise InputRejected(
            f"The fal.ai route's duration must be one of {', '.join(_DURATIONS)}, not {written!r}; "
            "fix the model's entry in the catalogue."
        )
    fixed = table.get("fixed", {})
    return Route(
        text=str(table.get("text") or ""),
        image=str(table["image"]) if table.get("image") else None,
        image_field=str(table.get("image_field") or "image_url"),
        image_aspect=bool(table.get("image_aspect", True)),
        duration=_DURATIONS[written],
        aspect=bool(table.get("aspect", True)),
        resolution=bool(table.get("resolution", False)),
        negative_prompt=bool(table.get("negative_prompt", False)),
        seed=bool(table.get("seed", False)),
        audio_field=str(table["audio_field"]) if table.get("audio_field") else None,
        last_frame_field=str(table["last_frame_field"]) if table.get("last_frame_field") else None,
        reference=str(table["reference"]) if table.get("reference") else None,
        reference_field=str(table.get("reference_field") or "image_urls"),
        fixed=dict(fixed) if isinstance(fixed, Mapping) else {},
    )


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
    if parts[0] in _NAMESPACES:
        return "/".join(parts[:3])
    return "/".join(parts[:2])


def job_id(endpoint: str, request_id: str) -> str:
    return f"{endpoint}{_SEPARATOR}{request_id}"


def split_job_id(provider_job_id: str) -> tuple[str, str]:
    endpoint, separator, request_id = provider_job_id.rpartition(_SEPARATOR)
    if not separator or not request_id or not _ENDPOINT.fullmatch(endpoint) or len(app_path(endpoint).split("/")) < 2:
        raise JobFailed(
            f"{provider_job_id!r} is not a fal.ai job Shotline made (expected 'endpoint|request id'); "
            "generate the shot again."
        )
    return endpoint, request_id


def _checked_endpoint(endpoint: str) -> str:
    endpoint = endpoint.strip().strip("/")
    parts = endpoint.split("/")
    minimum = 3 if parts[0] in _NAMESPACES else 2
    if not _ENDPOINT.fullmatch(endpoint) or len(parts) < minimum:
        raise InputRejected(
            f"{endpoint!r} is not a fal endpoint id; write it as owner/name[/path], e.g. "
            "fal-ai/kling-video/v2.1/master/text-to-video (it is on the model's page at fal.ai)."
        )
    return endpoint


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


# ---------------------------------------------------------------------------------------------- the input body


def build_input(
    request: GenerationRequest, info: BackendInfo = INFO, models: BackendModels = _SHIPPED
) -> tuple[str, dict[str, Any]]:
    """The endpoint and the model input for `request`, checked against what the model takes (reads image files).

    `info` and `models` are the models served (the catalogue's, with the creator's own entries)."""
    model = offered_model(info, request.model, PROVIDER)
    route = route_of(models.route(model.id))
    if model.id != CUSTOM and not route.text:
        raise InputRejected(
            f"{model.label} has no fal.ai endpoint in the model catalogue; give its entry a route with 'text'."
        )
    if not request.prompt.strip():
        raise InputRejected("The shot has no prompt; write what it should show first.")
    if request.aspect not in model.aspects:
        raise InputRejected(
            f"{model.label} makes {', '.join(model.aspects)} clips, not {request.aspect}; change the shot's aspect."
        )
    if request.resolution and model.resolutions and request.resolution not in model.resolutions:
        raise InputRejected(
            f"{model.label} makes {', '.join(model.resolutions)} clips, not {request.resolution}; "
            "change the shot's resolution."
        )
    if request.reference_images and not (route.reference and model.reference_images):
        raise InputRejected(f"{model.label} on fal.ai takes no reference images; remove them from the shot.")
    if len(request.reference_images) > model.reference_images:
        raise InputRejected(
            f"{model.label} on fal.ai takes at most {model.reference_images} reference images; remove some."
        )
    if request.reference_images and (request.first_frame or request.last_frame):
        raise InputRejected(
            f"{model.label} on fal.ai takes reference images or a first/last frame, not both; remove one."
        )
    if request.last_frame and not route.last_frame_field:
        raise InputRejected(f"{model.label} on fal.ai cannot end on a given last frame; remove it from the shot.")

    if model.id == CUSTOM:
        if not str(request.options.get("endpoint") or "").strip():
            raise InputRejected("The custom fal.ai model needs an endpoint id in the shot's options ('endpoint').")
        endpoint = _checked_endpoint(str(request.options["endpoint"]))
    elif request.reference_images:
        endpoint = route.reference or ""
    elif request.first_frame:
        endpoint = route.image or ""
        if not endpoint:
            raise InputRejected(f"{model.label} on fal.ai makes clips from text only; remove the first frame.")
    else:
        endpoint = route.text

    body: dict[str, Any] = {"prompt": request.prompt.strip()}
    if route.duration is not None:
        body["duration"] = route.duration(sent_seconds(model, request.duration_us))
    if route.aspect and (route.image_aspect or not request.first_frame):
        body["aspect_ratio"] = request.aspect
    if route.resolution and request.resolution:
        body["resolution"] = request.resolution
    if route.negative_prompt and request.negative_prompt.strip():
        body["negative_prompt"] = request.negative_prompt.strip()
    if route.seed and request.seed is not None:
        body["seed"] = request.seed
    if route.audio_field:
        body[route.audio_field] = bool(request.audio)
    body.update(route.fixed)
    if request.first_frame:
        body[route.image_field] = _inline(request.first_frame)
    if request.last_frame and route.last_frame_field:
        body[route.last_frame_field] = _inline(request.last_frame)
    if request.reference_images:
        body[route.reference_field] = [_inline(image) for image in request.reference_images]
    extra = request.options.get("input")
    if extra is not None:
        if not isinstance(extra, Mapping):
            raise InputRejected("The fal.ai option 'input' must be a table of input fields and values.")
        for name, value in extra.items():
            if value is None:
                body.pop(str(name), None)  # lets a creator drop a field the endpoint does not take
            else:
                body[str(name)] = value
    return endpoint, body


def _inline(path: str) -> str:
    """A picture as a data URI, the inline form every fal endpoint takes where it asks for an image URL."""
    return read_picture(path, PROVIDER, max_bytes=MAX_IMAGE_BYTES).data_uri()
