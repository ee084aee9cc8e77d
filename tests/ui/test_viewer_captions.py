"""Captions over the preview: the viewer's sink carries the caption under the playhead and the frames given to the
video widget are stamped with it (QVideoWidget draws a frame's subtitle text over the picture, and only a frame's),
following moves, playing and edits at once, paused too and over a shot without a take; View → Show captions in the
viewer turns them off and on for this and the next start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtMultimedia import QVideoFrame
from pytestqt.qtbot import QtBot

from shotline.core import commands
from shotline.core.model import Caption, Shot, new_id
from shotline.core.timeline import layout
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.storage.settings import SettingsStore
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.main_window import MainWindow
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from tests.ui.shell_fixtures import shown_window
from tests.ui.viewer_probe import QUIET_MS

BOAT = Caption("c-boat", 500_000, 1_500_000, "Where is the boat?", "Mara", edited=True)
TIDE = Caption("c-tide", 2_500_000, 3_500_000, "Gone with the tide.", "Old man", edited=True)


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    doc.execute(commands.set_captions((BOAT, TIDE)))
    yield doc
    doc.close()


class Drawn(QObject):
    """The words drawn over the picture: the subtitle text of the last frame the video widget was given (a frame
    that is not valid shows nothing). Owned by the player, so its connection ends with the player's sink."""

    def __init__(self, player: PlayerPanel) -> None:
        super().__init__(player)
        self.text = ""
        sink = player.video_sink()
        sink.videoFrameChanged.connect(self._received)
        self._received(sink.videoFrame())  # the frame on screen already

    def _received(self, frame: QVideoFrame) -> None:
        self.text = frame.subtitleText() if frame.isValid() else ""


@pytest.fixture
def player(qtbot: QtBot, document: ProjectDocument) -> Iterator[PlayerPanel]:
    panel = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    panel.stop()


@pytest.fixture
def drawn(qtbot: QtBot, player: PlayerPanel) -> Drawn:
    """What the widget draws, once the first frame of the film is on screen."""
    seen = Drawn(player)
    qtbot.waitUntil(lambda: player.video_sink().videoFrame().isValid(), timeout=10_000)
    return seen


def shown(player: PlayerPanel) -> str:
    return player.video_sink().subtitleText()


def test_the_caption_under_the_playhead_is_over_the_picture_and_nothing_between_captions(
    player: PlayerPanel,
) -> None:
    player.seek(1_000_000)
    assert shown(player) == "Where is the boat?", "the words as exported: no speaker's name"
    player.seek(2_000_000)
    assert shown(player) == ""
    player.seek(3_000_000)
    assert shown(player) == "Gone with the tide."
    player.step(-1)
    assert shown(player) == "Gone with the tide."
    player.go_start()
    assert shown(player) == ""


def test_playing_into_a_caption_shows_it_and_playing_out_of_it_takes_it_away(
    qtbot: QtBot, player: PlayerPanel, drawn: Drawn
) -> None:
    player.seek(200_000)
    assert shown(player) == ""
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: shown(player) == drawn.text == "Where is the boat?", timeout=5000)
    qtbot.waitUntil(lambda: player.position_us >= BOAT.end_us and shown(player) == drawn.text == "", timeout=5000)
    player.pause()


def test_paused_the_picture_on_screen_is_drawn_again_with_each_edit_undo_redo_and_captions_made_again(
    qtbot: QtBot, player: PlayerPanel, drawn: Drawn, document: ProjectDocument
) -> None:
    player.seek(1_000_000)
    qtbot.waitUntil(lambda: drawn.text == "Where is the boat?", timeout=5000)
    # paused, no frame comes by itself: each change must reach the picture at once, not at the next move
    document.execute(commands.set_caption_text(BOAT.id, "Where did the boat go?"))
    assert shown(player) == drawn.text == "Where did the boat go?"
    document.execute(commands.move_caption(BOAT.id, 1_200_000))
    assert shown(player) == drawn.text == "", "moved off the playhead"
    document.undo()
    assert shown(player) == drawn.text == "Where did the boat go?"
    document.undo()
    assert shown(player) == drawn.text == "Where is the boat?"
    document.redo()
    assert shown(player) == drawn.text == "Where did the boat go?"
    document.execute(commands.set_captions((Caption("c-new", 0, 2_000_000, "All new words."),)))
    assert shown(player) == drawn.text == "All new words."
    document.execute(commands.remove_caption("c-new"))
    assert shown(player) == drawn.text == ""


