"""Runway: turns a shot into a Runway task (`/v1/text_to_video` or `/v1/image_to_video`), polls it and fetches the clip.

Provider quirks that shape this module (read in the official `runwayml` SDK, 5.24):

- Every request carries `X-Runway-Version: 2024-11-06` besides the Bearer key; bodies are camelCase JSON.
- A task is PENDING or THROTTLED (over the account's concurrency: queued by Runway, not refused), RUNNING with a
  0..1 `progress`, then SUCCEEDED with `output` URLs, FAILED with `failure` and an optional `failureCode`
  (`SAFETY.*` is a moderation stop), or CANCELLED. Terminal tasks report `cost.credits`, the credits charged.
- Output URLs are signed and expire within a day or two; fetching the task again hands out fresh ones.
- DELETE on a running task cancels it, but DELETE on a finished task deletes its output, so cancel looks first.
- Runway cannot list tasks and takes no tag or metadata on a create, so `find()` cannot reconcile an ambiguous
  create: such a job is marked uncertain, never sent twice.
- Images go inline as data URIs (Runway's limit for those is 5 MB); larger ones would need Runway's upload service.
- `veo3` and `gen3a_turbo` are no longer offered (the SDK dropped them); asking for them names the replacement.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import (
    BackendModels,
    offered_model,
    sent_seconds,
    served,
    shipped,
)
from shotline.backends.http import KeyAuth, LinkExpired, ProviderHttp, base_url, http_timeout
from shotline.backends.images import read_picture
from shotline.backends.policy import JobGone, is_safety_stop, retired, unknown_state, unreadable
from shotline.backends.registry import BackendContext
from shotline.core.errors import (
    AuthFailed,
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
    ModelInfo,
    ProgressSink,
    SentCreate,
)

log = logging.getLogger(__name__)

DEFAULT_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
USD_PER_CREDIT = Decimal("0.01")
"""Runway sells API credits at one cent each (resources/prices/runway.toml derives its rates from this)."""

_PROVIDER = "Runway"
_MAX_PROMPT_UTF16 = 1000
_MAX_DATA_URI = 5_000_000
_MAX_SEED = 4_294_967_295

_GEN4_RATIOS = {
    "16:9": "1280:720",
    "9:16": "720:1280",
    "4:3": "1104:832",
    "3:4": "832:1104",
    "1:1": "960:960",
    "21:9": "1584:672",
}
_WIDE_RATIOS = {"16:9": "1280:720", "9:16": "720:1280"}
_VEO_RATIOS = {
    ("16:9", "720p"): "1280:720",
    ("9:16", "720p"): "720:1280",
    ("16:9", "1080p"): "1920:1080",
    ("9:16", "1080p"): "1080:1920",
}
INFO = builtin.RUNWAY


@dataclass(frozen=True)
class _Create:
    """A create request, checked and ready to send."""

    path: str
    body: dict[str, Any]


class RunwayBackend:
    """Implements `GenerationBackend` and `KeyCheck` for the Runway API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, self._models = served(ctx.catalogue, INFO)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=_PROVIDER,
            base=base_url(ctx, INFO.id, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth(missing_hint="Make one at dev.runwayml.com under API Keys."),
            headers={"X-Runway-Version": API_VERSION},
            on_error=lambda response, said: _runway_error(response, said, self._info),
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        create = await self._create(request)
        response = await self._http.create("POST", create.path, json=create.body)
        answer = _json(response)
        task_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise JobFailed("Runway accepted the request but sent no task id; check your Runway dashboard.")
        log.info("Runway task %s created for job %s (%s)", task_id, request.job_id, create.body["model"])
        return task_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        task = await self._http.get_json(f"/v1/tasks/{provider_job_id}")
        if not isinstance(task, dict):
            raise unreadable(_PROVIDER)
        return _status_of(task)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        if not status.outputs:
            raise JobFailed(f"Runway finished task {provider_job_id} without a clip; generate the shot again.")
        await self._http.download(status.outputs[0], dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        path = f"/v1/tasks/{provider_job_id}"
        try:
            # DELETE on a finished task deletes its clip, which the creator has paid for: only stop running ones
            if _status_of(await self._http.get_json(path)).state.is_final:
                return
            await self._http.read("DELETE", path, headers={"Accept": "*/*"})
        except JobGone:
            return  # Runway no longer knows the task (deleted): nothing left to stop
        log.info("Runway task %s cancelled", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        # Runway has no task list and no way to tag a task, so a create whose answer was lost cannot be found.
        return None

    async def check_key(self) -> str:
        organization = await self._http.get_json("/v1/organization")
        balance = organization.get("creditBalance") if isinstance(organization, dict) else None
        if isinstance(balance, int | float) and not isinstance(balance, bool):
            dollars = (Decimal(str(balance)) * USD_PER_CREDIT).quantize(Decimal("0.01"))
            return f"Key accepted; {balance:g} credits left (about ${dollars})."
        return "Key accepted."

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _create(self, request: GenerationRequest) -> _Create:
        """The create `request` makes; the stills' adapter (backends.runway_images) makes a text_to_image one."""
        return await _create_for(request, self._info, self._models)


# ---------------------------------------------------------------------------------------------- requests


async def _create_for(
    request: GenerationRequest, info: BackendInfo = INFO, models: BackendModels | None = None
) -> _Create:
    """The endpoint and body for `request`, or InputRejected/ModelRetired before anything is sent."""
    model = offered_model(info, request.model, _PROVIDER)
    if len(request.reference_images) > model.reference_images:
        takes = f"at most {model.reference_images}" if model.reference_images else "no"
        raise InputRejected(f"{model.label} on Runway takes {takes} reference images; remove some from the shot.")
    if request.reference_images and request.first_frame:
        # image_to_video takes keyframes or references, "the two modes cannot be mixed" (runwayml SDK)
        raise InputRejected(
            f"{model.label} on Runway takes reference images or a first frame, not both; remove one from the shot."
        )
    if request.last_frame and not request.first_frame:
        raise InputRejected(f"{model.label} needs a first frame when a last frame is given; add one.")
    if request.last_frame and not model.first_last_frame:
        raise InputRejected(f"{model.label} takes only a first frame; remove the last frame or pick Veo 3.1.")
    if not request.first_frame and not model.text_to_video:
        raise InputRejected(f"{model.label} makes clips from an image; give the shot a first frame.")
    prompt = request.prompt.strip()
    if not prompt and (not request.first_frame or model.id == "gen4.5"):
        raise InputRejected("The shot has no prompt; write what it should show.")
    if len(prompt.encode("utf-16-le")) // 2 > _MAX_PROMPT_UTF16:
        raise InputRejected(f"Runway takes prompts of up to {_MAX_PROMPT_UTF16} characters; shorten this one.")

    body: dict[str, Any] = {
        "model": model.id,
        "ratio": _ratio(model, request, (models or shipped().models(INFO.id)).route(model.id)),
        "duration": sent_seconds(model, request.duration_us),
    }
    if prompt:
        body["promptText"] = prompt
    if request.seed is not None:
        if not model.seed:
            log.debug("%s takes no seed; sending none", model.id)
        elif not 0 <= request.seed <= _MAX_SEED:
            raise InputRejected(f"Runway takes seeds from 0 to {_MAX_SEED}; change the shot's seed.")
        else:
            body["seed"] = request.seed
    if model.negative_prompt and request.negative_prompt.strip():
        body["negativePrompt"] = request.negative_prompt.strip()
    if model.audio:
        body["audio"] = request.audio
    threshold = request.options.get("public_figure_threshold")
    if threshold is not None and model.id in ("gen4.5", "gen4_turbo"):
        if threshold not in ("auto", "low"):
            raise InputRejected("The public figure threshold for Runway is either 'auto' or 'low'.")
        body["contentModeration"] = {"publicFigureThreshold": threshold}

    if not request.first_frame:
        if request.reference_images:  # text_to_video `references`: {uri} each, bound to the prompt by their order
            body["references"] = [{"uri": await _data_uri(image)} for image in request.reference_images]
        return _Create("/v1/text_to_video", body)
    images = [{"uri": await _data_uri(request.first_frame), "position": "first"}]
    if request.last_frame:
        images.append({"uri": await _data_uri(request.last_frame), "position": "last"})
    body["promptImage"] = images
    return _Create("/v1/image_to_video", body)


def _ratio(model: ModelInfo, request: GenerationRequest, route: Mapping[str, Any]) -> str:
    aspect = request.aspect
    ratios = route.get("ratios")
    if isinstance(ratios, Mapping) and ratios:
        # the catalogue names the pixel ratio this model takes for each aspect
        ratio = str(ratios[aspect]) if aspect in model.aspects and aspect in ratios else None
    elif model.resolutions:
        resolution = request.resolution or model.resolutions[0]
        if resolution not in model.resolutions:
            raise InputRejected(
                f"{model.label} makes {' or '.join(model.resolutions)} clips, not {resolution}; change the resolution."
            )
        ratio = _VEO_RATIOS.get((aspect, resolution))
    elif request.first_frame or model.id != "gen4.5":
        ratio = _GEN4_RATIOS.get(aspect) if aspect in model.aspects else None
    else:
        ratio = _WIDE_RATIOS.get(aspect)
        if ratio is None and aspect in _GEN4_RATIOS:
            raise InputRejected(
                f"Gen-4.5 makes {aspect} clips only from a first frame; use 16:9 or 9:16, or add a first frame."
            )
    if ratio is None:
        raise InputRejected(f"{model.label} makes {', '.join(model.aspects)} clips, not {aspect}; change the aspect.")
    return ratio


async def _data_uri(path_text: str) -> str:
    # Runway limits the data URI to 5 MB, so about 3.7 MB of picture once base64 has grown it by a third
    picture = await asyncio.to_thread(read_picture, path_text, _PROVIDER, max_bytes=_MAX_DATA_URI * 3 // 4 - 100)
    return picture.data_uri()


# ---------------------------------------------------------------------------------------------- answers


def _status_of(task: dict[str, Any]) -> JobStatus:
    state = str(task.get("status", ""))
    if state == "PENDING":
        return JobStatus(JobState.QUEUED)
    if state == "THROTTLED":
        return JobStatus(
            JobState.QUEUED,
            message="Waiting at Runway: your account is already running as many jobs as its tier allows",
        )
    if state == "RUNNING":
        progress = task.get("progress")
        fraction = min(max(float(progress), 0.0), 1.0) if isinstance(progress, int | float) else None
        return JobStatus(JobState.RUNNING, progress=fraction)
    cost = _billed(task)
    if state == "SUCCEEDED":
        outputs = tuple(url for url in task.get("output") or () if isinstance(url, str) and url)
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=outputs, billed_cost=cost)
    if state == "CANCELLED":
        return JobStatus(JobState.CANCELLED, message="The task was cancelled at Runway.", billed_cost=cost)
    if state == "FAILED":
        failure = str(task.get("failure") or "no reason given")
        code = str(task.get("failureCode") or "")
        said = f"{failure} [{code}]" if code else failure
        if is_safety_stop(code, failure):
            return JobStatus(JobState.BLOCKED, message=said, billed_cost=cost)
        if code.startswith("INTERNAL"):
            message = f"Runway could not finish this clip ({said}). Generating again usually works."
        elif code.startswith("ASSET"):
            message = f"Runway could not use the shot's image ({said}). Try another image."
        else:
            message = f"Runway reported that the job failed ({said})."
        return JobStatus(JobState.FAILED, message=message, billed_cost=cost)
    return unknown_state(_PROVIDER, state)


def _billed(task: dict[str, Any]) -> Decimal | None:
    cost = task.get("cost")
    credits = cost.get("credits") if isinstance(cost, dict) else None
    if not isinstance(credits, int | float) or isinstance(credits, bool):
        return None
    try:
        return Decimal(str(credits)) * USD_PER_CREDIT
    except InvalidOperation:
        return None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _runway_error(response: httpx.Response, message: str, info: BackendInfo = INFO) -> BackendError | None:
    """Runway's error answers: `{"error": str, "issues": [{"path", "message"}…]}`, read for what they mean."""
    body = _json(response)
    issues = body.get("issues") if isinstance(body, dict) else None
    details = [issue for issue in issues if isinstance(issue, dict)] if isinstance(issues, list) else []
    said_parts = [message, *(str(issue.get("message", "")) for issue in details[:3])]
    said = "; ".join(part for part in dict.fromkeys(said_parts) if part)
    words = said.lower()
    status = response.status_code
    on_api = response.request.url.path.startswith("/v1/")
    if status in (403, 404, 410) and not on_api:
        # a result link on Runway's own host (as in a test): it has expired like any signed link
        return LinkExpired(f"The link to the clip at Runway has expired (HTTP {status}).")
    if status == 401:
        return AuthFailed(
            f"Runway did not accept the API key (Runway said: {said or 'unauthorized'}). "
            "Check it in Edit → API keys; keys are made at dev.runwayml.com."
        )
    if status == 429:
        return QuotaExceeded(
            f"Runway is refusing new jobs for now (Runway said: {said or 'too many requests'}). Your account may "
            "have reached its daily generation limit; wait, or raise your tier at dev.runwayml.com."
        )
    if status not in (400, 422):
        return None
    if "credit" in words:
        return QuotaExceeded(
            f"Your Runway account is out of credits (Runway said: {said}). Buy credits at dev.runwayml.com."
        )
    if is_safety_stop(said):
        return ContentBlocked(
            f"Runway's safety filter refused this shot (Runway said: {said}). Change the prompt or image."
        )
    if any(issue.get("path", [None])[:1] == ["model"] for issue in details if isinstance(issue.get("path"), list)):
        model = _sent_model(response) or ""
        return retired(info, model, _PROVIDER, said)
    return InputRejected(f"Runway refused the shot's settings (Runway said: {said}). Change them and try again.")


def _sent_model(response: httpx.Response) -> str | None:
    try:
        sent = json.loads(response.request.content or b"null")
    except (ValueError, httpx.RequestNotRead):
        return None
    model = sent.get("model") if isinstance(sent, dict) else None
    return model if isinstance(model, str) else None
