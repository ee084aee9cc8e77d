"""The official fal_client speaks to the fake queue: submit, status with logs, result, cancel, resume by id.

fal_client builds its queue URLs from `https://{FAL_QUEUE_RUN_HOST}/`, read once at import, so the test points the
module's QUEUE_URL_FORMAT at the fake's plain-http loopback address; everything after the submit follows the URLs
the fake returns, exactly as against queue.fal.run.
"""

from __future__ import annotations

from collections.abc import Iterator

import fal_client
import fal_client.client as fal_client_module
import httpx
import pytest

from tests.fakes.fal import KEY, FakeFal
from tests.fakes.server import sample_mp4

ENDPOINT = "fal-ai/kling-video/v2.1/master/text-to-video"
INPUT = {"prompt": "A lighthouse at dawn", "duration": "5", "aspect_ratio": "16:9"}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFal]:
    with FakeFal() as server:
        monkeypatch.setattr(fal_client_module, "QUEUE_URL_FORMAT", f"{server.url}/")
        yield server


@pytest.fixture
def client() -> Iterator[fal_client.SyncClient]:
    sdk = fal_client.SyncClient(key=KEY)
    yield sdk
    sdk._client.close()


def test_the_sdk_generates_a_clip_against_the_fake(fake: FakeFal, client: fal_client.SyncClient) -> None:
    handle = client.submit(ENDPOINT, INPUT)
    # status and result live under owner/alias only; the SDK follows the URLs the submit returned
    assert handle.status_url == f"{fake.url}/fal-ai/kling-video/requests/{handle.request_id}/status"

    first = client.status(ENDPOINT, handle.request_id, with_logs=True)
    assert isinstance(first, fal_client.Queued) and first.position == 1
    updates = list(handle.iter_events(with_logs=True, interval=0.01))
    assert any(isinstance(update, fal_client.InProgress) and update.logs for update in updates)
    assert isinstance(updates[-1], fal_client.Completed) and updates[-1].error is None

    result = handle.get(interval=0.01)
    clip = httpx.get(result["video"]["url"]).content
    assert clip == sample_mp4()
    (submit,) = fake.submits()
    assert submit.path == f"/{ENDPOINT}" and submit.json() == INPUT
    assert submit.headers["authorization"] == f"Key {KEY}"
    assert all(call.path.startswith("/fal-ai/kling-video/requests/") for call in fake.calls if call.method == "GET")


def test_a_stored_request_id_resumes_through_the_owner_alias_rule(fake: FakeFal, client: fal_client.SyncClient) -> None:
    request_id = client.submit("fal-ai/veo3/fast", {"prompt": "Gulls", "duration": "8s"}).request_id

    # a new process knows only the endpoint id and the request id
    result = client.result("fal-ai/veo3/fast", request_id)

    assert httpx.get(result["video"]["url"]).content == sample_mp4()
    assert fake.count("GET", rf"/fal-ai/veo3/requests/{request_id}/status") >= 1


def test_the_sdk_sees_errors_the_way_fal_sends_them(fake: FakeFal, client: fal_client.SyncClient) -> None:
    blocked = client.submit(ENDPOINT, {**INPUT, "prompt": "BLOCKME please"})
    with pytest.raises(fal_client.client.FalClientHTTPError) as refused:
        blocked.get(interval=0.01)
    assert refused.value.status_code == 422
    assert refused.value.message[0]["type"] == "content_policy_violation"

    with pytest.raises(fal_client.client.FalClientHTTPError) as unknown:
        client.submit("fal-ai/no-such-model", INPUT)
    assert unknown.value.status_code == 404

    stranger = fal_client.SyncClient(key="wrong:key")
    try:
        with pytest.raises(fal_client.client.FalClientHTTPError) as bad_key:
            stranger.submit(ENDPOINT, INPUT)
    finally:
        stranger._client.close()
    assert bad_key.value.status_code == 401 and "wrong" not in str(bad_key.value)


def test_the_sdk_cancels_a_queued_request(fake: FakeFal, client: fal_client.SyncClient) -> None:
    handle = client.submit(ENDPOINT, INPUT)
    handle.cancel()
    final = handle.status()
    assert isinstance(final, fal_client.Completed) and final.error
    assert fake.count("PUT", rf"/fal-ai/kling-video/requests/{handle.request_id}/cancel") == 1
