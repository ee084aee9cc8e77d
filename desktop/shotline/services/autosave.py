"""Autosave off the window's thread: the recovery file is written on the runner's pool, the newest project only.

A write fsyncs the file and its folder, which on a busy disk is long enough to stall a window, so the caller only
hands the project over (it is immutable, so another thread may serialise it). Writes and discards of the recovery
file never overlap, and an older project never lands after a newer one or after a discard: a discard waits for a
write under way and drops one not yet begun.
"""

from __future__ import annotations

import asyncio
import threading

from shotline.core.model import Project
from shotline.jobs.runner import AsyncRunner, JobHandle
from shotline.storage.bundle import ProjectBundle


class Autosave:
    def __init__(self, runner: AsyncRunner, bundle: ProjectBundle) -> None:
        self._runner = runner
        self._bundle = bundle
        self._writing = threading.Lock()
        """Held while the recovery file is written or removed."""
        self._handing = threading.Lock()
        """Held only to swap `_pending`, so the window never waits for a write."""
        self._pending: Project | None = None
        """The newest project handed over and not yet written."""
        self._closed = False

    def write(self, project: Project) -> JobHandle[None]:
        """Write `project` to the recovery file soon, on the runner; the handle fails with SaveFailed if it could
        not be written. A newer project handed over before this one is written replaces it."""
        with self._handing:
            self._pending = project
        return self._runner.submit(asyncio.to_thread(self._write_pending))

    def _write_pending(self) -> None:
        with self._writing:
            project = self._take_pending()
            if project is not None and not self._closed:
                self._bundle.write_recovery(project)

    def discard(self) -> None:
        """Remove the recovery file now (Save wrote the project, or the creator discarded the edits)."""
        self._take_pending()
        with self._writing:
            self._bundle.discard_recovery()

    def close(self) -> None:
        """Write a project still waiting to be written here and now (the project is closing), then no more."""
        with self._writing:
            project, self._closed = self._take_pending(), True
            if project is not None:
                self._bundle.write_recovery(project)

    def _take_pending(self) -> Project | None:
        with self._handing:
            project, self._pending = self._pending, None
        return project
