"""ShotListView: the card grid. Drops become one move (or an import) at the gap nearest the pointer, which a
bar marks while the drag is over the cards.

A stock QListView in icon mode moves card *positions* on a drop and asks the model to move rows one at a time;
here the model gets the whole drop once, so a multi-card move is one undo step and the project decides the order.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from shotline.ui import theme
from shotline.ui.storyboard.model import SHOT_IDS_MIME, ShotListModel

EMPTY_HINT = "Add a shot or paste a script to begin"
MARKER_WIDTH = 4


class ShotListView(QListView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(6)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setIconSize(QSize(204, 115))
        # Static movement (the project, not the view, places cards) also turns drops off on the viewport, which
        # is the widget a drag actually lands on: without this no card drag ever reached dropEvent.
        self.viewport().setAcceptDrops(True)
        self.drop_marker_row: int | None = None
        """The gap a drag over the cards would drop into (the row it lands before), shown as a bar; None when
        no drag is over the cards."""

    def shot_model(self) -> ShotListModel | None:
        model = self.model()
        return model if isinstance(model, ShotListModel) else None

    def showing_hint(self) -> bool:
        model = self.model()
        return model is None or model.rowCount() == 0

    def drop_row(self, pos: QPoint) -> int:
        """The row a drop at `pos` lands before: the card nearest the pointer (the one under it, or the nearest
        across a gap between cards), or the one after it past its middle."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return 0
        index = self.indexAt(pos)
        if not index.isValid():
            index = self._nearest_card(pos)
            if not index.isValid():
                return model.rowCount()
        rect = self.visualRect(index)
        past_middle = pos.y() > rect.center().y() if self._in_one_column() else pos.x() > rect.center().x()
        return index.row() + (1 if past_middle else 0)

    def _in_one_column(self) -> bool:
        """A narrow storyboard stacks its cards: then a gap is above or below a card, not beside it."""
        model = self.model()
        if model is None or model.rowCount() < 2:
            return self.viewport().width() < 2 * self.sizeHintForColumn(0)
        return self.visualRect(model.index(0, 0)).left() == self.visualRect(model.index(1, 0)).left()

    def _nearest_card(self, pos: QPoint) -> QModelIndex:
        model = self.model()
        best, best_distance = QModelIndex(), None
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            rect = self.visualRect(index)
            if not rect.isValid():
                continue
            dx = max(rect.left() - pos.x(), 0, pos.x() - rect.right())
            dy = max(rect.top() - pos.y(), 0, pos.y() - rect.bottom())
            distance = dx * dx + dy * dy
            if best_distance is None or distance < best_distance:
                best, best_distance = index, distance
        return best

    def drop_marker_rect(self) -> QRect | None:
        """Where the drop bar is drawn: in the gap before the card at `drop_marker_row`, or after the last card
        (beside the cards in a grid, above or below them in a single column)."""
        model = self.model()
        row = self.drop_marker_row
        if row is None or model is None or model.rowCount() == 0:
            return None
        after_last = row >= model.rowCount()
        card = self.visualRect(model.index(model.rowCount() - 1 if after_last else row, 0))
        gap = self.spacing() // 2 + 1
        if self._in_one_column():
            y = card.bottom() + gap if after_last else card.top() - gap
            return QRect(card.left(), y - MARKER_WIDTH // 2, card.width(), MARKER_WIDTH)
        x = card.right() + gap if after_last else card.left() - gap
        return QRect(x - MARKER_WIDTH // 2, card.top(), MARKER_WIDTH, card.height())

    def _show_marker(self, row: int | None) -> None:
        if row != self.drop_marker_row:
            self.drop_marker_row = row
            self.viewport().update()

    def _accepts(self, event: QDragEnterEvent | QDragMoveEvent) -> bool:
        data = event.mimeData()
        if data.hasFormat(SHOT_IDS_MIME):
            event.setDropAction(Qt.DropAction.MoveAction)
        elif data.hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)
        else:
            return False
        event.accept()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._accepts(event):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event):
            self._show_marker(self.drop_row(event.position().toPoint()))
        else:
            super().dragMoveEvent(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._show_marker(None)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._show_marker(None)
        model = self.shot_model()
        data = event.mimeData()
        if model is None or not (data.hasFormat(SHOT_IDS_MIME) or data.hasUrls()):
            super().dropEvent(event)
            return
        row = self.drop_row(event.position().toPoint())
        action = Qt.DropAction.MoveAction if data.hasFormat(SHOT_IDS_MIME) else Qt.DropAction.CopyAction
        model.dropMimeData(data, action, row, 0, QModelIndex())
        # Copy, not Move: the project already moved the rows, the view must not remove any after the drag.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        marker = self.drop_marker_rect()
        if marker is not None:
            QPainter(self.viewport()).fillRect(marker, theme.ACCENT)
        if self.showing_hint():
            painter = QPainter(self.viewport())
            painter.setPen(theme.MUTED)
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_HINT)
