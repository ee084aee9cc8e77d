"""Replicate: runs a shot as a prediction on an official video model, or on any `owner/name[:version]` the creator
names, and fetches the clip at once. How a shot maps onto each model's inputs is backends.replicate_inputs'; this
module is Replicate's prediction protocol.

Quirks that matter:

- Official models are created at `POST /v1/models/{owner}/{name}/predictions`; a pinned version goes to
  `POST /v1/predictions` with `"version": "<id>"`. No `Prefer: wait`: a video takes minutes, and a create held open
  that long would only end in a timeout we then have to reconcile.
- Statuses are `starting` (queued, or booting the model), `processing`, `succeeded`, `failed`, `canceled` (one l);
  progress is only what a model prints as a tqdm bar in `logs`. A safety stop is a `failed` prediction whose error
  says the input or output was "flagged as sensitive" (E005).
- `output` is one URL, a list of URLs or a data URI, and Replicate deletes it about an hour after the prediction:
  the job code downloads right after success, and a clip that is gone is reported as such, not retried.
- Replicate has no tag, name or metadata field on a prediction, so `find()` cannot look for our job id. It lists
  recent predictions and matches the model (or version), the exact prompt and every other setting we send, created
  after the create went out (the job journal's `SentCreate`, kept across a restart; else within the hour the data is
  kept), and skips predictions other jobs own. Only a single match is trusted; two look-alikes leave the job
  uncertain for the creator.
- Cost: Replicate reports `metrics.predict_time`, but what a second costs depends on the model's hardware or its own
  per-output price, neither of which the API returns, so no billed cost is claimed.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import served
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.images import read_picture
from shotline.backends.policy import JobGone, is_safety_stop, provider_time, retired, unknown_state, unreadable
from shotline.backends.registry import BackendContext
from shotline.backends.replicate_inputs import PredictionPlan, plan_prediction
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    BackendError,
    ContentBlocked,
    InputRejected,
    JobFailed,
    ModelRetired,
    QuotaExceeded,
    TransientError,
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

DEFAULT_URL = "https://api.replicate.com"
INLINE_LIMIT = 256 * 1024
_IMAGE_KINDS = ("JPEG", "PNG", "WebP", "GIF")
"""Images up to this size travel inside the request as data URIs; larger ones are uploaded to /v1/files first."""
FIND_PAGES = 5
CLOCK_SLACK_S = 120.0
"""Replicate's clock and ours may disagree; a prediction this much older than our create can still be ours."""
RETENTION_S = 3600.0
"""Replicate keeps an API prediction's inputs and outputs for about an hour."""

_PROGRESS = re.compile(r"^\s*(\d+)%\s*\|.+?\|\s*(\d+)/(\d+)")
_CREATE_PATH = re.compile(r"/v1/(?:models/(?P<model>[^/]+/[^/]+)/)?predictions")
_VIDEO = (".mp4", ".mov", ".webm", ".m4v", ".mkv")

INFO = builtin.REPLICATE


# ---------------------------------------------------------------------------------------------- the adapter


