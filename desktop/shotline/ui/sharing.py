"""Share the open project as one `.shotline.zip`, and open one someone sent, from the window (issue 6).

Packing and checking are services.sharing's; this module asks where, runs the work on the async runner while the
status bar shows how far it is, the time left and a Cancel button (Esc) (`ui.background_work`), and reports the
outcome as one sentence.
Cancelling stops the work between two chunks and is reported only once what it wrote is gone again. Every way an
archive reaches the window (File → Open…, Open shared archive…, a drop, the command line, the macOS Finder) ends in
`open_archive`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from shotline.core.errors import ProjectNotFound
from shotline.core.ports import ProgressSink
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.sharing import Shared, default_archive, open_shared, share
from shotline.ui.background_work import CancellableWork
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument

PROJECT_SUFFIX = ".shotline"
ARCHIVE_SUFFIX = ".shotline.zip"
"""What services.sharing names a project folder and an archive (tests/ui/test_sharing_ui.py checks they agree)."""
ARCHIVE_FILTER = f"Shared Shotline projects (*{ARCHIVE_SUFFIX})"


def is_archive(path: Path) -> bool:
    """Whether opening `path` means unpacking it: any zip, so a renamed archive still opens, and a zip that Share did
    not make is refused with the reason (macOS offers Shotline for every zip; see packaging/macos/Info.plist)."""
    return path.suffix.lower() == ".zip"


def archive_path(chosen: Path) -> Path:
    """The archive to write for a name the creator typed: it always ends in .shotline.zip, so it opens by name."""
    name = chosen.name
    if name.lower().endswith(ARCHIVE_SUFFIX):
        return chosen
    for ending in (".zip", PROJECT_SUFFIX):
        if name.lower().endswith(ending):
            name = name[: -len(ending)]
    return chosen.with_name(f"{name or 'Shared'}{ARCHIVE_SUFFIX}")


def unpack_as_new_project(
    archive: Path,
    folder: Path,
    *,
    progress: ProgressSink | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Unpack `archive` into `folder` as a new project named after it, under the first free name (the service
    picks it, for the command line too); returns its path. A refused or cancelled archive leaves nothing behind."""
    if not folder.is_dir():
        raise ProjectNotFound(f"The folder {folder} does not exist; choose another place for the project.")
    return open_shared(archive, folder, progress=progress, cancel=cancel)


def readable_size(size_bytes: int) -> str:
    return QLocale().formattedDataSize(size_bytes, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def documents_folder() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())


def projects_folder(ctx: AppContext) -> Path:
    """Where the creator keeps projects: the folder of the last one opened, or Documents."""
    recent = preferences.recent_projects(ctx)
    return recent[0].parent if recent else documents_folder()


class SharingFlow(QObject):
    """File → Share as archive… and opening shared archives, one at a time, off the GUI thread."""

    project_unpacked = Signal(object)
    """A new project folder (Path) unpacked from an archive; the window opens it."""
    reported = Signal(str)
    """The outcome, done or refused, as a sentence for the message bar."""

    def __init__(self, ctx: AppContext, bridge: Bridge, window: QWidget) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._window = window
        self._work = CancellableWork(ctx, bridge, window, self.reported.emit, "shotline-sharing")
        self.indicator = self._work.indicator
        # The questions the flow asks, replaceable so tests can answer them; each returns None when cancelled.
        self.ask_archive_to_write: Callable[[Path], Path | None] = self._ask_archive_to_write
        self.ask_archive_to_open: Callable[[Path], Path | None] = self._ask_archive_to_open
        self.ask_folder: Callable[[Path], Path | None] = self._ask_folder

    # ------------------------------------------------------------------------------------------ share

    def share(self, document: ProjectDocument) -> None:
        """Ask where, save unsaved edits (the archive holds what the creator sees), then pack off the GUI thread."""
        if self._work.still_busy():
            return
        chosen = self.ask_archive_to_write(default_archive(document.path))
        if chosen is None:
            return
        target = archive_path(chosen)
        saved_first = document.is_dirty
        if saved_first and not document.save():
            return  # the document has said why
        project = document.path

        def shared(result: Shared) -> None:
            size = readable_size(result.size_bytes)
            files = f"{result.media_files} media file{'s' if result.media_files != 1 else ''}"
            note = " Your unsaved edits were saved first, so it holds the project as you see it." if saved_first else ""
            self.reported.emit(f"Shared as {result.archive.name} ({files}, {size}) in {result.archive.parent}.{note}")

        name = project.name.removesuffix(PROJECT_SUFFIX)
        self._work.run(
            f"Sharing {name}…",
            lambda progress, cancel: share(project, target, progress=progress, cancel=cancel),
            shared,
        )

    # ------------------------------------------------------------------------------------------ open

    def choose_and_open(self) -> None:
        """File → Open shared archive…: choose an archive, then where its project goes."""
        if self._work.still_busy():
            return
        archive = self.ask_archive_to_open(projects_folder(self._ctx))
        if archive is not None:
            self.open_archive(archive)

    def open_archive(self, archive: Path) -> None:
        """Ask which folder the project goes in, unpack it there off the GUI thread, then hand it to the window."""
        if self._work.still_busy():
            return
        folder = self.ask_folder(projects_folder(self._ctx))
        if folder is None:
            return

        def unpacked(project: Path) -> None:
            self.reported.emit(f"Opened {archive.name} as a new project: {project}.")
            self.project_unpacked.emit(project)

        self._work.run(
            f"Opening {archive.name}…",
            lambda progress, cancel: unpack_as_new_project(archive, folder, progress=progress, cancel=cancel),
            unpacked,
        )

    # ------------------------------------------------------------------------------------------ running

    @property
    def working_on(self) -> str:
        """What runs now ("Sharing Film…"), or empty."""
        return self._work.working_on

    # ------------------------------------------------------------------------------------------ asking

    def _ask_archive_to_write(self, default: Path) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self._window, "Share the project as one archive", str(default), ARCHIVE_FILTER
        )
        return Path(chosen) if chosen else None

    def _ask_archive_to_open(self, start: Path) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(self._window, "Open a shared project", str(start), ARCHIVE_FILTER)
        return Path(chosen) if chosen else None

    def _ask_folder(self, start: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self._window, "Where should the shared project go?", str(start))
        return Path(chosen) if chosen else None
