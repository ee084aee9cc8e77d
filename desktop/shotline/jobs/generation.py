"""The generation job: submit a shot to its backend, poll, download once, probe, and hand back the new take.

Every step is written to the job journal before the next one starts (reliability.md §2.5), so a job picks up where
it stopped after a crash: a SENDING row, whose create may have gone out, is reconciled with `find()` rather than
resubmitted, a SUBMITTED or DOWNLOADING row polls and downloads with its stored provider id, and a DOWNLOADED row
only re-probes its file.
A create request is never retried in a loop, and no request is repeated here: trying a request again is the
backend's HTTP layer's alone (backends.policy writes its plans and their worst cases down). What this code does
is follow a job at its poll cadence, through an outage of up to UNREACHABLE_FOR_S, and ask once for fresh links
when a clip's link expired. The coroutine never touches the Project: attaching the take is the caller's undoable
command. Landing the clip in the project folder (into `.partial/`, probed, moved into `media/`) is jobs.landing's.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from shotline.core.errors import (
    AmbiguousSubmit,
    BackendError,
    ContentBlocked,
    JobFailed,
    LinkExpired,
    MediaMissing,
    ShotlineError,
    TransientError,
)
from shotline.core.model import MediaInfo, Take
from shotline.core.ports import (
    BackendKind,
    GenerationBackend,
    GenerationRequest,
    JobJournal,
    JobPhase,
    JobRecord,
    JobState,
    JobStatus,
    MediaKind,
    MediaProbe,
    ProgressSink,
    SentCreate,
)
from shotline.core.timestamps import utc_seconds
from shotline.jobs.landing import Landing, clip_suffix, land_clip, landed_path, probe_clip, take_of

log = logging.getLogger(__name__)

T = TypeVar("T")

UNCERTAIN_MESSAGE = "The provider may have started this job; check your provider dashboard before generating again."
_BEFORE_PROVIDER_ID = frozenset({JobPhase.SUBMITTING, JobPhase.SENDING})
_PROVIDER_HAS_JOB = frozenset({JobPhase.SUBMITTED, JobPhase.DOWNLOADING})
GENERATION_SHARE = 0.9
"""Share of the progress bar for the provider's work; the download fills the rest."""
UNREACHABLE_FOR_S = 600.0
"""How long a job the provider has is followed while no poll gets an answer (each poll already tried as the HTTP
layer's READS plan says). Then the run ends and the job stays in the journal for the next resume. The longest a
run can take to give up is this plus one poll's worst case (backends.policy.READS: 9 minutes)."""
LINK_REFRESHES = 1
"""An expired clip link is replaced by asking the provider for the job again, once; a second expiry ends the run."""


@dataclass(frozen=True)
class GenerationOutcome:
    job_id: str
    shot_id: str
    take: Take
    """For a still, the picture's facts and where it is; it lands in media/, never on the shot (services.stills)."""

    @property
    def still(self) -> bool:
        made = self.take.generation
        return made is not None and made.request.get("kind") == MediaKind.IMAGE.value

    @property
    def spoken(self) -> bool:
        """A voice take: a line's sound, landed on the voice-over lane by services.voices, never on the shot."""
        made = self.take.generation
        return made is not None and made.request.get("kind") == MediaKind.SPEECH.value

    @property
    def scored(self) -> bool:
        """A music bed: placed on the music lane by services.music, never on the shot."""
        made = self.take.generation
        return made is not None and made.request.get("kind") == MediaKind.MUSIC.value


def _ignore(_value: float) -> None:
    return None


@dataclass
class _Job:
    """One run of a job: its fixed inputs and the journal row as last written."""

    record: JobRecord
    request: GenerationRequest
    backend: GenerationBackend
    journal: JobJournal
    progress: ProgressSink
    resumed: bool
    poll_seconds: float = 0.0

    def write(self, **changes: Any) -> JobRecord:
        if self.journal.get(self.record.id).phase is JobPhase.CANCELLED:
            # The creator cancelled while a request of this run was out, and the cancel stands: a progress note is
            # dropped (the task's own cancel follows), a step to another phase ends the run. Both run on the
            # runner's one loop, so nothing can come between this read and the write below.
            if "phase" in changes:
                raise JobFailed("The job was cancelled.")
            return self.record
        self.record = self.journal.update(self.record.id, **changes)
        return self.record


