"""`@Name` in a prompt editor: each mention of a cast member drawn in the accent colour, a mention of no one drawn
as a warning (underlined), and, while an `@word` is typed, a list of the cast members it could be.

The list is a window that never takes the keyboard: the editor keeps its focus, so typing goes on narrowing it, and
this object's event filter on the editor gives ↑/↓ to the list, Enter or Tab to complete, Esc to close it. The
rules for what a mention is are the core's (`core.cast.mentions`), so the editor shows exactly what a rename
rewrites and a submit will send.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QFont, QKeyEvent, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QPlainTextEdit

from shotline.core.cast import mentions
from shotline.core.changes import ProjectChange
from shotline.core.model import CastMember
from shotline.ui import theme
from shotline.ui.document import ProjectDocument

MAX_SHOWN = 8
"""Names the list shows before it scrolls."""


class MentionHighlighter(QSyntaxHighlighter):
    """Draws each `@Name` of a member bold in the accent colour, and an `@word` naming no member underlined in the
    warning colour (a typo, or a member since removed)."""

    def __init__(self, document: QTextDocument, cast: Callable[[], tuple[CastMember, ...]]) -> None:
        super().__init__(document)
        self._cast = cast
        self.known = QTextCharFormat()
        self.known.setForeground(theme.ACCENT.lighter(130))
        self.known.setFontWeight(QFont.Weight.Bold)
        self.unknown = QTextCharFormat()
        self.unknown.setForeground(theme.WARNING)
        self.unknown.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
        self.unknown.setUnderlineColor(theme.WARNING)

    def highlightBlock(self, text: str) -> None:
        names = {member.name.casefold() for member in self._cast()}
        for match in mentions(text):
            known = match[1].casefold() in names
            self.setFormat(match.start(), match.end() - match.start(), self.known if known else self.unknown)


class MentionCompletion(QObject):
    """Offers the cast's names while `@…` is typed in `editor`, and completes the one chosen."""

    def __init__(self, editor: QPlainTextEdit, cast: Callable[[], tuple[CastMember, ...]]) -> None:
        super().__init__(editor)
        self._editor = editor
        self._cast = cast
        self.popup = QListWidget()
        self.popup.setWindowFlags(Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.popup.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.popup.setStyleSheet(
            f"QListWidget {{ background: {theme.PANEL.name()}; color: {theme.TEXT.name()};"
            f" border: 1px solid {theme.ACCENT.name()}; }}"
            f" QListWidget::item:selected {{ background: {theme.ACCENT.name()}; }}"
        )
        self.popup.itemClicked.connect(lambda item: self._complete(item))
        editor.installEventFilter(self)
        editor.textChanged.connect(self._offer)
        editor.cursorPositionChanged.connect(self._offer)
        editor.destroyed.connect(self.popup.deleteLater)

    def typed(self) -> tuple[int, str] | None:
        """Where the `@word` the cursor ends begins, and its word so far; None if the cursor ends no mention."""
        cursor = self._editor.textCursor()
        if cursor.hasSelection():
            return None
        block = cursor.block().text()
        column = cursor.positionInBlock()
        start = column
        while start > 0 and (block[start - 1].isalnum() or block[start - 1] == "_"):
            start -= 1
        if start == 0 or block[start - 1] != "@":
            return None
        at = start - 1
        if at > 0 and (block[at - 1].isalnum() or block[at - 1] in "_@"):
            return None  # an e-mail address, not a mention (core.cast's rule)
        return cursor.block().position() + at, block[start:column]

    def _offer(self) -> None:
        typed = self.typed() if self._editor.hasFocus() else None
        if typed is None:
            self.popup.hide()
            return
        word = typed[1].casefold()
        members = [m for m in self._cast() if m.name.casefold().startswith(word) and m.name.casefold() != word]
        if not members:
            self.popup.hide()
            return
        self.popup.clear()
        for member in members:
            item = QListWidgetItem(f"@{member.name}   {member.kind.value}", self.popup)
            item.setData(Qt.ItemDataRole.UserRole, member.name)
            if member.description:
                item.setToolTip(member.description)
        self.popup.setCurrentRow(0)
        rect = self._editor.cursorRect()
        row = self.popup.sizeHintForRow(0)
        self.popup.resize(max(180, self.popup.sizeHintForColumn(0) + 24), row * min(len(members), MAX_SHOWN) + 6)
        place = self._editor.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom() + 2))
        screen = self._editor.screen().availableGeometry()
        place.setX(max(screen.left(), min(place.x(), screen.right() - self.popup.width())))  # whole, on screen
        self.popup.move(place)
        self.popup.show()

    def _complete(self, item: QListWidgetItem | None) -> None:
        typed = self.typed()
        self.popup.hide()
        if item is None or typed is None:
            return
        at, word = typed
        cursor = self._editor.textCursor()
        cursor.setPosition(at)
        cursor.setPosition(at + 1 + len(word), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(f"@{item.data(Qt.ItemDataRole.UserRole)}")
        self._editor.setTextCursor(cursor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._editor and event.type() == QEvent.Type.FocusOut:
            self.popup.hide()
        if watched is not self._editor or event.type() != QEvent.Type.KeyPress or not self.popup.isVisible():
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            self.popup.setCurrentRow((self.popup.currentRow() + step) % self.popup.count())
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            self._complete(self.popup.currentItem())
            return True
        if key == Qt.Key.Key_Escape:
            self.popup.hide()
            return True
        return False


def attach(editor: QPlainTextEdit, document: ProjectDocument) -> MentionHighlighter:
    """Give `editor` mention highlighting and completion over `document`'s cast, drawn again when the cast changes
    (a member added makes its mentions known, a rename or removal the old name's unknown)."""

    def cast() -> tuple[CastMember, ...]:
        return document.project.cast

    MentionCompletion(editor, cast)
    highlighter = MentionHighlighter(editor.document(), cast)

    def changed(change: ProjectChange) -> None:
        if change.cast:
            # drawing again marks the text changed; the editor's owner must not take that for typing (it would
            # write the prompt it shows back over a rename's)
            editor.blockSignals(True)
            try:
                highlighter.rehighlight()
            finally:
                editor.blockSignals(False)

    document.changed.connect(changed)
    return highlighter
