"""The official `openai` SDK (client.images) makes stills against the fake: it speaks OpenAI's Images API."""

from __future__ import annotations

import base64

import openai
import pytest

from tests.fakes.openai import KEY, png
from tests.fakes.openai_images import FakeOpenAIImages


def _size(picture: bytes) -> tuple[int, int]:
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")


def test_sdk_generates_a_still_from_words() -> None:
    with FakeOpenAIImages() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        answer = client.images.generate(
            model="gpt-image-1", prompt="A lighthouse at dawn", size="1536x1024", quality="low", output_format="png"
        )

    assert answer.data is not None and answer.data[0].b64_json is not None
    assert _size(base64.b64decode(answer.data[0].b64_json)) == (1536, 1024)
    assert answer.size == "1536x1024" and answer.quality == "low" and answer.usage is not None
    (create,) = fake.calls_to("POST", r"/v1/images/generations")
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.headers["content-type"].startswith("application/json")
    assert fake.generated == [
        {
            "model": "gpt-image-1",
            "prompt": "A lighthouse at dawn",
            "size": "1536x1024",
            "quality": "low",
            "output_format": "png",
            "images": [],
        }
    ]
    assert fake.made == 1


def test_sdk_sends_reference_pictures_as_an_image_array() -> None:
    pictures = [(f"cast-{n}.png", png(64, 64, (n * 40, 90, 160)), "image/png") for n in range(3)]
    with FakeOpenAIImages() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        answer = client.images.edit(
            model="gpt-image-1", image=pictures, prompt="Mara and Tom on the pier", size="1024x1536", n=1
        )

    assert answer.data is not None and _size(base64.b64decode(answer.data[0].b64_json or "")) == (1024, 1536)
    (create,) = fake.calls_to("POST", r"/v1/images/edits")
    assert create.headers["content-type"].startswith("multipart/form-data")
    (sent,) = fake.generated
    assert [image["filename"] for image in sent["images"]] == ["cast-0.png", "cast-1.png", "cast-2.png"]
    assert b'name="image[]"' in create.body, "the SDK's array form, which the adapter sends too"
    assert {sent["prompt"], sent["model"], sent["size"], sent["n"]} == {
        "Mara and Tom on the pier",
        "gpt-image-1",
        "1024x1536",
        "1",
    }


def test_sdk_sees_the_real_error_shapes() -> None:
    with FakeOpenAIImages() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        with pytest.raises(openai.BadRequestError) as blocked:
            client.images.generate(model="gpt-image-1", prompt="BLOCKNOW a harbour")
        with pytest.raises(openai.BadRequestError) as refused:
            client.images.generate(model="gpt-image-1", prompt="A harbour", size="1920x1080")
    assert blocked.value.code == "moderation_blocked"
    assert refused.value.code == "invalid_value" and refused.value.param == "size"
    assert fake.made == 0
    with (
        FakeOpenAIImages() as other,
        openai.OpenAI(api_key="sk-wrong-key-123456", base_url=other.api_url, max_retries=0) as client,
        pytest.raises(openai.AuthenticationError),
    ):
        client.images.generate(model="gpt-image-1", prompt="A harbour")
    assert other.made == 0
