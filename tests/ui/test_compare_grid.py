"""Comparing takes side by side (issue 14, point 7): the inspector's Compare opens a grid of the shot's takes, each
labelled with how it was made, all moved by one transport to the same moment, read off the painted pictures (each
numbered clip carries its frame numbers, tests/media/numbered.py); 1–4 or a click picks, undoably; Esc closes.

The shot has three numbered takes, trimmed to start 0, 5 and 10 frames in, and an animatic take: at the moment of
frame n the three numbered takes show frames n, n + 5 and n + 10.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from shotline.core.model import GenerationSettings, Size
from shotline.core.timecode import frame_time_us
from shotline.media.frame_reader import FrameReader, Picture
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot, pick, trim
from shotline.services.generation import GenerationService
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore
from shotline.ui.bridge import Bridge
from shotline.ui.compare_grid import CompareGrid
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.main_window import MainWindow
from tests.media.numbered import Sound, frame_number, numbered_clip
from tests.ui.gui_thread_io import watching_gui_thread
from tests.ui.plays_media import PLAYS_MEDIA
from tests.ui.shell_fixtures import shown_window
from tests.ui.test_responsiveness import allowed_on_the_gui_thread

pytestmark = PLAYS_MEDIA

FPS = 25
IN_FRAMES = (0, 5, 10)
_LOADED = (
    QMediaPlayer.MediaStatus.LoadedMedia,
    QMediaPlayer.MediaStatus.BufferingMedia,
    QMediaPlayer.MediaStatus.BufferedMedia,
)


@pytest.fixture(scope="module")
def made_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three numbered takes and an animatic one on one shot, made once for the module (tests get a copy)."""
    tmp_path = tmp_path_factory.mktemp("made")
    path = tmp_path / "film.shotline"
    sound = Sound(seconds=4.0, burst_at=1.0)
    # each cut at another frame, so the three files differ (the project keeps one copy of identical media)
    clips = [numbered_clip(tmp_path / f"take {n}.mp4", frames=100, cut_frame=20 * n, sound=sound) for n in (1, 2, 3)]
    with ProjectSession.create(path, title="Compare", size=Size(160, 90), fps=Fraction(FPS)) as session:
        generation = GenerationSettings(duration_us=2_000_000)
        shot = add_shot(session, "A gull over the harbour", title="Harbour", generation=generation)
        imported = import_files(session, clips, shot.id)
        for take, first in zip(imported, IN_FRAMES, strict=True):
            pick(session, shot.id, take.take_id)
            trim(session, shot.id, frame_time_us(first, Fraction(FPS)), 3_600_000)
        with open_context(secrets=MemorySecretStore()) as app_context:
            service = GenerationService(app_context, session)
            for job in service.run(service.prepare([shot.id])):
                service.attach(job.handle.result(timeout=120))
        pick(session, shot.id, imported[0].take_id)
        session.save()
    return path


@pytest.fixture
def film(made_film: Path, tmp_path: Path) -> Path:
    path = tmp_path / made_film.name
    shutil.copytree(made_film, path, symlinks=True)
    return path


