"""StoryboardPanel through its widgets: every action changes the project exactly as the core edits would, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QMimeData, QPoint, QRect, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox

from shotline.core import edits
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard import ShotRole, StoryboardPanel
from shotline.ui.storyboard.delegate import PAD, THUMB_HEIGHT
from shotline.ui.storyboard.model import SHOT_IDS_MIME
from tests.ui.conftest import make_project


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
    show_active(widget, qtbot)
    return widget


def show_active(widget: StoryboardPanel, qtbot) -> None:
    """Shown and active, as a window the creator is typing in (shortcuts need an active window)."""
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)


def ids(doc: ProjectDocument) -> list[str]:
    return [shot.id for shot in doc.project.shots]


def click_card(panel: StoryboardPanel, qtbot, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = panel.view.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def test_clicking_cards_selects_shots_both_ways(panel: StoryboardPanel, document: ProjectDocument, qtbot) -> None:
    a, b, c = ids(document)
    click_card(panel, qtbot, 0)
    assert panel.selection.ids == (a,)
    click_card(panel, qtbot, 2, Qt.KeyboardModifier.ControlModifier)
    assert set(panel.selection.ids) == {a, c} and panel.selection.current == c
    panel.selection.select([b])
    assert panel.selected_ids() == [b]
    assert panel.view.currentIndex().data(ShotRole.ID) == b


def test_add_shot_with_the_insert_key_after_the_current_one(
    panel: StoryboardPanel, document: ProjectDocument, qtbot
) -> None:
    a, b, c = ids(document)
    click_card(panel, qtbot, 0)
    before = document.project
    qtbot.keyClick(panel.view, Qt.Key.Key_Insert)
    assert len(document.project.shots) == 4
    new = document.project.shots[1]
    assert ids(document) == [a, new.id, b, c]
    assert document.project == edits.add_shot(before, new, 1)
    assert new.generation.backend == before.shot(a).generation.backend
    assert new.generation.duration_us == before.shot(a).generation.duration_us
    assert panel.selection.current == new.id
    assert document.session.history.undo_label == "Add shot"
    document.undo()
    assert document.project == before
    assert panel.model.rowCount() == 3


def test_duplicate_with_ctrl_d(panel: StoryboardPanel, document: ProjectDocument, qtbot) -> None:
    b = ids(document)[1]
    click_card(panel, qtbot, 1)
    before = document.project
    qtbot.keyClick(panel.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    copy_id = document.project.shots[2].id
    assert document.project == edits.duplicate_shot(before, b, copy_id)
    assert panel.selection.ids == (copy_id,)
    document.undo()
    assert document.project == before


def test_delete_key_removes_the_selected_shot(panel: StoryboardPanel, document: ProjectDocument, qtbot) -> None:
    _, b, c = ids(document)
    click_card(panel, qtbot, 1)
    before = document.project
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert document.project == edits.remove_shot(before, b)
    assert panel.selection.ids == (c,)  # the next card takes the focus
    document.undo()
    assert document.project == before


def test_multi_select_delete_is_one_undo_step(panel: StoryboardPanel, document: ProjectDocument, qtbot) -> None:
    a, b, c = ids(document)
    click_card(panel, qtbot, 0)
    click_card(panel, qtbot, 2, Qt.KeyboardModifier.ControlModifier)
    before = document.project
    panel.delete_action.trigger()
    assert document.project == edits.remove_shot(edits.remove_shot(before, a), c)
    assert ids(document) == [b] and [panel.model.shot_at(0).id] == [b]
    assert document.session.history.undo_label == "Delete shots"
    document.undo()
    assert document.project == before
    assert [panel.model.shot_at(row).id for row in range(3)] == [a, b, c]


def test_dropping_cards_moves_them_as_one_step(panel: StoryboardPanel, document: ProjectDocument, qtbot) -> None:
    a, b, c = ids(document)
    selection = panel.view.selectionModel()
    selection.select(panel.model.index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    selection.select(panel.model.index(1, 0), QItemSelectionModel.SelectionFlag.Select)
    data = panel.model.mimeData(selection.selectedIndexes())
    before = document.project
    target = panel.view.visualRect(panel.model.index(2, 0))
    drop_at = QPoint(target.right() - 4, target.center().y())  # past the middle of the last card: after it
    possible = panel.model.supportedDragActions()  # what the view's own drag offers
    event = QDropEvent(drop_at, possible, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    panel.view.dropEvent(event)
    assert ids(document) == [c, a, b]
    assert event.dropAction() == Qt.DropAction.CopyAction  # so the view removes no rows itself
    assert panel.model.rowCount() == 3
    document.undo()
    assert document.project == before


def test_paste_script_adds_one_shot_per_paragraph_in_one_step(
    panel: StoryboardPanel, document: ProjectDocument, qtbot
) -> None:
    a, b, c = ids(document)
    click_card(panel, qtbot, 0)
    before = document.project
    dialog = panel.open_script_dialog()
    assert dialog.isVisible()
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.editor.setPlainText("Shot 1: A gull over the harbour.\n\n\n\nShot 2: The keeper\nlights the lamp.\n\n  \n")
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    shots = document.project.shots
    assert shots[0].id == a and [s.id for s in shots[3:]] == [b, c]
    assert [(s.title, s.prompt) for s in shots[1:3]] == [
        ("A gull over the harbour", "A gull over the harbour."),
        ("The keeper lights the lamp", "The keeper lights the lamp."),
    ]
    expected = edits.add_shot(edits.add_shot(before, shots[1], 1), shots[2], 2)
    assert document.project == expected
    assert set(panel.selection.ids) == {shots[1].id, shots[2].id}
    assert document.session.history.undo_label == "Paste script"
    document.undo()
    assert document.project == before


def test_style_field_edits_settings_as_one_undo_step(panel: StoryboardPanel, document: ProjectDocument, qtbot) -> None:
    before = document.project
    panel.style_edit.setFocus()
    qtbot.keyClicks(panel.style_edit, "35 mm film")
    assert document.project.settings.style == "35 mm film"
    assert document.project.shots == before.shots
    document.undo()
    assert document.project.settings == before.settings
    assert panel.style_edit.text() == before.settings.style
    document.redo()
    assert panel.style_edit.text() == "35 mm film"


def test_empty_project_shows_the_hint_and_generate_needs_a_selection(
    app_context: AppContext, tmp_path: Path, qtbot
) -> None:
    path = tmp_path / "empty.shotline"
    make_project(app_context, path, shots=0)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    try:
        panel = StoryboardPanel(doc, ShotSelection())
        qtbot.addWidget(panel)
        panel.show()
        assert panel.view.showing_hint()
        assert not panel.generate_action.isEnabled()
        assert "Ctrl+G" in panel.generate_action.toolTip()
        panel.add_action.trigger()
        assert not panel.view.showing_hint()
        assert len(doc.project.shots) == 1 and panel.selection.current == doc.project.shots[0].id
        assert panel.generate_action.isEnabled()
    finally:
        doc.close()


def test_generate_selected_makes_a_take_and_its_card_picture(app_context: AppContext, tmp_path: Path, qtbot) -> None:
    path = tmp_path / "fresh.shotline"
    make_project(app_context, path, shots=2, takes=False)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    try:
        panel = StoryboardPanel(doc, ShotSelection())
        qtbot.addWidget(panel)
        show_active(panel, qtbot)
        second = doc.project.shots[1].id
        click_card(panel, qtbot, 1)
        assert panel.selection.ids == (second,)
        qtbot.keyClick(panel.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
        assert [job.shot_id for job in doc.jobs()] == [second]
        qtbot.waitUntil(lambda: doc.project.shot(second).picked_take is not None, timeout=30_000)
        assert doc.project.shots[0].takes == ()
        index = panel.model.index(1, 0)
        qtbot.waitUntil(lambda: panel.model.data(index, ShotRole.STATE) == "ready", timeout=10_000)
        qtbot.waitUntil(lambda: panel.model.data(index, ShotRole.THUMBNAIL) is not None, timeout=10_000)
        # the card shows its picture across the thumbnail box, painted the same from the kept scaled copy
        panel.view.scrollTo(index)
        first, again = panel.view.viewport().grab().toImage(), panel.view.viewport().grab().toImage()
        assert first == again
        card = panel.view.visualRect(index)
        box = QRect(card.left() + PAD, card.top() + PAD, card.width() - 2 * PAD, THUMB_HEIGHT)
        assert panel.view.viewport().rect().contains(box), "the picture is not on screen to be checked"
        ratio = first.devicePixelRatio()
        for x in (box.left() + 3, box.center().x(), box.right() - 3):
            pixel = first.pixelColor(round(x * ratio), round(box.center().y() * ratio))
            assert pixel.rgb() != theme.BASE.rgb(), (x, pixel.name())
    finally:
        doc.close()


def test_mime_drop_of_unknown_data_does_nothing(panel: StoryboardPanel, document: ProjectDocument) -> None:
    before = document.project
    data = QMimeData()
    data.setData(SHOT_IDS_MIME, b"not json")
    panel.model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, panel.model.index(0, 0).parent())
    assert document.project is before
