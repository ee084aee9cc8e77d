"""Generation as the creator sees it: shots in, takes out, every paid request journaled before it is sent.

Jobs run on the async runner; their outcomes come back as values and the session's thread lands each take in the
project (among the deleted takes, restorable onto any shot, if its shot is not there). A take that may have been paid
for is not an edit, so no undo removes it (DESIGN §3: jobs are not in history), and it is written to project.json as
it lands; only a deliberate delete takes it out of its shot, into the deleted takes, restorable. Landing is idempotent
— a take's id is derived from its job id — so a job resumed after a crash never adds a second take.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from shotline.core import dialogue, edits
from shotline.core.errors import InputRejected
from shotline.core.lengths import fit_length
from shotline.core.model import Project, Shot, Size, new_id
from shotline.core.ports import GenerationRequest, JobJournal, JobPhase, JobRecord, MediaKind
from shotline.core.references import Carried, carry
from shotline.jobs.generation import GenerationOutcome, cancel_generation, run_generation, submit_job
from shotline.jobs.runner import JobHandle, throttled
from shotline.media.intake import still_info
from shotline.media.probe import admit
from shotline.services.budget import check_budget
from shotline.services.context import AppContext
from shotline.services.ledger import kinds
from shotline.services.retirement import refuse_retired
from shotline.services.session import ProjectSession
from shotline.storage import references

log = logging.getLogger(__name__)

JobProgress = Callable[[str, float], None]
"""Receives (job id, fraction done) from the runner's thread."""


JournalListener = Callable[[JobRecord], None]
"""Told of every row the journal writes, on the thread that wrote it."""


class ObservedJournal:
    """A job journal that tells a listener of every row it writes, so a window never has to read it back.

    The runner thread writes rows as jobs progress; reading them on the GUI thread would wait behind those
    fsync'd writes, so the window keeps the records it is handed instead.
    """

    def __init__(self, journal: JobJournal, listener: JournalListener) -> None:
        self._journal = journal
        self._listener = listener

    def add(self, record: JobRecord) -> None:
        self._journal.add(record)
        self._listener(self._journal.get(record.id))

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        record = self._journal.update(job_id, **changes)
        self._listener(record)
        return record

    def get(self, job_id: str) -> JobRecord:
        return self._journal.get(job_id)

    def all(self) -> list[JobRecord]:
        return self._journal.all()

    def unfinished(self) -> list[JobRecord]:
        return self._journal.unfinished()


@dataclass(frozen=True, slots=True)
class StartedJob:
    record: JobRecord
    handle: JobHandle[GenerationOutcome]


def request_size(aspect: str, frame: Size) -> Size:
    """The largest even size of `aspect` that fits the project frame (the frame itself when aspects match)."""
    try:
        width_part, height_part = (int(part) for part in aspect.split(":"))
        ratio = Fraction(width_part, height_part)
    except (ValueError, ZeroDivisionError):
        raise InputRejected(f"{aspect!r} is not an aspect ratio; write it like 16:9.") from None
    if ratio == frame.aspect:
        return frame
    if ratio > frame.aspect:
        width, height = frame.width, round(frame.width / ratio)
    else:
        width, height = round(frame.height * ratio), frame.height
    return Size(width - width % 2, height - height % 2)


def build_request(
    ctx: AppContext,
    project: Project,
    shot: Shot,
    *,
    backend: str | None = None,
    model: str | None = None,
    project_dir: Path | None = None,
) -> GenerationRequest:
    """The request for one take of `shot`; its images become absolute paths under `project_dir` (the bundle)."""
    number = project.index_of(shot.id) + 1
    backend_id = backend or shot.generation.backend
    info = ctx.registry.spec(backend_id).info
    if model is None:  # the shot's own model, unless another backend was asked for: then that backend's default
        model = shot.generation.model if backend_id == shot.generation.backend else ""
    if not info.models:
        raise InputRejected(
            f"{info.name} makes no clips: it speaks dialogue lines (shotline voice). Choose another backend for "
            f"shot {number}."
        )
    model_info = info.model(model)
    if model_info is None:
        offered = ", ".join(m.id for m in info.models)
        raise InputRejected(f"{info.name} has no model {model!r}; it offers {offered}.")
    refuse_retired(info, model_info)
    if not shot.prompt.strip():
        raise InputRejected(f"Shot {number} has no prompt; write what it should show first.")
    try:
        # the one length rule: the provider is asked for (and bills) the length the model makes, never the asked one
        length = fit_length(model_info, shot.generation.duration_us)
    except InputRejected as refused:
        raise InputRejected(f"Shot {number}: {refused}") from None
    carried = carry(project, shot, model_info)
    prompt = carried.prompt
    if model_info.audio and shot.generation.audio:  # a model that speaks gets the lines as its guide asks for them
        prompt = dialogue.with_lines(prompt, project, shot, model_info.dialogue)
    return GenerationRequest(
        job_id=new_id(),
        shot_id=shot.id,
        backend=backend_id,
        model=model_info.id,
        prompt=prompt,
        duration_us=length.made_us,
        size=request_size(shot.generation.aspect, project.settings.size),
        fps=project.settings.fps,
        aspect=shot.generation.aspect,
        resolution=shot.generation.resolution,
        negative_prompt=carried.negative_prompt,
        seed=shot.generation.seed,
        audio=shot.generation.audio,
        **_images(carried, project_dir),
        reference_tags=carried.reference_tags,
        cast=carried.placements,
        options=dict(shot.generation.options),
        label=shot.title.strip(),
        shot_number=number,
    )


