"""The inspector fits its dock in a 1440×900 window: no sideways scrolling, no control cut off at the right edge.

The main window at the size it opens with, the demo project, the docks at their default sizes; the second shot is
switched through every built-in backend (each shows different rows) and then a sound clip is selected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from shotline.core import commands
from shotline.core.model import MUSIC_LANE
from shotline.services.context import AppContext
from shotline.services.demo import open_or_create_demo
from shotline.services.sound import add_sound
from shotline.ui.inspector import InspectorPanel
from shotline.ui.main_window import MainWindow
from tests.clips import make_clip
from tests.ui.shell_fixtures import shown_window

WIDTH, HEIGHT = 1440, 900


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    demo = tmp_path / "demo.shotline"
    with open_or_create_demo(app_context, demo) as session:
        cue = tmp_path / "a rather long name for a music cue.wav"
        music = make_clip(cue, seconds=2.0, video=False, audio=(48_000, 2))
        add_sound(session, music, MUSIC_LANE, 500_000)
        session.save()
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(WIDTH, HEIGHT)
        assert win.open_project(demo)
        qtbot.waitUntil(lambda: win.size().width() == WIDTH, timeout=5000)
        yield win


def inspector_of(window: MainWindow) -> InspectorPanel:
    panel = window.panels["inspector"]
    assert isinstance(panel, InspectorPanel)
    return panel


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def cut_off(panel: QWidget, within: QWidget) -> list[str]:
    """Visible controls of `panel` whose right edge lies beyond `within`'s right edge."""
    right = within.mapToGlobal(within.rect().topRight()).x()
    found = []
    for child in panel.findChildren(QWidget):
        if child.isVisible() and child.width() > 0:
            edge = child.mapToGlobal(child.rect().topRight()).x()
            if edge > right:
                text = getattr(child, "text", lambda: "")()
                found.append(f"{type(child).__name__} {text!r} ends at {edge} > {right}")
    return found


def test_every_backend_s_shot_settings_fit_the_dock_without_sideways_scrolling(window: MainWindow) -> None:
    inspector = inspector_of(window)
    document = window.document
    assert document is not None
    shot_id = document.project.shots[1].id
    window.selection.select([shot_id])
    checked = []
    for info in document.ctx.registry.infos():
        for model in info.models:
            shot = document.project.shot(shot_id)
            generation = dataclasses.replace(shot.generation, backend=info.id, model=model.id)
            assert document.execute(commands.set_generation(shot_id, generation))
            settle()
            bar = inspector.scroller.horizontalScrollBar()
            viewport = inspector.scroller.viewport()
            where = f"{info.id}/{model.id} in a {window.docks['inspector'].width()} px dock"
            assert not bar.isVisible(), f"a sideways scroll bar shows for {where}"
            assert inspector.content.width() <= viewport.width(), where
            assert cut_off(inspector.content, viewport) == [], where
            checked.append(where)
    assert len(checked) >= 7, checked


def test_a_selected_sound_clip_fits_the_dock(window: MainWindow) -> None:
    inspector = inspector_of(window)
    document = window.document
    assert document is not None
    dock = window.docks["inspector"]
    window.selection.select([document.project.shots[0].id])
    settle()
    default_width = dock.width()
    window.selection.select_audio_clip(document.project.audio[0].id)
    settle()
    clip_panel = inspector.audio_clip_panel
    assert clip_panel.isVisible() and not inspector.scroller.isVisible()
    assert dock.width() == default_width, "the sound clip's controls pushed the dock wider"
    assert clip_panel.minimumSizeHint().width() <= dock.width()
    assert cut_off(clip_panel, dock) == []
