"""While a trim handle is dragged the viewer shows the edge's frame (issue 14, point 9), read off the picture: the
film is numbered clips (each frame carries its number), the timeline and the player share the playhead as in the
window, and mid-drag the number on screen is the trimmed take's last frame (out edge) or its first (in edge)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from shotline.core.timecode import US_PER_SECOND
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import CLIP_TOP
from tests.ui.viewer_probe import FPS, Screen, numbered_film

pytestmark = pytest.mark.ffmpeg

CLIP_Y = CLIP_TOP + 40


@pytest.fixture
def document(app_context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(numbered_film(tmp_path)), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def panels(qtbot: QtBot, document: ProjectDocument) -> Iterator[tuple[PlayerPanel, TimelinePanel]]:
    selection, playhead = ShotSelection(), Playhead()
    player = PlayerPanel(document, selection, playhead)
    timeline = TimelinePanel(document, selection, playhead)
    for widget, size in ((player, (480, 360)), (timeline, (900, 220))):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        qtbot.waitExposed(widget)
    yield player, timeline
    player.stop()


def frame_of(us: int) -> int:
    return int(Fraction(us) * FPS / US_PER_SECOND + Fraction(1, 1000))


@pytest.mark.parametrize("side", ["out", "in"])
def test_the_viewer_shows_the_edge_frame_while_a_trim_handle_is_dragged(
    qtbot: QtBot, panels: tuple[PlayerPanel, TimelinePanel], document: ProjectDocument, side: str
) -> None:
    player, timeline = panels
    screen = Screen(player)
    qtbot.waitUntil(lambda: screen.frame is not None, timeout=10_000)
    canvas = timeline.canvas
    index = 0 if side == "out" else 1  # the second shot's in point is past its take's start (frame 12)
    box = canvas.geometry_.boxes[index]
    start = round(box.x1) - 2 if side == "out" else round(box.x0) + 2
    step = -12 if side == "out" else 12

    before = box.placement.take.trim if box.placement.take else None

    def drag_handle() -> None:
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(start, CLIP_Y))
        for n in range(1, 5):
            qtbot.mouseMove(canvas, QPoint(start + n * step, CLIP_Y))

    def edge() -> object:
        take = document.project.shots[index].picked_take
        assert take is not None
        number = frame_of(take.trim.out_us) - 1 if side == "out" else frame_of(take.trim.in_us)
        return type(screen.picture())(number, "A" if index == 0 else "B")

    shown = screen.after(qtbot, drag_handle, edge)
    take = document.project.shots[index].picked_take
    assert take is not None and take.trim != before  # the drag trimmed the shot
    assert shown == edge()
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(start + 4 * step, CLIP_Y))