class ReplicateBackend:
    """Implements `GenerationBackend` and `KeyCheck` over Replicate's HTTP API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, self._models = served(ctx.catalogue, INFO)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider="Replicate",
            base=base_url(ctx, INFO.id, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth(
                missing_hint="Create a token at https://replicate.com/account/api-tokens (or set REPLICATE_API_TOKEN)."
            ),
            on_error=lambda response, said: _error(response, said, self._info),
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        plan = self._plan(request)
        inputs = dict(plan.inputs)
        for name, paths in plan.images.items():
            values = [await self._image(path) for path in paths]
            inputs[name] = values if name in plan.list_fields else values[0]
        body: dict[str, Any] = {"input": inputs}
        if plan.version:
            body["version"] = plan.version
        response = await self._http.create("POST", plan.path, json=body)
        try:
            prediction = response.json()
            provider_id = str(prediction["id"])
        except (ValueError, KeyError, TypeError):
            raise AmbiguousSubmit(
                f"Replicate accepted the request (HTTP {response.status_code}) but its answer had no prediction id."
            ) from None
        log.info("Replicate prediction %s created for job %s (%s)", provider_id, request.job_id, plan.model)
        return provider_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        prediction = await self._http.get_json(f"/v1/predictions/{_safe_id(provider_job_id)}")
        if not isinstance(prediction, dict):
            raise unreadable("Replicate")
        return status_of(prediction)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        if not status.outputs:
            raise JobFailed("Replicate finished the prediction without a video to download.")
        url = status.outputs[0]
        if url.startswith("data:"):
            await _write_data_uri(url, dest, progress)
            return
        await self._http.download(url, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        try:
            await self._http.read("POST", f"/v1/predictions/{_safe_id(provider_job_id)}/cancel")
        except JobGone:
            log.info("Replicate no longer has prediction %s; nothing to cancel", provider_job_id)
            return
        except (JobFailed, InputRejected) as exc:
            # a prediction that already ended may refuse the cancel; that is what the creator wanted anyway
            if not (await self.poll(provider_job_id)).state.is_final:
                raise JobFailed(f"Replicate did not cancel prediction {provider_job_id}: {exc}") from exc
        log.info("Replicate prediction %s cancelled", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        plan = self._plan(request)
        sent = sent or SentCreate()
        since = sent.sent_at - CLOCK_SLACK_S if sent.sent_at else time.time() - RETENTION_S
        matches: list[str] = []
        path: str | None = "/v1/predictions"
        for _ in range(FIND_PAGES):
            if path is None:
                break
            page = await self._http.get_json(path)
            results = page.get("results", []) if isinstance(page, dict) else []
            older = False
            for prediction in results:
                if not isinstance(prediction, dict):
                    continue
                created = provider_time(prediction.get("created_at"))
                if created is not None and created < since:
                    older = True
                    continue
                provider_id = str(prediction.get("id", ""))
                if not provider_id or provider_id in sent.claimed or not _same_model(prediction, plan):
                    continue
                if not isinstance(prediction.get("input"), Mapping):
                    # a listing may leave the inputs out; the prediction itself has them
                    prediction = await self._http.get_json(f"/v1/predictions/{_safe_id(provider_id)}")
                if isinstance(prediction, dict) and _same_inputs(prediction, plan):
                    matches.append(provider_id)
            following = page.get("next") if isinstance(page, dict) else None
            # the list is newest first; a cursor to another host would get our key, so it is not followed
            path = str(following) if following and not older and self._http.is_own_host(str(following)) else None
        if len(matches) != 1:
            if matches:
                log.warning("Found %d look-alike predictions for job %s; not guessing", len(matches), request.job_id)
            return None
        return matches[0]

    async def check_key(self) -> str:
        account = await self._http.get_json("/v1/account")
        name = account.get("username") if isinstance(account, dict) else None
        return f"Key accepted (Replicate account {name})." if name else "Key accepted."

    async def aclose(self) -> None:
        await self._http.aclose()

    def _plan(self, request: GenerationRequest) -> PredictionPlan:
        """The prediction `request` makes; the stills' adapter (backends.replicate_images) plans a picture's."""
        return plan_prediction(request, self._info, self._models)

    # ------------------------------------------------------------------------------------------ images

    async def _image(self, path: str) -> str:
        picture = await asyncio.to_thread(read_picture, path, "Replicate", kinds=_IMAGE_KINDS)
        if len(picture.data) <= INLINE_LIMIT:
            return picture.data_uri()
        # An upload starts no job and bills nothing, so it may be retried like a read; an extra copy just expires.
        response = await self._http.read(
            "POST", "/v1/files", files={"content": (picture.name, picture.data, picture.mime)}
        )
        uploaded = json_of(response, "Replicate")
        url = uploaded.get("urls", {}).get("get") if isinstance(uploaded, dict) else None
        if not url:
            raise TransientError("Replicate took the image upload but did not say where the file is.")
        return str(url)


# ---------------------------------------------------------------------------------------------- reading answers


def status_of(prediction: Mapping[str, Any]) -> JobStatus:
    """A prediction object as a normalised JobStatus."""
    state = str(prediction.get("status", ""))
    error = str(prediction.get("error") or "").strip()
    if state == "starting":
        return JobStatus(JobState.QUEUED, message="Waiting for Replicate to start the model")
    if state == "processing":
        return JobStatus(JobState.RUNNING, progress=_progress(prediction.get("logs")))
    if state == "succeeded":
        outputs = _outputs(prediction.get("output"))
        if not outputs:
            return JobStatus(
                JobState.FAILED,
                message="Replicate has no video for this prediction any more (it keeps outputs for about an hour). "
                "Generate the shot again.",
            )
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=outputs)
    if state == "failed":
        if is_safety_stop(error):
            return JobStatus(JobState.BLOCKED, message=error)
        return JobStatus(JobState.FAILED, message=f"Replicate could not make this clip: {error or 'no reason given'}.")
    if state == "canceled":
        return JobStatus(JobState.CANCELLED, message="The prediction was cancelled at Replicate.")
    if state == "aborted":
        return JobStatus(
            JobState.FAILED, message="Replicate dropped the prediction before it started (nothing was billed)."
        )
    return unknown_state("Replicate", state)


def _progress(logs: Any) -> float | None:
    if not isinstance(logs, str):
        return None
    for line in reversed(logs.splitlines()):
        if match := _PROGRESS.match(line):
            current, total = int(match.group(2)), int(match.group(3))
            return min(current / total, 1.0) if total else int(match.group(1)) / 100
    return None


def _outputs(output: Any) -> tuple[str, ...]:
    """Every URL in `output` (a string, a list or a mapping of them), videos first."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and (value.startswith(("https://", "http://", "data:"))):
            found.append(value)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)

    walk(output)
    return tuple(sorted(found, key=lambda url: not _is_video(url)))


