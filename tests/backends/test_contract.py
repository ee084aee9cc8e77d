"""The contract every generation adapter keeps, run once per adapter through its fake provider on 127.0.0.1.

The same cases for Runway, fal.ai, Google, Luma (Dream Machine and Agents), OpenAI (a compatible gateway), Replicate
and ComfyUI: a clip made end to end; each fault (a safety stop, a failure, a bad or missing key, a rate-limited
create, a create whose answer was lost, a create the provider answered 5xx, a provider unreachable while the job
runs, a state nobody knew); cancel (and a cancel of a job the provider no longer has); resume after a restart (with
the job known, and after a crash mid-create, where find() is told by the journal what it needs); the key check; and
a model the provider answers is no longer available. What differs between providers is in `Adapter`; the rules are
backends.policy's and jobs.generation's, and hold for all of them alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shotline.backends import comfyui, fal, google, luma, luma_agents, openai, replicate, runway
from shotline.backends.catalogue import Catalogue, shipped
from shotline.backends.policy import CREATES, READS
from shotline.backends.registry import BackendContext
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    JobFailed,
    ModelRetired,
    QuotaExceeded,
    TransientError,
)
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, KeyCheck
from shotline.jobs import generation
from shotline.jobs.generation import cancel_generation, submit_job
from tests.backends.adapter_kit import (
    add_job,
    cloud_request,
    drive,
    generate,
    journal_for,
    provider_context,
    quick_retries,
)
from tests.fakes import comfyui as fake_comfyui
from tests.fakes import fal as fake_fal
from tests.fakes import google as fake_google
from tests.fakes import luma as fake_luma
from tests.fakes import luma_agents as fake_luma_agents
from tests.fakes import openai as fake_openai
from tests.fakes import replicate as fake_replicate
from tests.fakes import runway as fake_runway
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.ffmpeg

UNKNOWN = "WARMING_UP_SOMEHOW"
"""A job state no provider has (yet): every adapter must follow the job on, never fail it."""


@dataclass(frozen=True)
class Adapter:
    """How one adapter and its fake are driven; everything else in this file is the same for all of them."""

    id: str
    make: Callable[[BackendContext], GenerationBackend]
    fake: Callable[[], FakeServer]
    key: str | None
    """The fake's key; None for a provider that takes none."""
    model: str
    duration_us: int
    """A length the model makes (build_request fits every shot to one before an adapter sees it)."""
    create: tuple[str, str]
    """The create request: method and path pattern."""
    poll: str
    """The path of the first read a poll makes (GET)."""
    cancel: tuple[str, str]
    """The request that stops a job."""
    gone_id: str
    """A provider job id the provider does not know (deleted, expired, never made)."""
    finds_lost_creates: bool
    """Whether find() can tell its job among the provider's (else a lost create leaves the job uncertain)."""
    retired_answer: tuple[int, Any] | None
    """The provider's answer to a create on a model it no longer serves (status, JSON body); None: none retire."""
    unknown_state: dict[str, Any] | None
    """A status answer naming a state no adapter knows; None where the provider has no state names."""
    paid: bool = True
    stops_jobs: bool = True
    """Whether the provider can stop a job once sent (else a cancel says it goes on there, and is billed)."""
    base: str = "url"
    """The fake's attribute holding the address the adapter is pointed at."""

    def __str__(self) -> str:
        return self.id


