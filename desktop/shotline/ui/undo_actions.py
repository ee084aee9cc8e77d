"""Edit ▸ Undo / Redo as actions whose text names the step ("Undo Trim shot"), kept current from the document."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.shortcuts import LABEL, redo_keys


class UndoActions(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo = QAction(theme.icon("undo"), "Undo", self)
        self.undo.setObjectName("edit.undo")
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo = QAction(theme.icon("redo"), "Redo", self)
        self.redo.setObjectName("edit.redo")
        self.redo.setShortcuts(redo_keys())
        for action, label in ((self.undo, "Undo"), (self.redo, "Redo")):
            action.setProperty(LABEL, label)  # listed as that in Help → Keyboard shortcuts, whatever it undoes
        self.undo.triggered.connect(self._undo)
        self.redo.triggered.connect(self._redo)
        self._document: ProjectDocument | None = None
        self.refresh()

    def set_document(self, document: ProjectDocument | None) -> None:
        if self._document is not None:
            self._document.history_changed.disconnect(self.refresh)
        self._document = document
        if document is not None:
            document.history_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        history = self._document.session.history if self._document is not None else None
        undo_label = history.undo_label if history is not None else None
        redo_label = history.redo_label if history is not None else None
        self.undo.setText(f"Undo {undo_label}" if undo_label else "Undo")
        self.redo.setText(f"Redo {redo_label}" if redo_label else "Redo")
        self.undo.setEnabled(undo_label is not None)
        self.redo.setEnabled(redo_label is not None)
        self.undo.setToolTip(
            f"{self.undo.text()} ({self.undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        self.redo.setToolTip(
            f"{self.redo.text()} ({self.redo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        )

    def _undo(self) -> None:
        if self._document is not None:
            self._document.undo()

    def _redo(self) -> None:
        if self._document is not None:
            self._document.redo()
