"""OpenAI's speech endpoint (`audio.speech.create`) as the voices of the `openai` backend (backends.voices).

Read in openai-python's `resources/audio/speech.py` and `types/audio/speech_create_params.py`:

- `POST /audio/speech`, JSON `{model, input, voice, response_format, speed, instructions}`: `input` up to 4096
  characters; `voice` one of the built-in voices (alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer,
  verse, marin, cedar — the catalogue lists them per model); `speed` 0.25–4.0; `instructions` (how to speak: "warm,
  unhurried") for the gpt-4o-mini-tts models only. Shotline asks for `wav`, which needs no decoder to mix.
- The answer is the sound itself (binary, not JSON), so it is kept on the backend's shelf before the create returns
  (backends.voices.SpokenAtOnce). There is no job to list: a create whose answer was lost is uncertain, never sent
  again.
- Errors come in OpenAI's `{"error": {message, type, param, code}}` envelope.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from shotline.backends.catalogue import served
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, error_for, http_timeout
from shotline.backends.openai import DEFAULT_URL, INFO, is_openai_itself
from shotline.backends.policy import retired
from shotline.backends.registry import BackendContext
from shotline.backends.voices import Spoken, SpokenAtOnce
from shotline.core.errors import AuthFailed, BackendError, InputRejected, JobFailed, QuotaExceeded
from shotline.core.ports import GenerationRequest, ModelInfo

SPEEDS = (0.25, 4.0)
_FORMAT = "wav"
_PLAIN_MODELS = frozenset({"tts-1", "tts-1-hd"})
"""The models that take no `instructions` (the SDK: "Does not work with tts-1 or tts-1-hd")."""


class OpenAISpeech(SpokenAtOnce):
    """Implements `GenerationBackend` for the voices of the openai backend."""

    def __init__(self, ctx: BackendContext) -> None:
        base = base_url(ctx, INFO.id, DEFAULT_URL)
        host = urlsplit(base).hostname or base
        self.provider = "OpenAI" if is_openai_itself(base) else f"{host} (OpenAI-compatible)"
        super().__init__(served(ctx.catalogue, INFO)[0], ctx)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=self.provider,
            base=base,
            secrets=ctx.secrets,
            key_auth=KeyAuth(missing_hint="Use the key of the OpenAI account (or compatible service) to bill."),
            on_error=self._error,
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    async def speak(self, request: GenerationRequest, model: ModelInfo, voice: str, words: str) -> Spoken:
        body: dict[str, Any] = {"model": model.id, "input": words, "voice": voice, "response_format": _FORMAT}
        if (speed := request.options.get("speed")) not in (None, ""):
            body["speed"] = _speed(speed)
        if (
            instructions := str(request.options.get("instructions", "") or "").strip()
        ) and model.id not in _PLAIN_MODELS:
            body["instructions"] = instructions
        response = await self._http.create("POST", "/audio/speech", json=body)
        if not response.content or response.headers.get("content-type", "").startswith("application/json"):
            raise JobFailed(f"{self.provider} answered without the spoken line; nothing was kept.")
        return Spoken(response.content, _FORMAT)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _error(self, response: httpx.Response, message: str) -> BackendError:
        """OpenAI's error envelope read for the creator (ProviderHttp has already taken every known key out)."""
        error = _envelope(response)
        code, param = str(error.get("code") or ""), str(error.get("param") or "")
        said = f" ({self.provider} said: {message})" if message else ""
        status = response.status_code
        if status == 401:
            return AuthFailed(f"{self.provider} did not accept the API key{said}. Check it in Edit → API keys.")
        if code == "model_not_found":
            return retired(self._info, str(_sent(response).get("model", "")), self.provider, message)
        if code in ("insufficient_quota", "billing_hard_limit_reached", "billing_not_active"):
            return QuotaExceeded(f"Your {self.provider} account has no credit left for this{said}. Add credit.")
        if status in (400, 422):
            setting = f" the setting {param!r}" if param else " the request"
            return InputRejected(
                f"{self.provider} refused{setting}{said}. Change the speaker's voice in Cast & places and try again."
            )
        return error_for(status, self.provider, message)


def _speed(value: object) -> float:
    try:
        speed = float(str(value))
    except ValueError:
        speed = -1.0
    if not SPEEDS[0] <= speed <= SPEEDS[1]:
        raise InputRejected(f"A speed of {value!r} is not one OpenAI's voices take; choose {SPEEDS[0]} to {SPEEDS[1]}.")
    return speed


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _sent(response: httpx.Response) -> dict[str, Any]:
    try:
        body = httpx.Response(200, content=response.request.content).json()
    except (ValueError, httpx.RequestNotRead):
        return {}
    return body if isinstance(body, dict) else {}
