"""Issue 14, point 1: the picture is the largest thing in the window by default (1600×1000 and 1440×900), the
dividers are visible bars, the layout is remembered across runs and View → Reset layout brings the default back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QApplication, QDockWidget, QSplitter, QWidget

from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window


def _area(widget: QWidget) -> int:
    return widget.width() * widget.height() if widget.isVisible() else 0


def _picture(win: MainWindow) -> QWidget:
    """The viewer's picture itself (not its controls)."""
    picture = win.panels["player"].findChild(QVideoWidget)
    assert picture is not None
    return picture


def _settle(qtbot) -> None:
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)


def _view_action(win: MainWindow, text: str):
    [view] = [a.menu() for a in win.menuBar().actions() if a.text() == "&View"]
    return next(a for a in view.actions() if a.text() == text)


@pytest.mark.parametrize("size", [(1600, 1000), (1440, 900)])
def test_the_viewer_is_the_largest_panel_and_the_timeline_has_no_dead_space(
    qtbot, app_context: AppContext, tmp_path: Path, project_path: Path, size: tuple[int, int]
) -> None:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(*size)
        assert win.open_project(project_path)
        _settle(qtbot)
        picture, timeline = _picture(win), win.panels["timeline"]
        others = {name: _area(panel) for name, panel in win.panels.items() if name != "player"}
        assert _area(picture) > max(others.values()), (picture.size(), others)
        assert picture.height() >= size[1] * 0.4, picture.height()
        assert timeline.height() <= timeline.sizeHint().height() + 8  # nothing empty under the lanes
        editor = win.findChild(QSplitter)
        assert editor is not None and editor.handleWidth() >= 5 and not editor.childrenCollapsible()


def test_the_layout_is_remembered_across_runs_and_reset_brings_the_default_back(
    qtbot, app_context: AppContext, tmp_path: Path, project_path: Path
) -> None:
    settings = tmp_path / "settings"
    with shown_window(qtbot, app_context, settings) as win:
        win.resize(1600, 1000)
        assert win.open_project(project_path)
        _settle(qtbot)
        editor = win.editor
        total = sum(editor.sizes())
        editor.setSizes([total // 2, total - total // 2])  # the creator drags the divider down...
        editor.splitterMoved.emit(total // 2, 1)
        win.docks["jobs"].hide()  # ...and closes the jobs list
        _settle(qtbot)
        chosen = editor.sizes()
        win.close()

    with shown_window(qtbot, app_context, settings) as again:
        assert again.open_project(project_path)
        _settle(qtbot)
        assert abs(again.editor.sizes()[1] - chosen[1]) <= 2, (again.editor.sizes(), chosen)
        assert not again.docks["jobs"].isVisible()
        assert (settings / "settings.json").read_text().count("window_layout") == 1

        again.resize(1600, 1000)  # the offscreen screen is smaller than the saved window: it was fitted into it
        _view_action(again, "Reset layout").trigger()
        _settle(qtbot)
        docks = again.findChildren(QDockWidget)
        assert all(not dock.isHidden() for dock in docks)  # shown (the jobs as a tab beside the shot)
        others = {name: _area(panel) for name, panel in again.panels.items() if name != "player"}
        assert _area(_picture(again)) > max(others.values())
