"""The preview player: the current shot inside its trim, or the whole timeline in shot order, with J/K/L and I/O.

What is shown and how keys move it is decided by `services.playback` (pure, tested without decoding); this
widget only drives QMediaPlayer. While a take plays forward the media player is the clock; reverse, gaps (shots
without a take) and media that will not start are driven by an elapsed-time ticker instead, so the playhead
always moves and the GUI thread never waits for the decoder.

QMediaPlayer counts from its file's container start (the earliest of its streams, as the FFmpeg inside Qt reads it);
a take's clock starts at its first picture frame (`media.clock`), as the export's and the thumbnails' do. The two
are an offset apart: 0.5 s for a clip whose picture starts 0.5 s after its sound. The player learns it from Qt
itself: a file just loaded and paused shows its first picture frame, stamped with Qt's time for it, which is the
offset. Only then does the take seek to the time wanted; each file is measured once. (Reading the offset with
PyAV instead disagreed with Qt by 21 ms for a Matroska clip with AAC sound: the two FFmpeg versions place that
container's start differently.)

When the timeline's sound is more than its takes' own (music, voice-over, gains, fades, ducking, crossfades), a
`MixTrack` plays the rendered preview mix in step with the clock and the takes' own sound is silenced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QSignalBlocker, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeySequence, QPainter, QPaintEvent, QPen
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.errors import ShotlineError
from shotline.core.model import Take
from shotline.core.timecode import format_time
from shotline.core.timeline import placement_at, start_of
from shotline.services import playback
from shotline.services.playback import Mode, Playlist, Segment, Transport, TrimPoint
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.player_mix import MixTrack
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection

log = logging.getLogger(__name__)

TICK_MS = 40
"""How often the ticker moves the clock: fast enough for smooth reverse, slow enough to cost nothing."""

FIRST_FRAME_WAIT_MS = 3000
"""How long a file just loaded may take to show its first frame (which says where its take's clock starts) before
its take is shown counting from the container's start instead, as a file without picture is."""

_READY = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
_NOT_LOADED = (
    QMediaPlayer.MediaStatus.NoMedia,
    QMediaPlayer.MediaStatus.LoadingMedia,
    QMediaPlayer.MediaStatus.InvalidMedia,
)


class PlayerPanel(QWidget):
    _source_set = Signal(int)
    """Queued behind every frame the previous source had sent (with the number of the load): frames after it are the
    new source's."""
    mode_changed = Signal(str)
    """The player switched between Shot, Timeline and Compare; the argument is the Mode value."""
    transport_changed = Signal()
    """Play, pause, direction or speed changed."""

    def __init__(
        self,
        document: ProjectDocument,
        selection: ShotSelection,
        playhead: Playhead,
        parent: QWidget | None = None,
        *,
        mix_without_sound_device: bool = False,
    ) -> None:
        """`mix_without_sound_device` is for tests only: a mix track (with no audio output) even without a device."""
        super().__init__(parent)
        self._document = document
        self._selection = selection
        self._playhead = playhead
        self._mode = Mode.TIMELINE
        self._transport = Transport()
        self._playlist = Playlist((), linked=True)
        self._shot_id: str | None = None
        self._position = 0
        self._driving = False
        self._loaded: Path | None = None
        self._pending_us: int | None = None
        """The take time to show once the loaded file is open and its offset known (a seek before that is lost)."""
        self._seek_ms: int | None = None
        """The media position last asked for (ms on the media player's clock)."""
        self._offsets: dict[Path, int] = {}
        """Per file measured: where take time 0 lies on the media player's clock (µs)."""
        self._offset_us: int | None = None
        """The loaded file's offset, once known (0 when it could not be measured)."""
        self._loads = 0
        self._measuring = False
        self._first_frame_timer = QTimer(self)
        self._first_frame_timer.setSingleShot(True)
        self._first_frame_timer.setInterval(FIRST_FRAME_WAIT_MS)
        self._first_frame_timer.timeout.connect(self._no_first_frame)
        self._missing: set[Path] = set()
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_tick)

        self._media = QMediaPlayer(self)
        # Only with a real sound device: Qt's FFmpeg backend can hang in stop() when its audio sink failed to open
        # (seen on machines without a sound server). Without one the picture plays silently.
        self._audio: QAudioOutput | None = None
        if QMediaDevices.audioOutputs():
            self._audio = QAudioOutput(self)
            self._media.setAudioOutput(self._audio)
        # The same rule for the mix: without a sound device there is nothing to hear, so no mix track at all.
        self._mix: MixTrack | None = None
        if self._audio is not None or mix_without_sound_device:
            self._mix = MixTrack(document, with_output=self._audio is not None, parent=self)
            self._mix.carrying_changed.connect(self._on_mix_carrying)
        self._video = QVideoWidget(self)
        self._video.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._media.setVideoOutput(self._video)
        # Queued: QMediaPlayer may report a status from inside setSource(), and calling back into it there can
        # deadlock its FFmpeg backend (seen as a hang in pause()). Handle it once the call has returned.
        queued = Qt.ConnectionType.QueuedConnection
        self._media.mediaStatusChanged.connect(self._on_media_status, queued)
        self._media.errorOccurred.connect(self._on_media_error, queued)
        self._video.videoSink().videoFrameChanged.connect(self._on_frame, queued)
        self._source_set.connect(self._measure_first_frame, queued)

        self._actions: list[QAction] = []
        self._build()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        document.changed.connect(self._on_document_changed)
        selection.changed.connect(self._on_selection_changed)
        playhead.moved.connect(self._on_playhead_moved)
        self._rebuild(keep=playhead.position_us)

    # ------------------------------------------------------------------------------------------ building

    def _action(self, text: str, key: str, icon: str, slot: Callable[[], object]) -> QAction:
        action = QAction(theme.icon(icon), text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        self._actions.append(action)
        return action

    def _build(self) -> None:
        self.play_action = self._action("Play / pause", "Space", "play", self.toggle_play)
        self._action("Play backwards, faster when pressed again", "J", "step-back", self.play_reverse)
        self._action("Pause", "K", "pause", self.pause)
        self._action("Play forwards, faster when pressed again", "L", "play", self.play_forward)
        back = self._action("Back one frame", "Left", "step-back", lambda: self.step(-1))
        forward = self._action("Forward one frame", "Right", "step-forward", lambda: self.step(1))
        mark_in = self._action("Set the shot's in point here", "I", "mark-in", self.mark_in)
        mark_out = self._action("Set the shot's out point here", "O", "mark-out", self.mark_out)
        start = self._action("Go to the start", "Home", "go-start", self.go_start)
        end = self._action("Go to the end", "End", "go-end", self.go_end)

        self._slider = QSlider(Qt.Orientation.Horizontal, self)
        self._slider.setToolTip("Scrub (←/→ one frame, Home/End)")
        self._slider.sliderMoved.connect(lambda value: self.seek(self._playlist.begin_us + value * 1000))
        self._time = QLabel(self)
        self._time.setToolTip("Position / length of what the player plays")
        self._time.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._modes = QButtonGroup(self)
        mode_row = QHBoxLayout()
        for mode, text, tip in (
            (Mode.SHOT, "Shot", "Play the selected shot inside its trim"),
            (Mode.TIMELINE, "Timeline", "Play the whole film, shot after shot"),
        ):
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setChecked(mode is self._mode)
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            self._modes.addButton(button)
            mode_row.addWidget(button)
            setattr(self, f"_{mode.value}_button", button)
        self._compare_label = QLabel(self)
        self._compare_label.setStyleSheet(f"color: {theme.MUTED.name()}")
        mode_row.addWidget(self._compare_label)
        mode_row.addStretch(1)

        transport = QHBoxLayout()
        for action in (start, back, self.play_action, forward, end, mark_in, mark_out):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            transport.addWidget(button)
        transport.addWidget(self._slider, 1)
        transport.addWidget(self._time)

        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(mode_row)
        column.addWidget(self._video, 1)
        column.addLayout(transport)

    def transport_actions(self) -> list[QAction]:
        """The player's keyboard actions (Space, J/K/L, ←/→, I/O, Home/End)."""
        return list(self._actions)

    def share_shortcuts(self, widget: QWidget) -> None:
        """Make the transport keys work while `widget` (e.g. the timeline) has focus too."""
        for action in self._actions:
            widget.addAction(action)

    # ------------------------------------------------------------------------------------------ state

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def transport(self) -> Transport:
        """What the creator asked for (play direction and speed), whether or not the decoder keeps up."""
        return self._transport

    @property
    def playlist(self) -> Playlist:
        return self._playlist

    @property
    def position_us(self) -> int:
        """The player's clock: timeline time in Shot and Timeline mode, time into the compare run otherwise."""
        return self._position

    @property
    def media_player(self) -> QMediaPlayer:
        return self._media

    @property
    def mix(self) -> MixTrack | None:
        """The track that plays the timeline's sound mix; None without a sound device."""
        return self._mix

    def set_mode(self, mode: Mode) -> None:
        if mode is Mode.COMPARE:
            raise ValueError("Compare mode starts with play_takes()")
        self.pause()
        self._mode = mode
        self._shot_id = self._selection.current
        self._compare_label.clear()
        if self._mix is not None:
            self._mix.set_enabled(True)
        self._rebuild(keep=self._playhead.position_us)
        self._sync_mode_buttons()
        self.mode_changed.emit(mode.value)

    def play_takes(self, takes: list[Take]) -> None:
        """Compare: play these takes one after another, each inside its trim, then stop."""
        self.pause()
        self._mode = Mode.COMPARE
        if self._mix is not None:
            self._mix.set_enabled(False)  # compared takes are heard with their own sound
        self._playlist = playback.compare_playlist(takes)
        self._compare_label.setText(f"Comparing {len(takes)} takes")
        self._sync_mode_buttons()
        self._set_position(self._playlist.begin_us)
        self.mode_changed.emit(self._mode.value)
        if takes:
            self._set_transport(Transport(1, 1))

    def _sync_mode_buttons(self) -> None:
        self._modes.setExclusive(False)
        for mode in (Mode.SHOT, Mode.TIMELINE):
            button: QToolButton = getattr(self, f"_{mode.value}_button")
            button.setChecked(mode is self._mode)
        self._modes.setExclusive(True)

    def _rebuild(self, keep: int) -> None:
        """Rebuild the playlist from the project (after an edit, a mode or a selection change) and show `keep`."""
        project = self._document.project
        if self._mode is Mode.COMPARE:
            return
        if self._mode is Mode.SHOT:
            shot_id = self._shot_id if self._shot_id and project.has_shot(self._shot_id) else None
            if shot_id is None:
                placement = placement_at(project, keep)
                shot_id = placement.shot.id if placement else None
            self._shot_id = shot_id
            self._playlist = playback.shot_playlist(project, shot_id) if shot_id else Playlist((), True)
        else:
            self._playlist = playback.timeline_playlist(project)
        self._set_position(self._playlist.clamp(keep))

    # ------------------------------------------------------------------------------------------ transport

    def toggle_play(self) -> None:
        self._set_transport(self._transport.toggle())

    def play_forward(self) -> None:
        self._set_transport(self._transport.forward())

    def play_reverse(self) -> None:
        self._set_transport(self._transport.reverse())

    def pause(self) -> None:
        self._set_transport(self._transport.pause())

    def _set_transport(self, transport: Transport) -> None:
        at_end = self._position >= self._playlist.end_us
        if transport.direction == 1 and at_end and self._transport.direction != 1:
            self._set_position(self._playlist.begin_us)  # Play at the end starts again, as every player does
        self._transport = transport
        self.play_action.setIcon(theme.icon("pause" if transport.playing else "play"))
        if transport.playing:
            self._clock.restart()
            self._ticker.start()
        else:
            self._ticker.stop()
        self._drive_media()
        self._follow_mix()
        self.transport_changed.emit()

    def _drive_media(self) -> None:
        # a file waiting for its first seek stays paused: paused, it shows the first frame that measures its offset
        if self._transport.direction == 1 and self._loaded is not None and self._pending_us is None:
            self._media.setPlaybackRate(float(self._transport.speed))
            self._media.play()
        else:
            self._media.pause()

    def _on_tick(self) -> None:
        elapsed_us = self._clock.restart() * 1000
        segment = self._playlist.at(self._position)
        if segment is None:
            self.pause()
            return
        if self._transport.direction == 1:
            self._advance(segment, elapsed_us * self._transport.speed)
        else:
            target = self._position - elapsed_us * self._transport.speed
            if target <= self._playlist.begin_us:
                self._set_position(self._playlist.begin_us)
                self.pause()
            else:
                self._set_position(target)

    def _advance(self, segment: Segment, elapsed_us: int) -> None:
        media_is_clock = (
            segment.take is not None
            and self._loaded is not None
            and self._pending_us is None
            and self._seek_settled()
            and self._media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
            and self._media.mediaStatus() in (*_READY, QMediaPlayer.MediaStatus.BufferingMedia)
        )
        if media_is_clock:
            source = self._media.position() * 1000 - (self._offset_us or 0)
            target = max(self._position, segment.clock_time(source))
        else:
            target = self._position + elapsed_us
        if target < segment.end_us:
            self._set_position(target, show=not media_is_clock)
            return
        if segment.end_us >= self._playlist.end_us:
            self._set_position(self._playlist.end_us)
            self.pause()
            return
        self._set_position(segment.end_us)  # the next segment's first frame: loads its media and plays on

    def _seek_settled(self) -> bool:
        """Seeks are asynchronous: until the media reports the new place, its position is the old one."""
        if self._seek_ms is not None and abs(self._media.position() - self._seek_ms) < 250:
            self._seek_ms = None
        return self._seek_ms is None

    # ------------------------------------------------------------------------------------------ moving

    def seek(self, at_us: int) -> None:
        """Show the frame at `at_us` on the player's clock; playing goes on from there."""
        self._set_position(self._playlist.clamp(at_us))
        self._clock.restart()

    def step(self, frames: int) -> None:
        """Pause, then move `frames` frames of the take under the playhead (negative: backwards)."""
        self.pause()
        fallback = self._document.project.settings.fps
        self._set_position(playback.step_frames(self._playlist, self._position, frames, fallback))

    def go_start(self) -> None:
        self.seek(self._playlist.begin_us)

    def go_end(self) -> None:
        self.pause()
        self.seek(self._playlist.end_us)

    def _set_position(self, at_us: int, *, show: bool = True) -> None:
        self._position = at_us
        if self._playlist.linked:
            self._driving = True
            try:
                self._playhead.seek(at_us)
            finally:
                self._driving = False
        with QSignalBlocker(self._slider):
            self._slider.setRange(0, self._playlist.duration_us // 1000)
            self._slider.setValue((at_us - self._playlist.begin_us) // 1000)
        self._time.setText(
            f"{format_time(at_us - self._playlist.begin_us)} / {format_time(self._playlist.duration_us)}"
        )
        if show:
            self._show(at_us)
        self._follow_mix()

    def _follow_mix(self) -> None:
        if self._mix is not None:
            self._mix.follow(self._position, self._transport)

    def _on_mix_carrying(self, carrying: bool) -> None:
        if self._audio is not None:
            self._audio.setMuted(carrying)  # the mix holds the takes' own sound already

    def _show(self, at_us: int) -> None:
        """Put the frame at `at_us` in the video widget: load its take if needed and seek the media there."""
        segment = self._playlist.at(at_us)
        source = segment.source_time(at_us) if segment else None
        if segment is None or segment.take is None or source is None:
            self._unload()
            return
        path = self._document.session.bundle.resolve(segment.take.media)
        if not path.is_file():
            self._unload()
            if path not in self._missing:
                self._missing.add(path)
                self._document.failed.emit(
                    f"The clip {segment.take.source_name or segment.take.media} is missing ({path}). "
                    "Import it again or generate a new take to play this shot."
                )
            return
        self._missing.discard(path)
        if path != self._loaded:
            self._load(path, has_picture=segment.take.info.has_video)
            self._pending_us = source  # a seek before the file is open is lost: it waits for the file and its offset
        elif self._pending_us is not None:
            self._pending_us = source  # still waiting for them
        else:
            assert self._offset_us is not None  # a file's seek stops waiting only once its offset is known
            target_ms = (source + self._offset_us) // 1000
            if target_ms == self._seek_ms and not self._transport.playing:
                return  # the frame on screen is already this one: an unrelated edit must not make the media seek
            self._seek_ms = target_ms
            self._media.setPosition(target_ms)
        self._drive_media()

    def _load(self, path: Path, *, has_picture: bool) -> None:
        self._loaded = path
        self._loads += 1
        self._seek_ms = None
        # a file without picture counts from its first sound sample, which is where its container starts
        self._offset_us = self._offsets.get(path, None if has_picture else 0)
        self._measuring = False
        self._first_frame_timer.stop()
        self._media.setSource(QUrl.fromLocalFile(str(path)))
        if self._offset_us is None:
            self._source_set.emit(self._loads)

    def _unload(self) -> None:
        if self._loaded is not None:
            self._loaded = None
            self._pending_us = None
            self._offset_us = None
            self._measuring = False
            self._first_frame_timer.stop()
            self._media.stop()
            self._media.setSource(QUrl())

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status in _READY:
            self._seek_pending()

    def _seek_pending(self) -> None:
        """Show the take time waiting for its file to open and its offset to be known, once both are."""
        if self._pending_us is None or self._offset_us is None or self._media.mediaStatus() in _NOT_LOADED:
            return
        self._seek_ms = (self._pending_us + self._offset_us) // 1000
        self._pending_us = None
        self._media.setPosition(self._seek_ms)
        self._clock.restart()
        self._drive_media()

    def _measure_first_frame(self, load: int) -> None:
        # every frame of the previous source came before this call: the next valid frame is the loaded file's first
        if load == self._loads and self._loaded is not None and self._offset_us is None:
            self._measuring = True
            self._first_frame_timer.start()

    def _on_frame(self, frame: QVideoFrame) -> None:
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
            self._document.failed.emit(f"Cannot play {name}: {message or error.name}. Try importing it again.")

    # ------------------------------------------------------------------------------------------ trims

    def mark_in(self) -> None:
        """I: the shot under the playhead starts at the frame shown (as `shotline trim` would set it)."""
        self._mark(playback.trim_in_at, keep_start=True)

    def mark_out(self) -> None:
        """O: the shot under the playhead ends at the frame shown."""
        self._mark(playback.trim_out_at, keep_start=False)

    def _mark(self, point: Callable[[Playlist, int], TrimPoint], *, keep_start: bool) -> None:
        self.pause()
        if self._mode is Mode.COMPARE:
            self._document.failed.emit("Trims are set in Shot or Timeline mode; switch back to set in and out points.")
            return
        try:
            trim = point(self._playlist, self._position)
        except ShotlineError as error:
            self._document.failed.emit(str(error))
            return
        if self._document.execute(commands.trim_shot(trim.shot_id, trim.in_us, trim.out_us)) and keep_start:
            # The frame that was shown is now the shot's first: stay on it.
            self.seek(start_of(self._document.project, trim.shot_id))

    # ------------------------------------------------------------------------------------------ following others

    def _on_document_changed(self, change: ProjectChange) -> None:
        if self._mix is not None:
            self._mix.project_changed(change)
        self._rebuild(keep=self._position)

    def _on_selection_changed(self) -> None:
        if self._mode is not Mode.SHOT or self._selection.current in (None, self._shot_id):
            return
        self._shot_id = self._selection.current
        project = self._document.project
        assert self._shot_id is not None
        self._rebuild(keep=start_of(project, self._shot_id) if project.has_shot(self._shot_id) else 0)

    def _on_playhead_moved(self, at_us: int) -> None:
        if self._driving or not self._playlist.linked:
            return
        if self._mode is Mode.SHOT and not self._playlist.begin_us <= at_us <= self._playlist.end_us:
            self._shot_id = None  # the playhead went to another shot: the player follows it there
            self._rebuild(keep=at_us)
        else:
            self._set_position(self._playlist.clamp(at_us))
        self._clock.restart()

    # ------------------------------------------------------------------------------------------ look

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            painter = QPainter(self)
            painter.setPen(QPen(theme.ACCENT, 1))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def stop(self) -> None:
        """Stop playing and release the files (before the project closes)."""
        self.pause()
        self._unload()
        if self._mix is not None:
            self._mix.close()
