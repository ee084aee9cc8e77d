"""Markers (issue 14, point 17): M marks the playhead's frame, the ruler shows it, the project keeps it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from shotline.core.timecode import frame_time_us
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.markers import MARKER


def open_panel(qtbot: QtBot, document: ProjectDocument, playhead: Playhead) -> TimelinePanel:
    panel = TimelinePanel(document, ShotSelection(), playhead)
    qtbot.addWidget(panel)
    panel.resize(900, 220)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    panel.canvas.setFocus()
    qtbot.waitUntil(panel.canvas.hasFocus)
    return panel


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
