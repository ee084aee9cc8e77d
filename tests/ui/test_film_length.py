"""The window shows the film's length the export renders, to the frame (issue 11): the status bar, the timeline's
header, the player, the export dialog and `shotline info`'s report say the same, with mixed frame rates and a
crossfade; the window's surfaces all in the clock the creator chose (timecode by default, or seconds as `info`).

2.52 s at 25 fps and 1.7 s at 30 fps in a 24 fps project: 4.22 s of shots, 101 frames (4.208 s) at 24 fps; with
a 0.5 s crossfade 3.72 s, 89 frames (3.708 s).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from shotline.core import commands
from shotline.core.frames import clock_style, format_clock
from shotline.core.model import ExportSettings, Size, Transition, TransitionKind
from shotline.core.timecode import frame_time_us
from shotline.core.timeline import film_frames
from shotline.services.context import AppContext
from shotline.services.export import plan
from shotline.services.importing import import_files
from shotline.services.report import project_report
from shotline.services.session import ProjectSession
from shotline.services.sound import crossfade
from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.main_window import MainWindow
from shotline.ui.player import PlayerPanel
from shotline.ui.timeline import TimelinePanel
from tests.clips import make_clip
from tests.ui.shell_fixtures import shown_window

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def mixed_film(tmp_path: Path) -> Path:
    first = make_clip(tmp_path / "harbour.mp4", seconds=2.52, fps="25", size=(160, 90), audio=(48_000, 2))
    second = make_clip(tmp_path / "gulls.mp4", seconds=1.7, fps="30", size=(160, 90), audio=(48_000, 2))
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90), fps=Fraction(24)) as session:
        import_files(session, [first, second])
        crossfade(session, "1", 500_000)
        session.save()
    return path


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def shown_lengths(qtbot, window: MainWindow) -> dict[str, str]:
    """The film's length wherever the window and `info` show it (the window as the creator chose to read times)."""
    document = window.document
    assert document is not None
    timeline = window.panels["timeline"]
    assert isinstance(timeline, TimelinePanel)
    dialog = ExportDialog(document)
    qtbot.addWidget(dialog)
    player = window.panels["player"]
    assert isinstance(player, PlayerPanel)
    player.go_end()
    [player_time] = [label for label in player.findChildren(QLabel) if label.toolTip().startswith("Position / length")]
    frames = plan(document.session, ExportSettings.for_project(document.project)).frames
    fps, style = document.project.settings.fps, clock_style(window.ctx.settings.clock_style)
    return {
        "status bar": window.duration_label.text(),
        "timeline header": timeline.total_label.text().rsplit(" · ", 1)[1],
        "export dialog": dialog.summary.text().split(" · ")[1],
        "export dialog range end": dialog.to_spin.text(),  # the range's "to", the film's end until changed
        "info": project_report(document.project, [])["duration"],
        "player's length": player_time.text().split(" / ")[1],
        # End stands on the last frame, which ends where the film does
        "player's end": format_clock(player.position_us + frame_time_us(1, fps), fps, style),
        "export plan": f"{frames} frames",
    }


@pytest.mark.parametrize(
    ("style", "crossfaded", "cut"),
    [
        ("frames", "00:00:03:17", "00:00:04:05"),  # timecode, the default: 89 frames are 3 s and 17 frames at 24 fps
        ("seconds", "00:00:03.708", "00:00:04.208"),  # as `info` reads it
    ],
)
def test_every_surface_shows_the_length_the_export_renders(
    qtbot, window: MainWindow, mixed_film: Path, style: str, crossfaded: str, cut: str
) -> None:
    # one preference: every surface of the window reads the length in the clock the creator chose; `info` (the
    # command line's report) always in seconds
    window.ctx.settings = dataclasses.replace(window.ctx.settings, clock_style=style)
    assert window.open_project(mixed_film)
    document = window.document
    assert document is not None
    assert film_frames(document.project) == 89
    shown = shown_lengths(qtbot, window)
    assert shown == {name: crossfaded for name in shown} | {"info": "00:00:03.708", "export plan": "89 frames"}

    # the crossfade made a cut again: every surface follows, still in whole frames
    document.execute(commands.set_transition(document.project.shots[0].id, Transition(TransitionKind.CUT, 0)))
    assert film_frames(document.project) == 101
    shown = shown_lengths(qtbot, window)
    assert shown == {name: cut for name in shown} | {"info": "00:00:04.208", "export plan": "101 frames"}
