"""The player's second voice: the timeline's full sound mix (music, voice-over, gains, fades, ducking, crossfades)
played by an audio-only QMediaPlayer in step with the player's clock.

The mix itself is a WAV rendered by `services.mix_preview` on the runner, again (debounced) after each edit that
changes the sound. The picture player stays the master: this track only follows the clock it is given — it plays
when the player plays forward at normal speed, seeks when the clock jumps or when it drifts (`ui.sound_follow`), and
is silent (paused) for reverse and faster J/K/L speeds. While it carries a mix, the player silences the takes'
own sound, which the mix already holds.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtMultimedia import QAudioBufferOutput, QAudioOutput, QMediaPlayer

from shotline.core.changes import ProjectChange
from shotline.services import mix_preview
from shotline.services.playback import Transport
from shotline.ui.checked_source import CheckedSource
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.sound_follow import FollowedSound

log = logging.getLogger(__name__)

RENDER_DELAY_MS = 300
"""Edits closer together than this (a gain slider, a drag) make one new preview, not one each."""

_READY = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)


class MixTrack(QObject):
    carrying_changed = Signal(bool)
    """True while this track plays the sound (a mix is loaded)."""
    source_changed = Signal()
    """A new preview was loaded, or the mix was dropped (then `unavailable` may say why)."""

    def __init__(self, document: ProjectDocument, *, with_output: bool, parent: QObject | None = None) -> None:
        """`with_output` False makes a track without a QAudioOutput (tests without a sound device)."""
        super().__init__(parent)
        self._document = document
        self._media = QMediaPlayer(self)
        self._output: QAudioOutput | None = None
        if with_output:
            self._output = QAudioOutput(self)
            self._media.setAudioOutput(self._output)
        self.sound = QAudioBufferOutput(self)
        """The mix as it is played, block by block (for the player's level meters)."""
        self._media.setAudioBufferOutput(self.sound)
        self._checked = CheckedSource(self._media, document)  # the preview reaches the player once it is admitted
        self._checked.refused.connect(self._on_refused)
        # queued for the same reason as the picture player: no calls back into QMediaPlayer from inside setSource()
        queued = Qt.ConnectionType.QueuedConnection
        self._media.mediaStatusChanged.connect(self._on_media_status, queued)
        self._media.errorOccurred.connect(self._on_media_error, queued)
        self._source: Path | None = None
        self._pending_ms: int | None = None
        self._follow = FollowedSound(self._media, "preview mix")
        self._at_us = 0
        self._transport = Transport()
        self._carrying = False
        self._closed = False
        self._rendering = False
        self._render_again = False
        self._unavailable: str | None = None
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_DELAY_MS)
        self._render_timer.timeout.connect(self._render)
        self.project_changed(None)

    # ------------------------------------------------------------------------------------------ state

    @property
    def media_player(self) -> QMediaPlayer:
        return self._media

    @property
    def source(self) -> Path | None:
        """The preview WAV loaded now (None: the takes' own sound is what the player plays)."""
        return self._source

    @property
    def carrying(self) -> bool:
        return self._carrying

    @property
    def unavailable(self) -> str | None:
        """Why the timeline's mix cannot be heard in the preview (e.g. a shot without a take), or None."""
        return self._unavailable

    # ------------------------------------------------------------------------------------------ rendering

    def project_changed(self, change: ProjectChange | None) -> None:
        """After an edit: a new preview soon when the sound may have changed; none when the takes' sound is enough."""
        if change is not None and not _may_change_sound(change):
            return
        if not mix_preview.needs_mix(self._document.project):
            self._render_timer.stop()
            self._unavailable = None
            self._drop()
            return
        self._render_timer.start()

    def _render(self) -> None:
        if self._closed:
            return
        if self._rendering:
            self._render_again = True  # the project changed while rendering: render once more when it is done
            return
        self._rendering = True
        document = self._document
        handle = mix_preview.start_preview(document.ctx, document.session)
        document.bridge.watch(handle, self._rendered, self._failed, self._render_finished)

    def _render_finished(self) -> bool:
        """True when this result is still wanted (the track is open and the mix is still needed)."""
        self._rendering = False
        if self._closed:
            return False
        if self._render_again:
            self._render_again = False
            self._render_timer.start()
        return mix_preview.needs_mix(self._document.project)

    def _rendered(self, path: Path) -> None:
        if not self._render_finished():
            return
        self._unavailable = None
        if path == self._source:
            return
        self._source = path
        self._pending_ms = self._at_us // 1000
        self._follow.seek_ms = None
        self._checked.set_file(path, path.name, "The preview mix cannot be played")
        self._update_carrying()
        self.source_changed.emit()

    def _failed(self, error: BaseException) -> None:
        if not self._render_finished():
            return
        # the takes' own sound plays instead; the reason is kept (not shown as an error: an unmade shot is normal)
        self._unavailable = describe(error)
        log.info("No preview mix: %s", self._unavailable)
        self._drop()

    def _drop(self) -> None:
        if self._source is None:
            return
        self._source = None
        self._pending_ms = None
        self._media.stop()
        self._checked.clear()
        self._update_carrying()
        self.source_changed.emit()

    def _update_carrying(self) -> None:
        carrying = self._source is not None
        if carrying != self._carrying:
            self._carrying = carrying
            self.carrying_changed.emit(carrying)

    # ------------------------------------------------------------------------------------------ following the clock

    def follow(self, at_us: int, transport: Transport) -> None:
        """The player's clock is at `at_us` (timeline time), moving as `transport` says: keep the mix with it."""
        self._at_us, self._transport = at_us, transport
        if not self._carrying or self._pending_ms is not None:
            if self._pending_ms is not None:
                self._pending_ms = at_us // 1000  # not loaded yet: start there once it is
            return
        target_ms = at_us // 1000
        if transport.direction != 1 or transport.speed != 1:
            # reverse and fast speeds would be noise: the mix is silent, and only follows a paused clock's seeks
            if self._media.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
                self._media.pause()
            if not transport.playing and target_ms != self._follow.seek_ms:
                self._follow.seek(target_ms)
            return
        duration = self._media.duration()
        if duration > 0 and target_ms >= duration:
            self._media.pause()  # past the end of a preview that is being rendered again for a longer film
            return
        self._follow.keep_up(target_ms)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        # a seek before the file is open is lost: start where the clock is now, once it is loaded
        if status in _READY and self._pending_ms is not None:
            self._pending_ms = None
            self._follow.seek_ms = None
            self.follow(self._at_us, self._transport)
            if self._follow.seek_ms is None:
                self._follow.seek(self._at_us // 1000)

    def _on_refused(self, message: str) -> None:
        # a file in the cache under a preview's name that is not the WAV Shotline wrote (a hand-made project folder
        # can hold anything there): the takes' own sound plays instead
        log.warning("%s", message)
        self._unavailable = message
        self._drop()

    def _on_media_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError and self._source is not None:
            log.warning("Cannot play the preview mix %s: %s", self._source.name, message or error.name)
            self._unavailable = f"The preview mix could not be played ({message or error.name})."
            self._drop()

    def close(self) -> None:
        """Stop playing and release the file; a preview still rendering is dropped when it arrives."""
        self._closed = True
        self._render_timer.stop()
        self._drop()


def _may_change_sound(change: ProjectChange) -> bool:
    # the library (takes without a shot) is never heard; every other change may move, trim or change a sound
    return bool(change.added or change.removed or change.updated or change.reordered or change.settings or change.audio)
