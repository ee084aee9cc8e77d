"""ShotListModel against real projects: qtmodeltester, precise row updates, drops as one undo step, job states."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QUrl
from PySide6.QtGui import QPixmap

from shotline.core import commands, edits
from shotline.core.model import Shot
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.storyboard.model import SHOT_IDS_MIME, ShotListModel, ShotRole
from tests.ui.conftest import make_project


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


def ids(doc: ProjectDocument) -> list[str]:
    return [shot.id for shot in doc.project.shots]


def rows(model: ShotListModel) -> list[str]:
    return [model.data(model.index(row, 0), ShotRole.ID) for row in range(model.rowCount())]


def test_empty_project_passes_the_model_tester(app_context: AppContext, tmp_path: Path, qtmodeltester) -> None:
    path = tmp_path / "empty.shotline"
    make_project(app_context, path, shots=0)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    try:
        model = ShotListModel(doc)
        qtmodeltester.check(model)
        assert model.rowCount() == 0
        doc.execute(commands.add_shot(Shot(id="a", prompt="a gull")))
        qtmodeltester.check(model)
        assert rows(model) == ["a"]
    finally:
        doc.close()


def test_model_follows_edits_and_undo_without_resets(document: ProjectDocument, qtmodeltester) -> None:
    model = ShotListModel(document)
    qtmodeltester.check(model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    moved: list[int] = []
    model.rowsMoved.connect(lambda _p, start, _e, _d, row: moved.append(row))

    first, second, third = ids(document)
    document.execute(commands.add_shot(Shot(id="new", prompt="the keeper"), 1))
    assert inserted == [(1, 1)]
    assert rows(model) == ids(document) == [first, "new", second, third]
    document.execute(commands.move_shot(third, 0))
    assert rows(model) == ids(document) == [third, first, "new", second]
    assert moved
    document.execute(commands.remove_shot("new"))
    assert rows(model) == ids(document)
    document.execute(commands.set_title(first, "Harbour at dawn"))
    assert model.data(model.index(1, 0), ShotRole.TITLE) == "Harbour at dawn"
    assert model.data(model.index(1, 0), ShotRole.NUMBER) == 2
    qtmodeltester.check(model)
    for _ in range(4):
        document.undo()
        assert rows(model) == ids(document)
    assert rows(model) == [first, second, third]
    qtmodeltester.check(model)
    assert resets == []


def test_transaction_lands_once(document: ProjectDocument) -> None:
    model = ShotListModel(document)
    with document.transaction("Add shots"):
        for n in range(3):
            document.execute(commands.add_shot(Shot(id=f"s{n}", prompt=f"shot {n}"), 0))
    assert rows(model) == ids(document)
    assert rows(model)[:3] == ["s2", "s1", "s0"]
    document.undo()
    assert rows(model) == ids(document) and len(ids(document)) == 3


def drop(model: ShotListModel, shot_ids: list[str], row: int) -> None:
    data = model.mimeData([model.index_of(shot_id) for shot_id in shot_ids])
    assert data.hasFormat(SHOT_IDS_MIME)
    model.dropMimeData(data, Qt.DropAction.MoveAction, row, 0, QModelIndex())


def test_drop_moves_one_shot_as_one_undo_step(document: ProjectDocument) -> None:
    model = ShotListModel(document)
    a, b, c = ids(document)
    before = document.project
    drop(model, [a], 3)  # after the last card
    assert ids(document) == [b, c, a]
    assert document.project == edits.move_shot(before, a, 2)
    assert document.session.history.undo_label == "Move shot"
    drop(model, [a], 0)  # a second drop of the same shot is its own step
    assert ids(document) == [a, b, c]
    document.undo()
    assert ids(document) == [b, c, a]
    document.undo()
    assert document.project == before


def test_drop_of_several_keeps_their_order_in_one_step(document: ProjectDocument, qtmodeltester) -> None:
    model = ShotListModel(document)
    qtmodeltester.check(model)
    document.execute(commands.add_shot(Shot(id="d", prompt="d")))
    document.execute(commands.add_shot(Shot(id="e", prompt="e")))
    a, b, c, d, e = ids(document)
    before = document.project
    drop(model, [d, b], 5)  # chosen in any order, they keep their order in the list
    assert ids(document) == [a, c, e, b, d] == rows(model)
    assert document.session.history.undo_label == "Move shots"
    drop(model, [e, a], 1)  # before the card now at row 1 (c)
    assert ids(document) == [a, e, c, b, d] == rows(model)
    document.undo()
    document.undo()
    assert document.project == before
    assert rows(model) == ids(document)


def test_drop_of_files_imports_them(document: ProjectDocument, qtbot, tmp_path: Path) -> None:
    model = ShotListModel(document)
    clip = document.session.bundle.resolve(document.project.shots[0].picked_take.media)  # a real animatic clip
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(clip))])
    assert model.canDropMimeData(data, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    model.dropMimeData(data, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    qtbot.waitUntil(lambda: len(document.project.shots) == 4, timeout=10_000)
    assert rows(model) == ids(document)
    assert document.project.shots[1].takes[0].origin == "imported"
    # The card names the creator's own clip, not the backend that would make its next take
    imported = document.project.shots[1].takes[0].source_name
    assert model.data(model.index(1, 0), ShotRole.BACKEND) == f"Imported · {imported}"
    assert model.data(model.index(0, 0), ShotRole.BACKEND).startswith("Animatic")


def test_generation_shows_state_and_thumbnail(app_context: AppContext, tmp_path: Path, qtbot) -> None:
    path = tmp_path / "fresh.shotline"
    make_project(app_context, path, shots=2, takes=False)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    try:
        model = ShotListModel(doc)
        index = model.index(0, 0)
        assert model.data(index, ShotRole.STATE) == "no take"
        assert model.data(index, ShotRole.THUMBNAIL) is None
        assert model.data(index, ShotRole.COST) == ""  # no job yet: nothing spent to show
        shot_id = doc.project.shots[0].id
        job_ids = doc.generate([shot_id])
        assert job_ids
        assert model.data(model.index(0, 0), ShotRole.STATE) in {"queued", "running"}
        qtbot.waitUntil(lambda: model.data(model.index(0, 0), ShotRole.STATE) == "ready", timeout=30_000)
        assert doc.project.shot(shot_id).picked_take is not None
        assert model.data(model.index(0, 0), ShotRole.TAKES) == 1
        assert model.data(model.index(0, 0), ShotRole.COST) == "free"  # the ledger's word for an offline job
        qtbot.waitUntil(lambda: isinstance(model.data(model.index(0, 0), ShotRole.THUMBNAIL), QPixmap), timeout=10_000)
        pixmap = model.data(model.index(0, 0), ShotRole.THUMBNAIL)
        assert pixmap.width() > 100 and pixmap.height() > 50
        assert model.data(model.index(1, 0), ShotRole.STATE) == "no take"
    finally:
        doc.close()
