"""Film → Make music…, in the window (issue 17): the animatic's bed, free, lands on the music lane as long as the
film, one undo step; a paid model shows its estimate and is asked about before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from shotline.core.model import MUSIC_LANE
from shotline.core.timeline import film_length_us
from shotline.services.context import AppContext
from shotline.ui.dialogs.make_music import MakeMusicDialog
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window

pytestmark = [pytest.mark.ffmpeg]

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot: Any, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(project_path)
        QApplication.processEvents()
        yield win


def _dialog(window: MainWindow) -> MakeMusicDialog:
    [film_menu] = [a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Film"]
    next(a for a in film_menu.actions() if a.text() == "Make music…").trigger()
    dialog = window.findChild(MakeMusicDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_animatic_bed_lands_on_the_music_lane_as_long_as_the_film(qtbot: Any, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    film = film_length_us(document.project)
    dialog = _dialog(window)
    assert dialog.backend_box.currentData() == "animatic" and dialog.model_box.currentData() == "bed"
    assert not dialog.make_button.isEnabled(), "nothing to make before the music is described"
    dialog.prompt_edit.setText("calm harbour at dawn, slow")
    assert dialog.estimate_label.text().endswith("free") and dialog.make_button.isEnabled()
    dialog.make_button.click()  # free: no question

    qtbot.waitUntil(lambda: any(c.lane == MUSIC_LANE for c in document.project.audio), timeout=WAIT_MS)
    [bed] = [c for c in document.project.audio if c.lane == MUSIC_LANE]
    assert (bed.start_us, bed.end_us) == (0, film) and bed.source_name == "Music: calm harbour at dawn, slow"
    document.undo()  # one step
    assert not any(c.lane == MUSIC_LANE for c in document.project.audio)


def test_paid_music_shows_its_estimate_and_is_asked_about(window: MainWindow) -> None:
    document = window.document
    assert document is not None
    dialog = _dialog(window)
    dialog.backend_box.setCurrentIndex(dialog.backend_box.findData("fal"))
    dialog.model_box.setCurrentIndex(dialog.model_box.findData("stable-audio-25"))
    dialog.prompt_edit.setText("tense night chase")
    assert "$0.20" in dialog.estimate_label.text()
    dialog.make_button.click()
    question = dialog.question
    assert question is not None and "Making music is estimated at about $0.20" in question.text()
    question.button(QMessageBox.StandardButton.No).click()
    assert [r for r in document.jobs() if r.request.get("kind") == "music"] == []  # nothing sent
