"""The playhead: a position on the timeline, in microseconds, shared by the player and the timeline view."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Playhead(QObject):
    moved = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._us = 0

    @property
    def position_us(self) -> int:
        return self._us

    def seek(self, position_us: int) -> None:
        position_us = max(0, position_us)
        if position_us != self._us:
            self._us = position_us
            self.moved.emit(position_us)
