"""Where the panels sit. By default the picture is the largest thing in the window, as in every editor: the
storyboard on the left, the shot inspector on the right with the jobs list as a tab beside it (as Shotcut keeps its
Jobs), and the timeline only as tall as its lanes under the viewer. Whatever the creator drags (docks, the
viewer/timeline divider, the window itself) is remembered across runs with Qt's saveState/restoreState;
View → Reset layout brings the default back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

from shotline.services import preferences
from shotline.services.context import AppContext

log = logging.getLogger(__name__)

STATE_VERSION = 3
"""Bumped when the docks change, so an older saved arrangement is dropped rather than half applied."""
STORYBOARD_WIDTH = 280
INSPECTOR_WIDTH = 340
HANDLE_PX = 6
SPLITTER_STYLE = """
QSplitter::handle { background: #2d3137; }
QSplitter::handle:hover, QMainWindow::separator:hover { background: #3d8bfd; }
QMainWindow::separator { background: #2d3137; width: 6px; height: 6px; }
"""
"""The dividers are plain visible bars that light up under the pointer, never a row of dots to hunt for."""

DEFAULT_AREAS = {
    "storyboard": Qt.DockWidgetArea.LeftDockWidgetArea,
    "inspector": Qt.DockWidgetArea.RightDockWidgetArea,
    "jobs": Qt.DockWidgetArea.RightDockWidgetArea,
    "cast": Qt.DockWidgetArea.LeftDockWidgetArea,
}


def _encoded(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def _decoded(text: str) -> QByteArray:
    return QByteArray.fromBase64(QByteArray(text.encode("ascii")))


class WindowLayout:
    """The window's arrangement: applied when a project's panels appear, kept when they go and when the app quits."""

    def __init__(self, ctx: AppContext, window: QMainWindow, editor: QSplitter, docks: Mapping[str, QDockWidget]):
        self._ctx = ctx
        self._window = window
        self._editor = editor
        self._docks = docks
        self._saved: dict[str, str] = dict(ctx.settings.window_layout)
        editor.setChildrenCollapsible(False)
        editor.setHandleWidth(HANDLE_PX)
        window.setStyleSheet(window.styleSheet() + SPLITTER_STYLE)
        editor.splitterMoved.connect(lambda *_: self._keep_editor())
        if geometry := self._saved.get("geometry"):
            window.restoreGeometry(_decoded(geometry))

    def show_panels(self, viewer: QWidget, timeline: QWidget) -> None:
        """A project's panels are in place: show the docks where the creator left them, or as by default."""
        self._editor.setStretchFactor(self._editor.indexOf(viewer), 1)
        self._editor.setStretchFactor(self._editor.indexOf(timeline), 0)
        state = self._saved.get("docks")
        if state and self._window.restoreState(_decoded(state), STATE_VERSION):
            if splitter := self._saved.get("editor"):
                self._editor.restoreState(_decoded(splitter))
            return
        self._default_docks()
        self._default_editor()

    def hide_panels(self) -> None:
        """The project closes: remember the arrangement first (the docks are hidden while no project is open)."""
        if any(dock.isVisible() for dock in self._docks.values()):
            self._saved["docks"] = _encoded(self._window.saveState(STATE_VERSION))
        for dock in self._docks.values():
            dock.setVisible(False)

    def remember(self) -> None:
        """Write the arrangement to the settings (on quitting and on closing a project)."""
        if any(dock.isVisible() for dock in self._docks.values()):
            self._saved["docks"] = _encoded(self._window.saveState(STATE_VERSION))
            self._keep_editor()
        self._saved["geometry"] = _encoded(self._window.saveGeometry())
        preferences.remember_window_layout(self._ctx, self._saved)

    def reset(self) -> None:
        """View → Reset layout: every dock back in its place and shown, the viewer largest; forgotten the saved."""
        self._saved.pop("docks", None)
        self._saved.pop("editor", None)
        self._default_docks()
        self._default_editor()
        preferences.remember_window_layout(self._ctx, self._saved)

    def _keep_editor(self) -> None:
        if self._editor.count() > 1:
            self._saved["editor"] = _encoded(self._editor.saveState())

    def _default_docks(self) -> None:
        window = self._window
        for name, dock in self._docks.items():
            dock.setFloating(False)
            window.addDockWidget(DEFAULT_AREAS[name], dock)  # moves it back if the creator dragged it elsewhere
            dock.setVisible(True)
        docks = self._docks
        # the picture gets the whole height between the columns: the jobs are a tab beside the shot (the cards
        # show each shot's job too), a dock dragged to the bottom stays there next time
        window.tabifyDockWidget(docks["inspector"], docks["jobs"])
        docks["inspector"].raise_()
        # the cast a tab behind the shots: under them it left room for one card on a 900-pixel screen (seen in the
        # guide's picture), and the cast is set up once while the cards are worked on all along; @ completes names
        # in the prompt with the tab closed
        window.tabifyDockWidget(docks["storyboard"], docks["cast"])
        docks["storyboard"].raise_()
        window.resizeDocks(
            [docks["storyboard"], docks["inspector"]], [STORYBOARD_WIDTH, INSPECTOR_WIDTH], Qt.Orientation.Horizontal
        )

    def _default_editor(self) -> None:
        """The timeline as tall as its lanes need, the viewer everything else."""
        editor = self._editor
        if editor.count() < 2:
            return
        timeline = editor.widget(editor.count() - 1)
        if timeline is None:
            return
        wanted = timeline.sizeHint().height()
        total = max(editor.height(), wanted * 3)
        editor.setSizes([total - wanted - editor.handleWidth(), wanted])
