"""Measuring how long the GUI event loop stalls, and the load the window must stay smooth under.

Shared by tests/ui/test_responsiveness.py (which asserts) and tests/bench/ui.py (which prints).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer

from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.main_window import MainWindow

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


def start_load(window: MainWindow, export_to: Path) -> tuple[list[str], ExportDialog, Callable[[], bool]]:
    """Start JOBS animatic jobs over the open project's shots and an export through the export dialog.

    Returns the job ids, the dialog and a predicate that is true once all of it has finished.
    """
    document = window.document
    assert document is not None
    shots = [shot.id for shot in document.project.shots]
    job_ids = document.generate((shots * JOBS)[:JOBS])
    assert len(job_ids) == JOBS, "the jobs were refused"
    dialog = ExportDialog(document, window)
    dialog.path_edit.setText(str(export_to))
    dialog.select_preset("720p draft")
    dialog.show()
    dialog.start()
    assert dialog.is_exporting, dialog.status.text()

    def finished() -> bool:
        return not dialog.is_exporting and not any(document.is_running(job_id) for job_id in job_ids)

    return job_ids, dialog, finished
