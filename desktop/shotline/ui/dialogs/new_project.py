"""New project: where it lives, its title, frame size and frame rate — everything else can change later."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from shotline.core.model import Size
from shotline.ui import theme

SIZES: tuple[tuple[str, Size], ...] = (
    ("1920 × 1080 (16:9 HD)", Size(1920, 1080)),
    ("1280 × 720 (16:9)", Size(1280, 720)),
    ("3840 × 2160 (16:9 4K)", Size(3840, 2160)),
    ("1080 × 1920 (9:16 vertical)", Size(1080, 1920)),
    ("1080 × 1080 (1:1 square)", Size(1080, 1080)),
)
RATES: tuple[tuple[str, Fraction], ...] = (
    ("24 fps (film)", Fraction(24)),
    ("25 fps (PAL)", Fraction(25)),
    ("30 fps", Fraction(30)),
    ("23.976 fps", Fraction(24000, 1001)),
    ("29.97 fps", Fraction(30000, 1001)),
    ("60 fps", Fraction(60)),
)


@dataclass(frozen=True, slots=True)
class NewProject:
    path: Path
    title: str
    size: Size
    fps: Fraction


def bundle_name(title: str) -> str:
    """A folder name from the title that every OS accepts."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "", title).strip(" .") or "Untitled"
    return f"{cleaned}.shotline"


class NewProjectDialog(QDialog):
    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setMinimumWidth(560)  # room for a folder path; the line under it is shortened, so it never widens
        self.title = QLineEdit("Untitled film", self)
        self.title.selectAll()  # typing a title replaces the placeholder one, never appends to it
        self.folder = QLineEdit(str(folder), self)
        browse = QPushButton(theme.icon("folder"), "Choose…", self)
        browse.setToolTip("Choose the folder the project goes in")
        browse.clicked.connect(self._browse)
        where = QWidget(self)
        row = QHBoxLayout(where)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder)
        row.addWidget(browse)
        self.size_box = QComboBox(self)
        for label, size in SIZES:
            self.size_box.addItem(label, size)
        self.rate_box = QComboBox(self)
        for label, fps in RATES:
            self.rate_box.addItem(label, fps)
        self.target = QLabel(self)
        self.target.setStyleSheet(f"color: {theme.MUTED.name()};")
        # a long path is shortened in its middle (whole in the tooltip); it never widens the dialog while typing
        self.target.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error = QLabel(self)
        self.error.setStyleSheet(f"color: {theme.DANGER.name()};")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Title", self.title)
        form.addRow("Folder", where)
        form.addRow("Frame size", self.size_box)
        form.addRow("Frame rate", self.rate_box)
        form.addRow("", self.target)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.title.textChanged.connect(self._show_target)
        self.folder.textChanged.connect(self._show_target)
        self._show_target()

    def result_project(self) -> NewProject:
        return NewProject(
            Path(self.folder.text().strip()) / bundle_name(self.title.text()),
            self.title.text().strip() or "Untitled",
            self.size_box.currentData(),
            self.rate_box.currentData(),
        )

    def _show_target(self) -> None:
        full = f"Creates {self.result_project().path}"
        width = max(self.target.width(), 200)
        self.target.setText(self.target.fontMetrics().elidedText(full, Qt.TextElideMode.ElideMiddle, width))
        self.target.setToolTip(full)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)
        self.title.selectAll()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_target()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the new project", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _accept(self) -> None:
        spec = self.result_project()
        if not spec.path.parent.is_dir():
            self.error.setText(f"The folder {spec.path.parent} does not exist; choose another.")
        elif spec.path.exists():
            self.error.setText(f"{spec.path.name} already exists there; pick another title, or open it instead.")
        else:
            self.accept()
