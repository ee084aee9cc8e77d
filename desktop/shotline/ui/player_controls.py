"""The player's controls around the picture: the Shot/Timeline switch above it and, below it, the transport buttons,
the scrub slider and the counter (position / length, read as the creator chose: `core.frames.ClockStyle`)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from shotline.core.frames import ClockStyle, format_clock
from shotline.services.playback import Mode
from shotline.ui import theme

MODE_BUTTON_STYLE = (
    f"QToolButton {{ padding: 3px 14px; border: 1px solid {theme.MUTED.name()}; border-radius: 3px;"
    f" background: {theme.PANEL.name()}; color: {theme.TEXT.name()}; }}"
    f" QToolButton:checked {{ background: {theme.ACCENT.name()}; border-color: {theme.ACCENT.name()};"
    " color: #ffffff; font-weight: bold; }"
)
"""Shot and Timeline look pressed in when on: filled with the accent, as a segmented switch (Fusion's own checked
tool button is a shade darker, which nobody saw)."""
_MODES = (
    (Mode.SHOT, "Shot", "Play the selected shot inside its trim"),
    (Mode.TIMELINE, "Timeline", "Play the whole film, shot after shot"),
)


class ModeSwitch(QWidget):
    chosen = Signal(object)
    """The creator clicked a mode (the Mode)."""

    def __init__(self, mode: Mode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._group = QButtonGroup(self)
        self._buttons: dict[Mode, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for each, text, tip in _MODES:
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setStyleSheet(MODE_BUTTON_STYLE)
            button.clicked.connect(lambda _=False, m=each: self.chosen.emit(m))
            self._group.addButton(button)
            self._buttons[each] = button
            row.addWidget(button)
        row.addStretch(1)
        self.show_mode(mode)

    def show_mode(self, mode: Mode) -> None:
        self._group.setExclusive(False)
        for each, button in self._buttons.items():
            button.setChecked(each is mode)
        self._group.setExclusive(True)


class ScrubBar(QWidget):
    scrubbed = Signal(int)
    """The creator dragged the slider to this time from the start of what the player plays (µs)."""

    def __init__(self, actions: Sequence[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            row.addWidget(button)
        self._slider = QSlider(Qt.Orientation.Horizontal, self)
        self._slider.setToolTip("Scrub (←/→ one frame, Home/End)")
        self._slider.sliderMoved.connect(lambda value: self.scrubbed.emit(value * 1000))
        self._time = QLabel(self)
        self._time.setToolTip("Position / length of what the player plays")
        self._time.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self._slider, 1)
        row.addWidget(self._time)

    def show_time(self, offset_us: int, duration_us: int, fps: Fraction, style: ClockStyle) -> None:
        """The playhead `offset_us` into what plays, `duration_us` long, read at `fps` in `style`."""
        with QSignalBlocker(self._slider):
            self._slider.setRange(0, duration_us // 1000)
            self._slider.setValue(offset_us // 1000)
        self._time.setText(f"{format_clock(offset_us, fps, style)} / {format_clock(duration_us, fps, style)}")
