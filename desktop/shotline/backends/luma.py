"""Luma Dream Machine: turns a shot into a ray-2 / ray-flash-2 generation and brings the clip home.

The wire protocol is the one the official `lumaai` SDK speaks (`POST /generations/video`, `GET /generations/{id}`,
`GET /generations`, `DELETE /generations/{id}`, `GET /credits`, Bearer key). Quirks that shape this module:

- **Lengths are 5 s or 9 s only.** A shot is given the shortest clip that covers it (a 3 s shot gets 5 s and is
  trimmed in the editor); a shot over 9 s is refused before anything is sent.
- **Keyframes are web addresses.** Luma has no upload endpoint and documents no data: URIs, so a start or end frame
  that is a file on this computer is refused with an explanation; an `https://` address is passed through.
  `options["extend_from"]` (a Luma generation id) continues an earlier Luma clip; `options["loop"]` asks for a
  seamless loop; `options["concepts"]` lists camera-motion concept keys.
- **No job tag, no cancel.** A create cannot carry our job id, so `find()` matches Luma's list on prompt, settings
  and creation time against what the job journal kept of the create (`SentCreate`: when it went out, which
  generations other jobs own), after a restart as in the session that sent it. Cancelling deletes the generation —
  Luma's only way to stop one.
- **No cost in the answer.** Luma reports no price per generation; `check_key` reads the credit balance (USD cents).
- A failed generation only has a free-text `failure_reason`; moderation failures are recognised by their wording.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import offered_model, sent_seconds, served
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout
from shotline.backends.policy import JobGone, is_safety_stop, provider_time, retired, unknown_state, unreadable
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

PROVIDER = "Luma"
DEFAULT_URL = "https://api.lumalabs.ai/dream-machine/v1"
KEYS_PAGE = "https://lumalabs.ai/dream-machine/api/keys"

_STATES = {"queued": JobState.QUEUED, "dreaming": JobState.RUNNING}
_CREDIT_WORDS = re.compile(r"credit|balance|insufficient|payment|billing", re.IGNORECASE)
_MODEL_WORDS = re.compile(
    r"\bmodel\b.*\b(invalid|unknown|unsupported|not (found|supported|available)|deprecated|retired|no longer)\b"
    r"|\b(invalid|unknown|unsupported|deprecated|retired)\b.*\bmodel\b",
    re.IGNORECASE,
)

_LIST_PAGE = 100
_LIST_PAGES = 5
_MATCH_BEFORE_S = 300.0
"""Luma's clock may run behind ours; a generation this much older than our send time can still be ours."""
_MATCH_AFTER_S = 900.0
"""A create is registered within moments of arriving; anything later than this was a different request."""


INFO = builtin.LUMA


class LumaBackend:
    """Implements `GenerationBackend` and `KeyCheck` against the Dream Machine API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, _ = served(ctx.catalogue, INFO)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=PROVIDER,
            base=base_url(ctx, INFO.id, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth(missing_hint=f"Create one at {KEYS_PAGE}."),
            headers={"Accept": "application/json"},
            on_error=lambda response, said: luma_error(response, said, self._info),
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        body = create_body(request, self._info)
        response = await self._http.create("POST", "/generations/video", json=body)
        provider_id = generation_id(_json(response))
        log.info("Luma generation %s created for job %s", provider_id, request.job_id)
        return provider_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        gone = f"{PROVIDER} no longer has this generation; it was deleted or cancelled."
        return await read_generation(self._http, provider_job_id, status_of, gone)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        await download_clip(self._http, self.poll, provider_job_id, status, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        try:
            await self._http.read("DELETE", f"/generations/{provider_job_id}", headers={"Accept": "*/*"})
        except JobGone:
            log.info("Luma generation %s was already gone", provider_job_id)
            return
        log.info("Luma generation %s deleted", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        if sent is None or not sent.sent_at:
            # without the time it went out, matching on the prompt alone could claim another job's clip, so the
            # job is left uncertain for the creator to check
            log.warning("No record of when job %s was sent to Luma; cannot look for it", request.job_id)
            return None
        body = create_body(request, self._info)
        best: tuple[float, str] | None = None
        for page in range(_LIST_PAGES):
            listing = await self._http.get_json(
                "/generations", params={"limit": _LIST_PAGE, "offset": page * _LIST_PAGE}
            )
            if not isinstance(listing, dict):
                break
            generations = listing.get("generations") or []
            for generation in generations:
                if not isinstance(generation, dict):
                    continue
                provider_id = str(generation.get("id") or "")
                created = provider_time(generation.get("created_at"))
                if not provider_id or provider_id in sent.claimed or created is None:
                    continue
                if not sent.sent_at - _MATCH_BEFORE_S <= created <= sent.sent_at + _MATCH_AFTER_S:
                    continue
                if _same_request(body, generation.get("request")):
                    distance = abs(created - sent.sent_at)
                    if best is None or distance < best[0]:
                        best = (distance, provider_id)
            if not listing.get("has_more") or len(generations) < _LIST_PAGE:
                break
        if best is None:
            return None
        log.info("Found Luma generation %s for job %s", best[1], request.job_id)
        return best[1]

    async def check_key(self) -> str:
        credits = await self._http.get_json("/credits")
        balance = credits.get("credit_balance") if isinstance(credits, dict) else None
        if isinstance(balance, int | float):
            dollars = Decimal(str(balance)) / 100
            return f"Key accepted; ${dollars.quantize(Decimal('0.01'))} of {PROVIDER} credit left."
        return "Key accepted."

    async def aclose(self) -> None:
        await self._http.aclose()


# ---------------------------------------------------------------------------------------------- the request


def create_body(request: GenerationRequest, info: BackendInfo = INFO) -> dict[str, Any]:
    """The `POST /generations/video` body for a shot; InputRejected (before anything is sent) when Luma can't."""
    model = offered_model(info, request.model, PROVIDER)
    if not request.prompt.strip() and not request.first_frame and not request.options.get("extend_from"):
        raise InputRejected("Luma needs a prompt for this shot; write what it should show.")
    if request.aspect not in model.aspects:
        raise InputRejected(
            f"Luma cannot make {request.aspect} clips; choose one of {', '.join(model.aspects)} in the shot's settings."
        )
    if request.reference_images:
        raise InputRejected(
            "Luma Dream Machine takes no reference images; remove them from the shot or choose another backend."
        )
    body: dict[str, Any] = {
        "model": model.id,
        "prompt": request.prompt,
        "aspect_ratio": request.aspect,
        "duration": f"{sent_seconds(model, request.duration_us)}s",
        "resolution": _resolution(request, model),
    }
    if "loop" in request.options:
        body["loop"] = bool(request.options["loop"])
    keyframes = _keyframes(request)
    if keyframes:
        body["keyframes"] = keyframes
    concepts = request.options.get("concepts")
    if concepts:
        keys = [concepts] if isinstance(concepts, str) else list(concepts)
        body["concepts"] = [{"key": str(key)} for key in keys]
    if request.negative_prompt or request.seed is not None:
        log.debug("Luma takes no negative prompt or seed; leaving them out for job %s", request.job_id)
    return body