@pytest.fixture
def window(qtbot: QtBot, app_context: AppContext, tmp_path: Path, film: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(film)
        yield win


def open_grid(qtbot: QtBot, window: MainWindow, takes_in_shot: int = 4) -> CompareGrid:
    """Select the shot, then press C in the inspector's takes list, as a creator does."""
    document = window.document
    assert document is not None
    window.selection.select([document.project.shots[0].id])
    inspector = window.panels["inspector"]
    assert isinstance(inspector, InspectorPanel)
    takes: QListWidget = inspector.takes_list
    qtbot.waitUntil(lambda: takes.count() == takes_in_shot)
    qtbot.waitUntil(window.isActiveWindow)
    takes.setFocus()
    qtbot.waitUntil(takes.hasFocus)
    qtbot.keyClick(takes, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: _grid(window) is not None, timeout=3000)
    grid = _grid(window)
    assert grid is not None
    qtbot.waitUntil(grid.isActiveWindow)  # keys go to the active window, as a creator's do
    qtbot.waitUntil(grid.settled, timeout=10_000)
    return grid


def _grid(window: MainWindow) -> CompareGrid | None:
    """The grid open over `window` (an earlier test's window may not be gone yet)."""
    grids = (w for w in QApplication.topLevelWidgets() if isinstance(w, CompareGrid) and w.parent() is window)
    return next((grid for grid in grids if grid.isVisible()), None)


def shown_numbers(grid: CompareGrid) -> list[int]:
    """The frame number painted in each numbered take's cell, read from the cell's pixels."""
    numbers = []
    for cell in grid.cells[:3]:
        if cell.view.image.isNull():
            numbers.append(-1)
            continue
        shot = cell.view.grab().toImage()
        place = cell.view.picture_rect()
        picture = shot.copy(place).convertToFormat(shot.Format.Format_Grayscale8)
        width, height = picture.width(), picture.height()
        rows = np.frombuffer(picture.constBits(), np.uint8, count=picture.sizeInBytes())
        gray = rows.reshape(height, picture.bytesPerLine())[:, :width]
        numbers.append(frame_number(gray))
    return numbers


def moved(qtbot: QtBot, grid: CompareGrid, key: Qt.Key) -> list[int]:
    qtbot.keyClick(grid, key)
    qtbot.waitUntil(grid.settled, timeout=10_000)
    return shown_numbers(grid)


def at(frame: int) -> list[int]:
    return [frame + first for first in IN_FRAMES]


def test_compare_opens_a_grid_of_the_takes_each_labelled_with_how_it_was_made(qtbot: QtBot, window: MainWindow) -> None:
    grid = open_grid(qtbot, window)
    assert len(grid.cells) == 4
    assert all(not picture.isNull() for picture in grid.pictures())
    titles = [cell.title.text() for cell in grid.cells]
    facts = [cell.facts.text() for cell in grid.cells]
    assert titles[:3] == ["Take 1 · imported  ★ picked", "Take 2 · imported", "Take 3 · imported"]
    assert facts[:3] == [f"from take {n}.mp4 · no generation cost" for n in (1, 2, 3)]
    # The generated take names its backend and model, its cost and the time its job took.
    assert titles[3].startswith("Take 4 · Animatic (offline) · ")
    assert facts[3].startswith("free · made in 0:0")
    assert shown_numbers(grid) == at(0)


def test_one_transport_moves_every_take_to_the_same_frame(qtbot: QtBot, window: MainWindow) -> None:
    grid = open_grid(qtbot, window)
    assert moved(qtbot, grid, Qt.Key.Key_Right) == at(1)
    assert moved(qtbot, grid, Qt.Key.Key_Right) == at(2)
    assert moved(qtbot, grid, Qt.Key.Key_Left) == at(1)
    grid.slider.setValue(40)  # a scrub
    qtbot.waitUntil(grid.settled, timeout=10_000)
    assert shown_numbers(grid) == at(40)
    assert grid.position_us == frame_time_us(40, Fraction(FPS))
    assert grid.time.text().startswith("00:00:01:15 / ")  # timecode, as the player reads it
    assert moved(qtbot, grid, Qt.Key.Key_Home) == at(0)

    qtbot.keyClick(grid, Qt.Key.Key_Space)
    assert grid.playing
    qtbot.waitUntil(lambda: grid.position_us >= frame_time_us(10, Fraction(FPS)), timeout=10_000)
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    assert not grid.playing
    qtbot.waitUntil(grid.settled, timeout=10_000)
    frame = round(grid.position_us * FPS / 1_000_000)
    assert frame >= 10 and shown_numbers(grid) == at(frame)
    # The clock ends on the longest take's last frame; a shorter take holds its own.
    qtbot.keyClick(grid, Qt.Key.Key_End)
    qtbot.waitUntil(grid.settled, timeout=10_000)
    assert shown_numbers(grid) == [89, 89, 89]  # trims end 3.6 s in: frame 89 is each one's last


def test_1_to_4_and_a_click_pick_a_take_undoably(qtbot: QtBot, window: MainWindow) -> None:
    grid = open_grid(qtbot, window)
    document = window.document
    assert document is not None
    shot_id = document.project.shots[0].id
    takes = [take.id for take in document.project.shots[0].takes]

    def picked() -> str | None:
        return document.project.shot(shot_id).picked_take_id  # type: ignore[union-attr]

    qtbot.keyClick(grid, Qt.Key.Key_3)
    assert picked() == takes[2]
    assert grid.cells[2].title.text().endswith("★ picked") and not grid.cells[0].title.text().endswith("picked")
    qtbot.mouseClick(grid.cells[1], Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert picked() == takes[1]
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert picked() == takes[2]
    qtbot.keyClick(grid, Qt.Key.Key_4)
    assert picked() == takes[3]
    document.undo()
    document.undo()
    assert picked() == takes[0]
    assert grid.cells[0].title.text().endswith("★ picked")


def test_a_take_whose_file_is_missing_says_so_by_its_own_name_and_the_others_play_on(
    qtbot: QtBot, window: MainWindow
) -> None:
    document = window.document
    assert document is not None
    third = document.project.shots[0].takes[2]
    document.session.bundle.resolve(third.media).unlink()
    grid = open_grid(qtbot, window)
    message = grid.cells[2].view.message
    assert message.startswith("take 3.mp4 is missing") and grid.pictures()[2].isNull()
    assert moved(qtbot, grid, Qt.Key.Key_Right)[:2] == at(1)[:2]


def test_of_five_takes_four_are_compared_with_the_picked_one_among_them(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path, film: Path
) -> None:
    with ProjectSession.open(film) as session:
        shot_id = session.project.shots[0].id
        fifth = numbered_clip(tmp_path / "take 5.mp4", frames=100, cut_frame=90)
        [imported] = import_files(session, [fifth], shot_id)
        pick(session, shot_id, imported.take_id)
        session.save()
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(film)
        grid = open_grid(qtbot, window, takes_in_shot=5)
        assert [cell.title.text() for cell in grid.cells] == [
            "Take 1 · imported",
            "Take 2 · imported",
            "Take 3 · imported",
            "Take 5 · imported  ★ picked",
        ]
        assert grid.hint.text().startswith("Showing 4 of 5 takes; select up to 4 in the Takes list")
        grid.reject()


def test_frames_from_a_slow_decoder_are_shown_when_they_come(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's decoders took longer than the grid's first look for answers; it stopped looking (all black)."""
    gate = threading.Event()
    real = FrameReader.picture_at

    def slow(reader: FrameReader, at_us: int, width: int, height: int) -> Picture:
        gate.wait(10)
        return real(reader, at_us, width, height)

    monkeypatch.setattr(FrameReader, "picture_at", slow)
    window.selection.select([window.document.project.shots[0].id])  # type: ignore[union-attr]
    inspector = window.panels["inspector"]
    assert isinstance(inspector, InspectorPanel)
    qtbot.waitUntil(lambda: inspector.takes_list.count() == 4)
    inspector.compare_takes()
    grid = _grid(window)
    assert grid is not None and not grid.settled()
    qtbot.wait(200)  # the decoders are still busy
    gate.set()
    qtbot.waitUntil(grid.settled, timeout=10_000)
    assert shown_numbers(grid) == at(0)
    grid.reject()


def test_the_picked_take_is_heard_in_step_with_the_grid(qtbot: QtBot, app_context: AppContext, film: Path) -> None:
    """The old Compare played each take with its own sound; side by side, the picked one is heard (without a sound
    device here, the audio player is followed all the same)."""
    document = ProjectDocument(app_context, ProjectSession.open(film), Bridge())
    shot = document.project.shots[0]
    grid = CompareGrid(document, shot.id, list(shot.takes[:3]), sound_without_device=True)
    qtbot.addWidget(grid)
    try:
        grid.show()
        qtbot.waitUntil(grid.settled, timeout=10_000)
        sound = grid.sound
        assert sound is not None and sound.source is not None
        assert sound.source.name == Path(shot.takes[0].media).name  # the picked take
        assert [cell.view.heard for cell in grid.cells] == [True, False, False]
        qtbot.waitUntil(lambda: sound.media_player.mediaStatus() in _LOADED, timeout=10_000)

        grid.slider.setValue(40)
        qtbot.waitUntil(grid.settled, timeout=10_000)
        grid.play()
        assert sound.seek_ms == 1600  # the take's clock at frame 40, its trim starting at 0
        assert sound.media_player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        grid.pause()
        assert sound.media_player.playbackState() != QMediaPlayer.PlaybackState.PlayingState

        grid.pick(1)
        assert sound.source.name == Path(shot.takes[1].media).name
        assert [cell.view.heard for cell in grid.cells] == [False, True, False]
        qtbot.waitUntil(lambda: sound.media_player.mediaStatus() in _LOADED, timeout=10_000)
        grid.seek(frame_time_us(20, Fraction(FPS)))
        grid.play()
        assert sound.seek_ms == 1000  # take 2 starts 5 frames (0.2 s) into its clip
        grid.pause()
    finally:
        grid.reject()
        document.close()


def test_the_gui_thread_decodes_nothing_while_takes_are_compared(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path, film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening, stepping, scrubbing, playing and picking read no media on the window's thread: the frames are
    decoded on the takes' own threads, so the window answers while they work."""
    with watching_gui_thread(monkeypatch) as watch, shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(film)
        with watch.recording(allowed_on_the_gui_thread(tmp_path / "settings")) as recording:
            (tmp_path / "settings" / "recorder is listening").write_text("")  # allowed: its settings folder
            grid = open_grid(qtbot, window)
            assert moved(qtbot, grid, Qt.Key.Key_Right) == at(1)
            grid.slider.setValue(60)
            qtbot.waitUntil(grid.settled, timeout=10_000)
            qtbot.keyClick(grid, Qt.Key.Key_Space)
            qtbot.waitUntil(lambda: grid.position_us > frame_time_us(62, Fraction(FPS)), timeout=10_000)
            qtbot.keyClick(grid, Qt.Key.Key_Space)
            qtbot.keyClick(grid, Qt.Key.Key_2)
            qtbot.waitUntil(grid.settled, timeout=10_000)
            qtbot.keyClick(grid, Qt.Key.Key_Escape)
        assert grid.feeds_ended(timeout=10)
    assert recording.seen > 0, "the recorder saw nothing of the GUI thread: is its audit hook installed?"
    touched = "\n".join(str(touch) for touch in recording.touches[:5])
    assert recording.touches == [], f"the GUI thread did {len(recording.touches)} thing(s) it must not:\n{touched}"


def test_esc_closes_the_grid_and_ends_its_decoders(qtbot: QtBot, window: MainWindow) -> None:
    grid = open_grid(qtbot, window)
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert _grid(window) is None
    assert grid.feeds_ended(timeout=10)
    assert window.document is not None and not window.document.is_dirty


def test_a_grid_destroyed_with_its_window_ends_its_decoders(qtbot: QtBot, app_context: AppContext, film: Path) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(film), Bridge())
    try:
        owner = QWidget()
        shot = document.project.shots[0]
        grid = CompareGrid(document, shot.id, list(shot.takes[:2]), owner)
        qtbot.waitUntil(grid.settled, timeout=10_000)
        feeds_ended = grid.feeds_ended
        shiboken6.delete(owner)  # the window goes (the app quitting), the grid never closed
        assert feeds_ended(timeout=10)
    finally:
        document.close()
