"""A text field that wraps and grows with what is typed, for a line of words that outgrows one row (the project's
style line): a QLineEdit showed only its tail. It speaks QLineEdit's small vocabulary (text, setText, textEdited,
editingFinished, cursor position) so it can replace one; Enter finishes the edit instead of starting a new line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QResizeEvent, QTextCursor, QTextOption
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QSizePolicy, QWidget

MAX_LINES = 4
"""It grows up to this many lines, then scrolls."""


class GrowingTextEdit(QPlainTextEdit):
    textEdited = Signal(str)
    """The creator changed the text (never emitted by setText)."""
    editingFinished = Signal()
    """Enter was pressed or the field lost focus."""

    def __init__(self, parent: QWidget | None = None, max_lines: int = MAX_LINES) -> None:
        super().__init__(parent)
        self._max_lines = max_lines
        self._setting = False
        self.setTabChangesFocus(True)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(3)
        self.textChanged.connect(self._changed)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    # ------------------------------------------------------------------------------------------ QLineEdit's words

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self._setting = True
        try:
            self.setPlainText(text)
        finally:
            self._setting = False

    def setPlaceholderText(self, text: str) -> None:
        super().setPlaceholderText(text)
        self._fit()

    def cursorPosition(self) -> int:
        return self.textCursor().position()

    def setCursorPosition(self, position: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(position, len(self.toPlainText()))))
        self.setTextCursor(cursor)

    def selectAll(self) -> None:
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cursor)

    # ------------------------------------------------------------------------------------------ behaviour

    def _changed(self) -> None:
        if not self._setting:
            self.textEdited.emit(self.toPlainText())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.editingFinished.emit()  # one paragraph: Enter is done, not a new line
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Pasted lines join into one paragraph (the style is one line of words)."""
        if source.hasText():
            self.insertPlainText(" ".join(source.text().split()))
            return
        super().insertFromMimeData(source)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editingFinished.emit()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
        return handled

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as its wrapped lines, from one up to the most it grows to."""
        line = self.fontMetrics().lineSpacing()
        lines = max(1, min(self._lines(), self._max_lines))
        margins = self.contentsMargins()
        frame = margins.top() + margins.bottom() + round(2 * self.document().documentMargin())
        height = lines * line + frame + line // 3  # QPlainTextEdit scrolls unless the last line has room to spare
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def _lines(self) -> int:
        if not self.toPlainText() and self.placeholderText():
            # the placeholder wraps like text would, and is read whole too
            width = max(self.viewport().width() - round(2 * self.document().documentMargin()), 1)
            flags = int(Qt.TextFlag.TextWordWrap)
            height = self.fontMetrics().boundingRect(0, 0, width, 10_000, flags, self.placeholderText()).height()
            return max(1, -(-height // self.fontMetrics().lineSpacing()))
        count = 0
        block = self.document().begin()
        while block.isValid():
            layout = block.layout()
            count += max(layout.lineCount(), 1) if layout is not None else 1
            block = block.next()
        return count
