"""The official `lumaai` SDK completes a generation against the fake: the fake speaks Luma's protocol."""

from __future__ import annotations

import httpx
import lumaai
import pytest

from tests.fakes.luma import BLOCKED_REASON, KEY, FakeLuma
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg


def _wait(client: lumaai.LumaAI, generation_id: str) -> lumaai.types.Generation:
    for _ in range(20):
        generation = client.generations.get(generation_id)
        if generation.state in {"completed", "failed"}:
            return generation
    raise AssertionError("the fake never finished the generation")


def test_sdk_creates_waits_and_fetches_the_clip() -> None:
    with FakeLuma() as fake, lumaai.LumaAI(auth_token=KEY, base_url=fake.url, max_retries=0) as client:
        created = client.generations.video.create(
            model="ray-2",
            prompt="A lighthouse at dawn",
            aspect_ratio="16:9",
            duration="5s",
            resolution="540p",
            loop=True,
            keyframes={"frame1": {"type": "image", "url": "https://example.com/end.jpg"}},
        )
        assert created.state == "queued" and created.id
        done = _wait(client, created.id)
        assert done.state == "completed" and done.assets is not None and done.assets.video
        clip = httpx.get(done.assets.video).content

        listed = client.generations.list(limit=5)
        credits = client.credits.get()
        pong = client.ping.check()

    assert clip == sample_mp4()
    assert [g.id for g in listed.generations] == [created.id] and listed.has_more is False
    assert isinstance(done.request, lumaai.types.generation.RequestGenerationRequest)
    assert done.request.prompt == "A lighthouse at dawn" and done.request.loop is True
    assert credits.credit_balance == 100_000 - 14 * 5
    assert pong.message == "pong"
    (create,) = fake.calls_to("POST", r"/generations/video")
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.json()["keyframes"] == {"frame1": {"type": "image", "url": "https://example.com/end.jpg"}}


def test_sdk_older_create_path_delete_and_errors() -> None:
    with FakeLuma() as fake, lumaai.LumaAI(auth_token=KEY, base_url=fake.url, max_retries=0) as client:
        created = client.generations.create(model="ray-flash-2", prompt="A harbour", duration="9s")
        client.generations.delete(created.id)
        with pytest.raises(lumaai.NotFoundError):
            client.generations.get(created.id)

        blocked = _wait(client, client.generations.create(model="ray-2", prompt="BLOCKME a harbour").id)
        assert blocked.state == "failed" and blocked.failure_reason == BLOCKED_REASON

        with pytest.raises(lumaai.BadRequestError, match="duration"):
            client.generations.create(model="ray-2", prompt="A harbour", duration="7s")
        with pytest.raises(lumaai.BadRequestError, match="model"):
            client.generations.create(model="ray-1-6", prompt="A harbour")  # type: ignore[arg-type]
    assert fake.deleted == [created.id]

    with (
        FakeLuma() as other,
        lumaai.LumaAI(auth_token="not-the-key", base_url=other.url, max_retries=0) as stranger,
        pytest.raises(lumaai.AuthenticationError, match="Invalid API key"),
    ):
        stranger.credits.get()
    assert other.calls_to("GET", r"/credits")[0].headers["authorization"] == "Bearer not-the-key"
