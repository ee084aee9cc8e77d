"""Undo never reaches into paid work (issue 14, point 12), through the real window: a take a job made lands outside
the undo history, the card shows it after any undo and redo, and a take leaves its shot only by a deliberate delete
that keeps it (and its clip) for Restore take…, each of those an undoable edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox, QToolButton

from shotline.core import commands, edits
from shotline.core.ports import JobPhase
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService
from shotline.services.session import ProjectSession
from shotline.storage import schema
from shotline.ui.dialogs.recovery import summary
from shotline.ui.dialogs.restore_take import RestoreTakeDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.main_window import MainWindow
from shotline.ui.storyboard.model import ShotRole
from tests.core.factories import project, shot
from tests.ui.shell_fixtures import shown_window, visible_dialogs

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(project_path)
        yield win


def _edit_action(win: MainWindow, prefix: str) -> QAction:
    [edit_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&Edit"]
    return next(a for a in edit_menu.actions() if a.text().startswith(prefix))


def _card(win: MainWindow, shot_id: str) -> tuple[str, object]:
    """What the storyboard card of `shot_id` shows: its state and its progress."""
    model = win.panels["storyboard"].model  # type: ignore[attr-defined]
    row = win.document.project.index_of(shot_id)  # type: ignore[union-attr]
    index = model.index(row, 0)
    return model.data(index, ShotRole.STATE), model.data(index, ShotRole.PROGRESS)


def _button(inspector: InspectorPanel, action: QAction) -> QToolButton:
    return next(b for b in inspector.findChildren(QToolButton) if b.defaultAction() is action)


def test_undo_and_redo_never_take_a_generated_take_out_and_the_card_shows_it(qtbot, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    shot = document.project.shots[1]
    assert document.execute(commands.set_title(shot.id, "Gull"))  # an edit of the creator's, to undo
    window.selection.select([shot.id])
    inspector = window.panels["inspector"]
    assert isinstance(inspector, InspectorPanel)
    qtbot.mouseClick(inspector.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(document.project.shot(shot.id).takes) == 2, timeout=60_000)
    paid = document.project.shot(shot.id).takes[1]
    [job] = [j for j in document.jobs() if j.shot_id == shot.id and j.id == paid.generation.job_id]  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: document.job(job.id).phase is JobPhase.ATTACHED, timeout=10_000)
    on_disk = schema.loads(document.path.joinpath("project.json").read_bytes())
    assert paid in on_disk.shot(shot.id).takes, "the take is in project.json as soon as it lands"
    assert on_disk.shot(shot.id).title != "Gull", "the creator's unsaved edit is not saved with it"

    undo = _edit_action(window, "Undo")
    assert undo.text() == "Undo Rename shot", "the take added no undo step"
    undo.trigger()
    assert not _edit_action(window, "Undo").isEnabled()
    assert document.project.shot(shot.id).takes[1] == paid
    assert _card(window, shot.id) == ("ready", None), "not 'running 100%'"
    assert inspector.takes_list.count() == 2
    _edit_action(window, "Redo").trigger()
    assert document.project.shot(shot.id).title == "Gull" and document.project.shot(shot.id).takes[1] == paid
    assert _card(window, shot.id) == ("ready", None)


def test_a_deleted_take_keeps_its_clip_and_comes_back_with_restore_take(qtbot, window: MainWindow) -> None:
    document: ProjectDocument | None = window.document
    assert document is not None
    shot = document.project.shots[0]
    [take] = shot.takes
    window.selection.select([shot.id])
    inspector = window.panels["inspector"]
    assert isinstance(inspector, InspectorPanel)
    assert not inspector.restore_take_action.isEnabled(), "nothing deleted yet"

    inspector.takes_list.setFocus()
    inspector.takes_list.setCurrentRow(0)
    qtbot.keyClick(inspector.takes_list, Qt.Key.Key_Delete)
    assert document.project.shot(shot.id).takes == () and _card(window, shot.id) == ("no take", None)
    assert [r.take for r in document.project.removed_takes] == [take]
    assert document.session.bundle.resolve(take.media).is_file(), "the clip stays in the project"
    assert _edit_action(window, "Undo").text() == "Undo Delete take"

    qtbot.mouseClick(_button(inspector, inspector.restore_take_action), Qt.MouseButton.LeftButton)
    [dialog] = [d for d in visible_dialogs() if isinstance(d, RestoreTakeDialog)]
    assert dialog.takes.count() == 1
    assert dialog.takes.item(0).text().startswith("Animatic (offline) · Title card · "), dialog.takes.item(0).text()
    assert "was picked" in dialog.takes.item(0).text()
    qtbot.waitUntil(lambda: not dialog.takes.item(0).icon().isNull(), timeout=10_000)  # its picture, to know it by
    restore = dialog.buttons.buttons()[0]
    assert dialog.buttons.buttonRole(restore) is QDialogButtonBox.ButtonRole.AcceptRole
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert document.project.shot(shot.id).picked_take == take and document.project.removed_takes == ()
    assert _card(window, shot.id) == ("ready", None) and inspector.takes_list.count() == 1

    assert _edit_action(window, "Undo").text() == "Undo Restore take"
    _edit_action(window, "Undo").trigger()
    assert document.project.shot(shot.id).takes == () and inspector.restore_take_action.isEnabled()
    _edit_action(window, "Undo").trigger()
    assert document.project.shot(shot.id).takes == (take,) and document.project.removed_takes == ()


def test_restoring_unsaved_work_keeps_a_take_that_landed_after_the_autosave(
    qtbot, app_context: AppContext, tmp_path: Path, project_path: Path
) -> None:
    """The crash: a retitle reached the autosave, then a job's take landed. Restoring the autosave keeps the take."""
    with ProjectSession.open(project_path) as crashed:
        shot = crashed.project.shots[1]
        crashed.execute(commands.set_title(shot.id, "Storm"))
        crashed.bundle.write_recovery(crashed.project)
        generation = GenerationService(app_context, crashed)
        [job] = generation.run(generation.prepare([shot.id]))
        paid = job.handle.result(timeout=60).take
        generation.attach(job.handle.result())
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(project_path)
        qtbot.waitUntil(lambda: win.recovery_dialog is not None and win.recovery_dialog.isVisible())
        assert win.recovery_dialog is not None
        win.recovery_dialog.restore_button.click()
        document = win.document
        assert document is not None
        assert document.project.shot(shot.id).title == "Storm", "the unsaved work is back"
        assert paid in document.project.shot(shot.id).takes, "and the paid take with it"


