"""Google Gemini: makes shots with the Gemini Omni video models through the Gemini API's Interactions protocol.

One job: turn a GenerationRequest into one background interaction, follow it to a video, and fetch the clip.
The quirks that matter (google-genai 3.4.0 is the authority; reference/apis-3-google.md has the detail):

- Video is made by `POST /{version}/interactions` with `model: gemini-omni-*`; the settings go in
  `response_format: {type: video, aspect_ratio, resolution, duration: "6s", delivery}`, the mode in
  `generation_config.video_config.task`. The SDK's API version is `v1` (2.x used `v1beta`, which most samples
  still show); it is a setting here and the path is the only thing that changes.
- `background: true` makes the create return at once; the job is then read with `GET .../interactions/{id}`. Any
  other mode holds the connection for minutes, and a create that times out is a job we may be billed for.
- There is no list of interactions, so an ambiguous create cannot be looked up: `find()` says None and the job is
  marked uncertain, never resent. The job id still goes out as a label, so it shows in Google's own records.
- The clip arrives in the last `model_output` step as a `video` block with either base64 `data` (inline) or a
  Files API `uri`. We ask for `delivery: uri` (clips above 720p outgrow inline answers) but accept either: the
  docs say a later read of the interaction may carry inline data anyway. A uri's file must be `ACTIVE`
  (`GET /{version}/files/{id}`) before `files/{id}:download?alt=media` serves it, by a redirect to a storage host
  that must never see the key (ProviderHttp only sends it to the API's own host).
- Failures come in band (`status: failed` with `errors[]`, or an error on the output step); a safety stop is told
  apart by its words. Error answers use `{"error": {"code": "<string or number>", "message": …}}`; a wrong key is
  a 400 "API key not valid", and Omni has no free tier, so an account without billing is refused with 403/429.
- Omni always makes sound and takes no negative prompt; a silent clip is asked for in words, as Google advises.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import offered_model, sent_seconds, served
from shotline.backends.http import (
    KeyAuth,
    LinkExpired,
    ProviderHttp,
    base_url,
    http_timeout,
    json_of,
)
from shotline.backends.images import read_picture
from shotline.backends.policy import JobGone, is_safety_stop, retired, unknown_state, unreadable
from shotline.backends.registry import BackendContext
from shotline.core.errors import (
    AmbiguousSubmit,
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
    ProgressSink,
    SentCreate,
)

log = logging.getLogger(__name__)

BACKEND_ID = "google"
PROVIDER = "Google"
DEFAULT_URL = "https://generativelanguage.googleapis.com"
API_VERSION = "v1"
"""google-genai 3.x's default for the Gemini Developer API; `settings["api_versions"]["google"]` overrides it."""

_DEFAULT_RESOLUTION = "720p"
_MAX_INLINE_BYTES = 20 * 1024 * 1024
"""Images travel inside the JSON request; past this size Google refuses the request as too large."""
_IMAGE_KINDS = ("PNG", "JPEG", "WebP", "HEIC", "HEIF", "GIF", "BMP", "TIFF")
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_FILE_ID = re.compile(r"files/([a-z0-9]+)")
_INLINE = "inline:"
_USE_INSTEAD = re.compile(r"\b[Uu]se (?:models/)?([a-z][a-z0-9.-]*[a-z0-9])")
_LABEL = "shotline_job"
_SILENT = "Silent clip: no dialogue, no music, no sound effects."
_CHUNK = 1 << 20

_RUNNING = frozenset({"in_progress", "requires_continuation"})
_UNFINISHED = {
    "incomplete": "Google stopped the clip before it was finished (incomplete). Generate the shot again.",
    "budget_exceeded": "Google stopped the job because your project's spending limit was reached. Raise the limit "
    "in Google AI Studio, then generate again.",
    "requires_action": "Google asked for an action Shotline cannot take (requires_action). Generate the shot again.",
}

INFO = builtin.GOOGLE


