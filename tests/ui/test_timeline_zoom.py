"""The timeline's zoom as a creator meets it (issue 14, point 10): a new project does not open at 0.05 s ticks, the
film is fitted when it opens and when its first takes arrive, and a zoom the creator chose is kept after that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from shotline.core import commands
from shotline.core.model import GenerationSettings, Shot, new_id
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import PAD
from tests.ui.conftest import make_project
from tests.ui.shown_timeline import shown_timeline


@pytest.fixture
def empty_document(app_context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    path = tmp_path / "new.shotline"
    make_project(app_context, path, shots=0)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    yield doc
    doc.close()


def open_panel(qtbot: QtBot, document: ProjectDocument) -> TimelinePanel:
    return shown_timeline(qtbot, document)


def film_end_in_view(panel: TimelinePanel) -> float:
    """Where the film's end is drawn, in the visible part of the timeline."""
    geometry = panel.canvas.geometry_
    return geometry.x_of(geometry.extent_us) - panel.scroll_area.horizontalScrollBar().value()


def fitted(panel: TimelinePanel) -> bool:
    room = panel.scroll_area.viewport().width()
    return room * 0.8 < film_end_in_view(panel) <= room - PAD


def add_shots(document: ProjectDocument, count: int, seconds: int) -> list[str]:
    ids = []
    for _ in range(count):
        shot = Shot(
            id=new_id(), prompt="A gull over the sea", generation=GenerationSettings(duration_us=seconds * 10**6)
        )
        assert document.execute(commands.add_shot(shot))
        ids.append(shot.id)
    return ids


def test_a_new_film_is_fitted_as_shots_and_first_takes_arrive_then_the_creators_zoom_stays(
    qtbot: QtBot, empty_document: ProjectDocument
) -> None:
    document = empty_document
    panel = open_panel(qtbot, document)
    assert panel.canvas.geometry_.ruler_step_us() >= 1_000_000  # not 0.05 s ticks over nothing
    assert panel.canvas.width() >= panel.scroll_area.viewport().width()  # the ruler runs across the view

    ids = add_shots(document, 4, 6)  # 24 s of placeholders: more than the empty view showed
    assert fitted(panel)

    qtbot.keyClick(panel.canvas, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # the creator zooms in
    zoomed = panel.pixels_per_second
    document.generate(ids)
    qtbot.waitUntil(lambda: all(shot.picked_take is not None for shot in document.project.shots), timeout=60_000)
    assert panel.pixels_per_second != zoomed
    assert fitted(panel)  # the first takes: the whole film, fitted

    qtbot.keyClick(panel.canvas, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)  # the creator's own zoom
    chosen = panel.pixels_per_second
    add_shots(document, 6, 6)
    assert panel.pixels_per_second == chosen  # kept: the film now runs past the edge, the creator scrolls
    assert film_end_in_view(panel) > panel.scroll_area.viewport().width()


def test_an_unzoomed_film_stays_fitted_when_it_grows_or_the_panel_narrows(
    qtbot: QtBot, app_context: AppContext, project_path: Path
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        panel = open_panel(qtbot, document)
        assert fitted(panel)  # a reopened project opens fitted
        add_shots(document, 3, 8)
        assert fitted(panel)
        panel.resize(600, 220)  # a banner, a wider dock: less room
        qtbot.waitUntil(lambda: panel.scroll_area.viewport().width() < 600)
        assert fitted(panel)
    finally:
        document.close()
