"""Space pauses as K does: on the frame on screen, so the counter and the picture name the same frame (seen in the
creator's walk: paused with Space, the counter read 00:00:02:09 over a picture of frame 2:11, and the first → step
then showed the same picture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from shotline.core.frames import frame_at
from shotline.core.timecode import frame_time_us
from shotline.core.timeline import layout
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection


@pytest.fixture
def player(qtbot: QtBot, app_context: AppContext, project_path: Path) -> Iterator[PlayerPanel]:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    panel = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    panel.setFocus()
    qtbot.waitUntil(panel.hasFocus)
    yield panel
    panel.stop()
    document.close()


def test_space_pauses_on_the_frame_k_would_stop_on(qtbot: QtBot, player: PlayerPanel) -> None:
    fps = player._document.project.settings.fps  # the film's rate, as the counter counts
    first = layout(player._document.project)[0]
    between = first.start_us + frame_time_us(10, fps) + 20_000  # playing, the clock stands between frames
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.transport.playing
    player.seek(between)  # while playing a seek keeps the time itself
    assert player.position_us == between
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert not player.transport.playing
    # the frame that holds the clock, as K stops on: never a time between two frames
    assert player.position_us == frame_time_us(frame_at(between, fps), fps) == first.start_us + frame_time_us(10, fps)