def test_a_caption_over_a_shot_without_a_take_is_drawn_over_black(
    qtbot: QtBot, player: PlayerPanel, drawn: Drawn, document: ProjectDocument
) -> None:
    document.execute(commands.add_shot(Shot(new_id(), prompt="The harbour at night, no take yet")))
    empty = layout(document.project)[-1]
    assert empty.take is None
    words = Caption("c-night", empty.start_us, empty.cut_us, "Nobody comes back at night.")
    document.execute(commands.set_captions((BOAT, words)))
    player.seek(empty.start_us + 200_000)
    qtbot.waitUntil(lambda: drawn.text == "Nobody comes back at night.", timeout=5000)
    qtbot.wait(300)  # the stopped media's empty frame comes after: the caption stays
    assert drawn.text == "Nobody comes back at night."
    document.execute(commands.set_caption_text(words.id, "Nobody ever comes back."))
    assert drawn.text == "Nobody ever comes back."
    player.seek(1_000_000)
    qtbot.waitUntil(lambda: drawn.text == "Where is the boat?", timeout=5000)


def test_view_menu_turns_the_captions_off_and_on_and_the_choice_lasts(
    qtbot: QtBot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    settings = tmp_path / "settings"
    with shown_window(qtbot, app_context, settings) as win:
        toggle = win.menus.captions_in_viewer
        assert toggle.isCheckable() and toggle.isChecked(), "on by default"
        player = _open_with_a_caption(win, project_path)
        assert shown(player) == "Where is the boat?"
        seen = settled(qtbot, player, "Where is the boat?")
        toggle.trigger()
        assert not toggle.isChecked() and shown(player) == seen.text == "", "at once, paused"
        assert SettingsStore(settings).load().captions_in_viewer is False
        player.seek(1_100_000)
        assert shown(player) == "", "off stays off as the playhead moves"
    with shown_window(qtbot, app_context, settings) as again:
        toggle = again.menus.captions_in_viewer
        assert not toggle.isChecked(), "the choice lasts to the next start"
        player = _open_with_a_caption(again, project_path)
        assert shown(player) == ""
        seen = settled(qtbot, player, "")
        toggle.trigger()
        assert toggle.isChecked() and shown(player) == seen.text == "Where is the boat?"
        assert SettingsStore(settings).load().captions_in_viewer is True


def settled(qtbot: QtBot, player: PlayerPanel, text: str) -> Drawn:
    """What the player draws, once it draws `text` and its media has sent the frames a seek brings."""
    seen = Drawn(player)
    qtbot.waitUntil(lambda: player.video_sink().videoFrame().isValid() and seen.text == text, timeout=10_000)
    qtbot.wait(QUIET_MS)
    assert seen.text == text
    return seen


def _open_with_a_caption(win: MainWindow, project_path: Path) -> PlayerPanel:
    """`project_path` open in `win` with the caption BOAT, the playhead inside it."""
    assert win.open_project(project_path)
    assert win.document is not None
    win.document.execute(commands.set_captions((BOAT,)))
    player = win.panels["player"]
    assert isinstance(player, PlayerPanel)
    player.seek(1_000_000)
    return player


def test_a_settings_folder_that_refuses_leaves_the_choice_for_this_run_and_says_why_in_the_log(
    app_context: AppContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not a folder"
    blocked.write_text("a file where the settings folder should be")
    app_context.settings_store = SettingsStore(blocked)
    preferences.show_captions_in_viewer(app_context, False)
    assert app_context.settings.captions_in_viewer is False
    assert "Could not remember whether captions show in the viewer" in caplog.text
