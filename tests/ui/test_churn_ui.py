"""Churn in the window: the inspector names a retired model with its replacement and what the shot's model cannot
take; its Move button and Edit → Replace retired models… show what the replacement keeps or drops of every shot,
then move them all in one undoable edit; a provider's "no longer available" answer is said on the shot at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from shotline.backends.animatic import AnimaticBackend
from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendRegistry, BackendSpec
from shotline.core import commands
from shotline.core.errors import ModelRetired
from shotline.core.model import GenerationSettings
from shotline.core.ports import BackendKind, GenerationRequest
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import window_dialogs
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.replace_model import ReplaceModelDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard.model import ShotListModel, ShotRole
from tests.services.retired_models import INFO, NEW, OLD, RETIRED_ON, SPEC
from tests.ui.shell_fixtures import shown_window

ANIMATIC = builtin_spec("animatic")

ON_OLD = GenerationSettings(
    backend="studio",
    model=OLD.id,
    duration_us=8_000_000,
    seed=42,
    last_frame="media/dusk.png",
    aspect="1:1",
    reference_images=("media/face.png", "media/boat.png"),  # one more than Studio One has room for
)


class GoneStudio(AnimaticBackend):
    """The provider answers, at the first request, that the model is no longer available."""

    async def submit(self, request: GenerationRequest) -> str:
        raise ModelRetired(f"Test Studio no longer offers {request.model}.", replacement=None)


GONE = BackendSpec(info=dataclasses.replace(INFO, id="gone", kind=BackendKind.OFFLINE), create=GoneStudio)


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    app_context.registry = BackendRegistry(builtins=[ANIMATIC, SPEC, GONE], discover=False)
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    for shot in (doc.project.shots[0], doc.project.shots[2]):
        doc.execute(commands.set_generation(shot.id, ON_OLD))
    yield doc
    doc.close()


@pytest.fixture
def inspector(document: ProjectDocument, qtbot) -> InspectorPanel:
    selection = ShotSelection()
    panel = InspectorPanel(document, selection)
    qtbot.addWidget(panel)
    panel.resize(480, 900)
    panel.show()
    selection.select([document.project.shots[0].id])
    return panel


def test_the_inspector_names_a_retired_model_and_moves_every_shot_in_one_edit(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    notice = inspector.model_notice
    assert notice.isVisibleTo(inspector)
    cards = ShotListModel(document)
    assert [cards.index(n).data(ShotRole.BACKEND) for n in range(3)] == [
        "Test Studio · Studio One (retired)",
        "Animatic (offline) · Title card",
        "Test Studio · Studio One (retired)",
    ]
    # only that: what a model past its retirement could not take is moot, it is sent nothing
    assert notice.label.text() == f"Studio One was retired by Test Studio on {RETIRED_ON}; Studio Two replaces it."
    models = [inspector.model_combo.itemText(i) for i in range(inspector.model_combo.count())]
    assert models == ["Studio Two", "Studio One (retired)"]
    assert notice.move_button.isVisibleTo(inspector) and notice.move_button.text() == "Move its shots to Studio Two…"

    before = document.project
    notice.move_button.click()
    dialog = notice.dialog
    assert isinstance(dialog, ReplaceModelDialog) and dialog.isVisible()
    lines = dialog.shot_lines.text()
    assert (
        "Shot 1: keeps sound; drops end frame, seed 42, 2 reference images; 8 s → 10 s made; aspect 1:1 → 16:9" in lines
    )
    assert "Shot 3:" in lines and "Shot 2:" not in lines
    assert document.project is before  # shown, not yet done
    assert dialog.move_button.text() == "Move 2 shots to Studio Two"
    dialog.move_button.click()

    moved = [document.project.shots[i].generation for i in (0, 2)]
    assert all(g.model == NEW.id and g.last_frame is None and g.seed is None for g in moved)
    assert document.project.shots[1] == before.shots[1]
    assert not notice.isVisibleTo(inspector)  # nothing retired, nothing left that Studio Two cannot take
    assert [inspector.model_combo.itemText(i) for i in range(inspector.model_combo.count())] == ["Studio Two"]
    assert cards.index(0).data(ShotRole.BACKEND) == "Test Studio · Studio Two"

    document.undo()  # one step back: both shots, end frame and seed
    assert document.project.shots == before.shots
    assert "Studio Two replaces it" in notice.label.text()


def test_the_inspector_says_what_the_model_cannot_take(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    """The title card takes no end frame and no seed; their fields are hidden, and they were dropped unsaid."""
    shot = document.project.shots[1]
    card = dataclasses.replace(shot.generation, model="card", seed=7, last_frame="media/dusk.png")
    document.execute(commands.set_generation(shot.id, card))
    inspector.selection.select([shot.id])
    notice = inspector.model_notice
    assert notice.isVisibleTo(inspector) and not notice.move_button.isVisibleTo(inspector)
    assert notice.label.text() == "Title card cannot take this shot's end frame or seed 7: they will not be sent."
    assert not inspector.last_frame.isVisibleTo(inspector)  # hidden field, said in words instead
    assert notice.remove_button.isVisibleTo(inspector)
    assert notice.remove_button.text() == "Remove them from the shot"  # two settings; one would be "it"
    inspector.activateWindow()
    qtbot.waitUntil(inspector.isActiveWindow, timeout=5000)
    notice.remove_button.setFocus()  # as a click leaves it
    notice.remove_button.click()  # the way to clear what cannot be seen
    # the button hid under the focus: it goes back to the model, never on to a field a keypress would overwrite
    assert QApplication.focusWidget() is inspector.model_combo
    generation = document.project.shot(shot.id).generation
    assert (generation.seed, generation.last_frame) == (None, None)
    assert not notice.isVisibleTo(inspector)
    document.undo()
    assert document.project.shot(shot.id).generation == card and notice.isVisibleTo(inspector)


def test_a_provider_answer_that_the_model_is_gone_is_said_on_the_shot(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    shot = document.project.shots[1]
    gone = GenerationSettings(backend="gone", model=NEW.id, duration_us=5_000_000, audio=False)
    document.execute(commands.set_generation(shot.id, gone))
    inspector.selection.select([shot.id])
    assert not inspector.model_notice.isVisibleTo(inspector)
    failures: list[str] = []
    document.failed.connect(failures.append)
    assert document.generate([shot.id])
    qtbot.waitUntil(lambda: inspector.model_notice.isVisibleTo(inspector), timeout=10_000)
    assert "Test Studio says Studio Two is no longer available" in inspector.model_notice.label.text()
    assert failures and "no longer offers card" in failures[0]


def test_the_edit_menu_and_the_card_menu_replace_a_retired_model(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    app_context.registry = BackendRegistry(builtins=[ANIMATIC, SPEC], discover=False)
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(project_path)
        document = window.document
        assert document is not None
        document.execute(commands.set_generation(document.project.shots[2].id, ON_OLD))

        shown: list[QMenu] = []
        window.context_menus.shown = lambda menu, _at: shown.append(menu)
        view = window.panels["storyboard"].view  # type: ignore[attr-defined]
        for row in (1, 2):
            card = view.visualRect(view.model().index(row, 0)).center()
            event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, card, view.viewport().mapToGlobal(card))
            QApplication.sendEvent(view.viewport(), event)
        on_animatic, on_retired = ([a.text() for a in menu.actions()] for menu in shown)
        assert "Move shots on Studio One to Studio Two…" in on_retired
        assert not any(text.startswith("Move shots on") for text in on_animatic)

        action = window.menus.replace_retired
        assert action.isEnabled() and action in window.menus.edit.actions()
        dialog = window_dialogs.replace_retired(window)
        assert dialog is not None and "Shot 3: keeps sound; drops end frame" in dialog.shot_lines.text()
        dialog.move_button.click()
        assert document.project.shots[2].generation.model == NEW.id
        assert document.session.history.undo_label == "Move 1 shot to Studio Two"
