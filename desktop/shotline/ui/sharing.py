"""Share the open project as one `.shotline.zip`, and open one someone sent, from the window (issue 6).

Packing and checking are services.sharing's; this module asks where, runs the work on the async runner while the
status bar shows how far it is, the time left and a Cancel button (Esc), and reports the outcome as one sentence.
Cancelling stops the work between two chunks and is reported only once what it wrote is gone again. Every way an
archive reaches the window (File → Open…, Open shared archive…, a drop, the command line, the macOS Finder) ends in
`open_archive`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QLocale, QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from shotline.core.errors import ProjectNotFound, ShotlineError
from shotline.core.ports import ProgressSink
from shotline.jobs.runner import to_own_thread
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.sharing import Shared, default_archive, open_shared, share
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.progress_readout import TimeLeft, show_fraction, time_left_text

T = TypeVar("T")

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


class ProgressIndicator(QWidget):
    """For the status bar while an archive is written or unpacked: what runs, how far it is, the time left, Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        show_fraction(self.bar, 0.0)
        self._time_left = TimeLeft()
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop (Esc); nothing written so far is kept")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        show_fraction(self.bar, 0.0)
        self._time_left = TimeLeft()
        self.cancel_button.setEnabled(True)
        self.show()

    def show_progress(self, what: str, fraction: float, elapsed_s: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        show_fraction(self.bar, fraction)  # the percentage on the bar only, as the export dialog shows it
        self.label.setText(f"{what} {time_left_text(self._time_left.update(elapsed_s, fraction))}")

    def cancelling(self, what: str) -> None:
        self.label.setText(f"{what.rstrip('…')}: cancelling…")
        self.cancel_button.setEnabled(False)

    def stop(self) -> None:
        self.label.clear()
        self.hide()


class SharingFlow(QObject):
    """File → Share as archive… and opening shared archives, one at a time, off the GUI thread."""

    project_unpacked = Signal(object)
    """A new project folder (Path) unpacked from an archive; the window opens it."""
    reported = Signal(str)
    """The outcome, done or refused, as a sentence for the message bar."""

    def __init__(self, ctx: AppContext, bridge: Bridge, window: QWidget) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._bridge = bridge
        self._window = window
        self.indicator = ProgressIndicator(window)
        self.indicator.cancel_button.clicked.connect(self.cancel)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window, self.cancel)
        self._escape.setEnabled(False)  # Esc is the window's only while an archive is being written or unpacked
        self.working_on = ""
        """What runs now ("Sharing Film…"), or empty."""
        self._cancel: threading.Event | None = None
        self._started = 0.0
        # The questions the flow asks, replaceable so tests can answer them; each returns None when cancelled.
        self.ask_archive_to_write: Callable[[Path], Path | None] = self._ask_archive_to_write
        self.ask_archive_to_open: Callable[[Path], Path | None] = self._ask_archive_to_open
        self.ask_folder: Callable[[Path], Path | None] = self._ask_folder

    # ------------------------------------------------------------------------------------------ share

    def share(self, document: ProjectDocument) -> None:
        """Ask where, save unsaved edits (the archive holds what the creator sees), then pack off the GUI thread."""
        if self._still_busy():
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
        self._run(
            f"Sharing {name}…",
            lambda progress, cancel: share(project, target, progress=progress, cancel=cancel),
            shared,
        )

    # ------------------------------------------------------------------------------------------ open

    def choose_and_open(self) -> None:
        """File → Open shared archive…: choose an archive, then where its project goes."""
        if self._still_busy():
            return
        archive = self.ask_archive_to_open(projects_folder(self._ctx))
        if archive is not None:
            self.open_archive(archive)

    def open_archive(self, archive: Path) -> None:
        """Ask which folder the project goes in, unpack it there off the GUI thread, then hand it to the window."""
        if self._still_busy():
            return
        folder = self.ask_folder(projects_folder(self._ctx))
        if folder is None:
            return

        def unpacked(project: Path) -> None:
            self.reported.emit(f"Opened {archive.name} as a new project: {project}.")
            self.project_unpacked.emit(project)

        self._run(
            f"Opening {archive.name}…",
            lambda progress, cancel: unpack_as_new_project(archive, folder, progress=progress, cancel=cancel),
            unpacked,
        )

    # ------------------------------------------------------------------------------------------ running

    def _still_busy(self) -> bool:
        if self.working_on:
            self.reported.emit(f"{self.working_on.rstrip('…')} has not finished yet; try again when it has.")
        return bool(self.working_on)

    def cancel(self) -> None:
        """Stop what runs (the Cancel button, Esc); its outcome, once it has cleaned up, says it was cancelled."""
        if self._cancel is None or self._cancel.is_set():
            return
        self._cancel.set()
        self.indicator.cancelling(self.working_on)

    def _run(self, what: str, work: Callable[[ProgressSink, threading.Event], T], done: Callable[[T], object]) -> None:
        cancel = threading.Event()
        self.working_on, self._cancel, self._started = what, cancel, time.monotonic()
        self.indicator.start(what)
        self._escape.setEnabled(True)

        def progress(fraction: float) -> None:  # on a worker thread
            self._bridge.post(lambda: self._on_progress(cancel, fraction))

        async def run() -> T:
            working = asyncio.ensure_future(to_own_thread(work, progress, cancel, name="shotline-sharing"))
            try:
                return await asyncio.shield(working)
            except asyncio.CancelledError:
                # The runner is shutting down with the window: stop the work too, and let it clean up first.
                cancel.set()
                await asyncio.gather(working, return_exceptions=True)
                raise

        def finished(result: T) -> None:
            self._stop()
            done(result)

        self._bridge.watch(self._ctx.runner.submit(run()), finished, self._failed, self._stop)

    def _on_progress(self, cancel: threading.Event, fraction: float) -> None:
        if cancel is self._cancel and not cancel.is_set():  # not a late report, nor one after Cancel
            self.indicator.show_progress(self.working_on, fraction, time.monotonic() - self._started)

    def _failed(self, error: BaseException) -> None:
        what = self.working_on.rstrip("…")
        self._stop()
        # Shotline's own errors already say what happened and what to do; anything else needs saying what failed.
        self.reported.emit(describe(error) if isinstance(error, ShotlineError) else f"{what} failed: {describe(error)}")

    def _stop(self) -> None:
        self.working_on = ""
        self._cancel = None
        self._escape.setEnabled(False)
        self.indicator.stop()

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
