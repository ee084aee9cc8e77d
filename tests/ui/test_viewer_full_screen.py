"""The viewer fills the screen (issue 14, point 17): Ctrl+F or a double click on the picture, the transport keys
still working there, Esc, Ctrl+F or another double click bringing the picture back into the player."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimediaWidgets import QVideoWidget
from pytestqt.qtbot import QtBot

from shotline.core.timecode import frame_time_us
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from tests.ui.viewer_probe import FPS, numbered_film, shown_player

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def player(qtbot: QtBot, app_context: AppContext, tmp_path: Path) -> Iterator[PlayerPanel]:
    document = ProjectDocument(app_context, ProjectSession.open(numbered_film(tmp_path)), Bridge())
    with shown_player(qtbot, document) as panel:
        yield panel
    document.close()


def picture(player: PlayerPanel) -> QVideoWidget:
    [video] = player.findChildren(QVideoWidget)
    return video


def test_ctrl_f_fills_the_screen_with_the_picture_and_esc_brings_it_back(qtbot: QtBot, player: PlayerPanel) -> None:
    video = picture(player)
    assert not video.isFullScreen()
    qtbot.keyClick(player, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(video.isFullScreen)
    assert video.isWindow() and bool(video.windowState() & Qt.WindowState.WindowFullScreen)
    # the keys go on working on the picture alone: a frame forward, then back into the player
    qtbot.keyClick(video, Qt.Key.Key_Right)
    assert player.position_us == frame_time_us(1, FPS)
    qtbot.keyClick(video, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not video.isFullScreen())
    assert not video.isWindow() and video.parentWidget() is player


def test_a_double_click_on_the_picture_fills_the_screen_and_another_brings_it_back(
    qtbot: QtBot, player: PlayerPanel
) -> None:
    video = picture(player)
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(video.isFullScreen)
    qtbot.mouseDClick(video, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not video.isFullScreen())
    assert video.parentWidget() is player
