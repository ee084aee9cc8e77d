"""A project whose project.json is damaged: offer its newest backup that opens, restore it, then open the project.

Asked in a window-modal dialog that does not block (like the recovery dialog); the damaged file is never deleted,
restoring keeps it beside the project file (services.restore).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from shotline.services.restore import BackupEntry, backup_for_damaged, restore
from shotline.ui.document import describe

RESTORE_LATEST = "Restore the latest backup"
"""The button's text; the damage message (storage.bundle) tells the creator to look for exactly this."""


class RestoreBackupDialog(QDialog):
    def __init__(self, message: str, backup: BackupEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("This project is damaged")
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        self.advice = QLabel(
            f"{RESTORE_LATEST} brings the project back as it was saved at {backup.label}; edits saved after that "
            "are only in the damaged file, which is kept beside the project file as project.json.damaged-<time>.",
            self,
        )
        self.advice.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton(RESTORE_LATEST, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.advice)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())


class BackupRestorer(QObject):
    """Offers a damaged project's newest good backup; `restored(path)` once it is back, `reported(text)` says how."""

    restored = Signal(object)
    reported = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self.dialog: RestoreBackupDialog | None = None

    def offer(self, project: Path, message: str) -> bool:
        """Ask whether to restore, if a backup can help; False, with nothing shown, if none can."""
        backup = backup_for_damaged(project)
        if backup is None:
            return False
        if self.dialog is not None:
            self.dialog.reject()
        dialog = RestoreBackupDialog(message, backup, self._window)
        dialog.finished.connect(lambda code: self._answered(dialog, project, message, code))
        self.dialog = dialog
        dialog.open()
        return True

    def _answered(self, dialog: RestoreBackupDialog, project: Path, message: str, code: int) -> None:
        if dialog is self.dialog:
            self.dialog = None
        dialog.deleteLater()
        if code != QDialog.DialogCode.Accepted:
            self.reported.emit(message)  # the reason stays in sight, and the offer comes again on the next open
            return
        try:
            report = restore(project)
        except Exception as error:
            self.reported.emit(f"Could not restore {project.name}: {describe(error)}")
            return
        self.reported.emit(report.description)
        self.restored.emit(project)
