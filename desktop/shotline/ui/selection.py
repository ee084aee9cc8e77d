"""What the creator has selected: shots, or one audio clip on a lane. One object shared by the storyboard,
inspector, player and timeline; selecting shots drops the audio clip and selecting an audio clip drops the shots,
so the inspector always knows which to show."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ShotSelection(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: tuple[str, ...] = ()
        self._audio_clip: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def current(self) -> str | None:
        """The shot the inspector shows: the last one selected."""
        return self._ids[-1] if self._ids else None

    @property
    def audio_clip(self) -> str | None:
        """The selected audio clip's id, if an audio clip rather than shots is selected."""
        return self._audio_clip

    def select(self, ids: list[str] | tuple[str, ...]) -> None:
        ids = tuple(dict.fromkeys(ids))
        if ids != self._ids or (ids and self._audio_clip is not None):
            self._ids = ids
            if ids:
                self._audio_clip = None
            self.changed.emit()

    def select_audio_clip(self, clip_id: str | None) -> None:
        if clip_id == self._audio_clip and (clip_id is None or not self._ids):
            return
        self._audio_clip = clip_id
        if clip_id is not None:
            self._ids = ()
        self.changed.emit()

    def keep_only(self, existing: set[str], audio_clips: set[str] | None = None) -> None:
        """Drop shots (and the audio clip) that no longer exist (after a delete or an undo)."""
        if audio_clips is not None and self._audio_clip is not None and self._audio_clip not in audio_clips:
            self.select_audio_clip(None)
        self.select([sid for sid in self._ids if sid in existing])
