"""The official `google-genai` SDK makes stills with the Gemini image models against the fake: generate_content
with an IMAGE response and an image config, pictures to go on as inline parts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from google import genai
from google.genai import types

from tests.fakes.google import KEY
from tests.fakes.google_images import FakeGoogleImages
from tests.fakes.openai import png


@contextmanager
def _client(url: str) -> Iterator[genai.Client]:
    options = types.HttpOptions(base_url=url, retry_options=types.HttpRetryOptions(attempts=1))
    client = genai.Client(api_key=KEY, http_options=options)
    try:
        yield client
    finally:
        client.close()


def _size(picture: bytes) -> tuple[int, int]:
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")


def test_sdk_makes_a_still_with_pictures_to_go_on() -> None:
    pictures = [types.Part.from_bytes(data=png(16, 16), mime_type="image/png") for _ in range(2)]
    with FakeGoogleImages() as fake, _client(fake.url) as client:
        answer = client.models.generate_content(
            model="gemini-2.5-flash-image",
            contents=["Mara and Tom on the pier at dawn", *pictures],
            config=types.GenerateContentConfig(
                response_modalities=["IMAGE"], image_config=types.ImageConfig(aspect_ratio="9:16")
            ),
        )

    images = [part.inline_data for part in answer.candidates[0].content.parts if part.inline_data]  # type: ignore[index, union-attr]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    assert _size(images[0].data or b"") == (768, 1344)
    (create,) = fake.calls_to("POST", r"/v1/models/gemini-2\.5-flash-image:generateContent")
    assert create.headers["x-goog-api-key"] == KEY
    (sent,) = fake.generated
    assert sent["role"] == "user" and sent["prompt"] == "Mara and Tom on the pier at dawn"
    assert [mime for mime, _ in sent["pictures"]] == ["image/png", "image/png"]
    assert sent["config"] == {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "9:16"}}


def test_sdk_sees_a_refused_prompt_as_google_sends_it() -> None:
    with FakeGoogleImages() as fake, _client(fake.url) as client:
        blocked = client.models.generate_content(model="gemini-2.5-flash-image", contents="BLOCKME a harbour")
        stopped = client.models.generate_content(model="gemini-2.5-flash-image", contents="IMGSAFETY a harbour")

    assert not blocked.candidates and blocked.prompt_feedback is not None
    assert blocked.prompt_feedback.block_reason == types.BlockedReason.PROHIBITED_CONTENT
    assert stopped.candidates and stopped.candidates[0].finish_reason == types.FinishReason.IMAGE_SAFETY
    assert fake.made == 0
