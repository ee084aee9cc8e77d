"""Issue 14, point 15: the project's style line shows a long style whole (it wraps and grows), where a one-line
field showed only its tail; typing in it is still one undo step, and Enter finishes the edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard import StoryboardPanel

LONG_STYLE = (
    "35 mm film, warm grade, soft halation on highlights, handheld camera, shallow depth of field, "
    "golden hour light, muted greens"
)


@pytest.fixture
def panel(qtbot, app_context: AppContext, project_path: Path) -> Iterator[StoryboardPanel]:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    widget = StoryboardPanel(document, ShotSelection())
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    yield widget
    document.close()


def _all_of_it_visible(field) -> bool:  # type: ignore[no-untyped-def]
    """Whether every character of the field's text is on screen, for a one-line field or a wrapping one."""
    if hasattr(field, "verticalScrollBar"):
        return field.verticalScrollBar().maximum() == 0
    return field.fontMetrics().horizontalAdvance(field.text()) <= field.contentsRect().width()


def test_a_long_style_is_shown_whole(qtbot, panel: StoryboardPanel) -> None:
    field = panel.style_edit
    one_line = field.height()
    field.setFocus()
    qtbot.keyClicks(field, LONG_STYLE)
    QApplication.processEvents()
    assert panel.document.project.settings.style == LONG_STYLE
    assert _all_of_it_visible(field), "the style line shows only part of the style"
    assert field.height() > one_line  # it grew to more lines
    panel.document.undo()  # typing it was one step
    assert panel.document.project.settings.style == ""
    assert field.height() == one_line  # and it shrinks back with its text


def test_enter_finishes_the_style_without_a_new_line(qtbot, panel: StoryboardPanel) -> None:
    field = panel.style_edit
    field.setFocus()
    qtbot.keyClicks(field, "noir")
    with qtbot.waitSignal(field.editingFinished):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert panel.document.project.settings.style == "noir"
