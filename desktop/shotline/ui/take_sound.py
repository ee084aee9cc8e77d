"""TakeSound: one compared take's own sound, played by an audio-only QMediaPlayer in step with the compare grid.

The grid's clock is the master (its pictures are decoded elsewhere); this only follows the time it is given, as the
player's mix track does (`ui.player_mix`, both through `ui.sound_follow`): it plays while the grid plays, seeks when
the clock jumps or drifts, and is silent while paused and past the take's end. QMediaPlayer counts from its file's
container start, so the time given is already on that clock (the take time plus `frame_reader.Picture.offset_us`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from shotline.ui.checked_source import CheckedSource
from shotline.ui.document import ProjectDocument
from shotline.ui.sound_follow import FollowedSound

log = logging.getLogger(__name__)


_READY = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
_PLAYING = QMediaPlayer.PlaybackState.PlayingState


class TakeSound(QObject):
    def __init__(self, document: ProjectDocument, *, with_output: bool, parent: QObject | None = None) -> None:
        """`with_output` False plays without a QAudioOutput (tests without a sound device)."""
        super().__init__(parent)
        self._media = QMediaPlayer(self)
        self._checked = CheckedSource(self._media, document)  # the file reaches the player once it is admitted
        self._checked.refused.connect(self._on_refused)
        if with_output:
            self._media.setAudioOutput(QAudioOutput(self))
        # queued, as in the player: no calls back into QMediaPlayer from inside setSource()
        queued = Qt.ConnectionType.QueuedConnection
        self._media.mediaStatusChanged.connect(self._on_media_status, queued)
        self._media.errorOccurred.connect(self._on_media_error, queued)
        self._source: Path | None = None
        self._loading = False
        self._at_ms: int | None = None
        self._playing = False
        self._follow = FollowedSound(self._media, "compared take's sound")

    @property
    def source(self) -> Path | None:
        """The file heard (None: silence)."""
        return self._source

    @property
    def seek_ms(self) -> int | None:
        """Where the sound was last sent (ms on its file's container clock)."""
        return self._follow.seek_ms

    @property
    def media_player(self) -> QMediaPlayer:
        return self._media

    def listen(self, path: Path | None, name: str = "") -> None:
        """Hear `path` from now on, at the time last followed (None: silence). `name`: the file as the creator knows
        it, for a refusal."""
        if path == self._source:
            return
        self._source = path
        self._follow.seek_ms = None
        self._media.stop()
        self._loading = path is not None
        if path is None:
            self._checked.clear()
        else:
            self._checked.set_file(path, name or path.name, "The compared take's sound cannot be played")

    def follow(self, at_ms: int | None, playing: bool) -> None:
        """The heard take is at `at_ms` on its file's clock (None: past its end), playing or paused."""
        self._at_ms, self._playing = at_ms, playing
        if self._source is None or self._loading:
            return  # once loaded, the file starts where the clock is then
        if at_ms is None or not playing:
            if self._media.playbackState() == _PLAYING:
                self._media.pause()
            return
        self._follow.keep_up(at_ms)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status in _READY and self._loading:
            self._loading = False
            self.follow(self._at_ms, self._playing)

    def _on_refused(self, message: str) -> None:
        # the pictures say why in their cell (their reader holds the file to the same rules); the take is silent
        log.warning("%s", message)
        self._loading = False
        self._source = None

    def _on_media_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError and self._source is not None:
            # the pictures go on; a take whose sound cannot be played is compared silent
            log.warning("Cannot play the sound of %s: %s", self._source.name, message or error.name)
            self._loading = False
            self._source = None

    def close(self) -> None:
        """Stop and release the file."""
        self._source = None
        self._loading = False
        self._media.stop()
        self._checked.clear()