class GoogleBackend:
    """Implements `GenerationBackend` and `KeyCheck` over the Gemini API's Interactions and Files endpoints."""

    def __init__(self, ctx: BackendContext) -> None:
        versions = ctx.settings.get("api_versions", {})
        self._version = str(versions.get(BACKEND_ID, "") or API_VERSION).strip("/")
        self._info, _ = served(ctx.catalogue, INFO)
        self._http = ProviderHttp(
            backend_id=BACKEND_ID,
            provider=PROVIDER,
            base=base_url(ctx, BACKEND_ID, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth(
                header="x-goog-api-key",
                template="{key}",
                missing_hint="Make one at https://aistudio.google.com/apikey, or set GOOGLE_API_KEY or GEMINI_API_KEY.",
            ),
            headers={"Accept": "application/json"},
            on_error=lambda response, said: _provider_error(response, said, self._info),
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        body = await asyncio.to_thread(build_body, request, self._info)
        response = await self._http.create("POST", f"/{self._version}/interactions", json=body)
        answer = json_of(response, PROVIDER)
        interaction_id = str(answer.get("id", "")) if isinstance(answer, dict) else ""
        if not _ID.fullmatch(interaction_id):
            # Google took the request but gave no usable id: the job may run (and bill), so it is uncertain.
            raise AmbiguousSubmit("Google accepted the request but did not say which job it started.")
        log.info("Google interaction %s created for job %s", interaction_id, request.job_id)
        return interaction_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        interaction = await self._interaction(provider_job_id)
        status = str(interaction.get("status", ""))
        if status == "queued":
            return JobStatus(JobState.QUEUED)
        if status in _RUNNING:
            return JobStatus(JobState.RUNNING)
        if status == "cancelled":
            return JobStatus(JobState.CANCELLED, message="The job was cancelled at Google.")
        if status == "failed":
            return _failure(interaction)
        if status in _UNFINISHED:
            return JobStatus(JobState.FAILED, message=_with_errors(_UNFINISHED[status], interaction))
        if status != "completed":
            # an open enum: a state added later is most likely a step on the way, and polling costs nothing
            return unknown_state(PROVIDER, status)
        return await self._finished(provider_job_id, interaction)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        output = status.outputs[0] if status.outputs else ""
        if not output or output.startswith(_INLINE):
            video = _video_of(await self._interaction(provider_job_id))
            data = video.get("data") if video else None
            if isinstance(data, str) and data:
                await asyncio.to_thread(_write_inline, data, dest, progress)
                return
            uri = video.get("uri") if video else None
            if not isinstance(uri, str) or not uri:
                raise JobFailed("Google no longer offers this clip. Generate the shot again.")
            output = uri
        await self._http.download(output, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        path = f"/{self._version}/interactions/{_checked_id(provider_job_id)}/cancel"
        try:
            await self._http.read("POST", path)
        except JobGone:
            log.info("Google has no interaction %s any more; nothing to cancel", provider_job_id)
            return
        except InputRejected as exc:
            # Google may refuse to cancel a job that has already ended; that is what the creator wanted anyway.
            if (await self.poll(provider_job_id)).state.is_final:
                return
            raise JobFailed(f"Google would not cancel the job: {exc}") from exc
        log.info("Google interaction %s cancelled", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        # The Interactions API has no list or search (google-genai 3.4.0 offers only create, get, cancel and
        # delete), so a create whose answer was lost cannot be found; the job code marks the job uncertain.
        return None

    async def check_key(self) -> str:
        answer = await self._http.get_json(f"/{self._version}/models", params={"pageSize": "1000"})
        names = [
            str(model.get("name", "")).removeprefix("models/")
            for model in (answer.get("models", []) if isinstance(answer, dict) else [])
            if isinstance(model, dict)
        ]
        offered = [model.id for model in self._info.models if model.id in names and not model.retired]
        if offered:
            return f"Key accepted; {', '.join(offered)} available"
        return "Key accepted"

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------------------------------ reading jobs

    async def _interaction(self, provider_job_id: str) -> dict[str, Any]:
        path = f"/{self._version}/interactions/{_checked_id(provider_job_id)}"
        answer = await self._http.get_json(path, params={"stream": "false", "include_input": "false"})
        if not isinstance(answer, dict):
            raise unreadable(PROVIDER)
        return answer

    async def _finished(self, provider_job_id: str, interaction: Mapping[str, Any]) -> JobStatus:
        step = _last_output(interaction)
        if step is not None and isinstance(step.get("error"), dict):
            return _failure({"errors": [step["error"]]})
        video = _video_of(interaction)
        if video is None:
            said = _text_of(interaction)
            message = "Google finished the job without a video."
            if said:
                message += f" The model said: {said[:300]}"
            if is_safety_stop(said):
                return JobStatus(JobState.BLOCKED, message=message)
            return JobStatus(JobState.FAILED, message=message + " Change the prompt and generate again.")
        if isinstance(video.get("data"), str) and video["data"]:
            return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(f"{_INLINE}{provider_job_id}",))
        uri = video.get("uri")
        if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
            return JobStatus(
                JobState.FAILED,
                message=f"Google stored the clip where Shotline cannot fetch it ({uri or 'no address'}).",
            )
        return await self._file_state(uri)

    async def _file_state(self, uri: str) -> JobStatus:
        """A uri delivery is ready only once its file is ACTIVE; until then the job still counts as running."""
        match = _FILE_ID.search(uri)
        if match is None:
            return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(uri,))
        meta = await self._http.get_json(f"/{self._version}/files/{match.group(1)}")
        state = str(meta.get("state", "")) if isinstance(meta, dict) else ""
        if state == "FAILED":
            error = meta.get("error") if isinstance(meta, dict) else None
            said = str(error.get("message", "")) if isinstance(error, dict) else ""
            return JobStatus(
                JobState.FAILED,
                message="Google could not store the finished clip" + (f" ({said})" if said else "") + ".",
            )
        if state == "PROCESSING":
            return JobStatus(JobState.RUNNING, progress=0.99, message="Google is preparing the clip for download")
        download = meta.get("downloadUri") if isinstance(meta, dict) else None
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(str(download or uri),))


# ---------------------------------------------------------------------------------------------- the request


def build_body(request: GenerationRequest, info: BackendInfo = INFO) -> dict[str, Any]:
    """The create body for `request`; InputRejected for anything Gemini Omni cannot do. Reads image files."""
    model = offered_model(info, request.model, "Google")
    prompt = request.prompt.strip()
    if not prompt:
        raise InputRejected("The shot has no prompt; write what it should show first.")
    seconds = sent_seconds(model, request.duration_us)
    if request.aspect not in model.aspects:
        raise InputRejected(
            f"{model.label} makes {' or '.join(model.aspects)} clips, not {request.aspect}; change the shot's aspect."
        )
    resolution = (request.resolution or _DEFAULT_RESOLUTION).strip().lower()
    if resolution not in model.resolutions:
        raise InputRejected(
            f"{model.label} makes {', '.join(model.resolutions)} clips, not {request.resolution}; "
            "change the shot's resolution."
        )
    if request.last_frame:
        raise InputRejected(f"{model.label} cannot end on a chosen last frame; remove it from the shot.")
    if len(request.reference_images) > model.reference_images:
        raise InputRejected(
            f"{model.label} takes at most {model.reference_images} reference images; this shot has "
            f"{len(request.reference_images)}."
        )
    if request.seed is not None and not 0 <= request.seed < 2**31:
        raise InputRejected(f"The seed must be between 0 and {2**31 - 1}; change it in the shot's settings.")
    if request.negative_prompt.strip():
        log.info("Gemini Omni takes no negative prompt; job %s is sent without it", request.job_id)

    remix_of = str(request.options.get("remix_of", "") or "")
    if remix_of and not _ID.fullmatch(remix_of):
        raise InputRejected(f"{remix_of!r} is not a Google job id, so it cannot be remixed.")
    text = prompt if request.audio else f"{prompt} {_SILENT}"
    images = _images(request)
    task = _task(request, remix_of)
    response_format: dict[str, Any] = {"type": "video", "resolution": resolution, "delivery": "uri"}
    if not remix_of:
        # an edit keeps its source's length and frame
        response_format.update(aspect_ratio=request.aspect, duration=f"{seconds}s")
    generation_config: dict[str, Any] = {}
    if task:
        generation_config["video_config"] = {"task": task}
    if request.seed is not None:
        generation_config["seed"] = request.seed

    body: dict[str, Any] = {
        "model": model.id,
        "input": [{"type": "user_input", "content": [*images, {"type": "text", "text": _tagged(text, request)}]}]
        if images
        else text,
        "response_format": response_format,
        "background": True,
        "store": True,  # a stored interaction can be read back, cancelled and edited later
        "labels": {_LABEL: request.job_id.lower()[:63]},
    }
    if generation_config:
        body["generation_config"] = generation_config
    if remix_of:
        body["previous_interaction_id"] = remix_of
    return body


def _task(request: GenerationRequest, remix_of: str) -> str:
    if remix_of:
        return "edit"
    if request.first_frame and request.reference_images:
        return ""  # Google picks the mode itself when the inputs mix roles
    if request.first_frame:
        return "image_to_video"
    if request.reference_images:
        return "reference_to_video"
    return "text_to_video"


def _tagged(text: str, request: GenerationRequest) -> str:
    """Bind each image to its role with the prompt tags Gemini Omni reads, in the order the images are sent.

    A cast member's picture is already named where the prompt mentions it (core.references wrote its tag there);
    the others — the first frame, the shot's own references — are named at the start."""
    tags = ["<FIRST_FRAME>"] if request.first_frame else []
    tags += [f"<IMAGE_REF_{n}>" for n in range(len(request.reference_images))]
    tags = [tag for tag in tags if tag not in text]
    return f"{' '.join(tags)} {text}" if tags else text


def _images(request: GenerationRequest) -> list[dict[str, Any]]:
    paths = ([request.first_frame] if request.first_frame else []) + list(request.reference_images)
    blocks: list[dict[str, Any]] = []
    total = 0
    for name in paths:
        picture = read_picture(name, PROVIDER, kinds=_IMAGE_KINDS)
        total += len(picture.data)
        if total > _MAX_INLINE_BYTES:
            raise InputRejected(
                f"The shot's images come to more than {_MAX_INLINE_BYTES // (1024 * 1024)} MB, more than Google takes "
                "in one request; use smaller images."
            )
        blocks.append({"type": "image", "mime_type": picture.mime, "data": picture.base64()})
    return blocks


def _checked_id(provider_job_id: str) -> str:
    if not _ID.fullmatch(provider_job_id):
        raise JobFailed(f"{provider_job_id!r} is not a Google job id.")
    return provider_job_id


# ---------------------------------------------------------------------------------------------- the answer


def _last_output(interaction: Mapping[str, Any]) -> dict[str, Any] | None:
    """The last model_output step after the last user_input, as the SDK reads it."""
    steps = interaction.get("steps")
    for step in reversed(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict) or step.get("type") == "user_input":
            return None
        if step.get("type") == "model_output":
            return step
    return None


def _content(interaction: Mapping[str, Any]) -> list[dict[str, Any]]:
    step = _last_output(interaction)
    content = step.get("content") if step else None
    return [item for item in content if isinstance(item, dict)] if isinstance(content, list) else []


def _video_of(interaction: Mapping[str, Any]) -> dict[str, Any] | None:
    return next((item for item in reversed(_content(interaction)) if item.get("type") == "video"), None)


def _text_of(interaction: Mapping[str, Any]) -> str:
    parts = [str(item.get("text", "")) for item in _content(interaction) if item.get("type") == "text"]
    return " ".join(part.strip() for part in parts if part.strip())


def _errors(interaction: Mapping[str, Any]) -> list[tuple[str, str]]:
    errors = interaction.get("errors")
    found = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            found.append((str(error.get("code", "")), str(error.get("message", "")).strip()))
    return found


def _with_errors(message: str, interaction: Mapping[str, Any]) -> str:
    said = "; ".join(text for _, text in _errors(interaction) if text)
    return f"{message} (Google said: {said[:300]})" if said else message


def _failure(interaction: Mapping[str, Any]) -> JobStatus:
    errors = _errors(interaction)
    said = "; ".join(text for _, text in errors if text)[:300]
    if any(is_safety_stop(code, text) for code, text in errors):
        return JobStatus(JobState.BLOCKED, message=said)
    message = "Google could not make the clip"
    message += f" (Google said: {said})." if said else "."
    return JobStatus(JobState.FAILED, message=message + " Generate the shot again, or change the prompt.")


def _write_inline(data: str, dest: Path, progress: ProgressSink) -> None:
    try:
        video = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise JobFailed("Google sent a clip Shotline could not decode. Generate the shot again.") from exc
    with dest.open("wb") as handle:
        for start in range(0, len(video), _CHUNK):
            handle.write(video[start : start + _CHUNK])
            progress(min((start + _CHUNK) / len(video), 1.0))
        handle.flush()
        os.fsync(handle.fileno())
    progress(1.0)


# ---------------------------------------------------------------------------------------------- errors


def _provider_error(response: httpx.Response, message: str, info: BackendInfo = INFO) -> BackendError | None:
    """Google's own reading of an error answer; None leaves it to the status code."""
    status = response.status_code
    code, google_status = _error_codes(response)
    text = message.lower()
    said = f" (Google said: {message})" if message else ""
    if "api key not valid" in text or "api_key_invalid" in text or code == "unauthenticated" or status == 401:
        return AuthFailed(
            f"Google did not accept the API key{said}. Check it in Edit → API keys; "
            "you can make one at https://aistudio.google.com/apikey."
        )
    if status in (403, 429) and any(word in text for word in ("billing", "free tier", "free_tier", "prepay")):
        return QuotaExceeded(
            f"Google needs billing on this account before it makes videos{said}. "
            "Turn on billing for the key's project in Google AI Studio, then try again."
        )
    if status in (400, 403) and is_safety_stop(text, code):
        return ContentBlocked(f"Google's safety filter refused the shot{said}. Change the prompt and try again.")
    if status in (400, 404) and "model" in text and _retired_words(text):
        model = _model_of(response)
        named = _USE_INSTEAD.search(message)
        return retired(info, model, PROVIDER, message, named=named.group(1) if named else None)
    if status == 429 and google_status == "RESOURCE_EXHAUSTED" and "quota" in text:
        return QuotaExceeded(f"Google's quota for this key is used up{said}. Wait, or raise the quota, then retry.")
    if status in (403, 404, 410) and response.request.url.path.endswith(":download"):
        return LinkExpired(f"Google's download link for the clip no longer works (HTTP {status}){said}.")
    return None


def _retired_words(text: str) -> bool:
    return any(
        phrase in text
        for phrase in ("not found", "no longer available", "deprecated", "retired", "shut down", "unknown model")
    )


def _error_codes(response: httpx.Response) -> tuple[str, str]:
    """The error's code (a word on the Interactions API, a number on the classic ones) and its status word."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code", "")).lower(), str(error.get("status", ""))


def _model_of(response: httpx.Response) -> str:
    try:
        sent = json.loads(response.request.content or b"null")
    except (ValueError, httpx.RequestNotRead):
        return ""
    return str(sent.get("model", "")) if isinstance(sent, dict) else ""
