"""The "Cast & places" panel and @Name in the prompt editor, through their widgets (issue 16): members added,
renamed (the prompt rewritten in the same undo step), pictures added off the GUI thread and refused with a message;
mentions completed while typing and drawn known or unknown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from shotline.core import commands
from shotline.core.model import CastKind, CastMember
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.cast_mentions import MentionCompletion
from shotline.ui.cast_panel import ICON_PX, CastPanel
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection
from tests.clips import run
from tests.media import hostile


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def selection(document: ProjectDocument) -> ShotSelection:
    chosen = ShotSelection()
    chosen.select([document.project.shots[0].id])
    return chosen


@pytest.fixture
def panel(document: ProjectDocument, selection: ShotSelection, qtbot) -> CastPanel:
    widget = CastPanel(document, selection)
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.show()
    return widget


@pytest.fixture
def inspector(document: ProjectDocument, selection: ShotSelection, qtbot) -> InspectorPanel:
    widget = InspectorPanel(document, selection)
    qtbot.addWidget(widget)
    widget.resize(480, 900)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)
    return widget


def test_a_rename_in_the_panel_rewrites_the_prompt_in_one_undo_step(
    panel: CastPanel, document: ProjectDocument, inspector: InspectorPanel
) -> None:
    shot_id = document.project.shots[0].id
    document.execute(commands.set_prompt(shot_id, "@Mara mends a net"))
    document.seal()
    assert panel.empty.isVisibleTo(panel) and not panel.details.isVisibleTo(panel)
    assert panel.add_member("Mara")
    assert panel.members.count() == 1 and "shot 1" in panel.members.item(0).text()
    panel.name_edit.setText("Ines")
    panel.name_edit.editingFinished.emit()
    assert document.project.shot(shot_id).prompt == "@Ines mends a net"
    assert inspector.prompt_edit.toPlainText() == "@Ines mends a net"
    assert document.session.history.undo_label == "Rename cast member"
    document.undo()
    assert document.project.shot(shot_id).prompt == "@Mara mends a net"
    assert document.project.cast[0].name == "Mara" and panel.name_edit.text() == "Mara"


def test_a_name_that_is_taken_or_not_one_word_is_refused_with_the_reason(panel: CastPanel, document) -> None:
    said: list[str] = []
    document.failed.connect(said.append)
    panel.add_member("Mara")
    assert not panel.add_member("mara")
    panel.name_edit.setText("Old Mara")
    panel.name_edit.editingFinished.emit()
    assert [m.name for m in document.project.cast] == ["Mara"] and panel.name_edit.text() == "Mara"
    assert "already has @Mara" in said[0] and "must be one word" in said[1]


def test_kind_and_description_are_one_step_each(panel: CastPanel, document: ProjectDocument) -> None:
    panel.add_member("Quay")
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(CastKind.PLACE))
    panel.kind_combo.activated.emit(panel.kind_combo.currentIndex())
    for text in ("Stone", "Stone quay", "Stone quay at dawn"):
        panel.description_edit.textEdited.emit(text)
    member = document.project.cast[0]
    assert (member.kind, member.description) == (CastKind.PLACE, "Stone quay at dawn")
    document.undo()
    assert document.project.cast[0].description == ""
    document.undo()
    assert document.project.cast[0].kind is CastKind.CHARACTER


def test_pictures_come_in_off_the_gui_thread_and_a_hostile_one_is_refused(
    panel: CastPanel, document: ProjectDocument, tmp_path: Path, qtbot
) -> None:
    panel.add_member("Mara")
    face = tmp_path / "face.png"
    run(["-f", "lavfi", "-i", "color=c=yellow:size=64x48", "-frames:v", "1", str(face)])
    panel.add_picture_files([face])
    qtbot.waitUntil(lambda: len(document.project.cast[0].images) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: panel.pictures.count() == 1, timeout=5000)
    said: list[str] = []
    document.failed.connect(said.append)
    before = sorted(p.name for p in document.session.bundle.media_dir.iterdir())
    panel.add_picture_files([hostile.png_claiming_size(tmp_path / "claim.png", 16_000)])
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert "claim.png is 16000×16000" in said[0]
    assert sorted(p.name for p in document.session.bundle.media_dir.iterdir()) == before
    assert len(document.project.cast[0].images) == 1
    panel.add_frame_of_selected_shot()  # the fixture's shot 1 has an animatic take
    qtbot.waitUntil(lambda: len(document.project.cast[0].images) == 2, timeout=20_000)
    assert document.session.history.undo_label == "Add reference picture"


def _type(inspector: InspectorPanel, text: str) -> None:
    for character in text:
        inspector.prompt_edit.insertPlainText(character)
        QApplication.processEvents()


def test_typing_at_offers_the_cast_and_enter_completes_the_name(
    inspector: InspectorPanel, document: ProjectDocument, panel: CastPanel, qtbot
) -> None:
    panel.add_member("Mara")
    panel.add_member("Marcus")
    panel.add_member("Quay")
    editor = inspector.prompt_edit
    inspector.activateWindow()  # the panel's window came up after it
    qtbot.waitUntil(inspector.isActiveWindow, timeout=5000)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=5000)
    editor.setPlainText("")
    _type(inspector, "A gull sees @ma")
    completion = editor.findChild(MentionCompletion)
    assert completion is not None and completion.popup.isVisible()
    assert [completion.popup.item(i).text().split()[0] for i in range(completion.popup.count())] == ["@Mara", "@Marcus"]
    qtbot.keyClick(editor, Qt.Key.Key_Down)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == "A gull sees @Marcus" and not completion.popup.isVisible()
    _type(inspector, " and x@q")  # after a letter: an address, not a mention
    assert not completion.popup.isVisible()
    qtbot.waitUntil(lambda: "@Marcus" in document.project.shots[0].prompt, timeout=5000)


def test_mentions_are_drawn_known_or_unknown_and_follow_the_cast(
    inspector: InspectorPanel, document: ProjectDocument, panel: CastPanel
) -> None:
    shot_id = document.project.shots[0].id
    document.execute(commands.set_prompt(shot_id, "@Mara meets @Nobody"))
    panel.add_member("Mara")
    highlighter = inspector.mention_marks[0]

    def colour_at(column: int) -> str:
        block = inspector.prompt_edit.document().firstBlock()
        for span in block.layout().formats():
            if span.start <= column < span.start + span.length:
                return span.format.foreground().color().name()
        return "plain"

    assert colour_at(1) == highlighter.known.foreground().color().name()
    assert colour_at(13) == highlighter.unknown.foreground().color().name()
    assert colour_at(6) == "plain"
    panel._remove_member()  # the cast changes: Mara's mention is now of no one
    assert colour_at(1) == highlighter.unknown.foreground().color().name()


def test_an_undo_shows_the_name_even_in_the_focused_field_and_leaving_it_renames_nothing(
    panel: CastPanel, document: ProjectDocument, qtbot
) -> None:
    panel.add_member("Keeper")
    panel.activateWindow()
    panel.name_edit.setFocus()
    qtbot.waitUntil(panel.name_edit.hasFocus, timeout=5000)
    panel.name_edit.selectAll()
    qtbot.keyClicks(panel.name_edit, "Elias")
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert document.project.cast[0].name == "Elias"
    document.undo()  # Edit → Undo while the field keeps the focus
    assert panel.name_edit.text() == "Keeper"
    panel.name_edit.editingFinished.emit()  # the field is left
    assert document.project.cast[0].name == "Keeper" and document.session.history.can_redo  # no new step


def test_a_picture_an_import_would_refuse_is_not_shown(
    app_context: AppContext, project_path: Path, tmp_path: Path, qtbot, caplog
) -> None:
    """A hand-made project folder holds under a picture's name a real PNG with 60 MB after it: the window shows only
    what an import would have let in, so it stays a blank square (and a good picture beside it shows)."""
    face = tmp_path / "face.png"
    run(["-f", "lavfi", "-i", "color=c=yellow:size=64x48", "-frames:v", "1", str(face)])
    media = project_path / "media"
    media.mkdir(exist_ok=True)
    (media / "good.png").write_bytes(face.read_bytes())
    with (media / "padded.png").open("wb") as padded:
        padded.write(face.read_bytes())
        padded.truncate(60 * 1024 * 1024)
    with ProjectSession.open(project_path) as session:
        session.execute(commands.add_cast_member(CastMember("m1", "Mara", images=("media/padded.png",))))
        session.execute(commands.add_cast_member(CastMember("m2", "Quay", images=("media/good.png",))))
        session.save()
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        panel = CastPanel(doc, ShotSelection())
        qtbot.addWidget(panel)
        panel.show()

        def yellow(row: int) -> bool:
            item = panel.members.item(row)
            if item is None:
                return False
            colour = item.icon().pixmap(ICON_PX, ICON_PX).toImage().pixelColor(ICON_PX // 2, ICON_PX // 2)
            return colour.red() > 200 and colour.green() > 200 and colour.blue() < 80

        qtbot.waitUntil(lambda: yellow(1), timeout=10_000)
        qtbot.waitUntil(lambda: "Not showing media/padded.png" in caplog.text, timeout=10_000)
        assert "a reference picture may be up to 50 MB" in caplog.text
        assert not yellow(0)
    finally:
        doc.close()
