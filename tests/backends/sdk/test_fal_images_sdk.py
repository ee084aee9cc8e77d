"""The official fal_client makes stills against the fake queue's image endpoints (FLUX, Seedream): the same queue
as the clips, a picture's input and an `images` result."""

from __future__ import annotations

from collections.abc import Iterator

import fal_client
import fal_client.client as fal_client_module
import httpx
import pytest

from tests.fakes.fal import KEY
from tests.fakes.fal_images import FakeFalImages
from tests.fakes.openai import png


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFalImages]:
    with FakeFalImages() as server:
        monkeypatch.setattr(fal_client_module, "QUEUE_URL_FORMAT", f"{server.url}/")
        yield server


@pytest.fixture
def client() -> Iterator[fal_client.SyncClient]:
    sdk = fal_client.SyncClient(key=KEY)
    yield sdk
    sdk._client.close()


def _size(picture: bytes) -> tuple[int, int]:
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")


def test_the_sdk_makes_a_flux_still(fake: FakeFalImages, client: fal_client.SyncClient) -> None:
    arguments = {"prompt": "A lighthouse at dawn", "image_size": "portrait_16_9", "num_images": 1, "seed": 7}
    handle = client.submit("fal-ai/flux/dev", arguments)
    assert handle.status_url == f"{fake.url}/fal-ai/flux/requests/{handle.request_id}/status"

    result = handle.get(interval=0.01)

    (image,) = result["images"]
    assert (image["width"], image["height"], image["content_type"]) == (576, 1024, "image/png")
    assert _size(httpx.get(image["url"]).content) == (576, 1024)
    assert result["seed"] == 7 and result["has_nsfw_concepts"] == [False]
    (submit,) = fake.submits()
    assert submit.json() == arguments and submit.headers["authorization"] == f"Key {KEY}"


def test_the_sdk_sends_seedream_its_pictures_to_go_on(fake: FakeFalImages, client: fal_client.SyncClient) -> None:
    pictures = [fal_client.encode(png(32, 32), "image/png") for _ in range(3)]
    result = client.subscribe(
        "fal-ai/bytedance/seedream/v4/edit",
        {"prompt": "Mara, Tom and the pier", "image_urls": pictures, "image_size": "landscape_16_9"},
        interval=0.01,
    )
    assert _size(httpx.get(result["images"][0]["url"]).content) == (1024, 576)
    assert [len(call.json()["image_urls"]) for call in fake.submits()] == [3]


def test_the_sdk_sees_an_image_runners_refusals(fake: FakeFalImages, client: fal_client.SyncClient) -> None:
    blocked = client.submit("fal-ai/flux/dev", {"prompt": "BLOCKME a harbour"})
    with pytest.raises(fal_client.client.FalClientHTTPError) as refused:
        blocked.get(interval=0.01)
    assert refused.value.message[0]["type"] == "content_policy_violation"

    empty = client.submit("fal-ai/bytedance/seedream/v4/edit", {"prompt": "No pictures", "image_urls": []})
    with pytest.raises(fal_client.client.FalClientHTTPError) as wrong:
        empty.get(interval=0.01)
    assert wrong.value.status_code == 422 and wrong.value.message[0]["loc"] == ["body", "image_urls"]
