"""Drawing the timeline's markers: a flag hanging from the ruler for each, and a faint line down through the
picture, in a colour of their own (apart from the playhead's amber and the selection's blue)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from shotline.core.model import Marker
from shotline.ui.timeline import geometry
from shotline.ui.timeline.geometry import TimelineGeometry

MARKER = QColor("#e05dad")
LINE_ALPHA = 110


def paint_markers(painter: QPainter, geo: TimelineGeometry, markers: tuple[Marker, ...], exposed: QRect) -> None:
    painter.save()
    line = QColor(MARKER)
    line.setAlpha(LINE_ALPHA)
    for marker in markers:
        x = geo.x_of(marker.at_us)
        if x < exposed.left() - 6 or x > exposed.right() + 6:
            continue
        painter.setPen(QPen(line, 1))
        painter.drawLine(QPointF(x, geometry.RULER_HEIGHT), QPointF(x, geometry.CLIP_TOP + geometry.CLIP_HEIGHT))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MARKER)
        flag = [QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x + 5, 9), QPointF(x, 14), QPointF(x - 5, 9)]
        painter.drawPolygon(QPolygonF(flag))
    painter.restore()