async def run_generation(
    job: JobRecord,
    *,
    backend: GenerationBackend,
    journal: JobJournal,
    probe: MediaProbe,
    project_dir: Path,
    poll_seconds: float,
    progress: ProgressSink | None = None,
    resumed: bool = False,
) -> GenerationOutcome:
    """Drive `job` (already in the journal) to a downloaded, probed take.

    A SUBMITTING row whose create may already have been sent (we crashed mid-create; the journal shows it, or
    `resumed` says so) is reconciled with `find()` instead of submitted again. Raises a BackendError (the journal
    says why) or CancelledError (after cancelling at the provider).
    """
    run = _Job(
        record=job,
        request=GenerationRequest.from_json(job.request),
        backend=backend,
        journal=journal,
        progress=progress or _ignore,
        resumed=resumed,
        poll_seconds=poll_seconds,
    )
    log.info("Generation job %s on %s starts in phase %s", job.id, job.backend, job.phase)
    return await _journaled(run, _drive(run, Landing(probe, project_dir)))


async def submit_job(
    job: JobRecord, *, backend: GenerationBackend, journal: JobJournal, resumed: bool = False
) -> JobRecord:
    """Only the submit step (for "generate now, collect later"): returns the row, SUBMITTED with its provider id.

    A row that is already past SUBMITTING is returned unchanged; `run_generation` later resumes it.
    """
    run = _Job(
        record=job,
        request=GenerationRequest.from_json(job.request),
        backend=backend,
        journal=journal,
        progress=_ignore,
        resumed=resumed,
    )
    if job.phase not in _BEFORE_PROVIDER_ID:
        return job

    async def submit_only() -> JobRecord:
        if run.record.provider_job_id:
            return run.write(phase=JobPhase.SUBMITTED)
        await _submit(run)
        return run.record

    return await _journaled(run, submit_only())


async def _journaled(run: _Job, work: Coroutine[Any, Any, T]) -> T:
    """Run one job step; whatever ends it (an error, a cancel) is written to the journal before it propagates."""
    try:
        return await work
    except asyncio.CancelledError:
        await _cancelled(run)
        raise
    except TransientError as exc:
        if run.record.phase in _PROVIDER_HAS_JOB:
            # The provider has the job and may still finish it (and bill it): keep the row for the next resume.
            _safe_write(run, message=f"{exc} Shotline will check on the job again when it resumes.")
        else:
            _mark_failed(run, str(exc))
        raise
    except ShotlineError as exc:
        _mark_failed(run, str(exc))
        raise
    except Exception as exc:
        log.exception("Generation job %s failed unexpectedly", run.record.id)
        _mark_failed(run, f"Shotline hit an unexpected error ({type(exc).__name__}: {exc}). Try generating again.")
        raise


async def _drive(run: _Job, media: Landing) -> GenerationOutcome:
    phase = run.record.phase
    if phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED):
        outcome = await _reopen(run, media)
        if outcome is not None:
            return outcome
    elif phase.is_final:
        raise JobFailed(f"This job already ended ({phase.value}); generate the shot again for a new take.")
    if phase in _BEFORE_PROVIDER_ID and not run.record.provider_job_id:
        await _submit(run)
    elif phase in _BEFORE_PROVIDER_ID:
        run.write(phase=JobPhase.SUBMITTED)
    status = await _wait(run)
    return await _download(run, status, media)


# ---------------------------------------------------------------------------------------------- submit


async def _submit(run: _Job) -> None:
    if run.resumed or run.record.phase is JobPhase.SENDING:
        # The create may have been sent before a crash, and accepted: ask before sending another one.
        provider_id = await _reconcile(run)
    else:
        # Should we crash from here on, the next run knows a create may be out there, and since when.
        run.write(phase=JobPhase.SENDING, message="Sending to the provider", sent_at=_now())
        try:
            provider_id = await run.backend.submit(run.request)
        except AmbiguousSubmit as exc:
            log.warning("Submit of job %s was ambiguous: %s", run.record.id, exc)
            provider_id = await _reconcile(run)
    run.write(phase=JobPhase.SUBMITTED, provider_job_id=provider_id, message="")
    log.info("Job %s submitted as %s", run.record.id, provider_id)


async def _reconcile(run: _Job) -> str:
    """Find the job a create may have started; resubmit only where a second create costs nothing."""
    try:
        found = await _find(run.backend, run.request, sent_create(run.journal, run.record.id))
    except BackendError as exc:
        log.warning("Could not look up job %s at the provider: %s", run.record.id, exc)
        found = None
    if found:
        log.info("Found job %s at the provider as %s", run.record.id, found)
        return found
    if run.backend.info.kind is BackendKind.CLOUD:
        run.write(phase=JobPhase.UNCERTAIN, message=UNCERTAIN_MESSAGE)
        raise AmbiguousSubmit(UNCERTAIN_MESSAGE)
    # Offline and local backends bill nobody, so one fresh create is safe; if that is ambiguous too, it fails.
    return await run.backend.submit(run.request)


