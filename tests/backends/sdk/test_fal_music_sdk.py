"""The official fal_client makes music against the fake queue's music endpoints (Stable Audio 2.5 and Open): the
same queue as the clips, a music input and an `audio` (or `audio_file`) result."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import fal_client
import fal_client.client as fal_client_module
import httpx
import pytest

from tests.fakes.fal import KEY
from tests.fakes.fal_music import FakeFalMusic


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFalMusic]:
    with FakeFalMusic() as server:
        monkeypatch.setattr(fal_client_module, "QUEUE_URL_FORMAT", f"{server.url}/")
        yield server


@pytest.fixture
def client() -> Iterator[fal_client.SyncClient]:
    sdk = fal_client.SyncClient(key=KEY)
    yield sdk
    sdk._client.close()


def _seconds(sound: bytes) -> float:
    with wave.open(io.BytesIO(sound)) as read:
        return read.getnframes() / read.getframerate()


def test_the_sdk_makes_stable_audio_25_music(fake: FakeFalMusic, client: fal_client.SyncClient) -> None:
    arguments = {"prompt": "calm harbour at dawn, slow strings", "seconds_total": 12, "seed": 7}
    handle = client.submit("fal-ai/stable-audio-25/text-to-audio", arguments)
    assert handle.status_url == f"{fake.url}/fal-ai/stable-audio-25/requests/{handle.request_id}/status"

    result = handle.get(interval=0.01)

    assert result["audio"]["content_type"] == "audio/wav" and result["seed"] == 7
    assert _seconds(httpx.get(result["audio"]["url"]).content) == 12
    (submit,) = fake.submits()
    assert submit.json() == arguments and submit.headers["authorization"] == f"Key {KEY}"


def test_the_sdk_makes_stable_audio_open_music(fake: FakeFalMusic, client: fal_client.SyncClient) -> None:
    result = client.subscribe("fal-ai/stable-audio", {"prompt": "a drum loop", "seconds_total": 5}, interval=0.01)
    assert _seconds(httpx.get(result["audio_file"]["url"]).content) == 5


def test_the_sdk_sees_a_length_the_model_does_not_make(fake: FakeFalMusic, client: fal_client.SyncClient) -> None:
    handle = client.submit("fal-ai/stable-audio", {"prompt": "too long", "seconds_total": 60})
    with pytest.raises(fal_client.client.FalClientHTTPError) as wrong:
        handle.get(interval=0.01)
    assert wrong.value.status_code == 422 and wrong.value.message[0]["loc"] == ["body", "seconds_total"]
