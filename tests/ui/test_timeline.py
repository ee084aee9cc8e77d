"""The timeline's wiring: real mouse, wheel and key events change the project exactly as the core edits would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from shotline.core import commands, edits
from shotline.core.model import GenerationSettings, Shot, new_id
from shotline.core.timecode import snap_to_frame
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.services.thumbnails import thumbnail_path
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import CLIP_TOP, RULER_HEIGHT
from tests.ui.conftest import make_project
from tests.ui.shown_timeline import shown_timeline

CLIP_Y = CLIP_TOP + 40


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


def open_panel(qtbot: QtBot, document: ProjectDocument) -> TimelinePanel:
    return shown_timeline(qtbot, document, (900, 200))


@pytest.fixture
def panel(qtbot: QtBot, document: ProjectDocument) -> TimelinePanel:
    return open_panel(qtbot, document)


def drag(qtbot: QtBot, panel: TimelinePanel, start: float, stops: list[float], y: int = CLIP_Y) -> None:
    canvas = panel.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(start), y))
    for x in stops:
        qtbot.mouseMove(canvas, QPoint(round(x), y))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(stops[-1]), y))


def test_dragging_the_right_edge_trims_like_the_core_edit_in_one_undo_step(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    original = document.project
    box = panel.canvas.geometry_.boxes[0]
    take = box.placement.take
    assert take is not None
    start = round(box.x1) - 2
    drag(qtbot, panel, start, [start - 8, start - 20, start - 31])

    # What the drag asks for: the out point moved by the dragged distance, then snapped to frames by core.
    delta = panel.canvas.geometry_.us_for_pixels(-31)
    expected = edits.trim_shot(original, box.shot_id, take.trim.in_us, take.trim.out_us + delta)
    assert document.project == expected
    new_out = document.project.shots[0].picked_take.trim.out_us  # type: ignore[union-attr]
    assert new_out < take.trim.out_us
    assert new_out == snap_to_frame(new_out, take.info.fps)  # type: ignore[arg-type]

    assert document.session.history.undo_label == "Trim shot"
    document.undo()
    assert document.project == original
    assert not document.session.history.can_undo


def test_two_drags_are_two_undo_steps(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    original = document.project
    box = panel.canvas.geometry_.boxes[1]
    drag(qtbot, panel, round(box.x1) - 2, [round(box.x1) - 30])
    after_first = document.project
    box = panel.canvas.geometry_.boxes[1]
    drag(qtbot, panel, round(box.x0) + 2, [round(box.x0) + 20])
    assert document.project != after_first
    document.undo()
    assert document.project == after_first
    document.undo()
    assert document.project == original


def test_dragging_a_clip_reorders_the_shots(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    original = document.project
    boxes = panel.canvas.geometry_.boxes
    first_id = boxes[0].shot_id
    middle = (boxes[0].x0 + boxes[0].x1) / 2
    drag(qtbot, panel, middle, [middle + 10, boxes[2].x1 - 5])
    assert document.project == edits.move_shot(original, first_id, 2)
    assert [s.id for s in document.project.shots][-1] == first_id
    document.undo()
    assert document.project == original


def test_a_click_selects_without_moving(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    original = document.project
    box = panel.canvas.geometry_.boxes[2]
    middle = round((box.x0 + box.x1) / 2)
    qtbot.mouseClick(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(middle, CLIP_Y))
    assert panel.canvas._selection.ids == (box.shot_id,)
    assert document.project is original


def test_s_splits_the_shot_under_the_playhead_at_the_playhead(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    original = document.project
    second = panel.canvas.geometry_.boxes[1].placement
    panel._playhead.seek(second.start_us + 700_000)
    qtbot.keyClick(panel.canvas, Qt.Key.Key_S)
    assert len(document.project.shots) == 4
    new_shot_id = document.project.shots[2].id
    assert document.project == edits.split_shot(original, second.shot.id, 700_000, new_shot_id)
    assert len(panel.canvas.geometry_.boxes) == 4  # the view follows the edit
    document.undo()
    assert document.project == original


def test_pressing_the_ruler_scrubs_the_playhead_onto_frames(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    geometry = panel.canvas.geometry_
    qtbot.mousePress(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(300, RULER_HEIGHT // 2))
    assert panel._playhead.position_us == snap_to_frame(geometry.us_at(300), document.project.settings.fps)
    qtbot.mouseMove(panel.canvas, QPoint(120, RULER_HEIGHT // 2))
    qtbot.mouseRelease(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(120, RULER_HEIGHT // 2))
    assert panel._playhead.position_us == snap_to_frame(geometry.us_at(120), document.project.settings.fps)


def wheel(panel: TimelinePanel, x: int, steps: int, modifiers: Qt.KeyboardModifier) -> None:
    position = QPointF(x, CLIP_Y)
    event = QWheelEvent(
        position,
        panel.canvas.mapToGlobal(position),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(panel.canvas, event)


def test_ctrl_wheel_zooms_around_the_cursor_and_fit_fits(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    bar = panel.scroll_area.horizontalScrollBar()
    viewport_width = panel.scroll_area.viewport().width()
    assert panel.canvas.width() <= viewport_width  # fitted when first shown
    fitted = panel.pixels_per_second

    x = 400
    at_us = panel.canvas.geometry_.us_at(x)
    wheel(panel, x, 3, Qt.KeyboardModifier.ControlModifier)
    assert panel.pixels_per_second == pytest.approx(fitted * 1.25**3)
    assert panel.canvas.width() > viewport_width
    # The moment under the cursor stays under the cursor.
    assert panel.canvas.geometry_.x_of(at_us) - bar.value() == pytest.approx(x, abs=1)

    scrolled = bar.value()
    wheel(panel, x, -1, Qt.KeyboardModifier.NoModifier)  # a plain wheel scrolls sideways and does not zoom
    assert bar.value() > scrolled
    assert panel.pixels_per_second == pytest.approx(fitted * 1.25**3)

    qtbot.keyClick(panel.canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert panel.pixels_per_second == pytest.approx(fitted)
    assert panel.canvas.width() <= viewport_width
    assert bar.value() == 0


def test_filmstrip_frames_of_the_real_takes_arrive(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    panel.canvas.repaint()
    cached = panel.canvas.filmstrips._frames
    takes = [shot.picked_take for shot in document.project.shots]
    wanted = {take.media for take in takes if take}
    assert len(wanted) == 3
    qtbot.waitUntil(lambda: wanted <= {media for media, _, _ in cached}, timeout=20_000)
    for media, at_us, width in cached:
        take = next(t for t in takes if t and t.media == media)
        # decoded for real into the project's cache folder, inside the take's trim
        assert thumbnail_path(document.session.bundle, take, at_us, width).is_file()
        assert take.trim.in_us <= at_us < take.trim.out_us
    frames = list(cached.values())
    assert all(not frame.isNull() and frame.height() > 10 for frame in frames)


def test_a_shot_without_a_take_is_a_placeholder_of_its_requested_length(
    panel: TimelinePanel, document: ProjectDocument
) -> None:
    shot = Shot(new_id(), "an empty beach", generation=GenerationSettings(duration_us=3_000_000))
    assert document.execute(commands.add_shot(shot))
    box = panel.canvas.geometry_.boxes[-1]
    assert box.placement.take is None
    assert box.width == pytest.approx(3 * panel.pixels_per_second)
    assert not panel.canvas.grab().isNull()
    assert "3 shots" not in panel.total_label.text() and "4 shots" in panel.total_label.text()


def test_five_hundred_shots_paint_only_what_is_visible(qtbot: QtBot, app_context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "long.shotline"
    make_project(app_context, path, 500, takes=False)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    try:
        panel = open_panel(qtbot, doc)
        panel.canvas.set_pixels_per_second(100)
        viewport = panel.scroll_area.viewport().width()
        assert len(panel.canvas.geometry_.boxes) == 500
        assert len(panel.canvas.geometry_.visible(0, viewport)) < 10
        assert not panel.canvas.grab().isNull()
    finally:
        doc.close()
