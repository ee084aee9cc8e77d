"""Every error reaches the creator as a sentence in the message bar — real failures, never a dialog or a trace."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from shotline.core import commands
from shotline.services.context import AppContext
from shotline.ui.main import install_excepthook
from shotline.ui.main_window import MainWindow
from shotline.ui.message_bar import MessageBar, MessageRow
from tests.clips import make_clip
from tests.ui.shell_fixtures import shown_window, visible_dialogs


@pytest.fixture
def window(qtbot, app_context: AppContext, project_path: Path, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(project_path)
        yield win


def shown(win: MainWindow) -> list[str]:
    return [text for text, _count in win.message_bar.messages()]


def test_a_trim_outside_the_clip_is_a_message_and_changes_nothing(qtbot, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    before = document.project
    assert not document.execute(commands.trim_shot(before.shots[0].id, 0, 99_000_000))
    assert document.project is before
    assert window.message_bar.isVisible()
    assert any("outside the clip" in text for text in shown(window))
    assert "Traceback" not in " ".join(shown(window))
    assert visible_dialogs() == []


def test_generating_with_an_unknown_backend_is_a_message(qtbot, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    jobs_before = document.jobs()
    assert document.generate([document.project.shots[0].id], backend="no-such-backend") == []
    assert any("no-such-backend" in text and "Available: animatic" in text for text in shown(window))
    assert document.jobs() == jobs_before
    assert visible_dialogs() == []


def test_importing_a_zero_byte_file_is_a_message(qtbot, window: MainWindow, tmp_path: Path) -> None:
    document = window.document
    assert document is not None
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    before = document.project
    document.import_files([empty])
    qtbot.waitUntil(lambda: any("empty.mp4" in text for text in shown(window)), timeout=10_000)
    assert document.project is before
    assert visible_dialogs() == []


def test_opening_a_damaged_project_is_a_message_and_the_welcome_stays(
    qtbot, app_context: AppContext, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.shotline"
    broken.mkdir()
    (broken / "project.json").write_text('{"format_version": 1, "shots": [', encoding="utf-8")
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert not win.open_project(broken)
        assert win.document is None and win.stack.currentWidget() is win.welcome
        [message] = shown(win)
        assert message.startswith("Could not open broken.shotline:")
        assert visible_dialogs() == []


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_exception_in_a_slot_becomes_a_calm_message(qtbot, window: MainWindow) -> None:
    def broken_slot() -> None:
        raise RuntimeError("the flux capacitor is empty")

    previous = install_excepthook(window.message_bar.show_message)
    try:
        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: bool(shown(window)), timeout=5_000)
    finally:
        sys.excepthook = previous
    [message] = shown(window)
    assert "RuntimeError: the flux capacitor is empty" in message and "Your work is safe" in message
    assert "Traceback" not in message
    assert visible_dialogs() == []


@pytest.mark.ffmpeg
def test_dropping_a_clip_on_the_window_imports_it_as_a_new_shot(qtbot, window: MainWindow, tmp_path: Path) -> None:
    document = window.document
    assert document is not None
    clip = make_clip(tmp_path / "gull.mp4", seconds=1.0, size=(160, 90))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip))])
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: len(document.project.shots) == 4, timeout=20_000)
    added = document.project.shots[-1]
    assert added.title == "gull" and added.picked_take is not None
    assert document.session.bundle.resolve(added.picked_take.media).is_file()
    assert document.session.history.undo_label == "Import clip"


def test_the_same_message_twice_shows_once_with_a_count_and_hides_itself(qtbot) -> None:
    bar = MessageBar(auto_hide_ms=300)
    qtbot.addWidget(bar)
    bar.show_message("The keyring is locked.")
    bar.show_message("The keyring is locked.")
    bar.show_message("Export failed: disk full.")
    assert bar.messages() == [("The keyring is locked.", 2), ("Export failed: disk full.", 1)]
    assert bar.isVisible()
    qtbot.waitUntil(lambda: bar.messages() == [], timeout=3_000)
    assert not bar.isVisible()


def test_a_message_can_be_dismissed(qtbot) -> None:
    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.show_message("One")
    bar.show_message("Two")
    first = next(r for r in bar.findChildren(MessageRow) if r.text == "One")
    assert "Dismiss" in first.close_button.toolTip()
    first.close_button.click()
    assert bar.messages() == [("Two", 1)]
