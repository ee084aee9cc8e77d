"""While files are dragged over the window, show where they will land before they are let go: over the timeline a
bar at the cut where clips go in or a band on the lane a sound goes onto, from the time it will start; over the
rest of the window a frame saying what the drop does (open a project, add clips at the end).

Drawn by a see-through overlay on top of the target, fed by an event filter, so the target widget itself draws
nothing extra and keeps its own drop handling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QDragMoveEvent, QDropEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from shotline.core.model import LaneKind
from shotline.ui import theme
from shotline.ui.dialogs.open_project import is_project
from shotline.ui.sharing import is_archive
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline import geometry as timeline_geometry
from shotline.ui.timeline.sound_gestures import is_sound_file


@dataclass(frozen=True, slots=True)
class Landing:
    """Where a drop will land, in the overlay's coordinates, and what it will do."""

    rect: QRectF
    text: str


class _Overlay(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.landing: Landing | None = None
        self.hide()

    def show_landing(self, landing: Landing | None) -> None:
        self.landing = landing
        if landing is None:
            self.hide()
            return
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        landing = self.landing
        if landing is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(theme.ACCENT)
        fill.setAlpha(60)
        painter.fillRect(landing.rect, fill)
        painter.setPen(QPen(theme.ACCENT, 2))
        painter.drawRect(landing.rect.adjusted(1, 1, -1, -1))
        if landing.text:
            metrics = painter.fontMetrics()
            width = metrics.horizontalAdvance(landing.text) + 16
            box = QRectF(landing.rect.left() + 4, landing.rect.top() + 4, width, metrics.height() + 8)
            if landing.rect.width() > 2 * width:  # the whole window: say it in the middle, where the eye is
                box.moveCenter(landing.rect.center())
            box.moveLeft(min(box.left(), max(0.0, self.width() - width - 4)))
            painter.fillRect(box, theme.ACCENT)
            painter.setPen(QColor("white"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, landing.text)


class DropHighlight(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window_overlay = _Overlay(window)
        self._timeline: TimelinePanel | None = None
        self._timeline_overlay: _Overlay | None = None

    # ------------------------------------------------------------------------------------------ the window

    def show_window(self, text: str) -> None:
        overlay = self._window_overlay
        parent = overlay.parentWidget()
        if parent is not None:
            self._window_overlay.show_landing(Landing(QRectF(parent.rect()).adjusted(8, 30, -8, -30), text))

    def clear(self) -> None:
        self._window_overlay.show_landing(None)
        if self._timeline_overlay is not None:
            self._timeline_overlay.show_landing(None)

    @property
    def landing(self) -> Landing | None:
        """What is highlighted now, on the timeline or the window (for tests and the screen reader's sake)."""
        if self._timeline_overlay is not None and self._timeline_overlay.landing is not None:
            return self._timeline_overlay.landing
        return self._window_overlay.landing

    @staticmethod
    def pass_drops_through(viewer: QWidget) -> None:
        """Qt's video surface inside the viewer takes file drags for itself and drops them on the floor: let them
        reach the window instead, so a clip dropped on the picture is added and highlighted like anywhere else."""
        for surface in viewer.findChildren(QWidget):
            if surface.acceptDrops():
                surface.setAcceptDrops(False)

    # ------------------------------------------------------------------------------------------ the timeline

    def watch_timeline(self, timeline: TimelinePanel) -> None:
        self._timeline = timeline
        self._timeline_overlay = _Overlay(timeline.canvas)
        timeline.canvas.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        timeline = self._timeline
        if timeline is None or watched is not timeline.canvas or self._timeline_overlay is None:
            return False
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(event, QDragMoveEvent):
            files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
            point = event.position()
            landing = timeline_landing(timeline, files, point.x(), point.y()) if files else None
            self._window_overlay.show_landing(None)
            self._timeline_overlay.show_landing(landing)
        elif kind in (QEvent.Type.DragLeave, QEvent.Type.Drop):
            self._timeline_overlay.show_landing(None)
        return False  # the canvas still handles the drag and the drop itself


def timeline_landing(timeline: TimelinePanel, files: list[Path], x: float, y: float) -> Landing | None:
    """Where files dropped at (x, y) on the timeline's canvas go, as the canvas's drop does it."""
    canvas = timeline.canvas
    geo = canvas.geometry_
    sounds = [f for f in files if is_sound_file(f)]
    if sounds:
        row = geo.row_at(y)
        rows = [r for r in geo.rows if r.holds_clips]
        if row is None or not row.holds_clips:
            music = [r for r in rows if r.lane.kind is LaneKind.MUSIC]
            if not (music or rows):
                return None
            row = (music or rows)[0]
        start = geo.x_of(max(0, geo.us_at(x)))
        what = f"{len(sounds)} sounds" if len(sounds) > 1 else sounds[0].name
        return Landing(
            QRectF(start, row.top, max(40.0, canvas.width() - start), row.bottom - row.top), f"{what} → {row.lane.name}"
        )
    boundary = geo.boundary_at(x)
    boxes = geo.boxes
    edge = boxes[boundary].x0 if boundary < len(boxes) else (boxes[-1].x1 if boxes else 0.0)
    top, height = timeline_geometry.CLIP_TOP, timeline_geometry.CLIP_HEIGHT
    what = f"{len(files)} clips" if len(files) > 1 else files[0].name
    return Landing(QRectF(edge - 3, top - 4, 6, height + 8), f"{what} → new shot {boundary + 1}")


def dropped_files(event: QDropEvent) -> list[Path]:
    """The local files a drag carries (a drag-enter or drag-move event is a drop event too)."""
    return [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]


def openable_of(files: list[Path]) -> Path | None:
    """The first of `files` that is a project or a shared archive, if any: dropping it opens it."""
    return next((f for f in files if is_archive(f) or is_project(f)), None)


def window_drop_note(files: list[Path], *, project_open: bool) -> str:
    """What dropping `files` on the window (not the timeline) will do, as the window then does it; "" if nothing."""
    if not files:
        return ""
    if (openable := openable_of(files)) is not None:
        return f"Drop to open {openable.name}"
    if not project_open:
        return ""
    what = f"{len(files)} clips" if len(files) > 1 else files[0].name
    return f"Drop to add {what} as new shots at the end of the film"
