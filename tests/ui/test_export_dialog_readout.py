"""Issue 14, point 11, through the export dialog's widgets: the whole film is the default even with a shot
selected, the route line is shown whole, the bar and the sentence never show two percentages, and the time left
moves smoothly when the work goes unevenly (a faked clock, so nothing here depends on the machine's speed)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.export_dialog import SELECTED_SHOT, WHOLE_FILM, ExportDialog
from shotline.ui.document import ProjectDocument

pytestmark = pytest.mark.ffmpeg

LONG_ROUTE = (
    "Re-encode. The frame is 1920x1080 and shots 1, 2 and 4 are 1280x720, so their pictures are scaled. "
    "Shot 3 runs at 30 fps in a 24 fps film. Loudness normalisation needs the sound mixed and encoded. "
    "The picture is written with libx264 at the preset's quality."
)


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def dialog(qtbot, document: ProjectDocument) -> ExportDialog:
    widget = ExportDialog(document, selected_shot=document.project.shots[1].id)
    qtbot.addWidget(widget)
    return widget


def _report(dialog: ExportDialog, monkeypatch: pytest.MonkeyPatch, at_s: float, fraction: float) -> None:
    """One progress report from the render, `at_s` seconds after it started (on a faked clock)."""
    with monkeypatch.context() as clock:
        clock.setattr("time.monotonic", lambda: 1000.0 + at_s)
        dialog.outcome.progressed(fraction)


def _start_reporting(dialog: ExportDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The dialog's readout as a render starts (the render itself is not run: its reports are made up here)."""
    with monkeypatch.context() as clock:
        clock.setattr("time.monotonic", lambda: 1000.0)
        dialog.outcome.begin(tmp_path / "film.mp4")


def test_with_a_shot_selected_the_whole_film_is_still_the_default(dialog: ExportDialog) -> None:
    assert dialog.scope_combo.currentData() == WHOLE_FILM
    assert dialog.settings().range is None
    assert dialog.scope_combo.model().item(1).isEnabled()  # type: ignore[attr-defined]
    dialog.choose(dialog.scope_combo, SELECTED_SHOT)  # the part is there, as a deliberate choice
    assert dialog.settings().range is not None


def test_the_route_line_is_shown_whole(qtbot, dialog: ExportDialog) -> None:
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.route_pending, timeout=30_000)
    dialog.route_label.setText(LONG_ROUTE)  # as a long answer from the route check would set it
    QApplication.processEvents()
    label = dialog.route_label
    assert label.wordWrap()
    needed = label.heightForWidth(label.width())
    assert label.height() >= needed, f"the route line is {label.height()} px tall and needs {needed}"
    assert label.geometry().bottom() <= dialog.rect().bottom()


def test_the_bar_and_the_sentence_never_show_two_percentages(dialog: ExportDialog, monkeypatch, tmp_path: Path) -> None:
    _start_reporting(dialog, monkeypatch, tmp_path)
    for fraction in (0.1251, 0.4449, 0.5, 0.999):
        _report(dialog, monkeypatch, 10.0, fraction)
        shown = set(re.findall(r"\d+%", dialog.progress.text())) | set(re.findall(r"\d+%", dialog.status.text()))
        assert len(shown) == 1, (dialog.progress.text(), dialog.status.text())


def _seconds_left(text: str) -> int:
    match = re.search(r"about (\d+):(\d\d) left", text)
    assert match, text
    return int(match[1]) * 60 + int(match[2])


def test_time_left_moves_smoothly_when_the_work_goes_unevenly(
    dialog: ExportDialog, monkeypatch, tmp_path: Path
) -> None:
    _start_reporting(dialog, monkeypatch, tmp_path)
    # a steady start, then a stretch where progress nearly stalls (a slow shot), then it runs fast again
    reports = [(2.0, 0.08), (3.0, 0.12), (4.0, 0.125), (5.0, 0.128), (6.0, 0.13), (7.0, 0.135), (8.0, 0.2)]
    reports += [(9.0, 0.3), (10.0, 0.4)]
    shown: list[tuple[float, int]] = []
    for at_s, fraction in reports:
        _report(dialog, monkeypatch, at_s, fraction)
        shown.append((at_s, _seconds_left(dialog.status.text())))
    for (before_s, before), (after_s, after) in itertools.pairwise(shown):
        step = after_s - before_s
        assert after - before <= step + 1, f"time left leapt from {before} s to {after} s in {step} s: {shown}"
        assert before - after <= 3 * step + 1, f"time left dropped from {before} s to {after} s in {step} s: {shown}"


def test_time_left_keeps_moving_while_no_progress_arrives(dialog: ExportDialog, monkeypatch, tmp_path: Path) -> None:
    """Seen in the dialogs walk: a 4K export sat at 13% saying "about 0:12 left" for seven seconds, because the
    guess was only worked out when the render reported, and it reports rarely on a long shot."""
    _start_reporting(dialog, monkeypatch, tmp_path)
    _report(dialog, monkeypatch, 2.0, 0.10)
    _report(dialog, monkeypatch, 4.0, 0.13)
    before = _seconds_left(dialog.status.text())
    shown = [before]
    for at_s in (5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0):  # no report from the render: the dialog's own clock ticks
        with monkeypatch.context() as clock:
            clock.setattr("time.monotonic", lambda at_s=at_s: 1000.0 + at_s)
            dialog.outcome.clock.timeout.emit()
        shown.append(_seconds_left(dialog.status.text()))
    assert len(set(shown)) > 1, f"the time left stood still while the export was stalled: {shown}"
    assert all(abs(b - a) <= 2 for a, b in itertools.pairwise(shown)), shown
