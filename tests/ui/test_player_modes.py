"""The player's mode is visible and follows the creator (issue 14, point 6): the Shot and Timeline buttons look
checked when they are, comparing takes leaves the player in its mode with its picture, and selecting a clip on the
timeline shows that clip in the viewer. Real widgets: a player and a timeline panel, and the main window."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from shotline.core.timeline import layout
from shotline.services.context import AppContext
from shotline.services.importing import import_files
from shotline.services.playback import Mode
from shotline.services.session import ProjectSession
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import CLIP_HEIGHT, CLIP_TOP
from tests.media.numbered import numbered_clip
from tests.ui.shell_fixtures import shown_window
from tests.ui.viewer_probe import FPS, Screen, named_frame, numbered_film

pytestmark = pytest.mark.ffmpeg

ACCENT_TOLERANCE = 40


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    theme.apply(qapp)
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.fixture
def document(app_context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(numbered_film(tmp_path)), Bridge())
    yield doc
    doc.close()


def mode_button(player: PlayerPanel, text: str) -> QToolButton:
    [button] = [b for b in player.findChildren(QToolButton) if b.text() == text]
    return button


def accent_share(widget: QWidget) -> float:
    """How much of the widget's picture is the accent colour."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    rgb = pixels[:, : image.width(), 2::-1].astype(int)  # BGRA in memory
    accent = np.array([theme.ACCENT.red(), theme.ACCENT.green(), theme.ACCENT.blue()])
    return float((np.abs(rgb - accent).max(axis=2) <= ACCENT_TOLERANCE).mean())


def test_the_mode_buttons_show_which_mode_is_on(qtbot: QtBot, themed: QApplication, document: ProjectDocument) -> None:
    player = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(player)
    player.show()
    shot, timeline = mode_button(player, "Shot"), mode_button(player, "Timeline")
    looks = [(accent_share(shot), accent_share(timeline))]
    qtbot.mouseClick(shot, Qt.MouseButton.LeftButton)
    assert player.mode is Mode.SHOT
    looks.append((accent_share(shot), accent_share(timeline)))
    # the checked button is filled with the accent colour, the other carries none of it
    assert [(on > 0.5, off < 0.05) for off, on in looks[:1]] + [(on > 0.5, off < 0.05) for on, off in looks[1:]] == [
        (True, True),
        (True, True),
    ], looks
    player.stop()


def click_clip(qtbot: QtBot, timeline: TimelinePanel, index: int) -> None:
    box = timeline.canvas.geometry_.boxes[index]
    x = round((box.x0 + box.x1) / 2)
    qtbot.mouseClick(timeline.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, CLIP_TOP + CLIP_HEIGHT // 2))


def test_selecting_a_clip_on_the_timeline_shows_it_in_the_viewer(qtbot: QtBot, document: ProjectDocument) -> None:
    selection, playhead = ShotSelection(), Playhead()
    player = PlayerPanel(document, selection, playhead)
    timeline = TimelinePanel(document, selection, playhead)
    for widget in (player, timeline):
        qtbot.addWidget(widget)
        widget.resize(640, 320)
        widget.show()
    screen = Screen(player)
    qtbot.waitUntil(lambda: screen.frame is not None, timeout=10_000)
    first, second = layout(document.project)
    seen = [screen.after(qtbot, lambda: click_clip(qtbot, timeline, 1), lambda: named_frame(player))]
    assert second.start_us <= player.position_us < second.end_us, "the viewer went to the selected clip"
    seen.append(screen.after(qtbot, lambda: click_clip(qtbot, timeline, 0), lambda: named_frame(player)))
    assert first.start_us <= player.position_us < first.end_us
    assert [p.scene for p in seen] == ["B", "A"] and seen[-1] == named_frame(player)
    player.stop()


def two_takes(app_context: AppContext, folder: Path) -> Path:
    """One shot with two numbered takes, and a second shot."""
    clips = [numbered_clip(folder / f"{name}.mp4", frames=48, fps=str(FPS)) for name in ("one", "two", "three")]
    path = folder / "takes.shotline"
    with ProjectSession.create(path, fps=Fraction(FPS)) as session:
        [first, _] = import_files(session, [clips[0], clips[2]])
        import_files(session, [clips[1]], shot_ref=first.shot_id)
        session.save()
    return path


def test_after_comparing_takes_the_player_keeps_its_mode_and_follows_the_selection(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(two_takes(app_context, tmp_path))
        player, timeline, inspector = (window.panels[name] for name in ("player", "timeline", "inspector"))
        assert isinstance(player, PlayerPanel) and isinstance(timeline, TimelinePanel)
        shot = window.document.project.shots[0]  # type: ignore[union-attr]
        inspector.compare_requested.emit(list(shot.takes))  # type: ignore[attr-defined]
        for dialog in QApplication.topLevelWidgets():
            if dialog.isWindow() and dialog is not window and dialog.isVisible():
                dialog.close()  # the creator moves on
        click_clip(qtbot, timeline, 1)
        second = layout(window.document.project)[1]  # type: ignore[union-attr]
        assert player.mode is Mode.TIMELINE
        assert second.start_us <= player.position_us < second.end_us
        qtbot.waitUntil(lambda: player._viewer.loaded is not None, timeout=5_000)
