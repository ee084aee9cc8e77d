"""The Runway adapter against the fake Runway API, driven through the real job code, journal and probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.http import LinkExpired
from shotline.backends.runway import INFO, RunwayBackend
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    InputRejected,
    JobFailed,
    ModelRetired,
    QuotaExceeded,
)
from shotline.core.lengths import fit_length
from shotline.core.ports import GenerationRequest, JobPhase, JobState, JobStatus
from shotline.jobs.generation import UNCERTAIN_MESSAGE, cancel_generation, submit_job
from shotline.media.probe import probe
from tests.backends.adapter_kit import add_job, cloud_request, drive, generate, journal_for, provider_context
from tests.fakes.runway import KEY, FakeRunway
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

TASKS = r"/v1/tasks/[^/]+"
T2V = r"/v1/text_to_video"
FILES = r"/files/.*"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Iterator[FakeRunway]:
    with FakeRunway() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeRunway, *, key: str | None = KEY, **settings: Any) -> RunwayBackend:
    return RunwayBackend(provider_context(tmp_path, "runway", fake.url, key=key, **settings))


def _request(model: str = "gen4.5", **changes: Any) -> GenerationRequest:
    return cloud_request("runway", model, **changes)


def _run(tmp_path: Path, fake: FakeRunway, request: GenerationRequest, **settings: Any) -> Any:
    outcome, journal = generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return outcome, journal.get(request.job_id)


def _fails(tmp_path: Path, fake: FakeRunway, request: GenerationRequest, error: type[Exception], **settings: Any):  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return caught.value, journal_for(tmp_path / "project").get(request.job_id)


def _one_task(fake: FakeRunway) -> None:
    assert len(fake.creates()) >= 1
    assert len(fake.tasks) == 1, "the provider must hold exactly one task"


# ---------------------------------------------------------------------------------------------- success


def test_text_to_video_end_to_end(tmp_path: Path, fake: FakeRunway) -> None:
    request = _request(seed=42, duration_us=5_000_000, options={"public_figure_threshold": "low"})
    outcome, record = _run(tmp_path, fake, request)

    media = tmp_path / "project" / outcome.take.media
    assert media.read_bytes() == sample_mp4()
    assert probe(media).has_video and outcome.take.info.duration_us > 0
    assert record.phase is JobPhase.DOWNLOADED
    (create,) = fake.creates()
    assert create.json() == {
        "model": "gen4.5",
        "promptText": request.prompt,
        "ratio": "1280:720",
        "duration": 5,
        "seed": 42,
        "contentModeration": {"publicFigureThreshold": "low"},
    }
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.headers["x-runway-version"] == "2024-11-06"
    (download,) = fake.calls_to("GET", FILES)
    assert "authorization" not in download.headers, "the key must not go to the file host"
    assert record.billed_cost == Decimal("0.60")  # 5 s x 12 credits x $0.01
    assert outcome.take.generation.provider_job_id in fake.tasks


def test_image_to_video_with_first_and_last_frames(tmp_path: Path, fake: FakeRunway) -> None:
    first, last = tmp_path / "first.png", tmp_path / "last.png"
    first.write_bytes(PNG)
    last.write_bytes(PNG)
    request = _request(
        "veo3.1",
        first_frame=str(first),
        last_frame=str(last),
        aspect="9:16",
        resolution="1080p",
        audio=False,
        negative_prompt="text, watermarks",
        duration_us=6_000_000,
    )
    _, record = _run(tmp_path, fake, request)

    assert record.phase is JobPhase.DOWNLOADED
    (create,) = fake.calls_to("POST", r"/v1/image_to_video")
    body = create.json()
    assert body["ratio"] == "1080:1920" and body["duration"] == 6 and body["audio"] is False
    assert body["negativePrompt"] == "text, watermarks"
    assert [image["position"] for image in body["promptImage"]] == ["first", "last"]
    assert body["promptImage"][0]["uri"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert record.billed_cost == Decimal("1.20")  # 6 s x 20 credits


def test_throttled_task_waits_with_a_message(tmp_path: Path) -> None:
    with FakeRunway(throttle=True) as fake:
        backend = _backend(tmp_path, fake)

        async def scenario() -> list[JobStatus]:
            try:
                task_id = await backend.submit(_request())
                return [await backend.poll(task_id) for _ in range(5)]
            finally:
                await backend.aclose()

        states = asyncio.run(scenario())
    assert [s.state for s in states] == [JobState.QUEUED, JobState.QUEUED] + [JobState.RUNNING] * 2 + [
        JobState.SUCCEEDED
    ]
    assert "tier" in states[0].message
    assert [s.progress for s in states[2:4]] == [0.25, 0.75]


# ---------------------------------------------------------------------------------------------- faults


def test_rate_limited_create_is_retried_and_makes_one_task(tmp_path: Path, fake: FakeRunway) -> None:
    fake.inject("POST", T2V, status=429, retry_after=0.1, body={"error": "Too many requests"})
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert len(fake.creates()) == 2
    _one_task(fake)


@pytest.mark.parametrize(("status", "retry_after"), [(429, 0.1), (500, None), (503, None)])
def test_failing_status_reads_recover(tmp_path: Path, fake: FakeRunway, status: int, retry_after: float | None) -> None:
    fake.inject("GET", TASKS, status=status, retry_after=retry_after)
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert len(fake.creates()) == 1


@pytest.mark.parametrize("kind", ["hang", "drop"])
def test_create_accepted_but_unanswered_is_never_resent(tmp_path: Path, fake: FakeRunway, kind: str) -> None:
    fake.inject("POST", T2V, kind=kind, after_handler=True)
    _, record = _fails(tmp_path, fake, _request(), AmbiguousSubmit, http_timeout=0.5)
    assert len(fake.creates()) == 1
    _one_task(fake)
    # Runway cannot list or tag tasks, so the job is left for the creator to check, never sent again
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE


def test_truncated_download_resumes_with_range(tmp_path: Path, fake: FakeRunway) -> None:
    fake.inject("GET", FILES, kind="truncate")
    outcome, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    first, second = fake.calls_to("GET", FILES)
    assert "range" not in first.headers and second.headers["range"].startswith("bytes=")
    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()


def test_expired_link_is_replaced_by_a_fresh_one(tmp_path: Path, fake: FakeRunway) -> None:
    backend = _backend(tmp_path, fake)
    fake.url_ttl = 0.05

    async def scenario() -> bytes:
        try:
            task_id = await backend.submit(_request())
            status = await backend.poll(task_id)
            while status.state is not JobState.SUCCEEDED:
                status = await backend.poll(task_id)
            await asyncio.sleep(0.1)
            with pytest.raises(LinkExpired):
                await backend.download(task_id, status, tmp_path / "stale.mp4", lambda _: None)
            fake.url_ttl = 3600
            fresh = await backend.poll(task_id)
            assert fresh.outputs != status.outputs
            await backend.download(task_id, fresh, tmp_path / "fresh.mp4", lambda _: None)
            return (tmp_path / "fresh.mp4").read_bytes()
        finally:
            await backend.aclose()

    assert asyncio.run(scenario()) == sample_mp4()


def test_job_code_fetches_a_fresh_link_after_a_refused_one(tmp_path: Path, fake: FakeRunway) -> None:
    fake.inject("GET", FILES, status=403)
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    first, second = fake.calls_to("GET", FILES)
    assert first.query != second.query
    between = fake.calls[fake.calls.index(first) + 1 : fake.calls.index(second)]
    assert [call.method for call in between] == ["GET"] and between[0].path.startswith("/v1/tasks/")


# ---------------------------------------------------------------------------------------------- refusals


def test_safety_block(tmp_path: Path, fake: FakeRunway) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt="BLOCKME a forbidden scene"), ContentBlocked)
    assert record.phase is JobPhase.BLOCKED
    assert "SAFETY.INPUT.TEXT" in str(error) and "content moderation" in str(error)


def test_failed_task_says_to_try_again(tmp_path: Path, fake: FakeRunway) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt="FAILME"), JobFailed)
    assert record.phase is JobPhase.FAILED
    assert "Generating again usually works" in str(error) and "INTERNAL.BAD_OUTPUT" in str(error)


def test_bad_key_is_auth_failed_without_the_key(tmp_path: Path, fake: FakeRunway) -> None:
    bad = "key_wrong_SECRET_987654321"
    error, record = _fails(tmp_path, fake, _request(), AuthFailed, key=bad)
    assert bad not in str(error) and bad not in record.message
    assert "Runway did not accept the API key" in str(error)
    assert record.phase is JobPhase.FAILED


def test_missing_key_fails_on_first_use_and_sends_nothing(tmp_path: Path, fake: FakeRunway) -> None:
    error, _ = _fails(tmp_path, fake, _request(), AuthFailed, key=None)
    assert "No API key for Runway" in str(error) and "dev.runwayml.com" in str(error)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"model": "veo3.1", "aspect": "1:1"}, "not 1:1"),
        ({"aspect": "1:1"}, "only from a first frame"),
        ({"model": "gen4_turbo"}, "first frame"),
        ({"duration_us": 12_000_000}, "2–10 s in whole seconds, not 12 s"),
        ({"duration_us": 4_600_000}, "not 4.6 s"),
        ({"model": "veo3.1", "duration_us": 5_000_000}, "4, 6 or 8 s, not 5 s"),
        ({"model": "veo3.1", "resolution": "4k"}, "720p or 1080p"),
        ({"prompt": "x" * 1001}, "1000 characters"),
        ({"seed": -1}, "seeds"),
        ({"model": "gemini_omni_flash", "last_frame": "/nowhere/last.png"}, "first frame"),
        ({"model": "nope"}, "no model 'nope'"),
    ],
)
def test_invalid_settings_are_refused_before_sending(
    tmp_path: Path, fake: FakeRunway, changes: dict[str, Any], words: str
) -> None:
    request = _request(**changes)
    error, record = _fails(tmp_path, fake, request, InputRejected)
    assert words in str(error)
    assert record.phase is JobPhase.FAILED
    assert fake.calls == []


def test_unreadable_or_foreign_images_are_refused(tmp_path: Path, fake: FakeRunway) -> None:
    gif = tmp_path / "still.gif"
    gif.write_bytes(b"GIF89a" + b"\x00" * 16)
    error, _ = _fails(tmp_path, fake, _request(first_frame=str(gif)), InputRejected)
    assert "JPEG, PNG or WebP" in str(error)
    error, _ = _fails(tmp_path, fake, _request(first_frame=str(tmp_path / "gone.png")), InputRejected)
    assert "cannot be read" in str(error)
    assert fake.calls == []


def test_retired_model_names_its_replacement(tmp_path: Path, fake: FakeRunway) -> None:
    error, _ = _fails(tmp_path, fake, _request("veo3", duration_us=8_000_000), ModelRetired)
    assert isinstance(error, ModelRetired) and error.replacement == "veo3.1"
    assert fake.calls == []


def test_runway_refusals_map_to_the_error_tree(tmp_path: Path, fake: FakeRunway) -> None:
    fake.inject(
        "POST",
        T2V,
        status=400,
        body={"error": "Validation of body failed", "issues": [{"path": ["ratio"], "message": "Invalid enum value"}]},
    )
    error, _ = _fails(tmp_path / "a", fake, _request(), InputRejected)
    assert "Invalid enum value" in str(error)

    fake.inject("POST", T2V, status=400, body={"error": "You do not have enough credits to run this task."})
    error, _ = _fails(tmp_path / "b", fake, _request(), QuotaExceeded)
    assert "enough credits" in str(error)

    fake.inject(
        "POST",
        T2V,
        status=400,
        body={
            "error": "Validation of body failed",
            "issues": [{"path": ["model"], "message": "Invalid discriminator value"}],
        },
    )
    error, _ = _fails(tmp_path / "c", fake, _request(), ModelRetired)
    assert "gen4.5" in str(error)

    fake.inject("POST", T2V, status=429, retry_after=0.01, times=3, body={"error": "Daily task limit reached"})
    error, _ = _fails(tmp_path / "d", fake, _request(), QuotaExceeded)
    assert "daily generation limit" in str(error)
    assert fake.tasks == {}


# ---------------------------------------------------------------------------------------------- cancel, resume


def test_cancel_stops_the_task_at_runway(tmp_path: Path, fake: FakeRunway) -> None:
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
    assert fake.cancelled == [row.provider_job_id]
    assert fake.count("DELETE", TASKS) == 1
    assert fake.tasks[row.provider_job_id]["status"] == "CANCELLED"


def test_cancel_leaves_a_finished_task_and_its_clip(tmp_path: Path, fake: FakeRunway) -> None:
    backend = _backend(tmp_path, fake)

    async def scenario() -> None:
        try:
            task_id = await backend.submit(_request())
            while not (await backend.poll(task_id)).state.is_final:
                pass
            await backend.cancel(task_id)
            await backend.cancel("00000000-0000-0000-0000-000000000000")  # unknown: nothing to stop
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    assert fake.count("DELETE", TASKS) == 0 and fake.deleted == []


# ---------------------------------------------------------------------------------------------- keys, info


def test_check_key(tmp_path: Path, fake: FakeRunway) -> None:
    async def check(key: str) -> str:
        backend = _backend(tmp_path, fake, key=key)
        try:
            return await backend.check_key()
        finally:
            await backend.aclose()

    assert asyncio.run(check(KEY)) == "Key accepted; 12345 credits left (about $123.45)."
    bad = "key_wrong_SECRET_123"
    with pytest.raises(AuthFailed) as caught:
        asyncio.run(check(bad))
    assert bad not in str(caught.value)
    assert fake.tasks == {}, "checking a key starts nothing"


def test_construction_needs_no_key_and_no_network(tmp_path: Path) -> None:
    backend = RunwayBackend(provider_context(tmp_path, "runway", "http://127.0.0.1:9", key=None))
    asyncio.run(backend.aclose())
    assert backend.info is INFO and INFO.poll_seconds is None
    served = {m.id for m in INFO.models if not m.retired}
    assert {"gen4.5", "gen4_turbo", "veo3.1", "veo3.1_fast", "gemini_omni_flash"} <= served
    assert {m.id for m in INFO.models if m.retired} == {"gen3a_turbo", "veo3", "gen4_aleph"}
    assert not INFO.model("gen4_turbo").text_to_video  # type: ignore[union-attr]


def test_the_length_build_request_made_is_sent_as_it_is(tmp_path: Path, fake: FakeRunway) -> None:
    """Runway is asked for the length fit_length made of the shot's (and bills it), in whole seconds, unrounded."""
    backend = _backend(tmp_path, fake)
    asked = [("veo3.1_fast", 7_100_000), ("gemini_omni_flash", 3_400_000), ("gen4.5", 9_600_000)]
    made = [fit_length(INFO.model(model), micros).made_us for model, micros in asked]  # type: ignore[arg-type]

    async def durations() -> list[int]:
        try:
            for (model, _asked), micros in zip(asked, made, strict=True):
                await backend.submit(replace(_request(model), duration_us=micros))
        finally:
            await backend.aclose()
        return [call.json()["duration"] for call in fake.creates()]

    assert made == [8_000_000, 3_000_000, 10_000_000]
    assert asyncio.run(durations()) == [8, 3, 10]


def test_a_refused_link_on_the_api_host_counts_as_expired(tmp_path: Path, fake: FakeRunway) -> None:
    backend = _backend(tmp_path, fake)
    stale = JobStatus(JobState.SUCCEEDED, outputs=(fake.sign("/files/unknown/output.mp4", ttl=-1),))

    async def scenario() -> None:
        try:
            await backend.download("unknown", stale, tmp_path / "clip.mp4", lambda _: None)
        finally:
            await backend.aclose()

    with pytest.raises(LinkExpired):
        asyncio.run(scenario())
