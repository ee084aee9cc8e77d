"""A timeline panel as the window tests use one: shown, active, its canvas focused so its keys reach it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel


def shown_timeline(
    qtbot: QtBot,
    document: ProjectDocument,
    size: tuple[int, int] = (900, 220),
    *,
    selection: ShotSelection | None = None,
    playhead: Playhead | None = None,
    focused: bool = True,
) -> TimelinePanel:
    panel = TimelinePanel(document, selection or ShotSelection(), playhead or Playhead())
    qtbot.addWidget(panel)
    panel.resize(*size)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    if focused:
        panel.canvas.setFocus()
        qtbot.waitUntil(panel.canvas.hasFocus)
    return panel
