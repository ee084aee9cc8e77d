"""An open project: the bundle on disk, the current Project, its undo history and who wants to hear of changes.

Only one thread (the GUI thread, or the CLI's main thread) touches a session. Background work hands back values
and that thread commits them: the creator's edits through `execute`, each one undoable step or none; what is not an
edit (a take a paid job made) through `land`, which no undo reaches and which is on disk at once.
"""

from __future__ import annotations

import logging
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
        """What project.json holds: as opened or created, then as last saved or landed on."""

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
        whole history, so no undo or redo removes it, and write it into project.json at once, added to the project as
        last saved: the creator's unsaved edits stay unsaved, and the clean/dirty state stays as it was.

        `fact` must not raise and must leave a project that already holds it unchanged (`edits.land_take`). The change
        is announced before the write, so a write that fails (SaveFailed, raised) still leaves it on screen and in
        the next save or autosave."""
        before = self.project
        self.history.land(fact)
        change = self._changed(before)
        if not self.read_only:
            saved = fact(self._saved)
            if saved != self._saved:
                self.bundle.save(saved)
                self._saved = saved
        return change

    def _changed(self, before: Project) -> ProjectChange:
        change = diff(before, self.project)
        if not change.is_empty:
            for listener in self._listeners:
                listener(change)
        return change

    def save(self) -> None:
        project = self.project
        self.bundle.save(project)
        self._saved = project
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
