"""The inspector's trim row: the picked take's in and out points as fields, and the shot's length (a label the
inspector shows in a row of its own).

The length is the one every view shows (core.timeline.format_length): the inspector, the take rows and the
timeline's trim readout agree to the frame. The fields step by one frame of the take; core snaps what is typed onto
the take's frames, and the fields then show where it landed. Editing a field is one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from shotline.core import commands
from shotline.core.model import Shot
from shotline.core.timecode import frame_duration_us
from shotline.core.timeline import format_length
from shotline.ui import theme
from shotline.ui.document import ProjectDocument


def _seconds_field(parent: QWidget, tip: str) -> QDoubleSpinBox:
    field = QDoubleSpinBox(parent)
    field.setDecimals(3)
    field.setSuffix(" s")
    field.setKeyboardTracking(False)  # one trim when the creator has typed the number, not one per digit
    field.setToolTip(tip)
    return field


class ShotTrimRow(QWidget):
    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._shot_id: str | None = None
        self.in_field = _seconds_field(self, "Where the picked take starts playing, in the take's own time")
        self.out_field = _seconds_field(self, "Where the picked take stops playing, in the take's own time")
        self.length_label = QLabel(self)
        self.length_label.setToolTip("How long the shot plays: the picked take between its in and out points")
        self.length_label.setStyleSheet(f"color: {theme.TEXT.name()}")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for text, field in (("In", self.in_field), ("Out", self.out_field)):
            label = QLabel(text, self)
            label.setBuddy(field)
            row.addWidget(label)
            row.addWidget(field, 1)
        # the length label is the inspector's own "Length" row, under the fields (a narrow dock has no room beside)
        self.in_field.valueChanged.connect(lambda _: self._trim())
        self.out_field.valueChanged.connect(lambda _: self._trim())

    def show_shot(self, shot: Shot | None) -> None:
        self._shot_id = shot.id if shot else None
        take = shot.picked_take if shot else None
        fps = self._document.project.settings.fps
        self.length_label.setText(format_length(shot.duration_us, fps) if shot else "")
        for field in (self.in_field, self.out_field):
            field.setEnabled(take is not None)
        with QSignalBlocker(self.in_field), QSignalBlocker(self.out_field):
            if take is None:
                self.in_field.setValue(0)
                self.out_field.setValue(0)
                return
            frame = float(frame_duration_us(take.info.fps)) / 1e6 if take.info.fps else 0.001
            length = take.info.duration_us / 1e6
            self.in_field.setRange(0, length)
            self.out_field.setRange(0, length)
            self.in_field.setSingleStep(frame)
            self.out_field.setSingleStep(frame)
            self.in_field.setValue(take.trim.in_us / 1e6)
            self.out_field.setValue(take.trim.out_us / 1e6)

    def _trim(self) -> None:
        project = self._document.project
        if self._shot_id is None or not project.has_shot(self._shot_id):
            return
        in_us, out_us = round(self.in_field.value() * 1e6), round(self.out_field.value() * 1e6)
        self._document.seal()  # each typed value is its own undo step
        if not self._document.execute(commands.trim_shot(self._shot_id, in_us, out_us)):
            self.show_shot(self._document.project.shot(self._shot_id))  # refused: show what the shot still has
        self._document.seal()
