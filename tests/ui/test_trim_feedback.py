"""Trimming with feedback (issue 14, point 9): while a trim handle is dragged the timeline shows the new in, out and
length beside it and parks the playhead (which the viewer follows) on the edge's frame; afterwards the inspector,
its take row and the timeline give the shot one length, to the frame, and the inspector's in/out fields trim."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from shotline.core import commands
from shotline.core.frames import format_timecode
from shotline.core.timecode import frame_time_us
from shotline.core.timeline import format_length, layout, length_frames
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard import ShotRole, StoryboardPanel
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import CLIP_TOP

CLIP_Y = CLIP_TOP + 40


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def selection() -> ShotSelection:
    return ShotSelection()


@pytest.fixture
def playhead() -> Playhead:
    return Playhead()


@pytest.fixture
def timeline(qtbot: QtBot, document: ProjectDocument, selection: ShotSelection, playhead: Playhead) -> TimelinePanel:
    panel = TimelinePanel(document, selection, playhead)
    qtbot.addWidget(panel)
    panel.resize(900, 220)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def inspector(qtbot: QtBot, document: ProjectDocument, selection: ShotSelection) -> InspectorPanel:
    panel = InspectorPanel(document, selection)
    qtbot.addWidget(panel)
    panel.resize(380, 900)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def take_row_text(inspector: InspectorPanel, take_id: str) -> str:
    for row in range(inspector.takes_list.count()):
        item = inspector.takes_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole + 1) == take_id:
            return item.text()
    raise AssertionError(f"no row for take {take_id}")


def test_dragging_an_out_point_shows_in_out_length_and_the_last_frame_then_one_length_everywhere(
    qtbot: QtBot,
    timeline: TimelinePanel,
    inspector: InspectorPanel,
    document: ProjectDocument,
    playhead: Playhead,
) -> None:
    canvas = timeline.canvas
    playhead.seek(frame_time_us(5, document.project.settings.fps))
    parked = playhead.position_us
    box = canvas.geometry_.boxes[0]
    start = round(box.x1) - 2
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(start, CLIP_Y))
    for x in (start - 10, start - 25, start - 40):
        qtbot.mouseMove(canvas, QPoint(x, CLIP_Y))

    # Mid-drag: the readout names the take's new points and the shot's length.
    shot = document.project.shots[0]
    take = shot.picked_take
    assert take is not None and take.info.fps is not None
    fps = document.project.settings.fps
    expected = (
        f"In {format_timecode(take.trim.in_us, take.info.fps)} · Out {format_timecode(take.trim.out_us, take.info.fps)}"
        f" · {format_length(take.trim.duration_us, fps)}"
    )
    assert canvas.trim_readout == expected
    canvas.repaint()
    assert canvas.trim_readout_rect is not None
    picture = canvas.grab().toImage()
    ratio = picture.devicePixelRatio()
    edge = canvas.trim_readout_rect
    assert picture.pixelColor(round((edge.left() + 2) * ratio), round(edge.center().y() * ratio)) == theme.WINDOW
    assert edge.left() >= 0 and edge.right() <= timeline.scroll_area.viewport().width()  # on screen
    # ...and the playhead, which the viewer shows, stands on the shot's last frame.
    placement = layout(document.project)[0]
    last = placement.start_us + frame_time_us(length_frames(placement.duration_us, fps) - 1, fps)
    assert playhead.position_us == last

    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(start - 40, CLIP_Y))
    canvas.repaint()
    assert canvas.trim_readout == "" and canvas.trim_readout_rect is None
    assert playhead.position_us == parked  # the playhead goes back where the creator left it

    # One length for the shot: the inspector's, the take row's and the readout's are the same words.
    trimmed = document.project.shots[0]
    length = format_length(trimmed.duration_us, fps)
    assert inspector.shot_id == trimmed.id
    assert inspector.trim_row.length_label.text() == length
    assert f" · {length} · " in take_row_text(inspector, trimmed.picked_take_id or "")
    assert expected.endswith(length)
    box = canvas.geometry_.boxes[0]
    hovered = canvas.clip_tooltip((box.x0 + box.x1) / 2, CLIP_Y)  # hovering the clip on the timeline
    assert hovered.endswith(f" · {length}")


def test_the_inspectors_in_and_out_fields_trim_the_shot_in_one_undo_step_each(
    qtbot: QtBot, inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    shot = document.project.shots[1]
    selection.select([shot.id])
    take = shot.picked_take
    assert take is not None and take.info.fps is not None
    row = inspector.trim_row
    assert row.in_field.isEnabled() and row.out_field.value() == pytest.approx(take.trim.out_us / 1e6, abs=1e-3)

    row.out_field.setFocus()
    row.out_field.selectAll()
    qtbot.keyClicks(row.out_field, "1.000")
    qtbot.keyClick(row.out_field, Qt.Key.Key_Return)
    trimmed = document.project.shot(shot.id).picked_take
    assert trimmed is not None
    assert trimmed.trim.out_us == frame_time_us(round(take.info.fps), take.info.fps)  # 1 s, on a frame
    assert row.length_label.text() == format_length(trimmed.trim.duration_us, document.project.settings.fps)

    row.in_field.setFocus()
    row.in_field.selectAll()
    qtbot.keyClicks(row.in_field, "0.250")
    qtbot.keyClick(row.in_field, Qt.Key.Key_Return)
    assert document.project.shot(shot.id).picked_take.trim.in_us > 0  # type: ignore[union-attr]
    document.undo()
    assert document.project.shot(shot.id).picked_take.trim == trimmed.trim  # type: ignore[union-attr]
    document.undo()
    assert document.project.shot(shot.id).picked_take.trim == take.trim  # type: ignore[union-attr]


def test_a_trimmed_shot_keeps_its_picture_on_the_card_and_take_row_while_the_new_one_is_made(
    qtbot: QtBot, inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    board = StoryboardPanel(document, selection)
    qtbot.addWidget(board)
    shot = document.project.shots[0]
    selection.select([shot.id])
    card = board.model.index(0, 0)
    board.model.data(card, ShotRole.THUMBNAIL)  # asks for it
    qtbot.waitUntil(lambda: board.model.data(card, ShotRole.THUMBNAIL) is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not inspector.takes_list.item(0).icon().isNull(), timeout=20_000)
    take = shot.picked_take
    assert take is not None

    document.execute(commands.trim_shot(shot.id, take.trim.in_us, take.trim.out_us - 500_000))
    # at once, before the trimmed take's new picture can have been decoded: the earlier one, never "No take yet"
    assert board.model.data(card, ShotRole.THUMBNAIL) is not None
    assert not inspector.takes_list.item(0).icon().isNull()
