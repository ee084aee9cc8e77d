"""The captions lane under the sound: each caption a box with its words, and what the mouse does to it.

Click selects a caption, dragging its body moves it in time, dragging an edge trims it (each drag many commands with
one merge key, sealed on release: one undo step), a double-click edits its words, Delete removes it, and the
row's right-click menu makes the captions from the dialogue lines, splits the caption under the playhead, edits or
deletes it. Moves and trims land on the film's frames (`snap_to_frame`), as every timeline time does.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QMenu, QWidget

from shotline.core import commands
from shotline.core.caption_edits import MIN_CAPTION_US
from shotline.core.model import Caption
from shotline.core.timecode import snap_to_frame
from shotline.services.captions import remake_captions, said_words
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.timeline import geometry
from shotline.ui.timeline.geometry import TimelineGeometry

CAPTION = QColor("#3d6f8e")
EDITED = QColor("#5c8f5a")
"""A caption the creator changed is drawn in its own colour: remaking captions from the lines keeps it."""


@dataclass(slots=True)
class CaptionMove:
    caption_id: str
    start_us: int
    press_x: float
    active: bool = False


@dataclass(slots=True)
class CaptionTrim:
    caption_id: str
    side: str
    start_us: int
    end_us: int
    press_x: float


CaptionDrag = CaptionMove | CaptionTrim


def paint_captions(painter: QPainter, layout: TimelineGeometry, exposed: QRect, selected: str | None) -> None:
    """The captions' row and its captions under the exposed rectangle."""
    top = layout.captions_top
    painter.fillRect(QRect(exposed.left(), top, exposed.width(), geometry.LANE_HEIGHT), QColor("#1b1e22"))
    metrics = painter.fontMetrics()
    for box in layout.caption_boxes:
        if box.x1 < exposed.left() or box.x0 > exposed.right():
            continue
        rect = QRectF(box.x0, top + 2, max(box.width, 2), geometry.LANE_HEIGHT - 4)
        painter.setPen(QPen(theme.ACCENT if box.caption.id == selected else QColor(0, 0, 0, 0), 2))
        painter.setBrush(EDITED if box.caption.edited else CAPTION)
        painter.drawRoundedRect(rect, 3, 3)
        if rect.width() > 12:
            painter.setPen(theme.TEXT)
            words = metrics.elidedText(box.caption.text, Qt.TextElideMode.ElideRight, int(rect.width()) - 8)
            painter.drawText(rect.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, words)


class CaptionGestures:
    """The captions lane's edits, from presses and drags on the canvas (and the keys and menu)."""

    def __init__(self, document: ProjectDocument, playhead: Playhead) -> None:
        self.document = document
        self._playhead = playhead
        self.selected: str | None = None

    def press(self, layout: TimelineGeometry, x: float, y: float) -> CaptionDrag | None:
        edge = layout.caption_edge_at(x, y)
        if edge is not None:
            box, side = edge
            self.selected = box.caption.id
            return CaptionTrim(box.caption.id, side, box.caption.start_us, box.caption.end_us, x)
        box_at = layout.caption_at(x, y)
        self.selected = box_at.caption.id if box_at else None
        return CaptionMove(box_at.caption.id, box_at.caption.start_us, x) if box_at else None

    def drag_to(self, drag: CaptionDrag, layout: TimelineGeometry, x: float) -> None:
        delta = layout.us_for_pixels(x - drag.press_x)
        fps = self.document.project.settings.fps
        if isinstance(drag, CaptionMove):
            drag.active = drag.active or abs(x - drag.press_x) >= 3
            if drag.active:
                self._execute(commands.move_caption(drag.caption_id, snap_to_frame(max(0, drag.start_us + delta), fps)))
            return
        if drag.side == "in":
            start = min(snap_to_frame(max(0, drag.start_us + delta), fps), drag.end_us - MIN_CAPTION_US)
            self._execute(commands.trim_caption(drag.caption_id, start, drag.end_us))
        else:
            end = max(snap_to_frame(drag.end_us + delta, fps), drag.start_us + MIN_CAPTION_US)
            self._execute(commands.trim_caption(drag.caption_id, drag.start_us, end))

    def finish(self, drag: CaptionDrag, layout: TimelineGeometry, x: float) -> None:
        self.drag_to(drag, layout, x)
        self.document.seal()  # the whole drag is one undo step

    def caption(self) -> Caption | None:
        return next((c for c in self.document.project.captions if c.id == self.selected), None)

    def delete_selected(self) -> bool:
        caption = self.caption()
        if caption is None:
            return False
        self._execute(commands.remove_caption(caption.id))
        self.selected = None
        return True

    def set_words(self, caption_id: str, text: str) -> None:
        self._execute(commands.set_caption_text(caption_id, text))
        self.document.seal()

    def split_at_playhead(self) -> bool:
        """Split the caption under the playhead there; False (and nothing done) when none is."""
        at_us = self._playhead.position_us
        under = next((c for c in self.document.project.captions if c.start_us < at_us < c.end_us), None)
        if under is None:
            return False
        self._execute(commands.split_caption(under.id, at_us))
        return True

    def make_from_lines(self) -> None:
        command = remake_captions(self.document.project, said_words(self.document.path))
        if command is not None:
            self._execute(command)
        self.document.seal()

    def _execute(self, command: commands.Command) -> None:
        # an edit the core refuses (a split too near an end, say) is said by the document, never raised
        self.document.execute(command)


def caption_menu(parent: QWidget, gestures: CaptionGestures) -> QMenu:
    """The captions row's right-click menu: make them from the lines, and split, edit or delete the chosen one."""
    menu = QMenu(parent)
    menu.addAction("Make captions from lines", gestures.make_from_lines)
    caption = gestures.caption()
    split = menu.addAction("Split caption at playhead", gestures.split_at_playhead)
    split.setEnabled(bool(gestures.document.project.captions))
    delete = menu.addAction("Delete caption", gestures.delete_selected)
    delete.setEnabled(caption is not None)
    return menu
