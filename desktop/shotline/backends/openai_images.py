"""OpenAI's Images API (GPT Image models) as the stills of the `openai` backend (backends.stills.ByKind).

Read in openai-python's `resources/images.py` and `types/image_generate_params.py`, `image_edit_params.py`,
`images_response.py`:

- A still with no pictures to go on is `POST /images/generations`, JSON `{model, prompt, n, size, quality,
  output_format}`; one with reference pictures (a cast member's, the shot's own) is `POST /images/edits`, multipart,
  each picture a file part named `image[]` (the SDK's "brackets" array form; up to 16 for the GPT image models).
- Sizes are fixed frames for the GPT image models: 1024x1024, 1536x1024 (landscape) and 1024x1536 (portrait); a
  shot's aspect is sent as the nearest of the three. `quality` is low, medium or high (the catalogue's resolutions:
  the price depends on it).
- The answer is the picture itself, base64 in `data[0].b64_json` (the GPT image models never send a `url`), so it is
  kept on the backend's shelf before the create returns (backends.stills.StillShelf). There is no job to list: a
  create whose answer was lost cannot be looked up, and the job is marked uncertain, never sent again.
- Errors come in OpenAI's `{"error": {message, type, param, code}}` envelope; a prompt refused by moderation is
  `moderation_blocked`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from shotline.backends.catalogue import offered_model, served
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, error_for, http_timeout, json_of
from shotline.backends.images import read_picture
from shotline.backends.openai import DEFAULT_URL, INFO, is_openai_itself
from shotline.backends.policy import is_safety_stop, retired
from shotline.backends.registry import BackendContext
from shotline.backends.stills import StillShelf
from shotline.core.errors import AuthFailed, BackendError, ContentBlocked, InputRejected, QuotaExceeded
from shotline.core.ports import BackendInfo, GenerationRequest, JobStatus, MediaKind, ProgressSink, SentCreate

MAX_REFERENCES = 16
_FRAMES = {"landscape": "1536x1024", "portrait": "1024x1536", "square": "1024x1024"}
_FORMAT = "png"


def frame_for(aspect: str) -> str:
    """The GPT image frame nearest a shot's aspect ("16:9" → 1536x1024)."""
    try:
        width, height = (float(part) for part in aspect.split(":"))
    except ValueError:
        return _FRAMES["landscape"]
    if width > height:
        return _FRAMES["landscape"]
    return _FRAMES["portrait"] if height > width else _FRAMES["square"]


class OpenAIImages:
    """Implements `GenerationBackend` for the stills of the openai backend."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, _ = served(ctx.catalogue, INFO)
        base = base_url(ctx, INFO.id, DEFAULT_URL)
        host = urlsplit(base).hostname or base
        self._provider = "OpenAI" if is_openai_itself(base) else f"{host} (OpenAI-compatible)"
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=self._provider,
            base=base,
            secrets=ctx.secrets,
            key_auth=KeyAuth(missing_hint="Use the key of the OpenAI account (or compatible service) to bill."),
            on_error=self._error,
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )
        self._shelf = StillShelf(ctx.work_dir / "stills", self._provider)

    @property
    def info(self) -> BackendInfo:
        return self._info

    async def submit(self, request: GenerationRequest) -> str:
        model = offered_model(self._info, request.model, self._provider, MediaKind.IMAGE)
        fields = {"model": model.id, "prompt": request.prompt, "n": "1", "size": frame_for(request.aspect)}
        if request.resolution:
            fields["quality"] = request.resolution
        fields["output_format"] = _FORMAT
        if request.reference_images:
            files = await asyncio.to_thread(_pictures, request.reference_images[:MAX_REFERENCES], self._provider)
            form = [(name, (None, value)) for name, value in fields.items()]
            response = await self._http.create("POST", "/images/edits", files=[*form, *files])
        else:
            response = await self._http.create("POST", "/images/generations", json={**fields, "n": 1})
        answer = json_of(response, self._provider)
        data = answer.get("data") if isinstance(answer, dict) else None
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        return await self._shelf.keep_base64(request, first.get("b64_json"), str(answer.get("output_format", _FORMAT)))

    async def poll(self, provider_job_id: str) -> JobStatus:
        return await self._shelf.status(provider_job_id)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        await self._shelf.copy(provider_job_id, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        await self._shelf.remove(provider_job_id)  # made at once: nothing is left to stop at OpenAI

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        return await self._shelf.find(request.job_id)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _error(self, response: httpx.Response, message: str) -> BackendError:
        """OpenAI's error envelope read for the creator (ProviderHttp has already taken every known key out)."""
        error = _envelope(response)
        code, param = str(error.get("code") or ""), str(error.get("param") or "")
        said = f" ({self._provider} said: {message})" if message else ""
        status = response.status_code
        if status == 401:
            return AuthFailed(f"{self._provider} did not accept the API key{said}. Check it in Edit → API keys.")
        if code == "model_not_found":
            model = str(_sent_field(response, "model"))
            return retired(self._info, model, self._provider, message)
        if is_safety_stop(code, message) and status in (400, 403, 422):
            return ContentBlocked(f"{self._provider}'s safety system refused this still{said}. Change the prompt.")
        if code in ("insufficient_quota", "billing_hard_limit_reached", "billing_not_active"):
            return QuotaExceeded(f"Your {self._provider} account has no credit left for this{said}. Add credit.")
        if status in (400, 422):
            setting = f" the setting {param!r}" if param else " the request"
            return InputRejected(f"{self._provider} refused{setting}{said}. Change the shot's settings and try again.")
        return error_for(status, self._provider, message)


def _pictures(paths: tuple[str, ...], provider: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    pictures = [read_picture(path, provider) for path in paths]
    return [("image[]", (picture.name, picture.data, picture.mime)) for picture in pictures]


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _sent_field(response: httpx.Response, name: str) -> object:
    """A field of the JSON create (the model a generation asked for); "" for a multipart one."""
    try:
        body = httpx.Response(200, content=response.request.content).json()
    except (ValueError, httpx.RequestNotRead):
        return ""
    return body.get(name, "") if isinstance(body, dict) else ""
