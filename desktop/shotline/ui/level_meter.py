"""The player's audio level meters: one bar per channel beside the picture, showing the peak of the sound heard while
the player plays (dBFS, green to -12, yellow to -6, red above), silent when it stops.

The sound reaches the meter as the blocks Qt's player decodes for its speakers (QAudioBufferOutput); the numbers are
`media.levels`'.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtMultimedia import QAudioBuffer, QAudioFormat
from PySide6.QtWidgets import QSizePolicy, QWidget

from shotline.media.levels import FLOOR_DB, SampleKind, fallen, peaks_dbfs, samples
from shotline.ui import theme

TICKS_DB = (0, -6, -12, -24, -48)
"""Marks beside the bars."""
YELLOW_DB = -12.0
RED_DB = -6.0
_KINDS = {
    QAudioFormat.SampleFormat.Float: SampleKind.FLOAT,
    QAudioFormat.SampleFormat.Int16: SampleKind.INT16,
    QAudioFormat.SampleFormat.Int32: SampleKind.INT32,
    QAudioFormat.SampleFormat.UInt8: SampleKind.UINT8,
}


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._levels: tuple[float, ...] = (FLOOR_DB, FLOOR_DB)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setToolTip("Sound level while playing (peak, dBFS)")

    @property
    def levels(self) -> tuple[float, ...]:
        """What each bar shows now, in dBFS (`FLOOR_DB` for silence)."""
        return self._levels

    def sizeHint(self) -> QSize:
        return QSize(34, 120)

    def minimumSizeHint(self) -> QSize:
        return QSize(34, 60)

    def hear(self, buffer: QAudioBuffer) -> None:
        """A block of the sound being played: each bar rises to its peak, or falls towards it by the block's length."""
        audio_format = buffer.format()
        kind = _KINDS.get(audio_format.sampleFormat())
        if kind is None or not buffer.isValid():
            return
        peaks = peaks_dbfs(samples(buffer.constData(), kind), audio_format.channelCount())
        if len(peaks) == 1:
            peaks = peaks * 2  # mono shows on both bars
        seconds = buffer.duration() / 1_000_000
        shown = self._levels if len(self._levels) == len(peaks) else (FLOOR_DB,) * len(peaks)
        self._show(tuple(fallen(old, new, seconds) for old, new in zip(shown, peaks, strict=True)))

    def silence(self) -> None:
        """The player stopped: nothing is heard."""
        self._show((FLOOR_DB,) * len(self._levels))

    def _show(self, levels: Sequence[float]) -> None:
        levels = tuple(levels)
        if levels != self._levels:
            self._levels = levels
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.WINDOW)
        count = len(self._levels)
        top, bottom = 8.0, self.height() - 8.0  # room for the half of a mark's label above 0 and below 48
        bar_width, gap, left = 7.0, 2.0, 2.0

        def y_of(db: float) -> float:
            return top + (bottom - top) * min(1.0, max(0.0, db / FLOOR_DB))

        for index, level in enumerate(self._levels):
            x = left + index * (bar_width + gap)
            painter.fillRect(QRectF(x, top, bar_width, bottom - top), theme.BASE)
            for low, high, colour in (
                (FLOOR_DB, YELLOW_DB, theme.SUCCESS),
                (YELLOW_DB, RED_DB, theme.WARNING),
                (RED_DB, 0.0, theme.DANGER),
            ):
                if level > low:
                    painter.fillRect(
                        QRectF(x, y_of(min(level, high)), bar_width, y_of(low) - y_of(min(level, high))), colour
                    )
        painter.setPen(QColor(theme.MUTED))
        font = painter.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.7))
        painter.setFont(font)
        text_x = left + count * (bar_width + gap) + 1
        for db in TICKS_DB:
            y = y_of(db)
            painter.drawText(QRectF(text_x, y - 6, self.width() - text_x, 12), Qt.AlignmentFlag.AlignLeft, str(-db))
