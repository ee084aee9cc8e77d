"""The player's wiring: real key presses on a PlayerPanel over a real project change the project as the CLI would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from shotline.core import edits
from shotline.core.timecode import frame_time_us, snap_to_frame
from shotline.core.timeline import film_length_us, layout
from shotline.services.context import AppContext
from shotline.services.playback import Mode, Transport
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def player(qtbot: QtBot, document: ProjectDocument) -> Iterator[PlayerPanel]:
    panel = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    panel.setFocus()
    qtbot.waitUntil(panel.hasFocus)
    yield panel
    panel.stop()


def press(qtbot: QtBot, panel: PlayerPanel, key: Qt.Key) -> None:
    qtbot.keyClick(panel, key)


def test_o_and_i_at_the_playhead_trim_the_shot_under_it_like_the_cli(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    second = layout(document.project)[1]
    assert second.take is not None
    original = document.project
    # A playhead 0.61 s into the second shot: not on a frame, so the trim must be snapped as `shotline trim` snaps it.
    player.seek(second.start_us + 610_000)
    press(qtbot, player, Qt.Key.Key_O)
    expected = edits.trim_shot(original, second.shot.id, second.take.trim.in_us, second.take.trim.in_us + 610_000)
    assert document.project.shot(second.shot.id) == expected.shot(second.shot.id)
    assert document.project.shot(second.shot.id).picked_take.trim.out_us == snap_to_frame(  # type: ignore[union-attr]
        610_000,
        second.take.info.fps,  # type: ignore[arg-type]
    )

    after_out = document.project
    player.seek(second.start_us + 200_000)
    press(qtbot, player, Qt.Key.Key_I)
    trim_after_out = after_out.shot(second.shot.id).picked_take.trim  # type: ignore[union-attr]
    expected = edits.trim_shot(after_out, second.shot.id, trim_after_out.in_us + 200_000, trim_after_out.out_us)
    assert document.project == expected
    # The frame that was shown is now the shot's first, and the playhead stays on it.
    assert player.position_us == layout(document.project)[1].start_us

    document.undo()
    document.undo()
    assert document.project == original


def test_j_k_l_set_direction_and_double_the_speed(qtbot: QtBot, player: PlayerPanel) -> None:
    states = []
    for key in (Qt.Key.Key_L, Qt.Key.Key_L, Qt.Key.Key_L, Qt.Key.Key_L, Qt.Key.Key_K, Qt.Key.Key_J, Qt.Key.Key_J):
        press(qtbot, player, key)
        states.append((player.transport.direction, player.transport.speed))
    assert states == [(1, 1), (1, 2), (1, 4), (1, 4), (0, 1), (-1, 1), (-1, 2)]
    press(qtbot, player, Qt.Key.Key_L)
    assert player.transport == Transport(1, 1)
    press(qtbot, player, Qt.Key.Key_K)
    assert not player.transport.playing


def test_space_toggles_the_requested_play_state(qtbot: QtBot, player: PlayerPanel) -> None:
    assert not player.transport.playing
    press(qtbot, player, Qt.Key.Key_Space)
    assert player.transport == Transport(1, 1)
    press(qtbot, player, Qt.Key.Key_Space)
    assert not player.transport.playing


def test_reverse_play_moves_the_playhead_back_without_the_decoder(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    player.seek(film_length_us(document.project) // 2)
    start = player.position_us
    press(qtbot, player, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: player.position_us < start - 100_000, timeout=3000)
    press(qtbot, player, Qt.Key.Key_K)


def test_arrows_step_one_frame_of_the_take_and_pause(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    first = layout(document.project)[0]
    assert first.take is not None and first.take.info.fps is not None
    fps = first.take.info.fps
    player.seek(first.start_us + frame_time_us(10, fps))
    press(qtbot, player, Qt.Key.Key_Space)
    press(qtbot, player, Qt.Key.Key_Right)
    assert not player.transport.playing
    assert player.position_us == first.start_us + frame_time_us(11, fps)
    press(qtbot, player, Qt.Key.Key_Left)
    press(qtbot, player, Qt.Key.Key_Left)
    assert player.position_us == first.start_us + frame_time_us(9, fps)


def test_home_and_end_go_to_the_ends_of_the_film_or_the_shot(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    placements = layout(document.project)
    fps = document.project.settings.fps
    player.seek(placements[1].start_us + 300_000)
    press(qtbot, player, Qt.Key.Key_End)
    # the last frame, which the viewer shows, not the time after it
    assert player.position_us == film_length_us(document.project) - frame_time_us(1, fps)
    press(qtbot, player, Qt.Key.Key_Home)
    assert player.position_us == 0

    player._selection.select([placements[1].shot.id])
    player.set_mode(Mode.SHOT)
    assert player.position_us == placements[1].start_us
    press(qtbot, player, Qt.Key.Key_End)
    assert player.position_us == placements[1].end_us - frame_time_us(1, fps)
    press(qtbot, player, Qt.Key.Key_Home)
    assert player.position_us == placements[1].start_us


def test_the_player_follows_the_shared_playhead_and_drives_it(player: PlayerPanel, document: ProjectDocument) -> None:
    playhead = player._playhead
    playhead.seek(1_234_000)
    # paused, the playhead stands on the nearest frame (29.6 frames at 24 fps: frame 30)
    assert player.position_us == playhead.position_us == 1_250_000
    player.step(1)
    assert playhead.position_us == player.position_us > 1_234_000


def test_missing_media_is_a_message_not_a_crash(qtbot: QtBot, player: PlayerPanel, document: ProjectDocument) -> None:
    last = layout(document.project)[-1]
    assert last.take is not None
    document.session.bundle.resolve(last.take.media).unlink()
    with qtbot.waitSignal(document.failed) as message:
        player.seek(last.start_us + 100_000)
    assert "missing" in message.args[0]
    press(qtbot, player, Qt.Key.Key_Space)  # playing over the gap still works
    press(qtbot, player, Qt.Key.Key_Space)


def test_timeline_mode_loads_the_take_under_the_playhead_at_its_source_time(
    player: PlayerPanel, document: ProjectDocument
) -> None:
    placements = layout(document.project)
    for placement in (placements[0], placements[1], placements[2], placements[1]):
        assert placement.take is not None
        player._playhead.seek(placement.start_us + 250_000)
        assert player._viewer.loaded == document.session.bundle.resolve(placement.take.media)
        segment = player.playlist.at(player.position_us)
        assert segment is not None and segment.shot_id == placement.shot.id
        assert segment.source_time(player.position_us) == placement.take.trim.in_us + 250_000


def test_transport_keys_work_from_the_timeline_too(qtbot: QtBot, document: ProjectDocument) -> None:
    selection, playhead = ShotSelection(), Playhead()
    player = PlayerPanel(document, selection, playhead)
    timeline = TimelinePanel(document, selection, playhead)
    player.share_shortcuts(timeline)
    for widget in (player, timeline):
        qtbot.addWidget(widget)
    with qtbot.waitActive(timeline):
        timeline.show()
        timeline.activateWindow()
    timeline.canvas.setFocus()
    qtbot.waitUntil(timeline.canvas.hasFocus)
    qtbot.keyClick(timeline.canvas, Qt.Key.Key_L)
    assert player.transport == Transport(1, 1)
    qtbot.keyClick(timeline.canvas, Qt.Key.Key_K)
    first = layout(document.project)[0]
    assert first.take is not None
    playhead.seek(first.start_us + 500_000)
    qtbot.keyClick(timeline.canvas, Qt.Key.Key_O)
    assert document.project.shots[0].picked_take.trim.out_us == first.take.trim.in_us + 500_000  # type: ignore[union-attr]
    player.stop()
