"""ElevenLabs' text-to-speech as a voices-only backend (`elevenlabs`: no clips, no stills; backends.voices).

Read in the elevenlabs SDK's `text_to_speech/raw_client.py` (`convert_with_timestamps`) and `types/`
(`AudioWithTimestampsResponse`, `CharacterAlignmentResponseModel`, `VoiceSettings`):

- A line is `POST /v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000`, header `xi-api-key`, JSON
  `{text, model_id, voice_settings: {stability, similarity_boost, style, speed}}` (a cast member's settings, those
  given). Shotline asks for bare 16-bit PCM at 24 kHz and wraps it in a WAV.
- The answer is JSON `{audio_base64, alignment: {characters, character_start_times_seconds,
  character_end_times_seconds}, normalized_alignment}`: when each character is said. Shotline joins them into words
  (split where a space is said) and keeps them beside the sound (core.ports.WORDS_SUFFIX) for the captions.
- A voice is ElevenLabs' voice id; the catalogue lists the premade ones by id (a creator adds their own, a clone or
  a designed voice, in their catalogue folder); ElevenLabs answers 404 `voice_not_found` for one the account lacks.
- Errors come as `{"detail": {"status", "message"}}` (or a plain `detail` string); a 401 for a wrong key,
  `quota_exceeded` when the account's characters are used up.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import served
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, error_for, http_timeout, json_of
from shotline.backends.registry import BackendContext
from shotline.backends.voices import Spoken, SpokenAtOnce, pcm_wav
from shotline.core.errors import AuthFailed, BackendError, InputRejected, JobFailed, QuotaExceeded
from shotline.core.ports import GenerationRequest, ModelInfo

BACKEND_ID = "elevenlabs"
PROVIDER = "ElevenLabs"
DEFAULT_URL = "https://api.elevenlabs.io"
RATE = 24_000
PREMADE = {
    "21m00Tcm4TlvDq8ikWAM": "Rachel",
    "pNInz6obpgDQGcFmaJgB": "Adam",
    "ErXwobaYiN019PkySvjV": "Antoni",
    "TxGEqnHWrfWFTfGW9XjX": "Josh",
    "VR6AewLTigWG4xSOukaG": "Arnold",
    "AZnzlk1XvdvUeBnXmlld": "Domi",
    "MF3mGyEYCl7XYWbV9V6O": "Elli",
    "yoZ06aMxZJJ28mfd3POQ": "Sam",
    "JBFqnCBsd6RMkjVDRZzb": "George",
}
"""The names ElevenLabs gives its premade voices (the catalogue lists them by id), for the creator to choose by."""
SETTINGS = {"stability": (0.0, 1.0), "similarity_boost": (0.0, 1.0), "style": (0.0, 1.0), "speed": (0.7, 1.2)}
"""The voice settings a cast member may give, with the ranges ElevenLabs takes."""

INFO = builtin.ELEVENLABS


class ElevenLabsVoices(SpokenAtOnce):
    """Implements `GenerationBackend` for ElevenLabs' voices."""

    provider = PROVIDER

    def __init__(self, ctx: BackendContext) -> None:
        super().__init__(served(ctx.catalogue, INFO)[0], ctx)
        self._http = ProviderHttp(
            backend_id=BACKEND_ID,
            provider=PROVIDER,
            base=base_url(ctx, BACKEND_ID, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth(
                header="xi-api-key",
                template="{key}",
                missing_hint="Make one in your ElevenLabs account (Developers → API keys), or set ELEVENLABS_API_KEY.",
            ),
            headers={"Accept": "application/json"},
            on_error=_error,
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    async def speak(self, request: GenerationRequest, model: ModelInfo, voice: str, words: str) -> Spoken:
        if not voice:
            raise InputRejected("Choose an ElevenLabs voice for the speaker in Cast & places.")
        body: dict[str, Any] = {"text": words, "model_id": model.id}
        settings = _settings(request.options)
        if settings:
            body["voice_settings"] = settings
        response = await self._http.create(
            "POST",
            f"/v1/text-to-speech/{voice}/with-timestamps",
            params={"output_format": f"pcm_{RATE}"},
            json=body,
        )
        answer = json_of(response, PROVIDER)
        encoded = answer.get("audio_base64") if isinstance(answer, dict) else None
        try:
            pcm = base64.b64decode(str(encoded), validate=True) if isinstance(encoded, str) else b""
        except (binascii.Error, ValueError):
            pcm = b""
        if not pcm:
            raise JobFailed(f"{PROVIDER} answered without readable speech; nothing was kept.")
        alignment = answer.get("alignment") if isinstance(answer, dict) else None
        return Spoken(pcm_wav(pcm, RATE), "wav", words_of(alignment))

    async def aclose(self) -> None:
        await self._http.aclose()


def words_of(alignment: object) -> tuple[tuple[str, int, int], ...]:
    """ElevenLabs' characters and their times joined into words: (word, start µs, end µs); () when not given."""
    if not isinstance(alignment, dict):
        return ()
    characters = alignment.get("characters")
    starts = alignment.get("character_start_times_seconds")
    ends = alignment.get("character_end_times_seconds")
    if not (isinstance(characters, list) and isinstance(starts, list) and isinstance(ends, list)):
        return ()
    words: list[tuple[str, int, int]] = []
    current, first, last = "", 0, 0
    for character, start, end in zip(characters, starts, ends, strict=False):
        if not isinstance(start, int | float) or not isinstance(end, int | float):
            return ()
        if str(character).isspace():
            if current:
                words.append((current, first, last))
            current = ""
            continue
        if not current:
            first = round(start * 1_000_000)
        current += str(character)
        last = round(end * 1_000_000)
    if current:
        words.append((current, first, last))
    return tuple(words)


def _settings(options: Any) -> dict[str, float]:
    chosen: dict[str, float] = {}
    for name, (low, high) in SETTINGS.items():
        value = options.get(name)
        if value in (None, ""):
            continue
        try:
            number = float(str(value))
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise InputRejected(f"ElevenLabs takes a {name} of {low} to {high}, not {value!r}.")
        chosen[name] = number
    return chosen


def _error(response: httpx.Response, message: str) -> BackendError:
    """ElevenLabs' `detail` read for the creator (ProviderHttp has already taken every known key out)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    status_code = str(detail.get("status", "")) if isinstance(detail, dict) else ""
    said = f" ({PROVIDER} said: {message})" if message else ""
    if response.status_code == 401 and status_code != "quota_exceeded":
        return AuthFailed(f"{PROVIDER} did not accept the API key{said}. Check it in Edit → API keys.")
    if status_code == "quota_exceeded":
        return QuotaExceeded(f"Your {PROVIDER} account has no characters left for this{said}. Add some to it.")
    if status_code == "voice_not_found" or response.status_code == 404:
        return InputRejected(f"{PROVIDER} has no such voice in your account{said}. Choose another in Cast & places.")
    if response.status_code in (400, 422):
        return InputRejected(f"{PROVIDER} refused the line{said}. Change the speaker's voice settings and try again.")
    return error_for(response.status_code, PROVIDER, message)
