"""A QMediaPlayer's sound kept with a clock: played from where the clock is, and sent there again when it drifts.

Shared by the player's preview mix (`player_mix`) and the compared take's sound (`take_sound`), which decide *when*
to follow; this holds *how*: the last place the sound was sent, and when, so a seek that has not taken effect yet
is not taken for drift.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QElapsedTimer
from PySide6.QtMultimedia import QMediaPlayer

log = logging.getLogger(__name__)

DRIFT_MS = 80
"""Sound this far from the clock is sent back to it (lip sync is lost somewhere past 45-90 ms)."""
SETTLE_MS = 300
"""How long a seek takes to settle before drift is measured again: a position read sooner is the old one."""


class FollowedSound:
    def __init__(self, media: QMediaPlayer, name: str) -> None:
        self._media = media
        self._name = name
        self.seek_ms: int | None = None
        """Where the sound was last sent (ms on its file's clock); None once it is to be sent afresh."""
        self._since_seek = QElapsedTimer()

    def seek(self, at_ms: int) -> None:
        self.seek_ms = at_ms
        self._since_seek.restart()
        self._media.setPosition(at_ms)

    def keep_up(self, at_ms: int) -> None:
        """Play from `at_ms` if not playing; while playing, send it there again only if it drifted."""
        if self._media.playbackState() != QMediaPlayer.PlaybackState.PlayingState:
            self.seek(at_ms)
            self._media.play()
        elif self._settled() and abs(self._media.position() - at_ms) > DRIFT_MS:
            log.debug("%s drifted %d ms from the clock; re-syncing", self._name, self._media.position() - at_ms)
            self.seek(at_ms)

    def _settled(self) -> bool:
        return not self._since_seek.isValid() or self._since_seek.elapsed() >= SETTLE_MS
