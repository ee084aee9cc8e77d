"""The main window: undo/redo through the Edit menu, the unsaved `*`, recovery after a crash, and closing safely."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction

from shotline.core import commands, edits
from shotline.core.frames import format_timecode
from shotline.core.timecode import format_time
from shotline.core.timeline import film_length_us
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.storage import schema
from shotline.ui.main_window import MainWindow, Unsaved
from tests.ui.shell_fixtures import shown_window, visible_dialogs


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def edit_action(win: MainWindow, prefix: str) -> QAction:
    [edit_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&Edit"]
    return next(a for a in edit_menu.actions() if a.text().startswith(prefix))


def test_undo_and_redo_from_the_edit_menu_name_the_step_and_restore_the_project(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    before = document.project
    shot = before.shots[1]
    expected = edits.trim_shot(before, shot.id, 100_000, 900_000)
    assert not edit_action(window, "Undo").isEnabled()

    assert document.execute(commands.trim_shot(shot.id, 100_000, 900_000))
    undo = edit_action(window, "Undo")
    assert undo.text() == "Undo Trim shot" and undo.isEnabled()
    assert "Ctrl+Z" in undo.toolTip()
    undo.trigger()
    assert document.project == before
    redo = edit_action(window, "Redo")
    assert redo.text() == "Redo Trim shot"
    redo.trigger()
    assert document.project == expected
    assert edit_action(window, "Undo").text() == "Undo Trim shot"


def test_the_title_shows_a_star_while_there_are_unsaved_edits(qtbot, window: MainWindow, project_path: Path) -> None:
    assert window.shown_title() == "Shotline"
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    assert window.shown_title() == "Test film — Shotline"
    shot = document.project.shots[0]
    document.execute(commands.set_title(shot.id, "Opening"))
    assert window.isWindowModified() and window.shown_title() == "Test film* — Shotline"
    assert window.saved_label.text().startswith("Unsaved")

    next(a for a in window.actions() if a.text() == "Save").trigger()
    assert window.shown_title() == "Test film — Shotline"
    on_disk = schema.loads((project_path / "project.json").read_bytes())
    assert on_disk.shots[0].title == "Opening"


def test_after_a_crash_the_recovery_is_offered_and_restore_is_one_undoable_step(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    # The crash: an edit reached the autosave, never project.json.
    with ProjectSession.open(project_path) as crashed:
        saved = crashed.project
        crashed.execute(commands.move_shot(saved.shots[0].id, 2))
        crashed.execute(commands.set_prompt(saved.shots[1].id, "A storm rolls in"))
        crashed.bundle.write_recovery(crashed.project)
        edited = crashed.project

    assert window.open_project(project_path)
    qtbot.waitUntil(lambda: window.recovery_dialog is not None and window.recovery_dialog.isVisible())
    dialog = window.recovery_dialog
    assert dialog is not None
    assert "1 shot(s) changed, shots reordered" in dialog.message.text()
    document = window.document
    assert document is not None and document.project == saved

    dialog.restore_button.click()
    assert document.project == edited
    assert document.is_dirty and window.shown_title().startswith("Test film*")
    assert edit_action(window, "Undo").text() == "Undo Restore unsaved work"
    assert document.session.bundle.recovery_file.is_file()  # kept until the creator saves

    edit_action(window, "Undo").trigger()
    assert document.project == saved
    edit_action(window, "Redo").trigger()
    assert document.project == edited
    assert document.save()
    assert not document.session.bundle.recovery_file.exists()
    assert schema.loads((project_path / "project.json").read_bytes()) == edited


def test_discarding_the_recovery_deletes_it_and_keeps_the_saved_project(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    with ProjectSession.open(project_path) as crashed:
        saved = crashed.project
        crashed.execute(commands.remove_shot(saved.shots[0].id))
        crashed.bundle.write_recovery(crashed.project)
    assert window.open_project(project_path)
    qtbot.waitUntil(lambda: window.recovery_dialog is not None and window.recovery_dialog.isVisible())
    assert window.recovery_dialog is not None
    window.recovery_dialog.discard_button.click()
    assert window.document is not None and window.document.project == saved
    assert not (project_path / ".recovery").exists() or not any((project_path / ".recovery").iterdir())


def test_closing_with_unsaved_edits_asks_and_cancel_keeps_the_project_open(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    shot = document.project.shots[2]
    document.execute(commands.remove_shot(shot.id))
    asked: list[bool] = []

    def cancel() -> Unsaved:
        asked.append(True)
        return Unsaved.CANCEL

    window.ask_unsaved = cancel
    assert not window.close()
    assert asked and window.document is document and window.isVisible()

    window.ask_unsaved = lambda: Unsaved.SAVE
    assert window.close_project()
    assert window.document is None and window.stack.currentWidget() is window.welcome
    on_disk = schema.loads((project_path / "project.json").read_bytes())
    assert shot.id not in {s.id for s in on_disk.shots} and len(on_disk.shots) == 2
    assert visible_dialogs() == []


def test_the_status_bar_counts_shots_and_duration(qtbot, window: MainWindow, project_path: Path) -> None:
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    assert window.shots_label.text() == "3 shots"
    first = document.project.shots[0]
    document.execute(commands.remove_shot(first.id))
    assert window.shots_label.text() == "2 shots"
    length = film_length_us(document.project)
    # timecode by default (HH:MM:SS:FF of the project's rate), as the player and the timeline read it
    assert window.duration_label.text() == format_timecode(length, document.project.settings.fps)
    window.ctx.settings = dataclasses.replace(window.ctx.settings, clock_style="seconds")
    document.execute(commands.set_title(document.project.shots[0].id, "Dawn"))
    assert window.duration_label.text() == format_time(length)
