"""CompareGrid: two to four takes of a shot side by side, playing in step under one transport, to choose one.

Each take's frames are decoded by a `media.frame_reader.FrameFeed` on a thread of its own, so the window never waits
for a decoder. The grid keeps one clock — time into every take's trim, on the frames of the first take's rate — and
shows a moment only once every take's frame for it has arrived: the takes on screen are always the same instant,
whichever decoder is slower, and playing skips moments rather than letting the takes drift apart. (Four
QMediaPlayers would each keep a clock of their own, and their seeks land asynchronously, so a paused step could show
the takes a frame apart.)

Picking a take (a click on it, or its number 1–4) is the same undoable edit as the inspector's Pick. The grid stays
open with the picked take marked, so a creator can change their mind; Esc closes. The picked take is heard
(`ui.take_sound`), in step with the pictures.
"""

from __future__ import annotations

import functools
import queue
from collections.abc import Callable
from fractions import Fraction
from pathlib import PurePosixPath

from PySide6.QtCore import QElapsedTimer, QSignalBlocker, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.frames import clock_style, decoder_time, format_clock, frame_at, frame_start, nearest_frame
from shotline.core.model import Shot, Take
from shotline.core.timecode import frame_duration_us, frame_time_us
from shotline.media.frame_reader import Answer, FrameFeed, Wish
from shotline.services.media_files import admitted_path
from shotline.services.take_caption import take_caption
from shotline.ui import theme
from shotline.ui.compare_cell import TakeCell
from shotline.ui.document import ProjectDocument
from shotline.ui.take_sound import TakeSound

MAX_TAKES = 4
"""As many as fit side by side at a size where a creator can still judge them (and as keys 1–4 pick)."""
POLL_MS = 8
"""How often the grid collects decoded frames while it waits for some or plays: well under a frame at 60 fps."""


