"""ShotListView: the card grid. Drops become one move (or an import) at the gap nearest the pointer.

A stock QListView in icon mode moves card *positions* on a drop and asks the model to move rows one at a time;
here the model gets the whole drop once, so a multi-card move is one undo step and the project decides the order.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from shotline.ui import theme
from shotline.ui.storyboard.model import SHOT_IDS_MIME, ShotListModel

EMPTY_HINT = "Add a shot or paste a script to begin"


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

    def shot_model(self) -> ShotListModel | None:
        model = self.model()
        return model if isinstance(model, ShotListModel) else None

    def showing_hint(self) -> bool:
        model = self.model()
        return model is None or model.rowCount() == 0

    def drop_row(self, pos: QPoint) -> int:
        """The row a drop at `pos` lands before: the card under the pointer, or the one after it past its middle."""
        index = self.indexAt(pos)
        model = self.model()
        if not index.isValid():
            return model.rowCount() if model is not None else 0
        rect = self.visualRect(index)
        return index.row() + (1 if pos.x() > rect.center().x() else 0)

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
        if not self._accepts(event):
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
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
        if self.showing_hint():
            painter = QPainter(self.viewport())
            painter.setPen(theme.MUTED)
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_HINT)