ADAPTERS = [
    Adapter(
        id="runway",
        make=runway.RunwayBackend,
        fake=fake_runway.FakeRunway,
        key=fake_runway.KEY,
        model="gen4.5",
        duration_us=5_000_000,
        create=("POST", r"/v1/(text_to_video|image_to_video)"),
        poll=r"/v1/tasks/[^/]+",
        cancel=("DELETE", r"/v1/tasks/[^/]+"),
        gone_id="00000000-0000-0000-0000-000000000000",
        finds_lost_creates=False,
        retired_answer=(
            400,
            {
                "error": "Validation of body failed",
                "issues": [{"path": ["model"], "message": "Invalid discriminator value"}],
            },
        ),
        unknown_state={"id": "task", "status": UNKNOWN},
    ),
    Adapter(
        id="fal",
        make=fal.FalBackend,
        fake=fake_fal.FakeFal,
        key=fake_fal.KEY,
        model="kling-2.1-master",
        duration_us=5_000_000,
        create=("POST", r"/fal-ai/.*"),
        poll=r"/fal-ai/[^/]+/requests/[^/]+/status",
        cancel=("PUT", r"/fal-ai/[^/]+/requests/[^/]+/cancel"),
        gone_id="fal-ai/kling-video|00000000-0000-0000-0000-000000000000",
        finds_lost_creates=False,
        retired_answer=(404, {"detail": "Application 'kling-video' not found"}),
        unknown_state={"status": UNKNOWN},
    ),
    Adapter(
        id="google",
        make=google.GoogleBackend,
        fake=fake_google.FakeGoogle,
        key=fake_google.KEY,
        model="gemini-omni-1.2-flash",
        duration_us=5_000_000,
        create=("POST", r"/v1/interactions"),
        poll=r"/v1/interactions/[A-Za-z0-9_-]+",
        cancel=("POST", r"/v1/interactions/[A-Za-z0-9_-]+/cancel"),
        gone_id="interaction-nobody-made",
        finds_lost_creates=False,
        retired_answer=(
            404,
            {"error": {"code": "not_found", "message": "models/gemini-omni-1.2-flash is no longer available."}},
        ),
        unknown_state={"id": "interaction", "status": UNKNOWN.lower()},
    ),
    Adapter(
        id="luma",
        make=luma.LumaBackend,
        fake=fake_luma.FakeLuma,
        key=fake_luma.KEY,
        model="ray-2",
        duration_us=5_000_000,
        create=("POST", r"/generations/video"),
        poll=r"/generations/[^/]+",
        cancel=("DELETE", r"/generations/[^/]+"),
        gone_id="00000000-0000-0000-0000-000000000000",
        finds_lost_creates=True,
        retired_answer=(400, {"detail": "The model ray-2 is no longer available"}),
        unknown_state={"id": "generation", "state": UNKNOWN.lower()},
    ),
    Adapter(
        id="luma_agents",
        make=luma_agents.LumaAgentsBackend,
        fake=fake_luma_agents.FakeLumaAgents,
        key=fake_luma_agents.KEY,
        model="ray-3.2",
        duration_us=5_000_000,
        create=("POST", r"/v1/generations"),
        poll=r"/v1/generations/[^/]+",
        cancel=("GET", r"/v1/generations/[^/]+"),  # no way to stop one: a cancel can only read how it stands
        gone_id="00000000-0000-0000-0000-000000000000",
        finds_lost_creates=False,
        retired_answer=(400, {"detail": "Invalid model 'ray-3.2': this model is no longer available"}),
        unknown_state={"id": "generation", "state": UNKNOWN.lower()},
        stops_jobs=False,
        base="api_url",
    ),
    Adapter(
        id="openai",
        make=openai.OpenAIBackend,
        fake=fake_openai.FakeOpenAI,
        key=fake_openai.KEY,
        model="sora-2",
        duration_us=4_000_000,
        create=("POST", r"/v1/videos"),
        poll=r"/v1/videos/[^/]+",
        cancel=("DELETE", r"/v1/videos/[^/]+"),
        gone_id="video_nobody_made",
        finds_lost_creates=True,
        retired_answer=(
            400,
            {
                "error": {
                    "message": "The model `sora-2` does not exist or you do not have access to it.",
                    "type": "invalid_request_error",
                    "param": "model",
                    "code": "model_not_found",
                }
            },
        ),
        unknown_state={"id": "video", "object": "video", "status": UNKNOWN.lower()},
        base="api_url",
    ),
    Adapter(
        id="replicate",
        make=replicate.ReplicateBackend,
        fake=fake_replicate.FakeReplicate,
        key=fake_replicate.KEY,
        model="kwaivgi/kling-v2.0",
        duration_us=5_000_000,
        create=("POST", r"/v1/models/[^/]+/[^/]+/predictions"),
        poll=r"/v1/predictions/\w+",
        cancel=("POST", r"/v1/predictions/[^/]+/cancel"),
        gone_id="nobodymadethis0000",
        finds_lost_creates=True,
        retired_answer=(
            404,
            {"title": "Not found", "detail": "The requested resource could not be found.", "status": 404},
        ),
        unknown_state={"id": "prediction", "status": UNKNOWN.lower()},
    ),
    Adapter(
        id="comfyui",
        make=comfyui.ComfyUIBackend,
        fake=fake_comfyui.FakeComfyUI,
        key=None,
        model="workflow",
        duration_us=5_000_000,
        create=("POST", fake_comfyui.API + r"/prompt"),
        poll=fake_comfyui.API + r"/history/[^/]+",
        cancel=("POST", fake_comfyui.API + r"/(queue|interrupt)"),
        gone_id="nobody-made-this",
        finds_lost_creates=True,
        retired_answer=None,
        unknown_state=None,
        paid=False,
    ),
]


