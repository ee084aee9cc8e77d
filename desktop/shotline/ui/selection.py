"""Which shots the creator has selected: one object shared by the storyboard, inspector, player and timeline."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ShotSelection(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def current(self) -> str | None:
        """The shot the inspector shows: the last one selected."""
        return self._ids[-1] if self._ids else None

    def select(self, ids: list[str] | tuple[str, ...]) -> None:
        ids = tuple(dict.fromkeys(ids))
        if ids != self._ids:
            self._ids = ids
            self.changed.emit()

    def keep_only(self, existing: set[str]) -> None:
        """Drop shots that no longer exist (after a delete or an undo)."""
        self.select([sid for sid in self._ids if sid in existing])
