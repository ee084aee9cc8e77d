"""TakeCell: one take in the compare grid — its current frame, the key that picks it, its caption; a click picks it.

The picture is painted from what the grid hands it (a decoded frame, or a message when the clip cannot be read),
scaled to fit with black bars, with the take's key (and a note while its sound is the one heard) in a corner.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from shotline.ui import theme

FIRST_BOX = QSize(640, 360)
"""The picture size asked for before the grid is laid out."""


class TakeCell(QWidget):
    """One compared take: its picture, the key that picks it, its caption; a click picks it."""

    clicked = Signal()

    def __init__(self, key: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.picked = False
        self.view = TakePicture(key, self)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold")
        self.facts = QLabel(self)
        self.facts.setStyleSheet(f"color: {theme.MUTED.name()}")
        for label in (self.title, self.facts):
            # a long model name is cut rather than widening the grid; the tooltip has it whole
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(2)
        column.addWidget(self.view, 1)
        column.addWidget(self.title)
        column.addWidget(self.facts)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Click or press {key} to pick this take")

    def show_caption(self, title: str, facts: str, *, picked: bool) -> None:
        self.picked = picked
        self.title.setText(f"{title}  ★ picked" if picked else title)
        self.title.setToolTip(title)
        self.facts.setText(facts)
        self.facts.setToolTip(facts)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setPen(QPen(theme.ACCENT if self.picked else theme.PANEL, 3))
        painter.drawRect(self.rect().adjusted(1, 1, -2, -2))


class TakePicture(QWidget):
    """Paints the take's current frame, scaled to fit with black bars, and its key in a corner."""

    def __init__(self, key: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self.image = QImage()
        self.message = ""
        self.heard = False
        """This take's sound is the one heard (a note beside its key says so)."""
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def box(self) -> QSize:
        """The picture size to ask the decoder for: this widget's size in device pixels."""
        if not self.isVisible():
            return FIRST_BOX
        ratio = self.devicePixelRatioF()
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    def picture_rect(self) -> QRect:
        """Where the picture is painted: as large as fits, keeping its aspect, centred."""
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        place = QRect(0, 0, size.width(), size.height())
        place.moveCenter(self.rect().center())
        return place

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if not self.image.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.picture_rect(), self.image)
        elif self.message:
            painter.setPen(theme.TEXT)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(12, 12, -12, -12), flags, self.message)
        badge = QRect(8, 8, 26, 26)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.PANEL)
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(theme.TEXT)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(self._key))
        if self.heard:
            note = badge.translated(badge.width() + 4, 0)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(note, 4, 4)
            painter.setPen(theme.TEXT)
            painter.drawText(note, Qt.AlignmentFlag.AlignCenter, "♪")