# ---------------------------------------------------------------------------------------------- poll


async def _wait(run: _Job) -> JobStatus:
    provider_id = run.record.provider_job_id
    answered = time.monotonic()
    last_written: tuple[float, str] | None = None
    while True:
        try:
            status = await run.backend.poll(provider_id)
        except TransientError as exc:
            # the poll was already tried again by the HTTP layer; the job is followed on at its own cadence
            unreachable = time.monotonic() - answered
            if unreachable >= UNREACHABLE_FOR_S:
                raise TransientError(
                    f"The provider could not be reached for {unreachable / 60:.0f} minutes ({exc})."
                ) from exc
            run.write(message=f"Trouble reaching the provider; Shotline keeps checking: {exc}")
            await asyncio.sleep(run.poll_seconds)
            continue
        answered = time.monotonic()
        if status.state.is_final:
            return _settle(run, status)
        fraction = min(max(status.progress or 0.0, 0.0), 1.0)
        message = status.message or _queue_text(status)
        if (fraction, message) != last_written:
            run.write(progress=fraction * GENERATION_SHARE, message=message)
            last_written = (fraction, message)
        run.progress(fraction * GENERATION_SHARE)
        await asyncio.sleep(run.poll_seconds)


def _queue_text(status: JobStatus) -> str:
    if status.state is JobState.QUEUED:
        if status.queue_position is not None:
            return f"Waiting in the provider's queue (position {status.queue_position})"
        return "Waiting in the provider's queue"
    return "Generating"


def _settle(run: _Job, status: JobStatus) -> JobStatus:
    """Turn a final provider state into a journal phase; only SUCCEEDED carries on.

    What the provider says it charged for a job that ended badly is journaled with the ending, so the ledger shows
    that figure rather than the estimate (services.ledger)."""
    if status.state is JobState.SUCCEEDED:
        return status
    billed = status.billed_cost if status.billed_cost is not None else run.record.billed_cost
    if status.state is JobState.BLOCKED:
        message = "The provider's safety filter stopped this shot. Change the prompt and generate again."
        if status.message:
            message += f" (The provider said: {status.message})"
        run.write(phase=JobPhase.BLOCKED, message=message, billed_cost=billed)
        raise ContentBlocked(message)
    if status.state is JobState.CANCELLED:
        message = "The job was cancelled at the provider. Generate the shot again if you still want it."
        run.write(phase=JobPhase.CANCELLED, message=message, billed_cost=billed)
        raise JobFailed(message)
    message = status.message or "The provider reported that the job failed, without saying why."
    run.write(phase=JobPhase.FAILED, message=message, billed_cost=billed)
    raise JobFailed(message)


# ---------------------------------------------------------------------------------------------- download


async def _download(run: _Job, status: JobStatus, media: Landing) -> GenerationOutcome:
    job_id = run.record.id
    suffix = clip_suffix(status, run.request.kind)
    run.write(phase=JobPhase.DOWNLOADING, progress=GENERATION_SHARE, message="Downloading")

    def on_download(fraction: float) -> None:
        run.progress(GENERATION_SHARE + (1 - GENERATION_SHARE) * min(max(fraction, 0.0), 1.0))

    info = await land_clip(
        media, job_id, suffix, run.request.kind, lambda partial: _fetch(run, status, partial, on_download)
    )
    media_path = landed_path(job_id, suffix)
    billed = status.billed_cost if status.billed_cost is not None else run.record.billed_cost
    run.write(phase=JobPhase.DOWNLOADED, media_path=media_path, billed_cost=billed, progress=1.0, message="")
    run.progress(1.0)
    log.info("Job %s downloaded to %s", job_id, media_path)
    return _outcome(run, info)


def _outcome(run: _Job, info: MediaInfo) -> GenerationOutcome:
    record = run.record
    return GenerationOutcome(job_id=record.id, shot_id=record.shot_id, take=take_of(record, info))


async def _fetch(run: _Job, status: JobStatus, partial: Path, progress: ProgressSink) -> None:
    """Download; when the clip's link has expired, ask the provider for the job again (fresh links) and go on.

    Any other failure was already tried again by the HTTP layer (policy.DOWNLOADS) and ends the run: the partial
    file stays for the next resume to continue."""
    for refresh in range(LINK_REFRESHES + 1):
        try:
            await run.backend.download(run.record.provider_job_id, status, partial, progress)
            return
        except LinkExpired as exc:
            if refresh == LINK_REFRESHES:
                raise
            log.warning("The clip link of job %s expired (%s); asking the provider again", run.record.id, exc)
            run.write(message=f"The link to the clip expired; asking the provider for a fresh one: {exc}")
            status = await run.backend.poll(run.record.provider_job_id)
            if status.state is not JobState.SUCCEEDED:
                raise JobFailed(f"The provider no longer offers this clip ({status.state.value}).") from exc


