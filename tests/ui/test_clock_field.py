"""The clock field (the export range's from and to): it reads, steps and takes typed times in the clock the creator
chose, so a range typed from the player's counter means the frames the counter names."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import Qt

from shotline.core.frames import ClockStyle
from shotline.ui.clock_field import ClockField


def test_timecode_reads_steps_a_frame_and_takes_a_typed_timecode_or_seconds(qtbot) -> None:
    field = ClockField(Fraction(24), ClockStyle.FRAMES)
    qtbot.addWidget(field)
    field.setRange(0.0, 10.0)
    field.setValue(3.708333)
    assert field.text() == "00:00:03:17"
    field.stepUp()
    assert field.text() == "00:00:03:18"
    for typed, seconds in (("00:00:01:12", 1.5), ("2.25", 2.25)):
        field.lineEdit().selectAll()
        qtbot.keyClicks(field, typed)
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert field.value() == seconds
    field.lineEdit().selectAll()
    qtbot.keyClicks(field, "00:00:01:30")  # no 30th frame at 24 fps: the field keeps its time
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.value() == 2.25 and field.text() == "00:00:02:06"


def test_seconds_read_as_the_command_line_does() -> None:
    field = ClockField(Fraction(24), ClockStyle.SECONDS)
    field.setRange(0.0, 10.0)
    field.setValue(3.708333)
    assert field.text() == "00:00:03.708"
