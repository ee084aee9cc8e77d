"""The inspector shows, per cast member a shot mentions, what its model will be sent — "image reference", "first
frame", "described in words", "dropped (only 2 references)" — before anything is sent, worked out again at once when
the shot's model changes, its prompt mentions someone new, or the cast changes (issue 16, carry)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendRegistry, BackendSpec
from shotline.core import commands
from shotline.core.model import CastKind, CastMember, new_id
from shotline.core.ports import BackendInfo, BackendKind, ModelInfo
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.try_on import TryOnDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection

ANIMATIC = builtin_spec("animatic")

CARRY = BackendSpec(
    info=BackendInfo(
        id="carry",
        name="Carry test backend",
        kind=BackendKind.LOCAL,
        models=(
            ModelInfo(id="words", label="Words only"),
            ModelInfo(id="refs", label="Two references", reference_images=2),
            ModelInfo(id="frames", label="From a frame", image_to_video=True),
        ),
    ),
    create=ANIMATIC.create,
)
CAST = (
    CastMember(new_id(), "Mara", CastKind.CHARACTER, "a tall woman in a yellow raincoat", ("media/mara.png",)),
    CastMember(new_id(), "Tom", CastKind.CHARACTER, "an old fisherman"),
    CastMember(new_id(), "Harbour", CastKind.PLACE, "", ("media/harbour.png",)),
    CastMember(new_id(), "Kite", CastKind.PROP, "", ("media/kite.png",)),
)


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    app_context.registry = BackendRegistry(builtins=[ANIMATIC, CARRY], discover=False)
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    for member in CAST:
        doc.execute(commands.add_cast_member(member))
    shot = doc.project.shots[0]
    settings = dataclasses.replace(shot.generation, backend="carry", model="words")
    doc.execute(commands.set_generation(shot.id, settings))
    doc.execute(commands.set_prompt(shot.id, "@Mara meets @Tom on the quay of @Harbour at dawn"))
    yield doc
    doc.close()


@pytest.fixture
def inspector(document: ProjectDocument, qtbot: Any) -> InspectorPanel:
    selection = ShotSelection()
    panel = InspectorPanel(document, selection)
    qtbot.addWidget(panel)
    panel.resize(480, 900)
    panel.show()
    selection.select([document.project.shots[0].id])
    return panel


def _choose_model(inspector: InspectorPanel, model_id: str) -> None:
    """As the creator picks a model from the list."""
    index = inspector.model_combo.findData(model_id)
    inspector.model_combo.setCurrentIndex(index)
    inspector.model_combo.activated.emit(index)


def test_each_mentioned_member_says_what_the_model_is_sent_and_a_model_switch_redoes_it_at_once(
    inspector: InspectorPanel, document: ProjectDocument
) -> None:
    sent = inspector.cast_sent
    assert sent.isVisible()
    assert sent.heading.text() == "Cast sent to Words only:"
    assert sent.texts() == [
        "@Mara — described in words (Words only takes no reference images)",
        "@Tom — described in words (no picture)",
        "@Harbour — dropped (Words only takes no reference images)",
    ]

    _choose_model(inspector, "refs")
    assert document.project.shots[0].generation.model == "refs"
    assert sent.heading.text() == "Cast sent to Two references:"
    assert sent.texts() == [
        "@Mara — image reference",
        "@Tom — described in words (no picture)",
        "@Harbour — image reference",
    ]

    _choose_model(inspector, "frames")
    assert sent.texts() == [
        "@Mara — described in words (From a frame takes no reference images)",
        "@Tom — described in words (no picture)",
        "@Harbour — first frame",  # a place opens the clip where the model starts from a picture
    ]
    # …and the First frame row says whose picture that is, where it said "None"
    assert inspector.first_frame.label.text() == "@Harbour's picture (from the cast)"
    assert not inspector.first_frame.clear.isEnabled(), "nothing of the shot's own to clear"

    _choose_model(inspector, "refs")
    assert inspector.first_frame.label.text() == "None"


def test_a_prompt_that_mentions_someone_new_and_a_cast_change_show_at_once(
    inspector: InspectorPanel, document: ProjectDocument
) -> None:
    sent = inspector.cast_sent
    _choose_model(inspector, "refs")
    inspector.prompt_edit.setPlainText("@Mara meets @Tom on the quay of @Harbour at dawn, a @Kite overhead")
    assert sent.texts()[-1] == "@Kite — dropped (only 2 references)"  # both slots are taken

    kite = CAST[3]
    document.execute(commands.describe_cast_member(kite.id, "a red kite with a long tail"))
    assert sent.texts()[-1] == "@Kite — described in words (only 2 references)"

    inspector.prompt_edit.setPlainText("A quiet harbour at dawn")  # no one mentioned: nothing to say
    assert sent.isHidden() and sent.texts() == []


def test_a_shot_whose_model_is_not_installed_shows_no_cast_line(
    inspector: InspectorPanel, document: ProjectDocument
) -> None:
    assert inspector.cast_sent.isVisible()
    shot = document.project.shots[0]
    document.execute(commands.set_generation(shot.id, dataclasses.replace(shot.generation, backend="gone")))
    assert inspector.cast_sent.isHidden()


def test_each_pair_of_a_try_on_shows_what_its_model_keeps_of_the_cast(qtbot: Any, document: ProjectDocument) -> None:
    dialog = TryOnDialog(document, document.project.shots[0].id, lambda _takes: None)
    qtbot.addWidget(dialog)
    dialog.choose(1, "carry", "words")
    dialog.choose(2, "carry", "refs")
    words, refs = (row.text.splitlines()[-1] for row in dialog.rows[:2])
    assert words == (
        "@Mara → described in words · @Tom → described in words · "
        "@Harbour → dropped (Words only takes no reference images)"
    )
    assert refs == "@Mara → image reference · @Tom → described in words · @Harbour → image reference"
