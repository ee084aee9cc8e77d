"""Issue 14, point 3: no key means two things in the window (Qt would do nothing, saying 'Ambiguous shortcut
overload'), and Redo answers Ctrl+Shift+Z and Ctrl+Y from the keyboard."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from shotline.core import commands
from shotline.services.context import AppContext
from shotline.ui.compare_grid import CompareGrid
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def _every_key(win: MainWindow) -> list[tuple[QAction | QShortcut, str]]:
    """Walk every QAction and QShortcut the window holds, with each of its keys (repeats kept)."""
    objects: list[QAction | QShortcut] = [*win.findChildren(QAction), *win.findChildren(QShortcut)]
    objects += [a for a in win.actions() if a not in objects]
    keyed = []
    for obj in objects:
        keys = obj.shortcuts() if isinstance(obj, QAction) else [obj.key()]
        keyed += [(obj, k.toString()) for k in keys if not k.isEmpty()]
    return keyed


def test_no_action_lists_a_key_twice_and_no_two_window_wide_actions_share_one(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    assert window.open_project(project_path)
    keyed = _every_key(window)
    assert len(keyed) > 20  # the walk reaches the panels' actions too (player, timeline, storyboard, inspector)
    per_action: dict[int, list[str]] = {}
    for obj, key in keyed:
        per_action.setdefault(id(obj), []).append(key)
    repeated = {key for keys in per_action.values() for key in keys if keys.count(key) > 1}
    assert not repeated, f"listed twice on one action: {repeated}"
    window_wide = [
        (obj, key)
        for obj, key in keyed
        if isinstance(obj, QAction) and obj.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    ]
    owners: dict[str, set[int]] = {}
    for obj, key in window_wide:
        owners.setdefault(key, set()).add(id(obj))
    assert not {k for k, o in owners.items() if len(o) > 1}
    assert window.shortcut_clashes() == []


def test_redo_from_the_keyboard_with_ctrl_shift_z_and_ctrl_y(qtbot, window: MainWindow, project_path: Path) -> None:
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    shot = document.project.shots[0]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    keys = [(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)]
    if sys.platform != "darwin":
        keys.append((Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier))
    for key, modifiers in keys:
        document.execute(commands.set_title(shot.id, f"Title {key}"))
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert document.project.shot(shot.id).title != f"Title {key}"
        qtbot.keyClick(window, key, modifiers)
        assert document.project.shot(shot.id).title == f"Title {key}", QKeySequence(key | modifiers).toString()


def test_split_and_marker_keys_answer_wherever_the_focus_is_but_a_text_field_types_them(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    """Seen in the creator's walk: paused in the viewer, M did nothing and said nothing."""
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    player = window.panels["player"]
    player.setFocus()
    qtbot.waitUntil(player.hasFocus)
    qtbot.keyClick(player, Qt.Key.Key_M)
    assert len(document.project.markers) == 1
    shots = len(document.project.shots)
    window.playhead.seek(document.project.shots[0].picked_take.duration_us // 2)
    qtbot.keyClick(player, Qt.Key.Key_S)
    assert len(document.project.shots) == shots + 1

    prompt = window.panels["inspector"].prompt_edit
    window.selection.select([document.project.shots[0].id])
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus)
    qtbot.keyClicks(prompt, "ms")
    assert "ms" in prompt.toPlainText()  # typed as text
    assert len(document.project.markers) == 1 and len(document.project.shots) == shots + 1


def test_c_compares_the_selected_shots_takes_from_the_storyboard_too(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    """Seen in the creator's walk: C compared takes only while the inspector's take list had the focus."""
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    shot = document.project.shots[0]
    second = dataclasses.replace(shot.takes[0], id="second-take")
    document.execute(commands.attach_take(shot.id, second, pick=False))
    compared: list[list[str]] = []
    window.panels["inspector"].compare_requested.connect(lambda takes: compared.append([t.id for t in takes]))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.selection.select([shot.id])
    cards = window.panels["storyboard"].view  # type: ignore[attr-defined]
    cards.setFocus()
    qtbot.waitUntil(cards.hasFocus)
    qtbot.keyClick(cards, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: bool(compared), timeout=3000)
    assert compared[0] == [shot.takes[0].id, "second-take"]
    for grid in QApplication.topLevelWidgets():
        if isinstance(grid, CompareGrid):
            grid.close()  # the grid itself is proven in test_compare_grid
