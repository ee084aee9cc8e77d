"""fal.ai's music endpoints on the fake queue (FakeFal), close enough that fal_client makes music against it.

The queue is the video one (submit, status, result, cancel); a music endpoint differs in what it takes and gives,
as fal's model pages say:

- Stable Audio 2.5 (`fal-ai/stable-audio-25/text-to-audio`): `prompt`, `seconds_total` (1–190), `seed`; the result
  `{"audio": File, "seed"}`.
- Stable Audio Open (`fal-ai/stable-audio`): `prompt`, `seconds_total` (0–47), `steps`; the result
  `{"audio_file": File}`.

A File is `{"url", "content_type", "file_name", "file_size"}`, the sound a WAV on the file host (`fake.files`) as an
expiring signed link, exactly `seconds_total` long. A bad input is accepted into the queue and ends as the runner's
422, as on fal.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from typing import Any

from tests.fakes.fal import FakeFalMedia, Job, _problem

MUSIC_ENDPOINTS = {
    "fal-ai/stable-audio-25/text-to-audio": ("audio", 1, 190),
    "fal-ai/stable-audio": ("audio_file", 0, 47),
}
"""Each music endpoint: the result field its sound is in, and the range of `seconds_total`."""
RATE = 44_100


def music_wav(seconds: float, hz: float = 220.0) -> bytes:
    """A stereo 16-bit WAV of a steady tone `seconds` long: what the fake's music sounds like."""
    frames = round(seconds * RATE)
    one = [round(8000 * math.sin(2 * math.pi * hz * n / RATE)) for n in range(RATE)]
    samples = b"".join(struct.pack("<hh", one[n % RATE], one[n % RATE]) for n in range(frames))
    out = io.BytesIO()
    with wave.open(out, "wb") as written:
        written.setnchannels(2)
        written.setsampwidth(2)
        written.setframerate(RATE)
        written.writeframes(samples)
    return out.getvalue()


class FakeFalMusic(FakeFalMedia):
    ENDPOINTS = MUSIC_ENDPOINTS
    OUTPUT = "output.wav"
    CONTENT_TYPE = "audio/wav"

    def _problems(self, endpoint: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        return _check(endpoint, body)

    def _answer(self, job: Job, url: str) -> dict[str, Any]:
        field = MUSIC_ENDPOINTS[job.endpoint][0]
        sound = {"url": url, "content_type": "audio/wav", "file_name": "output.wav", "file_size": len(self._made(job))}
        extra = {"seed": job.input.get("seed", 1234567)} if field == "audio" else {}
        return {field: sound, **extra}

    def _made(self, job: Job) -> bytes:
        return music_wav(_seconds(job.input))


def _seconds(body: dict[str, Any]) -> int:
    return int(body.get("seconds_total", 30))


def _check(endpoint: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    if not str(body.get("prompt", "")).strip():
        problems.append(_problem(["body", "prompt"], "Field required", "missing"))
    _, low, high = MUSIC_ENDPOINTS[endpoint]
    seconds = body.get("seconds_total", 30)
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        problems.append(_problem(["body", "seconds_total"], "Input should be a valid integer", "int_type"))
    elif not low <= seconds <= high:
        problems.append(
            _problem(["body", "seconds_total"], f"Input should be between {low} and {high}", "less_than_equal")
        )
    return problems
