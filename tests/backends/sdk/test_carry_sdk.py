"""The cast's references as the official SDKs send them (issue 16, carry): each SDK is handed the fields it declares
(runwayml's Seedance2Reference, google-genai's image content blocks, fal-client's arguments), its request is taken by
the fake, and what Shotline's adapter sends for the same shot is the same body, field for field."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import fal_client
import fal_client.client as fal_client_module
import pytest
import runwayml
from google import genai
from google.genai import types

from shotline.backends import fal_inputs, google, runway
from shotline.core.ports import GenerationRequest
from tests.backends.adapter_kit import cloud_request
from tests.fakes.fal import KEY as FAL_KEY
from tests.fakes.fal import FakeFal
from tests.fakes.google import KEY as GOOGLE_KEY
from tests.fakes.google import FakeGoogle
from tests.fakes.openai import png
from tests.fakes.runway import KEY as RUNWAY_KEY
from tests.fakes.runway import FakeRunway

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def pictures(tmp_path: Path) -> list[Path]:
    paths = []
    for name, colour in (("mara", (200, 160, 20)), ("teo", (180, 30, 30))):
        path = tmp_path / f"{name}.png"
        path.write_bytes(png(32, 32, colour))
        paths.append(path)
    return paths


def _request(backend: str, model: str, prompt: str, pictures: list[Path], **changes: object) -> GenerationRequest:
    return cloud_request(
        backend,
        model,
        prompt=prompt,
        reference_images=tuple(str(p) for p in pictures),
        **changes,  # type: ignore[arg-type]
    )


def test_runway_seedance_references_are_the_sdks_text_to_video_references(pictures: list[Path]) -> None:
    request = _request("runway", "seedance2", "Mara and Teo row at dawn", pictures)
    created = asyncio.run(runway._create_for(request))
    assert created.path == "/v1/text_to_video"
    with FakeRunway() as fake, runwayml.RunwayML(api_key=RUNWAY_KEY, base_url=fake.url, max_retries=0) as client:
        client.text_to_video.create(
            model="seedance2",
            prompt_text="Mara and Teo row at dawn",
            ratio="1280:720",
            duration=5,
            audio=True,
            references=created.body["references"],
        )
        (sent,) = fake.creates()
    assert sent.json() == created.body


def test_gemini_omni_reference_blocks_are_the_sdks_interaction_input(pictures: list[Path]) -> None:
    request = _request(
        "google", "gemini-omni-1.2-flash", "<IMAGE_REF_0> and <IMAGE_REF_1> row at dawn", pictures, resolution="720p"
    )
    body = google.build_body(request)
    with FakeGoogle() as fake:
        options = types.HttpOptions(base_url=fake.url, retry_options=types.HttpRetryOptions(attempts=1))
        client = genai.Client(api_key=GOOGLE_KEY, http_options=options)
        try:
            client.interactions.create(
                model=body["model"],
                input=body["input"],
                response_format=body["response_format"],
                generation_config=body["generation_config"],
                background=True,
                store=True,
                labels=body["labels"],
            )
        finally:
            client.close()
        (sent,) = fake.creates()
    assert sent.json()["input"] == body["input"]
    blocks = body["input"][0]["content"]
    assert [block["type"] for block in blocks] == ["image", "image", "text"]
    assert body["generation_config"]["video_config"] == {"task": "reference_to_video"}


@pytest.fixture
def fal_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFal]:
    with FakeFal() as server:
        monkeypatch.setattr(fal_client_module, "QUEUE_URL_FORMAT", f"{server.url}/")
        yield server


def test_fal_seedance_references_go_through_fal_client_to_the_reference_endpoint(
    fal_fake: FakeFal, pictures: list[Path]
) -> None:
    request = _request("fal", "seedance-2", "@Image1 and @Image2 row at dawn", pictures)
    endpoint, arguments = fal_inputs.build_input(request)
    assert endpoint == "bytedance/seedance-2.0/reference-to-video"
    sdk = fal_client.SyncClient(key=FAL_KEY)
    try:
        handle = sdk.submit(endpoint, arguments)
        result = handle.get()
    finally:
        sdk._client.close()
    assert result["video"]["url"]
    (sent,) = fal_fake.submits()
    assert sent.path == f"/{endpoint}" and sent.json() == arguments
    assert len(arguments["image_urls"]) == 2
