"""The timeline's captions lane through real mouse and keys: made from the lines, a drag moves a caption and an edge
drag trims it (each one undo step, on the film's frames), Delete removes it, a split at the playhead cuts it in two,
new words are one step, and the row is drawn under the sound with each caption's words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from shotline.core import commands
from shotline.core.model import Caption
from shotline.core.timecode import snap_to_frame
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import LANE_HEIGHT, CaptionBox
from tests.ui.shown_timeline import shown_timeline

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    """The three animatic shots, the first two with a line each."""
    with ProjectSession.open(project_path) as session:
        first, second = session.project.shots[:2]
        session.execute(commands.add_line(first.id, "Where is the boat tonight?", speaker="Mara"))
        session.execute(commands.add_line(second.id, "Gone with the tide.", speaker="Old man"))
        session.save()
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def panel(qtbot: QtBot, document: ProjectDocument) -> TimelinePanel:
    panel = shown_timeline(qtbot, document, (1000, 360))
    panel.canvas.captions.make_from_lines()
    return panel


def _box(panel: TimelinePanel, index: int) -> CaptionBox:
    return panel.canvas.geometry_.caption_boxes[index]


def _y(box: CaptionBox) -> int:
    return box.top + LANE_HEIGHT // 2


def _drag(qtbot: QtBot, panel: TimelinePanel, start: QPoint, stops: list[QPoint]) -> None:
    qtbot.mousePress(panel.canvas, Qt.MouseButton.LeftButton, pos=start)
    for point in stops:
        qtbot.mouseMove(panel.canvas, point)
    qtbot.mouseRelease(panel.canvas, Qt.MouseButton.LeftButton, pos=stops[-1])


def test_captions_are_made_from_the_lines_and_drawn_in_their_row(
    panel: TimelinePanel, document: ProjectDocument
) -> None:
    captions = document.project.captions
    assert [c.text for c in captions] == ["Where is the boat tonight?", "Gone with the tide."]
    assert document.session.history.undo_label == "Make captions from lines"
    layout = panel.canvas.geometry_
    assert layout.captions_top >= layout.rows[-1].bottom  # under the sound
    assert panel.canvas.height() >= layout.captions_top + LANE_HEIGHT
    assert panel.lane_headers.captions_label.text() == "Captions"


def test_a_drag_moves_a_caption_on_the_films_frames_in_one_undo_step(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    box = _box(panel, 0)
    before = box.caption
    middle = QPoint(int((box.x0 + box.x1) / 2), _y(box))
    _drag(qtbot, panel, middle, [middle + QPoint(10, 0), middle + QPoint(30, 0), middle + QPoint(50, 0)])
    moved = next(c for c in document.project.captions if c.id == before.id)
    expected = snap_to_frame(before.start_us + panel.canvas.geometry_.us_for_pixels(50), document.project.settings.fps)
    assert (moved.start_us, moved.duration_us, moved.edited) == (expected, before.duration_us, True)
    document.undo()
    assert document.project.captions[0] == before


def test_an_edge_drag_trims_and_delete_removes_the_selected_caption(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    box = _box(panel, 1)
    before = box.caption
    edge = QPoint(int(box.x1) - 1, _y(box))
    _drag(qtbot, panel, edge, [edge - QPoint(15, 0), edge - QPoint(30, 0)])
    trimmed = document.project.captions[1]
    assert trimmed.start_us == before.start_us and trimmed.end_us < before.end_us and trimmed.edited
    qtbot.keyClick(panel.canvas, Qt.Key.Key_Delete)
    assert [c.id for c in document.project.captions] == [document.project.captions[0].id]
    document.undo()
    document.undo()
    assert document.project.captions[1] == before


def test_a_split_at_the_playhead_and_new_words(panel: TimelinePanel, document: ProjectDocument) -> None:
    first: Caption = document.project.captions[0]
    panel.canvas._playhead.seek((first.start_us + first.end_us) // 2)
    assert panel.canvas.captions.split_at_playhead()
    a, b = document.project.captions[:2]
    assert f"{a.text} {b.text}" == first.text and a.end_us == b.start_us
    panel.canvas.captions.set_words(b.id, "boat, tonight?")
    assert document.project.captions[1].text == "boat, tonight?"
    document.undo()
    assert document.project.captions[1].text == b.text