def _is_video(url: str) -> bool:
    if url.startswith("data:"):
        return url.startswith("data:video/")
    return urlsplit(url).path.lower().endswith(_VIDEO)


def _same_model(prediction: Mapping[str, Any], plan: PredictionPlan) -> bool:
    if plan.version is not None:
        return str(prediction.get("version", "")).lower() == plan.version
    return prediction.get("model") == plan.model


def _same_inputs(prediction: Mapping[str, Any], plan: PredictionPlan) -> bool:
    """Whether a prediction got every setting `plan` sends (images aside: their data URIs or uploads differ)."""
    sent = prediction.get("input")
    if not isinstance(sent, Mapping):
        return False
    return all(sent.get(name) == value for name, value in plan.inputs.items())


def _safe_id(provider_job_id: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", provider_job_id):
        raise JobFailed(f"{provider_job_id!r} is not a Replicate prediction id.")
    return provider_job_id


async def _write_data_uri(url: str, dest: Path, progress: ProgressSink) -> None:
    header, _, payload = url.partition(",")
    try:
        data = base64.b64decode(payload, validate=True) if header.endswith(";base64") else payload.encode()
    except ValueError as exc:
        raise JobFailed(f"Replicate sent the clip inline but it could not be decoded ({exc}).") from exc
    if not data:
        raise JobFailed("Replicate sent an empty clip.")

    def write() -> None:
        with dest.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    await asyncio.to_thread(write)
    progress(1.0)


def _error(response: httpx.Response, message: str, info: BackendInfo = INFO) -> BackendError | None:
    """Replicate's problem-details errors, in the creator's terms."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    title, detail = str(body.get("title") or ""), str(body.get("detail") or message)
    said = f" (Replicate said: {detail or title})" if detail or title else ""
    status = response.status_code
    request = response.request
    create = _CREATE_PATH.fullmatch(request.url.path) if request.method == "POST" else None
    if is_safety_stop(title, detail):
        return ContentBlocked(f"Replicate's safety filter refused this shot{said}. Change the prompt or images.")
    if status == 401:
        return AuthFailed(
            f"Replicate did not accept the API token{said}. Check it in Edit → API keys or REPLICATE_API_TOKEN; "
            "tokens are at https://replicate.com/account/api-tokens."
        )
    if status == 402:
        return QuotaExceeded(
            f"Your Replicate account is out of credit{said}. Add credit at https://replicate.com/account/billing."
        )
    if create is not None and status == 404:
        model = create.group("model") or ""
        return retired(info, model, "Replicate", detail or title)
    if create is not None and status == 422 and "version" in f"{title} {detail}".lower():
        return ModelRetired(
            f"Replicate does not offer this model version, or your account may not use it{said}. "
            "Use the model's latest version id from its page on replicate.com."
        )
    if status == 422:
        fields = body.get("invalid_fields")
        if isinstance(fields, list) and fields:
            detail = "; ".join(str(item.get("description", item)) for item in fields if isinstance(item, dict))
        return InputRejected(
            f"Replicate refused a setting: {detail.strip() or title}. Change the shot's settings and try again."
        )
    return None


__all__ = ["INFO", "ReplicateBackend", "status_of"]
