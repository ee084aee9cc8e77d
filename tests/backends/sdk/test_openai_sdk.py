"""The official `openai` SDK (client.videos) completes a generation against the fake: it speaks OpenAI's protocol."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import openai
import pytest
from openai import omit

from tests.fakes.openai import KEY, FakeOpenAI, png
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(autouse=True)
def _sora_is_deprecated() -> Iterator[None]:
    # every videos method carries @deprecated("The Sora API is scheduled to permanently shut down…")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def test_sdk_creates_polls_and_downloads_the_clip() -> None:
    with FakeOpenAI() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        video = client.videos.create_and_poll(
            model="sora-2-pro", prompt="A lighthouse at dawn", seconds="8", size="1792x1024"
        )
        assert video.status == "completed" and video.progress == 100
        assert video.expires_at is not None and video.completed_at is not None
        clip = client.videos.download_content(video.id).read()
        thumbnail = client.videos.download_content(video.id, variant="thumbnail")
        listed = client.videos.list(limit=10)

    assert clip == sample_mp4()
    assert thumbnail.response.headers["content-type"] == "image/webp"
    assert [v.id for v in listed.data] == [video.id]
    (create,) = fake.calls_to("POST", "/v1/videos")
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.headers["content-type"].startswith("multipart/form-data")
    assert fake.created == [
        {"model": "sora-2-pro", "prompt": "A lighthouse at dawn", "seconds": "8", "size": "1792x1024"}
    ]
    # the SDK's poll helper marks its reads and waited the 10 ms the fake asked for, not its 1 s default
    reads = fake.calls_to("GET", r"/v1/videos/[^/]+")
    assert len(reads) == 3 and all(r.headers.get("x-stainless-poll-helper") == "true" for r in reads)


def test_sdk_first_frame_remix_extend_and_delete() -> None:
    with FakeOpenAI() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        first = client.videos.create_and_poll(
            prompt="A red kite over the dunes",
            size="1280x720",
            input_reference=("kite.png", png(1280, 720), "image/png"),
        )
        remix = client.videos.remix(first.id, prompt="The same kite at dusk")
        assert remix.remixed_from_video_id == first.id and remix.status == "queued"
        # extend(video={"id": …}) trips the SDK's own file check (it wants a file there); the same reference sent
        # as the body the SDK builds for it goes out as the multipart field `video[id]`
        longer = client.videos.extend(
            prompt="The kite lands", seconds="8", video=omit, extra_body={"video": {"id": first.id}}
        )
        assert client.videos.poll(longer.id).seconds == "12"
        deleted = client.videos.delete(remix.id)
        assert deleted.deleted and deleted.object == "video.deleted"
        with pytest.raises(openai.NotFoundError):
            client.videos.retrieve(remix.id)

    reference = fake.created[0]["input_reference"]
    assert reference["filename"] == "kite.png" and reference["content_type"] == "image/png"
    assert reference["dimensions"] == (1280, 720)
    assert fake.created[1] == {"remix_of": first.id, "prompt": "The same kite at dusk"}
    assert fake.created[2] == {"extend_of": first.id, "prompt": "The kite lands", "seconds": "8", "video[id]": first.id}
    assert fake.deleted == [remix.id]


def test_sdk_sees_the_real_error_shapes() -> None:
    with FakeOpenAI() as fake:
        wrong = openai.OpenAI(api_key="sk-wrong-key-0000", base_url=fake.api_url, max_retries=0)
        with wrong, pytest.raises(openai.AuthenticationError) as denied:
            wrong.videos.list()
        assert denied.value.code == "invalid_api_key"
        with openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
            with pytest.raises(openai.BadRequestError) as bad_size:
                client.videos.create(prompt="A kite", model="sora-2", size="1792x1024")
            assert bad_size.value.param == "size"
            with pytest.raises(openai.BadRequestError) as bad_frame:
                client.videos.create(
                    prompt="A kite", size="1280x720", input_reference=("small.png", png(64, 36), "image/png")
                )
            assert "must match the requested width and height" in bad_frame.value.message
            with pytest.raises(openai.BadRequestError) as blocked:
                client.videos.create(prompt="BLOCKNOW a kite")
            assert blocked.value.code == "moderation_blocked"
            failed = client.videos.create_and_poll(prompt="BLOCKME a kite")
            assert failed.status == "failed" and failed.error is not None
            assert failed.error.code == "moderation_blocked"
            fake.inject(
                "GET",
                r"/v1/videos/[^/]+",
                status=429,
                retry_after=0.01,
                body={
                    "error": {"message": "slow down", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
                },
            )
            with pytest.raises(openai.RateLimitError):
                client.videos.retrieve(failed.id)
    assert len(fake.videos) == 1
