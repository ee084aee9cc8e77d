"""ModelNotice: under a shot's model in the inspector, what the creator must know before sending — that the model is
retired (with its replacement, and a button that moves every shot on it), and which of the shot's settings the
model cannot take (services.shot_fit: they are not sent, and the inspector hides their fields)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from shotline.core.model import Shot
from shotline.core.ports import ModelInfo
from shotline.services.retirement import Retirement, retirement
from shotline.services.shot_fit import fit_shot, take_off_command
from shotline.services.shots import model_info
from shotline.ui import theme
from shotline.ui.dialogs.replace_model import ReplaceModelDialog, show_moves
from shotline.ui.document import ProjectDocument


class ModelNotice(QWidget):
    def __init__(
        self, document: ProjectDocument, parent: QWidget | None = None, *, after: QWidget | None = None
    ) -> None:
        """`after`: the field the notice follows (the model), which Tab comes from and focus goes back to."""
        super().__init__(parent)
        self.document = document
        self.retired: Retirement | None = None
        self.model: ModelInfo | None = None
        self._shot_id: str | None = None
        self._answers_seen = 0
        self.dialog: ReplaceModelDialog | None = None
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setStyleSheet(f"color: {theme.WARNING.name()}")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.move_button = QPushButton(self)
        self.move_button.clicked.connect(self.replace)
        self.remove_button = QPushButton("Remove them from the shot", self)
        self.remove_button.setToolTip("Take off the shot what its model cannot take (Undo puts them back)")
        self.remove_button.clicked.connect(self.remove_dropped)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.move_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.label)
        column.addLayout(row)
        if after is not None:
            QWidget.setTabOrder(after, self.move_button)
            QWidget.setTabOrder(self.move_button, self.remove_button)
        self.setVisible(False)
        document.job_changed.connect(self._job_changed)

    def show_shot(self, shot: Shot | None) -> None:
        """Say what applies to `shot` (or hide, when nothing does)."""
        registry = self.document.ctx.registry
        lines: list[str] = []
        self.retired = None
        self.model = None
        dropping = False
        self._shot_id = shot.id if shot is not None else None
        self._answers_seen = len(self.document.retired_answers)
        if shot is not None:
            self.retired = retirement(registry, shot.generation, self.document.retired_answers)
            if self.retired is not None:
                lines.append(self.retired.describe())
            self.model = model_info(registry, shot.generation)
            if self.model is not None and (self.retired is None or not self.retired.has_passed()):
                # what a model past its retirement cannot take is moot: it is sent nothing, and a move says the rest
                fit = fit_shot(shot, self.model)
                dropping = bool(fit.dropped)
                self.remove_button.setText(
                    "Remove them from the shot" if len(fit.dropped) > 1 else "Remove it from the shot"
                )
                lines.extend(fit.notes())
        replacement = self.retired.replacement if self.retired is not None else None
        if replacement is not None:
            self.move_button.setText(f"Move its shots to {replacement.label}…")
        self.move_button.setVisible(replacement is not None)
        self.remove_button.setVisible(dropping and replacement is None)  # a move takes them off anyway
        self.label.setText("\n".join(lines))
        self.setVisible(bool(lines))

    def remove_dropped(self) -> None:
        """What the model cannot take comes off the shot (their fields are hidden): one undoable edit."""
        if self._shot_id is not None and self.model is not None:
            # the button hides with the notice: focus goes back to the model (before it in the tab order), not on to
            # the next field (the sound's gain, whose text a keypress would then replace)
            self.focusPreviousChild()
            self.document.execute(take_off_command(self._shot_id, self.model))

    def _job_changed(self, _job_id: str) -> None:
        """A provider may just have answered that a model is retired: say so on the shot at once."""
        project = self.document.project
        if (
            len(self.document.retired_answers) != self._answers_seen
            and self._shot_id
            and project.has_shot(self._shot_id)
        ):
            self.show_shot(project.shot(self._shot_id))

    def replace(self) -> None:
        """Show what moving every shot on the retired model keeps or drops; Move there is one undoable edit."""
        if self.retired is None:
            return
        self.dialog = show_moves(self.document, self.window(), self.retired)
        self.dialog.finished.connect(self._closed)

    def _closed(self) -> None:
        self.dialog = None
