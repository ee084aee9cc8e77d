"""The export dialog's route line: which way the export will go (a lossless copy, the picture copied, or a
re-encode) and why, with the button that snaps cuts to keyframes when only they stand in the way of a copy.

The route is worked out off the GUI thread (the first look at new takes reads their files); each new question
makes any answer still on its way stale, so only the latest is shown; an answer arriving after the dialog closed is
dropped (Bridge.watch's owner), its label being deleted with the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from shotline.core.model import ExportSettings
from shotline.services.lossless import RouteDecision, start_route
from shotline.ui import theme
from shotline.ui.dialogs.export_choices import sentence
from shotline.ui.document import ProjectDocument, describe


class RouteLine:
    """The route label and the snap button (placed by the dialog's form), and the question in flight."""

    def __init__(self, document: ProjectDocument, parent: QWidget) -> None:
        self._document = document
        self._asked = 0
        self._shown = 0
        self.label = QLabel(parent)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.snap_button = QPushButton("Snap cuts to keyframes for a lossless export", parent)
        self.snap_button.setToolTip("Move each shot's in and out points onto the nearest keyframes (one undo step)")

    @property
    def pending(self) -> bool:
        """Whether the latest question has not been answered yet."""
        return self._shown != self._asked

    def ask(self, settings: ExportSettings) -> None:
        """Work out the route these settings take, off the GUI thread; the answer replaces the line."""
        self._asked += 1
        asked = self._asked
        self._document.bridge.watch(
            start_route(self._document.ctx, self._document.session, settings),
            lambda decision: self._answered(asked, decision),
            lambda error: self._answered(asked, error),
            owner=self.label,  # the label and button go with their dialog: a closed dialog's answer is dropped
        )

    def show_problem(self, error: BaseException) -> None:
        """Why there is no route (a shot without a take, missing media…); any answer on its way is stale."""
        self._asked += 1
        self._shown = self._asked
        self._show(describe(error), theme.WARNING)
        self.snap_button.setVisible(False)

    def _answered(self, asked: int, decision: RouteDecision | BaseException) -> None:
        if asked != self._asked:
            return
        if isinstance(decision, BaseException):
            self.show_problem(decision)
            return
        self._shown = asked
        reasons = " ".join(sentence(r) for r in decision.reasons)
        if decision.lossless:
            self._show(f"Lossless copy: the clips' frames go into the file untouched. {reasons}", theme.SUCCESS)
        elif decision.copies_picture:
            self._show(f"Picture copied, sound mixed and encoded. {reasons}", theme.SUCCESS)
        else:
            self._show(f"Re-encode. {reasons}", theme.TEXT)
        self.snap_button.setVisible(decision.cuts_off_keyframes)

    def _show(self, text: str, colour: QColor) -> None:
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {colour.name()};")
