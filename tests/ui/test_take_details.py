"""Issue 14, point 14: Take details are labelled fields in plain words (the prompt as written, the backend's and the
model's names, the cost), never the raw JSON record with escapes such as \\u00b7."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit

from shotline.core import commands
from shotline.core.model import new_id
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection

pytestmark = pytest.mark.ffmpeg

PROMPT = "Dawn · a gull lands on the harbour wall — “slowly”"


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


def _shown_text(dialog) -> str:  # type: ignore[no-untyped-def]
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.isVisibleTo(dialog)]
    texts += [edit.toPlainText() for edit in dialog.findChildren(QPlainTextEdit) + dialog.findChildren(QTextEdit)]
    return "\n".join(texts)


def test_take_details_are_readable_fields(qtbot, document: ProjectDocument) -> None:
    shot = document.project.shots[1]
    take = shot.takes[0]
    assert take.generation is not None
    generation = dataclasses.replace(take.generation, request={**take.generation.request, "prompt": PROMPT})
    worded = dataclasses.replace(take, id=new_id(), generation=generation)
    assert document.execute(commands.attach_take(shot.id, worded, pick=False))
    selection = ShotSelection()
    inspector = InspectorPanel(document, selection)
    qtbot.addWidget(inspector)
    selection.select([shot.id])
    inspector.takes_list.setCurrentRow(1)
    dialog = inspector.show_details()
    assert dialog is not None and dialog.isVisible()
    shown = _shown_text(dialog)
    assert PROMPT in shown, shown  # as written, with its dot and dashes
    assert "\\u" not in shown and "{" not in shown and '"job id"' not in shown, shown
    assert "Animatic" in shown and "Title card" in shown  # names, not ids ("animatic", "card")
    assert "free — Made on this computer" in shown
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Prompt:" in labels and "Made with:" in labels
    dialog.close()


def test_a_take_row_cut_short_shows_its_whole_text_in_its_tooltip(qtbot, document: ProjectDocument) -> None:
    """Issue 14, point 15: in a narrow inspector the take row read "· generat…", with nothing to show the rest."""
    selection = ShotSelection()
    inspector = InspectorPanel(document, selection)
    qtbot.addWidget(inspector)
    inspector.resize(260, 700)
    inspector.show()
    selection.select([document.project.shots[0].id])
    rows = inspector.takes_list
    assert rows.count() >= 1 and rows.textElideMode() == Qt.TextElideMode.ElideRight
    for row in range(rows.count()):
        item = rows.item(row)
        assert item.text() in item.toolTip(), (item.text(), item.toolTip())
        # the row is as wide as the list, so a long one is cut by the view with "…" (a wider row was clipped mid-word)
        assert rows.visualItemRect(item).right() <= rows.viewport().width(), rows.visualItemRect(item)
        assert rows.horizontalScrollBar().maximum() == 0
