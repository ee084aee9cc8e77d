"""The official `runwayml` SDK completes a generation against the fake: the fake speaks Runway's protocol."""

from __future__ import annotations

import httpx
import pytest
import runwayml
from runwayml.lib import polling

from tests.fakes.runway import KEY, FakeRunway
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(autouse=True)
def _quick_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    # the SDK sleeps 6 ± 1.5 s before every status read
    monkeypatch.setattr(polling, "POLL_TIME", 0)
    monkeypatch.setattr(polling, "POLL_JITTER", 0)


def test_sdk_creates_waits_and_fetches_the_clip() -> None:
    with FakeRunway() as fake, runwayml.RunwayML(api_key=KEY, base_url=fake.url, max_retries=0) as client:
        created = client.text_to_video.create(
            model="gen4.5", prompt_text="A lighthouse at dawn", ratio="1280:720", duration=5, seed=7
        )
        task = created.wait_for_task_output(timeout=30)
        assert task.status == "SUCCEEDED"
        assert task.cost.credits == 60
        clip = httpx.get(task.output[0]).content
        org = client.organization.retrieve()

    assert clip == sample_mp4()
    assert org.credit_balance == 12_345
    (create,) = fake.creates()
    assert create.headers["x-runway-version"] == "2024-11-06"
    assert create.json() == {
        "model": "gen4.5",
        "promptText": "A lighthouse at dawn",
        "ratio": "1280:720",
        "duration": 5,
        "seed": 7,
    }


def test_sdk_image_to_video_cancel_and_errors() -> None:
    image = "data:image/png;base64,iVBORw0KGgo="
    with FakeRunway() as fake, runwayml.RunwayML(api_key=KEY, base_url=fake.url, max_retries=0) as client:
        created = client.image_to_video.create(
            model="veo3.1",
            prompt_image=[{"uri": image, "position": "first"}, {"uri": image, "position": "last"}],
            ratio="1920:1080",
            duration=6,
            audio=False,
        )
        assert client.tasks.retrieve(created.id).status == "PENDING"
        client.tasks.delete(created.id)
        assert client.tasks.retrieve(created.id).status == "CANCELLED"
        assert fake.cancelled == [created.id]

        with pytest.raises(runwayml.BadRequestError) as bad:
            client.text_to_video.create(model="veo3.1", prompt_text="x", ratio="960:960", duration=8)
        assert bad.value.body["issues"][0]["path"] == ["ratio"]  # type: ignore[index]

        with pytest.raises(runwayml.BadRequestError):
            client.image_to_video.create(
                model="veo3.1", prompt_image=[{"uri": image, "position": "last"}], ratio="1280:720"
            )

        blocked = client.text_to_video.create(model="gen4.5", prompt_text="BLOCKME", ratio="720:1280", duration=2)
        with pytest.raises(runwayml.TaskFailedError) as failed:
            blocked.wait_for_task_output(timeout=30)
        assert failed.value.task_details.failure_code == "SAFETY.INPUT.TEXT"  # type: ignore[union-attr]

    with (
        FakeRunway() as fake,
        runwayml.RunwayML(api_key="wrong", base_url=fake.url, max_retries=0) as client,
        pytest.raises(runwayml.AuthenticationError),
    ):
        client.organization.retrieve()
