"""An open project: the bundle on disk, the current Project, its undo history and who wants to hear of changes.

Only one thread (the GUI thread, or the CLI's main thread) touches a session. Background work hands back values
and that thread commits them: the creator's edits through `execute`, each one undoable step or none; what is not an
edit (a take a paid job made) through `land`, which no undo reaches, brought to project.json by `write_landed` (on
any thread: the window's runs on a worker, so a landing never stalls it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import TracebackType

from shotline.core.changes import ProjectChange, diff
from shotline.core.commands import Command
from shotline.core.history import History
from shotline.core.model import Project, ProjectSettings, Size, new_id
from shotline.storage.bundle import ProjectBundle
from shotline.storage.journal import SqliteJobJournal

log = logging.getLogger(__name__)

ChangeListener = Callable[[ProjectChange], None]
SavedListener = Callable[[Project], None]


class ProjectSession:
    def __init__(self, bundle: ProjectBundle, project: Project, *, read_only: bool = False) -> None:
        self.bundle = bundle
        self.read_only = read_only
        """Opened only to look: nothing is written, the job journal included."""
        self.history = History(project)
        self._listeners: list[ChangeListener] = []
        self._saved_listeners: list[SavedListener] = []
        self._journal: SqliteJobJournal | None = None
        self._saved = project
        """What project.json holds, or will once `write_landed` runs: as opened, saved or landed on."""
        self._landed: Project | None = None
        """`_saved` with takes landed since project.json was last written; None when there is nothing to write."""
        self._handing = threading.Lock()
        """Held only to swap `_landed` between the session's thread and the one that writes it."""
        self._disk = threading.Lock()
        """Held while project.json is written: a Save here and a landing's write on a worker never overlap."""

    @classmethod
    def create(
        cls, path: Path, *, title: str = "", size: Size | None = None, fps: Fraction | None = None
    ) -> ProjectSession:
        defaults = ProjectSettings()
        settings = ProjectSettings(size=size or defaults.size, fps=fps or defaults.fps)
        title = title or path.name.removesuffix(".shotline")
        project = Project(id=new_id(), title=title, settings=settings)
        return cls(ProjectBundle.create(path, project), project)

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> ProjectSession:
        bundle = ProjectBundle.open(path, read_only=read_only)
        try:
            project = bundle.load()
        except BaseException:
            bundle.close()
            raise
        return cls(bundle, project, read_only=read_only)

    @property
    def project(self) -> Project:
        return self.history.project

    @property
    def saved(self) -> Project:
        """The project as project.json holds it (the takes landed since the last save included)."""
        return self._saved

    @property
    def journal(self) -> SqliteJobJournal:
        if self._journal is None:
            self._journal = SqliteJobJournal(self.bundle.journal_path, read_only=self.read_only)
        return self._journal

    @property
    def is_dirty(self) -> bool:
        return self.history.is_dirty

    def add_listener(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def add_saved_listener(self, listener: SavedListener) -> None:
        self._saved_listeners.append(listener)

    def execute(self, command: Command) -> ProjectChange:
        before = self.project
        self.history.execute(command)
        return self._changed(before)

    def undo(self) -> ProjectChange:
        before = self.project
        self.history.undo()
        return self._changed(before)

    def redo(self) -> ProjectChange:
        before = self.project
        self.history.redo()
        return self._changed(before)

    def land(self, fact: Callable[[Project], Project]) -> ProjectChange:
        """Apply what happened outside the creator's edits (a take a job made, DESIGN §3) to the project and to its
        whole history, so no undo or redo removes it, and to the project as last saved, which `write_landed` then
        writes: the creator's unsaved edits stay unsaved, and the clean/dirty state stays as it was.

        `fact` must not raise and must leave a project that already holds it unchanged (`edits.land_take`)."""
        before = self.project
        self.history.land(fact)
        if not self.read_only:
            saved = fact(self._saved)
            if saved != self._saved:
                self._saved = saved
                with self._handing:
                    self._landed = saved
        return self._changed(before)

    def write_landed(self) -> Project | None:
        """Write the project as saved plus what landed since into project.json, on any thread; returns what was
        written, or None if nothing waited (a Save since wrote it all). Raises SaveFailed; then it waits for the
        next call or Save."""
        with self._disk:
            with self._handing:
                project, self._landed = self._landed, None
            if project is None:
                return None
            try:
                self.bundle.save(project, keep_recovery=True)  # the creator's unsaved work is not in it
            except BaseException:
                with self._handing:
                    self._landed = self._landed or project
                raise
            return project

    def _changed(self, before: Project) -> ProjectChange:
        change = diff(before, self.project)
        if not change.is_empty:
            for listener in self._listeners:
                listener(change)
        return change

    def save(self) -> None:
        project = self.project  # it holds everything that landed, so nothing landed is left to write
        with self._disk:
            self.bundle.save(project)
            self._saved = project
            with self._handing:
                self._landed = None
        self.history.mark_clean()
        for listener in self._saved_listeners:
            listener(project)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.bundle.close()

    def __enter__(self) -> ProjectSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
