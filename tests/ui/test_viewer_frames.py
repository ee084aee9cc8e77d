"""Paused, the viewer shows exactly the frame the timecode names (issue 14, point 2), read off the picture itself.

The film is two numbered clips (each frame carries its number); after every seek, arrow step, scrub of the
player's slider, trim and undo, the number in the frame the viewer received must be the take frame under the
playhead. It was one frame behind on every step (a seek onto a frame's first microsecond showed the frame before).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider
from pytestqt.qtbot import QtBot

from shotline.core.timecode import US_PER_SECOND
from shotline.core.timeline import layout
from shotline.services.context import AppContext
from shotline.services.playback import Mode
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from tests.ui.viewer_probe import FPS, Picture, Screen, named_frame, numbered_film, shown_player

pytestmark = pytest.mark.ffmpeg


def at_frame(frame: int) -> int:
    return round(Fraction(frame, FPS) * US_PER_SECOND)


@pytest.fixture
def document(app_context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(numbered_film(tmp_path)), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def player(qtbot: QtBot, document: ProjectDocument) -> Iterator[PlayerPanel]:
    with shown_player(qtbot, document) as panel:
        yield panel


@pytest.fixture
def screen(qtbot: QtBot, player: PlayerPanel) -> Screen:
    shown = Screen(player)
    qtbot.waitUntil(lambda: shown.frame is not None, timeout=10_000)
    return shown


def scrub(qtbot: QtBot, slider: QSlider, fraction: float) -> None:
    """Drag the slider's handle with the mouse to `fraction` of its groove."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider)
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, slider)
    target = QPoint(groove.left() + round(fraction * groove.width()), handle.center().y())
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=handle.center())
    for step in range(1, 5):
        x = handle.center().x() + (target.x() - handle.center().x()) * step // 4
        qtbot.mouseMove(slider, QPoint(x, target.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=target)


def walk(qtbot: QtBot, player: PlayerPanel, screen: Screen, actions: list[Callable[[], object]]) -> None:
    seen: list[Picture] = []
    named: list[Picture] = []
    for action in actions:
        seen.append(screen.after(qtbot, action, lambda: named_frame(player)))
        named.append(named_frame(player))
    assert seen == named


def key(qtbot: QtBot, player: PlayerPanel, which: Qt.Key) -> Callable[[], None]:
    return lambda: qtbot.keyClick(player, which)


def test_timeline_mode_seeks_steps_and_scrubs_show_the_named_frame(
    qtbot: QtBot, player: PlayerPanel, screen: Screen
) -> None:
    slider = player.findChild(QSlider)
    assert slider is not None
    walk(
        qtbot,
        player,
        screen,
        [
            lambda: player.seek(at_frame(3)),
            key(qtbot, player, Qt.Key.Key_Right),
            key(qtbot, player, Qt.Key.Key_Right),
            key(qtbot, player, Qt.Key.Key_Left),
            lambda: player.seek(at_frame(90)),  # the second shot: its frame 12 + 18
            key(qtbot, player, Qt.Key.Key_Left),
            key(qtbot, player, Qt.Key.Key_Right),
            lambda: scrub(qtbot, slider, 0.8),
            lambda: scrub(qtbot, slider, 0.3),
            lambda: scrub(qtbot, slider, 0.65),
            lambda: player.seek(at_frame(40)),
        ],
    )


def test_shot_mode_seeks_steps_and_scrubs_show_the_named_frame(
    qtbot: QtBot, player: PlayerPanel, screen: Screen, document: ProjectDocument
) -> None:
    second = layout(document.project)[1]
    player._selection.select([second.shot.id])
    slider = player.findChild(QSlider)
    assert slider is not None
    walk(
        qtbot,
        player,
        screen,
        [
            lambda: player.set_mode(Mode.SHOT),
            key(qtbot, player, Qt.Key.Key_Right),
            key(qtbot, player, Qt.Key.Key_Right),
            lambda: player.seek(second.start_us + at_frame(30)),
            key(qtbot, player, Qt.Key.Key_Left),
            lambda: scrub(qtbot, slider, 0.5),
            lambda: scrub(qtbot, slider, 0.1),
            key(qtbot, player, Qt.Key.Key_End),
            key(qtbot, player, Qt.Key.Key_Home),
        ],
    )


def test_trim_and_undo_show_the_named_frame(
    qtbot: QtBot, player: PlayerPanel, screen: Screen, document: ProjectDocument
) -> None:
    second = layout(document.project)[1]
    walk(
        qtbot,
        player,
        screen,
        [
            lambda: player.seek(second.start_us + at_frame(20)),
            key(qtbot, player, Qt.Key.Key_I),  # the frame shown becomes the shot's first; the viewer stays on it
            document.undo,  # the old trim again: the playhead stays, so it names a frame 20 earlier in the take
            lambda: player.seek(second.start_us + at_frame(10)),
            key(qtbot, player, Qt.Key.Key_O),
            lambda: player.seek(at_frame(50)),
            document.undo,
            lambda: player.seek(second.start_us + at_frame(60)),
        ],
    )