def _resolution(request: GenerationRequest, model: ModelInfo) -> str:
    if asked := asked_resolution(request, model, "Luma"):
        return asked
    # nothing chosen: the smallest Luma size that is not below the project frame, since each step up costs more
    short_side = min(request.size.width, request.size.height)
    for name, lines in (("540p", 540), ("720p", 720), ("1080p", 1080)):
        if short_side <= lines:
            return name
    return "4k"


def _keyframes(request: GenerationRequest) -> dict[str, Any]:
    keyframes: dict[str, Any] = {}
    extend_from = request.options.get("extend_from")
    if extend_from:
        if request.first_frame:
            raise InputRejected("A Luma clip can continue an earlier clip or start from an image, not both.")
        keyframes["frame0"] = {"type": "generation", "id": str(extend_from)}
    for name, image, which in (("frame0", request.first_frame, "start"), ("frame1", request.last_frame, "end")):
        if image:
            keyframes[name] = {"type": "image", "url": _image_url(image, which)}
    return keyframes


def _image_url(image: str, which: str) -> str:
    if re.match(r"https://", image, re.IGNORECASE):
        return image
    raise InputRejected(
        f"Luma takes a {which} frame only as a public web address (https://…) and has no way to upload a file; "
        f"{Path(image).name!r} is on this computer. Put the image online and use its address, or leave the "
        f"{which} frame empty."
    )


# ---------------------------------------------------------------------------------------------- the answers


def status_of(generation: Any) -> JobStatus:
    """A Luma Generation object as a normalised status."""
    return generation_status(generation, _STATES, _video_of, _failure)


def _video_of(generation: dict[str, Any]) -> str:
    assets = generation.get("assets") or {}
    video = assets.get("video") if isinstance(assets, dict) else None
    return str(video) if video else ""


def _failure(generation: dict[str, Any]) -> JobStatus:
    # only free text: a moderation stop is known by its wording
    return failed_status(str(generation.get("failure_reason") or "").strip())


# ---------------------------------------------------------------------------------------------- both Luma APIs
# A generation lives the same way on the Dream Machine and the Agents API (backends.luma_agents): created, read at
# /generations/{id} until `state` is completed or failed, the clip at an expiring link. What differs is told by the
# caller: where the clip is in the Generation object, and what a failure says.


def generation_id(generation: Any) -> str:
    """The id of the generation a create made (its answer, parsed); JobFailed when the answer has none."""
    provider_id = str(generation.get("id") or "") if isinstance(generation, dict) else ""
    if not provider_id:
        raise JobFailed(f"{PROVIDER} accepted the request but sent back no generation id; check your dashboard.")
    return provider_id


