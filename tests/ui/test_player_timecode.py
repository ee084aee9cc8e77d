"""Time in the player is timecode, HH:MM:SS:FF, unless Preferences says seconds; every stop of the playhead lands on
a frame, after a click on the timeline, a scrub, K and J/K (issue 14, point 5). Real widgets, a numbered film."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from shotline.core.frames import frame_start
from shotline.core.timecode import frame_time_us
from shotline.core.timeline import film_length_us
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.preferences import PreferencesDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from tests.ui.shell_fixtures import private_settings
from tests.ui.test_viewer_frames import at_frame
from tests.ui.viewer_probe import Screen, named_frame, numbered_film, shown_player

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def document(app_context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    private_settings(app_context, tmp_path / "settings")
    doc = ProjectDocument(app_context, ProjectSession.open(numbered_film(tmp_path)), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def player(qtbot: QtBot, document: ProjectDocument) -> Iterator[PlayerPanel]:
    with shown_player(qtbot, document) as panel:
        yield panel


def counter(player: PlayerPanel) -> str:
    labels = [label.text() for label in player.findChildren(QLabel) if " / " in label.text()]
    assert len(labels) == 1, labels
    return labels[0]


def test_the_counter_reads_timecode_unless_preferences_say_seconds(
    qtbot: QtBot, player: PlayerPanel, app_context: AppContext
) -> None:
    player.seek(at_frame(27))  # 1 s and 3 frames at 24 fps; the film is 72 + 84 frames, 6 s and 12 frames
    assert counter(player) == "00:00:01:03 / 00:00:06:12"

    dialog = PreferencesDialog(app_context, player)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # as the window's modal dialog takes the keyboard from it
        dialog.show()
        dialog.activateWindow()
    dialog.clock_style.setCurrentIndex(dialog.clock_style.findData("seconds"))
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert counter(player) == "00:00:01.125 / 00:00:06.500", "the counter reads seconds at once"
    qtbot.keyClick(player, Qt.Key.Key_Right)
    assert counter(player) == "00:00:01.167 / 00:00:06.500"
    assert app_context.settings_store.load().clock_style == "seconds"  # and so it stays, next time too


def on_a_frame(player: PlayerPanel) -> bool:
    """The playhead stands where a frame of the film starts (the frames the timecode counts)."""
    at = player.position_us
    return frame_start(at, player._document.project.settings.fps) == at


def test_every_stop_of_the_playhead_lands_on_a_frame_and_shows_it(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    screen = Screen(player)
    qtbot.waitUntil(lambda: screen.frame is not None, timeout=10_000)
    stops = []

    def stop(action: object) -> None:
        picture = screen.after(qtbot, action, lambda: named_frame(player))  # type: ignore[arg-type]
        stops.append((player.position_us, on_a_frame(player), picture == named_frame(player)))

    stop(lambda: player._playhead.seek(1_058_000))  # a click on the timeline's ruler between two frames
    stop(lambda: player.seek(4_321_000))  # a scrub, inside the second shot
    qtbot.keyClick(player, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: player.position_us > 4_900_000, timeout=20_000)
    stop(lambda: qtbot.keyClick(player, Qt.Key.Key_K))  # K while playing: the frame on screen
    qtbot.keyClick(player, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: player.position_us < 4_600_000, timeout=20_000)
    stop(lambda: qtbot.keyClick(player, Qt.Key.Key_K))
    stop(lambda: qtbot.keyClick(player, Qt.Key.Key_End))
    assert [(on, shown) for _, on, shown in stops] == [(True, True)] * len(stops), stops
    # End: the film's last frame, not the time after it
    assert stops[-1][0] == film_length_us(document.project) - frame_time_us(1, document.project.settings.fps)