@pytest.fixture(params=ADAPTERS, ids=str)
def adapter(request: pytest.FixtureRequest) -> Adapter:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def fake(adapter: Adapter) -> Iterator[FakeServer]:
    with adapter.fake() as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_retries(monkeypatch)


def _backend(
    adapter: Adapter, tmp_path: Path, fake: FakeServer, *, key: str | None = "", catalogue: Catalogue | None = None
) -> GenerationBackend:
    chosen = adapter.key if key == "" else key
    ctx = provider_context(tmp_path, adapter.id, getattr(fake, adapter.base), key=chosen)
    return adapter.make(replace(ctx, catalogue=catalogue))


def _request(adapter: Adapter, **changes: Any) -> GenerationRequest:
    return cloud_request(adapter.id, adapter.model, duration_us=adapter.duration_us, **changes)


def _creates(adapter: Adapter, fake: FakeServer) -> int:
    return fake.count(*adapter.create)


def _fails(
    adapter: Adapter, tmp_path: Path, fake: FakeServer, request: GenerationRequest, error: type[Exception], **kw: Any
) -> tuple[Exception, Any]:
    """Run a job that must end in `error`; the error and the job's journal row."""
    project = tmp_path / "project"
    journal = journal_for(project)
    record = add_job(journal, request)
    backend = _backend(adapter, tmp_path, fake, **kw)

    async def scenario() -> None:
        try:
            await drive(backend, record, journal, project)
        finally:
            await backend.aclose()

    with pytest.raises(error) as raised:
        asyncio.run(scenario())
    return raised.value, journal.get(request.job_id)


def _made(adapter: Adapter, tmp_path: Path, fake: FakeServer, request: GenerationRequest) -> Any:
    outcome, journal = generate(_backend(adapter, tmp_path, fake), request, tmp_path / "project")
    assert outcome.take.info.has_video and outcome.take.info.duration_us > 0
    assert journal.get(request.job_id).phase is JobPhase.DOWNLOADED
    return journal.get(request.job_id)


# ---------------------------------------------------------------------------------------------- success


