"""The fake speaks Replicate's protocol: the official `replicate` client completes predictions against it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import replicate
from replicate.exceptions import ModelError, ReplicateError
from replicate.helpers import FileOutput

from tests.fakes.replicate import COMMUNITY_MODEL, COMMUNITY_VERSION, KEY, FakeReplicate
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with FakeReplicate() as server:
        yield server  # type: ignore[misc]


def _client(fake: FakeReplicate, key: str = KEY) -> replicate.Client:
    return replicate.Client(api_token=key, base_url=fake.url)


def test_the_sdk_creates_polls_and_fetches_a_clip(fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(fake)
    client.poll_interval = 0.01
    prediction = client.models.predictions.create(
        model="kwaivgi/kling-v2.0", input={"prompt": "a red fox in snow", "duration": 5, "aspect_ratio": "16:9"}
    )
    assert prediction.status == "starting"
    prediction.wait()

    assert prediction.status == "succeeded"
    assert prediction.progress is not None and prediction.progress.percentage == 1.0
    assert prediction.metrics == {"predict_time": 71.2, "total_time": 74.9}
    assert FileOutput(prediction.output, client).read() == sample_mp4()
    assert fake.calls_to("POST", r"/v1/models/kwaivgi/kling-v2.0/predictions")[0].headers["authorization"] == (
        f"Bearer {KEY}"
    )
    assert fake.count("GET", r"/v1/predictions/\w+") == fake.processing_reads + 1


def test_run_with_prefer_wait_and_a_pinned_version(fake: FakeReplicate) -> None:
    client = _client(fake)
    output = client.run(f"{COMMUNITY_MODEL}:{COMMUNITY_VERSION}", input={"prompt": "a lighthouse"}, wait=5)

    assert FileOutput(str(output), client).read() == sample_mp4()
    create = fake.calls_to("POST", r"/v1/predictions")[0]
    assert create.headers["prefer"] == "wait=5"
    assert create.json()["version"] == COMMUNITY_VERSION


def test_list_cancel_account_and_files(fake: FakeReplicate) -> None:
    client = _client(fake)
    prediction = client.predictions.create(version=COMMUNITY_VERSION, input={"prompt": "a harbour"})
    prediction.cancel()
    assert prediction.status == "canceled"
    assert [item.id for item in client.predictions.list()] == [prediction.id]
    assert client.accounts.current().username == "shotline-test"
    uploaded = client.files.create(io.BytesIO(b"\x89PNG fake image"), metadata={"for": "test"})
    assert uploaded.urls["get"].endswith(uploaded.id)


def test_errors_come_as_problem_details(fake: FakeReplicate) -> None:
    with pytest.raises(ReplicateError) as bad_key:
        _client(fake, "r8_wrong").accounts.current()
    assert bad_key.value.status == 401 and bad_key.value.title == "Unauthenticated"

    with pytest.raises(ReplicateError) as invalid:
        _client(fake).models.predictions.create(model="kwaivgi/kling-v2.0", input={"prompt": "x", "duration": 7})
    assert invalid.value.status == 422 and "duration must be one of" in str(invalid.value.detail)

    client = _client(fake)
    client.poll_interval = 0.01
    with pytest.raises(ModelError, match="flagged as sensitive"):
        client.run("minimax/video-01", input={"prompt": "BLOCKME please"}, wait=False)
