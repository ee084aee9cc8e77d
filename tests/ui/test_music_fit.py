"""Fit to the film, in the window (issue 17): a sound clip's right-click menu and the sound inspector loop a short
music clip to the film's end, one undo step each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from shotline.core.model import MUSIC_LANE
from shotline.core.timeline import film_length_us
from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from shotline.ui.sound_inspector import AudioClipSection
from tests.media.sound import tone
from tests.ui.shell_fixtures import shown_window
from tests.ui.test_context_menus import Menus

pytestmark = [pytest.mark.ffmpeg]

WAIT_MS = 30_000


@pytest.fixture
def window(qtbot: Any, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(1600, 1000)
        assert win.open_project(project_path)
        QApplication.processEvents()
        yield win


def test_a_short_music_clip_is_fitted_from_its_menu_and_its_inspector(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    document = window.document
    assert document is not None
    menus = Menus(window)
    canvas = window.panels["timeline"].canvas  # type: ignore[attr-defined]
    music_row = next(row for row in canvas.geometry_.rows if row.lane.id == MUSIC_LANE)
    window.media.ask_files = lambda _title, _filter: [tone(tmp_path / "bed.wav", hz=200, seconds=1.0)]
    menus.right_click(canvas, QPoint(40, music_row.top + 10))["Import sound onto Music here…"].trigger()
    qtbot.waitUntil(lambda: len(document.project.audio) == 1, timeout=WAIT_MS)
    QApplication.processEvents()
    [before] = document.project.audio
    film_end = film_length_us(document.project)
    assert before.end_us < film_end

    [clip_box] = canvas.geometry_.sound_boxes
    menus.right_click(canvas, QPoint(round(clip_box.x0 + 5), music_row.top + 10))["Fit to the film"].trigger()
    [fitted] = document.project.audio
    assert fitted.end_us == film_end and fitted.loop_us == film_end - fitted.start_us
    document.undo()  # one step
    assert document.project.audio == (before,)

    section = AudioClipSection(document)
    qtbot.addWidget(section)
    section.show()
    section.show_clip(before.id)
    section.fit_button.click()
    assert document.project.audio[0].end_us == film_end
    section.refresh()  # as the inspector does on every change
    assert "looped" in section.place_label.text()
    document.undo()
    assert document.project.audio == (before,)
