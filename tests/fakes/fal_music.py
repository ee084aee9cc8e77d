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
import re
import struct
import uuid
import wave
from typing import Any

from tests.fakes.fal import FakeFal, Job, _problem, _reply
from tests.fakes.server import Call, Reply, file_reply

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


class FakeFalMusic(FakeFal):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files.route("GET", r"/files/(?P<id>[^/]+)/output\.wav", self._sound)

    def _submit(self, call: Call, match: re.Match[str]) -> Reply:
        endpoint = match["endpoint"]
        if endpoint not in MUSIC_ENDPOINTS:
            return super()._submit(call, match)
        if (refused := self._refused(call)) is not None:
            return refused
        body = call.json()
        if not isinstance(body, dict):
            return _reply(422, {"detail": [_problem(["body"], "Input should be a valid dictionary", "dict_type")]})
        app = "/".join(endpoint.split("/")[:2])
        request_id = str(uuid.uuid4())
        job = Job(request_id, endpoint, app, body, self.queue_polls, self.run_polls, problems=_check(endpoint, body))
        with self.lock:
            self.jobs[request_id] = job
        base = f"{self.url}/{app}/requests/{request_id}"
        return _reply(
            200,
            {
                "request_id": request_id,
                "response_url": base,
                "status_url": f"{base}/status",
                "cancel_url": f"{base}/cancel",
                "gateway_request_id": request_id,
                "status": "IN_QUEUE",
                "queue_position": self.queue_polls,
            },
        )

    def _result(self, call: Call, match: re.Match[str]) -> Reply:
        with self.lock:
            job = self.jobs.get(match["id"])
        if job is None or job.endpoint not in MUSIC_ENDPOINTS or job.state != "COMPLETED" or job.cancelled:
            return super()._result(call, match)
        if (refused := self._refused(call)) is not None:
            return refused
        if job.problems:
            return _reply(422, {"detail": job.problems})
        field = MUSIC_ENDPOINTS[job.endpoint][0]
        sound = {
            "url": self.files.sign(f"/files/{job.request_id}/output.wav", ttl=self.url_ttl),
            "content_type": "audio/wav",
            "file_name": "output.wav",
            "file_size": len(music_wav(_seconds(job.input))),
        }
        extra = {"seed": job.input.get("seed", 1234567)} if field == "audio" else {}
        return _reply(200, {field: sound, **extra})

    def _sound(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.files.link_ok(call):
            return Reply(403, body=b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
        with self.lock:
            job = self.jobs.get(match["id"])
        if job is None:
            return Reply(404, body=b"Not Found", content_type="text/plain")
        return file_reply(music_wav(_seconds(job.input)), call, content_type="audio/wav")


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
