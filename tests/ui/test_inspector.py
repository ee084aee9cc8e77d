"""InspectorPanel through its widgets: controls follow the model's capabilities, every edit is one undo step."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import av
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendRegistry, BackendSpec
from shotline.core import commands, edits
from shotline.core.model import new_id
from shotline.core.ports import BackendInfo, BackendKind, ModelInfo
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection

ANIMATIC = builtin_spec("animatic")

EVERYTHING = BackendSpec(
    info=BackendInfo(
        id="full",
        name="Full-featured test backend",
        kind=BackendKind.CLOUD,
        key_env_vars=("FULL_TEST_KEY",),
        models=(
            ModelInfo(
                id="all",
                label="Does everything",
                durations_us=(4_000_000, 8_000_000),
                aspects=("16:9", "9:16"),
                resolutions=("720p", "1080p"),
                audio=True,
                image_to_video=True,
                first_last_frame=True,
                reference_images=3,
                seed=True,
                negative_prompt=True,
                price_per_second=Decimal("0.10"),
            ),
        ),
    ),
    create=ANIMATIC.create,
)


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    app_context.registry = BackendRegistry(builtins=[ANIMATIC, EVERYTHING], discover=False)
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def inspector(document: ProjectDocument, qtbot) -> InspectorPanel:
    selection = ShotSelection()
    panel = InspectorPanel(document, selection)
    qtbot.addWidget(panel)
    panel.resize(480, 900)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=5000)
    selection.select([document.project.shots[1].id])
    return panel


def shown(panel: InspectorPanel, widget: QWidget) -> bool:
    return widget.isVisibleTo(panel)


def choose(combo, data: str) -> None:
    """Pick an entry as the creator would: set it and report it as activated."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_animatic_shows_only_what_its_model_declares(inspector: InspectorPanel, document: ProjectDocument) -> None:
    caps = ANIMATIC.info.default_model
    assert shown(inspector, inspector.duration_spin) and not shown(inspector, inspector.duration_combo)
    assert shown(inspector, inspector.aspect_combo) == bool(caps.aspects)
    assert shown(inspector, inspector.audio_check) == caps.audio
    assert shown(inspector, inspector.seed_spin) == caps.seed
    assert shown(inspector, inspector.negative_edit) == caps.negative_prompt
    assert shown(inspector, inspector.resolution_combo) == bool(caps.resolutions)
    assert shown(inspector, inspector.first_frame) == (caps.image_to_video or caps.first_last_frame)
    assert shown(inspector, inspector.last_frame) == caps.first_last_frame
    assert shown(inspector, inspector.references) == (caps.reference_images > 0)
    assert shown(inspector, inspector.continue_button) == caps.image_to_video
    assert [inspector.aspect_combo.itemText(i) for i in range(inspector.aspect_combo.count())] == list(caps.aspects)
    assert inspector.cost_label.text() == "This shot so far: free"  # the fixture's animatic take (services.ledger)
    assert inspector.generate_button.text() == "Generate"  # free: no figure on the button


def test_a_model_that_does_everything_shows_every_control(inspector: InspectorPanel, document: ProjectDocument) -> None:
    shot_id = inspector.shot_id
    before = document.project
    choose(inspector.backend_combo, "full")
    generation = document.project.shot(shot_id).generation
    assert (generation.backend, generation.model) == ("full", "all")
    assert generation.duration_us in (4_000_000, 8_000_000)  # snapped to what the model allows
    for widget in (
        inspector.duration_combo,
        inspector.aspect_combo,
        inspector.resolution_combo,
        inspector.audio_check,
        inspector.seed_spin,
        inspector.negative_edit,
        inspector.first_frame,
        inspector.last_frame,
        inspector.references,
        inspector.continue_button,
    ):
        assert shown(inspector, widget), widget
    assert not shown(inspector, inspector.duration_spin)
    assert inspector.generate_button.text() == "Generate · ≈ $0.40"
    inspector.takes_spin.setValue(3)
    assert inspector.generate_button.text() == "Generate · ≈ $1.20"  # the total of the shot's × 3
    assert "3 takes, each ≈ $0.40" in inspector.generate_button.toolTip()
    # a setting through its control is one step; the seed spin merges its steps
    choose(inspector.duration_combo, 8_000_000)  # type: ignore[arg-type]
    assert document.project.shot(shot_id).generation.duration_us == 8_000_000
    inspector.seed_spin.setValue(5)
    inspector.seed_spin.setValue(6)
    assert document.project.shot(shot_id).generation.seed == 6
    document.undo()
    assert document.project.shot(shot_id).generation.seed is None
    assert inspector.seed_spin.value() == -1
    document.undo()
    document.undo()
    assert document.project == before
    assert not shown(inspector, inspector.seed_spin)


