"""CastSent: under a shot's model in the inspector, what of each cast member the prompt mentions will be sent to that
model — "image reference", "first frame", "described in words" or "dropped (only 3 references)" (core.references).

Shown before anything is sent, and worked out afresh whenever the shot changes (its model or backend, a prompt
that mentions someone new) or the cast does (a picture added, a description written), so moving a shot to another
model shows at once what of its cast is kept and what is lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from shotline.core.model import Project, Shot
from shotline.core.ports import ModelInfo
from shotline.core.references import How, Placement, placements
from shotline.ui import theme

_COLOUR = {How.DESCRIBED: theme.MUTED, How.DROPPED: theme.WARNING}
"""A picture sent reads as plain text; words in its place are muted, a member lost is a warning."""


class CastSent(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.lines: list[QLabel] = []
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(2)
        self._column.addWidget(self.heading)
        self.placed: tuple[Placement, ...] = ()
        self.setVisible(False)

    def show_shot(self, project: Project, shot: Shot | None, model: ModelInfo | None) -> None:
        """Say what `model` is sent of each member `shot` mentions; hidden when it mentions no one."""
        placed = placements(project, shot, model) if shot is not None and model is not None else ()
        if placed == self.placed and model is not None and self.heading.text() == _heading(model):
            return  # typing that mentions no one new leaves the lines (and a hovered tooltip) alone
        self.placed = placed
        for line in self.lines:
            self._column.removeWidget(line)
            line.deleteLater()
        self.lines = []
        if model is None or not placed:
            self.heading.setText("")
            self.setVisible(False)
            return
        self.heading.setText(_heading(model))
        for placement in placed:
            line = QLabel(f"@{placement.name} — {_what(placement)}", self)
            line.setWordWrap(True)
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if (colour := _COLOUR.get(placement.how)) is not None:
                line.setStyleSheet(f"color: {colour.name()}")
            line.setToolTip(_why(placement, model))
            self._column.addWidget(line)
            self.lines.append(line)
        self.setVisible(True)

    def texts(self) -> list[str]:
        return [line.text() for line in self.lines]


def _heading(model: ModelInfo) -> str:
    return f"Cast sent to {model.label}:"


def _what(placement: Placement) -> str:
    """ "image reference", "first frame", "described in words (…)", "dropped (only 3 references)"."""
    if placement.how is How.DESCRIBED and placement.detail:
        return f"{placement.how.value} ({placement.detail})"
    return placement.text()


def _why(placement: Placement, model: ModelInfo) -> str:
    if placement.how is How.IMAGE_REFERENCE:
        return f"Its first picture goes to {model.label} as a reference image."
    if placement.how is How.FIRST_FRAME:
        return f"Its first picture opens the clip: {model.label} starts from it."
    if placement.how is How.DESCRIBED:
        return f"Its description is written into the prompt {model.label} is sent."
    return (
        f"{model.label} is sent nothing of it: give it a picture or a description in Cast & places, or choose a "
        "model that takes more references."
    )
