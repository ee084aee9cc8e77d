"""Issue 14, point 17: Help → Keyboard shortcuts lists every key, lets the creator change one (refusing a key that
already means something there), and the change works at once and is kept for the next run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from shotline.services.context import AppContext
from shotline.ui.dialogs.shortcuts import ShortcutsDialog
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window

SPLIT = "timeline.split"


def _help_has_the_list(win: MainWindow) -> bool:
    [help_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&Help"]
    return any(a.text() == "Keyboard shortcuts…" for a in help_menu.actions())


def _rows(dialog: ShortcutsDialog) -> dict[str, tuple[str, str]]:
    tree = dialog.tree
    items = [tree.topLevelItem(row) for row in range(tree.topLevelItemCount())]
    return {item.text(0): (item.text(1), item.text(2)) for item in items if item is not None}


def test_a_shortcut_changed_in_the_list_works_at_once_and_next_time(
    qtbot, app_context: AppContext, tmp_path: Path, project_path: Path
) -> None:
    settings = tmp_path / "settings"
    with shown_window(qtbot, app_context, settings) as win:
        assert _help_has_the_list(win)
        assert win.open_project(project_path)
        dialog = ShortcutsDialog(win)
        rows = _rows(dialog)
        assert rows["Split the shot at the playhead"] == ("S", "Anywhere")  # it answers wherever the focus is
        assert rows["Save"][0] == QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText)
        assert rows["Play / pause"][0] == "Space"
        assert "" not in rows and rows["Relink media…"] == ("", "Anywhere")  # menu items without a key, by name

        dialog.select(SPLIT)
        dialog.editor.setKeySequence(QKeySequence("Ctrl+S"))
        assert not dialog.set_from_editor()  # Save has it, and Save works everywhere
        assert "Save" in dialog.status.text()
        dialog.editor.setKeySequence(QKeySequence("X"))
        assert dialog.set_from_editor()
        assert _rows(dialog)["Split the shot at the playhead"][0] == "X"
        assert "now answers X" in dialog.status.text()
        dialog.select("file.import-voice")  # a menu's action, which had no key
        dialog.editor.setKeySequence(QKeySequence("Ctrl+Shift+O"))
        assert dialog.set_from_editor()
        assert win.shortcut_clashes() == []
        # A new first key for Redo keeps its other keys: Ctrl+Y still redoes beside the new one
        redo = next(a for a in win.actions() if a.objectName() == "edit.redo")
        before = [k.toString() for k in redo.shortcuts()]
        dialog.select("edit.redo")
        dialog.editor.setKeySequence(QKeySequence("Ctrl+Alt+R"))
        assert dialog.set_from_editor()
        assert [k.toString() for k in redo.shortcuts()] == ["Ctrl+Alt+R", *before[1:]]

        document = win.document
        assert document is not None
        canvas = win.panels["timeline"].canvas  # type: ignore[attr-defined]
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        canvas.setFocus()
        qtbot.waitUntil(canvas.hasFocus)
        win.playhead.seek(document.project.shots[0].duration_us // 2)
        qtbot.keyClick(canvas, Qt.Key.Key_X)
        assert len(document.project.shots) == 4  # the new key splits
        listed = ShortcutsDialog(win)
        assert "Undo" in _rows(listed)  # by its name, not by the step it would undo now ("Undo Split shot")
        listed.deleteLater()
        dialog.deleteLater()

    with shown_window(qtbot, app_context, settings) as again:
        voice = next(a for a in again.actions() if a.objectName() == "file.import-voice")
        assert voice.shortcut().toString() == "Ctrl+Shift+O"  # a menu's key works before any project is open
        assert again.open_project(project_path)
        QApplication.processEvents()
        dialog = ShortcutsDialog(again)
        assert _rows(dialog)["Split the shot at the playhead"][0] == "X"  # kept in the settings
        dialog.select(SPLIT)
        assert dialog.reset_selected()
        assert _rows(dialog)["Split the shot at the playhead"][0] == "S"
        assert SPLIT not in app_context.settings.shortcuts
        dialog.deleteLater()
