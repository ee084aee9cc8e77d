"""The inspector's small field widgets and the helpers that write into fields without moving the cursor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from shotline.ui import theme

NARROW_COMBO_CHARACTERS = 8


class ImageField(QWidget):
    """A project image path with Choose… and Clear; the file dialog is not modal."""

    chosen = Signal(Path)
    cleared = Signal()

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self.label = QLabel("None", self)
        # a long file name is cut short rather than widening the inspector; the tooltip has the whole path
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.choose = QPushButton(theme.icon("image"), "Choose…", self)
        self.choose.setToolTip(f"Choose an image for the {what}")
        self.clear = QPushButton("Clear", self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.choose)
        row.addWidget(self.clear)
        self.choose.clicked.connect(self._open)
        self.clear.clicked.connect(self.cleared)

    def show_path(self, path: str | None, instead: str = "") -> None:
        """The file's name; with none, `instead` says what takes its place (a cast member's picture), else "None"."""
        self.label.setText(Path(path).name if path else instead or "None")
        self.label.setToolTip(path or instead)
        self.clear.setEnabled(bool(path))

    def _open(self) -> None:
        dialog = image_dialog(self, f"Choose the {self._what}")
        dialog.fileSelected.connect(lambda name: self.chosen.emit(Path(name)))
        dialog.open()


def narrow_combo(parent: QWidget) -> QComboBox:
    """A combo box whose width does not grow with its longest entry (a backend's or model's full name)."""
    combo = QComboBox(parent)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(NARROW_COMBO_CHARACTERS)
    return combo


def image_dialog(parent: QWidget, title: str) -> QFileDialog:
    dialog = QFileDialog(parent, title)
    dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.webp)")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


def set_text(editor: QPlainTextEdit, text: str) -> None:
    """Show `text` unless the editor already holds it, keeping the cursor where it was."""
    if editor.toPlainText() == text:
        return
    position = editor.textCursor().position()
    editor.setPlainText(text)
    cursor = editor.textCursor()
    cursor.setPosition(min(position, len(text)))
    editor.setTextCursor(cursor)


def set_line(editor: QLineEdit, text: str) -> None:
    if editor.text() != text:
        position = editor.cursorPosition()
        editor.setText(text)
        editor.setCursorPosition(min(position, len(text)))


def fill(combo: QComboBox, options: list[tuple[str, str]], current: str) -> None:
    combo.clear()
    for label, value in options:
        combo.addItem(label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
