"""How a generation job reads in the jobs panel: its shot, state, elapsed time and cost, as plain text.

Qt-free and pure (apart from `retry_estimate`, which asks the registry for a price), so the wording is tested
without a window and the CLI could print the same lines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from shotline.core.errors import ShotlineError
from shotline.core.model import Project
from shotline.core.ports import BackendKind, JobPhase, JobRecord, MediaKind
from shotline.services.context import AppContext
from shotline.services.generation import build_request
from shotline.services.ledger import format_money
from shotline.services.shots import ShotState, is_waiting

UNCERTAIN_TEXT = "uncertain — check your provider dashboard"
RETRYABLE = frozenset({JobPhase.FAILED, JobPhase.CANCELLED, JobPhase.UNCERTAIN})
"""Phases after which "Generate again" is offered (a blocked prompt would only be blocked again)."""

DONE_TEXT = "done — take added"
STILL_TEXT = "done — still made"
VOICE_TEXT = "done — voice take made"
"""A line's voice job: its sound is in the project's media and on the voice-over lane (services.voices)."""
"""A still's job: its picture is in the project's media, for the shot's stills (services.stills), not a take."""
_PHASE_TEXT = {
    # a job in flight reads as its shot's card does (one vocabulary: queued, then running); the detail is the tooltip
    JobPhase.SUBMITTING: ShotState.QUEUED.value,
    JobPhase.SENDING: ShotState.QUEUED.value,
    JobPhase.SUBMITTED: ShotState.RUNNING.value,
    JobPhase.DOWNLOADING: ShotState.RUNNING.value,
    JobPhase.DOWNLOADED: "downloaded — take not added",
    JobPhase.ATTACHED: DONE_TEXT,
    JobPhase.FAILED: "failed",
    JobPhase.CANCELLED: "cancelled",
    JobPhase.BLOCKED: "blocked by the provider's safety filter",
    JobPhase.UNCERTAIN: UNCERTAIN_TEXT,
}


_PHASE_DETAIL = {
    JobPhase.SUBMITTING: "Waiting to be sent to the provider.",
    JobPhase.SENDING: "Being sent to the provider.",
    JobPhase.SUBMITTED: "At the provider.",
    JobPhase.DOWNLOADING: "Downloading the clip.",
    JobPhase.DOWNLOADED: "Downloaded; the take is added to its shot when the project is open.",
}


def state_detail(record: JobRecord, take_in_project: bool = False) -> str:
    """What the job is doing right now, in more words than the state (the provider's message when it sent one)."""
    if record.message:
        return record.message
    if _still_made(record):
        return "The still is in the project's media folder, among the shot's stills."
    if _made(record, MediaKind.SPEECH):
        return "The voice take is in the project's media folder, among its line's takes on the voice-over lane."
    if take_in_project:
        return "The take is in the project."
    return _PHASE_DETAIL.get(record.phase, state_text(record))


def is_finished(record: JobRecord) -> bool:
    """No more work will happen for this job here (a downloaded clip only waits to be attached or saved)."""
    return record.phase.is_final or record.phase is JobPhase.DOWNLOADED


def takes_in(project: Project) -> frozenset[str]:
    """The ids of the jobs whose take is in the project: those jobs are done, saved or not."""
    return frozenset(t.generation.job_id for t in project.all_takes() if t.generation is not None)


def shot_label(project: Project, shot_id: str) -> str:
    """ "3 · Title" for a shot still in the project, "@Mara" for a cast member's drafted pictures
    (services.member_stills), "deleted shot" otherwise."""
    for number, shot in enumerate(project.shots, start=1):
        if shot.id == shot_id:
            return f"{number} · {shot.title}" if shot.title else str(number)
    member = next((m for m in project.cast if m.id == shot_id), None)
    return f"@{member.name}" if member is not None else "deleted shot"


def is_still(record: JobRecord) -> bool:
    """A draft still's job (services.stills), or a line's voice (services.voices): made again from its grid or its
    line, never generated again as a clip."""
    return record.kind is not MediaKind.VIDEO


def state_text(record: JobRecord, take_in_project: bool = False) -> str:
    """The phase in the creator's words, the card's own for a job in flight; a failure says why.

    A job whose take is in the project is done, whether or not the project has been saved since.
    """
    if _still_made(record):
        return STILL_TEXT
    if _made(record, MediaKind.SPEECH):
        return VOICE_TEXT
    if take_in_project and record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED):
        return DONE_TEXT
    if not record.phase.is_final and record.phase is not JobPhase.DOWNLOADED and is_waiting(record):
        return ShotState.QUEUED.value
    text = _PHASE_TEXT.get(record.phase, str(record.phase))
    if record.phase in (JobPhase.FAILED, JobPhase.BLOCKED) and record.message:
        return f"{text}: {record.message}"
    return text


def _still_made(record: JobRecord) -> bool:
    return _made(record, MediaKind.IMAGE)


def _made(record: JobRecord, kind: MediaKind) -> bool:
    return record.kind is kind and record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED)


def progress_percent(record: JobRecord) -> int:
    if record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED):
        return 100
    return round(min(max(record.progress, 0.0), 1.0) * 100)


def _parse(stamp: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def elapsed_seconds(record: JobRecord, now: datetime) -> float | None:
    """From creation to now while the job works, to its last journal write once it is finished."""
    start = _parse(record.created_at)
    if start is None:
        return None
    end = _parse(record.updated_at) if is_finished(record) else now
    if end is None:
        end = now
    return max((end - start).total_seconds(), 0.0)


def format_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def backend_kind(ctx: AppContext, backend_id: str) -> BackendKind | None:
    """The backend's kind, or None when it is no longer installed."""
    try:
        return ctx.registry.spec(backend_id).info.kind
    except ShotlineError:
        return None


def backend_name(ctx: AppContext, backend_id: str) -> str:
    try:
        return ctx.registry.spec(backend_id).info.name
    except ShotlineError:
        return backend_id


def model_name(ctx: AppContext, backend_id: str, model_id: str) -> str:
    """The model's name as its backend gives it ("Veo 3.1 Fast", not "veo3.1_fast"); the id if it is unknown."""
    try:
        model = ctx.registry.spec(backend_id).info.model(model_id)
    except ShotlineError:
        return model_id
    return model.label if model is not None else model_id


def retry_estimate(ctx: AppContext, project: Project, record: JobRecord) -> Decimal | None:
    """What generating the job's shot again with the same backend and model should cost (None: free/unknown).

    Raises a ShotlineError with the reason when the shot can no longer be generated (deleted, no prompt…).
    """
    shot = project.shot(record.shot_id)
    request = build_request(ctx, project, shot, backend=record.backend, model=record.model)
    return ctx.registry.estimate(request)


def retry_question(ctx: AppContext, project: Project, record: JobRecord) -> str:
    """The sentence asked before "Generate again": what it will use and what it may cost."""
    estimate = retry_estimate(ctx, project, record)
    name = f"{backend_name(ctx, record.backend)} ({model_name(ctx, record.backend, record.model)})"
    shot = shot_label(project, record.shot_id)
    kind = backend_kind(ctx, record.backend)
    if kind is BackendKind.OFFLINE:
        return f"Generate shot {shot} again with {name}? It runs on this computer and is free."
    cost = f"about {format_money(estimate)}" if estimate is not None else "an amount the provider did not state"
    return f"This may cost money: generating shot {shot} again with {name} is estimated at {cost}. Start it?"
