"""After a crash: the autosave is newer than the saved project — restore it, discard it, or decide later."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from shotline.core.changes import diff
from shotline.core.model import Project


class RecoveryChoice(StrEnum):
    RESTORE = "restore"
    DISCARD = "discard"
    LATER = "later"


def summary(saved: Project, recovered: Project) -> str:
    """What the autosave holds that the saved project does not, in a creator's words."""
    change = diff(saved, recovered)
    parts = []
    if change.added:
        parts.append(f"{len(change.added)} shot(s) added")
    if change.removed:
        parts.append(f"{len(change.removed)} shot(s) removed")
    if change.updated:
        parts.append(f"{len(change.updated)} shot(s) changed")
    if change.reordered:
        parts.append("shots reordered")
    if change.settings:
        parts.append("project settings changed")
    if change.audio:
        parts.append("sound changed")
    if saved.removed_takes != recovered.removed_takes:
        parts.append("takes deleted or restored")
    elif change.library:
        parts.append("library changed")
    return ", ".join(parts) or "small changes"


class RecoveryDialog(QDialog):
    """Non-blocking: open() it and listen to `finished`; `choice` says what the creator picked."""

    def __init__(self, saved: Project, recovered: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved work?")
        self.choice = RecoveryChoice.LATER
        self.message = QLabel(
            f"Shotline closed before “{recovered.title}” was saved. The autosave has work the saved project does "
            f"not: {summary(saved, recovered)}.\n\nRestore brings it back as one step you can undo. Discard deletes "
            "the autosave. Keep for later leaves it and asks again next time.",
            self,
        )
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.restore_button = self._button("Restore", RecoveryChoice.RESTORE, QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = self._button(
            "Discard", RecoveryChoice.DISCARD, QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.later_button = self._button("Keep for later", RecoveryChoice.LATER, QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _button(self, text: str, choice: RecoveryChoice, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        button = self.buttons.addButton(text, role)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: RecoveryChoice) -> None:
        self.choice = choice
        self.done(QDialog.DialogCode.Accepted if choice is RecoveryChoice.RESTORE else QDialog.DialogCode.Rejected)
