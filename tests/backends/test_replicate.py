"""The Replicate adapter against the fake Replicate API: real HTTP, the real job code and journal, the real probe."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.replicate import ReplicateBackend, status_of
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    InputRejected,
    ModelRetired,
)
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, JobState, KeyCheck
from shotline.jobs.generation import GenerationOutcome
from shotline.storage.journal import SqliteJobJournal
from tests.backends.adapter_kit import (
    add_job,
    cancel_as_the_creator,
    cloud_request,
    drive,
    generate,
    journal_for,
    provider_context,
)
from tests.fakes.replicate import COMMUNITY_MODEL, COMMUNITY_VERSION, KEY, FakeReplicate
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

KLING = "kwaivgi/kling-v2.0"
CREATE = r"/v1/models/[^/]+/[^/]+/predictions"
STATUS = r"/v1/predictions/\w+"
DELIVERY = r"/delivery/\w+/output\.mp4"


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with FakeReplicate() as server:
        yield server  # type: ignore[misc]


def _backend(fake: FakeReplicate, tmp_path: Path, key: str | None = KEY, **settings: Any) -> ReplicateBackend:
    return ReplicateBackend(provider_context(tmp_path, "replicate", fake.url, key=key, **settings))


def _request(model: str = KLING, **changes: Any) -> GenerationRequest:
    return cloud_request("replicate", model, **changes)


def _attempt(
    backend: GenerationBackend, request: GenerationRequest, project: Path
) -> tuple[GenerationOutcome | Exception, SqliteJobJournal]:
    """Like adapter_kit.generate, but hands back the error (and the journal) when the job ends badly."""
    journal = journal_for(project)
    record = add_job(journal, request)

    async def scenario() -> GenerationOutcome:
        try:
            return await drive(backend, record, journal, project)
        finally:
            await backend.aclose()

    try:
        return asyncio.run(scenario()), journal
    except Exception as exc:
        return exc, journal


def _played(outcome: GenerationOutcome, project: Path) -> None:
    assert outcome.take.info.has_video and outcome.take.info.duration_us > 0
    assert (project / outcome.take.media).read_bytes() == sample_mp4()


# ---------------------------------------------------------------------------------------------- success


def test_a_shot_becomes_a_probed_take_with_one_create(fake: FakeReplicate, tmp_path: Path) -> None:
    request = _request(duration_us=5_000_000, negative_prompt="blurry", aspect="9:16")
    outcome, journal = generate(_backend(fake, tmp_path), request, tmp_path / "project")

    _played(outcome, tmp_path / "project")
    assert fake.creates() == 1 and len(fake.predictions) == 1
    create = fake.calls_to("POST", r"/v1/models/kwaivgi/kling-v2\.0/predictions")[0]
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert "prefer" not in create.headers, "a video create must not be held open"
    assert create.json() == {
        "input": {"prompt": request.prompt, "duration": 5, "aspect_ratio": "9:16", "negative_prompt": "blurry"}
    }
    row = journal.get(request.job_id)
    assert row.phase is JobPhase.DOWNLOADED and row.provider_job_id == next(iter(fake.predictions))
    assert row.billed_cost is None, "Replicate does not say what a prediction cost"
    # the clip host is not the API host: it never sees the key
    assert all("authorization" not in call.headers for call in fake.calls_to("GET", DELIVERY))


@pytest.mark.parametrize(
    ("model", "changes", "expected"),
    [
        (KLING, {"duration_us": 10_000_000}, {"duration": 10, "aspect_ratio": "16:9"}),
        ("minimax/hailuo-02", {"duration_us": 10_000_000}, {"duration": 10, "resolution": "768p"}),
        ("minimax/hailuo-02", {"duration_us": 6_000_000, "resolution": "1080p"}, {"resolution": "1080p"}),
        (
            "wan-video/wan-2.2-t2v-fast",
            {"duration_us": 6_000_000, "seed": 42, "resolution": "720p"},
            {"num_frames": 96, "frames_per_second": 16, "aspect_ratio": "16:9", "resolution": "720p", "seed": 42},
        ),
        # 10 s exactly: 90 frames at 9 a second (81 frames at 8 would have made 10.125 s)
        ("wan-video/wan-2.2-t2v-fast", {"duration_us": 10_000_000}, {"num_frames": 90, "frames_per_second": 9}),
        ("minimax/video-01", {"duration_us": 6_000_000, "options": {"prompt_optimizer": False}}, {}),
    ],
)
def test_settings_map_onto_each_models_inputs(
    fake: FakeReplicate, tmp_path: Path, model: str, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    request = _request(model, **changes)
    provider_id = asyncio.run(_submit(_backend(fake, tmp_path), request))

    assert provider_id in fake.predictions and fake.creates() == 1
    sent = fake.create_calls()[0].json()["input"]
    assert sent["prompt"] == request.prompt
    assert expected.items() <= sent.items()
    if "options" in changes:
        assert sent["prompt_optimizer"] is False


async def _submit(backend: ReplicateBackend, request: GenerationRequest) -> str:
    try:
        return await backend.submit(request)
    finally:
        await backend.aclose()


def test_a_custom_version_goes_to_the_predictions_endpoint(fake: FakeReplicate, tmp_path: Path) -> None:
    request = _request(
        "custom",
        seed=7,
        options={"model": f"{COMMUNITY_MODEL}:{COMMUNITY_VERSION}", "input": {"num_frames": 97}},
    )
    outcome, _ = generate(_backend(fake, tmp_path), request, tmp_path / "project")

    _played(outcome, tmp_path / "project")
    assert fake.calls_to("POST", r"/v1/predictions")[0].json() == {
        "version": COMMUNITY_VERSION,
        "input": {"prompt": request.prompt, "seed": 7, "num_frames": 97},
    }


@pytest.mark.parametrize("shape", ["list", "data"])
def test_a_list_of_urls_or_an_inline_clip_is_downloaded(fake: FakeReplicate, tmp_path: Path, shape: str) -> None:
    fake.output_shape = shape
    outcome, _ = generate(_backend(fake, tmp_path), _request(), tmp_path / "project")

    _played(outcome, tmp_path / "project")
    assert fake.count("GET", DELIVERY) == (1 if shape == "list" else 0)


def test_images_go_inline_when_small_and_are_uploaded_when_large(fake: FakeReplicate, tmp_path: Path) -> None:
    small, large = tmp_path / "first.png", tmp_path / "last.png"
    small.write_bytes(b"\x89PNG small")
    large.write_bytes(b"\x89PNG" + bytes(300 * 1024))
    request = _request("minimax/hailuo-02", duration_us=6_000_000, first_frame=str(small), last_frame=str(large))
    outcome, _ = generate(_backend(fake, tmp_path), request, tmp_path / "project")

    _played(outcome, tmp_path / "project")
    sent = fake.create_calls()[0].json()["input"]
    assert sent["first_frame_image"] == "data:image/png;base64," + base64.b64encode(small.read_bytes()).decode()
    (file_id,) = fake.files
    assert fake.files[file_id] == large.read_bytes()
    assert sent["last_frame_image"] == f"{fake.url}/v1/files/{file_id}"


# ---------------------------------------------------------------------------------------------- faults


def test_a_rate_limited_create_is_retried_and_makes_one_prediction(fake: FakeReplicate, tmp_path: Path) -> None:
    throttled = {"detail": "Request was throttled. Your rate limit resets in ~1s.", "status": 429}
    fake.inject("POST", CREATE, status=429, retry_after=0.1, body=throttled)
    outcome, _ = generate(_backend(fake, tmp_path), _request(), tmp_path / "project")

    _played(outcome, tmp_path / "project")
    assert fake.creates() == 2 and len(fake.predictions) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(429, 0.1), (500, None), (503, 0.05)])
def test_status_reads_recover_from_throttling_and_server_errors(
    fake: FakeReplicate, tmp_path: Path, status: int, retry_after: float | None
) -> None:
    fake.inject("GET", STATUS, status=status, retry_after=retry_after)
    outcome, _ = generate(_backend(fake, tmp_path), _request(), tmp_path / "project")

    _played(outcome, tmp_path / "project")
    assert fake.creates() == 1
    assert fake.count("GET", STATUS) == fake.processing_reads + 1 + 1


@pytest.mark.parametrize(("kind", "listed_inputs"), [("hang", True), ("drop", True), ("drop", False)])
def test_a_create_lost_after_it_was_accepted_is_found_not_resent(
    fake: FakeReplicate, tmp_path: Path, kind: str, listed_inputs: bool
) -> None:
    fake.list_shows_input = listed_inputs
    fake.inject("POST", CREATE, kind=kind, after_handler=True)
    request = _request()
    outcome, journal = generate(_backend(fake, tmp_path, http_timeout=0.5), request, tmp_path / "project")

    _played(outcome, tmp_path / "project")
    assert fake.creates() == 1 and len(fake.predictions) == 1
    assert journal.get(request.job_id).provider_job_id == next(iter(fake.predictions))
    assert fake.count("GET", r"/v1/predictions") >= 1, "found by listing the account's predictions"


def test_a_create_lost_before_replicate_saw_it_is_uncertain_and_never_resent(
    fake: FakeReplicate, tmp_path: Path
) -> None:
    fake.inject("POST", CREATE, kind="drop")
    request = _request()
    error, journal = _attempt(_backend(fake, tmp_path), request, tmp_path / "project")

    assert isinstance(error, AmbiguousSubmit)
    assert fake.creates() == 1 and not fake.predictions
    assert journal.get(request.job_id).phase is JobPhase.UNCERTAIN


def test_find_does_not_guess_between_look_alikes(fake: FakeReplicate, tmp_path: Path) -> None:
    request = _request()

    async def scenario() -> tuple[str | None, str | None]:
        first, second = _backend(fake, tmp_path), _backend(fake, tmp_path)
        try:
            await first.submit(request)
            once = await second.find(request)
            await first.submit(request)  # an identical shot sent again: now two predictions fit
            return once, await _backend_find(fake, tmp_path, request)
        finally:
            await first.aclose()
            await second.aclose()

    once, twice = asyncio.run(scenario())
    assert once is not None and once in fake.predictions
    assert twice is None


async def _backend_find(fake: FakeReplicate, tmp_path: Path, request: GenerationRequest) -> str | None:
    backend = _backend(fake, tmp_path)
    try:
        return await backend.find(request)
    finally:
        await backend.aclose()


def test_a_truncated_download_is_resumed_with_a_range(fake: FakeReplicate, tmp_path: Path) -> None:
    fake.inject("GET", DELIVERY, kind="truncate")
    outcome, _ = generate(_backend(fake, tmp_path), _request(), tmp_path / "project")

    _played(outcome, tmp_path / "project")
    downloads = fake.calls_to("GET", DELIVERY)
    assert len(downloads) == 2 and "range" not in downloads[0].headers
    resumed = re.fullmatch(r"bytes=(\d+)-", downloads[1].headers["range"])
    assert resumed is not None and 0 < int(resumed.group(1)) < len(sample_mp4())


def test_an_expired_link_is_replaced_by_polling_again(fake: FakeReplicate, tmp_path: Path) -> None:
    fake.stale_links = 1
    outcome, _ = generate(_backend(fake, tmp_path), _request(), tmp_path / "project")

    _played(outcome, tmp_path / "project")
    first, second = fake.calls_to("GET", DELIVERY)
    assert first.param("expires") != second.param("expires")
    assert fake.count("GET", STATUS) == fake.processing_reads + 2


def test_the_link_is_fetched_straight_from_the_status_that_said_succeeded(fake: FakeReplicate, tmp_path: Path) -> None:
    # Replicate deletes outputs after an hour, and a link may live far shorter: the adapter downloads from the status
    # read that reported success, with no other request in between (checked by order, not by a short-lived link
    # racing the machine's speed)
    outcome, _ = generate(_backend(fake, tmp_path), _request(), tmp_path / "project")

    _played(outcome, tmp_path / "project")
    [delivery] = fake.calls_to("GET", DELIVERY)
    before = fake.calls[fake.calls.index(delivery) - 1]
    assert (before.method, re.fullmatch(STATUS, before.path) is not None) == ("GET", True)
    assert fake.count("GET", STATUS) == fake.processing_reads + 1


# ---------------------------------------------------------------------------------------------- refusals


def test_a_flagged_prompt_is_blocked(fake: FakeReplicate, tmp_path: Path) -> None:
    request = _request(prompt="BLOCKME at the harbour")
    error, journal = _attempt(_backend(fake, tmp_path), request, tmp_path / "project")

    assert isinstance(error, ContentBlocked)
    row = journal.get(request.job_id)
    assert row.phase is JobPhase.BLOCKED and "flagged as sensitive" in row.message


def test_a_bad_key_fails_without_showing_the_key(fake: FakeReplicate, tmp_path: Path) -> None:
    wrong = "r8_this_is_not_the_right_token"
    request = _request()
    error, journal = _attempt(_backend(fake, tmp_path, key=wrong), request, tmp_path / "project")

    assert isinstance(error, AuthFailed)
    assert wrong not in str(error) and "valid authentication token" in str(error)
    assert journal.get(request.job_id).phase is JobPhase.FAILED and not fake.predictions


def test_no_key_fails_before_anything_is_sent(fake: FakeReplicate, tmp_path: Path) -> None:
    error, _ = _attempt(_backend(fake, tmp_path, key=None), _request(), tmp_path / "project")

    assert isinstance(error, AuthFailed) and "REPLICATE_API_TOKEN" in str(error)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("model", "changes", "words"),
    [
        (KLING, {"aspect": "4:3"}, "16:9, 9:16, 1:1"),
        ("minimax/hailuo-02", {"duration_us": 10_000_000, "resolution": "1080p"}, "10 s clips only"),
        # a length the model does not make never reaches Replicate (build_request fits every shot first)
        (KLING, {"duration_us": 7_000_000}, "5 or 10 s, not 7 s"),
        ("wan-video/wan-2.2-t2v-fast", {"duration_us": 5_500_000}, "4–20 s in whole seconds, not 5.5 s"),
        ("wan-video/wan-2.2-t2v-fast", {"first_frame": "/nowhere/frame.png"}, "cannot start from an image"),
        ("custom", {}, "option 'model'"),
        ("custom", {"options": {"model": "not a model"}}, "'not a model' is neither"),
    ],
)
def test_settings_a_model_cannot_take_are_refused_before_sending(
    fake: FakeReplicate, tmp_path: Path, model: str, changes: dict[str, Any], words: str
) -> None:
    error, journal = _attempt(_backend(fake, tmp_path), _request(model, **changes), tmp_path / "project")

    assert isinstance(error, InputRejected) and words in str(error)
    assert journal.all()[0].phase is JobPhase.FAILED
    assert fake.calls == []


def test_a_setting_replicate_refuses_is_reported_in_its_words(fake: FakeReplicate, tmp_path: Path) -> None:
    request = _request(options={"input": {"duration": 7}})
    error, journal = _attempt(_backend(fake, tmp_path), request, tmp_path / "project")

    assert isinstance(error, InputRejected) and "duration must be one of the following: 5, 10" in str(error)
    assert journal.get(request.job_id).phase is JobPhase.FAILED and not fake.predictions


def test_an_unknown_model_or_version_is_retired(fake: FakeReplicate, tmp_path: Path) -> None:
    gone = _request("custom", options={"model": "minimax/video-01-gone"})
    error, _ = _attempt(_backend(fake, tmp_path), gone, tmp_path / "a")
    assert isinstance(error, ModelRetired) and "minimax/video-01-gone" in str(error)

    version = _request("custom", options={"model": f"{COMMUNITY_MODEL}:{'0' * 64}"})
    error, _ = _attempt(_backend(fake, tmp_path), version, tmp_path / "b")
    assert isinstance(error, ModelRetired) and "version" in str(error)


# ---------------------------------------------------------------------------------------------- cancel and resume


def test_cancel_reaches_replicate_and_the_journal(fake: FakeReplicate, tmp_path: Path) -> None:
    fake.processing_reads = 10_000
    request = _request()
    project = tmp_path / "project"
    journal = journal_for(project)
    record = add_job(journal, request)

    async def scenario() -> None:
        backend = _backend(fake, tmp_path)
        task = asyncio.create_task(drive(backend, record, journal, project))
        try:
            while journal.get(request.job_id).phase is not JobPhase.SUBMITTED:
                await asyncio.sleep(0.01)
            await cancel_as_the_creator(task, request.job_id, backend=backend, journal=journal)
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    (prediction,) = fake.predictions.values()
    assert fake.count("POST", rf"/v1/predictions/{prediction['id']}/cancel") == 1
    assert prediction["status"] == "canceled"
    assert journal.get(request.job_id).phase is JobPhase.CANCELLED


def test_cancelling_a_finished_prediction_is_not_an_error(fake: FakeReplicate, tmp_path: Path) -> None:
    fake.processing_reads = 0

    async def scenario() -> None:
        backend = _backend(fake, tmp_path)
        try:
            provider_id = await backend.submit(_request())
            assert (await backend.poll(provider_id)).state is JobState.SUCCEEDED
            await backend.cancel(provider_id)
            assert (await backend.poll(provider_id)).state is JobState.SUCCEEDED
        finally:
            await backend.aclose()

    asyncio.run(scenario())


# ---------------------------------------------------------------------------------------------- key check, statuses


def test_check_key(fake: FakeReplicate, tmp_path: Path) -> None:
    async def check(key: str) -> str:
        backend = _backend(fake, tmp_path, key=key)
        assert isinstance(backend, KeyCheck)
        try:
            return await backend.check_key()
        finally:
            await backend.aclose()

    assert asyncio.run(check(KEY)) == "Key accepted (Replicate account shotline-test)."
    with pytest.raises(AuthFailed) as refused:
        asyncio.run(check("r8_wrong_token_value"))
    assert "r8_wrong_token_value" not in str(refused.value)
    assert fake.count("GET", r"/v1/account") == 2 and not fake.predictions


@pytest.mark.parametrize(
    ("prediction", "state"),
    [
        ({"status": "starting"}, JobState.QUEUED),
        ({"status": "processing", "logs": " 40%|████      | 12/30 [00:04<00:06]\n"}, JobState.RUNNING),
        ({"status": "succeeded", "output": None}, JobState.FAILED),
        ({"status": "failed", "error": "CUDA out of memory"}, JobState.FAILED),
        ({"status": "canceled"}, JobState.CANCELLED),
        ({"status": "aborted"}, JobState.FAILED),
        ({"status": "someday-new"}, JobState.RUNNING),
    ],
)
def test_statuses_normalise(prediction: dict[str, Any], state: JobState) -> None:
    status = status_of(prediction)
    assert status.state is state
    if "logs" in prediction:
        assert status.progress == pytest.approx(0.4)
    if state is JobState.FAILED:
        assert re.search(r"CUDA out of memory|an hour|nothing was billed", status.message)
