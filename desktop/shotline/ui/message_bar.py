"""A calm, non-modal strip at the top of the window for things that did not happen: never a dialog, never a trace.

Each message is a row with a dismiss button; it hides itself after a few seconds. The same message arriving again
does not pile up: its row shows a count instead and its timer starts over.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from shotline.ui import theme

log = logging.getLogger(__name__)

AUTO_HIDE_MS = 8000
MAX_ROWS = 4


class MessageRow(QFrame):
    dismissed = Signal(object)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = text
        self.count = 1
        self.setObjectName("messageRow")
        self.setStyleSheet(
            f"#messageRow {{ background: {theme.PANEL.name()}; border-left: 3px solid {theme.WARNING.name()};"
            " border-radius: 3px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.badge = QLabel(self)
        self.badge.setStyleSheet(f"color: {theme.MUTED.name()};")
        self.badge.hide()
        close = QToolButton(self)
        close.setIcon(theme.icon("close"))
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this message")
        close.clicked.connect(lambda: self.dismissed.emit(self))
        self.close_button = close
        layout.addWidget(self.label)
        layout.addWidget(self.badge)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.dismissed.emit(self))

    def repeat(self) -> None:
        self.count += 1
        self.badge.setText(f"×{self.count}")
        self.badge.show()


class MessageBar(QWidget):
    """Shows `show_message(text)` calls as dismissable rows; connect `document.failed` to it."""

    def __init__(self, parent: QWidget | None = None, auto_hide_ms: int = AUTO_HIDE_MS) -> None:
        super().__init__(parent)
        self._auto_hide_ms = auto_hide_ms
        self._rows: list[MessageRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 0)
        self._layout.setSpacing(3)
        self.hide()

    def show_message(self, text: str) -> None:
        text = text.strip() or "Something did not work; details are in the log."
        log.info("Message shown: %s", text)
        row = next((r for r in self._rows if r.text == text), None)
        if row is None:
            row = MessageRow(text, self)
            row.dismissed.connect(self._dismiss)
            self._rows.append(row)
            self._layout.addWidget(row)
            while len(self._rows) > MAX_ROWS:
                self._dismiss(self._rows[0])
        else:
            row.repeat()
        row.timer.start(self._auto_hide_ms)
        self.show()

    def messages(self) -> list[tuple[str, int]]:
        """What is shown now: each message with how many times it arrived."""
        return [(row.text, row.count) for row in self._rows]

    def clear(self) -> None:
        for row in list(self._rows):
            self._dismiss(row)

    def _dismiss(self, row: MessageRow) -> None:
        if row not in self._rows:
            return
        self._rows.remove(row)
        row.timer.stop()
        row.hide()
        row.deleteLater()
        if not self._rows:
            self.hide()