def test_prompt_typing_is_one_undo_step_and_keeps_the_cursor(
    inspector: InspectorPanel, document: ProjectDocument, qtbot
) -> None:
    shot_id = inspector.shot_id
    before = document.project
    original = before.shot(shot_id).prompt
    inspector.prompt_edit.setFocus()
    inspector.prompt_edit.moveCursor(inspector.prompt_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(inspector.prompt_edit, " at dusk")
    assert document.project.shot(shot_id).prompt == original + " at dusk"
    assert document.project == edits.set_prompt(before, shot_id, original + " at dusk")
    position = inspector.prompt_edit.textCursor().position()
    document.execute(commands.set_title(shot_id, "Renamed underneath"))  # a change elsewhere in the shot
    assert inspector.title_edit.text() == "Renamed underneath"
    assert inspector.prompt_edit.textCursor().position() == position
    document.undo()
    assert document.session.history.undo_label == "Edit prompt"
    document.undo()
    assert document.project == before
    assert inspector.prompt_edit.toPlainText() == original


@pytest.fixture
def two_takes(document: ProjectDocument) -> str:
    """Shot 2 with a second take: a copy of its animatic take under a new id (same real media)."""
    shot = document.project.shots[1]
    take = dataclasses.replace(shot.takes[0], id=new_id())
    document.execute(commands.attach_take(shot.id, take, pick=False))
    return shot.id


def test_pick_take_by_double_click(inspector: InspectorPanel, document: ProjectDocument, two_takes: str, qtbot) -> None:
    assert inspector.takes_list.count() == 2
    shot = document.project.shot(two_takes)
    second = inspector.takes_list.item(1)
    rect = inspector.takes_list.visualItemRect(second)
    before = document.project
    qtbot.mouseClick(inspector.takes_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(inspector.takes_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert document.project == edits.pick_take(before, shot.id, shot.takes[1].id)
    assert "picked" in inspector.takes_list.item(1).text()
    document.undo()
    assert document.project == before


def test_delete_take_with_the_delete_key(
    inspector: InspectorPanel, document: ProjectDocument, two_takes: str, qtbot
) -> None:
    shot = document.project.shot(two_takes)
    before = document.project
    inspector.takes_list.setFocus()
    inspector.takes_list.setCurrentRow(1)
    qtbot.keyClick(inspector.takes_list, Qt.Key.Key_Delete)
    assert document.project == edits.remove_take(before, shot.id, shot.takes[1].id)
    assert inspector.takes_list.count() == 1
    document.undo()
    assert document.project == before and inspector.takes_list.count() == 2


def test_compare_and_details(inspector: InspectorPanel, document: ProjectDocument, two_takes: str, qtbot) -> None:
    shot = document.project.shot(two_takes)
    with qtbot.waitSignal(inspector.compare_requested) as signal:
        inspector.compare_action.trigger()
    assert [t.id for t in signal.args[0]] == [t.id for t in shot.takes]
    inspector.takes_list.setCurrentRow(0)
    dialog = inspector.show_details()
    assert dialog is not None and dialog.isVisible()
    job_id = shot.takes[0].generation.job_id
    assert job_id and job_id in inspector.take_details(shot.takes[0])
    dialog.close()


def test_start_from_the_previous_shots_last_frame(inspector: InspectorPanel, document: ProjectDocument, qtbot) -> None:
    shot_id = inspector.shot_id
    choose(inspector.backend_combo, "full")
    assert inspector.continue_button.isEnabled()
    before = document.project
    qtbot.mouseClick(inspector.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: document.project.shot(shot_id).generation.first_frame is not None, timeout=10_000)
    first_frame = document.project.shot(shot_id).generation.first_frame
    assert first_frame.startswith("media/") and first_frame.endswith(".jpg")
    previous = before.shots[0].picked_take
    with av.open(str(document.session.bundle.resolve(first_frame))) as still:
        frame = next(still.decode(video=0))
        assert (frame.width, frame.height) == (previous.info.size.width, previous.info.size.height)
    assert inspector.first_frame.label.text() == Path(first_frame).name
    document.undo()
    assert document.project == before


def test_generate_two_takes(inspector: InspectorPanel, document: ProjectDocument, qtbot) -> None:
    shot_id = inspector.shot_id
    inspector.takes_spin.setValue(2)
    qtbot.mouseClick(inspector.generate_button, Qt.MouseButton.LeftButton)
    assert [job.shot_id for job in document.jobs()].count(shot_id) == 3  # the fixture's take, and two more
    qtbot.waitUntil(lambda: len(document.project.shot(shot_id).takes) == 3, timeout=30_000)
    qtbot.waitUntil(lambda: inspector.takes_list.count() == 3, timeout=5000)
