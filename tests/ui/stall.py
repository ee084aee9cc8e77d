"""The load the window must stay smooth under, and a meter of how long the GUI event loop stalls.

The load (`start_load`) is shared by tests/ui/test_responsiveness.py, which checks that the GUI thread does no file,
process, network or database work under it, and tests/bench/ui.py, which prints the longest stall (a figure for
people: it depends on the machine, so no test asserts it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer

from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.main_window import MainWindow
from shotline.ui.timeline import TimelinePanel
from tests.media.sound import tone

TICK_MS = 5
JOBS = 10


class StallMeter(QObject):
    """A 5 ms timer on the GUI thread; the longest gap between its ticks is the longest stall."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.longest_ms = 0.0
        self.ticks = 0

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._tick()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest_ms = max(self.longest_ms, (now - self._last) * 1000)
        self._last = now
        self.ticks += 1


def make_music(folder: Path) -> Path:
    """The sound file the load drops on the timeline (made before the load: it takes ffmpeg)."""
    return tone(folder / "music.wav", hz=220, seconds=6, amplitude=0.2)


def start_load(window: MainWindow, export_to: Path, music: Path) -> tuple[list[str], ExportDialog, Callable[[], bool]]:
    """Start JOBS animatic jobs over the open project's shots and an export through the export dialog, and drop
    `music` on the timeline (so it imports a sound, draws its waveform and the player renders the new mix).

    Returns the job ids, the dialog and a predicate that is true once all of it has finished.
    """
    document = window.document
    assert document is not None
    timeline = window.panels["timeline"]
    assert isinstance(timeline, TimelinePanel)
    shots = [shot.id for shot in document.project.shots]
    job_ids = document.generate((shots * JOBS)[:JOBS])
    assert len(job_ids) == JOBS, "the jobs were refused"
    dialog = ExportDialog(document, window)
    dialog.path_edit.setText(str(export_to))
    dialog.select_preset("720p draft")
    dialog.show()
    dialog.start()
    assert dialog.is_exporting, dialog.status.text()
    timeline.canvas.sounds.drop_files([music], "music", 0)

    def finished() -> bool:
        return (
            not dialog.is_exporting
            and not any(document.is_running(job_id) for job_id in job_ids)
            and bool(document.project.audio)
        )

    return job_ids, dialog, finished
