"""The fal.ai adapter against the fake fal queue, driven through the real job code, journal and probe."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.catalogue import shipped
from shotline.backends.fal import INFO, FalBackend, app_path, split_job_id
from shotline.backends.fal_inputs import route_of
from shotline.backends.http import LinkExpired
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    InputRejected,
    JobFailed,
    ModelRetired,
    QuotaExceeded,
)
from shotline.core.ports import GenerationRequest, JobPhase, JobState, JobStatus, KeyCheck
from shotline.jobs.generation import UNCERTAIN_MESSAGE, cancel_generation, submit_job
from tests.backends.adapter_kit import (
    add_job,
    cloud_request,
    drive,
    generate,
    journal_for,
    provider_context,
    quick_retries,
)
from tests.fakes import fal as fake_fal
from tests.fakes.fal import KEY, FakeFal
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

KLING = "fal-ai/kling-video/v2.1/master/text-to-video"
SUBMIT = r"/fal-ai/.*"
STATUS = r"/fal-ai/[^/]+/requests/[^/]+/status"
RESULT = r"/fal-ai/[^/]+/requests/[^/]+"
FILES = r"/files/.*"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # a 500 without Retry-After waits BACKOFF_S × 2ⁿ; the retry is what is tested, not the wait
    quick_retries(monkeypatch)


@pytest.fixture
def fake() -> Iterator[FakeFal]:
    with FakeFal() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeFal, *, key: str | None = KEY, **settings: Any) -> FalBackend:
    return FalBackend(provider_context(tmp_path, "fal", fake.url, key=key, **settings))


def _request(model: str = "kling-2.1-master", **changes: Any) -> GenerationRequest:
    return cloud_request("fal", model, **changes)


def _run(tmp_path: Path, fake: FakeFal, request: GenerationRequest, **settings: Any) -> Any:
    outcome, journal = generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return outcome, journal.get(request.job_id)


def _fails(tmp_path: Path, fake: FakeFal, request: GenerationRequest, error: type[Exception], **settings: Any) -> Any:
    with pytest.raises(error) as caught:
        generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return caught.value, journal_for(tmp_path / "project").get(request.job_id)


def _one_job(fake: FakeFal) -> None:
    assert len(fake.jobs) == 1, "fal must hold exactly one request"


# ---------------------------------------------------------------------------------------------- success


def test_text_to_video_end_to_end(tmp_path: Path, fake: FakeFal) -> None:
    request = _request(duration_us=10_000_000, negative_prompt="blur", seed=11, aspect="9:16")

    outcome, record = _run(tmp_path, fake, request)

    assert record.phase is JobPhase.DOWNLOADED
    assert outcome.take.info.has_video and outcome.take.info.duration_us > 0
    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()
    (submit,) = fake.submits()
    assert submit.path == f"/{KLING}"
    assert submit.headers["authorization"] == f"Key {KEY}"
    # Kling takes its length as a string of seconds, as build_request made it (never rounded here), and no seed
    assert submit.json() == {
        "prompt": request.prompt,
        "duration": "10",
        "aspect_ratio": "9:16",
        "negative_prompt": "blur",
    }
    job = fake.only_job()
    assert record.provider_job_id == f"{KLING}|{job.request_id}"
    # status and result are read under owner/alias, with logs asked for
    status_reads = fake.calls_to("GET", rf"/fal-ai/kling-video/requests/{job.request_id}/status")
    assert status_reads and all(call.param("logs") == "1" for call in status_reads)
    assert fake.count("GET", rf"/fal-ai/kling-video/requests/{job.request_id}") == 1
    (download,) = fake.files.calls_to("GET", FILES)
    assert "authorization" not in download.headers, "the key must not go to the file host"


def test_veo_takes_seconds_with_an_s_sound_and_resolution(tmp_path: Path, fake: FakeFal) -> None:
    request = _request("veo3-fast", duration_us=8_000_000, resolution="1080p", audio=False, seed=5)
    _, record = _run(tmp_path, fake, request)
    assert record.phase is JobPhase.DOWNLOADED
    (submit,) = fake.submits()
    assert submit.path == "/fal-ai/veo3/fast"
    assert submit.json() == {
        "prompt": request.prompt,
        "duration": "8s",
        "aspect_ratio": "16:9",
        "resolution": "1080p",
        "seed": 5,
        "generate_audio": False,
    }
    assert fake.count("GET", r"/fal-ai/veo3/requests/[^/]+/status") >= 1


def test_image_to_video_inlines_the_first_frame(tmp_path: Path, fake: FakeFal) -> None:
    image = tmp_path / "first.png"
    image.write_bytes(PNG)
    request = _request("hailuo-02-standard", first_frame=str(image), duration_us=6_000_000)
    _, record = _run(tmp_path, fake, request)
    assert record.phase is JobPhase.DOWNLOADED
    (submit,) = fake.submits()
    assert submit.path == "/fal-ai/minimax/hailuo-02/standard/image-to-video"
    body = submit.json()
    assert body["image_url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert body["duration"] == "6" and body["prompt_optimizer"] is True and "aspect_ratio" not in body
    assert record.provider_job_id.startswith("fal-ai/minimax/hailuo-02/standard/image-to-video|")


def test_any_endpoint_through_the_custom_model(tmp_path: Path, fake: FakeFal) -> None:
    request = _request(
        "custom",
        duration_us=3_000_000,
        options={"endpoint": "workflows/someone/storyboard-flow", "input": {"steps": 12, "aspect_ratio": None}},
    )
    _, record = _run(tmp_path, fake, request)
    assert record.phase is JobPhase.DOWNLOADED
    (submit,) = fake.submits()
    assert submit.path == "/workflows/someone/storyboard-flow"
    assert submit.json() == {"prompt": request.prompt, "duration": "3", "steps": 12}
    # a namespaced endpoint keeps namespace/owner/alias for its status URL
    assert fake.count("GET", r"/workflows/someone/storyboard-flow/requests/[^/]+/status") >= 1


def test_queue_position_and_logs_are_reported(tmp_path: Path, fake: FakeFal) -> None:
    backend = _backend(tmp_path, fake)

    async def scenario() -> list[JobStatus]:
        try:
            job = await backend.submit(_request())
            seen = [await backend.poll(job)]
            while not seen[-1].state.is_final:
                seen.append(await backend.poll(job))
            return seen
        finally:
            await backend.aclose()

    seen = asyncio.run(scenario())
    assert [status.state for status in seen] == [JobState.QUEUED, JobState.QUEUED] + [JobState.RUNNING] * 2 + [
        JobState.SUCCEEDED
    ]
    assert [status.queue_position for status in seen[:2]] == [1, 0]
    assert seen[2].message == "Generating video: step 1 of 10"
    assert seen[-1].outputs and seen[-1].outputs[0].startswith(fake.files.url)


# ---------------------------------------------------------------------------------------------- faults


def test_rate_limited_create_is_retried_and_makes_one_job(tmp_path: Path, fake: FakeFal) -> None:
    fake.inject("POST", SUBMIT, status=429, retry_after=0.05, body={"detail": "Too many requests"})
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert len(fake.submits()) == 2
    _one_job(fake)


@pytest.mark.parametrize(("status", "retry_after"), [(429, 0.05), (500, None), (503, None)])
def test_failing_status_reads_recover(tmp_path: Path, fake: FakeFal, status: int, retry_after: float | None) -> None:
    fake.inject("GET", STATUS, status=status, retry_after=retry_after, times=2)
    fake.inject("GET", RESULT, status=status, retry_after=retry_after)
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    _one_job(fake)


@pytest.mark.parametrize("kind", ["hang", "drop"])
def test_create_accepted_but_unanswered_is_never_resent(tmp_path: Path, fake: FakeFal, kind: str) -> None:
    fake.inject("POST", SUBMIT, kind=kind, after_handler=True)
    _, record = _fails(tmp_path, fake, _request(), AmbiguousSubmit, http_timeout=0.5)
    # fal cannot be asked which request was ours, so the job is marked uncertain instead of sent again
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert len(fake.submits()) == 1
    _one_job(fake)


def test_truncated_download_resumes_with_range(tmp_path: Path, fake: FakeFal) -> None:
    fake.files.inject("GET", FILES, kind="truncate")
    outcome, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()
    first, second = fake.files.calls_to("GET", FILES)
    assert "range" not in first.headers and second.headers["range"].startswith("bytes=")


def test_expired_link_is_replaced_by_a_fresh_one(tmp_path: Path, fake: FakeFal) -> None:
    backend = _backend(tmp_path, fake)
    fake.url_ttl = 0.05

    async def scenario() -> bytes:
        try:
            job = await backend.submit(_request())
            status = await backend.poll(job)
            while status.state is not JobState.SUCCEEDED:
                status = await backend.poll(job)
            await asyncio.sleep(0.1)
            with pytest.raises(LinkExpired):
                await backend.download(job, status, tmp_path / "stale.mp4", lambda _: None)
            fake.url_ttl = 3600
            fresh = await backend.poll(job)
            assert fresh.outputs != status.outputs
            await backend.download(job, fresh, tmp_path / "fresh.mp4", lambda _: None)
            return (tmp_path / "fresh.mp4").read_bytes()
        finally:
            await backend.aclose()

    assert asyncio.run(scenario()) == sample_mp4()


def test_job_code_fetches_a_fresh_link_after_an_expired_one(tmp_path: Path, fake: FakeFal) -> None:
    fake.files.inject("GET", FILES, status=403, body={"error": "expired"})
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    first, second = fake.files.calls_to("GET", FILES)
    assert first.query["expires"] != second.query["expires"]
    assert fake.count("GET", RESULT) == 2


# ---------------------------------------------------------------------------------------------- refusals


def test_safety_block(tmp_path: Path, fake: FakeFal) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt="BLOCKME a storm"), ContentBlocked)
    assert record.phase is JobPhase.BLOCKED
    assert "content checker" in str(error)


def test_a_failed_runner_says_why(tmp_path: Path, fake: FakeFal) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt="FAILME now"), JobFailed)
    assert record.phase is JobPhase.FAILED and "Runner disconnected" in str(error)


def test_settings_the_model_refuses_fail_the_job_with_fals_words(tmp_path: Path, fake: FakeFal) -> None:
    request = _request("custom", options={"endpoint": KLING, "input": {"duration": "7"}})
    error, record = _fails(tmp_path, fake, request, JobFailed)
    assert record.phase is JobPhase.FAILED
    assert "Input should be '10' or '5'" in str(error)


def test_bad_key_is_auth_failed_without_the_key(tmp_path: Path, fake: FakeFal) -> None:
    bad = "wrong-id:wrong-secret-1234"
    error, record = _fails(tmp_path, fake, _request(), AuthFailed, key=bad)
    assert bad not in str(error) and "wrong" not in record.message
    assert fake.jobs == {}


def test_missing_key_fails_on_first_use_and_sends_nothing(tmp_path: Path, fake: FakeFal) -> None:
    backend = _backend(tmp_path, fake, key=None)  # constructing needs no key
    error, _ = _fails(tmp_path, fake, _request(), AuthFailed, key=None)
    asyncio.run(backend.aclose())
    assert "FAL" in str(error) or "fal.ai" in str(error)
    assert fake.calls == []


def test_no_credit_is_quota_exceeded(tmp_path: Path) -> None:
    with FakeFal(exhausted=True) as broke:
        error, record = _fails(tmp_path, broke, _request(), QuotaExceeded)
    assert "credit" in str(error) and "Exhausted balance" in str(error)
    assert record.phase is JobPhase.FAILED


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aspect": "21:9"}, "not 21:9"),
        ({"model": "hailuo-02-pro", "resolution": "720p"}, "not 720p"),
        ({"model": "custom"}, "needs an endpoint"),
        ({"model": "custom", "options": {"endpoint": "just-a-name"}}, "not a fal endpoint"),
        ({"model": "custom", "options": {"endpoint": "a/b|c"}}, "not a fal endpoint"),
        ({"model": "nope"}, "no model 'nope'"),
        ({"duration_us": 7_600_000}, "5 or 10 s, not 7.6 s"),
        ({"prompt": "   "}, "no prompt"),
        ({"last_frame": "/tmp/last.png"}, "last frame"),
        ({"reference_images": ("/tmp/ref.png",)}, "reference images"),
        ({"first_frame": "/does/not/exist.png"}, "not there"),
        ({"options": {"priority": "urgent"}}, "priority"),
    ],
)
def test_invalid_settings_are_refused_before_sending(
    tmp_path: Path, fake: FakeFal, changes: dict[str, Any], words: str
) -> None:
    model = changes.pop("model", "kling-2.1-master")
    error, record = _fails(tmp_path, fake, _request(model, **changes), InputRejected)
    assert words in str(error)
    assert record.phase is JobPhase.FAILED
    assert fake.calls == []


def test_an_unknown_endpoint_is_rejected(tmp_path: Path, fake: FakeFal) -> None:
    request = _request("custom", options={"endpoint": "someone/gone-model/v1"})
    error, _ = _fails(tmp_path, fake, request, InputRejected)
    assert "someone/gone-model/v1" in str(error)


def test_a_retired_curated_endpoint_names_its_replacement(
    tmp_path: Path, fake: FakeFal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(fake_fal.ENDPOINTS, "fal-ai/kling-video/v1.6/pro/text-to-video")
    error, _ = _fails(tmp_path, fake, _request("kling-1.6-pro"), ModelRetired)
    assert error.replacement == "kling-2.1-master"
    assert "Kling 1.6 Pro" in str(error) and "not found" in str(error)


# ---------------------------------------------------------------------------------------------- cancel, resume


def test_cancel_stops_the_request_at_fal(tmp_path: Path, fake: FakeFal) -> None:
    backend = _backend(tmp_path, fake)
    journal = journal_for(tmp_path / "project")
    request = _request()
    record = add_job(journal, request)

    async def scenario() -> None:
        try:
            submitted = await submit_job(record, backend=backend, journal=journal)
            await cancel_generation(request.job_id, backend=backend, journal=journal)
            with pytest.raises(JobFailed):
                await drive(backend, submitted, journal, tmp_path / "project")
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    row = journal.get(request.job_id)
    assert row.phase is JobPhase.CANCELLED
    assert fake.count("PUT", r"/fal-ai/kling-video/requests/[^/]+/cancel") == 1
    assert fake.only_job().cancelled


def test_cancelled_request_polls_as_cancelled_and_finished_ones_need_no_cancel(tmp_path: Path, fake: FakeFal) -> None:
    backend = _backend(tmp_path, fake)

    async def scenario() -> JobStatus:
        try:
            job = await backend.submit(_request())
            await backend.cancel(job)
            cancelled = await backend.poll(job)
            finished = await backend.submit(_request())
            while not (await backend.poll(finished)).state.is_final:
                pass
            await backend.cancel(finished)  # already completed: nothing to stop, no error
            await backend.cancel(f"{KLING}|00000000-0000-0000-0000-000000000000")  # unknown
            return cancelled
        finally:
            await backend.aclose()

    assert asyncio.run(scenario()).state is JobState.CANCELLED
    assert fake.count("PUT", r"/fal-ai/kling-video/requests/[^/]+/cancel") == 3


def test_resume_after_restart_attaches_one_take_without_a_second_create(tmp_path: Path, fake: FakeFal) -> None:
    project = tmp_path / "project"
    journal = journal_for(project)
    request = _request("veo3-fast")  # fal-ai/veo3/fast: its requests live under fal-ai/veo3
    record = add_job(journal, request)

    async def before_restart() -> None:
        first = _backend(tmp_path, fake)
        try:
            await submit_job(record, backend=first, journal=journal)
        finally:
            await first.aclose()

    asyncio.run(before_restart())
    assert journal.get(request.job_id).phase is JobPhase.SUBMITTED

    async def after_restart() -> Any:
        second = _backend(tmp_path, fake)
        try:
            return await drive(second, journal.get(request.job_id), journal, project, resumed=True)
        finally:
            await second.aclose()

    outcome = asyncio.run(after_restart())
    assert (project / outcome.take.media).read_bytes() == sample_mp4()
    assert journal.get(request.job_id).phase is JobPhase.DOWNLOADED
    assert len(fake.submits()) == 1
    # the new adapter only had the stored id: it rebuilt the URLs by the owner/alias rule
    assert fake.count("GET", r"/fal-ai/veo3/requests/[^/]+/status") >= 1
    assert len(fake.files.calls_to("GET", FILES)) == 1


def test_job_ids_carry_the_endpoint_and_rebuild_by_owner_and_alias() -> None:
    assert split_job_id("fal-ai/veo3/fast|abc") == ("fal-ai/veo3/fast", "abc")
    assert app_path("fal-ai/kling-video/v2.1/master/text-to-video") == "fal-ai/kling-video"
    assert app_path("comfy/me/flow/run") == "comfy/me/flow"
    with pytest.raises(JobFailed):
        split_job_id("abc")


# ---------------------------------------------------------------------------------------------- keys, info


def test_check_key(tmp_path: Path, fake: FakeFal) -> None:
    async def check(key: str) -> str:
        backend = _backend(tmp_path, fake, key=key)
        assert isinstance(backend, KeyCheck)
        try:
            return await backend.check_key()
        finally:
            await backend.aclose()

    assert asyncio.run(check(KEY)) == "Key accepted by fal.ai (Kling 2.1 Master: 0.28 USD per second for this account)."
    (read,) = fake.calls_to("GET", r"/v1/models/pricing")
    assert read.param("endpoint_id") == KLING and read.headers["authorization"] == f"Key {KEY}"
    bad = "not-my-key:secret-999"
    with pytest.raises(AuthFailed) as refused:
        asyncio.run(check(bad))
    assert bad not in str(refused.value)
    assert fake.jobs == {}


def test_info_declares_real_capabilities() -> None:
    assert INFO.id == "fal" and INFO.key_env_vars == ("FAL_KEY",) and INFO.poll_seconds is None
    models = {model.id: model for model in INFO.models}
    assert {
        "kling-2.1-master",
        "hailuo-02-standard",
        "wan-2.1",
        "seedance-1-pro",
        "veo3",
        "ltx-video",
        "custom",
    } <= set(models)
    assert models["veo3"].audio and not models["kling-2.1-master"].audio
    # a model takes a first frame exactly where its catalogue route names an image endpoint (custom: any endpoint)
    for model in INFO.models:
        route = route_of(shipped().models("fal").route(model.id))
        assert model.image_to_video == (bool(route.image) or model.id == "custom"), model.id
