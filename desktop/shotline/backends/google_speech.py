"""Google's Gemini speech models (text-to-speech) as the voices of the `google` backend (backends.voices).

Read in google-genai's `models.py` (`generate_content`, `_GenerateContentConfig_to_mldev`) and `types.py`
(`SpeechConfig`, `VoiceConfig`, `PrebuiltVoiceConfig`):

- A line is `POST /v1/models/{model}:generateContent` (the SDK's version, as for the clips and stills) with
  `contents: [{role: "user", parts: [{text}]}]` and `generationConfig: {responseModalities: ["AUDIO"],
  speechConfig: {voiceConfig: {prebuiltVoiceConfig: {voiceName}}}}`; the catalogue lists the prebuilt voices.
  A cast member's `style` setting ("Say warmly:") goes before the words, as Google's speech guide steers a voice.
- The answer holds the sound: `candidates[0].content.parts[].inlineData {mimeType: "audio/L16;codec=pcm;rate=24000",
  data}` — bare 16-bit PCM, mono, which Shotline wraps in a WAV header at the rate the MIME type names. It is kept
  on the backend's shelf before the create returns, so a lost answer is uncertain and never sent again.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from shotline.backends.catalogue import served
from shotline.backends.google import API_VERSION, BACKEND_ID, DEFAULT_URL, INFO, PROVIDER, _provider_error
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.policy import is_safety_stop
from shotline.backends.registry import BackendContext
from shotline.backends.voices import Spoken, SpokenAtOnce, pcm_wav
from shotline.core.errors import ContentBlocked, JobFailed
from shotline.core.ports import GenerationRequest, ModelInfo

_RATE = re.compile(r"rate=(\d+)")
DEFAULT_RATE = 24_000


class GoogleSpeech(SpokenAtOnce):
    """Implements `GenerationBackend` for the voices of the google backend."""

    provider = PROVIDER

    def __init__(self, ctx: BackendContext) -> None:
        super().__init__(served(ctx.catalogue, INFO)[0], ctx)
        versions = ctx.settings.get("api_versions", {})
        self._version = str(versions.get(BACKEND_ID, "") or API_VERSION).strip("/")
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

    async def speak(self, request: GenerationRequest, model: ModelInfo, voice: str, words: str) -> Spoken:
        style = str(request.options.get("style", "") or "").strip()
        body = {
            "contents": [{"role": "user", "parts": [{"text": f"{style} {words}" if style else words}]}],
            "generationConfig": {
                "responseModalities": ["AUDIO"],
                "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": voice}}},
            },
        }
        response = await self._http.create("POST", f"/{self._version}/models/{model.id}:generateContent", json=body)
        return Spoken(_wav(_sound_in(json_of(response, PROVIDER))), "wav")

    async def aclose(self) -> None:
        await self._http.aclose()


def _sound_in(answer: Any) -> Mapping[str, Any]:
    """The first sound part of a generateContent answer; ContentBlocked for a safety stop, JobFailed for none."""
    if not isinstance(answer, Mapping):
        raise JobFailed(f"{PROVIDER} answered with something other than speech; nothing was kept.")
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
        raise ContentBlocked(f"{PROVIDER}'s safety filter refused to speak this line ({reason}). Change its words.")
    raise JobFailed(f"{PROVIDER} spoke nothing ({reason or 'no reason given'}). Speak the line again.")


def _wav(inline: Mapping[str, Any]) -> bytes:
    """The PCM Google sends, as a WAV (a WAV it sends as one is kept as it is)."""
    try:
        sound = base64.b64decode(str(inline.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        sound = b""
    if not sound:
        raise JobFailed(f"{PROVIDER} answered without readable speech; nothing was kept.")
    mime = str(inline.get("mimeType", "")).lower()
    if "wav" in mime or sound[:4] == b"RIFF":
        return sound
    found = _RATE.search(mime)
    return pcm_wav(sound, int(found.group(1)) if found else DEFAULT_RATE)