async def _reopen(run: _Job, media: Landing) -> GenerationOutcome | None:
    """A job that was already downloaded: re-probe its file; None if the file is gone and must be fetched again."""
    path = media.project_dir / run.record.media_path
    if not run.record.media_path or not await asyncio.to_thread(path.is_file):
        if not run.record.provider_job_id:
            raise MediaMissing(f"The clip of job {run.record.id} is missing and cannot be fetched again.")
        log.warning("Clip of job %s is missing; fetching it again", run.record.id)
        run.write(phase=JobPhase.SUBMITTED, media_path="")
        return None
    return _outcome(run, await probe_clip(media, path, run.request.kind))


# ---------------------------------------------------------------------------------------------- endings


async def _cancelled(run: _Job) -> None:
    """The task was stopped (the app is closing, or the creator cancelled through `cancel_generation`).

    The row is left as it is: a job the creator did not cancel is still running (and billed) at the provider, so
    the next start resumes it; a cancelled one was already journaled CANCELLED and is never picked up again.
    """
    log.info("Job %s stopped in phase %s", run.record.id, run.record.phase)


async def cancel_generation(job_id: str, *, backend: GenerationBackend, journal: JobJournal) -> JobRecord:
    """The creator's cancel: journal CANCELLED first (so no resume picks the job up), then stop it at the provider.

    Cancel the task running the job afterwards. A job already downloaded or ended is returned unchanged.
    """
    record = journal.get(job_id)
    if record.phase.is_final or record.phase is JobPhase.DOWNLOADED:
        return record
    was_sending = record.phase is JobPhase.SENDING
    record = journal.update(job_id, phase=JobPhase.CANCELLED, message="Cancelled.")
    provider_id = record.provider_job_id
    try:
        if not provider_id and was_sending:
            # cancelled mid-create: the provider may have the job anyway (and may bill it: the ledger counts a
            # job a provider has, so its id is written down)
            request = GenerationRequest.from_json(record.request)
            provider_id = await _find(backend, request, sent_create(journal, job_id)) or ""
            if provider_id:
                record = journal.update(job_id, provider_job_id=provider_id)
        if provider_id:
            await backend.cancel(provider_id)
    except BackendError as exc:
        log.warning("Cancelling job %s at the provider failed: %s", job_id, exc)
        record = journal.update(job_id, message=f"Cancelled here; the provider did not confirm: {exc}")
    log.info("Job %s cancelled", job_id)
    return record


async def _find(backend: GenerationBackend, request: GenerationRequest, sent: SentCreate) -> str | None:
    """`backend.find` told what the journal knows; a plug-in written before `sent` existed is asked as it was."""
    try:
        inspect.signature(backend.find).bind(request, sent)
    except TypeError:
        return await backend.find(request)
    return await backend.find(request, sent)


def sent_create(journal: JobJournal, job_id: str) -> SentCreate:
    """What the journal knows of job `job_id`'s create, for the backend's find(): when it went out, the provider ids
    the backend's other jobs own, and the other creates still out with no answer."""
    record = journal.get(job_id)
    others = [r for r in journal.all() if r.backend == record.backend and r.id != job_id]
    return SentCreate(
        sent_at=utc_seconds(record.sent_at) or 0.0,
        claimed=frozenset(r.provider_job_id for r in others if r.provider_job_id),
        sending=tuple(
            GenerationRequest.from_json(r.request)
            for r in others
            if r.phase is JobPhase.SENDING and not r.provider_job_id
        ),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _mark_failed(run: _Job, message: str) -> None:
    try:
        current = run.journal.get(run.record.id)
    except Exception:
        log.exception("Could not read job %s from the journal", run.record.id)
        return
    if not current.phase.is_final:
        _safe_write(run, phase=JobPhase.FAILED, message=message)


def _safe_write(run: _Job, **changes: Any) -> None:
    try:
        run.write(**changes)
    except ShotlineError as exc:  # the journal's own plain reason (a full disk): the row keeps its last state
        log.info("Could not note how job %s is going: %s", run.record.id, exc)
    except Exception:
        log.exception("Could not write job %s to the journal", run.record.id)
