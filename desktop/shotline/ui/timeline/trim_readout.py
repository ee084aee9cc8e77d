"""What a trim drag shows while it runs, as Shotcut and Resolve do: the take's new in and out points and the shot's
length in a label beside the grabbed edge, and the edge's frame in the viewer.

The viewer follows the shared playhead, so the edge frame is shown by parking the playhead on it for the drag
(the first frame for the in edge, the last for the out edge) and putting it back when the drag ends.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPen

from shotline.core.frames import ClockStyle, format_clock
from shotline.core.model import Project, Take
from shotline.core.timecode import frame_time_us
from shotline.core.timeline import format_length, layout, length_frames
from shotline.ui import theme
from shotline.ui.timeline import geometry

PADDING = 5


def readout_text(take: Take, project_fps: Fraction, style: ClockStyle) -> str:
    """`In 00:00:00:12 · Out 00:00:03:01 · 3.042 s`: source times at the take's own rate, the length as every
    other view shows it (core.timeline.format_length)."""
    rate = take.info.fps or project_fps
    return (
        f"In {format_clock(take.trim.in_us, rate, style)} · Out {format_clock(take.trim.out_us, rate, style)}"
        f" · {format_length(take.trim.duration_us, project_fps)}"
    )


def edge_time(project: Project, shot_id: str, side: str) -> int | None:
    """The timeline time whose frame is the grabbed edge's: the shot's first frame, or its last."""
    placement = next((p for p in layout(project) if p.shot.id == shot_id), None)
    if placement is None:
        return None
    if side == "in":
        return placement.start_us
    fps = project.settings.fps
    frames = length_frames(placement.duration_us, fps)
    return placement.start_us + frame_time_us(max(frames - 1, 0), fps)


def paint_readout(painter: QPainter, text: str, edge_x: float, side: str, visible: QRectF) -> QRectF:
    """The label beside the edge, inside the shot (left of an out edge, right of an in edge), kept on screen."""
    metrics = QFontMetrics(painter.font())
    width = metrics.horizontalAdvance(text) + 2 * PADDING
    height = metrics.height() + 2 * PADDING - 2
    left = edge_x - width - 4 if side == "out" else edge_x + 4
    left = min(max(left, visible.left() + 2), visible.right() - width - 2)
    box = QRectF(left, geometry.CLIP_TOP + geometry.TITLE_HEIGHT + 4, width, height)
    painter.save()
    painter.setPen(QPen(theme.ACCENT, 1))
    painter.setBrush(theme.WINDOW)
    painter.drawRoundedRect(box, 3, 3)
    painter.setPen(theme.TEXT)
    painter.drawText(box.adjusted(PADDING, 0, -PADDING, 0), Qt.AlignmentFlag.AlignVCenter, text)
    painter.restore()
    return box