async def read_generation(
    http: ProviderHttp, provider_job_id: str, status: Callable[[Any], JobStatus], gone: str
) -> JobStatus:
    """A generation's status, as `status` reads the Generation object; CANCELLED saying `gone` when Luma no longer
    has it."""
    try:
        generation = await http.get_json(f"/generations/{provider_job_id}")
    except JobGone:
        return JobStatus(JobState.CANCELLED, message=gone)
    return status(generation)


async def download_clip(
    http: ProviderHttp,
    poll: Callable[[str], Awaitable[JobStatus]],
    provider_job_id: str,
    status: JobStatus,
    dest: Path,
    progress: ProgressSink,
) -> None:
    """Bring a finished generation's clip home to `dest`, polling first when `status` has no link."""
    if not status.outputs:
        status = await poll(provider_job_id)
    if status.state is not JobState.SUCCEEDED or not status.outputs:
        raise JobFailed(f"{PROVIDER} has no finished clip for generation {provider_job_id}.")
    # a stale signed link answers 403/404 from the storage host: LinkExpired, and the job code polls again
    await http.download(status.outputs[0], dest, progress)


def generation_status(
    generation: Any,
    running: Mapping[str, JobState],
    clip: Callable[[dict[str, Any]], str],
    failure: Callable[[dict[str, Any]], JobStatus],
) -> JobStatus:
    """A Generation object as a normalised status: `running` names the API's states on the way, `clip` finds a
    completed one's link ("" for none), `failure` reads a failed one."""
    if not isinstance(generation, dict):
        raise unreadable(PROVIDER)
    state = str(generation.get("state") or "")
    if state in running:
        return JobStatus(running[state])
    if state == "completed":
        link = clip(generation)
        if not link:
            return JobStatus(JobState.FAILED, message=f"{PROVIDER} finished the generation but gave no video.")
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(link,))
    if state == "failed":
        return failure(generation)
    return unknown_state(PROVIDER, state)


def failed_status(reason: str, code: str = "") -> JobStatus:
    """A failed generation, by its `failure_reason` (and, on the Agents API, its `failure_code`)."""
    if is_safety_stop(code, reason):
        return JobStatus(JobState.BLOCKED, message=reason or f"{PROVIDER}'s moderation refused this shot.")
    said = f": {reason}" if reason else (f" ({code})" if code else ", without saying why")
    return JobStatus(JobState.FAILED, message=f"{PROVIDER} could not make this clip{said}. Try again.")


def asked_resolution(request: GenerationRequest, model: ModelInfo, maker: str) -> str:
    """The resolution the shot asks for ("" for none); InputRejected, naming `maker`, when the model has no such."""
    if request.resolution and request.resolution not in model.resolutions:
        raise InputRejected(
            f"{maker} cannot make {request.resolution} clips; choose one of {', '.join(model.resolutions)}."
        )
    return request.resolution


def luma_error(
    response: httpx.Response,
    message: str,
    info: BackendInfo = INFO,
    *,
    billing_page: str = KEYS_PAGE,
    key_hint: str = "",
) -> BackendError | None:
    """Luma's own error answers, on the Dream Machine and the Agents API alike: `{"detail": "..."}` with a status;
    None leaves the status to decide. `key_hint` says which of Luma's keys a refused one should have been."""
    said = f" ({PROVIDER} said: {message})" if message else ""
    status = response.status_code
    if status == 404:
        return JobGone(f"{PROVIDER} does not know this generation or address{said}.")
    if status in (400, 403, 422) and is_safety_stop(message):
        return ContentBlocked(f"{PROVIDER}'s safety filter refused this shot{said}. Change the prompt and try again.")
    if status in (400, 402, 403) and message and _CREDIT_WORDS.search(message):
        return QuotaExceeded(f"Your {PROVIDER} account is out of credit{said}. Add credit at {billing_page}.")
    if status == 401:
        return AuthFailed(f"{PROVIDER} did not accept the API key{said}.{key_hint} Check it in Edit → API keys.")
    if status in (400, 422) and message and _MODEL_WORDS.search(message):
        model = _sent_model(response)
        return retired(info, model, PROVIDER, message, named=info.default_model.id)
    if status in (400, 422):
        return InputRejected(f"{PROVIDER} refused the shot's settings{said}. Change them and try again.")
    return None


def _sent_model(response: httpx.Response) -> str:
    try:
        body = json.loads(response.request.content or b"null")
    except (ValueError, httpx.RequestNotRead):
        return ""
    return str(body.get("model") or "") if isinstance(body, dict) else ""


def _same_request(sent: dict[str, Any], echoed: Any) -> bool:
    """Whether Luma's echo of a request is the one we sent (fields Luma left out or nulled are not compared)."""
    if not isinstance(echoed, dict):
        return False
    if echoed.get("prompt") != sent.get("prompt") or echoed.get("model") != sent.get("model"):
        return False
    for name in ("aspect_ratio", "duration", "resolution", "loop"):
        if echoed.get(name) is not None and name in sent and echoed[name] != sent[name]:
            return False
    return True


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
