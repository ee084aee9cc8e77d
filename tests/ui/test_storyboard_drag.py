"""Dragging cards in the storyboard, delivered the way a real drag is: to the window, which picks the widget under
the pointer that accepts drops (issue 14, point 8: three drags never reordered and showed no drop marker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard import StoryboardPanel


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def panel(document: ProjectDocument, qtbot) -> StoryboardPanel:
    widget = StoryboardPanel(document, ShotSelection())
    qtbot.addWidget(widget)
    widget.resize(760, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ids(doc: ProjectDocument) -> list[str]:
    return [shot.id for shot in doc.project.shots]


def _to_window(panel: StoryboardPanel, point: QPoint) -> QPointF:
    return QPointF(panel.view.viewport().mapTo(panel.window(), point))


def _send(panel: StoryboardPanel, event: QEvent) -> None:
    # To the window, not the view: the window routes a drag to the widget under the pointer that accepts drops,
    # as it does for a drag from the mouse.
    QApplication.sendEvent(panel.window().windowHandle(), event)


def drag_over(panel: StoryboardPanel, data: QMimeData, point: QPoint) -> QDragMoveEvent:
    at = _to_window(panel, point)
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    _send(panel, QDragEnterEvent(at.toPoint(), actions, data, buttons, keys))
    move = QDragMoveEvent(at.toPoint(), actions, data, buttons, keys)
    _send(panel, move)
    return move


def drop(panel: StoryboardPanel, data: QMimeData, point: QPoint) -> None:
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    event = QDropEvent(
        _to_window(panel, point), actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    _send(panel, event)


def test_dragging_a_card_before_the_first_marks_the_gap_moves_it_and_undoes(
    panel: StoryboardPanel, document: ProjectDocument, qtbot
) -> None:
    a, b, c = ids(document)
    data = panel.model.mimeData([panel.model.index(2, 0)])
    first = panel.view.visualRect(panel.model.index(0, 0))
    over = QPoint(first.left() + 10, first.center().y())  # the left half of the first card: before it

    move = drag_over(panel, data, over)
    assert move.isAccepted(), "the cards refused the drag"
    assert panel.view.drop_marker_row == 0
    marker = panel.view.drop_marker_rect()
    assert marker is not None
    assert marker.right() < first.left() + 2  # in the gap before the card, not over its picture
    picture = panel.view.viewport().grab().toImage()
    ratio = picture.devicePixelRatio()
    centre = marker.center()
    assert picture.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio)) == theme.ACCENT

    drop(panel, data, over)
    assert ids(document) == [c, a, b]
    assert panel.view.drop_marker_row is None  # the bar goes with the drag
    assert [panel.model.shot_at(row).id for row in range(3)] == [c, a, b]
    assert document.session.history.undo_label  # one step to undo
    document.undo()
    assert ids(document) == [a, b, c]


def test_a_drop_in_the_gap_after_the_last_card_moves_there(
    panel: StoryboardPanel, document: ProjectDocument, qtbot
) -> None:
    a, b, c = ids(document)
    data = panel.model.mimeData([panel.model.index(0, 0)])
    last = panel.view.visualRect(panel.model.index(2, 0))
    past = QPoint(last.right() + 3, last.center().y())  # between the cards, under no card at all
    drag_over(panel, data, past)
    assert panel.view.drop_marker_row == 3
    drop(panel, data, past)
    assert ids(document) == [b, c, a]


def test_in_a_narrow_storyboard_the_gap_is_above_or_below_a_card(
    panel: StoryboardPanel, document: ProjectDocument, qtbot
) -> None:
    panel.resize(250, 900)  # as docked beside the viewer: one card per line
    qtbot.waitUntil(lambda: panel.view.visualRect(panel.model.index(1, 0)).top() > 0)
    a, b, c = ids(document)
    data = panel.model.mimeData([panel.model.index(0, 0)])
    third = panel.view.visualRect(panel.model.index(2, 0))
    over = QPoint(third.right() - 10, third.top() + 10)  # the top of the third card, right of its middle
    drag_over(panel, data, over)
    assert panel.view.drop_marker_row == 2
    marker = panel.view.drop_marker_rect()
    assert marker is not None and marker.bottom() < third.top() + 2 and marker.width() > marker.height()
    drop(panel, data, over)
    assert ids(document) == [b, a, c]
