"""Autosave off the window's thread: the recovery file is written on the runner's pool, the newest project only.

A write fsyncs the file and its folder, which on a busy disk is long enough to stall a window, so the caller only
hands the project over (it is immutable, so another thread may serialise it). Writes and discards of the recovery
file never overlap, and an older project never lands after a newer one or after a discard: a discard waits for a
write under way and drops one not yet begun. Undoing back to the saved project removes the recovery file the same
way, so a later start does not offer edits the creator took back.
"""

from __future__ import annotations

import asyncio
import threading

from shotline.core.model import Project
from shotline.jobs.runner import AsyncRunner, JobHandle
from shotline.storage.bundle import ProjectBundle

_NOTHING = object()
"""No project handed over (None is one: "the saved project, so no recovery file")."""


class Autosave:
    def __init__(self, runner: AsyncRunner, bundle: ProjectBundle) -> None:
        self._runner = runner
        self._bundle = bundle
        self._writing = threading.Lock()
        """Held while the recovery file is written or removed."""
        self._handing = threading.Lock()
        """Held only to swap `_pending`, so the window never waits for a write."""
        self._pending: Project | object | None = _NOTHING
        """The newest project handed over and not yet written (None: remove the recovery file)."""
        self._closed = False

    def write(self, project: Project | None) -> JobHandle[None]:
        """Write `project` to the recovery file soon, on the runner, or for None (the edits were undone back to the
        saved project) remove the file; the handle fails with SaveFailed if it could not be written. A newer project
        handed over before this one is written replaces it."""
        self.hand_over(project)
        return self._runner.submit(asyncio.to_thread(self._write_pending))

    def hand_over(self, project: Project | None) -> None:
        """Make `project` (None: no recovery file) the one the next write or `close` brings to disk."""
        with self._handing:
            self._pending = project

    def _write_pending(self) -> None:
        with self._writing:
            project = self._take_pending()
            if not self._closed:
                self._apply(project)

    def discard(self) -> None:
        """Remove the recovery file now (Save wrote the project, or the creator discarded the edits)."""
        self._take_pending()
        with self._writing:
            self._bundle.discard_recovery()

    def close(self) -> None:
        """Write a project still waiting to be written here and now (the project is closing), then no more."""
        with self._writing:
            project, self._closed = self._take_pending(), True
            self._apply(project)

    def _apply(self, project: Project | object | None) -> None:
        if isinstance(project, Project):
            self._bundle.write_recovery(project)
        elif project is None:
            self._bundle.discard_recovery()

    def _take_pending(self) -> Project | object | None:
        with self._handing:
            project, self._pending = self._pending, _NOTHING
        return project
