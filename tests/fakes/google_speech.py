"""The Gemini speech models on the fake Gemini API (FakeGoogle), close enough that google-genai's
`models.generate_content` with `response_modalities=["AUDIO"]` and a `speech_config` speaks against it.

    POST /{v1|v1beta}/models/{model}:generateContent

checks the key as the rest of the API does, the model (unknown → 404 NOT_FOUND), `responseModalities` (AUDIO) and
the prebuilt voice (`speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName`, one of Google's 30), then answers at
once with bare PCM as Google does: an `inlineData` part of mimeType `audio/L16;codec=pcm;rate=24000`, 60 ms a
character. BLOCKME is refused with `promptFeedback.blockReason`. `self.spoken` keeps each request's words, voice and
config; `self.characters` counts what was spoken.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from typing import Any

from tests.fakes.google import KEY, FakeGoogle, _classic_error
from tests.fakes.server import Call, Reply

SPEECH_MODELS = ("gemini-2.5-flash-preview-tts", "gemini-2.5-pro-preview-tts")
VOICES = (
    "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe", "Autonoe", "Enceladus",
    "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib", "Rasalgethi", "Laomedeia", "Achernar", "Alnilam",
    "Schedar", "Gacrux", "Pulcherrima", "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
)  # fmt: skip
RATE = 24_000
MS_PER_CHARACTER = 60


def pcm(seconds: float, hz: float = 220.0) -> bytes:
    frames = max(1, int(seconds * RATE))
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * n / RATE))) for n in range(frames))


class FakeGoogleSpeech(FakeGoogle):
    def __init__(self, key: str = KEY, **options: Any) -> None:
        super().__init__(key, **options)
        self.spoken: list[dict[str, Any]] = []
        self.characters = 0
        self.route("POST", r"/(?:v1|v1beta)/models/(?P<model>[^/:]+):generateContent", self._speak)

    def _speak(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call, classic=True)) is not None:
            return refused
        model = match["model"]
        if model not in SPEECH_MODELS:
            return _classic_error(404, f"models/{model} is not found for API version v1.", "NOT_FOUND")
        body = call.json()
        contents = body.get("contents") if isinstance(body, dict) else None
        if not isinstance(contents, list) or not contents or not isinstance(contents[-1], dict):
            return _classic_error(
                400, "* GenerateContentRequest.contents: contents is not specified", "INVALID_ARGUMENT"
            )
        words = " ".join(str(p["text"]) for p in contents[-1].get("parts") or [] if isinstance(p, dict) and "text" in p)
        config = body.get("generationConfig") or {}
        if config.get("responseModalities") != ["AUDIO"]:
            return _classic_error(400, "This model only supports AUDIO as the response modality.", "INVALID_ARGUMENT")
        # proto JSON takes either spelling of a field: the SDK writes snake_case inside speechConfig
        speech = _field(config, "speechConfig", "speech_config")
        prebuilt = _field(_field(speech, "voiceConfig", "voice_config"), "prebuiltVoiceConfig", "prebuilt_voice_config")
        voice = prebuilt.get("voiceName", prebuilt.get("voice_name"))
        if voice is not None and voice not in VOICES:
            return _classic_error(400, f"Voice name {voice} is not supported.", "INVALID_ARGUMENT")
        with self.lock:
            self.spoken.append({"model": model, "words": words, "voice": voice, "config": config})
        usage = {"promptTokenCount": 8, "candidatesTokenCount": 25 * len(words), "totalTokenCount": 8 + 25 * len(words)}
        if "BLOCKME" in words:
            return Reply(200, json={"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": usage})
        with self.lock:
            self.characters += len(words)
        data = base64.b64encode(pcm(len(words) * MS_PER_CHARACTER / 1000)).decode("ascii")
        part = {"inlineData": {"mimeType": f"audio/L16;codec=pcm;rate={RATE}", "data": data}}
        candidate = {"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}
        return Reply(200, json={"candidates": [candidate], "usageMetadata": usage, "modelVersion": model})


def _field(table: Any, camel: str, snake: str) -> dict[str, Any]:
    found = table.get(camel, table.get(snake)) if isinstance(table, dict) else None
    return found if isinstance(found, dict) else {}
