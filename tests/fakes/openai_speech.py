"""A fake OpenAI speech endpoint on 127.0.0.1, beside the fake Videos API, close enough to the real one that
openai-python's `client.audio.speech.create` works against it.

    POST /audio/speech   JSON {model, input, voice, response_format, speed, instructions, stream_format}

It answers at once with the sound itself (a WAV of a tone, 60 ms a character, for `wav`; other formats get the same
bytes under their content type): what the real one does for a non-streamed create. Checked as OpenAI documents it
(openai-python's types/audio/speech_create_params.py): `input` 1–4096 characters, a known model and built-in voice,
`speed` 0.25–4.0, `instructions` refused by tts-1 and tts-1-hd. `self.spoken` keeps each accepted create's fields;
`self.characters` counts what would be billed.
"""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from typing import Any

from tests.fakes.openai import KEY, FakeOpenAI, _error, _invalid
from tests.fakes.server import Call, Reply

SPEECH_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15")
VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "onyx",
    "nova",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
FORMATS = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
MS_PER_CHARACTER = 60
_V1 = r"(?:/v1)?"


def tone_wav(seconds: float, rate: int = 24_000, hz: float = 330.0) -> bytes:
    """A mono 16-bit WAV of a tone (OpenAI's speech comes at 24 kHz)."""
    frames = max(1, int(seconds * rate))
    samples = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * n / rate))) for n in range(frames))
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(samples)
    return out.getvalue()


class FakeOpenAISpeech(FakeOpenAI):
    def __init__(self, key: str = KEY, **options: Any) -> None:
        super().__init__(key, **options)
        self.spoken: list[dict[str, Any]] = []
        self.characters = 0
        self.route("POST", rf"{_V1}/audio/speech", self._speech)

    def _speech(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        body = call.json() if call.headers.get("content-type", "").startswith("application/json") else None
        if not isinstance(body, dict):
            return _error(400, "We could not parse the JSON body of your request.", code="invalid_json")
        words, model, voice = str(body.get("input", "")), str(body.get("model", "")), body.get("voice")
        response_format = str(body.get("response_format", "mp3"))
        if not words:
            return _error(400, "Missing required parameter: 'input'.", param="input", code="missing_required_parameter")
        if len(words) > 4096:
            return _error(
                400, "'input' is too long: at most 4096 characters.", param="input", code="string_above_max_length"
            )
        if model in self.retired:
            return _error(404, f"The model `{model}` does not exist.", param="model", code="model_not_found")
        if model not in SPEECH_MODELS:
            return _invalid("model", model, SPEECH_MODELS)
        if not (isinstance(voice, dict) and voice.get("id")) and voice not in VOICES:
            return _invalid("voice", str(voice), VOICES)
        if response_format not in FORMATS:
            return _invalid("response_format", response_format, tuple(FORMATS))
        speed = body.get("speed", 1.0)
        if not isinstance(speed, int | float) or not 0.25 <= speed <= 4.0:
            return _error(400, f"{speed!r} is not a valid speed: 0.25 to 4.0.", param="speed", code="invalid_value")
        if "instructions" in body and model in ("tts-1", "tts-1-hd"):
            return _error(
                400, "Instructions are not supported by this model.", param="instructions", code="invalid_value"
            )
        with self.lock:
            self.spoken.append(dict(body))
            self.characters += len(words)
        sound = tone_wav(len(words) * MS_PER_CHARACTER / 1000 / float(speed))
        return Reply(
            200, body=sound, content_type=FORMATS[response_format], headers={"x-request-id": f"req_{len(self.spoken)}"}
        )
