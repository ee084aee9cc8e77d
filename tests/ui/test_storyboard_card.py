"""A storyboard card shows a take-less shot's first-frame still (tagged as a still) and the shot's first line."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPixmap

from shotline.core import commands
from shotline.core.model import CastMember
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.services.shots import import_image
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard import ShotRole, StoryboardPanel
from shotline.ui.storyboard.delegate import PAD, THUMB_HEIGHT, line_row
from tests.ui.conftest import make_project

STILL_RED = QColor(200, 30, 40)


@pytest.fixture
def document(app_context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    path = tmp_path / "fresh.shotline"
    make_project(app_context, path, shots=3, takes=False)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
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


def use_still_as_first_frame(document: ProjectDocument, tmp_path: Path, row: int) -> str:
    """A red 640x360 still in the project, picked as the shot's first frame as the Draft stills dialog does."""
    picture = QImage(640, 360, QImage.Format.Format_RGB32)
    picture.fill(STILL_RED)
    file = tmp_path / "harbour.png"
    assert picture.save(str(file))
    media = import_image(document.session.bundle, file)
    shot = document.project.shots[row]
    document.execute(commands.set_generation(shot.id, dataclasses.replace(shot.generation, first_frame=media)))
    return shot.id


def picture_box(panel: StoryboardPanel, row: int) -> QRect:
    card = panel.view.visualRect(panel.model.index(row, 0))
    return QRect(card.left() + PAD, card.top() + PAD, card.width() - 2 * PAD, THUMB_HEIGHT)


def is_still_red(colour: QColor) -> bool:
    return abs(colour.red() - STILL_RED.red()) < 12 and colour.green() < 60 and colour.blue() < 70


def test_a_shot_without_a_take_shows_its_first_frame_still_tagged_as_a_still(
    panel: StoryboardPanel, document: ProjectDocument, qtbot, tmp_path: Path
) -> None:
    shot_id = use_still_as_first_frame(document, tmp_path, 1)
    index = panel.model.index(1, 0)
    assert panel.model.data(index, ShotRole.STILL) is True
    assert panel.model.data(panel.model.index(0, 0), ShotRole.STILL) is False  # no still picked: grey as before
    qtbot.waitUntil(lambda: isinstance(panel.model.data(index, ShotRole.THUMBNAIL), QPixmap), timeout=10_000)
    assert panel.model.data(panel.model.index(0, 0), ShotRole.THUMBNAIL) is None
    shot_image = panel.view.viewport().grab().toImage()
    ratio = shot_image.devicePixelRatio()
    box = picture_box(panel, 1)

    def at(x: int, y: int) -> QColor:
        return shot_image.pixelColor(round(x * ratio), round(y * ratio))

    # the still fills the picture box; its top-left corner carries the "still" tag, which is not the still's red
    assert is_still_red(at(box.center().x(), box.center().y())), at(box.center().x(), box.center().y()).name()
    assert is_still_red(at(box.right() - 4, box.bottom() - 6))
    assert not is_still_red(at(box.left() + 8, box.top() + 8)), "no tag says the picture is a still"
    # the grey card beside it still says it has no take
    empty = picture_box(panel, 0)
    assert not is_still_red(at(empty.center().x(), empty.center().y()))

    # Undo takes the still off the card again
    document.undo()
    assert panel.model.data(index, ShotRole.STILL) is False
    assert panel.model.data(index, ShotRole.THUMBNAIL) is None
    document.redo()
    assert document.project.shot(shot_id).generation.first_frame is not None
    assert isinstance(panel.model.data(index, ShotRole.THUMBNAIL), QPixmap)


def test_a_still_that_cannot_be_read_leaves_the_card_grey(
    panel: StoryboardPanel, document: ProjectDocument, qtbot, caplog: pytest.LogCaptureFixture
) -> None:
    shot = document.project.shots[0]
    document.execute(
        commands.set_generation(shot.id, dataclasses.replace(shot.generation, first_frame="media/gone.png"))
    )
    index = panel.model.index(0, 0)
    assert panel.model.data(index, ShotRole.THUMBNAIL) is None
    # the read fails off the GUI thread and is logged; the card stays as it was, with no traceback
    qtbot.waitUntil(lambda: "Not showing the still media/gone.png" in caplog.text, timeout=10_000)
    assert panel.model.data(index, ShotRole.THUMBNAIL) is None


def test_the_card_shows_the_first_line_and_how_many_more(
    panel: StoryboardPanel, document: ProjectDocument, qtbot
) -> None:
    first, second, third = (shot.id for shot in document.project.shots)
    mara = CastMember("m1", "Mara")
    document.execute(commands.add_cast_member(mara))
    document.execute(commands.add_line(first, "Cast off.", member_id=mara.id))
    document.execute(commands.add_line(first, "Mind the net.", speaker="Narrator"))
    document.execute(commands.add_line(first, "Now!", member_id=mara.id))
    document.execute(commands.add_line(second, "A voice off, and nobody named."))
    document.execute(commands.add_line(third, ""))  # an unwritten line is said nowhere: not on the card either

    model = panel.model
    assert model.data(model.index(0, 0), ShotRole.LINE) == "Mara: Cast off."
    assert model.data(model.index(0, 0), ShotRole.MORE_LINES) == 2
    assert model.data(model.index(1, 0), ShotRole.LINE) == "A voice off, and nobody named."
    assert model.data(model.index(1, 0), ShotRole.MORE_LINES) == 0
    assert model.data(model.index(2, 0), ShotRole.LINE) == ""

    # a renamed member's card says the new name
    document.execute(commands.rename_cast_member(mara.id, "Marta"))
    assert model.data(model.index(0, 0), ShotRole.LINE) == "Marta: Cast off."

    # the line is painted on the card, between the prompt and the backend: the row of a card without lines is empty
    image = panel.view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()

    def inked(row: int) -> int:
        card = panel.view.visualRect(model.index(row, 0))
        rows = card_line_rows(panel, row)
        return sum(
            1
            for y in range(rows.top(), rows.bottom())
            for x in range(card.left() + PAD, card.right() - PAD, 2)
            if image.pixelColor(round(x * ratio), round(y * ratio)).lightness() > 150
        )

    assert inked(0) > 40 and inked(1) > 40
    assert inked(2) == 0


def card_line_rows(panel: StoryboardPanel, row: int) -> QRect:
    """Where a card's dialogue line is painted, as the delegate lays it out."""
    return line_row(panel.view.visualRect(panel.model.index(row, 0)), panel.view.font())