def test_a_shot_becomes_a_probed_take_from_one_create(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    row = _made(adapter, tmp_path, fake, _request(adapter))
    assert _creates(adapter, fake) == 1
    assert row.provider_job_id and row.sent_at, "the journal knows the job and when its create went out"


# ---------------------------------------------------------------------------------------------- faults


def test_a_safety_stop_is_blocked(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    error, row = _fails(adapter, tmp_path, fake, _request(adapter, prompt="BLOCKME a harbour"), ContentBlocked)
    assert row.phase is JobPhase.BLOCKED and "safety filter" in str(error)
    assert _creates(adapter, fake) == 1


def test_a_failure_is_failed_not_blocked(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    error, row = _fails(adapter, tmp_path, fake, _request(adapter, prompt="FAILME a harbour"), JobFailed)
    assert not isinstance(error, ContentBlocked)
    assert row.phase is JobPhase.FAILED and row.message == str(error)


def test_a_wrong_key_is_auth_failed_and_never_quoted(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    if adapter.key is None:
        pytest.skip(f"{adapter} takes no key")
    wrong = "sk-not-the-key-0123456789abcdef"
    error, row = _fails(adapter, tmp_path, fake, _request(adapter), AuthFailed, key=wrong)
    assert row.phase is JobPhase.FAILED
    assert wrong not in str(error) and wrong not in row.message
    assert _creates(adapter, fake) <= 1


def test_a_missing_key_sends_nothing(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    if adapter.key is None:
        pytest.skip(f"{adapter} takes no key")
    error, row = _fails(adapter, tmp_path, fake, _request(adapter), AuthFailed, key=None)
    assert "No API key" in str(error) and row.phase is JobPhase.FAILED
    assert fake.calls == []


def test_a_rate_limited_create_is_tried_as_the_plan_says_then_refused(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    fake.inject(*adapter.create, status=429, retry_after=0.01, times=CREATES.attempts)
    _error, row = _fails(adapter, tmp_path, fake, _request(adapter), QuotaExceeded)
    assert row.phase is JobPhase.FAILED
    assert _creates(adapter, fake) == CREATES.attempts  # a 429 created nothing: asking again is safe


def test_a_create_whose_answer_was_lost_is_found_or_left_uncertain_never_sent_again(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    fake.inject(*adapter.create, kind="drop", after_handler=True)
    request = _request(adapter)
    if adapter.finds_lost_creates:
        _made(adapter, tmp_path, fake, request)
    else:
        _error, row = _fails(adapter, tmp_path, fake, request, AmbiguousSubmit)
        assert row.phase is JobPhase.UNCERTAIN
    assert _creates(adapter, fake) == 1


def test_a_create_answered_5xx_is_never_sent_again_when_it_may_be_billed(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    fake.inject(*adapter.create, status=500)
    request = _request(adapter)
    if adapter.paid:
        _error, row = _fails(adapter, tmp_path, fake, request, AmbiguousSubmit)
        assert row.phase is JobPhase.UNCERTAIN
        assert _creates(adapter, fake) == 1
    else:  # a local server bills nobody: one fresh create is safe
        _made(adapter, tmp_path, fake, request)
        assert _creates(adapter, fake) == 2


def test_polls_are_retried_by_the_http_layer_alone(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    fake.inject("GET", adapter.poll, status=503, times=READS.attempts - 1)
    _made(adapter, tmp_path, fake, _request(adapter))


def test_an_unreachable_provider_ends_the_run_after_one_plan_of_tries_and_the_job_stays_resumable(
    adapter: Adapter, tmp_path: Path, fake: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no outage allowance: the run ends at the first poll the HTTP layer gave up on, so what is counted is its
    # tries alone (5 reads × 8 poll failures were stacked before)
    monkeypatch.setattr(generation, "UNREACHABLE_FOR_S", 0.0)
    fake.inject("GET", adapter.poll, status=503, times=100)
    _error, row = _fails(adapter, tmp_path, fake, _request(adapter), TransientError)
    assert fake.count("GET", adapter.poll) == READS.attempts
    assert row.phase is JobPhase.SUBMITTED and "check on the job again" in row.message


def test_a_state_nobody_knows_is_followed_on(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    if adapter.unknown_state is None:
        pytest.skip(f"{adapter} names no job states")
    fake.inject("GET", adapter.poll, status=200, body=adapter.unknown_state)
    _made(adapter, tmp_path, fake, _request(adapter))
    assert _creates(adapter, fake) == 1


def test_a_status_that_cannot_be_read_is_asked_again(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    if adapter.unknown_state is None:
        pytest.skip(f"{adapter} names no job states")
    fake.inject("GET", adapter.poll, status=200, body=["not", "a", "job", "status"])
    _made(adapter, tmp_path, fake, _request(adapter))
    assert _creates(adapter, fake) == 1


# ---------------------------------------------------------------------------------------------- cancel


def test_cancel_stops_the_job_at_the_provider(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    project = tmp_path / "project"
    journal = journal_for(project)
    request = _request(adapter)
    record = add_job(journal, request)
    backend = _backend(adapter, tmp_path, fake)

    async def scenario() -> None:
        try:
            submitted = await submit_job(record, backend=backend, journal=journal)
            await cancel_generation(request.job_id, backend=backend, journal=journal)
            with pytest.raises(JobFailed):
                await drive(backend, submitted, journal, project)
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    row = journal.get(request.job_id)
    if adapter.stops_jobs:
        assert row.phase is JobPhase.CANCELLED and row.message == "Cancelled."
    else:  # never a quiet "Cancelled." for a job the provider goes on making, and billing
        assert row.phase is JobPhase.CANCELLED and "cannot stop" in row.message and "bills it" in row.message
    assert fake.count(*adapter.cancel) >= 1
    assert not (project / "media").exists() or not any((project / "media").iterdir())


def test_cancel_of_a_job_the_provider_no_longer_has_is_done(adapter: Adapter, tmp_path: Path, fake: FakeServer) -> None:
    journal = journal_for(tmp_path / "project")
    request = _request(adapter)
    add_job(journal, request)
    journal.update(request.job_id, phase=JobPhase.SUBMITTED, provider_job_id=adapter.gone_id)
    backend = _backend(adapter, tmp_path, fake)

    async def scenario() -> None:
        try:
            await cancel_generation(request.job_id, backend=backend, journal=journal)
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    # gone is what the creator asked for: no "the provider did not confirm"
    row = journal.get(request.job_id)
    assert row.phase is JobPhase.CANCELLED and row.message == "Cancelled."


# ---------------------------------------------------------------------------------------------- restart


def test_a_job_resumes_after_a_restart_with_a_new_backend_and_no_second_create(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    project = tmp_path / "project"
    journal = journal_for(project)
    request = _request(adapter)
    record = add_job(journal, request)

    async def before() -> None:
        backend = _backend(adapter, tmp_path, fake)
        try:
            await submit_job(record, backend=backend, journal=journal)
        finally:
            await backend.aclose()

    asyncio.run(before())
    reopened = journal_for(project)  # the app restarted: a new journal connection and a new backend object
    later = _backend(adapter, tmp_path, fake)

    async def after() -> Any:
        try:
            return await drive(later, reopened.get(request.job_id), reopened, project, resumed=True)
        finally:
            await later.aclose()

    outcome = asyncio.run(after())
    assert outcome.take.info.has_video
    assert reopened.get(request.job_id).phase is JobPhase.DOWNLOADED
    assert _creates(adapter, fake) == 1


def test_a_crash_mid_create_is_reconciled_from_the_journal_after_a_restart(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    project = tmp_path / "project"
    journal = journal_for(project)
    request = _request(adapter)
    record = add_job(journal, request)
    # what the job code writes before sending; then the provider took the create and Shotline died unanswered
    journal.update(record.id, phase=JobPhase.SENDING, sent_at=datetime.now(UTC).isoformat())

    async def crashed() -> str:
        backend = _backend(adapter, tmp_path, fake)
        try:
            return await backend.submit(request)
        finally:
            await backend.aclose()

    provider_id = asyncio.run(crashed())
    later = _backend(adapter, tmp_path, fake)

    async def after() -> Any:
        try:
            return await drive(later, journal.get(record.id), journal, project, resumed=True)
        finally:
            await later.aclose()

    if adapter.finds_lost_creates:
        asyncio.run(after())
        assert journal.get(record.id).provider_job_id == provider_id
        assert journal.get(record.id).phase is JobPhase.DOWNLOADED
    else:
        with pytest.raises(AmbiguousSubmit):
            asyncio.run(after())
        assert journal.get(record.id).phase is JobPhase.UNCERTAIN
    assert _creates(adapter, fake) == 1


# ---------------------------------------------------------------------------------------------- key check


def test_the_key_check_starts_nothing_and_a_wrong_key_is_auth_failed(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    async def check(key: str | None = "") -> str:
        backend = _backend(adapter, tmp_path, fake, key=key)
        assert isinstance(backend, KeyCheck)
        try:
            return await backend.check_key()
        finally:
            await backend.aclose()

    said = asyncio.run(check())
    assert said and ("accepted" in said.lower() or "needs no key" in said)
    if adapter.key is not None:
        wrong = "sk-not-the-key-0123456789abcdef"
        with pytest.raises(AuthFailed) as refused:
            asyncio.run(check(wrong))
        assert wrong not in str(refused.value)
    assert _creates(adapter, fake) == 0


# ---------------------------------------------------------------------------------------------- retired models


def test_a_model_the_provider_no_longer_serves_is_retired_with_the_catalogues_replacement(
    adapter: Adapter, tmp_path: Path, fake: FakeServer
) -> None:
    if adapter.retired_answer is None:
        pytest.skip(f"{adapter} runs the creator's own models")
    # the catalogue the app runs with (the creator's entries over the shipped ones) names what replaces the model
    shipped_models = shipped().models(adapter.id)
    # (a backend of one model names one the creator's catalogue would add: Luma Agents serves Ray 3.2 alone)
    successor = next(
        (m.id for m in shipped_models.infos() if m.id != adapter.model and not m.retired), f"{adapter.model}-next"
    )
    entries = tuple(
        replace(entry, info=replace(entry.info, replacement=successor)) if entry.info.id == adapter.model else entry
        for entry in shipped_models.models
    )
    catalogue = Catalogue({adapter.id: replace(shipped_models, models=entries)})
    status, body = adapter.retired_answer
    fake.inject(*adapter.create, status=status, body=body)

    error, row = _fails(adapter, tmp_path, fake, _request(adapter), ModelRetired, catalogue=catalogue)

    assert isinstance(error, ModelRetired) and error.replacement == successor
    assert successor in str(error) and row.phase is JobPhase.FAILED
    assert _creates(adapter, fake) == 1
