"""The Google adapter against the fake Gemini API, driven through the real job code, journal and probe."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.google import INFO, GoogleBackend, build_body
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
from shotline.core.ports import GenerationRequest, JobPhase, JobState, KeyCheck
from shotline.jobs.generation import UNCERTAIN_MESSAGE, cancel_generation, submit_job
from shotline.media.probe import probe
from tests.backends.adapter_kit import add_job, cloud_request, drive, generate, journal_for, provider_context
from tests.fakes.google import KEY, FakeGoogle
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

CREATE = r"/v1/interactions"
INTERACTION = r"/v1/interactions/[A-Za-z0-9_-]+"
FILE = r"/v1/files/[a-z0-9]+"
DOWNLOAD = r"/v1/files/[a-z0-9]+:download"
STORAGE = r"/download/[a-z0-9]+\.mp4"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeGoogle, *, key: str | None = KEY, **settings: Any) -> GoogleBackend:
    return GoogleBackend(provider_context(tmp_path, "google", fake.url, key=key, **settings))


def _request(model: str = "gemini-omni-1.2-flash", **changes: Any) -> GenerationRequest:
    return cloud_request("google", model, **changes)


def _run(tmp_path: Path, fake: FakeGoogle, request: GenerationRequest, **settings: Any) -> Any:
    outcome, journal = generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return outcome, journal.get(request.job_id)


def _fails(tmp_path: Path, fake: FakeGoogle, request: GenerationRequest, error: type[Exception], **settings: Any):  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return caught.value, journal_for(tmp_path / "project").get(request.job_id)


def _played(tmp_path: Path, outcome: Any) -> None:
    media = tmp_path / "project" / outcome.take.media
    assert media.read_bytes() == sample_mp4()
    assert probe(media).has_video and outcome.take.info.duration_us > 0


# ---------------------------------------------------------------------------------------------- success


def test_text_to_video_end_to_end_through_the_files_api(tmp_path: Path, fake: FakeGoogle) -> None:
    request = _request(duration_us=5_000_000, seed=42, resolution="1080p")
    outcome, record = _run(tmp_path, fake, request)

    _played(tmp_path, outcome)
    assert record.phase is JobPhase.DOWNLOADED
    assert record.provider_job_id in fake.jobs and len(fake.jobs) == 1
    assert record.billed_cost is None, "Google reports tokens, not money"
    (create,) = fake.creates()
    assert create.headers["x-goog-api-key"] == KEY
    assert create.json() == {
        "model": "gemini-omni-1.2-flash",
        "input": request.prompt,
        "response_format": {
            "type": "video",
            "resolution": "1080p",
            "delivery": "uri",
            "aspect_ratio": "16:9",
            "duration": "5s",
        },
        "generation_config": {"video_config": {"task": "text_to_video"}, "seed": 42},
        "background": True,
        "store": True,
        "labels": {"shotline_job": request.job_id},
    }
    # the file is only fetched once Google says it is ACTIVE, from Google's host (with the key), which redirects
    # to the storage host (without it)
    assert fake.count("GET", FILE) == 2
    (download,) = fake.calls_to("GET", DOWNLOAD)
    assert download.headers["x-goog-api-key"] == KEY and download.param("alt") == "media"
    (stored,) = fake.file_host.calls
    assert "x-goog-api-key" not in stored.headers and "key" not in stored.query
    assert all("x-goog-api-key" not in call.headers for call in fake.file_host.calls)


def test_inline_video_in_a_later_read_is_written_out(tmp_path: Path) -> None:
    with FakeGoogle(inline_on_get=True) as fake:
        outcome, record = _run(tmp_path, fake, _request("gemini-omni-1.1-flash", duration_us=4_000_000))
        assert fake.count("GET", DOWNLOAD) == 0 and fake.file_host.calls == []
        assert fake.count("GET", FILE) == 0
    _played(tmp_path, outcome)
    assert record.phase is JobPhase.DOWNLOADED


def test_first_frame_references_and_silence_map_onto_one_input_step(tmp_path: Path, fake: FakeGoogle) -> None:
    first, ref = tmp_path / "first.png", tmp_path / "ref.JPG"
    first.write_bytes(PNG)
    ref.write_bytes(b"\xff\xd8\xff" + b"\x00" * 32)
    request = _request(
        first_frame=str(first),
        reference_images=(str(ref),),
        aspect="9:16",
        resolution="4K",
        audio=False,
        negative_prompt="blur",
        duration_us=8_000_000,
    )
    _, record = _run(tmp_path, fake, request)

    assert record.phase is JobPhase.DOWNLOADED
    body = fake.creates()[0].json()
    assert body["response_format"] == {
        "type": "video",
        "resolution": "4k",
        "delivery": "uri",
        "aspect_ratio": "9:16",
        "duration": "8s",
    }
    assert "generation_config" not in body, "mixed image roles leave the task to Google"
    (step,) = body["input"]
    assert step["type"] == "user_input"
    image, reference, text = step["content"]
    assert image == {"type": "image", "mime_type": "image/png", "data": base64.b64encode(PNG).decode()}
    assert reference["mime_type"] == "image/jpeg"
    assert (
        text["text"]
        == f"<FIRST_FRAME> <IMAGE_REF_0> {request.prompt} Silent clip: no dialogue, no music, no sound effects."
    )
    assert "blur" not in str(body), "Omni takes no negative prompt"


def test_image_to_video_and_remix_tasks(tmp_path: Path, fake: FakeGoogle) -> None:
    first = tmp_path / "first.webp"
    first.write_bytes(b"RIFF0000WEBP")
    body = build_body(_request(first_frame=str(first)))
    assert body["generation_config"] == {"video_config": {"task": "image_to_video"}}
    assert body["input"][0]["content"][1]["text"].startswith("<FIRST_FRAME> ")
    refs = build_body(_request(reference_images=(str(first), str(first))))
    assert refs["generation_config"] == {"video_config": {"task": "reference_to_video"}}

    outcome, _ = _run(tmp_path / "a", fake, _request())
    source = outcome.take.generation.provider_job_id
    remix = _request(prompt="Make it night time. Keep everything else the same.", options={"remix_of": source})
    _, record = _run(tmp_path / "b", fake, remix)
    assert record.phase is JobPhase.DOWNLOADED
    sent = fake.creates()[1].json()
    assert sent["previous_interaction_id"] == source
    assert sent["generation_config"] == {"video_config": {"task": "edit"}}
    assert "duration" not in sent["response_format"], "an edit keeps its source's length"


def test_api_version_is_a_setting(tmp_path: Path, fake: FakeGoogle) -> None:
    _, record = _run(tmp_path, fake, _request(), api_versions={"google": "v1beta"})
    assert record.phase is JobPhase.DOWNLOADED
    assert fake.count("POST", r"/v1beta/interactions") == 1 and fake.count("POST", CREATE) == 0
    assert fake.count("GET", r"/v1beta/files/[a-z0-9]+:download") == 1


# ---------------------------------------------------------------------------------------------- faults


def test_rate_limited_create_is_retried_and_makes_one_job(tmp_path: Path, fake: FakeGoogle) -> None:
    fake.inject(
        "POST", CREATE, status=429, retry_after=0.1, body={"error": {"code": "too_many_requests", "message": "quota"}}
    )
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert len(fake.creates()) == 2 and len(fake.jobs) == 1


@pytest.mark.parametrize(
    ("path", "status", "retry_after"),
    [(INTERACTION, 429, 0.1), (INTERACTION, 500, None), (FILE, 503, None), (FILE, 429, 0.1)],
)
def test_failing_reads_recover(
    tmp_path: Path, fake: FakeGoogle, status: int, retry_after: float | None, path: str
) -> None:
    fake.inject("GET", path, status=status, retry_after=retry_after)
    _, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert len(fake.creates()) == 1


@pytest.mark.parametrize("kind", ["hang", "drop"])
def test_create_that_may_have_started_is_never_resent(tmp_path: Path, fake: FakeGoogle, kind: str) -> None:
    fake.inject("POST", CREATE, kind=kind, after_handler=True)
    _, record = _fails(tmp_path, fake, _request(), AmbiguousSubmit, http_timeout=0.5)
    assert len(fake.creates()) == 1 and len(fake.jobs) == 1
    # the Interactions API cannot list jobs, so the job waits for the creator to check; it is never sent again
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE


def test_dropped_create_before_google_saw_it_is_still_uncertain(tmp_path: Path, fake: FakeGoogle) -> None:
    fake.inject("POST", CREATE, kind="drop")
    _, record = _fails(tmp_path, fake, _request(), AmbiguousSubmit)
    assert len(fake.creates()) == 1 and fake.jobs == {}
    assert record.phase is JobPhase.UNCERTAIN


def test_truncated_download_resumes_with_range(tmp_path: Path, fake: FakeGoogle) -> None:
    fake.file_host.inject("GET", STORAGE, kind="truncate")
    outcome, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    first, second = fake.file_host.calls
    assert "range" not in first.headers and second.headers["range"].startswith("bytes=")
    _played(tmp_path, outcome)


def test_expired_storage_link_is_replaced_by_a_fresh_one(tmp_path: Path, fake: FakeGoogle) -> None:
    backend = _backend(tmp_path, fake)
    fake.file_host.url_ttl = 0.05

    async def scenario() -> bytes:
        try:
            job = await backend.submit(_request())
            status = await backend.poll(job)
            while status.state is not JobState.SUCCEEDED:
                status = await backend.poll(job)
            await asyncio.sleep(0.1)
            with pytest.raises(LinkExpired):
                await backend.download(job, status, tmp_path / "stale.mp4", lambda _: None)
            fake.file_host.url_ttl = 3600
            fresh = await backend.poll(job)  # reading the file again makes Google sign a new link
            await backend.download(job, fresh, tmp_path / "fresh.mp4", lambda _: None)
            return (tmp_path / "fresh.mp4").read_bytes()
        finally:
            await backend.aclose()

    assert asyncio.run(scenario()) == sample_mp4()
    stale, fresh = fake.file_host.calls
    assert stale.query["sig"] != fresh.query["sig"]


def test_job_code_asks_again_after_a_refused_link(tmp_path: Path, fake: FakeGoogle) -> None:
    fake.file_host.inject("GET", STORAGE, status=403)
    outcome, record = _run(tmp_path, fake, _request())
    assert record.phase is JobPhase.DOWNLOADED
    assert len(fake.file_host.calls) == 2 and fake.count("GET", DOWNLOAD) == 2
    # the two downloads are equal requests, so find them by position, not by value
    downloads = [n for n, call in enumerate(fake.calls) if call.path.endswith(":download")]
    between = fake.calls[downloads[0] + 1 : downloads[1]]
    assert any(call.path.startswith("/v1/interactions/") for call in between), "the job was read again"
    _played(tmp_path, outcome)


# ---------------------------------------------------------------------------------------------- refusals


def test_safety_block(tmp_path: Path, fake: FakeGoogle) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt="BLOCKME a forbidden scene"), ContentBlocked)
    assert record.phase is JobPhase.BLOCKED
    assert "safety filters" in str(error)


@pytest.mark.parametrize(("prompt", "words"), [("FAILME", "internal error"), ("NOVIDEO", "I can't create that video")])
def test_failed_or_empty_jobs_say_why(tmp_path: Path, fake: FakeGoogle, prompt: str, words: str) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt=prompt), JobFailed)
    assert record.phase is JobPhase.FAILED
    assert words in str(error)


def test_bad_key_is_auth_failed_without_the_key(tmp_path: Path, fake: FakeGoogle) -> None:
    bad = "AIzaSy-wrong-SECRET-987654321"
    error, record = _fails(tmp_path, fake, _request(), AuthFailed, key=bad)
    assert bad not in str(error) and bad not in record.message
    assert "Google did not accept the API key" in str(error) and "API key not valid" in str(error)
    assert record.phase is JobPhase.FAILED and fake.jobs == {}


def test_missing_key_fails_on_first_use_and_sends_nothing(tmp_path: Path, fake: FakeGoogle) -> None:
    error, _ = _fails(tmp_path, fake, _request(), AuthFailed, key=None)
    assert "No API key for Google" in str(error) and "aistudio.google.com" in str(error)
    assert fake.calls == []


def test_account_without_billing_is_told_to_enable_it(tmp_path: Path) -> None:
    with FakeGoogle(free_tier_keys=("free-key",)) as fake:
        error, record = _fails(tmp_path, fake, _request(), QuotaExceeded, key="free-key")
    assert "billing" in str(error) and record.phase is JobPhase.FAILED


def test_model_retired_at_google_names_its_replacement(tmp_path: Path) -> None:
    with FakeGoogle(retired={"gemini-omni-1.1-flash": "gemini-omni-1.2-flash"}) as fake:
        error, _ = _fails(tmp_path, fake, _request("gemini-omni-1.1-flash", duration_us=4_000_000), ModelRetired)
    assert isinstance(error, ModelRetired) and error.replacement == "gemini-omni-1.2-flash"
    assert "no longer available" in str(error)


def test_google_refusal_is_input_rejected_in_its_words(tmp_path: Path, fake: FakeGoogle) -> None:
    fake.inject(
        "POST", CREATE, status=400, body={"error": {"code": "invalid_argument", "message": "Unsupported resolution."}}
    )
    error, _ = _fails(tmp_path, fake, _request(), InputRejected)
    assert "Unsupported resolution." in str(error)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aspect": "1:1"}, "16:9 or 9:16"),
        ({"duration_us": 16_000_000}, "3–15 s in whole seconds, not 16 s"),
        ({"model": "gemini-omni-1.1-flash", "duration_us": 12_000_000}, "3–10 s in whole seconds"),
        ({"duration_us": 5_400_000}, "not 5.4 s"),
        ({"duration_us": 2_000_000}, "not 2 s"),
        ({"resolution": "8k"}, "not 8k"),
        ({"last_frame": "/nowhere/last.png"}, "last frame"),
        ({"reference_images": ("/a.png", "/b.png", "/c.png", "/d.png")}, "at most 3 reference images"),
        ({"seed": -1}, "seed"),
        ({"prompt": "  "}, "no prompt"),
        ({"options": {"remix_of": "../../etc"}}, "not a Google job id"),
        ({"model": "nope"}, "no model 'nope'"),
        ({"first_frame": "/nowhere/first.png"}, "cannot be read"),
        ({"first_frame": "/nowhere/first.svg"}, "not an image Google accepts"),
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(InputRejected) as caught:
        build_body(_request(**changes))
    assert words in str(caught.value)


def test_a_refused_setting_fails_the_job_before_anything_is_sent(tmp_path: Path, fake: FakeGoogle) -> None:
    error, record = _fails(tmp_path, fake, _request(aspect="4:3"), InputRejected)
    assert "not 4:3" in str(error)
    assert record.phase is JobPhase.FAILED
    assert fake.calls == []


def test_retired_model_is_refused_with_its_replacement_before_sending(tmp_path: Path, fake: FakeGoogle) -> None:
    error, _ = _fails(tmp_path, fake, _request("gemini-omni-flash-preview"), ModelRetired)
    assert isinstance(error, ModelRetired) and error.replacement == "gemini-omni-1.2-flash"
    assert fake.calls == []


# ---------------------------------------------------------------------------------------------- cancel, resume


def test_cancel_stops_the_job_at_google(tmp_path: Path, fake: FakeGoogle) -> None:
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
    assert fake.jobs[row.provider_job_id]["status"] == "cancelled"


@pytest.mark.parametrize("refuses", [False, True])
def test_cancelling_a_finished_or_unknown_job_is_not_an_error(tmp_path: Path, refuses: bool) -> None:
    with FakeGoogle(cancel_finished_error=refuses) as fake:
        backend = _backend(tmp_path, fake)

        async def scenario() -> None:
            try:
                job = await backend.submit(_request())
                while not (await backend.poll(job)).state.is_final:
                    pass
                await backend.cancel(job)
                await backend.cancel("v1_unknown")
            finally:
                await backend.aclose()

        asyncio.run(scenario())
        assert fake.cancelled == [] and fake.count("POST", INTERACTION + "/cancel") == 2
        assert next(iter(fake.jobs.values()))["status"] == "completed"


def test_find_cannot_ask_google(tmp_path: Path, fake: FakeGoogle) -> None:
    backend = _backend(tmp_path, fake)

    async def scenario() -> str | None:
        try:
            return await backend.find(_request())
        finally:
            await backend.aclose()

    assert asyncio.run(scenario()) is None
    assert fake.calls == []


# ---------------------------------------------------------------------------------------------- keys, info


def test_check_key(tmp_path: Path, fake: FakeGoogle) -> None:
    async def check(key: str) -> str:
        backend = _backend(tmp_path, fake, key=key)
        assert isinstance(backend, KeyCheck)
        try:
            return await backend.check_key()
        finally:
            await backend.aclose()

    assert asyncio.run(check(KEY)) == "Key accepted; gemini-omni-1.2-flash, gemini-omni-1.1-flash available"
    with pytest.raises(AuthFailed) as caught:
        asyncio.run(check("AIzaSy-not-it"))
    assert "AIzaSy-not-it" not in str(caught.value)
    assert fake.count("GET", r"/v1/models") == 2 and fake.creates() == []


def test_info_declares_what_omni_can_do() -> None:
    assert INFO.key_env_vars == ("GOOGLE_API_KEY", "GEMINI_API_KEY")
    assert INFO.poll_seconds is None
    served = [model for model in INFO.models if not model.retired]
    assert [model.id for model in served] == ["gemini-omni-1.2-flash", "gemini-omni-1.1-flash"]
    for model in served:
        assert model.aspects == ("16:9", "9:16") and model.audio and model.image_to_video
        assert not model.first_last_frame and not model.negative_prompt
        assert model.min_duration_us == 3_000_000 and model.length_step_us == 1_000_000
