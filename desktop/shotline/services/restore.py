"""Going back to a backup of project.json: which backups a project has, and making one the project again.

Used by the window (offered when a damaged project fails to open) and by `shotline restore`. Every project.json
a save replaced is in `.backups/`, newest first; restoring keeps the file it replaces (storage.bundle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shotline.core.errors import ProjectCorrupt, ProjectError, ProjectTooNew
from shotline.storage.bundle import ProjectBundle, read_capped


@dataclass(frozen=True, slots=True)
class BackupEntry:
    number: int
    """1 for the newest backup, 2 for the one before it…: what `shotline restore --backup N` takes."""
    label: str
    """When it was saved, in local time."""
    path: Path
    problem: str
    """Why it would not open ("" if it opens)."""


@dataclass(frozen=True, slots=True)
class RestoreReport:
    title: str
    backup_label: str
    kept: Path | None
    """Where the replaced project.json is now (None if there was none)."""

    @property
    def description(self) -> str:
        name = f"“{self.title}”" if self.title else "The project"
        where = f" The file it replaced is kept at {self.kept}." if self.kept else ""
        return f"{name} is back as saved at {self.backup_label}.{where}"


def list_backups(project: Path) -> list[BackupEntry]:
    """Every backup of the project, newest first, each with whether it opens."""
    with ProjectBundle.open(project) as bundle:
        entries = []
        for number, backup in enumerate(bundle.all_backups(), start=1):
            try:
                bundle.opened(read_capped(backup.path))  # as opening would: the file, and what it refers to
                problem = ""
            except OSError as error:
                problem = f"it could not be read ({error.strerror or error})"
            except (ProjectCorrupt, ProjectTooNew) as error:
                problem = str(error)
            entries.append(BackupEntry(number, backup.label, backup.path, problem))
        return entries


def backup_for_damaged(project: Path) -> BackupEntry | None:
    """If the project's own file is damaged and a backup opens, the newest backup that does; otherwise None."""
    try:
        with ProjectBundle.open(project) as bundle:
            try:
                bundle.load()
            except ProjectCorrupt:
                pass
            else:
                return None
    except ProjectError:
        return None  # missing, locked or too new: a backup is not the answer
    return next((entry for entry in list_backups(project) if not entry.problem), None)


def restore(project: Path, number: int | None = None) -> RestoreReport:
    """Make backup `number` (see list_backups; default: the newest that opens) the project again."""
    with ProjectBundle.open(project) as bundle:
        chosen = None
        if number is not None:
            found = bundle.all_backups()
            if not 1 <= number <= len(found):
                raise ProjectError(
                    f"There is no backup {number}: this project has {len(found)}. "
                    f'List them with: shotline restore "{project}" --list'
                )
            chosen = found[number - 1]
        restored = bundle.restore_backup(chosen)
        return RestoreReport(restored.project.title, restored.backup.label, restored.kept)
