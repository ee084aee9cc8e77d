"""Opening a project whose project.json is damaged: the window offers the newest backup that opens, restoring it
opens the project, and the damaged file is kept. A real window, a real project saved a few times, real damage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.dialogs.restore_backup import RESTORE_LATEST, RestoreBackupDialog
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window, visible_dialogs

DAMAGE = b'{"format_version": 1, "id": "p", "title": "Harb'


@pytest.fixture
def damaged(app_context: AppContext, project_path: Path) -> Path:
    """The test project saved twice more (titles "Second", then "Third"), then cut off mid-write."""
    with ProjectSession.open(project_path) as session:
        for title in ("Second", "Third"):
            session.bundle.save(replace(session.project, title=title))
    (project_path / "project.json").write_bytes(DAMAGE)
    return project_path


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def offered(window: MainWindow) -> RestoreBackupDialog:
    dialog = window.restorer.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_damage_is_explained_and_the_latest_backup_offered_by_the_name_the_message_uses(
    window: MainWindow, damaged: Path
) -> None:
    assert not window.open_project(damaged)
    assert window.document is None
    dialog = offered(window)
    assert visible_dialogs() == [dialog]
    assert dialog.restore_button.text() == RESTORE_LATEST
    assert f"“{RESTORE_LATEST}”" in dialog.message.text(), "the message names the button that is there"
    assert "The project file is damaged" in dialog.message.text()
    dialog.reject()


def test_restoring_opens_the_project_as_last_saved_and_keeps_the_damaged_file(
    qtbot, window: MainWindow, damaged: Path
) -> None:
    window.open_project(damaged)
    offered(window).restore_button.click()
    qtbot.waitUntil(lambda: window.document is not None, timeout=5000)
    assert window.document is not None
    assert window.document.project.title == "Second", "the newest backup: the version the last save replaced"
    assert window.stack.currentWidget() is window.editor
    [kept] = damaged.glob("project.json.damaged-*")
    assert kept.read_bytes() == DAMAGE
    assert any("is back as saved at" in text and kept.name in text for text, _ in window.message_bar.messages())
    assert window.restorer.dialog is None and not any(isinstance(d, RestoreBackupDialog) for d in visible_dialogs())


def test_cancel_leaves_everything_as_it_was_and_keeps_the_reason_in_sight(
    qtbot, window: MainWindow, damaged: Path
) -> None:
    window.open_project(damaged)
    offered(window).cancel_button.click()
    qtbot.waitUntil(lambda: window.restorer.dialog is None, timeout=5000)
    assert window.document is None and window.stack.currentWidget() is window.welcome
    assert (damaged / "project.json").read_bytes() == DAMAGE
    assert list(damaged.glob("project.json.damaged-*")) == []
    [(message, _count)] = window.message_bar.messages()
    assert message.startswith(f"Could not open {damaged.name}:") and RESTORE_LATEST in message
    assert not window.open_project(damaged)
    offered(window).reject()  # the offer comes again on the next open


def test_without_a_backup_that_opens_nothing_is_offered(window: MainWindow, damaged: Path) -> None:
    for backup in (damaged / ".backups").glob("project-*.json"):
        backup.write_bytes(b"")
    assert not window.open_project(damaged)
    assert window.restorer.dialog is None
    assert not any(isinstance(d, RestoreBackupDialog) for d in visible_dialogs())
    [(message, _count)] = window.message_bar.messages()
    assert "The project file is damaged" in message and "backup" not in message.lower()
