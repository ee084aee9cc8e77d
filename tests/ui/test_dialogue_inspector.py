"""The inspector's Dialogue section through its widgets: a line added, its words typed (one undo step), its speaker
chosen from the cast or typed, moved and removed; what the model is sent of them, and the word when it cannot speak
them (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from shotline.core import commands
from shotline.core.model import CastMember, GenerationSettings
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    doc.execute(commands.add_cast_member(CastMember("cast-mara", "Mara")))
    yield doc
    doc.close()


@pytest.fixture
def inspector(document: ProjectDocument, qtbot) -> InspectorPanel:
    selection = ShotSelection()
    panel = InspectorPanel(document, selection)
    qtbot.addWidget(panel)
    panel.resize(480, 1400)
    panel.show()
    selection.select([document.project.shots[0].id])
    return panel


def _said(document: ProjectDocument) -> list[tuple[str | None, str, str]]:
    return [(line.member_id, line.speaker, line.text) for line in document.project.shots[0].dialogue]


def test_a_line_is_added_typed_in_one_step_and_said_by_a_member_or_a_typed_name(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    section = inspector.dialogue
    assert section.isVisibleTo(inspector) and section.empty.isVisibleTo(inspector)
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    [row] = section.line_rows()
    assert row.text.hasFocus(), "the new line's words come next"
    qtbot.keyClicks(row.text, "Cast off!")
    assert _said(document) == [(None, "", "Cast off!")]
    row.speaker.setFocus()
    row.speaker.setCurrentIndex(row.speaker.findText("@Mara"))
    row.speaker.activated.emit(row.speaker.currentIndex())
    assert _said(document) == [("cast-mara", "", "Cast off!")]
    document.undo()
    assert _said(document) == [(None, "", "Cast off!")], "choosing the speaker was one step"
    document.undo()
    assert _said(document) == [(None, "", "")], "the typing was one step"
    document.redo()
    row.typed.setFocus()
    row.typed.selectAll()
    qtbot.keyClicks(row.typed, "Harbourmaster")
    qtbot.keyClick(row.typed, Qt.Key.Key_Return)
    assert _said(document) == [(None, "Harbourmaster", "Cast off!")]
    assert section.sent.text() == "Title card is sent its line as quoted speech after who says it."


def test_lines_are_moved_and_removed_and_the_rows_follow_an_undo(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    shot_id = document.project.shots[0].id
    for words in ("One.", "Two.", "Three."):
        document.execute(commands.add_line(shot_id, words))
    section = inspector.dialogue
    rows = section.line_rows()
    assert [row.text.text() for row in rows] == ["One.", "Two.", "Three."]
    assert not rows[0].up.isEnabled() and not rows[2].down.isEnabled()
    qtbot.mouseClick(rows[2].up, Qt.MouseButton.LeftButton)
    assert [line.text for line in document.project.shots[0].dialogue] == ["One.", "Three.", "Two."]
    qtbot.mouseClick(section.line_rows()[0].remove, Qt.MouseButton.LeftButton)
    assert [row.text.text() for row in section.line_rows()] == ["Three.", "Two."]
    document.undo()
    assert [row.text.text() for row in section.line_rows()] == ["One.", "Three.", "Two."]


def test_the_section_says_when_the_shots_model_cannot_speak_its_lines(
    inspector: InspectorPanel, document: ProjectDocument
) -> None:
    shot = document.project.shots[0]
    document.execute(commands.add_line(shot.id, "Cast off!", member_id="cast-mara"))
    silent = GenerationSettings(backend="replicate", model="kwaivgi/kling-v2.0", duration_us=5_000_000)
    document.execute(commands.set_generation(shot.id, silent))
    expected = (
        "Kling 2.0 (5 or 10 s) cannot speak this shot's 1 line: it will not be sent "
        "(a voice can say it on the voice-over lane)."
    )
    assert inspector.dialogue.sent.text() == expected
    assert expected in inspector.model_notice.label.text(), "the notice under the model says it too"
    sora = GenerationSettings(backend="openai", model="sora-2", duration_us=4_000_000)
    document.execute(commands.set_generation(shot.id, sora))
    assert inspector.dialogue.sent.text() == "Sora 2 is sent its line as a Dialogue block below the prompt."


def test_a_speaker_not_in_the_cast_written_with_an_at_is_refused_under_the_lines(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    document.execute(commands.add_line(document.project.shots[0].id, "Where are you?", member_id="cast-mara"))
    [row] = inspector.dialogue.line_rows()
    row.typed.setFocus()
    row.typed.selectAll()
    qtbot.keyClicks(row.typed, "@Tom")
    qtbot.keyClick(row.typed, Qt.Key.Key_Return)
    assert _said(document) == [("cast-mara", "", "Where are you?")]
    assert inspector.dialogue.error_text(row) == (
        "The cast has no @Tom (its cast: @Mara); write 'Tom' without the @ for a speaker who is not in the cast."
    )
    row.typed.selectAll()
    qtbot.keyClicks(row.typed, "Tom")
    qtbot.keyClick(row.typed, Qt.Key.Key_Return)
    assert _said(document) == [(None, "Tom", "Where are you?")] and inspector.dialogue.error_text(row) == ""
