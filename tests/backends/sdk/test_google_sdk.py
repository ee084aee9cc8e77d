"""The official `google-genai` SDK makes a Gemini Omni clip against the fake: the fake speaks Google's protocol."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from google import genai
from google.genai import _interactions, types

from tests.fakes.google import KEY, FakeGoogle
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg


@contextmanager
def _client(url: str, key: str = KEY, version: str | None = None) -> Iterator[genai.Client]:
    options = types.HttpOptions(base_url=url, api_version=version, retry_options=types.HttpRetryOptions(attempts=1))
    client = genai.Client(api_key=key, http_options=options)
    try:
        yield client
    finally:
        client.close()


def test_sdk_runs_a_background_interaction_and_downloads_the_file() -> None:
    with FakeGoogle() as fake, _client(fake.url) as client:
        interaction = client.interactions.create(
            model="gemini-omni-1.2-flash",
            input="A paper boat drifting down a rain gutter. No dialogue.",
            response_format={
                "type": "video",
                "aspect_ratio": "9:16",
                "resolution": "1080p",
                "duration": "6s",
                "delivery": "uri",
            },
            generation_config={"video_config": {"task": "text_to_video"}, "seed": 11},
            background=True,
            store=True,
        )
        assert interaction.status == "queued"
        for _ in range(10):
            if interaction.status == "completed":
                break
            interaction = client.interactions.get(interaction.id)
        assert interaction.status == "completed"
        assert interaction.usage is not None and interaction.usage.total_output_tokens == 6 * 5792
        video = interaction.output_video
        assert video is not None and video.uri is not None and video.data is None
        found = re.search(r"files/([a-z0-9]+)", video.uri)
        assert found is not None
        file = client.files.get(name=found.group(1))
        for _ in range(10):
            if file.state == types.FileState.ACTIVE:
                break
            file = client.files.get(name=found.group(1))
        assert file.state == types.FileState.ACTIVE and file.source == types.FileSource.GENERATED
        clip = client.files.download(file=f"files/{found.group(1)}")

    assert clip == sample_mp4()
    (create,) = fake.creates()
    assert create.path == "/v1/interactions"  # google-genai 3.x's API version
    assert create.headers["x-goog-api-key"] == KEY
    assert create.json()["response_format"]["duration"] == "6s"
    # the download went through Google's host, which redirected to the storage host
    assert fake.count("GET", r"/v1/files/[a-z0-9]+:download") == 1
    assert len(fake.file_host.calls) == 1


def test_sdk_unary_inline_interaction_under_v1beta() -> None:
    with FakeGoogle() as fake, _client(fake.url, version="v1beta") as client:
        interaction = client.interactions.create(
            model="gemini-omni-1.1-flash",
            input=[{"type": "text", "text": "A lighthouse at dawn"}],
            response_format={"type": "video", "duration": "4s"},
        )
    assert interaction.status == "completed"
    video = interaction.output_video
    assert video is not None and video.data is not None
    assert base64.b64decode(video.data) == sample_mp4()
    (create,) = fake.creates()
    assert create.path == "/v1beta/interactions"
    # the SDK turns a list of content blocks into one user_input step
    assert create.json()["input"] == [
        {"type": "user_input", "content": [{"type": "text", "text": "A lighthouse at dawn"}]}
    ]


def test_sdk_sees_the_fakes_errors_cancel_and_safety_failure() -> None:
    with FakeGoogle() as fake:
        with _client(fake.url, key="not-the-key") as bad, pytest.raises(_interactions.BadRequestError) as refused:
            bad.interactions.create(model="gemini-omni-1.2-flash", input="x", background=True)
        assert "API key not valid" in str(refused.value)

        with _client(fake.url) as client:
            with pytest.raises(_interactions.BadRequestError, match="out of range"):
                client.interactions.create(
                    model="gemini-omni-1.1-flash",
                    input="x",
                    response_format={"type": "video", "duration": "12s"},
                    background=True,
                )
            with pytest.raises(_interactions.NotFoundError, match="no longer available"):
                client.interactions.create(model="gemini-omni-flash-preview", input="x", background=True)

            running = client.interactions.create(model="gemini-omni-1.2-flash", input="A harbour", background=True)
            assert client.interactions.cancel(running.id).status == "cancelled"
            assert fake.cancelled == [running.id]

            blocked = client.interactions.create(model="gemini-omni-1.2-flash", input="BLOCKME", background=True)
            for _ in range(3):
                blocked = client.interactions.get(blocked.id)
            assert blocked.status == "failed"
            assert blocked.errors is not None and blocked.errors[0].code == "safety"
