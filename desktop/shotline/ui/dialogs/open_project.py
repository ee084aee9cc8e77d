"""File → Open…: one dialog for a project and for a shared archive.

A project is a folder (`Film.shotline/`), an archive a file (`Film.shotline.zip`), and a file dialog picks one or
the other. So this one picks files, and entering a project folder counts as choosing it: the creator double-clicks
`Film.shotline` as they would a file. (The macOS Finder shows a project as a single file already: Info.plist
declares it a package.) Choosing the project.json inside a project works too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from shotline.ui.sharing import ARCHIVE_SUFFIX, PROJECT_SUFFIX

PROJECT_FILE = "project.json"
OPEN_FILTER = f"Shotline projects and shared archives (*{PROJECT_SUFFIX} {PROJECT_FILE} *{ARCHIVE_SUFFIX})"


def is_project(path: Path) -> bool:
    """A project folder, or the project.json inside one."""
    return (path / PROJECT_FILE).is_file() or (path.name == PROJECT_FILE and path.is_file())


class OpenDialog(QFileDialog):
    def __init__(self, parent: QWidget | None, start: Path) -> None:
        super().__init__(parent, "Open a project or a shared archive", str(start), OPEN_FILTER)
        self.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.entered_project: Path | None = None
        self.directoryEntered.connect(self._entered)

    def _entered(self, folder: str) -> None:
        if is_project(Path(folder)):
            self.entered_project = Path(folder)
            # Closed once the dialog has finished entering the folder, not from inside its own signal.
            QTimer.singleShot(0, lambda: self.done(QDialog.DialogCode.Accepted))

    def chosen(self) -> Path | None:
        if self.entered_project is not None:
            return self.entered_project
        files = self.selectedFiles()
        return Path(files[0]) if files else None


def ask_open_path(parent: QWidget | None, start: Path) -> Path | None:
    """A project folder, a project.json or a shared archive the creator chose; None if cancelled."""
    dialog = OpenDialog(parent, start)
    try:
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
