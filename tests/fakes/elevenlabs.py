"""A fake ElevenLabs text-to-speech API on 127.0.0.1, close enough that the official `elevenlabs` SDK's
`text_to_speech.convert_with_timestamps` speaks against it.

    POST /v1/text-to-speech/{voice_id}/with-timestamps?output_format=pcm_24000
         header xi-api-key; JSON {text, model_id, voice_settings: {stability, similarity_boost, style, speed}, …}

It answers at once, as ElevenLabs does, with JSON `{audio_base64, alignment, normalized_alignment}`: bare 16-bit PCM
at the asked rate (60 ms a character, slower or faster by `speed`), and when each character is said. A wrong key is a
401 `invalid_api_key`; an unknown voice a 404 `voice_not_found`; an unknown model or a setting out of range a 400/422;
`quota_left` characters run out as a 401 `quota_exceeded`, as ElevenLabs answers it. `self.spoken` keeps each
accepted request's voice, query and body; `self.characters` counts what would be billed.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply

KEY = "sk_fake0elevenlabs0key0000000000000000000000001234"
MODELS = ("eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3")
VOICES = (
    "21m00Tcm4TlvDq8ikWAM", "pNInz6obpgDQGcFmaJgB", "ErXwobaYiN019PkySvjV", "TxGEqnHWrfWFTfGW9XjX",
    "VR6AewLTigWG4xSOukaG", "AZnzlk1XvdvUeBnXmlld", "MF3mGyEYCl7XYWbV9V6O", "yoZ06aMxZJJ28mfd3POQ",
    "JBFqnCBsd6RMkjVDRZzb",
)  # fmt: skip
RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
SECONDS_PER_CHARACTER = 0.06
RANGES = {"stability": (0.0, 1.0), "similarity_boost": (0.0, 1.0), "style": (0.0, 1.0), "speed": (0.7, 1.2)}


def _detail(status: int, code: str, message: str) -> Reply:
    return Reply(status, json={"detail": {"status": code, "message": message}})


class FakeElevenLabs(FakeServer):
    def __init__(self, key: str = KEY, *, quota_left: int = 1_000_000) -> None:
        super().__init__()
        self.key = key
        self.quota_left = quota_left
        self.spoken: list[dict[str, Any]] = []
        self.characters = 0
        self.route("POST", r"/v1/text-to-speech/(?P<voice>[^/]+)/with-timestamps", self._speak)

    def _speak(self, call: Call, match: re.Match[str]) -> Reply:
        if call.headers.get("xi-api-key") != self.key:
            return _detail(401, "invalid_api_key", "Invalid API key")
        voice = match["voice"]
        if voice not in VOICES:
            return _detail(404, "voice_not_found", f"A voice with voice_id {voice} was not found.")
        body = call.json()
        if not isinstance(body, dict) or not str(body.get("text", "")).strip():
            return Reply(422, json={"detail": [{"loc": ["body", "text"], "msg": "Field required"}]})
        text, model = str(body["text"]), str(body.get("model_id") or "eleven_multilingual_v2")
        if model not in MODELS:
            return _detail(400, "model_not_found", f"A model with model ID {model} does not exist.")
        output = call.param("output_format") or "mp3_44100_128"
        found = re.fullmatch(r"pcm_(\d+)", output)
        if found is None or int(found[1]) not in RATES:
            return _detail(400, "invalid_output_format", f"This fake answers pcm_* only, not {output}.")
        settings = body.get("voice_settings") or {}
        for name, value in settings.items():
            low, high = RANGES.get(name, (-math.inf, math.inf))
            if value is not None and not low <= float(value) <= high:
                return _detail(400, "invalid_voice_settings", f"{name} must be between {low} and {high}.")
        if len(text) > self.quota_left:
            return _detail(401, "quota_exceeded", "This request exceeds your quota of characters.")
        with self.lock:
            self.quota_left -= len(text)
            self.characters += len(text)
            self.spoken.append({"voice": voice, "output_format": output, **body})
        step = SECONDS_PER_CHARACTER / float(settings.get("speed") or 1.0)
        rate = int(found[1])
        frames = int(len(text) * step * rate)
        pcm = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 200 * n / rate))) for n in range(frames))
        alignment = {
            "characters": list(text),
            "character_start_times_seconds": [round(i * step, 3) for i in range(len(text))],
            "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(text))],
        }
        answer = {
            "audio_base64": base64.b64encode(pcm).decode("ascii"),
            "alignment": alignment,
            "normalized_alignment": alignment,
        }
        return Reply(200, json=answer, headers={"request-id": f"req_{len(self.spoken)}"})
