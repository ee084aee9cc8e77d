"""The official `replicate` client makes music with MusicGen on the fake: a prediction on its version, MusicGen's
own inputs, and one link to the sound as its output."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import pytest
import replicate
from replicate.exceptions import ReplicateError
from replicate.helpers import FileOutput

from tests.fakes.replicate import KEY
from tests.fakes.replicate_music import MUSICGEN_VERSION, FakeReplicateMusic


@pytest.fixture
def fake() -> Iterator[FakeReplicateMusic]:
    with FakeReplicateMusic() as server:
        yield server  # type: ignore[misc]


def _client(fake: FakeReplicateMusic) -> replicate.Client:
    client = replicate.Client(api_token=KEY, base_url=fake.url)
    client.poll_interval = 0.01
    return client


def _seconds(sound: bytes) -> float:
    with wave.open(io.BytesIO(sound)) as read:
        return read.getnframes() / read.getframerate()


def test_the_sdk_makes_musicgen_music_on_its_version(fake: FakeReplicateMusic) -> None:
    client = _client(fake)
    inputs = {
        "prompt": "calm harbour at dawn, slow strings",
        "duration": 9,
        "model_version": "stereo-large",
        "output_format": "wav",
        "normalization_strategy": "loudness",
    }
    prediction = client.predictions.create(version=MUSICGEN_VERSION, input=inputs)
    prediction.wait()

    assert prediction.status == "succeeded" and isinstance(prediction.output, str)
    assert _seconds(FileOutput(prediction.output, client).read()) == 9
    (create,) = fake.calls_to("POST", r"/v1/predictions")
    assert create.json() == {"version": MUSICGEN_VERSION, "input": inputs}


def test_replicate_run_reads_the_pinned_version(fake: FakeReplicateMusic) -> None:
    client = _client(fake)
    output = client.run(f"meta/musicgen:{MUSICGEN_VERSION}", input={"prompt": "a drum loop", "duration": 3})
    assert isinstance(output, str) and output.split("?")[0].endswith("/output.wav"), "one link, not a list"
    assert _seconds(FileOutput(output, client).read()) == 3


def test_the_sdk_sees_a_checkpoint_musicgen_does_not_have(fake: FakeReplicateMusic) -> None:
    with pytest.raises(ReplicateError) as refused:
        _client(fake).predictions.create(version=MUSICGEN_VERSION, input={"prompt": "x", "model_version": "huge"})
    assert refused.value.status == 422 and "model_version must be one of" in str(refused.value.detail)
