"""Play and Show in folder after an export say so when nothing could open the film (seen in the creator's walk: both
buttons did nothing on screen; only the terminal said "Unable to detect a launcher")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.export_outcome import ExportOutcome
from shotline.ui.document import ProjectDocument


@pytest.fixture
def outcome(qtbot: QtBot, app_context: AppContext, project_path: Path, tmp_path: Path) -> Iterator[ExportOutcome]:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    parent = QWidget()
    qtbot.addWidget(parent)
    shown = ExportOutcome(document, parent)
    shown.output = tmp_path / "Harbour Night.mp4"
    shown.output.write_bytes(b"film")
    yield shown
    document.close()


def test_play_and_show_in_folder_say_when_nothing_opens_the_film(
    outcome: ExportOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert outcome.output is not None
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    outcome.play_button.click()
    assert "Harbour Night.mp4" in outcome.status.text() and str(outcome.output.parent) in outcome.status.text()
    outcome.say("")
    outcome.show_button.click()
    assert str(outcome.output.parent) in outcome.status.text()


def test_when_the_film_opens_the_status_line_is_left_alone(
    outcome: ExportOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    outcome.say("Exported Harbour Night.mp4 in 0:08.")
    outcome.play_button.click()
    outcome.show_button.click()
    assert outcome.status.text() == "Exported Harbour Night.mp4 in 0:08."
