"""Luma's official `luma-agents` SDK completes a Ray 3.2 generation against the fake: the fake speaks the Agents
API, and the body the SDK sends for a shot is the body Shotline's adapter builds for it."""

from __future__ import annotations

from pathlib import Path

import httpx
import luma_agents
import pytest

from shotline.backends.luma_agents import create_body
from tests.backends.adapter_kit import cloud_request
from tests.fakes.luma_agents import BLOCKED_REASON, KEY, FakeLumaAgents
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg


def _wait(client: luma_agents.Luma, generation_id: str) -> luma_agents.types.Generation:
    for _ in range(20):
        generation = client.generations.get(generation_id)
        if generation.state in {"completed", "failed"}:
            return generation
    raise AssertionError("the fake never finished the generation")


def test_sdk_creates_waits_and_fetches_the_clip(tmp_path: Path) -> None:
    frame = tmp_path / "first.png"
    frame.write_bytes(b"\x89PNG\r\n\x1a\nnot-really-a-png")
    ours = create_body(cloud_request("luma_agents", "ray-3.2", first_frame=str(frame), resolution="540p"))
    longer = create_body(cloud_request("luma_agents", "ray-3.2", duration_us=10_000_000, last_frame=str(frame)))
    with (
        FakeLumaAgents() as fake,
        luma_agents.Luma(auth_token=KEY, base_url=fake.api_url, max_retries=0) as client,
    ):
        created = client.generations.create(
            model="ray-3.2",
            type="video",
            prompt=ours["prompt"],
            aspect_ratio=ours["aspect_ratio"],
            video=ours["video"],
        )
        assert created.state == "queued" and created.id and created.type == "video"
        done = _wait(client, created.id)
        assert done.state == "completed" and done.output
        clip = httpx.get(done.output[0].url).content
        files = client.files.list(limit=1)
        pinned = client.generations.create(
            model="ray-3.2", type="video", prompt=longer["prompt"], video=longer["video"]
        )
        assert _wait(client, pinned.id).state == "completed"

    assert clip == sample_mp4() and done.output[0].type == "video"
    assert files.data == [] and files.has_more is False
    create, create_longer = fake.creates()
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.json() == ours, "the SDK sends for the shot exactly what the adapter builds"
    assert create_longer.json()["video"] == longer["video"] and longer["video"]["keyframe_indexes"] == [240]
    assert create.json()["video"]["start_frame"]["media_type"] == "image/png"


def test_sdk_sees_failures_refusals_and_a_wrong_key() -> None:
    with (
        FakeLumaAgents() as fake,
        luma_agents.Luma(auth_token=KEY, base_url=fake.api_url, max_retries=0) as client,
    ):
        blocked = _wait(client, client.generations.create(model="ray-3.2", type="video", prompt="BLOCKME a pier").id)
        assert blocked.state == "failed" and blocked.failure_code == "content_moderated"
        assert blocked.failure_reason == BLOCKED_REASON
        failed = _wait(client, client.generations.create(model="ray-3.2", type="video", prompt="FAILME a pier").id)
        assert failed.failure_code == "generation_failed"

        with pytest.raises(luma_agents.UnprocessableEntityError, match="duration=10s"):
            client.generations.create(
                model="ray-3.2",
                type="video",
                prompt="A pier",
                video={"duration": "10s", "start_frame": {"url": "https://example.com/a.jpg"}},
            )
        pinned = client.generations.create(
            model="ray-3.2",
            type="video",
            prompt="A pier",
            video={"duration": "10s", "keyframes": [{"url": "https://example.com/a.jpg"}], "keyframe_indexes": [240]},
        )
        assert _wait(client, pinned.id).state == "completed"
        with pytest.raises(luma_agents.BadRequestError, match="keyframe_indexes"):
            client.generations.create(
                model="ray-3.2",
                type="video",
                prompt="A pier",
                video={
                    "duration": "5s",
                    "keyframes": [{"url": "https://example.com/a.jpg"}],
                    "keyframe_indexes": [241],
                },
            )
        with pytest.raises(luma_agents.BadRequestError, match="resolution"):
            client.generations.create(
                model="ray-3.2",
                type="video",
                prompt="A pier",
                video={"resolution": "4k"},  # type: ignore[typeddict-item]
            )
        with pytest.raises(luma_agents.BadRequestError, match="model"):
            client.generations.create(model="ray-2", type="video", prompt="A pier")  # type: ignore[arg-type]
        with pytest.raises(luma_agents.NotFoundError):
            client.generations.get("00000000-0000-0000-0000-000000000000")

    with (
        FakeLumaAgents() as other,
        luma_agents.Luma(auth_token="luma-api-not-the-key", base_url=other.api_url, max_retries=0) as stranger,
        pytest.raises(luma_agents.AuthenticationError, match="API key"),
    ):
        stranger.files.list()
