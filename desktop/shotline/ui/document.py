"""An open project as the window sees it: edits, undo, jobs, imports and thumbnails, reported as Qt signals.

Every panel talks to a ProjectDocument and listens to its signals; none of them touches the session, the
runner or another thread directly. Errors from any layer become `failed(message)` — a sentence for the creator.
Unsaved edits are written to the recovery file (off the GUI thread) a second after they stop; Save writes
project.json.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtGui import QImage

from shotline.core import commands
from shotline.core.changes import ProjectChange, diff
from shotline.core.commands import Command
from shotline.core.errors import MediaUnreadable, ModelRetired, ShotlineError, creator_message
from shotline.core.model import Project, RemovedTake, Take, VoiceChoice
from shotline.core.ports import JobRecord
from shotline.jobs.generation import GenerationOutcome
from shotline.jobs.runner import JobHandle, to_preview_thread
from shotline.services import importing
from shotline.services.autosave import Autosave
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService, ObservedJournal, StartedJob
from shotline.services.member_stills import plan_member_stills
from shotline.services.music import MusicChoice, MusicService, place_music
from shotline.services.session import ProjectSession
from shotline.services.stills import StillsService
from shotline.services.thumbnails import make_thumbnail, thumbnail_path
from shotline.services.try_on import Pair, TryOn, plan_try_on
from shotline.services.voices import VoicesService, place_outcome
from shotline.ui.bridge import Bridge

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 1000
JOB_UPDATE_MS = 100
"""Job rows and progress reach the panels at most ten times a second, however many jobs run (DESIGN §7)."""


async def _thumbnail_picture(session: ProjectSession, take: Take, at_us: int, width: int) -> QImage:
    """The thumbnail as a picture, made first if it is not cached; QImage may be read on any thread (QPixmap not)."""
    path = await make_thumbnail(session.bundle, take, at_us, width)
    picture = await to_preview_thread(QImage, str(path))
    if picture.isNull():
        raise MediaUnreadable(f"The thumbnail {path.name} could not be read.")
    return picture


def describe(error: BaseException) -> str:
    """The sentence a creator sees for an error from any layer; the traceback goes to the log only."""
    message = creator_message(error)
    if message is not None:
        return message
    log.error("Unexpected error", exc_info=error)
    return f"Something went wrong ({type(error).__name__}: {error}). Your work is safe; details are in the log."


class ProjectDocument(QObject):
    changed = Signal(object)
    """A ProjectChange: which shots were added, removed, updated or reordered."""
    history_changed = Signal()
    """Undo/redo availability or labels, or the unsaved flag, changed."""
    job_changed = Signal(str)
    """A job's journal row changed (phase, progress or message); the argument is its id."""
    failed = Signal(str)
    """Something the creator asked for did not happen; the argument says why."""
    saved = Signal()
    closing = Signal()
    """The project is being let go: what follows its jobs stops (they go on at their providers)."""

    def __init__(self, ctx: AppContext, session: ProjectSession, bridge: Bridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session = session
        self.bridge = bridge
        # Job rows as last written; the GUI thread never reads the journal back while jobs write it.
        self._records: dict[str, JobRecord] = {record.id: record for record in session.journal.all()}
        self._progress: dict[str, float] = {}
        journal = ObservedJournal(session.journal, self._journal_wrote)
        self._generation = GenerationService(ctx, session, journal)
        self._running: dict[str, StartedJob] = {}
        self.retired_answers: dict[tuple[str, str], str] = {}
        """(backend, model) → the replacement a provider named when it answered that the model is retired (""
        if none), learned this session: the shot says so until the catalogue does (services.retirement)."""
        self.continuity_passed: set[str] = set()
        """Continuity findings the creator exported anyway: an export does not ask about them again this session
        (ui.dialogs.continuity)."""
        self.paid_generate_agreed = False
        """The creator said yes to a paid Generate above their threshold; not asked again this session
        (ui.spend_question)."""
        self._thumbnails_pending: dict[Path, list[Callable[[QImage], Any]]] = {}
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self._write_recovery)
        self._recovery = Autosave(ctx.runner, session.bundle)
        self._jobs_to_announce: set[str] = set()
        self._job_updates = QTimer(self)
        self._job_updates.setSingleShot(True)
        self._job_updates.setInterval(JOB_UPDATE_MS)
        self._job_updates.timeout.connect(self._announce_jobs)
        session.add_listener(self._on_change)

    # ------------------------------------------------------------------------------------------ the project

    @property
    def project(self) -> Project:
        return self.session.project

    @property
    def path(self) -> Path:
        return self.session.bundle.path

    @property
    def is_dirty(self) -> bool:
        return self.session.is_dirty

    def _on_change(self, change: ProjectChange) -> None:
        self.changed.emit(change)
        self._autosave.start()

    def execute(self, command: Command) -> bool:
        """Apply an edit as one undo step (or part of the open transaction); False, with `failed`, if refused."""
        try:
            self.session.execute(command)
        except ShotlineError as error:
            self.failed.emit(describe(error))
            return False
        self.history_changed.emit()
        return True

    @contextmanager
    def transaction(self, label: str) -> Iterator[None]:
        """Group edits into one undo step; if one is refused, all are rolled back and `failed` says why."""
        before = self.project
        try:
            with self.session.history.transaction(label):
                yield
        except ShotlineError as error:
            self.failed.emit(describe(error))
        finally:
            if self.project is not before:
                self._announce(before)
            self.history_changed.emit()

    def _announce(self, before: Project) -> None:
        change = diff(before, self.project)
        if not change.is_empty:
            self.changed.emit(change)
            self._autosave.start()

    def seal(self) -> None:
        """End a gesture (a drag): the next edit starts a new undo step."""
        self.session.history.seal()

    def undo(self) -> None:
        self.session.undo()
        self.history_changed.emit()

    def redo(self) -> None:
        self.session.redo()
        self.history_changed.emit()

    # ------------------------------------------------------------------------------------------ takes
    # A take a job made lands outside the undo history (`_job_done`): no undo reaches paid work. Taking one out of
    # its shot is this deliberate delete, which keeps it (and its clip) among the deleted takes; restoring it is an
    # edit too. Both are undoable. Imported takes are the creator's own action and stay an undoable "Import clip".

    def delete_takes(self, shot_id: str, take_ids: list[str]) -> bool:
        """Delete takes from a shot as one undo step; they wait among the deleted takes (`restore_take`). False, with
        `failed`, if one cannot be deleted: then none is."""
        before = self.project
        with self.transaction("Delete take" if len(take_ids) == 1 else "Delete takes"):
            for take_id in take_ids:
                self.session.execute(commands.remove_take(shot_id, take_id))
        return self.project is not before

    def deleted_takes(self, shot_id: str | None = None) -> tuple[RemovedTake, ...]:
        """The deleted takes, oldest first: those of `shot_id`, or all of them."""
        project = self.project
        return project.removed_takes if shot_id is None else project.removed_from(shot_id)

    def restore_take(self, take_id: str, shot_id: str | None = None) -> bool:
        """Put a deleted take back on its shot (or on `shot_id`) as one undo step; False, with `failed`, if not."""
        return self.execute(commands.restore_take(take_id, shot_id))

    def save(self) -> bool:
        try:
            self.session.save()
        except ShotlineError as error:
            self.failed.emit(describe(error))
            return False
        self._autosave.stop()
        self._recovery.discard()
        self.saved.emit()
        self.history_changed.emit()
        return True

    def _write_recovery(self) -> None:
        # back at the saved project (every edit undone): the recovery file goes, or the next start would offer
        # to restore edits the creator took back
        latest = self.project if self.is_dirty else None
        self.bridge.watch(self._recovery.write(latest), lambda _written: None, self._autosave_failed)

    def _autosave_failed(self, error: BaseException) -> None:
        self.failed.emit(f"Autosave failed: {describe(error)}")

    def discard_recovery(self) -> None:
        """The creator chose to drop the unsaved edits (or the offered recovery): no autosave of them is kept."""
        self._autosave.stop()
        self._recovery.discard()

    # ------------------------------------------------------------------------------------------ jobs

    def generate(
        self, shot_ids: list[str], *, takes: int = 1, backend: str | None = None, model: str | None = None
    ) -> list[str]:
        """Start `takes` jobs for each shot; returns the job ids (none, with `failed`, if any shot was refused).

        The budget counts the jobs this window knows (all of the journal's, and these as soon as they start); each
        job writes its journal row on the runner before anything is sent."""
        try:
            records = self._generation.plan(
                [sid for sid in shot_ids for _ in range(takes)],
                backend=backend,
                model=model,
                jobs_so_far=list(self._records.values()),
            )
        except ShotlineError as error:
            self.failed.emit(describe(error))
            return []
        self._start(records, journal_first=True)
        return [record.id for record in records]

    def plan_try_on(self, shot_id: str, pairs: Sequence[Pair]) -> TryOn:
        """One shot on 2–4 backend/model pairs, each priced, the budget counting every job this window knows;
        nothing is written or sent. Raises a ShotlineError naming the pair (or the budget) at fault."""
        return plan_try_on(
            self.ctx, self.session, self._generation, shot_id, pairs, jobs_so_far=list(self._records.values())
        )

    def try_on(self, shot_id: str, pairs: Sequence[Pair]) -> list[str]:
        """Send one job per pair (planned afresh, so the budget is the one of this moment), each journaled on the
        runner before it is sent; returns the job ids, or none, with `failed`, when the try-on was refused."""
        try:
            records = self.plan_try_on(shot_id, pairs).records
        except ShotlineError as error:
            self.failed.emit(describe(error))
            return []
        self._start(records, journal_first=True)
        return [record.id for record in records]

    def plan_stills(self, owner_id: str, count: int, *, backend: str, model: str = "") -> list[JobRecord]:
        """`count` draft stills of a shot, or pictures of a cast member when `owner_id` is a member's, each priced,
        the budget counting every job this window knows; nothing is written or sent. Raises a ShotlineError."""
        so_far = list(self._records.values())
        if any(member.id == owner_id for member in self.project.cast):
            return plan_member_stills(
                self.ctx,
                self.session,
                self._generation,
                owner_id,
                count,
                backend=backend,
                model=model,
                jobs_so_far=so_far,
            )
        stills = StillsService(self.ctx, self.session, self._generation)
        return stills.plan(owner_id, count, backend=backend, model=model or None, jobs_so_far=so_far)

    def draft_stills(self, owner_id: str, count: int, *, backend: str, model: str = "") -> list[str]:
        """Send the stills (planned afresh, so the budget is this moment's), each journaled on the runner before it
        is sent; each lands as a picture in media/ (never a take). Returns the job ids, or none, with `failed`."""
        try:
            records = self.plan_stills(owner_id, count, backend=backend, model=model)
        except ShotlineError as error:
            self.failed.emit(describe(error))
            return []
        self._start(records, journal_first=True)
        return [record.id for record in records]

    def plan_voices(self, shot_id: str, line: str | None = None) -> list[JobRecord]:
        """A shot's lines (or one of them) to speak with their speakers' voices, each priced, the budget counting
        every job this window knows; nothing is written or sent. Raises a ShotlineError."""
        voices = VoicesService(self.ctx, self.session, self._generation)
        return voices.plan(shot_id, line, jobs_so_far=list(self._records.values()))

    def speak(self, records: list[JobRecord]) -> list[str]:
        """Send planned voice jobs, each journaled on the runner before it is sent; each lands on the voice-over
        lane at its shot (`_job_done`). Returns the job ids."""
        self._start(records, journal_first=True)
        return [record.id for record in records]

    def plan_music(self, choice: MusicChoice) -> JobRecord:
        """A bed for the film as `choice` asks, priced, the budget counting every job this window knows; nothing is
        written or sent. Raises a ShotlineError. `speak` sends it; it lands on the music lane (`_job_done`)."""
        music = MusicService(self.ctx, self.session, self._generation)
        return music.plan(choice, jobs_so_far=list(self._records.values()))

    def preview_voice(self, member_id: str, choice: VoiceChoice) -> list[JobRecord]:
        """Plan a cast member's voice preview (priced like a line; nothing sent): `speak` sends it, and the finished
        job's sound is in media/ (`job(id).media_path`), placed nowhere."""
        voices = VoicesService(self.ctx, self.session, self._generation)
        return voices.plan_preview(member_id, choice, jobs_so_far=list(self._records.values()))

    def resume_jobs(self) -> int:
        """Pick up the jobs an earlier run left unfinished; returns how many."""
        records = [r for r in self._generation.unfinished() if r.id not in self._running]
        self._start(records)
        return len(records)

    def _journal_wrote(self, record: JobRecord) -> None:
        """Called on whichever thread wrote the row: the runner's while jobs run, ours when a save attaches."""
        if QThread.currentThread() == self.thread():
            self._record_written(record)
        else:
            self.bridge.post(partial(self._record_written, record))

    def _record_written(self, record: JobRecord) -> None:
        self._records[record.id] = record
        self._announce_soon(record.id)

    def _progressed(self, job_id: str, fraction: float) -> None:
        self._progress[job_id] = fraction
        self._announce_soon(job_id)

    def _announce_soon(self, job_id: str) -> None:
        self._jobs_to_announce.add(job_id)
        if not self._job_updates.isActive():
            self._job_updates.start()

    def _announce_jobs(self) -> None:
        announced, self._jobs_to_announce = self._jobs_to_announce, set()
        for job_id in sorted(announced):
            self.job_changed.emit(job_id)

    def _start(self, records: list[JobRecord], *, journal_first: bool = False) -> None:
        def progress(job_id: str, fraction: float) -> None:
            self.bridge.post(partial(self._progressed, job_id, fraction))

        for job in self._generation.run(records, progress, journal_first=journal_first):
            self._running[job.record.id] = job
            self._records.setdefault(job.record.id, job.record)
            self.job_changed.emit(job.record.id)
            job_id = job.record.id
            self.bridge.watch(
                job.handle,
                partial(self._job_done, job_id),
                partial(self._job_failed, job_id),
                partial(self._job_stopped, job_id),
            )

    def _job_done(self, job_id: str, outcome: GenerationOutcome) -> None:
        """The take lands in the project outside the undo history (paid work is not an edit) and is written to
        project.json on a worker, so a landing never stalls the window; the job is attached once it is on disk."""
        self._running.pop(job_id, None)
        try:
            if self._generation.attach(outcome, write=False):
                write = asyncio.to_thread(self._generation.write_landed)
                self.bridge.watch(self.ctx.runner.submit(write), lambda _done: None, self._landing_not_written)
            if outcome.spoken:  # a line's voice goes on the voice-over lane, an undoable step (services.voices)
                place_outcome(self.session, outcome)
            if outcome.scored:  # a bed goes on the music lane, fitted to the film, an undoable step (services.music)
                place_music(self.session, outcome)
        except ShotlineError as error:
            self.failed.emit(describe(error))
        self.history_changed.emit()
        self.job_changed.emit(job_id)

    def _landing_not_written(self, error: BaseException) -> None:
        self.failed.emit(
            f"The new take is in the project, but project.json could not be updated yet ({describe(error)}); "
            "it will be written with your next save."
        )

    def _job_failed(self, job_id: str, error: BaseException) -> None:
        self._running.pop(job_id, None)
        record = self._records.get(job_id)
        if isinstance(error, ModelRetired) and record is not None:
            self.retired_answers[(record.backend, record.model)] = error.replacement or ""
        self.job_changed.emit(job_id)
        self.failed.emit(describe(error))

    def _job_stopped(self, job_id: str) -> None:
        self._running.pop(job_id, None)
        self.job_changed.emit(job_id)

    def is_running(self, job_id: str) -> bool:
        return job_id in self._running

    def cancel_job(self, job_id: str) -> None:
        """Cancel at the provider (on the runner) and stop waiting; the journal row becomes cancelled."""
        job = self._running.get(job_id)
        if job is not None:
            self.bridge.watch(self._generation.cancel(job), lambda record: None, self._cancel_failed)

    def _cancel_failed(self, error: BaseException) -> None:
        self.failed.emit(f"Cancelling failed: {describe(error)}")

    def jobs(self) -> list[JobRecord]:
        """Every job of this project, oldest first, as last written."""
        return sorted(self._records.values(), key=lambda record: (record.created_at, record.id))

    def job(self, job_id: str) -> JobRecord:
        return self._records[job_id]

    def progress(self, job_id: str) -> float:
        """How far a job is, 0–1: the live fraction while it runs, else what the journal says."""
        record = self._records.get(job_id)
        stored = record.progress if record else 0.0
        return max(stored, self._progress.get(job_id, 0.0)) if self.is_running(job_id) else stored

    # ------------------------------------------------------------------------------------------ media

    def import_files(self, files: list[Path], shot_id: str | None = None, index: int | None = None) -> None:
        """Probe and copy on a worker thread, then add the takes as one undo step."""

        async def prepare() -> list[tuple[Path, Take]]:
            return await asyncio.to_thread(importing.prepare_takes, self.session.bundle, files)

        def add(takes: list[tuple[Path, Take]]) -> None:
            try:
                importing.add_takes(self.session, takes, shot_id, index)
            except ShotlineError as error:
                self.failed.emit(describe(error))
            self.history_changed.emit()

        self.bridge.watch(self.ctx.runner.submit(prepare()), add, lambda e: self.failed.emit(describe(e)))

    def thumbnail(self, take: Take, at_us: int, width: int, ready: Callable[[QImage], Any]) -> None:
        """Ask for the frame of `take` at `at_us`, `width` px wide: `ready(picture)` follows on the GUI thread.

        The cached file is checked, made if missing and read into a picture off the GUI thread: even a small read
        from a busy disk would stall the window. Panels keep the pictures they were given."""
        path = thumbnail_path(self.session.bundle, take, at_us, width)
        waiting = self._thumbnails_pending.setdefault(path, [])
        waiting.append(ready)
        if len(waiting) > 1:
            return
        handle: JobHandle[QImage] = self.ctx.runner.submit(_thumbnail_picture(self.session, take, at_us, width))

        def deliver(picture: QImage) -> None:
            for callback in self._thumbnails_pending.pop(path, []):  # empty once the document is closed
                callback(picture)

        def give_up(error: BaseException) -> None:
            self._thumbnails_pending.pop(path, None)
            log.warning("No thumbnail for %s: %s", take.media, error)

        self.bridge.watch(handle, deliver, give_up)

    # ------------------------------------------------------------------------------------------ closing

    def close(self) -> None:
        """Stop waiting for jobs (they go on at their providers and resume next time) and release the project."""
        self.closing.emit()
        self._autosave.stop()
        self._job_updates.stop()
        self._thumbnails_pending.clear()  # their widgets may be gone; a late thumbnail is simply dropped
        for job in self._running.values():
            job.handle.cancel()
        self._running.clear()
        try:  # a landed take whose write has not run yet goes to disk before the project is let go
            self._generation.write_landed()
        except ShotlineError as error:
            log.warning("A landed take was not written to project.json: %s", error)
        if not self.is_dirty:  # an undo back to the saved project may not have reached the recovery file yet
            self._recovery.hand_over(None)
        self._recovery.close()
        self.session.close()
