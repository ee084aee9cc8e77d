"""File → Relink media…: the files the project misses, listed by the names the creator knows them by and the shots
that use them; one folder chosen, all of them found (by name, checked to be the same file) and copied back into
the project on a worker thread (`services.relink`). The project file itself never changes, so there is nothing
to undo or save."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core.changes import ProjectChange
from shotline.services import relink
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.timeline import TimelinePanel

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow


class RelinkDialog(QDialog):
    """The missing files, and the button that looks for them in a folder."""

    def __init__(self, missing: list[relink.Missing], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Relink media")
        self.setMinimumWidth(520)
        count = len(missing)
        self.heading = QLabel(
            f"{count} file{'s' if count != 1 else ''} this project uses {'are' if count != 1 else 'is'} missing. "
            "Choose the folder where they are now: Shotline looks through it (and the folders inside it), "
            "finds every one by its name, checks it is the same file and copies it back into the project.",
            self,
        )
        self.heading.setWordWrap(True)
        self.files = QListWidget(self)
        for item in missing:
            stored = Path(item.media).name
            also = f"  ({stored})" if stored != item.name else ""  # the name an old copy of media/ has
            self.files.addItem(f"✗  {item.name}{also}")
        self.choose = QPushButton("Choose folder…", self)
        self.choose.setDefault(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton(self.choose, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.choose.clicked.connect(self.accept)
        column = QVBoxLayout(self)
        column.addWidget(self.heading)
        column.addWidget(self.files, 1)
        column.addWidget(buttons)


class RelinkFlow(QObject):
    reported = Signal(str)
    relinked = Signal(list)
    """The media paths put back (after the panels were told)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.ask_folder: Callable[[list[relink.Missing]], Path | None] = self._ask_folder
        """Show the missing files and ask for the folder; None if cancelled. Replaceable for tests."""

    def _ask_folder(self, missing: list[relink.Missing]) -> Path | None:
        dialog = RelinkDialog(missing, self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        document = self._window.document
        start = str(document.path.parent) if document is not None else ""
        folder = QFileDialog.getExistingDirectory(self._window, "Where are the missing files now?", start)
        return Path(folder) if folder else None

    def announce(self, document: ProjectDocument) -> None:
        """A project just opened: say which files it misses, by the names the creator knows them by."""
        missing = relink.missing_media(document.session.bundle, document.project)
        if not missing:
            return
        listed = "; ".join(m.name for m in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        self.reported.emit(
            f"{len(missing)} file(s) this project uses are missing from its folder: {listed}. Shots using them show "
            "no picture. Choose File → Relink media… and the folder where they are now, and Shotline finds them all."
        )

    def start(self, document: ProjectDocument) -> None:
        bundle = document.session.bundle
        missing = relink.missing_media(bundle, document.project)
        if not missing:
            self.reported.emit("Nothing to relink: every file this project uses is in its folder.")
            return
        folder = self.ask_folder(missing)
        if folder is None:
            return

        async def look_and_copy() -> tuple[relink.Search, list[str]]:
            search = await asyncio.to_thread(relink.find, missing, folder)
            copied = await asyncio.to_thread(relink.relink, bundle, search.found)
            return search, copied

        def done(result: tuple[relink.Search, list[str]]) -> None:
            search, copied = result
            if copied and document is self._window.document:
                project = document.project
                timeline = self._window.panels.get("timeline")
                if isinstance(timeline, TimelinePanel):
                    timeline.canvas.waveforms.forget_failures(copied)
                # the files are back: every panel looks again (pictures, waveforms, the player's clips)
                document.changed.emit(ProjectChange(updated=tuple(s.id for s in project.shots), audio=True))
            self.reported.emit(relink.summary(search, copied))
            self.relinked.emit(copied)

        def failed(error: BaseException) -> None:
            self.reported.emit(f"Relinking from {folder.name} stopped: {describe(error)}")

        document.bridge.watch(document.ctx.runner.submit(look_and_copy()), done, failed)
