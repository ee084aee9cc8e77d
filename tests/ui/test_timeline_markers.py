"""Markers (issue 14, point 17): M marks the playhead's frame, the ruler shows it, the project keeps it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from shotline.core.timecode import frame_time_us
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import CLIP_TOP
from shotline.ui.timeline.markers import MARKER
from tests.ui.shown_timeline import shown_timeline


def open_panel(qtbot: QtBot, document: ProjectDocument, playhead: Playhead) -> TimelinePanel:
    return shown_timeline(qtbot, document, playhead=playhead)


def test_m_marks_the_playheads_frame_on_the_ruler_and_the_project_keeps_it(
    qtbot: QtBot, app_context: AppContext, project_path: Path
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        playhead = Playhead()
        panel = open_panel(qtbot, document, playhead)
        fps = document.project.settings.fps
        at_us = frame_time_us(30, fps)
        playhead.seek(at_us + 3_000)  # a little past the frame's start: the marker goes on the frame
        qtbot.keyClick(panel.canvas, Qt.Key.Key_M)
        assert [m.at_us for m in document.project.markers] == [at_us]

        x = round(panel.canvas.geometry_.x_of(at_us))
        playhead.seek(0)  # out of the way of the flag
        picture = panel.canvas.grab().toImage()
        ratio = picture.devicePixelRatio()
        assert picture.pixelColor(round(x * ratio), round(4 * ratio)) == MARKER

        assert document.save()
    finally:
        document.close()

    reopened = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        assert [m.at_us for m in reopened.project.markers] == [at_us]
        playhead = Playhead()
        panel = open_panel(qtbot, reopened, playhead)
        playhead.seek(at_us)
        qtbot.keyClick(panel.canvas, Qt.Key.Key_M)  # M on a marker takes it away
        assert reopened.project.markers == ()
        reopened.undo()
        assert [m.at_us for m in reopened.project.markers] == [at_us]
    finally:
        reopened.close()


def test_a_trim_drag_on_shot_1_slides_a_marker_on_shot_3_with_its_picture_and_undo_puts_it_back(
    qtbot: QtBot, app_context: AppContext, project_path: Path
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        playhead = Playhead()
        panel = open_panel(qtbot, document, playhead)
        third = panel.canvas.geometry_.boxes[2].placement
        playhead.seek(third.start_us + 500_000)
        qtbot.keyClick(panel.canvas, Qt.Key.Key_M)
        (marked,) = document.project.markers
        source_us = third.source_time(marked.at_us)
        playhead.seek(0)  # out of the way of the flag and the edge

        edge = round(panel.canvas.geometry_.boxes[0].x1) - 2
        y = CLIP_TOP + 40
        qtbot.mousePress(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(edge, y))
        for x in (edge - 10, edge - 25, edge - 40):
            qtbot.mouseMove(panel.canvas, QPoint(x, y))
        qtbot.mouseRelease(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(edge - 40, y))

        (moved,) = document.project.markers
        now_third = panel.canvas.geometry_.boxes[2].placement
        assert now_third.start_us < third.start_us  # shot 1 is shorter: shot 3 slid earlier
        assert now_third.source_time(moved.at_us) == source_us  # and the marker with it, on the same frame
        x = round(panel.canvas.geometry_.x_of(moved.at_us))
        picture = panel.canvas.grab().toImage()
        ratio = picture.devicePixelRatio()
        assert picture.pixelColor(round(x * ratio), round(4 * ratio)) == MARKER

        assert document.session.history.undo_label == "Trim shot"
        document.undo()
        assert document.project.markers == (marked,)
    finally:
        document.close()
