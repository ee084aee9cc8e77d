"""The preview player: the current shot inside its trim, or the whole timeline in shot order, with J/K/L and I/O.

What is shown and how keys move it is decided by `services.playback` (pure, tested without decoding), which frame a
time names by `core.frames`; the picture itself is `ui.viewer`. While a take plays forward the media player is the
clock; reverse, gaps (shots without a take) and media that will not start are driven by an elapsed-time ticker
instead, so the playhead always moves and the GUI thread never waits for the decoder. Paused, the playhead always
stands on a frame (the nearest for a seek, the one on screen for K), and the viewer shows that frame.

When the timeline's sound is more than its takes' own (music, voice-over, gains, fades, ducking, crossfades), a
`MixTrack` plays the rendered preview mix in step with the clock and the takes' own sound is silenced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeySequence, QPainter, QPaintEvent, QPen
from PySide6.QtMultimedia import QAudioBuffer, QMediaPlayer, QVideoSink
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from shotline.core import commands
from shotline.core.captions import words_at
from shotline.core.changes import ProjectChange
from shotline.core.errors import ShotlineError
from shotline.core.frames import clock_style
from shotline.core.timeline import layout, placement_at, start_of
from shotline.services import playback
from shotline.services.playback import Mode, Playlist, Segment, Transport, TrimPoint
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.level_meter import LevelMeter
from shotline.ui.player_controls import ModeSwitch, ScrubBar
from shotline.ui.player_mix import MixTrack
from shotline.ui.playhead import Playhead
from shotline.ui.preference_changes import preference_changes
from shotline.ui.selection import ShotSelection
from shotline.ui.viewer import Viewer

log = logging.getLogger(__name__)

METER_LATENESS_US = 300_000
"""A block of sound further than this from where its player is belongs to before a seek: the meters skip it."""

TICK_MS = 40
"""How often the ticker moves the clock: fast enough for smooth reverse, slow enough to cost nothing."""


class PlayerPanel(QWidget):
    mode_changed = Signal(str)
    """The player switched between Shot and Timeline; the argument is the Mode value."""
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
        self._playlist = Playlist(())
        self._shot_id: str | None = None
        self._position = 0
        self._driving = False
        self._missing: set[Path] = set()
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_tick)

        self._viewer = Viewer(self, document)
        self._viewer.failed.connect(document.failed)
        self._viewer.seeked.connect(self._clock.restart)
        self._video = self._viewer.widget
        self._viewer.full_screen_changed.connect(self._on_full_screen)
        self._meter = LevelMeter(self)
        preference_changes().saved.connect(self._show_time)  # times may read another way now
        preference_changes().saved.connect(self._show_caption)  # View → Show captions in the viewer, on or off
        self._viewer.sound.audioBufferReceived.connect(self._hear_take)
        # The same rule for the mix as for the takes' own sound: without a sound device there is nothing to hear.
        self._mix: MixTrack | None = None
        if self._viewer.audio_output is not None or mix_without_sound_device:
            self._mix = MixTrack(document, with_output=self._viewer.audio_output is not None, parent=self)
            self._mix.carrying_changed.connect(self._on_mix_carrying)
            self._mix.sound.audioBufferReceived.connect(self._hear_mix)

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
        self.full_screen_action = self._action(
            "Full-screen viewer (Esc or a double click leaves)", "Ctrl+F", "full-screen", self.toggle_full_screen
        )

        self._switch = ModeSwitch(self._mode, self)
        self._switch.chosen.connect(self.set_mode)
        bar_actions = (start, back, self.play_action, forward, end, mark_in, mark_out, self.full_screen_action)
        self._bar = ScrubBar(bar_actions, self)
        self._bar.scrubbed.connect(lambda offset_us: self.seek(self._playlist.begin_us + offset_us))

        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self._switch)
        picture = QHBoxLayout()
        picture.setSpacing(2)
        picture.addWidget(self._video, 1)
        picture.addWidget(self._meter)
        column.addLayout(picture, 1)
        column.addWidget(self._bar)

    def transport_actions(self) -> list[QAction]:
        """The player's keyboard actions (Space, J/K/L, ←/→, I/O, Home/End)."""
        return list(self._actions)

    def toggle_full_screen(self) -> None:
        """Ctrl+F: the picture fills the screen, or goes back into the player."""
        self._viewer.set_full_screen(not self._viewer.full_screen)

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
        """The player's clock: timeline time (in Shot mode limited to the shot's span)."""
        return self._position

    @property
    def media_player(self) -> QMediaPlayer:
        return self._viewer.media_player

    def video_sink(self) -> QVideoSink:
        """Where the frames the viewer shows arrive (tests read the picture there)."""
        return self._viewer.sink

    @property
    def mix(self) -> MixTrack | None:
        """The track that plays the timeline's sound mix; None without a sound device."""
        return self._mix

    def set_mode(self, mode: Mode) -> None:
        self.pause()
        self._mode = mode
        self._shot_id = self._selection.current
        self._rebuild(keep=self._playhead.position_us)
        self._switch.show_mode(mode)
        self.mode_changed.emit(mode.value)

    def _rebuild(self, keep: int) -> None:
        """Rebuild the playlist from the project (after an edit, a mode or a selection change) and show `keep`."""
        project = self._document.project
        if self._mode is Mode.SHOT:
            shot_id = self._shot_id if self._shot_id and project.has_shot(self._shot_id) else None
            if shot_id is None:
                placement = placement_at(project, keep)
                shot_id = placement.shot.id if placement else None
            self._shot_id = shot_id
            self._playlist = playback.shot_playlist(project, shot_id) if shot_id else Playlist(())
        else:
            self._playlist = playback.timeline_playlist(project)
        self._set_position(self._place(keep))

    # ------------------------------------------------------------------------------------------ transport

    def toggle_play(self) -> None:
        if self._transport.playing:
            self.pause()  # as K: on the frame on screen, else the counter names one frame and the picture another
            return
        self._set_transport(self._transport.toggle())

    def play_forward(self) -> None:
        self._set_transport(self._transport.forward())

    def play_reverse(self) -> None:
        self._set_transport(self._transport.reverse())

    def pause(self) -> None:
        """K: stop on the frame on screen (the playhead never rests between two frames)."""
        self._set_transport(self._transport.pause())
        self._set_position(self._stop(self._position, nearest=False))

    def _set_transport(self, transport: Transport) -> None:
        at_end = self._position >= self._playlist.end_us
        if transport.direction == 1 and at_end and self._transport.direction != 1:
            self._set_position(self._playlist.begin_us)  # Play at the end starts again, as every player does
        self._transport = transport
        self.play_action.setIcon(theme.icon("pause" if transport.playing else "play"))
        if not transport.playing:
            self._meter.silence()
        if transport.playing:
            self._clock.restart()
            self._ticker.start()
        else:
            self._ticker.stop()
        self._drive_media()
        self._follow_mix()
        self.transport_changed.emit()

    def _drive_media(self) -> None:
        transport = self._transport
        self._viewer.set_rate(float(transport.speed) if transport.direction == 1 else None)

    def _place(self, at_us: int) -> int:
        """Where the playhead goes for `at_us`: the nearest frame when paused, the time itself while playing."""
        return self._playlist.clamp(at_us) if self._transport.playing else self._stop(at_us, nearest=True)

    def _stop(self, at_us: int, *, nearest: bool) -> int:
        """Where a paused playhead stands for `at_us`: on a frame (`playback.frame_stop`)."""
        return playback.frame_stop(self._playlist, at_us, self._document.project.settings.fps, nearest=nearest)

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
        # while a take plays forward its media is the clock; elsewhere the elapsed time moves it
        source = self._viewer.playing_source_us() if segment.take is not None else None
        media_is_clock = source is not None
        target = self._position + elapsed_us if source is None else max(self._position, segment.clock_time(source))
        if target < segment.end_us:
            self._set_position(target, show=not media_is_clock)
            return
        if segment.end_us >= self._playlist.end_us:
            self._set_position(self._playlist.end_us)
            self.pause()
            return
        self._set_position(segment.end_us)  # the next segment's first frame: loads its media and plays on

    # ------------------------------------------------------------------------------------------ moving

    def seek(self, at_us: int) -> None:
        """Show the frame nearest `at_us` on the player's clock; playing goes on from there."""
        self._set_position(self._place(at_us))
        self._clock.restart()

    def step(self, frames: int) -> None:
        """Pause, then move `frames` frames of the take under the playhead (negative: backwards)."""
        self.pause()
        fallback = self._document.project.settings.fps
        self._set_position(playback.step_frames(self._playlist, self._position, frames, fallback))

    def go_start(self) -> None:
        self.seek(self._playlist.begin_us)

    def go_end(self) -> None:
        """End: the last frame (a frame that is shown, not the time after it)."""
        self.pause()
        self.seek(playback.last_frame_us(self._playlist, self._document.project.settings.fps))

    def _set_position(self, at_us: int, *, show: bool = True) -> None:
        self._position = at_us
        self._driving = True
        try:
            self._playhead.seek(at_us)
        finally:
            self._driving = False
        self._show_time()
        self._show_caption()
        if show:
            self._show(at_us)
        self._follow_mix()

    def _follow_mix(self) -> None:
        if self._mix is not None:
            self._mix.follow(self._position, self._transport)

    def _show_time(self) -> None:
        style = clock_style(self._document.ctx.settings.clock_style)
        offset = self._position - self._playlist.begin_us
        self._bar.show_time(offset, self._playlist.duration_us, self._document.project.settings.fps, style)

    def _show_caption(self) -> None:
        """The caption under the playhead over the picture, as the export writes it; none between captions. Every
        move and every edit (undo, remaking captions) comes through here, so the words follow at once."""
        shown = self._document.ctx.settings.captions_in_viewer
        self._viewer.show_caption(words_at(self._document.project.captions, self._position) if shown else "")

    def _hear_take(self, buffer: QAudioBuffer) -> None:
        if not (self._mix is not None and self._mix.carrying):
            self._hear(buffer, self._viewer.media_player)

    def _hear_mix(self, buffer: QAudioBuffer) -> None:
        if self._mix is not None and self._mix.carrying:
            self._hear(buffer, self._mix.media_player)  # the mix is what is heard: the takes' own sound is in it

    def _hear(self, buffer: QAudioBuffer, media: QMediaPlayer) -> None:
        # blocks decoded before a seek still arrive after it: only those of the time being played are heard
        if self._transport.playing and abs(buffer.startTime() - media.position() * 1000) < METER_LATENESS_US:
            self._meter.hear(buffer)

    def _on_mix_carrying(self, carrying: bool) -> None:
        audio = self._viewer.audio_output
        if audio is not None:
            audio.setMuted(carrying)  # the mix holds the takes' own sound already

    def _show(self, at_us: int) -> None:
        """Put the frame at `at_us` in the video widget: load its take if needed and seek the media there."""
        segment = self._playlist.at(at_us)
        source = segment.source_time(at_us) if segment else None
        if segment is None or segment.take is None or source is None:
            self._viewer.unload()
            return
        take = segment.take
        project = self._document.project
        shot = project.shot(segment.shot_id) if segment.shot_id and project.has_shot(segment.shot_id) else None
        what = "A take"
        if shot is not None:
            what = f"Shot {project.index_of(shot.id) + 1}" + (f" ({shot.title!r})" if shot.title else "")
        try:
            path = self._document.session.bundle.resolve(take.media)
        except ShotlineError as error:  # a link out of the project, swapped in after it opened: never followed
            self._viewer.unload()
            self._refuse(Path(take.media), f"{what} cannot be played: {error}")
            return
        if not path.is_file():
            self._viewer.unload()
            self._refuse(
                path,
                f"The clip {take.source_name or take.media} is missing ({path}). "
                "Find it with File → Relink media…, or generate a new take to play this shot.",
            )
            return
        self._missing.discard(path)
        fps = playback.frame_rate(segment, self._document.project.settings.fps)
        name = take.source_name or PurePosixPath(take.media).name
        self._viewer.show(
            path, source, fps, has_picture=take.info.has_video, name=name, what=f"{what} cannot be played"
        )

    def _refuse(self, key: Path, message: str) -> None:
        """Say why the take at `key` is not shown, once until it is shown again."""
        if key not in self._missing:
            self._missing.add(key)
            self._document.failed.emit(message)

    # ------------------------------------------------------------------------------------------ trims

    def mark_in(self) -> None:
        """I: the shot under the playhead starts at the frame shown (as `shotline trim` would set it)."""
        self._mark(playback.trim_in_at, keep_start=True)

    def mark_out(self) -> None:
        """O: the shot under the playhead ends at the frame shown."""
        self._mark(playback.trim_out_at, keep_start=False)

    def _mark(self, point: Callable[[Playlist, int], TrimPoint], *, keep_start: bool) -> None:
        self.pause()
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
        """A shot selected (a clip on the timeline, a card) is shown: Shot mode plays it, and in Timeline mode the
        playhead goes to its first frame unless it stands inside it already."""
        current, project = self._selection.current, self._document.project
        if current is None or not project.has_shot(current):
            return
        if self._mode is Mode.SHOT:
            if current != self._shot_id:
                self._shot_id = current
                self._rebuild(keep=start_of(project, current))
            return
        placement = next(p for p in layout(project) if p.shot.id == current)
        if not placement.start_us <= self._position < placement.cut_us:
            self.seek(placement.start_us)

    def _on_playhead_moved(self, at_us: int) -> None:
        if self._driving:
            return
        if self._mode is Mode.SHOT and not self._playlist.begin_us <= at_us <= self._playlist.end_us:
            self._shot_id = None  # the playhead went to another shot: the player follows it there
            self._rebuild(keep=at_us)
        else:
            self._set_position(self._place(at_us))
        self._clock.restart()

    # ------------------------------------------------------------------------------------------ look

    def _on_full_screen(self, on: bool) -> None:
        # full screen the picture is a window of its own, which has the keyboard: the transport keys go with it
        for action in self._actions:
            if on:
                self._video.addAction(action)
            else:
                self._video.removeAction(action)
        if not on:
            self.setFocus(Qt.FocusReason.OtherFocusReason)

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
        self._viewer.unload()
        if self._mix is not None:
            self._mix.close()
