"""Replace retired models: what each retired model's replacement keeps or drops of every shot on it, and what a take
will cost, shown before anything changes; Move applies it as one undoable edit (services.model_move)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from shotline.services.model_move import ModelMove, plan_move, plan_moves
from shotline.services.retirement import Retirement
from shotline.ui.document import ProjectDocument


def show_moves(document: ProjectDocument, parent: QWidget, retired: Retirement | None = None) -> ReplaceModelDialog:
    """The dialog for moving the shots on `retired` (by default every retired model in use), window-modal so the plan
    it shows cannot go stale behind it; the inspector, the card's menu and Edit → Replace retired models… open it."""
    registry = document.ctx.registry
    if retired is not None:
        moves = [plan_move(registry, document.project, retired)]
    else:
        moves = plan_moves(registry, document.project, document.retired_answers)
    dialog = ReplaceModelDialog(document, moves, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class ReplaceModelDialog(QDialog):
    def __init__(self, document: ProjectDocument, moves: list[ModelMove], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.moves = [move for move in moves if move.shots]
        self.setWindowTitle("Replace retired models")
        self.setMinimumWidth(560)
        column = QVBoxLayout(self)
        if not self.moves:
            column.addWidget(self._label("No shot uses a retired model that has a replacement."))
        for move in self.moves:
            heading, *shots = move.describe()
            title = self._label(f"<b>{move.retirement.describe()}</b>")
            title.setTextFormat(Qt.TextFormat.RichText)
            column.addWidget(title)
            column.addWidget(self._label(heading))
            self.shot_lines = self._label("\n".join(f"• {line}" for line in shots))
            self.shot_lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(self.shot_lines)
        column.addWidget(
            self._label("What a model drops is taken off the shot; Undo puts the shots back as they were.", muted=True)
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.move_button = buttons.addButton(self._move_text(), QDialogButtonBox.ButtonRole.AcceptRole)
        self.move_button.setEnabled(bool(self.moves))
        self.move_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def _label(self, text: str, *, muted: bool = False) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        if muted:
            label.setEnabled(False)
        return label

    def _move_text(self) -> str:
        count = sum(len(move.shots) for move in self.moves)
        if len(self.moves) == 1:
            return self.moves[0].label
        return f"Move {count} shot{'s' if count != 1 else ''}"

    def accept(self) -> None:
        """Every move in one undo step, named as the button said."""
        with self.document.transaction(self._move_text()):
            for move in self.moves:
                self.document.execute(move.command())
        super().accept()
