"""The painted timeline: ruler, clips with filmstrips and titles, crossfades, the audio lanes with their
waveforms, the playhead, and what the mouse does to them.

Mouse gestures become document edits: dragging a clip's edge trims it, dragging its body reorders (see
`shot_gestures`), pressing the ruler scrubs the playhead. In the lanes, sound clips are selected, moved, trimmed
and dropped in (see `sound_gestures`). Only what lies under the exposed rectangle is painted.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDropEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QInputDialog, QToolTip, QWidget

from shotline.core.frames import ClockStyle, clock_style, format_clock
from shotline.core.model import LaneKind, Take
from shotline.core.timecode import snap_to_frame
from shotline.core.timeline import format_length
from shotline.services.thumbnails import filmstrip_times
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import geometry
from shotline.ui.timeline.caption_lane import (
    CaptionDrag,
    CaptionGestures,
    CaptionMove,
    CaptionTrim,
    caption_menu,
    paint_captions,
)
from shotline.ui.timeline.filmstrip import FilmstripCache
from shotline.ui.timeline.geometry import ClipBox, TimelineGeometry
from shotline.ui.timeline.markers import paint_markers
from shotline.ui.timeline.shot_gestures import ShotGestures, ShotMove, ShotTrim
from shotline.ui.timeline.sound_gestures import SoundDrag, SoundGestures, SoundMove, SoundTrim, is_sound_file
from shotline.ui.timeline.sound_rows import SoundRows
from shotline.ui.timeline.trim_readout import paint_readout, readout_text
from shotline.ui.timeline.waveform_cache import WaveformCache

PLAYHEAD = QColor("#f0b429")
CROSSFADE = QColor(255, 255, 255, 60)
FILM_TOP = geometry.CLIP_TOP + geometry.TITLE_HEIGHT
FILM_HEIGHT = geometry.CLIP_HEIGHT - geometry.TITLE_HEIGHT - 2


class TimelineCanvas(QWidget):
    zoom_requested = Signal(float, float)
    """Ctrl+wheel: (factor, x in canvas pixels to keep still)."""
    scroll_requested = Signal(int)
    """A plain wheel turn: pixels to scroll sideways."""
    drag_finished = Signal()
    """A trim, move or scrub ended (the panel may fit the film again, which it never does mid-drag)."""

    def __init__(
        self, document: ProjectDocument, selection: ShotSelection, playhead: Playhead, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._selection = selection
        self._playhead = playhead
        self._pps = 100.0
        self._view_width = 0
        self.geometry_ = TimelineGeometry(document.project, self._pps)
        self.filmstrips = FilmstripCache(document, self)
        self.filmstrips.arrived.connect(self.update)
        self.waveforms = WaveformCache(document, self)
        self.waveforms.arrived.connect(self.update)
        self._sound_rows = SoundRows(self.waveforms, self.fontMetrics())
        self.shots = ShotGestures(document, selection, playhead)
        self.sounds = SoundGestures(document, selection, playhead)
        self.captions = CaptionGestures(document, playhead)
        self._drag: ShotTrim | ShotMove | SoundDrag | CaptionDrag | None = None
        self._scrubbing = False
        self.trim_readout_rect: QRectF | None = None
        """Where the trim readout was last painted (for tests and the walk)."""
        self._titles: dict[tuple[str, str, int], str] = {}
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(
            "Drag a clip's edge to trim it, drag a clip to move it, click the ruler to move the playhead.\n"
            "Drop music or voice-over files on a lane · Delete removes the selected sound or caption\n"
            "Double-click a caption to edit its words; right-click the Captions row to make them from the lines\n"
            "Sound clips snap to cuts and the playhead; hold Shift to drag freely\n"
            "S splits at the playhead · M marks the playhead's frame (M again removes the marker)\n"
            "Ctrl+wheel zooms · Ctrl+0 fits the film"
        )
        selection.changed.connect(self.update)
        playhead.moved.connect(self._on_playhead_moved)
        self.relayout()

    # ------------------------------------------------------------------------------------------ layout

    @property
    def pixels_per_second(self) -> float:
        return self._pps

    def set_pixels_per_second(self, pps: float) -> None:
        self._pps = geometry.clamp_pps(pps, self.geometry_.extent_us)
        self.relayout()

    def set_view_width(self, width: int) -> None:
        """The scroll area's visible width: the canvas is never narrower, so the ruler's ticks run across the whole
        view even before the film (an empty one, a short one zoomed out) reaches its edge."""
        if width != self._view_width:
            self._view_width = width
            self.relayout()

    def relayout(self) -> None:
        self.geometry_ = TimelineGeometry(self._document.project, self._pps)
        self.setFixedWidth(max(self.geometry_.width, self._view_width))
        self.setFixedHeight(self.geometry_.height)
        self.update()

    @property
    def dragging(self) -> bool:
        return self._drag is not None or self._scrubbing

    def _playhead_x(self) -> float:
        return self.geometry_.x_of(self._playhead.position_us)

    def _on_playhead_moved(self, _: int) -> None:
        self.update()

    # ------------------------------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        exposed = event.rect()
        painter.fillRect(exposed, theme.BASE)
        self._paint_ruler(painter, exposed)
        selected = set(self._selection.ids)
        fetch = self._drag is None  # mid-drag, stand-in frames avoid a storm of thumbnail requests
        visible = self.geometry_.visible(exposed.left() - 1, exposed.right() + 1)
        for box in visible:
            self._paint_clip(painter, box, box.shot_id in selected, exposed, fetch)
        self._paint_crossfades(painter, visible)
        drag = self._drag
        self._sound_rows.paint(
            painter,
            self.geometry_,
            self._document.project,
            exposed,
            selected_clip=self._selection.audio_clip,
            grabbed_edge=(drag.clip_id, drag.side) if isinstance(drag, SoundTrim) else None,
            fetch=True,
        )
        paint_captions(painter, self.geometry_, exposed, self.captions.selected)
        self._paint_drop_marker(painter)
        paint_markers(painter, self.geometry_, self._document.project.markers, exposed)
        self._paint_playhead(painter)
        self._paint_trim_readout(painter)
        if self.hasFocus():
            painter.setPen(QPen(theme.ACCENT, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.visibleRegion().boundingRect().adjusted(0, 0, -1, -1))

    def _paint_ruler(self, painter: QPainter, exposed: QRect) -> None:
        painter.fillRect(QRect(exposed.left(), 0, exposed.width(), geometry.RULER_HEIGHT), theme.PANEL)
        step = self.geometry_.ruler_step_us()
        minor = step // 5
        first = max(0, self.geometry_.us_at(exposed.left()) // minor * minor)
        last = self.geometry_.us_at(exposed.right() + 80)
        painter.setFont(self.font())
        fps = self._document.project.settings.fps
        style = clock_style(self._document.ctx.settings.clock_style)
        for at_us in range(first, max(first, last) + 1, max(1, minor)):
            x = self.geometry_.x_of(at_us)
            major = at_us % step == 0
            painter.setPen(QPen(theme.MUTED if major else theme.MUTED.darker(160), 1))
            top = 8 if major else 16
            painter.drawLine(QPointF(x, top), QPointF(x, geometry.RULER_HEIGHT))
            if major:
                # as the viewer's counter reads times (timecode unless the creator chose seconds)
                label = format_clock(at_us, fps, style)
                # seconds drop a zero hour (00:02.000); timecode stays whole, as 00:02:00 would read as two minutes
                short = style is ClockStyle.SECONDS and label.startswith("00:")
                painter.drawText(QPointF(x + 3, 12), label[3:] if short else label)

    def _paint_clip(self, painter: QPainter, box: ClipBox, selected: bool, exposed: QRect, fetch: bool) -> None:
        rect = QRectF(box.x0 + 1, geometry.CLIP_TOP, max(1.0, box.width - 2), geometry.CLIP_HEIGHT)
        path = QPainterPath()
        path.addRoundedRect(rect, 4, 4)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(rect, theme.PANEL)
        take = box.placement.take
        if take is None:
            # No take yet: a hatched stand-in as long as the shot asks for.
            painter.fillRect(rect, QBrush(theme.MUTED.darker(200), Qt.BrushStyle.BDiagPattern))
        else:
            self._paint_filmstrip(painter, box, take, exposed, fetch)
        title_rect = QRectF(rect.left(), rect.top(), rect.width(), geometry.TITLE_HEIGHT)
        painter.fillRect(title_rect, QColor(0, 0, 0, 150))
        painter.setPen(theme.TEXT)
        painter.drawText(title_rect.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, self._title(box))
        painter.restore()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(theme.ACCENT, 2) if selected else QPen(theme.WINDOW.lighter(160), 1))
        painter.drawPath(path)
        drag = self._drag
        if isinstance(drag, ShotTrim) and drag.shot_id == box.shot_id:
            x = box.x0 + 1 if drag.side == "in" else box.x1 - 1
            painter.fillRect(QRectF(x - 2, rect.top(), 4, rect.height()), theme.ACCENT)

    def _paint_crossfades(self, painter: QPainter, visible: tuple[ClipBox, ...]) -> None:
        """Where a shot crossfades into the next one the two overlap: shade the overlap and cross it."""
        boxes = self.geometry_.boxes
        painter.setPen(QPen(theme.TEXT, 1))
        for box in visible:
            if not box.placement.overlap_out_us or box.index + 1 >= len(boxes):
                continue
            left, right = boxes[box.index + 1].x0, box.x1
            top, bottom = geometry.CLIP_TOP + geometry.TITLE_HEIGHT, geometry.CLIP_TOP + geometry.CLIP_HEIGHT
            painter.fillRect(QRectF(left, top, right - left, bottom - top), CROSSFADE)
            painter.drawLine(QPointF(left, bottom), QPointF(right, top))
            painter.drawLine(QPointF(left, top), QPointF(right, bottom))

    def _paint_filmstrip(self, painter: QPainter, box: ClipBox, take: Take, exposed: QRect, fetch: bool) -> None:
        size = take.info.display_size
        aspect = size.width / size.height if size else 16 / 9
        tile_width = max(16, round(FILM_HEIGHT * aspect))
        count = max(1, math.ceil(box.width / tile_width))
        pixel_width = max(16, round(tile_width * self.devicePixelRatioF()))
        for index, at_us in enumerate(filmstrip_times(take, count)):
            left = box.x0 + index * tile_width
            if left > exposed.right() or left + tile_width < exposed.left():
                continue
            pixmap = self.filmstrips.frame(take, at_us, pixel_width, fetch=fetch)
            if pixmap is not None:
                target = QRectF(left, FILM_TOP, tile_width, FILM_HEIGHT)
                painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))

    def _title(self, box: ClipBox) -> str:
        shot = box.placement.shot
        prompt = shot.prompt.strip()
        text = shot.title or (prompt.splitlines()[0] if prompt else f"Shot {box.index + 1}")
        width = int(box.width) - 10
        key = (shot.id, text, width)
        if key not in self._titles:
            if len(self._titles) > 5000:
                self._titles.clear()
            self._titles[key] = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(0, width))
        return self._titles[key]

    def _paint_drop_marker(self, painter: QPainter) -> None:
        drag = self._drag
        if not isinstance(drag, ShotMove) or drag.target is None:
            return
        boxes = self.geometry_.boxes
        x = boxes[drag.target].x0 if drag.target < len(boxes) else boxes[-1].x1
        painter.fillRect(QRectF(x - 2, geometry.CLIP_TOP - 4, 4, geometry.CLIP_HEIGHT + 8), theme.ACCENT)

    def _paint_trim_readout(self, painter: QPainter) -> None:
        drag, text = self._drag, self.trim_readout
        box = next((b for b in self.geometry_.boxes if isinstance(drag, ShotTrim) and b.shot_id == drag.shot_id), None)
        if not isinstance(drag, ShotTrim) or box is None or not text:
            self.trim_readout_rect = None
            return
        x = box.x0 if drag.side == "in" else box.x1
        visible = QRectF(self.visibleRegion().boundingRect())
        self.trim_readout_rect = paint_readout(painter, text, x, drag.side, visible)

    def _paint_playhead(self, painter: QPainter) -> None:
        x = self._playhead_x()
        painter.setPen(QPen(PLAYHEAD, 1.5))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.setBrush(PLAYHEAD)
        painter.drawPolygon(QPolygonF([QPointF(x - 6, 0), QPointF(x + 6, 0), QPointF(x, 8)]))

    # ------------------------------------------------------------------------------------------ mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        x, y = event.position().x(), event.position().y()
        if y < geometry.CLIP_TOP:
            self._scrubbing = True
            self._scrub(x)
            return
        if self.geometry_.in_captions(y):
            self._drag = self.captions.press(self.geometry_, x, y)
            self.update()
            return
        if y >= geometry.LANES_TOP:
            self._drag = self.sounds.press(self.geometry_, x, y)
            return
        toggle = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        self._drag = self.shots.press(self.geometry_, x, toggle=toggle)
        self.shots.grab(self._drag)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x, y = event.position().x(), event.position().y()
        drag = self._drag
        if self._scrubbing:
            self._scrub(x)
        elif isinstance(drag, SoundMove | SoundTrim):
            self.sounds.drag_to(drag, self.geometry_, x, y, snap=_snapping(event))
        elif isinstance(drag, CaptionMove | CaptionTrim):
            self.captions.drag_to(drag, self.geometry_, x)
        elif isinstance(drag, ShotTrim | ShotMove):
            self.shots.drag_to(drag, self.geometry_, x)
            if isinstance(drag, ShotMove) and drag.active:
                self.update()
        else:
            if self.geometry_.in_captions(y):
                near_edge = self.geometry_.caption_edge_at(x, y) is not None
            elif y >= geometry.LANES_TOP:
                near_edge = self.geometry_.sound_edge_at(x, y) is not None
            else:
                near_edge = y >= geometry.CLIP_TOP and self.geometry_.edge_at(x) is not None
            self.setCursor(Qt.CursorShape.SizeHorCursor if near_edge else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        drag, self._drag = self._drag, None
        self._scrubbing = False
        if isinstance(drag, SoundMove | SoundTrim):
            self.sounds.finish(drag, self.geometry_, event.position().x(), event.position().y(), snap=_snapping(event))
        elif isinstance(drag, CaptionMove | CaptionTrim):
            self.captions.finish(drag, self.geometry_, event.position().x())
        elif isinstance(drag, ShotTrim | ShotMove):
            self.shots.finish(drag, self.geometry_, event.position().x())
        self.update()
        self.drag_finished.emit()

    def _scrub(self, x: float) -> None:
        project = self._document.project
        at_us = min(max(self.geometry_.us_at(x), 0), self.geometry_.duration_us)
        self._playhead.seek(snap_to_frame(at_us, project.settings.fps))

    @property
    def trim_readout(self) -> str:
        """What the label beside a grabbed trim handle says ("" when no trim is being dragged)."""
        return self.shots.readout(self._drag) if isinstance(self._drag, ShotTrim) else ""

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_requested.emit(1.25**steps, event.position().x())
        else:
            self.scroll_requested.emit(-round(steps * 60) or -event.angleDelta().x())
        event.accept()

    # ------------------------------------------------------------------------------------------ files dropped in

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Sound files go onto the lane they are dropped on (music if that lane cannot hold them) at the drop
        time; video files go into the picture row at the nearest cut, as before."""
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not files:
            return
        x, y = event.position().x(), event.position().y()
        sounds = [f for f in files if is_sound_file(f)]
        pictures = [f for f in files if not is_sound_file(f)]
        if sounds:
            self.sounds.drop_files(sounds, self._lane_for_drop(y), self.geometry_.us_at(x))
        if pictures:
            self._document.import_files(pictures, index=self.geometry_.boundary_at(x))
        event.acceptProposedAction()

    def _lane_for_drop(self, y: float) -> str:
        row = self.geometry_.row_at(y)
        if row is not None and row.holds_clips:
            return row.lane.id
        rows = [r for r in self.geometry_.rows if r.holds_clips]
        music = [r for r in rows if r.lane.kind is LaneKind.MUSIC]
        return (music or rows)[0].lane.id if rows else "music"  # no lane at all: the drop says so

    def clip_tooltip(self, x: float, y: float) -> str:
        """What hovering a clip says: its title and length, the same length the inspector and take rows show,
        with the take's in and out points; "" off the clips (the canvas's own tips show there)."""
        box = self.geometry_.box_at(x) if geometry.CLIP_TOP <= y < geometry.CLIP_TOP + geometry.CLIP_HEIGHT else None
        if box is None:
            return ""
        shot, fps = box.placement.shot, self._document.project.settings.fps
        title = shot.title or f"Shot {box.index + 1}"
        take = shot.picked_take
        if take is None:
            return f"{title} · {format_length(shot.duration_us, fps)}, no take yet"
        return f"{title}\n{readout_text(take, fps, clock_style(self._document.ctx.settings.clock_style))}"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.clip_tooltip(event.pos().x(), event.pos().y()) if self._drag is None else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self)
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        deleting = event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        if deleting and (self.sounds.delete_selected() or self.captions.delete_selected()):
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        box = self.geometry_.caption_at(event.position().x(), event.position().y())
        if box is None:
            super().mouseDoubleClickEvent(event)
            return
        words, ok = QInputDialog.getText(self, "Caption", "Words:", text=box.caption.text)
        if ok and words.strip() and words.strip() != box.caption.text:
            self.captions.set_words(box.caption.id, words)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if not self.geometry_.in_captions(event.pos().y()):
            super().contextMenuEvent(event)
            return
        self.captions.press(self.geometry_, event.pos().x(), event.pos().y())  # the caption under it is selected
        caption_menu(self, self.captions).exec(event.globalPos())

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


def _snapping(event: QMouseEvent) -> bool:
    """Sound edges snap to cuts, the playhead and other sounds unless Shift is held."""
    return not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
