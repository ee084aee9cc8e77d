"""The official `replicate` client makes stills on the fake's image models: a prediction like a clip's, each
model's own inputs, and a list of picture links as the output."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import replicate
from replicate.exceptions import ModelError, ReplicateError
from replicate.helpers import FileOutput

from tests.fakes.openai import png
from tests.fakes.replicate import KEY
from tests.fakes.replicate_images import FakeReplicateImages


@pytest.fixture
def fake() -> Iterator[FakeReplicateImages]:
    with FakeReplicateImages() as server:
        yield server  # type: ignore[misc]


def _client(fake: FakeReplicateImages) -> replicate.Client:
    client = replicate.Client(api_token=KEY, base_url=fake.url)
    client.poll_interval = 0.01
    return client


def _size(picture: bytes) -> tuple[int, int]:
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")


def test_the_sdk_makes_a_flux_schnell_still(fake: FakeReplicateImages) -> None:
    client = _client(fake)
    inputs = {"prompt": "A lighthouse at dawn", "aspect_ratio": "16:9", "num_outputs": 1, "output_format": "png"}
    prediction = client.models.predictions.create(model="black-forest-labs/flux-schnell", input=inputs)
    prediction.wait()

    assert prediction.status == "succeeded" and isinstance(prediction.output, list)
    assert _size(FileOutput(prediction.output[0], client).read()) == (1024, 576)
    (create,) = fake.calls_to("POST", r"/v1/models/black-forest-labs/flux-schnell/predictions")
    assert create.json() == {"input": inputs}


def test_the_sdk_runs_seedream_with_pictures_to_go_on(fake: FakeReplicateImages) -> None:
    client = _client(fake)
    pictures = [png(16, 16) for _ in range(3)]
    output = client.run(
        "bytedance/seedream-4",
        input={"prompt": "Mara on the pier", "image_input": [io.BytesIO(p) for p in pictures], "max_images": 1},
    )
    assert _size(FileOutput(str(output[0]), client).read()) == (1024, 1024)
    (create,) = fake.calls_to("POST", r"/v1/models/bytedance/seedream-4/predictions")
    sent = create.json()["input"]["image_input"]
    # the SDK uploads each picture to /v1/files first (the adapter inlines small ones as data URIs, which the
    # schema takes as well, and uploads large ones the same way)
    assert len(sent) == 3 and all("/v1/files/" in item for item in sent) and len(fake.files) == 3


def test_the_sdk_sees_an_image_models_refusals(fake: FakeReplicateImages) -> None:
    client = _client(fake)
    with pytest.raises(ReplicateError) as invalid:
        client.models.predictions.create(model="google/imagen-4", input={"prompt": "x", "aspect_ratio": "21:9"})
    assert invalid.value.status == 422 and "aspect_ratio must be one of" in str(invalid.value.detail)
    with pytest.raises(ModelError, match="flagged as sensitive"):
        client.run("google/imagen-4", input={"prompt": "BLOCKME a harbour"})
