"""A time field that reads as the creator chose to read times (Preferences → Player times): timecode
(HH:MM:SS:FF) by default, or seconds, like the player, the timeline and the status bar beside it.

Its value is seconds (a QDoubleSpinBox's), exact to the microsecond; the arrows step one frame in timecode, a
tenth of a second in seconds. Either way of writing a time is understood when typed (`core.frames.parse_clock`).
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from shotline.core.frames import ClockStyle, format_clock, parse_clock
from shotline.core.timecode import US_PER_SECOND


class ClockField(QDoubleSpinBox):
    def __init__(self, fps: Fraction, style: ClockStyle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fps = fps
        self._style = style
        self.setDecimals(6)  # microseconds: a frame's start at 24 fps is not a whole millisecond
        self.setSingleStep(float(1 / fps) if style is ClockStyle.FRAMES else 0.1)
        self.setKeyboardTracking(False)  # "00:00:01:3" on the way to "00:00:01:30" is not a time to go to

    def textFromValue(self, value: float) -> str:
        return format_clock(round(value * US_PER_SECOND), self._fps, self._style)

    def valueFromText(self, text: str) -> float:
        try:
            return parse_clock(text, self._fps) / US_PER_SECOND
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        try:
            seconds = parse_clock(text, self._fps) / US_PER_SECOND
        except ValueError:
            return QValidator.State.Intermediate, text, pos  # still being typed
        inside = self.minimum() <= seconds <= self.maximum()
        return QValidator.State.Acceptable if inside else QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())
