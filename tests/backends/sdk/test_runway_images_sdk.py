"""The official `runwayml` SDK makes a Gen-4 Image still with tagged references against the fake: text_to_image,
then the task like a clip's."""

from __future__ import annotations

import base64

import httpx
import pytest
import runwayml
from runwayml.lib import polling

from tests.fakes.openai import png
from tests.fakes.runway import KEY
from tests.fakes.runway_images import FakeRunwayImages


@pytest.fixture(autouse=True)
def _quick_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling, "POLL_TIME", 0)
    monkeypatch.setattr(polling, "POLL_JITTER", 0)


def _uri() -> str:
    return "data:image/png;base64," + base64.b64encode(png(16, 16)).decode("ascii")


def _size(picture: bytes) -> tuple[int, int]:
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(picture[16:20], "big"), int.from_bytes(picture[20:24], "big")


def test_sdk_makes_a_still_with_tagged_references() -> None:
    references = [{"uri": _uri(), "tag": "Mara"}, {"uri": _uri(), "tag": "Old_Tom"}]
    with FakeRunwayImages() as fake, runwayml.RunwayML(api_key=KEY, base_url=fake.url, max_retries=0) as client:
        created = client.text_to_image.create(
            model="gen4_image",
            prompt_text="@Mara waves to @Old_Tom on the pier",
            ratio="1080:1920",
            reference_images=references,
            seed=3,
        )
        task = created.wait_for_task_output(timeout=30)
        picture = httpx.get(task.output[0]).content

    assert task.status == "SUCCEEDED" and task.cost is not None and task.cost.credits == 8
    assert _size(picture) == (1080, 1920)
    (create,) = fake.calls_to("POST", r"/v1/text_to_image")
    assert create.headers["x-runway-version"] == "2024-11-06"
    assert create.json() == {
        "model": "gen4_image",
        "promptText": "@Mara waves to @Old_Tom on the pier",
        "ratio": "1080:1920",
        "referenceImages": references,
        "seed": 3,
    }


def test_sdk_sees_runways_refusals() -> None:
    with FakeRunwayImages() as fake, runwayml.RunwayML(api_key=KEY, base_url=fake.url, max_retries=0) as client:
        with pytest.raises(runwayml.BadRequestError) as bad_tag:
            client.text_to_image.create(
                model="gen4_image",
                prompt_text="@Al on the pier",
                ratio="1920:1080",
                reference_images=[{"uri": _uri(), "tag": "Al"}],
            )
        with pytest.raises(runwayml.BadRequestError) as turbo:
            client.text_to_image.create(
                model="gen4_image_turbo", prompt_text="A pier", ratio="1920:1080", reference_images=[]
            )
        blocked = client.text_to_image.create(model="gen4_image", prompt_text="BLOCKME a pier", ratio="1280:720")
        with pytest.raises(runwayml.TaskFailedError) as failed:
            blocked.wait_for_task_output(timeout=30)

    assert "Tag must be 3-16 characters" in str(bad_tag.value)
    assert "referenceImages" in str(turbo.value)
    assert failed.value.task_details.failure_code == "SAFETY.INPUT.TEXT"
