"""The window never freezes: the longest event-loop stall while 10 animatic jobs run and an export renders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core.ports import JobPhase
from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window
from tests.ui.stall import JOBS, StallMeter, start_load

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow, pytest.mark.alone]

MAX_STALL_MS = 100


@pytest.fixture
def window(qtbot, app_context: AppContext, project_path: Path, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(project_path)
        yield win


def test_the_gui_never_stalls_while_jobs_generate_and_an_export_runs(qtbot, window: MainWindow, tmp_path) -> None:
    document = window.document
    assert document is not None
    takes_before = sum(len(shot.takes) for shot in document.project.shots)
    qtbot.wait(300)  # let the freshly opened window settle (first layout, thumbnails) before measuring
    meter = StallMeter()
    meter.start()
    job_ids, dialog, finished = start_load(window, tmp_path / "film.mp4")
    try:
        qtbot.waitUntil(finished, timeout=90_000)
        qtbot.wait(200)  # the last attach, autosave scheduling and repaints happen just after
    finally:
        meter.stop()
        dialog.close()
    # the load really ran: every job produced a take and the film was written
    assert all(document.job(job_id).phase is JobPhase.DOWNLOADED for job_id in job_ids)
    assert sum(len(shot.takes) for shot in document.project.shots) == takes_before + JOBS
    assert (tmp_path / "film.mp4").is_file(), dialog.status.text()
    assert meter.ticks > 100
    assert meter.longest_ms < MAX_STALL_MS, f"the GUI thread stalled for {meter.longest_ms:.0f} ms"
