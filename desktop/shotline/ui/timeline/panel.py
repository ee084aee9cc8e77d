"""The timeline panel: the painted timeline in a sideways scroll area beside the audio lanes' headers, with zoom,
Fit, split and the film's length."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.frames import clock_style, format_clock
from shotline.core.timecode import snap_to_frame
from shotline.core.timeline import film_length_us, placement_at
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import geometry
from shotline.ui.timeline.canvas import TimelineCanvas
from shotline.ui.timeline.lanes import LaneHeaders

ZOOM_STEP = 1.25
EMPTY_FILM_US = 10_000_000
"""What an empty film's timeline fits: ten seconds, so the first shots land at a readable scale (fitting nothing
used to zoom to 0.05 s ticks)."""


WINDOW_WIDE = Qt.ShortcutContext.WindowShortcut
"""Split (S) and marker (M) answer wherever the focus is, as in Shotcut and Resolve: a creator pausing in the viewer
marks the beat there. A text field still takes the letter as typing (Qt asks it first)."""


class TimelinePanel(QWidget):
    def __init__(
        self, document: ProjectDocument, selection: ShotSelection, playhead: Playhead, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._playhead = playhead
        self._keep_fitted = True
        """Until the creator zooms, the whole film fills the view however the panel is resized (a banner or a
        dock taking room included) and whenever it grows past the view's edge."""
        self._had_takes = _has_takes(document)
        self.canvas = TimelineCanvas(document, selection, playhead, self)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.lane_headers = LaneHeaders(document, self.scroll_area.frameWidth(), self)
        self._fit_height()
        self.scroll_area.setFocusProxy(self.canvas)
        # Scrolling moves pixels; the focus frame is drawn around the visible part, so repaint it.
        self.scroll_area.horizontalScrollBar().valueChanged.connect(lambda _: self.canvas.update())

        self.split_action = self._action("Split the shot at the playhead", "S", "split", self.split_at_playhead)
        self.split_action.setShortcutContext(WINDOW_WIDE)
        self.split_action.setObjectName("timeline.split")  # its id among the creator's keys, whatever its reach
        self.fit_action = self._action("Fit the whole film in view", "Ctrl+0", "zoom-fit", self.fit)
        self._action("Zoom in", "Ctrl+=", "zoom-in", lambda: self.zoom(ZOOM_STEP))
        self._action("Zoom out", "Ctrl+-", "zoom-out", lambda: self.zoom(1 / ZOOM_STEP))
        self.marker_action = self._action("Add a marker at the playhead", "M", "marker", self.toggle_marker)
        self.marker_action.setShortcutContext(WINDOW_WIDE)
        self.marker_action.setObjectName("timeline.marker")

        self.total_label = QLabel(self)
        self.total_label.setToolTip("Length of the film: the picked takes inside their trims, in shot order")
        self.total_label.setStyleSheet(f"color: {theme.MUTED.name()}")
        header = QHBoxLayout()
        header.addWidget(QLabel("Timeline", self))
        header.addStretch(1)
        header.addWidget(self.total_label)
        for action in (self.split_action, *self.actions()[2:], self.fit_action):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            header.addWidget(button)

        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(header)
        rows = QHBoxLayout()
        rows.setSpacing(0)
        rows.addWidget(self.lane_headers, 0, Qt.AlignmentFlag.AlignTop)
        rows.addWidget(self.scroll_area, 1)
        column.addLayout(rows)
        column.addStretch(1)
        self.setFocusProxy(self.canvas)

        self.canvas.zoom_requested.connect(self.zoom)
        self.canvas.drag_finished.connect(self._refit_if_needed)
        self.canvas.scroll_requested.connect(self._scroll_by)
        document.changed.connect(self._on_document_changed)
        playhead.moved.connect(self._follow_playhead)
        self._show_total()

    def _action(self, text: str, key: str, icon: str, slot: Callable[[], object]) -> QAction:
        action = QAction(theme.icon(icon), text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # ------------------------------------------------------------------------------------------ zoom

    @property
    def pixels_per_second(self) -> float:
        return self.canvas.pixels_per_second

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom by `factor`, keeping the time under `anchor_x` (canvas pixels; default: the view's middle) still."""
        self._keep_fitted = False
        bar = self.scroll_area.horizontalScrollBar()
        if anchor_x is None:
            anchor_x = bar.value() + self.scroll_area.viewport().width() / 2
        in_view = anchor_x - bar.value()
        at_us = self.canvas.geometry_.us_at(anchor_x)
        self.canvas.set_pixels_per_second(self.canvas.pixels_per_second * factor)
        bar.setValue(round(self.canvas.geometry_.x_of(at_us) - in_view))

    def fit(self) -> None:
        """Fit the whole film (and any sound running past its end) in the visible width, and keep it fitted as
        the panel is resized until the next zoom."""
        self._keep_fitted = True
        extent = self.canvas.geometry_.extent_us
        seconds = (extent if extent > 0 else EMPTY_FILM_US) / 1_000_000
        self.canvas.set_pixels_per_second(max(1, self._room()) / seconds)
        self.scroll_area.horizontalScrollBar().setValue(0)

    def _room(self) -> int:
        return self.scroll_area.viewport().width() - 2 * geometry.PAD - 2

    def _refit_if_needed(self) -> None:
        """Fit again when the first takes arrive (whatever the zoom), or, until the creator zooms, when the film
        has grown past the view's edge; a zoom the creator chose is otherwise kept."""
        if self.canvas.dragging or not self.isVisible():
            return  # a clip never rescales under the pointer; the drag's end asks again
        has_takes = _has_takes(self._document)
        first_takes, self._had_takes = has_takes and not self._had_takes, has_takes
        end = self.canvas.geometry_.x_of(self.canvas.geometry_.extent_us) - geometry.PAD
        if first_takes or (self._keep_fitted and end > self._room()):
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.canvas.set_view_width(self.scroll_area.viewport().width())
        if self._keep_fitted:
            self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.canvas.set_view_width(self.scroll_area.viewport().width())
        if self._keep_fitted and self.isVisible():
            self.fit()

    def _scroll_by(self, pixels: int) -> None:
        bar = self.scroll_area.horizontalScrollBar()
        bar.setValue(bar.value() + pixels)

    def _follow_playhead(self, at_us: int) -> None:
        if self.canvas.dragging:
            return
        x = round(self.canvas.geometry_.x_of(at_us))
        self.scroll_area.ensureVisible(x, geometry.CLIP_TOP, 40, 0)

    # ------------------------------------------------------------------------------------------ edits

    def split_at_playhead(self) -> None:
        """S: cut the shot under the playhead in two at the playhead (as `shotline split` would)."""
        project = self._document.project
        at_us = self._playhead.position_us
        placement = placement_at(project, at_us)
        if placement is None:
            self._document.failed.emit("There is nothing to split; add a shot first.")
            return
        self._document.execute(commands.split_shot(placement.shot.id, at_us - placement.start_us))

    def toggle_marker(self) -> None:
        """M: mark the frame under the playhead (saved with the project, drawn on the ruler); M on a marker
        removes it. Either is one undo step."""
        project = self._document.project
        at_us = snap_to_frame(self._playhead.position_us, project.settings.fps)
        there = next((marker for marker in project.markers if marker.at_us == at_us), None)
        if there is not None:
            self._document.execute(commands.remove_marker(there.id))
        else:
            self._document.execute(commands.add_marker(at_us))

    def _on_document_changed(self, change: ProjectChange) -> None:
        self.canvas.relayout()
        self._refit_if_needed()
        self._fit_height()
        self._show_total()

    def _fit_height(self) -> None:
        """Tall enough for the ruler, the picture and every lane, plus the sideways scroll bar."""
        bar_height = self.scroll_area.horizontalScrollBar().sizeHint().height()
        self.scroll_area.setFixedHeight(self.canvas.geometry_.height + bar_height + 2 * self.scroll_area.frameWidth())

    def _show_total(self) -> None:
        project = self._document.project
        shots = len(project.shots)
        style = clock_style(self._document.ctx.settings.clock_style)
        length = format_clock(film_length_us(project), project.settings.fps, style)
        self.total_label.setText(f"{shots} shot{'s' if shots != 1 else ''} · {length}")


def _has_takes(document: ProjectDocument) -> bool:
    return any(shot.picked_take is not None for shot in document.project.shots)
