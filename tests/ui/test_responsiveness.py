"""The window stays responsive by construction: while 10 animatic jobs generate, an export renders and music is dropped
on the timeline, the GUI thread reads, writes, decodes, runs and connects to nothing of the creator's. All of that is
the runner's work.

How long the event loop stalls depends on the machine, so that is a benchmark figure (tests/bench/ui.py prints it);
what is checked here is exact: every audit event the GUI thread raises under the load (tests/ui/gui_thread_io.py says
which are watched) must be one the allow-list below lets through.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QPixmap

import shotline
from shotline.core.ports import JobPhase
from shotline.resources import resources_dir
from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from shotline.ui.storyboard import ShotRole, StoryboardPanel
from shotline.ui.timeline import TimelinePanel
from tests.ui.gui_thread_io import AV_OPEN, PICTURE_READ, Allowed, GuiThreadWatch, Touch, watching_gui_thread
from tests.ui.shell_fixtures import shown_window
from tests.ui.stall import JOBS, make_music, start_load

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def allowed_on_the_gui_thread(settings: Path) -> Allowed:
    """What the window may touch on its own thread while jobs and an export run. Nothing of the creator's project is
    on the list: not its media, thumbnails, waveforms, autosave or job journal, nor the export's file.

    - The program's own files: Python's installation and Shotline's and the tests' code. A module imported on first
      use is read (and its bytecode cached) there; that is the program loading, once a run, not the creator's work.
    - Pictures among Shotline's resources (icons): small files shipped with the program, read once.
    - The settings folder: the creator's choices (the export dialog remembers its preset and folder when an export
      starts), a few hundred bytes written once a click, never once a job or a frame.
    Everything else is refused: any other file, and every media decode (PyAV), socket, process, SQLite statement and
    wait for the runner, whatever it names."""
    paths = sysconfig.get_paths()
    program = {paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    program |= {str(Path(shotline.__file__).parent), str(Path(__file__).parents[1])}  # Shotline's and the tests'
    program = {os.path.realpath(folder) for folder in program}
    icons = os.path.realpath(resources_dir())
    settings_folder = os.path.realpath(settings)

    def inside(path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder + os.sep)

    def allowed(touch: Touch) -> bool:
        if touch.path is None or touch.event == AV_OPEN:
            return False
        path = os.path.realpath(touch.path)
        if touch.event == PICTURE_READ:
            return inside(path, icons)
        return inside(path, settings_folder) or any(inside(path, folder) for folder in program)

    return allowed


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> Iterator[GuiThreadWatch]:
    with watching_gui_thread(monkeypatch) as watch:  # before the project opens: its journal's statements are traced
        yield watch


@pytest.fixture
def window(qtbot, app_context: AppContext, project_path: Path, tmp_path: Path, watched) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(project_path)
        yield win


def test_the_gui_thread_touches_nothing_of_the_project_while_jobs_generate_and_an_export_runs(
    qtbot, window: MainWindow, watched: GuiThreadWatch, tmp_path: Path
) -> None:
    document = window.document
    assert document is not None
    storyboard, timeline = window.panels["storyboard"], window.panels["timeline"]
    assert isinstance(storyboard, StoryboardPanel) and isinstance(timeline, TimelinePanel)
    takes_before = sum(len(shot.takes) for shot in document.project.shots)
    film, music_file = tmp_path / "film.mp4", make_music(tmp_path)
    # Recording starts before the event loop runs again, so the thumbnails and filmstrip frames the freshly opened
    # window asked for arrive under it, with the jobs' takes and progress, the export's, and the dropped music.
    with watched.recording(allowed_on_the_gui_thread(tmp_path / "settings")) as recording:
        assert len(timeline.canvas.filmstrips) == 0, "frames arrived before the event loop ran: read on this thread"
        job_ids, dialog, finished = start_load(window, film, music_file)
        try:
            qtbot.waitUntil(finished, timeout=90_000)
            [music] = [clip.media for clip in document.project.audio]
            cards = [storyboard.model.index(row, 0) for row in range(storyboard.model.rowCount())]
            qtbot.waitUntil(
                lambda: (
                    all(isinstance(storyboard.model.data(card, ShotRole.THUMBNAIL), QPixmap) for card in cards)
                    and music in timeline.canvas.waveforms
                ),
                timeout=30_000,
            )
            window.repaint()  # a paint of every panel with all of it in place happens under the recording too
        finally:
            dialog.close()

    # the load really ran, and the pictures and sound it shows arrived while recording
    # each take is written to project.json as it lands (off this thread): then its job is done
    qtbot.waitUntil(lambda: all(document.job(job_id).phase is JobPhase.ATTACHED for job_id in job_ids), timeout=30_000)
    assert sum(len(shot.takes) for shot in document.project.shots) == takes_before + JOBS
    assert film.is_file(), dialog.status.text()
    assert len(timeline.canvas.filmstrips) > 0
    assert recording.seen > 0, "the recorder saw nothing of the GUI thread: is its audit hook installed?"
    touched = "\n".join(str(touch) for touch in recording.touches[:5])
    assert recording.touches == [], f"the GUI thread did {len(recording.touches)} thing(s) it must not:\n{touched}"