def _images(carried: Carried, project_dir: Path | None) -> dict[str, Any]:
    """The pictures the model takes (core.references: the shot's own, then its cast's), as files on this computer (a
    backend uploads or inlines them).

    What the model cannot take is left out there and said to the creator before sending (services.shot_fit, the same
    rule, and the cast's placements): the inspector and `shotline generate` name it."""

    def where(relative: str | None) -> str | None:
        if not relative:
            return None
        # Checked again where the picture is about to be uploaded, not only when the project opened: a file in the
        # project swapped for a link to one outside since then is refused here (ProjectCorrupt), never sent.
        return relative if project_dir is None else str(references.inside(project_dir, relative))

    return {
        "first_frame": where(carried.first_frame),
        "last_frame": where(carried.last_frame),
        "reference_images": tuple(filter(None, (where(image) for image in carried.reference_images))),
    }


class GenerationService:
    def __init__(self, ctx: AppContext, session: ProjectSession, journal: JobJournal | None = None) -> None:
        self._ctx = ctx
        self._session = session
        self._journal: JobJournal = journal or session.journal
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._unsaved: dict[str, str] = {}  # job id → take id, attached but not yet on disk
        self._marking = threading.Lock()  # `_unsaved` is read where project.json was written: a worker, or here
        session.add_saved_listener(self._on_saved)

    def plan(
        self,
        shot_refs: list[str],
        *,
        backend: str | None = None,
        model: str | None = None,
        jobs_so_far: Iterable[JobRecord] | None = None,
    ) -> list[JobRecord]:
        """Check every shot and the budget, and make one record per job; nothing is written or sent yet.

        `jobs_so_far` are the project's jobs the budget counts (by default read from the journal): a window that
        keeps them in memory passes its own, so it never reads the journal while jobs write it."""
        project = self._session.project
        requests = [
            build_request(
                self._ctx,
                project,
                project.shot(ref),
                backend=backend,
                model=model,
                project_dir=self._session.bundle.path,
            )
            for ref in shot_refs
        ]
        return self._records(requests, jobs_so_far)

    def plan_pairs(
        self, shot_ref: str, pairs: Sequence[tuple[str, str]], *, jobs_so_far: Iterable[JobRecord] | None = None
    ) -> list[JobRecord]:
        """One job for `shot_ref` per (backend, model) pair — one shot tried on several models — checked as `plan`
        checks: the budget counts every pair together, so a try-on it cannot afford sends nothing at all."""
        project = self._session.project
        shot = project.shot(shot_ref)
        requests = [
            build_request(self._ctx, project, shot, backend=backend, model=model, project_dir=self._session.bundle.path)
            for backend, model in pairs
        ]
        return self._records(requests, jobs_so_far)

    def priced(
        self, requests: list[GenerationRequest], jobs_so_far: Iterable[JobRecord] | None = None
    ) -> list[JobRecord]:
        """Requests built elsewhere (a shot's stills, services.stills) priced and checked as `plan` does."""
        return self._records(requests, jobs_so_far)

    def _records(self, requests: list[GenerationRequest], jobs_so_far: Iterable[JobRecord] | None) -> list[JobRecord]:
        """The requests priced and checked against the budget, one record each; nothing is written or sent."""
        project = self._session.project
        estimates = [self._ctx.registry.estimate(request) for request in requests]
        so_far = self._journal.all() if jobs_so_far is None else jobs_so_far
        check_budget(so_far, project.settings.budget, estimates, kinds(self._ctx.registry))
        now = datetime.now(UTC).isoformat()
        return [
            JobRecord(
                id=request.job_id,
                shot_id=request.shot_id,
                backend=request.backend,
                model=request.model,
                request=request.to_json(),
                estimated_cost=estimate,
                created_at=now,
            )
            for request, estimate in zip(requests, estimates, strict=True)
        ]

    def prepare(self, shot_refs: list[str], *, backend: str | None = None, model: str | None = None) -> list[JobRecord]:
        """`plan`, then write one journal row per job here and now — before anything is sent."""
        return self.write_down(self.plan(shot_refs, backend=backend, model=model))

    def write_down(self, records: list[JobRecord]) -> list[JobRecord]:
        """One journal row per planned job, here and now — before anything is sent, so a job is never sent twice."""
        for record in records:
            self._journal.add(record)
        return records

    def _slot(self, backend_id: str) -> asyncio.Semaphore:
        if backend_id not in self._slots:
            self._slots[backend_id] = asyncio.Semaphore(self._ctx.registry.spec(backend_id).info.max_concurrency)
        return self._slots[backend_id]

    def run(
        self, records: list[JobRecord], progress: JobProgress | None = None, *, journal_first: bool = False
    ) -> list[StartedJob]:
        """Run jobs to the end (submit or resume, poll, download, probe); attach each outcome with `attach`.

        `journal_first`: the records come from `plan` and each job writes its journal row on the runner before
        anything else (a window's thread must not wait for the journal's synced writes); else they were prepared."""
        return [
            StartedJob(record, self._ctx.runner.submit(self._job(record, progress, journal_first)))
            for record in records
        ]

    async def _job(self, record: JobRecord, progress: JobProgress | None, journal_first: bool) -> GenerationOutcome:
        if journal_first:
            self._journal.add(record)  # before waiting for a slot: a job queued when the app stops still resumes
        sink = throttled(lambda fraction: progress(record.id, fraction)) if progress else None
        still = record.kind is MediaKind.IMAGE  # a voice take comes in as a sound file is imported (admit)
        async with self._slot(record.backend):
            return await run_generation(
                record,
                backend=self._ctx.backend(record.backend),
                journal=self._journal,
                # a download comes into the project as an import does, under the same rules (a still as a picture)
                probe=still_info if still else admit,
                project_dir=self._session.bundle.path,
                poll_seconds=self._ctx.poll_seconds(record.backend),
                progress=sink,
            )

    def submit(self, records: list[JobRecord]) -> list[JobRecord]:
        """Only hand the jobs to their providers (for `generate` without --wait); `resume` collects them later."""

        async def submit_all() -> list[JobRecord]:
            results = []
            for record in records:
                async with self._slot(record.backend):
                    results.append(
                        await submit_job(record, backend=self._ctx.backend(record.backend), journal=self._journal)
                    )
            return results

        return self._ctx.runner.run(submit_all())

    def cancel(self, started: StartedJob) -> JobHandle[JobRecord]:
        """The creator's cancel: journaled and sent to the provider on the runner, then the local task stops."""

        async def cancel() -> JobRecord:
            backend = self._ctx.backend(started.record.backend)
            try:
                return await cancel_generation(started.record.id, backend=backend, journal=self._journal)
            finally:
                started.handle.cancel()

        return self._ctx.runner.submit(cancel())

    def unfinished(self) -> list[JobRecord]:
        return self._journal.unfinished()

    def attach(self, outcome: GenerationOutcome, *, write: bool = True) -> bool:
        """Land a finished job's take in the project (`ProjectSession.land`) and, unless `write` is False, write it
        to project.json now (`write_landed`); False if it was already there (deleted since counts: a resumed job
        never brings a deleted take back).

        The journal marks the job attached once project.json holds the take; until then a crash leaves the job
        "downloaded" and the next resume lands it again.
        """
        if outcome.still or outcome.spoken or outcome.scored:
            # a still is in the project once its picture is in media/ (the journal says which shot asked for it,
            # services.stills): it never becomes a take, whichever path (a resume, the window) finished its job;
            # a voice take likewise, its sound placed on the voice-over lane by services.voices, and a music bed
            # on the music lane by services.music
            self._journal.update(outcome.job_id, phase=JobPhase.ATTACHED)
            return False
        with self._marking:
            self._unsaved[outcome.job_id] = outcome.take.id
        if any(take.id == outcome.take.id for take in self._session.project.all_takes()):
            return False
        self._session.land(partial(edits.land_take, shot_id=outcome.shot_id, take=outcome.take))
        if write:
            self.write_landed()
        return True

    def write_landed(self) -> None:
        """Write the takes landed since project.json was last written and mark their jobs attached; on any thread
        (the window's is a worker). Raises SaveFailed; the takes are then written by the next Save."""
        written = self._session.write_landed()
        if written is not None:
            self._on_saved(written)

    def _on_saved(self, project: Project) -> None:
        saved = {take.id for take in project.all_takes()}
        with self._marking:
            done = [(job_id, take_id) for job_id, take_id in self._unsaved.items() if take_id in saved]
            for job_id, _take_id in done:
                del self._unsaved[job_id]
        for job_id, _take_id in done:
            self._journal.update(job_id, phase=JobPhase.ATTACHED)
