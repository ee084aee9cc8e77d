"""Issue 14, point 16: a project with missing media opens, says which, and File → Relink media… lists them and
finds them all in the chosen folder in one step; the panels see the files again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction

from shotline.services import relink
from shotline.services.context import AppContext
from shotline.ui.dialogs.relink import RelinkDialog
from shotline.ui.main_window import MainWindow
from tests.services.test_relink import project_with_missing_media
from tests.ui.shell_fixtures import shown_window, visible_dialogs

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def _file_action(win: MainWindow, text: str) -> QAction:
    [file_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"]
    return next(a for a in file_menu.actions() if a.text() == text)


def test_relink_media_finds_every_missing_file_in_one_folder(
    qtbot, window: MainWindow, app_context: AppContext, tmp_path: Path
) -> None:
    path, _ = project_with_missing_media(app_context, tmp_path)
    assert window.open_project(path)
    shown = " ".join(text for text, _count in window.message_bar.messages())
    assert "3 file(s)" in shown and "Relink media" in shown
    assert "harbour.mp4" in shown and "shot 2's take from animatic" in shown  # the creator's names, not ids
    listed: list[str] = []

    def choose(missing: list[relink.Missing]) -> Path:
        dialog = RelinkDialog(missing, window)  # what the creator is shown before choosing the folder
        listed.extend(dialog.files.item(row).text() for row in range(dialog.files.count()))
        dialog.deleteLater()
        return tmp_path / "elsewhere"

    document = window.document
    assert document is not None
    canvas = window.panels["timeline"].canvas  # type: ignore[attr-defined]
    [music] = [clip.media for clip in document.project.audio]
    canvas.repaint()  # its waveform is asked for, and the file is not there
    qtbot.waitUntil(lambda: not canvas.waveforms.busy, timeout=WAIT_MS)
    assert music not in canvas.waveforms
    window.relinking.ask_folder = choose
    _file_action(window, "Relink media…").trigger()
    qtbot.waitUntil(lambda: any("Relinked" in text for text, _ in window.message_bar.messages()), timeout=WAIT_MS)
    assert len(listed) == 3 and any("harbour.mp4" in row for row in listed)
    assert document.session.bundle.missing_media(document.project) == []
    qtbot.waitUntil(lambda: music in canvas.waveforms, timeout=WAIT_MS)  # drawn again, not given up on
    assert not document.is_dirty and not visible_dialogs()