def test_a_deleted_shots_take_is_restored_onto_another_shot(qtbot, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    first, second = document.project.shots[:2]
    [take] = first.takes
    storyboard = window.panels["storyboard"]
    window.selection.select([first.id])
    storyboard.delete_action.trigger()  # type: ignore[attr-defined]
    assert not document.project.has_shot(first.id)
    window.selection.select([second.id])
    inspector = window.panels["inspector"]
    assert isinstance(inspector, InspectorPanel)
    assert inspector.restore_take_action.isEnabled()
    qtbot.mouseClick(_button(inspector, inspector.restore_take_action), Qt.MouseButton.LeftButton)
    [dialog] = [d for d in visible_dialogs() if isinstance(d, RestoreTakeDialog)]
    assert "takes of shots deleted since" in dialog.intro.text()
    assert dialog.takes.item(0).text().startswith("From a deleted shot · Animatic (offline)")
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert [t.id for t in document.project.shot(second.id).takes] == [second.takes[0].id, take.id]
    assert document.project.shot(second.id).picked_take_id == second.picked_take_id, "the shot's own pick stays"


def test_the_recovery_offer_names_deleted_takes_as_such() -> None:
    saved = project(shot("a", "t1", "t2"))
    assert summary(saved, edits.remove_take(saved, "a", "t2")) == "1 shot(s) changed, takes deleted or restored"
