"""The Luma adapter against the fake Luma API: real HTTP, the real job code, the real SQLite journal and probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.http import LinkExpired
from shotline.backends.luma import INFO, LumaBackend, create_body, status_of
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    InputRejected,
    JobFailed,
    ModelRetired,
    QuotaExceeded,
)
from shotline.core.model import Size
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, JobState, KeyCheck
from shotline.jobs.generation import cancel_generation
from tests.backends.adapter_kit import (
    add_job,
    cloud_request,
    drive,
    end_by_cancel,
    generate,
    journal_for,
    provider_context,
    quick_retries,
)
from tests.fakes.luma import BLOCKED_REASON, KEY, FakeLuma
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

CREATE = r"/generations/video"
STATUS = r"/generations/[^/]+"
VIDEO = r"/dream_machine/[^/]+/video0\.mp4"


@pytest.fixture
def fake() -> Iterator[FakeLuma]:
    with FakeLuma() as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # retries still happen, in the same order, just without half-second waits
    quick_retries(monkeypatch)


def _backend(tmp_path: Path, fake: FakeLuma, *, key: str | None = KEY, **settings: Any) -> LumaBackend:
    return LumaBackend(provider_context(tmp_path, "luma", fake.url, key=key, **settings))


def _request(model: str = "ray-2", **changes: Any) -> GenerationRequest:
    return cloud_request("luma", model, **changes)


def _run(backend: GenerationBackend, scenario: Any) -> Any:
    async def main() -> Any:
        try:
            return await scenario
        finally:
            await backend.aclose()

    return asyncio.run(main())


def _video_calls(fake: FakeLuma) -> int:
    return fake.count("GET", VIDEO)


# ---------------------------------------------------------------------------------------------- the happy path


def test_a_shot_becomes_a_probed_take_from_one_create(tmp_path: Path, fake: FakeLuma) -> None:
    outcome, journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")

    assert outcome.take.info.has_video and outcome.take.info.duration_us > 0
    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()
    (create,) = fake.calls_to("POST", CREATE)
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.json() == {
        "model": "ray-2",
        "prompt": "A lighthouse at dawn, waves breaking on the rocks",
        "aspect_ratio": "16:9",
        "duration": "5s",
        "resolution": "720p",
    }
    (provider_id,) = fake.jobs
    row = journal.get(outcome.job_id)
    assert row.phase is JobPhase.DOWNLOADED and row.provider_job_id == provider_id
    # the clip came from the storage host, which never sees the key
    (download,) = fake.calls_to("GET", VIDEO)
    assert "authorization" not in download.headers
    assert all(KEY not in value for value in download.headers.values())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # the length build_request made (a 3 s shot is made 5 s, a 7 s one 9 s: fit "at_least"), sent as it is
        ({"duration_us": 5_000_000}, {"duration": "5s"}),
        ({"duration_us": 9_000_000}, {"duration": "9s"}),
        ({"size": Size(320, 180)}, {"resolution": "540p"}),
        ({"size": Size(1920, 1080)}, {"resolution": "1080p"}),
        ({"size": Size(3840, 2160)}, {"resolution": "4k"}),
        ({"resolution": "1080p", "size": Size(320, 180)}, {"resolution": "1080p"}),
        ({"aspect": "9:21"}, {"aspect_ratio": "9:21"}),
        ({"options": {"loop": True}}, {"loop": True}),
        (
            {"options": {"concepts": ["dolly_zoom", "orbit_left"]}},
            {"concepts": [{"key": "dolly_zoom"}, {"key": "orbit_left"}]},
        ),
        (
            {"first_frame": "https://example.com/a.jpg", "last_frame": "https://example.com/b.jpg"},
            {
                "keyframes": {
                    "frame0": {"type": "image", "url": "https://example.com/a.jpg"},
                    "frame1": {"type": "image", "url": "https://example.com/b.jpg"},
                }
            },
        ),
        ({"options": {"extend_from": "gen-1"}}, {"keyframes": {"frame0": {"type": "generation", "id": "gen-1"}}}),
        # Luma has neither: they are left out rather than refusing a shot written for another backend
        ({"negative_prompt": "blurry", "seed": 7}, {}),
    ],
)
def test_the_request_maps_to_lumas_fields(changes: dict[str, Any], expected: dict[str, Any]) -> None:
    body = create_body(_request(**changes))
    for name, value in expected.items():
        assert body[name] == value, name
    assert "negative_prompt" not in body and "seed" not in body


def test_options_reach_the_provider(tmp_path: Path, fake: FakeLuma) -> None:
    request = _request(model="ray-flash-2", aspect="1:1", duration_us=9_000_000, options={"loop": True})
    outcome, _journal = generate(_backend(tmp_path, fake), request, tmp_path / "project")
    assert outcome.take.info.has_video
    (create,) = fake.calls_to("POST", CREATE)
    body = create.json()
    assert (body["model"], body["aspect_ratio"], body["duration"], body["loop"]) == ("ray-flash-2", "1:1", "9s", True)
    (job,) = fake.jobs.values()
    assert job["request"]["loop"] is True


def test_a_clip_can_continue_an_earlier_luma_clip(tmp_path: Path, fake: FakeLuma) -> None:
    first, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    source = first.take.generation.provider_job_id if first.take.generation else ""
    second, _journal = generate(
        _backend(tmp_path, fake), _request(options={"extend_from": source}), tmp_path / "project"
    )
    assert second.take.info.has_video
    assert fake.calls_to("POST", CREATE)[1].json()["keyframes"] == {"frame0": {"type": "generation", "id": source}}


# ---------------------------------------------------------------------------------------------- refused before sending


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aspect": "2:1"}, "2:1"),
        ({"duration_us": 12_000_000}, "5 or 9 s, not 12 s"),
        ({"duration_us": 7_000_000}, "5 or 9 s, not 7 s"),
        ({"resolution": "8k"}, "8k"),
        ({"model": "ray-3"}, "no model"),
        ({"reference_images": ("/tmp/ref.png",)}, "reference images"),
        ({"first_frame": "/home/me/start.png"}, "web address"),
        ({"last_frame": "/home/me/end.png"}, "web address"),
        ({"first_frame": "https://x.io/a.jpg", "options": {"extend_from": "gen-1"}}, "not both"),
    ],
)
def test_settings_luma_cannot_take_are_refused_before_anything_is_sent(
    tmp_path: Path, fake: FakeLuma, changes: dict[str, Any], words: str
) -> None:
    backend = _backend(tmp_path, fake)
    with pytest.raises(InputRejected, match=words):
        _run(backend, backend.submit(_request(**changes)))
    assert fake.calls == []


def test_a_retired_model_names_its_replacement(tmp_path: Path, fake: FakeLuma) -> None:
    backend = _backend(tmp_path, fake)
    with pytest.raises(ModelRetired, match="ray-2") as caught:
        _run(backend, backend.submit(_request(model="ray-1-6")))
    assert caught.value.replacement == "ray-2"
    assert fake.calls == []


def test_a_model_luma_has_dropped_is_reported_as_retired(tmp_path: Path, fake: FakeLuma) -> None:
    fake.inject("POST", CREATE, status=400, body={"detail": "Model ray-flash-2 is deprecated; use ray-2"})
    backend = _backend(tmp_path, fake)
    with pytest.raises(ModelRetired, match="ray-flash-2") as caught:
        _run(backend, backend.submit(_request(model="ray-flash-2")))
    assert caught.value.replacement == "ray-2"


def test_a_setting_luma_refuses_is_input_rejected_with_its_words(tmp_path: Path, fake: FakeLuma) -> None:
    # an extend from a generation Luma does not know is only caught by Luma itself
    backend = _backend(tmp_path, fake)
    with pytest.raises(InputRejected, match="does not name a generation"):
        _run(backend, backend.submit(_request(options={"extend_from": "no-such-generation"})))
    assert fake.jobs == {}


# ---------------------------------------------------------------------------------------------- faults


def test_a_rate_limited_create_waits_and_creates_exactly_one_job(tmp_path: Path, fake: FakeLuma) -> None:
    fake.inject("POST", CREATE, status=429, retry_after=0.05, body={"detail": "Too many concurrent generations"})
    outcome, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    assert outcome.take.info.has_video
    assert fake.count("POST", CREATE) == 2
    assert len(fake.jobs) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(429, 0.05), (500, None), (503, None)])
def test_status_reads_recover_from_provider_trouble(
    tmp_path: Path, fake: FakeLuma, status: int, retry_after: float | None
) -> None:
    fake.inject("GET", STATUS, status=status, retry_after=retry_after, times=2)
    outcome, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    assert outcome.take.info.has_video
    assert fake.count("POST", CREATE) == 1


def test_a_create_accepted_then_timed_out_is_found_not_resent(tmp_path: Path, fake: FakeLuma) -> None:
    fake.inject("POST", CREATE, kind="hang", after_handler=True)
    outcome, journal = generate(_backend(tmp_path, fake, http_timeout=0.5), _request(), tmp_path / "project")

    assert outcome.take.info.has_video
    assert fake.count("POST", CREATE) == 1
    assert fake.count("GET", r"/generations") >= 1, "reconciled through Luma's list"
    (provider_id,) = fake.jobs
    assert journal.get(outcome.job_id).provider_job_id == provider_id


def test_a_connection_dropped_after_the_create_landed_is_found(tmp_path: Path, fake: FakeLuma) -> None:
    fake.inject("POST", CREATE, kind="drop", after_handler=True)
    outcome, journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    assert fake.count("POST", CREATE) == 1
    (provider_id,) = fake.jobs
    assert journal.get(outcome.job_id).provider_job_id == provider_id


def test_a_dropped_create_that_never_landed_is_uncertain_never_resent(tmp_path: Path, fake: FakeLuma) -> None:
    fake.inject("POST", CREATE, kind="drop")
    request = _request()
    with pytest.raises(AmbiguousSubmit):
        generate(_backend(tmp_path, fake), request, tmp_path / "project")
    assert fake.count("POST", CREATE) == 1
    assert fake.jobs == {}
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.UNCERTAIN


def test_find_skips_older_clips_and_clips_other_jobs_claimed(tmp_path: Path, fake: FakeLuma) -> None:
    # the same prompt an hour ago, and the same prompt as another job just now: neither is this job's generation
    old, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    fake.age(old.take.generation.provider_job_id if old.take.generation else "", 3600)
    other, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    fake.inject("POST", CREATE, kind="hang", after_handler=True)
    mine, journal = generate(_backend(tmp_path, fake, http_timeout=0.5), _request(), tmp_path / "project")

    ids = [take.generation.provider_job_id for take in (old.take, other.take, mine.take) if take.generation]
    assert len(set(ids)) == 3
    assert set(ids) == set(fake.jobs)
    assert journal.get(mine.job_id).provider_job_id == ids[2]


def test_a_truncated_download_resumes_with_range(tmp_path: Path, fake: FakeLuma) -> None:
    fake.inject("GET", VIDEO, kind="truncate")
    outcome, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")

    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()
    first, second = fake.calls_to("GET", VIDEO)
    assert "range" not in first.headers
    assert second.headers["range"].startswith("bytes=") and second.headers["range"] != "bytes=0-"


def test_an_expired_link_is_replaced_by_a_fresh_one(tmp_path: Path, fake: FakeLuma) -> None:
    fake.expire_next_links(1)
    outcome, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")

    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()
    stale, fresh = fake.calls_to("GET", VIDEO)
    assert stale.query["sig"] != fresh.query["sig"]


def test_a_link_that_outlives_its_ttl_says_expired_and_a_new_poll_mends_it(tmp_path: Path, fake: FakeLuma) -> None:
    fake.url_ttl = 0.3
    backend = _backend(tmp_path, fake)

    async def scenario() -> None:
        provider_id = await backend.submit(_request())
        status = await backend.poll(provider_id)
        while status.state is not JobState.SUCCEEDED:
            status = await backend.poll(provider_id)
        await asyncio.sleep(0.5)
        with pytest.raises(LinkExpired):
            await backend.download(provider_id, status, tmp_path / "clip.mp4", lambda _: None)
        fake.url_ttl = 3600  # the fresh link must not expire on its way, however busy the machine
        fresh = await backend.poll(provider_id)
        await backend.download(provider_id, fresh, tmp_path / "clip.mp4", lambda _: None)

    _run(backend, scenario())
    assert (tmp_path / "clip.mp4").read_bytes() == sample_mp4()


# ---------------------------------------------------------------------------------------------- refusals


def test_a_moderation_failure_is_blocked(tmp_path: Path, fake: FakeLuma) -> None:
    request = _request(prompt="BLOCKME a harbour at night")
    with pytest.raises(ContentBlocked, match="moderation"):
        generate(_backend(tmp_path, fake), request, tmp_path / "project")
    row = journal_for(tmp_path / "project").get(request.job_id)
    assert row.phase is JobPhase.BLOCKED and BLOCKED_REASON in row.message


def test_a_generation_that_fails_says_why(tmp_path: Path, fake: FakeLuma) -> None:
    request = _request(prompt="FAILME a harbour at night")
    with pytest.raises(JobFailed, match="could not be completed"):
        generate(_backend(tmp_path, fake), request, tmp_path / "project")
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.FAILED


def test_a_bad_key_is_auth_failed_and_never_shown(tmp_path: Path, fake: FakeLuma) -> None:
    wrong = "luma-wrong-key-77c1e0"
    request = _request()
    with pytest.raises(AuthFailed) as caught:
        generate(_backend(tmp_path, fake, key=wrong), request, tmp_path / "project")
    message = str(caught.value)
    assert "Invalid API key" in message and wrong not in message and KEY not in message
    assert fake.jobs == {}
    row = journal_for(tmp_path / "project").get(request.job_id)
    assert row.phase is JobPhase.FAILED and wrong not in row.message


def test_no_key_at_all_is_auth_failed_before_any_request(tmp_path: Path, fake: FakeLuma) -> None:
    with pytest.raises(AuthFailed, match=r"No API key for Luma.*lumalabs"):
        generate(_backend(tmp_path, fake, key=None), _request(), tmp_path / "project")
    assert fake.calls == []


def test_no_credit_is_quota_exceeded(tmp_path: Path) -> None:
    with FakeLuma(credit_cents=10) as fake:
        with pytest.raises(QuotaExceeded, match="credit"):
            generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
        assert fake.jobs == {}


# ---------------------------------------------------------------------------------------------- cancel and resume


def test_cancel_deletes_the_generation_at_luma(tmp_path: Path) -> None:
    with FakeLuma(steps=("queued", "dreaming")) as fake:  # never finishes on its own
        backend = _backend(tmp_path, fake)
        project = tmp_path / "project"
        journal = journal_for(project)
        request = _request()
        record = add_job(journal, request)

        async def scenario() -> None:
            task = asyncio.create_task(drive(backend, record, journal, project))
            try:
                async with asyncio.timeout(10):
                    while fake.count("GET", STATUS) < 2:
                        await asyncio.sleep(0.01)
                await cancel_generation(record.id, backend=backend, journal=journal)
            finally:
                await end_by_cancel(task, record.id, journal)

        _run(backend, scenario())
        row = journal.get(record.id)
        assert row.phase is JobPhase.CANCELLED
        assert fake.deleted == [row.provider_job_id] and fake.jobs == {}


def test_cancelling_a_generation_luma_no_longer_has_is_not_an_error(tmp_path: Path, fake: FakeLuma) -> None:
    backend = _backend(tmp_path, fake)

    async def scenario() -> None:
        provider_id = await backend.submit(_request())
        await backend.cancel(provider_id)
        await backend.cancel(provider_id)
        assert (await backend.poll(provider_id)).state is JobState.CANCELLED

    _run(backend, scenario())
    assert fake.count("DELETE", STATUS) == 2


# ---------------------------------------------------------------------------------------------- key check and states


def test_check_key_reads_the_credit_balance_and_starts_nothing(tmp_path: Path, fake: FakeLuma) -> None:
    backend = _backend(tmp_path, fake)
    assert isinstance(backend, KeyCheck)
    assert _run(backend, backend.check_key()) == "Key accepted; $1000.00 of Luma credit left."
    assert fake.jobs == {} and fake.count("POST", r".*") == 0
    assert fake.calls_to("GET", r"/credits")[0].headers["authorization"] == f"Bearer {KEY}"


def test_check_key_with_a_bad_key_is_auth_failed(tmp_path: Path, fake: FakeLuma) -> None:
    backend = _backend(tmp_path, fake, key="luma-not-my-key")
    with pytest.raises(AuthFailed) as caught:
        _run(backend, backend.check_key())
    assert "luma-not-my-key" not in str(caught.value)


@pytest.mark.parametrize(
    ("generation", "state"),
    [
        ({"state": "queued"}, JobState.QUEUED),
        ({"state": "dreaming"}, JobState.RUNNING),
        ({"state": "completed", "assets": {"video": "https://cdn/x.mp4"}}, JobState.SUCCEEDED),
        ({"state": "completed", "assets": None}, JobState.FAILED),
        ({"state": "failed", "failure_reason": "Prompt flagged by content moderation"}, JobState.BLOCKED),
        ({"state": "failed", "failure_reason": "Internal error"}, JobState.FAILED),
        ({"state": "failed"}, JobState.FAILED),
        ({"state": "pondering"}, JobState.RUNNING),  # unknown: followed on (policy.unknown_state)
    ],
)
def test_lumas_states_normalise(generation: Any, state: JobState) -> None:
    assert status_of(generation).state is state


def test_info_declares_what_the_adapter_does() -> None:
    served = [m for m in INFO.models if not m.retired]
    assert [m.id for m in served] == ["ray-2", "ray-flash-2"]
    assert INFO.key_env_vars == ("LUMAAI_API_KEY",) and INFO.poll_seconds is None
    for model in served:
        assert model.durations_us == (5_000_000, 9_000_000) and model.max_duration_us == 9_000_000
        assert "21:9" in model.aspects and "4k" in model.resolutions
        assert not model.image_to_video, "local images cannot be sent to Luma"


def test_construction_needs_no_key_and_no_network(tmp_path: Path) -> None:
    backend = LumaBackend(provider_context(tmp_path, "luma", "http://127.0.0.1:9", key=None))
    assert backend.info is INFO
    _run(backend, asyncio.sleep(0))
    assert not (tmp_path / "work").exists(), "nothing is written until a job is sent"
