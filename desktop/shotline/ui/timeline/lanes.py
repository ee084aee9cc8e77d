"""The lane headers beside the timeline: each audio lane's name with its Mute and Solo toggles, row for row
level with the canvas (it does not scroll sideways with it).

A toggle is one undoable `set_lane` edit; the headers follow the project, so undo flips the buttons back.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.model import AudioLane
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.timeline import geometry

WIDTH = 132
_BUTTON = 22


class LaneHeader(QWidget):
    """One lane's name, M and S."""

    def __init__(self, document: ProjectDocument, lane: AudioLane, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.lane_id = lane.id
        self.name_label = QLabel(lane.name, self)
        self.mute_button = self._toggle("M", f"Mute the {lane.name} lane", "muted")
        self.solo_button = self._toggle("S", f"Solo the {lane.name} lane: only soloed sound plays", "solo")
        self.setFixedSize(WIDTH, geometry.LANE_HEIGHT)
        top = (geometry.LANE_HEIGHT - _BUTTON) // 2
        self.name_label.setGeometry(6, 0, WIDTH - 2 * _BUTTON - 14, geometry.LANE_HEIGHT)
        self.mute_button.setGeometry(WIDTH - 2 * _BUTTON - 6, top, _BUTTON, _BUTTON)
        self.solo_button.setGeometry(WIDTH - _BUTTON - 4, top, _BUTTON, _BUTTON)
        self.show_lane(lane)

    def _toggle(self, text: str, tip: str, setting: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.toggled.connect(lambda on: self._set(setting, on))
        return button

    def _set(self, setting: str, on: bool) -> None:
        if getattr(self._document.project.lane(self.lane_id), setting) == on:
            return  # the button is only following the project
        self._document.execute(commands.set_lane(self.lane_id, **{setting: on}))
        self._document.seal()  # each click is its own undo step, even on the same lane

    def show_lane(self, lane: AudioLane) -> None:
        for button, on in ((self.mute_button, lane.muted), (self.solo_button, lane.solo)):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)
        self.name_label.setText(lane.name)
        colour = theme.MUTED if lane.muted else theme.TEXT
        self.name_label.setStyleSheet(f"color: {colour.name()}")
        self.mute_button.setStyleSheet(f"QToolButton:checked {{ background: {theme.DANGER.name()}; }}")
        self.solo_button.setStyleSheet(f"QToolButton:checked {{ background: {theme.WARNING.name()}; }}")


class LaneHeaders(QWidget):
    """The column of lane headers, laid out at the canvas's row heights (offset by the scroll area's frame)."""

    def __init__(self, document: ProjectDocument, top_offset: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._offset = top_offset
        self.headers: list[LaneHeader] = []
        self.picture_label = QLabel("Picture", self)
        self.picture_label.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.picture_label.setGeometry(6, top_offset + geometry.CLIP_TOP, WIDTH - 6, geometry.CLIP_HEIGHT)
        self.captions_label = QLabel("Captions", self)
        self.captions_label.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.captions_label.setToolTip("Captions, made from the shots' dialogue lines (right-click the row)")
        self.setFixedWidth(WIDTH)
        document.changed.connect(self._on_changed)
        self._rebuild()

    def header(self, lane_id: str) -> LaneHeader:
        return next(h for h in self.headers if h.lane_id == lane_id)

    def _on_changed(self, change: ProjectChange) -> None:
        if not change.audio:
            return
        lanes = self._document.project.lanes
        if [h.lane_id for h in self.headers] != [lane.id for lane in lanes]:
            self._rebuild()
            return
        for header, lane in zip(self.headers, lanes, strict=True):
            header.show_lane(lane)

    def _rebuild(self) -> None:
        for old in self.headers:
            old.deleteLater()
        lanes = self._document.project.lanes
        self.headers = [LaneHeader(self._document, lane, self) for lane in lanes]
        for index, header in enumerate(self.headers):
            header.move(0, self._offset + geometry.lane_top(index))
            header.show()
        self.captions_label.setGeometry(
            6, self._offset + geometry.lane_top(len(lanes)), WIDTH - 6, geometry.LANE_HEIGHT
        )
        self.setFixedHeight(self._offset + geometry.height_for(len(lanes) + 1))  # and the captions' row