class CompareGrid(QDialog):
    """Takes of one shot side by side under one transport; pick with a click or 1–4, Esc closes."""

    def __init__(
        self,
        document: ProjectDocument,
        shot_id: str,
        takes: list[Take],
        parent: QWidget | None = None,
        *,
        sound_without_device: bool = False,
    ) -> None:
        """`sound_without_device` is for tests only: the picked take's sound is followed even without a device."""
        super().__init__(parent)
        if not 2 <= len(takes) <= MAX_TAKES:
            raise ValueError(f"Compare 2 to {MAX_TAKES} takes, not {len(takes)}")
        self._document = document
        self._shot_id = shot_id
        self._takes = list(takes)
        project = document.project
        self._fps = takes[0].info.fps or project.settings.fps
        self._end_us = self._last_frame(max(take.duration_us for take in takes), self._fps)
        self._position = 0
        """The moment on screen: time into every take's trim (µs, on a frame of the first take)."""
        self._wanted = 0
        self._request = 0
        self._waiting = False
        """A moment was asked for and not all of its frames have arrived."""
        self._arrived: dict[int, Answer] = {}
        self._playing = False
        self._play_from = 0
        self._clock = QElapsedTimer()
        self._answers: queue.SimpleQueue[Answer] = queue.SimpleQueue()
        bundle = document.session.bundle
        # each take's file is found and admitted on its feed's thread: a take swapped for a playlist or a link out of
        # the project is refused there, said in its cell, and never read
        self._feeds = [
            FrameFeed(bundle.path / take.media, key, self._answers, functools.partial(admitted_path, bundle))
            for key, take in enumerate(takes)
        ]
        # a grid destroyed with its window (never closed itself) still ends its threads and closes their files
        self.destroyed.connect(functools.partial(_stop_feeds, list(self._feeds)))
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect)
        self._closed = False
        # as in the player: only with a sound device (without one there is nothing to hear, nor a sink to hang)
        device = bool(QMediaDevices.audioOutputs())
        self.sound = TakeSound(document, with_output=device, parent=self) if device or sound_without_device else None
        self._heard = 0
        """The cell whose take is heard: the picked take's, else the first."""
        self._offsets: dict[int, int] = {}
        """Per cell, where its take's clock starts on its file's container clock (µs; `Picture.offset_us`)."""

        shot = project.shot(shot_id)
        number = project.index_of(shot_id) + 1
        self.setWindowTitle(f"Compare takes — Shot {number}" + (f": {shot.title}" if shot.title else ""))
        self._build()
        self._show_captions()
        document.changed.connect(self._on_changed)
        self._ask(0)

    # ------------------------------------------------------------------------------------------ building

    def _build(self) -> None:
        self.cells: list[TakeCell] = []
        grid = QGridLayout()
        grid.setSpacing(8)
        columns = 2
        for index in range(len(self._takes)):
            cell = TakeCell(index + 1, self)
            cell.clicked.connect(functools.partial(self.pick, index))
            grid.addWidget(cell, index // columns, index % columns)
            self.cells.append(cell)
        for row in range((len(self._takes) + 1) // columns):
            grid.setRowStretch(row, 1)
        for place in range(columns):
            grid.setColumnStretch(place, 1)

        self.play_action = self._action("Play / pause", ["Space"], "play", self.toggle_play)
        start = self._action("Go to the start", ["Home"], "go-start", self.go_start)
        back = self._action("Back one frame", ["Left"], "step-back", lambda: self.step(-1))
        forward = self._action("Forward one frame", ["Right"], "step-forward", lambda: self.step(1))
        end = self._action("Go to the end", ["End"], "go-end", self.go_end)
        self._action("Pause", ["K"], "", self.pause)
        self._action("Play", ["L"], "", self.play)
        for key in range(1, len(self._takes) + 1):
            self._action(f"Pick take {key}", [str(key)], "", functools.partial(self.pick, key - 1))
        self._action("Undo", ["Ctrl+Z"], "", self._document.undo)
        self._action("Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], "", self._document.redo)

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, round(self._end_us * self._fps / 1_000_000))
        self.slider.setToolTip("Scrub all takes together (←/→ one frame, Home/End)")
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(lambda frame: self.seek(frame_time_us(frame, self._fps)))
        self.time = QLabel(self)
        self.time.setToolTip("Time into every take / the longest take's length")
        transport = QHBoxLayout()
        for action in (start, back, self.play_action, forward, end):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            transport.addWidget(button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.time)

        heard = " you hear the picked one." if self.sound is not None else ""
        self.hint = QLabel(
            f"Click a take or press its number to pick it (Ctrl+Z undoes). Space plays them all;{heard} Esc closes.",
            self,
        )
        self.hint.setStyleSheet(f"color: {theme.MUTED.name()}")
        close = QPushButton("Close", self)
        close.setAutoDefault(False)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(close)

        column = QVBoxLayout(self)
        column.addLayout(grid, 1)
        column.addLayout(transport)
        column.addLayout(bottom)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._show_time()

    def _action(self, text: str, keys: list[str], icon: str, slot: Callable[[], object]) -> QAction:
        action = QAction(theme.icon(icon), text, self) if icon else QAction(text, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    @staticmethod
    def _last_frame(duration_us: int, fps: Fraction) -> int:
        """The start of the last whole frame inside `duration_us` (0 for less than a frame)."""
        frames = int(duration_us * fps // 1_000_000)
        return frame_time_us(max(frames - 1, 0), fps)

    # ------------------------------------------------------------------------------------------ state

    @property
    def takes(self) -> list[Take]:
        return list(self._takes)

    @property
    def position_us(self) -> int:
        """The moment every take shows (µs into its trim)."""
        return self._position

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def end_us(self) -> int:
        return self._end_us

    def pictures(self) -> list[QImage]:
        """What each take shows now (a null image where its file could not be read)."""
        return [cell.view.image for cell in self.cells]

    def settled(self) -> bool:
        """Every take shows the moment last asked for."""
        return not self._waiting

    # ------------------------------------------------------------------------------------------ transport

    def toggle_play(self) -> None:
        self.pause() if self._playing else self.play()

    def play(self) -> None:
        if self._playing:
            return
        if self._position >= self._end_us:
            self._ask(0)  # Play at the end starts again, as every player does
        self._playing = True
        self._play_from = self._wanted
        self._clock.start()
        self.play_action.setIcon(theme.icon("pause"))
        self._follow_sound(self._wanted)
        self._poll.start()

    def pause(self) -> None:
        self._playing = False
        self.play_action.setIcon(theme.icon("play"))
        self._follow_sound(self._position)

    def step(self, frames: int) -> None:
        self.pause()
        self.seek(frame_time_us(frame_at(self._wanted, self._fps) + frames, self._fps))

    def go_start(self) -> None:
        self.seek(0)

    def go_end(self) -> None:
        self.pause()
        self.seek(self._end_us)

    def seek(self, at_us: int) -> None:
        """Show every take's frame at `at_us` (the nearest frame start, as the player's seek); playing goes on."""
        at_us = min(nearest_frame(max(at_us, 0), self._fps), self._end_us)
        if self._playing:
            self._play_from = at_us
            self._clock.restart()
            self._follow_sound(at_us)
        self._ask(at_us)

    # ------------------------------------------------------------------------------------------ frames

    def _ask(self, at_us: int) -> None:
        """Ask every take for its frame at `at_us`; it is shown once all have answered (older asks are dropped)."""
        self._request += 1
        self._wanted = at_us
        self._waiting = True
        self._arrived = {}
        for cell, take, feed in zip(self.cells, self._takes, self._feeds, strict=True):
            box = cell.view.box()
            feed.want(Wish(self._request, self._take_time(take, at_us), box.width(), box.height()))
        self._show_time()
        self._poll.start()

    def _take_time(self, take: Take, at_us: int) -> int:
        """Where in `take`'s file the moment `at_us` lies: inside its trim; a shorter take holds its last frame."""
        fps = take.info.fps
        if fps is None:
            return take.trim.in_us + min(at_us, max(take.duration_us - 1, 0))
        last = max(take.duration_us - int(frame_duration_us(fps)), 0)
        # the middle of the take's own frame there: its start, rounded to a microsecond, may fall a hair early
        return decoder_time(take.trim.in_us + min(at_us, last), fps)

    def _collect(self) -> None:
        while True:
            try:
                answer = self._answers.get_nowait()
            except queue.Empty:
                break
            if answer.request == self._request:
                self._arrived[answer.key] = answer
        if self._waiting and len(self._arrived) == len(self._feeds):
            self._present()
        if self._playing:
            self._follow_sound(self._play_from + self._clock.elapsed() * 1000)
        if self._playing and not self._waiting:
            self._play_on()
        if not self._playing and not self._waiting:
            self._poll.stop()

    def _present(self) -> None:
        for key, answer in self._arrived.items():
            view = self.cells[key].view
            picture = answer.picture
            if picture is None:
                view.image = QImage()
                view.message = self._in_creators_words(self._takes[key], answer.error)
            else:
                self._offsets[key] = picture.offset_us
                view.image = QImage(
                    picture.rgb, picture.width, picture.height, picture.width * 3, QImage.Format.Format_RGB888
                ).copy()  # the copy owns its pixels: the bytes it was made from may go
                view.message = ""
            view.update()
        self._arrived = {}
        self._waiting = False
        self._position = self._wanted
        self._show_time()

    def _play_on(self) -> None:
        """Playing: ask for the moment the clock has reached, once it is a new frame; stop at the end."""
        if self._position >= self._end_us:
            self.pause()
            return
        elapsed_us = self._clock.elapsed() * 1000
        target = min(frame_start(self._play_from + elapsed_us, self._fps), self._end_us)
        if target != self._position:
            self._ask(target)

    def _show_time(self) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(frame_at(self._wanted, self._fps))
        style = clock_style(self._document.ctx.settings.clock_style)
        shown, length = (format_clock(us, self._fps, style) for us in (self._position, self._end_us))
        self.time.setText(f"{shown} / {length}")

    @staticmethod
    def _in_creators_words(take: Take, message: str) -> str:
        """A reader's message names the file as the project stores it (a made-up name); the creator knows an
        imported clip by its own name."""
        return message.replace(PurePosixPath(take.media).name, take.source_name) if take.source_name else message

    def _follow_sound(self, at_us: int) -> None:
        """Keep the heard take's sound at the moment `at_us` (silent past its end)."""
        if self.sound is None:
            return
        take = self._takes[self._heard]
        at_ms = None
        if at_us < take.duration_us:
            at_ms = (take.trim.in_us + at_us + self._offsets.get(self._heard, 0)) // 1000
        self.sound.follow(at_ms, self._playing)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if not self._playing and not self._closed:
            self._ask(self._wanted)  # pictures at the new size

    # ------------------------------------------------------------------------------------------ picking

    def pick(self, index: int) -> None:
        """Make the take in cell `index` (0-based) the shot's picked take: one undoable edit."""
        if index >= len(self._takes) or self._shot() is None:
            return
        self._document.execute(commands.pick_take(self._shot_id, self._takes[index].id))

    def _shot(self) -> Shot | None:
        project = self._document.project
        return project.shot(self._shot_id) if project.has_shot(self._shot_id) else None

    def _show_captions(self) -> None:
        shot = self._shot()
        if shot is None:
            return
        numbers = {take.id: number for number, take in enumerate(shot.takes, start=1)}
        jobs = {record.id: record for record in self._document.jobs()}
        picked = [index for index, take in enumerate(self._takes) if take.id == shot.picked_take_id]
        self._heard = picked[0] if picked else 0
        for index, (cell, take) in enumerate(zip(self.cells, self._takes, strict=True)):
            job = jobs.get(take.generation.job_id) if take.generation else None
            caption = take_caption(self._document.ctx, take, numbers.get(take.id, 0), job)
            cell.show_caption(caption.title, caption.facts, picked=take.id == shot.picked_take_id)
            cell.view.heard = self.sound is not None and index == self._heard
            cell.view.update()
        if self.sound is not None:
            heard = self._takes[self._heard]
            name = heard.source_name or PurePosixPath(heard.media).name
            self.sound.listen(self._document.session.bundle.path / heard.media, name)
            self._follow_sound(self._position)

    def _on_changed(self, change: ProjectChange) -> None:
        shot = self._shot()
        if shot is None or any(not _has_take(shot, take.id) for take in self._takes):
            self.reject()  # a compared take (or its shot) went away: there is nothing left to choose between
            return
        self._show_captions()

    # ------------------------------------------------------------------------------------------ closing

    def done(self, result: int) -> None:
        self._stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)

    def _stop(self) -> None:
        """Stop playing and end every take's decoder thread (each closes its file)."""
        if self._closed:
            return
        self._closed = True
        self.pause()
        self._poll.stop()
        try:
            self._document.changed.disconnect(self._on_changed)
        except RuntimeError:
            pass  # already gone with the document
        for feed in self._feeds:
            feed.stop()
        if self.sound is not None:
            self.sound.close()

    def feeds_ended(self, timeout: float) -> bool:
        """Whether every decoder thread has ended (after closing), waiting up to `timeout` seconds for each."""
        return all(feed.join(timeout) for feed in self._feeds)


def _stop_feeds(feeds: list[FrameFeed], *_destroyed: object) -> None:
    for feed in feeds:
        feed.stop()


def _has_take(shot: Shot, take_id: str) -> bool:
    return any(take.id == take_id for take in shot.takes)


def compare_takes(
    document: ProjectDocument, takes: list[Take], parent: QWidget, *, pause: Callable[[], object] | None = None
) -> CompareGrid | None:
    """Open the grid on `takes` (of one shot; of more than four, the first four, the picked one among them), or say
    why there is nothing to compare.
    `pause` stops the main player first: one picture plays at a time."""
    if pause is not None:
        pause()
    project = document.project
    shot = next((s for s in project.shots if takes and _has_take(s, takes[0].id)), None)
    if shot is None or len(takes) < 2:
        document.failed.emit("Select a shot with two or more takes to compare them.")
        return None
    shown = takes[:MAX_TAKES]
    picked = shot.picked_take
    if picked is not None and picked in takes and picked not in shown:
        shown = [*takes[: MAX_TAKES - 1], picked]  # what the shot plays now is what the others are judged against
    grid = CompareGrid(document, shot.id, shown, parent)
    if len(takes) > MAX_TAKES:
        grid.hint.setText(
            f"Showing {MAX_TAKES} of {len(takes)} takes; select up to {MAX_TAKES} in the Takes list to compare "
            "others. " + grid.hint.text()
        )
    grid.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    grid.setWindowModality(Qt.WindowModality.WindowModal)
    grid.resize(_grid_size(parent.window().size(), takes[0], rows=(min(len(takes), MAX_TAKES) + 1) // 2))
    grid.show()
    return grid


CAPTION_HEIGHT = 60
"""A cell's caption lines and margins below its picture (px)."""
CONTROLS_HEIGHT = 110
"""The transport, hint and window margins under the cells (px)."""


def _grid_size(window: QSize, first: Take, rows: int) -> QSize:
    """Nine tenths of the window's width, and as tall as the pictures need (two takes side by side need one row,
    not the window's height of black bars), within nine tenths of its height."""
    width = max(window.width() * 9 // 10, 800)
    size = first.info.display_size
    aspect = Fraction(size.height, size.width) if size and size.width else Fraction(9, 16)
    needed = rows * (int((width // 2) * aspect) + CAPTION_HEIGHT) + CONTROLS_HEIGHT
    return QSize(width, max(min(needed, window.height() * 9 // 10), 420))
