"""The OpenAI (Sora 2) adapter against the fake Videos API, driven through the real job code, journal and probe."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shotline.backends import openai as sora
from shotline.backends.openai import INFO, OpenAIBackend, is_openai_itself
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    InputRejected,
    JobFailed,
    ModelRetired,
)
from shotline.core.ports import GenerationRequest, JobPhase, JobState, SentCreate
from shotline.jobs.generation import UNCERTAIN_MESSAGE
from shotline.media.probe import probe
from tests.backends.adapter_kit import (
    add_job,
    cancel_as_the_creator,
    cloud_request,
    drive,
    generate,
    journal_for,
    provider_context,
    quick_retries,
)
from tests.fakes.openai import KEY, FakeOpenAI, png
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

CREATE = r"/v1/videos"
VIDEO = r"/v1/videos/[^/]+"
CONTENT = r"/v1/videos/[^/]+/content"
FILES = r"/files/.*"
RATE_LIMITED = {
    "error": {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeOpenAI, *, key: str | None = KEY, **settings: Any) -> OpenAIBackend:
    return OpenAIBackend(provider_context(tmp_path, "openai", fake.api_url, key=key, **settings))


def _request(model: str = "sora-2", **changes: Any) -> GenerationRequest:
    # a length Sora makes, as build_request fits every shot (core.lengths.fit_length) before an adapter sees it
    return cloud_request("openai", model, **{"duration_us": 4_000_000, **changes})


def _run(tmp_path: Path, fake: FakeOpenAI, request: GenerationRequest, **settings: Any) -> Any:
    outcome, journal = generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return outcome, journal.get(request.job_id)


def _fails(
    tmp_path: Path, fake: FakeOpenAI, request: GenerationRequest, error: type[Exception], **settings: Any
) -> Any:
    with pytest.raises(error) as caught:
        generate(_backend(tmp_path, fake, **settings), request, tmp_path / "project")
    return caught.value, journal_for(tmp_path / "project").get(request.job_id)


def _plays(tmp_path: Path, outcome: Any) -> None:
    media = tmp_path / "project" / outcome.take.media
    assert media.read_bytes() == sample_mp4()
    assert probe(media).has_video and outcome.take.info.duration_us > 0


# ---------------------------------------------------------------------------------------------- success


def test_text_to_video_end_to_end(tmp_path: Path, fake: FakeOpenAI) -> None:
    request = _request("sora-2-pro", duration_us=8_000_000, resolution="1024p", seed=3, negative_prompt="text")
    outcome, record = _run(tmp_path, fake, request)

    _plays(tmp_path, outcome)
    assert record.phase is JobPhase.DOWNLOADED
    (create,) = fake.calls_to("POST", CREATE)
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.headers["content-type"].startswith("multipart/form-data")
    # seed and negative prompt have no field at Sora; the length goes as it is (build_request made it one of 4/8/12 s)
    assert fake.created == [{"model": "sora-2-pro", "prompt": request.prompt, "seconds": "8", "size": "1792x1024"}]
    assert outcome.take.generation.provider_job_id in fake.videos
    (content,) = fake.calls_to("GET", CONTENT)
    assert content.headers["authorization"] == f"Bearer {KEY}" and content.param("variant") == "video"
    assert record.billed_cost is None  # Sora reports no cost


def test_portrait_first_frame_is_fitted_to_the_frame_and_uploaded(tmp_path: Path, fake: FakeOpenAI) -> None:
    image = tmp_path / "first.png"
    image.write_bytes(png(600, 800))
    request = _request(aspect="9:16", duration_us=4_000_000, first_frame=str(image))
    _, record = _run(tmp_path, fake, request)

    assert record.phase is JobPhase.DOWNLOADED
    (created,) = fake.created
    assert created["size"] == "720x1280" and created["seconds"] == "4"
    reference = created["input_reference"]
    assert reference["content_type"] == "image/png" and reference["dimensions"] == (720, 1280)


def test_a_first_frame_of_the_right_size_goes_as_it_is(tmp_path: Path, fake: FakeOpenAI) -> None:
    image = tmp_path / "exact.png"
    data = png(1280, 720)
    image.write_bytes(data)
    _run(tmp_path, fake, _request(first_frame=str(image)))
    reference = fake.created[0]["input_reference"]
    assert reference["filename"] == "exact.png" and reference["size"] == len(data)


def test_a_first_frame_that_names_other_files_is_never_read_or_sent(tmp_path: Path, fake: FakeOpenAI) -> None:
    """A first frame that is a playlist (or an image sequence's pattern) would have FFmpeg read the files it names
    into the picture that is uploaded: it is refused as not an image, nothing is sent."""
    elsewhere = tmp_path / "elsewhere.png"
    elsewhere.write_bytes(png(720, 1280))
    playlist = tmp_path / "first.png"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{elsewhere}\n#EXT-X-ENDLIST\n")
    pattern = tmp_path / "frame%d.png"
    (tmp_path / "frame1.png").write_bytes(png(720, 1280))
    pattern.write_bytes(b"")
    for first in (playlist, pattern):
        error, _ = _fails(tmp_path, fake, _request(aspect="9:16", first_frame=str(first)), InputRejected)
        assert "could not be read as an image" in str(error)
    assert fake.count("POST", CREATE) == 0


def test_remix_and_extend_start_from_a_provider_video(tmp_path: Path, fake: FakeOpenAI) -> None:
    first, _ = _run(tmp_path, fake, _request())
    source = first.take.generation.provider_job_id

    remix, remix_record = _run(tmp_path, fake, _request(prompt="The same at dusk", options={"remix_of": source}))
    longer, _ = _run(tmp_path, fake, _request(prompt="It lands", duration_us=16_000_000, options={"extend_of": source}))

    _plays(tmp_path, remix)
    (remix_call,) = fake.calls_to("POST", rf"/v1/videos/{source}/remix")
    assert remix_call.json() == {"prompt": "The same at dusk"}
    assert fake.videos[remix_record.provider_job_id]["remixed_from_video_id"] == source
    assert fake.created[2] == {"extend_of": source, "prompt": "It lands", "seconds": "16", "video[id]": source}
    assert fake.videos[longer.take.generation.provider_job_id]["seconds"] == "20"


# ---------------------------------------------------------------------------------------------- faults


def test_rate_limited_create_is_retried_and_makes_one_video(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.inject("POST", CREATE, status=429, retry_after=0.05, body=RATE_LIMITED)
    outcome, _ = _run(tmp_path, fake, _request())
    _plays(tmp_path, outcome)
    assert fake.count("POST", CREATE) == 2 and len(fake.videos) == 1


def test_rate_limited_and_failing_status_reads_recover(
    tmp_path: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)  # a 5xx carries no Retry-After; keep the backoff short here
    fake.inject("GET", VIDEO, status=429, retry_after=0.05, body=RATE_LIMITED)
    fake.inject("GET", VIDEO, status=500)
    fake.inject("GET", VIDEO, status=503)
    outcome, record = _run(tmp_path, fake, _request())
    _plays(tmp_path, outcome)
    assert record.phase is JobPhase.DOWNLOADED and len(fake.videos) == 1


def test_create_accepted_then_timed_out_is_found_not_resent(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.inject("POST", CREATE, kind="hang", after_handler=True)
    outcome, record = _run(tmp_path, fake, _request(), http_timeout=0.5)

    _plays(tmp_path, outcome)
    assert fake.count("POST", CREATE) == 1 and len(fake.videos) == 1
    assert record.provider_job_id == next(iter(fake.videos))
    assert fake.count("GET", CREATE) == 1, "reconciled through the list"


def test_dropped_create_that_made_nothing_is_uncertain_never_resent(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.inject("POST", CREATE, kind="drop")
    error, record = _fails(tmp_path, fake, _request(), AmbiguousSubmit)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert fake.count("POST", CREATE) == 1 and not fake.videos
    assert str(error) == UNCERTAIN_MESSAGE


def test_dropped_answer_after_the_video_was_made_is_found(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.inject("POST", CREATE, kind="drop", after_handler=True)
    outcome, _ = _run(tmp_path, fake, _request())
    _plays(tmp_path, outcome)
    assert fake.count("POST", CREATE) == 1 and len(fake.videos) == 1


def test_find_will_not_guess_between_identical_videos(tmp_path: Path, fake: FakeOpenAI) -> None:
    request = _request()
    twin = replace(request, job_id="twin")

    async def scenario() -> list[str | None]:
        backend = _backend(tmp_path, fake)
        sent_at = time.time()
        try:
            for job in (request, twin):  # the same shot sent twice (two takes), both answers lost
                fake.inject("POST", CREATE, kind="drop", after_handler=True)
                with pytest.raises(AmbiguousSubmit):
                    await backend.submit(job)
        finally:
            await backend.aclose()
        mine, theirs = fake.videos  # oldest first
        # after a restart, a fresh object is told by the journal what it knows (SentCreate)
        fresh = _backend(tmp_path, fake)
        try:
            return [
                await fresh.find(request),  # nothing known of the create: never a guess
                await fresh.find(request, SentCreate(sent_at=sent_at)),  # two unclaimed look-alikes
                await fresh.find(request, SentCreate(sent_at=sent_at, sending=(twin,))),  # the twin still out
                await fresh.find(request, SentCreate(sent_at=sent_at, claimed=frozenset({theirs}))),
                await fresh.find(request, SentCreate(sent_at=sent_at, claimed=frozenset({mine}))),
            ]
        finally:
            await fresh.aclose()

    none, two, twin_out, found, other = asyncio.run(scenario())
    mine, theirs = fake.videos
    assert (none, two, twin_out) == (None, None, None)
    assert found == mine and other == theirs, "one look-alike left once the other is another job's"
    assert len(fake.videos) == 2


def test_truncated_download_resumes_with_range(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.inject("GET", CONTENT, kind="truncate")
    outcome, _ = _run(tmp_path, fake, _request())
    _plays(tmp_path, outcome)
    first, second = fake.calls_to("GET", CONTENT)
    assert "range" not in first.headers and second.headers["range"].startswith("bytes=")


def test_expired_signed_link_is_fetched_again(tmp_path: Path) -> None:
    with FakeOpenAI(redirect_content=True) as fake:
        fake.stale_links = 1
        outcome, _ = _run(tmp_path, fake, _request())
        _plays(tmp_path, outcome)
        first, second = fake.calls_to("GET", CONTENT)
        at = [i for i, call in enumerate(fake.calls) if call is first or call is second]  # equal, not the same
        between = fake.calls[at[0] + 1 : at[1]]
        assert any(call.method == "GET" and call.path.startswith("/v1/videos/") for call in between), "asked again"
        expired, fresh = fake.calls_to("GET", FILES)
        assert "authorization" not in expired.headers and "authorization" not in fresh.headers
        assert len(fake.videos) == 1


def test_expired_content_at_the_api_fails_plainly(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.url_ttl = -5
    error, record = _fails(tmp_path, fake, _request(), JobFailed)
    assert record.phase is JobPhase.FAILED
    assert "no longer has this clip" in str(error) and "expired" in str(error)


# ---------------------------------------------------------------------------------------------- refusals


def test_safety_failure_is_blocked(tmp_path: Path, fake: FakeOpenAI) -> None:
    error, record = _fails(tmp_path, fake, _request(prompt="BLOCKME a harbour"), ContentBlocked)
    assert record.phase is JobPhase.BLOCKED
    assert "moderation" in record.message and "moderation" in str(error)


def test_safety_refusal_at_create_is_content_blocked(tmp_path: Path, fake: FakeOpenAI) -> None:
    error, _ = _fails(tmp_path, fake, _request(prompt="BLOCKNOW a harbour"), ContentBlocked)
    assert "safety system" in str(error) and "moderation" in str(error)
    assert not fake.videos


def test_bad_key_fails_without_showing_it(tmp_path: Path) -> None:
    wrong = "sk-proj-WRONGsecretKEYxyz9876"
    with FakeOpenAI() as fake:
        error, record = _fails(tmp_path, fake, _request(), AuthFailed, key=wrong)
        assert fake.count("POST", CREATE) == 1 and not fake.videos
    said = str(error)
    assert "did not accept the API key" in said and "Incorrect API key provided" in said
    for piece in (wrong, "9876", "sk-", "****"):
        assert piece not in said and piece not in record.message


def test_missing_key_fails_before_any_request(tmp_path: Path, fake: FakeOpenAI) -> None:
    error, _ = _fails(tmp_path, fake, _request(), AuthFailed, key=None)
    assert "No API key" in str(error)
    assert not fake.calls


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"aspect": "1:1"}, "16:9"),
        ({"resolution": "1024p"}, "720p"),
        ({"model": "veo-3"}, "sora-2-pro"),
        ({"last_frame": "/tmp/last.png"}, "first frame"),
        ({"options": {"remix_of": "video_a", "extend_of": "video_b"}}, "not both"),
        ({"duration_us": 7_400_000}, "4, 8 or 12 s, not 7.4 s"),
        ({"duration_us": 6_000_000, "options": {"extend_of": "video_a"}}, "4, 8, 12, 16, 20 s, not 6 s"),
        ({"first_frame": "/nowhere/first.png"}, "not there"),
    ],
)
def test_invalid_settings_are_refused_before_sending(
    tmp_path: Path, fake: FakeOpenAI, changes: dict[str, Any], words: str
) -> None:
    error, record = _fails(tmp_path, fake, _request(**changes), InputRejected)
    assert words in str(error)
    assert record.phase is JobPhase.FAILED
    assert fake.count("POST", CREATE) == 0


def test_provider_refusal_of_a_setting_is_input_rejected(tmp_path: Path, fake: FakeOpenAI) -> None:
    error, _ = _fails(tmp_path, fake, _request(options={"remix_of": "video_unknown"}), InputRejected)
    assert "does not know the video to start from" in str(error)
    running = fake._new_video(prompt="p", model="sora-2", seconds="4", size="1280x720")
    error, _ = _fails(tmp_path, fake, _request(options={"extend_of": running["id"]}), InputRejected)
    assert "refused" in str(error) and "not completed" in str(error)


def test_openai_itself_answering_404_says_the_api_was_shut_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert is_openai_itself("https://api.openai.com/v1") and is_openai_itself(sora.DEFAULT_URL)
    assert not is_openai_itself("https://gateway.example.com/v1") and not is_openai_itself("http://127.0.0.1:9/v1")
    with FakeOpenAI(gone=True) as fake:
        # a gateway without the Videos API: a wrong address, said as such
        error, _ = _fails(tmp_path / "gateway", fake, _request(), InputRejected)
        assert "has no Videos API" in str(error) and "API base URL" in str(error)
        # the adapter believing the fake is api.openai.com (what the default URL does since the shutdown)
        monkeypatch.setattr(sora, "OPENAI_HOSTS", frozenset({"127.0.0.1"}))
        retired, record = _fails(tmp_path / "official", fake, _request(), ModelRetired)
        assert fake.count("POST", CREATE) == 2
    said = str(retired)
    assert "24 September 2026" in said and "SHOTLINE_OPENAI_BASE_URL" in said and "gateway" in said
    assert record.phase is JobPhase.FAILED and record.message == said


# ---------------------------------------------------------------------------------------------- life cycle


def test_cancel_deletes_the_video_and_journals_cancelled(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.hold = True
    request = _request()
    journal = journal_for(tmp_path / "project")
    record = add_job(journal, request)

    async def scenario() -> None:
        backend = _backend(tmp_path, fake)
        try:
            task = asyncio.create_task(drive(backend, record, journal, tmp_path / "project"))
            async with asyncio.timeout(10):
                while journal.get(request.job_id).phase is not JobPhase.SUBMITTED:
                    await asyncio.sleep(0.01)
            await cancel_as_the_creator(task, request.job_id, backend=backend, journal=journal)
            # cancelling a video that is already gone is not an error
            await backend.cancel(journal.get(request.job_id).provider_job_id)
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    row = journal.get(request.job_id)
    assert row.phase is JobPhase.CANCELLED and row.message == "Cancelled."
    assert fake.deleted == [row.provider_job_id] and not fake.videos
    assert fake.count("DELETE", VIDEO) == 2


def test_a_row_crashed_mid_create_is_uncertain_after_a_restart(tmp_path: Path, fake: FakeOpenAI) -> None:
    request = _request()
    journal = journal_for(tmp_path / "project")
    record = journal.update(add_job(journal, request).id, phase=JobPhase.SENDING)

    async def scenario() -> None:
        backend = _backend(tmp_path, fake)
        try:
            await drive(backend, record, journal, tmp_path / "project", resumed=True)
        finally:
            await backend.aclose()

    with pytest.raises(AmbiguousSubmit):
        asyncio.run(scenario())
    assert journal.get(request.job_id).phase is JobPhase.UNCERTAIN
    assert fake.count("POST", CREATE) == 0


def test_poll_normalises_states(tmp_path: Path, fake: FakeOpenAI) -> None:
    async def scenario() -> list[Any]:
        backend = _backend(tmp_path, fake)
        try:
            provider_id = await backend.submit(_request())
            return [await backend.poll(provider_id) for _ in range(3)]
        finally:
            await backend.aclose()

    running, later, done = asyncio.run(scenario())
    assert (running.state, running.progress) == (JobState.RUNNING, 0.35)
    assert (later.state, later.progress) == (JobState.RUNNING, 0.8)
    assert done.state is JobState.SUCCEEDED and done.outputs[0].endswith("/content?variant=video")


def test_check_key(tmp_path: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    async def check(key: str) -> str:
        backend = _backend(tmp_path, fake, key=key)
        try:
            return await backend.check_key()
        finally:
            await backend.aclose()

    good = asyncio.run(check(KEY))
    assert good.startswith("Key accepted") and "sora-2-pro" in good
    with pytest.raises(AuthFailed) as bad:
        asyncio.run(check("sk-bad-key-55554444"))
    assert "55554444" not in str(bad.value)
    monkeypatch.setattr(sora, "OPENAI_HOSTS", frozenset({"127.0.0.1"}))
    assert "shut the Sora Videos API down on 24 September 2026" in asyncio.run(check(KEY))
    assert not fake.calls_to("POST", CREATE), "a key check creates nothing"


def test_info_declares_what_sora_can_do() -> None:
    sora_2, pro = INFO.models
    assert (sora_2.id, pro.id) == ("sora-2", "sora-2-pro")
    assert sora_2.durations_us == (4_000_000, 8_000_000, 12_000_000)
    assert pro.resolutions == ("720p", "1024p") and sora_2.resolutions == ("720p",)
    assert all(m.image_to_video and m.remix and m.extend and m.audio and not m.seed for m in INFO.models)
    assert INFO.key_env_vars == ("OPENAI_API_KEY",) and INFO.poll_seconds is None
