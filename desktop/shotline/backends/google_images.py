"""Google's Gemini image models ("Nano Banana") as the stills of the `google` backend (backends.stills.ByKind).

Read in google-genai's `models.py` (`generate_content`, `_GenerateContentConfig_to_mldev`, `_ImageConfig_to_mldev`,
`_Part_to_mldev`) and `types.py`:

- A still is `POST /v1/models/{model}:generateContent` (the installed SDK's version, as for the clips; the
  `api_versions` setting changes it for both), with
  `contents: [{role: "user", parts: [{text: prompt}, {inlineData: {mimeType, data}}…]}]` — the pictures to go on
  (a cast member's, the shot's own) ride along as inline parts — and `generationConfig: {responseModalities:
  ["IMAGE"], imageConfig: {aspectRatio}}`. Imagen's `:predict` is Vertex-only in the SDK now (and `generate_images`
  deprecated in favour of this), so the Developer API's stills are the Gemini image models.
- The answer holds the picture: `candidates[0].content.parts[].inlineData {mimeType, data}` (base64). It is kept on
  the backend's shelf before the create returns (backends.stills.StillShelf): there is no job to list, so a create
  whose answer was lost cannot be looked up, and the job is marked uncertain, never sent again.
- A refused prompt comes back as a 200 with `promptFeedback.blockReason` and no candidate, or as a candidate whose
  `finishReason` is IMAGE_SAFETY, PROHIBITED_CONTENT and the like with no picture: the safety stop (billed or not,
  Google says which in its usage).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shotline.backends.catalogue import offered_model, served
from shotline.backends.google import API_VERSION, BACKEND_ID, DEFAULT_URL, INFO, PROVIDER, _provider_error
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.images import read_picture
from shotline.backends.policy import is_safety_stop
from shotline.backends.registry import BackendContext
from shotline.backends.stills import StillShelf
from shotline.core.errors import ContentBlocked, InputRejected, JobFailed
from shotline.core.ports import BackendInfo, GenerationRequest, JobStatus, MediaKind, ProgressSink, SentCreate

MAX_INLINE_BYTES = 20 * 1024 * 1024
"""The whole request travels as JSON; past this size Google refuses it as too large."""
_PICTURE_KINDS = ("PNG", "JPEG", "WebP", "HEIC", "HEIF")
_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}


class GoogleImages:
    """Implements `GenerationBackend` for the stills of the google backend."""

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
        self._shelf = StillShelf(ctx.work_dir / "stills", PROVIDER)

    @property
    def info(self) -> BackendInfo:
        return self._info

    async def submit(self, request: GenerationRequest) -> str:
        model = offered_model(self._info, request.model, PROVIDER, MediaKind.IMAGE)
        if not request.prompt.strip():
            raise InputRejected("The shot has no prompt; write what it should show first.")
        if len(request.reference_images) > model.reference_images:
            raise InputRejected(f"{model.label} takes at most {model.reference_images} pictures to go on.")
        pictures = await asyncio.to_thread(_inline_parts, request.reference_images)
        config: dict[str, Any] = {"responseModalities": ["IMAGE"]}
        if request.aspect in model.aspects:
            config["imageConfig"] = {"aspectRatio": request.aspect}
        body = {
            "contents": [{"role": "user", "parts": [{"text": request.prompt.strip()}, *pictures]}],
            "generationConfig": config,
        }
        response = await self._http.create("POST", f"/{self._version}/models/{model.id}:generateContent", json=body)
        picture = _picture_in(json_of(response, PROVIDER))
        return await self._shelf.keep_base64(
            request, picture.get("data"), _FORMATS.get(str(picture.get("mimeType")), "png")
        )

    async def poll(self, provider_job_id: str) -> JobStatus:
        return await self._shelf.status(provider_job_id)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        await self._shelf.copy(provider_job_id, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        await self._shelf.remove(provider_job_id)  # made at once: nothing is left to stop at Google

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        return await self._shelf.find(request.job_id)

    async def aclose(self) -> None:
        await self._http.aclose()


def _inline_parts(paths: tuple[str, ...]) -> list[dict[str, Any]]:
    pictures = [read_picture(path, PROVIDER, kinds=_PICTURE_KINDS, max_bytes=MAX_INLINE_BYTES) for path in paths]
    return [{"inlineData": {"mimeType": picture.mime, "data": picture.base64()}} for picture in pictures]


def _picture_in(answer: Any) -> Mapping[str, Any]:
    """The first picture of a generateContent answer; ContentBlocked for a safety stop, JobFailed for no picture."""
    if not isinstance(answer, Mapping):
        raise JobFailed(f"{PROVIDER} answered with something other than a picture; nothing was kept.")
    feedback = answer.get("promptFeedback")
    blocked = str(feedback.get("blockReason", "")) if isinstance(feedback, Mapping) else ""
    candidates = answer.get("candidates")
    first = candidates[0] if isinstance(candidates, list) and candidates and isinstance(candidates[0], Mapping) else {}
    content = first.get("content")
    parts = content.get("parts") if isinstance(content, Mapping) else None
    for part in parts if isinstance(parts, list) else ():
        inline = part.get("inlineData") if isinstance(part, Mapping) else None
        if isinstance(inline, Mapping) and inline.get("data"):
            return inline
    reason = blocked or str(first.get("finishReason", ""))
    if is_safety_stop(reason) or "PROHIBITED" in reason or "BLOCKLIST" in reason:
        raise ContentBlocked(
            f"{PROVIDER}'s safety filter refused this still ({reason}). Change the prompt or the pictures."
        )
    said = " ".join(
        str(part.get("text", "")).strip() for part in (parts or ()) if isinstance(part, Mapping) and part.get("text")
    )
    raise JobFailed(
        f"{PROVIDER} made no picture ({reason or 'no reason given'}){f': {said[:200]}' if said else ''}. "
        "Change the prompt and make the stills again."
    )
