"""The generation job: journaled phases, one create only, reconcile after an ambiguous submit, resume, cancel."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.backends.animatic import AnimaticBackend
from shotline.core.edits import derived_id
from shotline.core.errors import AmbiguousSubmit, AuthFailed, ContentBlocked, JobFailed, LinkExpired, TransientError
from shotline.core.model import Origin, Size
from shotline.core.ports import (
    BackendInfo,
    BackendKind,
    GenerationRequest,
    JobPhase,
    JobRecord,
    JobState,
    JobStatus,
    ModelInfo,
    ProgressSink,
    SentCreate,
)
from shotline.jobs import generation
from shotline.jobs.generation import (
    UNCERTAIN_MESSAGE,
    GenerationOutcome,
    cancel_generation,
    run_generation,
    submit_job,
)
from shotline.jobs.runner import AsyncRunner
from shotline.media.probe import probe
from tests.backends.kit import MemoryJournal, context, record_for, request
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg

POLL = 0.01
CLOUD_INFO = BackendInfo(
    id="cloudy",
    name="Cloudy (test provider)",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="v1", label="V1", price_per_second=Decimal("0.10")),),
    key_env_vars=("CLOUDY_API_KEY",),
)


@dataclass
class CloudBackend:
    """An in-memory stand-in for a paid cloud provider; it serves a real clip made with ffmpeg."""

    clip: Path
    submit_error: Exception | None = None
    known: dict[str, str] = field(default_factory=dict)
    """job_id → provider id of jobs the provider really has."""
    lists_jobs: bool = True
    """Whether `find` can see them (some providers have no list endpoint)."""
    polls: list[JobStatus | Exception] = field(default_factory=list)
    """Scripted poll answers, used in order; the last one repeats."""
    payload: bytes | None = None
    submits: list[GenerationRequest] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)
    polled: int = 0
    sent: list[SentCreate | None] = field(default_factory=list)
    """What each find() was told of the create, from the journal."""
    link_expiries: int = 0
    """How many downloads answer with an expired link before one works."""
    download_failure: Exception | None = None
    """What every download raises after the HTTP layer's own tries (policy.DOWNLOADS) were used up."""
    downloads: int = 0

    @property
    def info(self) -> BackendInfo:
        return CLOUD_INFO

    async def submit(self, request: GenerationRequest) -> str:
        self.submits.append(request)
        provider_id = f"cloud-{len(self.submits)}"
        self.known[request.job_id] = provider_id
        if self.submit_error is not None:
            raise self.submit_error
        return provider_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        answer = self.polls[min(self.polled, len(self.polls) - 1)]
        self.polled += 1
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        self.downloads += 1
        if self.downloads <= self.link_expiries:
            raise LinkExpired("the link to the clip has expired (HTTP 403)")
        if self.download_failure is not None:
            raise self.download_failure
        data = self.payload if self.payload is not None else self.clip.read_bytes()
        dest.write_bytes(data)
        progress(1.0)

    async def cancel(self, provider_job_id: str) -> None:
        self.cancels.append(provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        self.sent.append(sent)
        return self.known.get(request.job_id) if self.lists_jobs else None

    async def aclose(self) -> None:
        return None


DONE = JobStatus(
    JobState.SUCCEEDED, progress=1.0, outputs=("https://cdn.example/v/out.mp4",), billed_cost=Decimal("0.4")
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "cloud.mp4", seconds=1.0, size=(320, 240), audio=(48000, 2))


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()


def _cloud_record(journal: MemoryJournal, **changes: object) -> JobRecord:
    req = request(backend="cloudy", model="v1")
    record = record_for(req, estimated_cost=Decimal("0.1"), **changes)  # type: ignore[arg-type]
    journal.add(record)
    return record


def _run(
    record: JobRecord,
    backend: object,
    journal: MemoryJournal,
    project: Path,
    progress: ProgressSink | None = None,
    resumed: bool = False,
) -> GenerationOutcome:
    return asyncio.run(
        run_generation(
            record,
            backend=backend,  # type: ignore[arg-type]
            journal=journal,
            probe=probe,
            project_dir=project,
            poll_seconds=POLL,
            progress=progress,
            resumed=resumed,
        )
    )


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# ---------------------------------------------------------------------------------------------- animatic, end to end


def test_animatic_job_goes_from_submit_to_a_probed_take(tmp_path: Path, journal: MemoryJournal) -> None:
    project = tmp_path / "Film.shotline"
    req = request(duration_us=2_000_000, size=Size(320, 180))
    record = record_for(req)
    journal.add(record)
    progress: list[float] = []

    async def scenario() -> GenerationOutcome:
        backend = AnimaticBackend(context(tmp_path / "animatic"))
        try:
            return await run_generation(
                record,
                backend=backend,
                journal=journal,
                probe=probe,
                project_dir=project,
                poll_seconds=POLL,
                progress=progress.append,
            )
        finally:
            await backend.aclose()

    outcome = asyncio.run(scenario())

    assert journal.phases[record.id] == [
        JobPhase.SUBMITTING,
        JobPhase.SENDING,
        JobPhase.SUBMITTED,
        JobPhase.DOWNLOADING,
        JobPhase.DOWNLOADED,
    ]
    row = journal.get(record.id)
    assert row.media_path == f"media/{record.id}.mp4" and row.provider_job_id
    take = outcome.take
    assert take.id == derived_id("job", record.id)
    assert take.media == row.media_path and take.origin is Origin.GENERATED
    info = probe(project / take.media)
    assert info.size == Size(320, 180)
    assert abs(info.duration_us - 2_000_000) <= 1_000_000 / 24
    assert take.info == info and take.trim.in_us == 0 and take.trim.out_us == info.duration_us
    assert take.generation is not None and take.generation.provider_job_id == row.provider_job_id
    assert take.generation.request == req.to_json()
    assert outcome.shot_id == req.shot_id
    assert progress[-1] == 1.0 and progress == sorted(progress)
    assert _files(project / ".partial") == []

    # a DOWNLOADED row only re-probes its file: an empty backend folder proves nothing is fetched again
    again = _run(row, AnimaticBackend(context(tmp_path / "empty")), journal, project, resumed=True)
    assert again.take == take


def test_a_job_submitted_before_a_crash_is_finished_by_a_new_backend(tmp_path: Path, journal: MemoryJournal) -> None:
    work = tmp_path / "animatic"
    project = tmp_path / "Film.shotline"
    req = request(duration_us=8_000_000, size=Size(640, 360))
    journal.add(record_for(req))

    async def before_crash() -> None:
        backend = AnimaticBackend(context(work))
        provider_id = await backend.submit(req)
        journal.update(req.job_id, phase=JobPhase.SUBMITTED, provider_job_id=provider_id)
        await asyncio.sleep(0.2)
        await backend.aclose()  # the app goes away mid-render

    asyncio.run(before_crash())
    assert not list(work.glob("*.mp4"))

    async def after_restart() -> GenerationOutcome:
        backend = AnimaticBackend(context(work))
        try:
            return await run_generation(
                journal.get(req.job_id),
                backend=backend,
                journal=journal,
                probe=probe,
                project_dir=project,
                poll_seconds=POLL,
                resumed=True,
            )
        finally:
            await backend.aclose()

    outcome = asyncio.run(after_restart())
    assert journal.get(req.job_id).phase is JobPhase.DOWNLOADED
    assert abs(probe(project / outcome.take.media).duration_us - 8_000_000) <= 1_000_000 / 24


def test_a_resumed_submitting_row_is_reconciled_not_resubmitted(tmp_path: Path, journal: MemoryJournal) -> None:
    work = tmp_path / "animatic"
    req = request()
    journal.add(record_for(req))

    async def crashed_mid_create() -> str:
        backend = AnimaticBackend(context(work))
        provider_id = await backend.submit(req)  # accepted, but the journal never heard of it
        await backend.aclose()
        return provider_id

    provider_id = asyncio.run(crashed_mid_create())

    async def resume() -> GenerationOutcome:
        backend = AnimaticBackend(context(work))
        try:
            return await run_generation(
                journal.get(req.job_id),
                backend=backend,
                journal=journal,
                probe=probe,
                project_dir=tmp_path / "project",
                poll_seconds=POLL,
                resumed=True,
            )
        finally:
            await backend.aclose()

    outcome = asyncio.run(resume())
    assert outcome.take.generation is not None and outcome.take.generation.provider_job_id == provider_id
    assert [p.stem for p in work.glob("*.json")] == [provider_id]


def test_cancelling_through_the_runner_cancels_the_animatic_render(tmp_path: Path, journal: MemoryJournal) -> None:
    """The creator's cancel: journal and provider first, then the task."""
    work = tmp_path / "animatic"
    req = request(duration_us=30_000_000, size=Size(1280, 720))
    journal.add(record_for(req))

    backend = AnimaticBackend(context(work))

    async def job() -> GenerationOutcome:
        try:
            return await run_generation(
                journal.get(req.job_id),
                backend=backend,
                journal=journal,
                probe=probe,
                project_dir=tmp_path / "project",
                poll_seconds=POLL,
            )
        finally:
            await backend.aclose()

    with AsyncRunner() as runner:
        handle = runner.submit(job())
        for _ in range(200):
            if journal.get(req.job_id).phase is JobPhase.SUBMITTED:
                break
            time.sleep(0.01)
        runner.run(cancel_generation(req.job_id, backend=backend, journal=journal))
        handle.cancel()
        # every task ends before the runner closes its loop: a render still pending then (on a busy machine, past
        # the shutdown's grace) is destroyed with its ffmpeg's pipes open, which a later test reports as unraisable
        runner.run(_all_other_tasks_ended(), timeout=60)

    assert journal.phases[req.job_id] == [JobPhase.SUBMITTING, JobPhase.SENDING, JobPhase.SUBMITTED, JobPhase.CANCELLED]
    assert _files(work) == []


async def _all_other_tasks_ended() -> None:
    current = asyncio.current_task()
    await asyncio.gather(*(task for task in asyncio.all_tasks() if task is not current), return_exceptions=True)


# ---------------------------------------------------------------------------------------------- a paid cloud provider


def test_ambiguous_submit_that_the_provider_cannot_find_is_uncertain(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    backend = CloudBackend(clip, submit_error=AmbiguousSubmit("read timed out after sending"), lists_jobs=False)
    record = _cloud_record(journal)

    with pytest.raises(AmbiguousSubmit, match="check your provider dashboard"):
        _run(record, backend, journal, tmp_path)

    assert len(backend.submits) == 1, "a paid create must never be sent twice"
    row = journal.get(record.id)
    assert row.phase is JobPhase.UNCERTAIN and row.message == UNCERTAIN_MESSAGE
    assert backend.polled == 0


def test_ambiguous_submit_found_at_the_provider_carries_on(tmp_path: Path, journal: MemoryJournal, clip: Path) -> None:
    backend = CloudBackend(
        clip,
        submit_error=AmbiguousSubmit("connection reset"),
        polls=[JobStatus(JobState.QUEUED, queue_position=3), JobStatus(JobState.RUNNING, progress=0.5), DONE],
    )
    record = _cloud_record(journal)

    outcome = _run(record, backend, journal, tmp_path)

    assert len(backend.submits) == 1
    row = journal.get(record.id)
    assert row.provider_job_id == "cloud-1" and row.phase is JobPhase.DOWNLOADED
    assert row.billed_cost == Decimal("0.4")
    assert outcome.take.generation is not None
    assert outcome.take.generation.billed_cost == Decimal("0.4")
    assert outcome.take.generation.estimated_cost == Decimal("0.1")
    assert probe(tmp_path / outcome.take.media).size == Size(320, 240)


def test_a_resumed_cloud_create_that_cannot_be_found_is_not_sent_again(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    backend = CloudBackend(clip, polls=[DONE])
    record = _cloud_record(journal)

    with pytest.raises(AmbiguousSubmit):
        _run(record, backend, journal, tmp_path, resumed=True)

    assert backend.submits == []
    assert journal.get(record.id).phase is JobPhase.UNCERTAIN


def test_a_row_that_crashed_mid_create_is_detected_without_being_told(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    backend = CloudBackend(clip, polls=[DONE], lists_jobs=False)
    record = _cloud_record(journal, phase=JobPhase.SENDING)

    with pytest.raises(AmbiguousSubmit):
        _run(record, backend, journal, tmp_path)

    assert backend.submits == []
    assert journal.get(record.id).phase is JobPhase.UNCERTAIN


def test_submit_job_only_submits_and_run_generation_collects_later(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    backend = CloudBackend(clip, polls=[DONE])
    record = _cloud_record(journal)

    submitted = asyncio.run(submit_job(record, backend=backend, journal=journal))

    assert submitted.phase is JobPhase.SUBMITTED and submitted.provider_job_id == "cloud-1"
    assert backend.polled == 0 and journal.get(record.id) == submitted
    again = asyncio.run(submit_job(submitted, backend=backend, journal=journal))
    assert again == submitted and len(backend.submits) == 1

    _run(submitted, backend, journal, tmp_path, resumed=True)
    assert len(backend.submits) == 1
    assert journal.phases[record.id] == [
        JobPhase.SUBMITTING,
        JobPhase.SENDING,
        JobPhase.SUBMITTED,
        JobPhase.DOWNLOADING,
        JobPhase.DOWNLOADED,
    ]


def test_a_refused_submit_is_journaled_as_failed(tmp_path: Path, journal: MemoryJournal, clip: Path) -> None:
    backend = CloudBackend(clip, submit_error=AuthFailed("The key for Cloudy was refused; add a new key."))
    record = _cloud_record(journal)

    with pytest.raises(AuthFailed):
        asyncio.run(submit_job(record, backend=backend, journal=journal))

    row = journal.get(record.id)
    assert row.phase is JobPhase.FAILED and "key" in row.message
    assert len(backend.submits) == 1


def _poll_then_stop(
    tmp_path: Path, journal: MemoryJournal, backend: CloudBackend, record: JobRecord, *, by_creator: bool
) -> None:
    async def scenario() -> None:
        task = asyncio.create_task(
            run_generation(
                record, backend=backend, journal=journal, probe=probe, project_dir=tmp_path, poll_seconds=POLL
            )
        )
        while backend.polled < 3:
            await asyncio.sleep(POLL)
        if by_creator:
            await cancel_generation(record.id, backend=backend, journal=journal)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(scenario())


def test_cancel_while_polling_cancels_at_the_provider(tmp_path: Path, journal: MemoryJournal, clip: Path) -> None:
    backend = CloudBackend(clip, polls=[JobStatus(JobState.RUNNING, progress=0.1)])
    record = _cloud_record(journal)
    _poll_then_stop(tmp_path, journal, backend, record, by_creator=True)
    assert backend.cancels == ["cloud-1"]
    assert journal.phases[record.id] == [JobPhase.SUBMITTING, JobPhase.SENDING, JobPhase.SUBMITTED, JobPhase.CANCELLED]
    assert journal.unfinished() == []


def test_stopping_the_app_leaves_a_paid_job_to_resume(tmp_path: Path, journal: MemoryJournal, clip: Path) -> None:
    backend = CloudBackend(clip, polls=[JobStatus(JobState.RUNNING, progress=0.1)])
    record = _cloud_record(journal)
    _poll_then_stop(tmp_path, journal, backend, record, by_creator=False)
    assert backend.cancels == []
    assert journal.get(record.id).phase is JobPhase.SUBMITTED
    assert [r.id for r in journal.unfinished()] == [record.id]


@pytest.mark.parametrize(
    ("final", "error", "phase"),
    [
        (JobStatus(JobState.FAILED, message="GPU fell over"), JobFailed, JobPhase.FAILED),
        (JobStatus(JobState.BLOCKED, message="policy"), ContentBlocked, JobPhase.BLOCKED),
        (JobStatus(JobState.CANCELLED), JobFailed, JobPhase.CANCELLED),
    ],
)
def test_final_provider_states_become_journal_phases(
    tmp_path: Path,
    journal: MemoryJournal,
    clip: Path,
    final: JobStatus,
    error: type[Exception],
    phase: JobPhase,
) -> None:
    backend = CloudBackend(clip, polls=[JobStatus(JobState.RUNNING), final])
    record = _cloud_record(journal)

    with pytest.raises(error) as raised:
        _run(record, backend, journal, tmp_path)

    row = journal.get(record.id)
    assert row.phase is phase
    assert row.message == str(raised.value)
    assert _files(tmp_path / "media") == []


def test_transient_poll_errors_are_retried(tmp_path: Path, journal: MemoryJournal, clip: Path) -> None:
    hiccup = TransientError("502 from the provider")
    backend = CloudBackend(clip, polls=[hiccup, hiccup, JobStatus(JobState.RUNNING), DONE])
    record = _cloud_record(journal)

    _run(record, backend, journal, tmp_path)

    assert journal.get(record.id).phase is JobPhase.DOWNLOADED
    assert backend.polled == 4


def test_endless_transient_errors_stop_the_run_but_keep_the_job_resumable(
    tmp_path: Path, journal: MemoryJournal, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each poll was already tried again by the HTTP layer (policy.READS): once the outage outlasts the follow, the
    # run ends after that one poll, where it used to poll 8 more times on top
    monkeypatch.setattr(generation, "UNREACHABLE_FOR_S", 0.0)
    backend = CloudBackend(clip, polls=[TransientError("503")])
    record = _cloud_record(journal, phase=JobPhase.SUBMITTED, provider_job_id="p-1")

    with pytest.raises(TransientError, match="could not be reached"):
        asyncio.run(
            run_generation(
                record, backend=backend, journal=journal, probe=probe, project_dir=tmp_path, poll_seconds=0.0005
            )
        )
    # the provider may still finish (and bill) the job: the next resume picks it up
    assert journal.get(record.id).phase is JobPhase.SUBMITTED
    assert "check on the job again" in journal.get(record.id).message
    assert backend.polled == 1


def test_a_download_that_does_not_play_fails_and_leaves_nothing(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    backend = CloudBackend(clip, polls=[DONE], payload=b"<html>Access denied</html>")
    record = _cloud_record(journal)

    with pytest.raises(JobFailed, match="not playable"):
        _run(record, backend, journal, tmp_path)

    assert journal.get(record.id).phase is JobPhase.FAILED
    assert _files(tmp_path / "media") == [] and _files(tmp_path / ".partial") == []


def test_an_expired_link_is_refreshed_once_and_a_second_expiry_keeps_the_job_resumable(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    once = CloudBackend(clip, polls=[DONE], link_expiries=1)
    record = _cloud_record(journal, phase=JobPhase.SUBMITTED, provider_job_id="p-1")
    _run(record, once, journal, tmp_path)
    assert journal.get(record.id).phase is JobPhase.DOWNLOADED
    assert once.downloads == 2 and once.polled == 2  # one poll to finish, one for the fresh link

    twice = CloudBackend(clip, polls=[DONE], link_expiries=5)
    other = _cloud_record(journal, phase=JobPhase.SUBMITTED, provider_job_id="p-2")
    with pytest.raises(LinkExpired):
        _run(other, twice, journal, tmp_path)
    # the download is not repeated here beyond one fresh link: the HTTP layer already retried each try
    assert twice.downloads == 2
    assert journal.get(other.id).phase is JobPhase.DOWNLOADING


def test_find_is_told_from_the_journal_when_the_create_went_out_and_what_other_jobs_own(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    owned = _cloud_record(journal, phase=JobPhase.SUBMITTED, provider_job_id="theirs-1")
    still_out = _cloud_record(journal, phase=JobPhase.SENDING)
    backend = CloudBackend(clip, polls=[DONE], submit_error=AmbiguousSubmit("read timed out after sending"))
    record = _cloud_record(journal)
    before = time.time()

    _run(record, backend, journal, tmp_path)

    (sent,) = backend.sent
    assert sent is not None
    assert before - 1 <= sent.sent_at <= time.time()
    assert journal.get(record.id).sent_at, "the sending time is in the journal, for a find() after a restart"
    assert sent.claimed == frozenset({"theirs-1"}) and owned.id != record.id
    assert [r.job_id for r in sent.sending] == [still_out.id]


def test_find_after_a_restart_is_told_the_same_from_the_journal(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    # a crash mid-create: the row says SENDING since a time; a new run (a new backend object) reconciles it
    record = _cloud_record(journal, phase=JobPhase.SENDING, sent_at="2026-11-01T10:00:00+00:00")
    backend = CloudBackend(clip, polls=[DONE], known={record.id: "p-9"})

    _run(record, backend, journal, tmp_path)

    (sent,) = backend.sent
    assert sent is not None and sent.sent_at == 1_793_527_200.0
    assert len(backend.submits) == 0 and journal.get(record.id).provider_job_id == "p-9"


def test_a_download_the_http_layer_gave_up_on_is_not_tried_again_here(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    failing = TransientError("Downloading from Cloudy failed 3 times (connection reset).")
    backend = CloudBackend(clip, polls=[DONE], download_failure=failing)
    record = _cloud_record(journal, phase=JobPhase.SUBMITTED, provider_job_id="p-1")

    with pytest.raises(TransientError, match="failed 3 times"):
        _run(record, backend, journal, tmp_path)

    assert backend.downloads == 1, "3 × 3 downloads were stacked here before"
    assert journal.get(record.id).phase is JobPhase.DOWNLOADING, "the next resume continues the partial file"


def test_a_plug_in_whose_find_takes_only_the_request_is_still_asked(
    tmp_path: Path, journal: MemoryJournal, clip: Path
) -> None:
    @dataclass
    class OlderPlugIn(CloudBackend):
        async def find(self, request: GenerationRequest) -> str | None:  # type: ignore[override]
            return self.known.get(request.job_id)

    backend = OlderPlugIn(clip, polls=[DONE], submit_error=AmbiguousSubmit("read timed out after sending"))
    record = _cloud_record(journal)

    _run(record, backend, journal, tmp_path)

    assert journal.get(record.id).phase is JobPhase.DOWNLOADED and len(backend.submits) == 1
