"""The player's picture: one take's file at a time in a video widget, shown at a time on the take's clock.

The player (ui.player) decides which take and which take time; this drives QMediaPlayer to show it. Which frame a
time names and what to ask the decoder for is `core.frames` (a paused seek asks for the frame's middle: asked for
its first microsecond, Qt showed the frame before).

QMediaPlayer counts from its file's container start (the earliest of its streams, as the FFmpeg inside Qt reads it);
a take's clock starts at its first picture frame (`media.clock`), as the export's and the thumbnails' do. The two
are an offset apart: 0.5 s for a clip whose picture starts 0.5 s after its sound. The viewer learns it from Qt
itself: a file just loaded and paused shows its first picture frame, stamped with Qt's time for it, which is the
offset. Only then does the take seek to the time wanted; each file is measured once. (Reading the offset with
PyAV instead disagreed with Qt by 21 ms for a Matroska clip with AAC sound: the two FFmpeg versions place that
container's start differently.)

A file reaches QMediaPlayer only once it is admitted, checked off the GUI thread (`ui.checked_source`): Qt's FFmpeg
follows a playlist swapped in for a take's file to whatever files it names.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtMultimedia import (
    QAudioBufferOutput,
    QAudioOutput,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QWidget

from shotline.core import frames
from shotline.ui.checked_source import CheckedSource
from shotline.ui.document import ProjectDocument

log = logging.getLogger(__name__)

FIRST_FRAME_WAIT_MS = 3000
"""How long a file just loaded may take to show its first frame (which says where its take's clock starts) before
its take is shown counting from the container's start instead, as a file without picture is."""
GAP_HEIGHT = 360
"""Pixels high of the black picture a caption is drawn over where there is no take (the widget scales it)."""
SEEK_SETTLED_MS = 250
"""Seeks are asynchronous: until the media reports a position this close to the one asked for, it is the old one."""

_READY = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
_NOT_LOADED = (
    QMediaPlayer.MediaStatus.NoMedia,
    QMediaPlayer.MediaStatus.LoadingMedia,
    QMediaPlayer.MediaStatus.InvalidMedia,
)


class Viewer(QObject):
    failed = Signal(str)
    """The loaded file cannot be played; the message names it."""
    seeked = Signal()
    """A seek that waited for its file to open was made: the clock that measures playing starts again from here."""
    full_screen_changed = Signal(bool)
    """The picture filled the screen (True) or went back into the player (False)."""
    _source_set = Signal(int)
    """Queued behind every frame the previous source had sent (with the number of the load): frames after it are the
    new source's."""

    def __init__(self, parent: QWidget, document: ProjectDocument) -> None:
        super().__init__(parent)
        self._document = document
        self._loaded: Path | None = None
        self._refused: str | None = None
        """The refusal last said, until a file plays: the same file asked for again and again is said once."""
        self._pending_us: int | None = None
        """The take time to show once the loaded file is open and its offset known (a seek before that is lost)."""
        self._fps = Fraction(24)
        """The loaded take's frame rate, which says where its frames' middles are."""
        self._seek_ms: int | None = None
        """The media position last asked for (ms on the media player's clock)."""
        self._offsets: dict[Path, int] = {}
        """Per file measured: where take time 0 lies on the media player's clock (µs)."""
        self._offset_us: int | None = None
        """The loaded file's offset, once known (0 when it could not be measured)."""
        self._loads = 0
        self._measuring = False
        self._rate: float | None = None
        """The speed the media should play forward at, None for paused."""
        self._first_frame_timer = QTimer(self)
        self._first_frame_timer.setSingleShot(True)
        self._first_frame_timer.setInterval(FIRST_FRAME_WAIT_MS)
        self._first_frame_timer.timeout.connect(self._no_first_frame)

        self._media = QMediaPlayer(self)
        # Only with a real sound device: Qt's FFmpeg backend can hang in stop() when its audio sink failed to open
        # (seen on machines without a sound server). Without one the picture plays silently.
        self._audio: QAudioOutput | None = None
        if QMediaDevices.audioOutputs():
            self._audio = QAudioOutput(self)
            self._media.setAudioOutput(self._audio)
        self.sound = QAudioBufferOutput(self)
        """The takes' own sound as it is played, block by block (for the level meters), with or without a device."""
        self._media.setAudioBufferOutput(self.sound)
        self.widget = QVideoWidget(parent)
        self.widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._media.setVideoOutput(self.widget)
        self._source = CheckedSource(self._media, document)
        self._source.source_set.connect(self._on_source_set)
        self._source.refused.connect(self._on_refused)
        self.widget.installEventFilter(self)  # a double click fills the screen with the picture, Esc leaves
        # Queued: QMediaPlayer may report a status from inside setSource(), and calling back into it there can
        # deadlock its FFmpeg backend (seen as a hang in pause()). Handle it once the call has returned.
        queued = Qt.ConnectionType.QueuedConnection
        self._media.mediaStatusChanged.connect(self._on_media_status, queued)
        self._media.errorOccurred.connect(self._on_media_error, queued)
        self.widget.videoSink().videoFrameChanged.connect(self._on_frame, queued)
        self._source_set.connect(self._measure_first_frame, queued)

    @property
    def media_player(self) -> QMediaPlayer:
        return self._media

    @property
    def audio_output(self) -> QAudioOutput | None:
        """The takes' own sound; None without a sound device."""
        return self._audio

    @property
    def sink(self) -> QVideoSink:
        """Where the frames shown arrive."""
        return self.widget.videoSink()

    @property
    def loaded(self) -> Path | None:
        return self._loaded

    @property
    def requested_ms(self) -> int | None:
        """The media position last asked for (ms), None before the loaded file's first seek."""
        return self._seek_ms

    # ------------------------------------------------------------------------------------------ full screen

    @property
    def full_screen(self) -> bool:
        return self.widget.isFullScreen()

    def set_full_screen(self, on: bool) -> None:
        """Fill the screen with the picture, as Resolve's cinema viewer does, or put it back into the player. Full
        screen it is a window of its own, which takes the keyboard: the player gives it its transport keys."""
        if on == self.widget.isFullScreen():
            return
        self.widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus if on else Qt.FocusPolicy.NoFocus)
        self.widget.setFullScreen(on)
        if on:
            self.widget.activateWindow()
            self.widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self.full_screen_changed.emit(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget:
            if event.type() == QEvent.Type.MouseButtonDblClick:
                self.set_full_screen(not self.widget.isFullScreen())
                return True
            if (
                event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape
                and self.widget.isFullScreen()
            ):
                self.set_full_screen(False)
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------------------------------ showing

    def show(self, path: Path, source_us: int, fps: Fraction, *, has_picture: bool, name: str, what: str) -> None:
        """Show the frame of the take in `path` at `source_us` on its clock (`fps`: its frame rate). `name` is the
        file as the creator knows it, `what` the words a refusal starts with ("Shot 2 cannot be played")."""
        self._fps = fps
        if path != self._loaded:
            self._load(path, has_picture=has_picture, name=name, what=what)
            self._pending_us = source_us  # a seek before the file is open is lost: it waits for the file and offset
        elif self._pending_us is not None:
            self._pending_us = source_us  # still waiting for them
        else:
            target_ms = self._target_ms(source_us)
            if target_ms == self._seek_ms and self._rate is None:
                return  # the frame on screen is already this one: an unrelated edit must not make the media seek
            self._seek_to(target_ms)
        self._drive()

    def _target_ms(self, source_us: int) -> int:
        assert self._offset_us is not None  # a file's seek stops waiting only once its offset is known
        # paused, the middle of the frame (Qt shows the one before for its first microsecond); playing, the time
        # itself, so the media runs on from where the clock is
        wanted = frames.decoder_time(source_us, self._fps) if self._rate is None else source_us
        return (wanted + self._offset_us) // 1000

    def _seek_to(self, target_ms: int) -> None:
        self._seek_ms = target_ms
        self._media.setPosition(target_ms)

    def show_caption(self, text: str) -> None:
        """Draw `text` over the picture ("" for none), in the player and full screen alike.

        QVideoWidget draws the sink's subtitle text, but only as stamped on each frame when the frame arrives.
        Playing, the next frame brings it; paused or in a gap no frame comes, so the picture is drawn again with it."""
        if self.sink.subtitleText() == text:
            return
        self.sink.setSubtitleText(text)
        if not self._frames_coming():
            self._redraw()

    def _frames_coming(self) -> bool:
        return self._media.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def _redraw(self) -> None:
        """Give the widget the picture on screen again, stamped with the caption: a copy of the frame shown, or
        black where there is no picture (a shot without a take), so a caption is read over a gap too. Only the
        widget is given it; the sink's own frame stays the media's."""
        if self._measuring or self._pending_us is not None:
            return  # the file's first frame is on its way, and brings the caption
        shown = self.sink.videoFrame()
        if self._loaded is not None and shown.isValid():
            image = shown.toImage()  # a frame of its own: the widget redraws only a frame that is not the one shown
        else:
            size = self._document.project.settings.size
            image = QImage(GAP_HEIGHT * size.width // size.height, GAP_HEIGHT, QImage.Format.Format_RGB32)
            image.fill(Qt.GlobalColor.black)
        frame = QVideoFrame(image)
        frame.setStartTime(shown.startTime())
        frame.setEndTime(shown.endTime())
        frame.setSubtitleText(self.sink.subtitleText())
        self.sink.videoFrameChanged.emit(frame)

    def set_rate(self, rate: float | None) -> None:
        """Play forward at `rate`, or hold the frame shown (None)."""
        self._rate = rate
        self._drive()

    def _drive(self) -> None:
        # a file waiting for its first seek stays paused: paused, it shows the first frame that measures its offset
        if self._rate is not None and self._loaded is not None and self._pending_us is None:
            self._media.setPlaybackRate(self._rate)
            self._media.play()
        else:
            self._media.pause()

    def playing_source_us(self) -> int | None:
        """The take time the playing media is at, when it is the clock (loaded, seeked, playing); None otherwise."""
        playing = (
            self._loaded is not None
            and self._pending_us is None
            and self._seek_settled()
            and self._media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
            and self._media.mediaStatus() in (*_READY, QMediaPlayer.MediaStatus.BufferingMedia)
        )
        return self._media.position() * 1000 - (self._offset_us or 0) if playing else None

    def _seek_settled(self) -> bool:
        if self._seek_ms is not None and abs(self._media.position() - self._seek_ms) < SEEK_SETTLED_MS:
            self._seek_ms = None
        return self._seek_ms is None

    # ------------------------------------------------------------------------------------------ files

    def _load(self, path: Path, *, has_picture: bool, name: str, what: str) -> None:
        self._loaded = path
        self._loads += 1
        self._seek_ms = None
        # a file without picture counts from its first sound sample, which is where its container starts
        self._offset_us = self._offsets.get(path, None if has_picture else 0)
        self._measuring = False
        self._first_frame_timer.stop()
        self._source.set_file(path, name, what)  # QMediaPlayer opens it once it is admitted

    def _on_source_set(self) -> None:
        self._refused = None
        if self._offset_us is None:
            self._source_set.emit(self._loads)
        self._drive()  # a source just set is stopped: paused, it shows the first frame that measures its offset

    def _on_refused(self, message: str) -> None:
        # the file stays the one loaded, with no source: the take's place is dark, and the clock runs on over it
        if message != self._refused:
            self._refused = message
            self.failed.emit(message)

    def unload(self) -> None:
        """Show nothing (a gap, a missing file) and release the file."""
        if self._loaded is not None:
            self._loaded = None
            self._pending_us = None
            self._offset_us = None
            self._measuring = False
            self._first_frame_timer.stop()
            self._media.stop()
            self._source.clear()

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status in _READY:
            self._seek_pending()

    def _seek_pending(self) -> None:
        """Show the take time waiting for its file to open and its offset to be known, once both are."""
        if self._pending_us is None or self._offset_us is None or self._media.mediaStatus() in _NOT_LOADED:
            return
        target_ms = self._target_ms(self._pending_us)
        self._pending_us = None
        self._seek_to(target_ms)
        self.seeked.emit()
        self._drive()

    def _measure_first_frame(self, load: int) -> None:
        # every frame of the previous source came before this call: the next valid frame is the loaded file's first
        if load == self._loads and self._loaded is not None and self._offset_us is None:
            self._measuring = True
            self._first_frame_timer.start()

    def _on_frame(self, frame: QVideoFrame) -> None:
        if frame.subtitleText() != self.sink.subtitleText() and not self._frames_coming():
            # a frame stamped before the caption changed (one on its way as it changed, or the empty frame of media
            # stopped for a gap) reached the widget after the caption was drawn: draw it again, once every receiver
            # has had this frame
            QTimer.singleShot(0, self, self._redraw)
        if not self._measuring or not frame.isValid() or self._loaded is None:
            return
        # not yet seeked, the paused media shows its first picture frame: Qt's time for it is the take's zero
        self._measuring = False
        self._first_frame_timer.stop()
        self._offset_us = self._offsets[self._loaded] = frame.startTime()
        self._seek_pending()

    def _no_first_frame(self) -> None:
        if self._measuring and self._loaded is not None:
            log.warning("%s showed no picture in time; playing it from its container's start", self._loaded.name)
            self._measuring = False
            self._offset_us = 0  # for this load only: the next one measures again
            self._seek_pending()

    def _on_media_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            name = self._loaded.name if self._loaded else "this clip"
            self.failed.emit(f"Cannot play {name}: {message or error.name}. Try importing it again.")
