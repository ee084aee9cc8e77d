"""The jobs panel on real animatic jobs: rows follow the journal, cancel stops a job, "generate again" asks first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from shotline.core import commands
from shotline.core.model import Size
from shotline.core.ports import JobPhase, JobRecord
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.services.shots import shot_status
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.jobs_panel import COST, ELAPSED, MODEL, PROGRESS, SHOT, STATE, JobListModel, JobsPanel
from shotline.ui.selection import ShotSelection
from tests.ui.questions import answer_questions

pytestmark = pytest.mark.ffmpeg

LONG_US = 30_000_000
"""Long enough at 1280x720 that the animatic is still rendering when the test cancels it."""


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def panel(qtbot, document: ProjectDocument) -> JobsPanel:
    widget = JobsPanel(document, ShotSelection())
    qtbot.addWidget(widget)
    return widget


def _make_long(document: ProjectDocument, shot_id: str) -> None:
    settings = replace(document.project.settings, size=Size(1280, 720))
    assert document.execute(commands.set_project_settings(settings))
    shot = document.project.shot(shot_id)
    assert document.execute(commands.set_generation(shot_id, replace(shot.generation, duration_us=LONG_US)))


def _cell(model: JobListModel, job_id: str, column: int) -> str:
    return str(model.index(model.row_of(job_id), column).data())


def test_the_model_passes_qtmodeltester_and_mirrors_the_journal(qtbot, qtmodeltester, document) -> None:
    model = JobListModel(document)
    qtmodeltester.check(model, force_py=True)
    journal = document.jobs()
    assert model.rowCount() == len(journal) == 3
    for record in journal:
        assert _cell(model, record.id, STATE) == "done — take added"
        assert _cell(model, record.id, PROGRESS) == "100%"
        assert _cell(model, record.id, COST) == "free"
        number = document.project.index_of(record.shot_id) + 1
        assert _cell(model, record.id, SHOT) == f"{number} · Shot {number}"
    assert all(re.fullmatch(r"\d+:\d\d", _cell(model, r.id, ELAPSED)) for r in journal)
    # nothing is working, so the elapsed-time tick sleeps
    assert not model.findChild(QTimer).isActive()


def test_generating_inserts_rows_that_are_done_once_their_take_is_in_the_project(
    qtbot, qtmodeltester, document, panel, monkeypatch
) -> None:
    model = panel.model
    shots = [shot.id for shot in document.project.shots[:2]]
    resets: list[object] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.rowsInserted):
        job_ids = document.generate(shots)
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    assert {model.record(row).id for row in range(2)} == set(job_ids)
    assert all(document.is_running(job_id) for job_id in job_ids)
    assert model.findChild(QTimer).isActive()  # working jobs: elapsed time ticks
    qtbot.waitUntil(lambda: not any(document.is_running(job_id) for job_id in job_ids), timeout=60_000)
    for job_id in job_ids:  # done as soon as the take is in the project, before any save
        qtbot.waitUntil(lambda job_id=job_id: _cell(model, job_id, STATE) == "done — take added")
        assert _cell(model, job_id, PROGRESS) == "100%"
    assert [len(document.project.shot(sid).takes) for sid in shots] == [2, 2]
    assert not model.findChild(QTimer).isActive()  # nothing works any more: Elapsed has stopped
    elapsed = {job_id: _cell(model, job_id, ELAPSED) for job_id in job_ids}
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat(timespec="microseconds")
    monkeypatch.setattr("shotline.storage.journal._now", lambda: later)  # the creator saves five minutes on
    assert document.save()
    for job_id in job_ids:
        qtbot.waitUntil(lambda job_id=job_id: document.job(job_id).phase is JobPhase.ATTACHED)
        assert _cell(model, job_id, STATE) == "done — take added"
        assert _cell(model, job_id, ELAPSED) == elapsed[job_id]  # the save did not add five minutes to the job
    assert resets == []
    assert not model.findChild(QTimer).isActive()
    qtmodeltester.check(model, force_py=True)


def test_cancel_stops_a_running_job_and_attaches_nothing(qtbot, document, panel) -> None:
    shot_id = document.project.shots[0].id
    _make_long(document, shot_id)
    takes_before = document.project.shot(shot_id).takes
    [job_id] = document.generate([shot_id])
    qtbot.waitUntil(lambda: panel.model.has(job_id))
    panel.select_job(job_id)
    assert panel.cancel_action.isEnabled() and not panel.retry_action.isEnabled()
    assert "Ctrl+." in panel.cancel_action.toolTip()
    qtbot.waitUntil(lambda: document.job(job_id).phase is JobPhase.SUBMITTED, timeout=30_000)
    with qtbot.waitSignal(document.job_changed, timeout=30_000):
        panel.cancel_action.trigger()
    qtbot.waitUntil(lambda: not document.is_running(job_id), timeout=30_000)
    assert document.job(job_id).phase is JobPhase.CANCELLED
    assert _cell(panel.model, job_id, STATE) == "cancelled"
    assert document.project.shot(shot_id).takes == takes_before
    assert not panel.cancel_action.isEnabled() and panel.retry_action.isEnabled()


def test_generate_again_asks_first_and_starts_one_job_only_on_yes(qtbot, document, panel, monkeypatch) -> None:
    shot_id = document.project.shots[2].id
    _make_long(document, shot_id)
    [job_id] = document.generate([shot_id])
    qtbot.waitUntil(lambda: document.job(job_id).phase is JobPhase.SUBMITTED, timeout=30_000)
    document.cancel_job(job_id)
    qtbot.waitUntil(lambda: not document.is_running(job_id), timeout=30_000)
    # short again, so the job started by "generate again" finishes quickly
    shot = document.project.shot(shot_id)
    assert document.execute(commands.set_generation(shot_id, replace(shot.generation, duration_us=1_000_000)))
    panel.select_job(job_id)
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
    jobs_before = len(document.jobs())
    panel.retry_action.trigger()
    assert len(asked) == 1 and "free" in asked[0] and "Animatic" in asked[0]
    assert len(document.jobs()) == jobs_before and panel.model.rowCount() == jobs_before
    panel.retry_action.trigger()
    assert len(asked) == 2
    new_jobs = [record for record in document.jobs() if record.id != job_id and record.shot_id == shot_id]
    new_jobs = [record for record in new_jobs if record.phase is not JobPhase.ATTACHED]
    assert len(document.jobs()) == jobs_before + 1 and len(new_jobs) == 1
    [again] = new_jobs
    assert (again.backend, again.model) == (document.job(job_id).backend, document.job(job_id).model)
    qtbot.waitUntil(lambda: panel.current_record() is not None and panel.current_record().id == again.id)
    qtbot.waitUntil(lambda: not document.is_running(again.id), timeout=60_000)
    assert document.job(again.id).phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED)  # attached once it is saved
    assert len(document.project.shot(shot_id).takes) == 2


def test_double_click_selects_the_shot(qtbot, document, panel) -> None:
    record = document.jobs()[1]
    selection = panel._selection
    assert selection is not None
    panel.show()
    qtbot.waitExposed(panel)
    index = panel.model.index(panel.model.row_of(record.id), STATE)
    rect = panel.view.visualRect(index)
    activations: list[str] = []
    panel.shot_activated.connect(activations.append)
    # a real double-click is a press, a release, then the double-click event
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(panel.shot_activated) as activated:
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated.args == [record.shot_id] and activations == [record.shot_id]
    assert selection.current == record.shot_id


def test_a_deleted_shot_reads_as_such_and_is_not_activated(qtbot, document, panel) -> None:
    record = document.jobs()[0]
    with qtbot.waitSignal(panel.model.dataChanged):
        assert document.execute(commands.remove_shot(record.shot_id))
    assert _cell(panel.model, record.id, SHOT) == "deleted shot"
    activated: list[str] = []
    panel.shot_activated.connect(activated.append)
    with qtbot.waitSignal(document.failed) as failed:
        panel.view.activated.emit(panel.model.index(panel.model.row_of(record.id), SHOT))
    assert activated == [] and "deleted" in failed.args[0]


def test_an_empty_journal_shows_a_note_instead_of_the_table(qtbot, app_context, tmp_path) -> None:
    from tests.ui.conftest import make_project

    path = tmp_path / "empty.shotline"
    make_project(app_context, path, shots=1, takes=False)
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    try:
        widget = JobsPanel(doc)
        qtbot.addWidget(widget)
        assert widget.model.rowCount() == 0
        assert widget._empty.isVisibleTo(widget) and not widget.view.isVisibleTo(widget)
        assert not widget.cancel_action.isEnabled() and not widget.retry_action.isEnabled()
    finally:
        doc.close()


# ---------------------------------------------------------------------------------------------- issue 14, point 13

IN_FLIGHT = (
    dict(phase=JobPhase.SUBMITTING),
    dict(phase=JobPhase.SENDING),
    dict(phase=JobPhase.SUBMITTED, message="Waiting for a free slot at the provider"),
    dict(phase=JobPhase.SUBMITTED),
    dict(phase=JobPhase.SUBMITTED, progress=0.4),
    dict(phase=JobPhase.DOWNLOADING, progress=0.9),
)


def _journal_jobs(project_path: Path, phases: tuple[dict[str, object], ...]) -> list[JobRecord]:
    """Jobs at the given points of their lives, written to the project's journal as a run would leave them."""
    records = []
    with ProjectSession.open(project_path) as session:
        shot = session.project.shots[0]
        for n, fields in enumerate(phases):
            record = JobRecord(id=f"job-{n}", shot_id=shot.id, backend="animatic", model="card", request={})
            session.journal.add(record)
            records.append(session.journal.update(record.id, **fields) if fields else record)
    return records


def test_a_job_in_flight_reads_as_its_card_does(qtbot, app_context: AppContext, project_path: Path) -> None:
    records = _journal_jobs(project_path, IN_FLIGHT)
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        model = JobListModel(document)
        shot = document.project.shots[0]
        for record in records:
            card = shot_status(shot, [record]).state.value  # the word the storyboard card shows for this job
            assert _cell(model, record.id, STATE) == card, (record.phase, record.message)
            assert _cell(model, record.id, STATE) in ("queued", "running")
    finally:
        document.close()


def test_the_model_column_names_the_model(qtbot, document: ProjectDocument, panel: JobsPanel) -> None:
    for record in document.jobs():
        assert record.model == "card"
        assert _cell(panel.model, record.id, MODEL) == "Title card"  # the backend's name for it, not its id


def test_more_than_three_jobs_are_visible_at_the_panels_smallest(
    qtbot, app_context: AppContext, project_path: Path
) -> None:
    _journal_jobs(project_path, IN_FLIGHT)
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        panel = JobsPanel(document, ShotSelection())
        qtbot.addWidget(panel)
        panel.resize(panel.minimumSizeHint().expandedTo(panel.minimumSize()).width() + 400, 0)
        panel.resize(panel.width(), panel.minimumSizeHint().height())
        panel.show()
        qtbot.waitExposed(panel)
        view = panel.view
        assert view.model().rowCount() == 9
        shown = [
            row for row in range(9) if view.visualRect(view.model().index(row, 0)).bottom() < view.viewport().height()
        ]
        assert len(shown) >= 5, f"only {len(shown)} rows fit at the panel's smallest height"
    finally:
        document.close()


def test_a_narrow_panel_still_shows_each_jobs_state_and_progress(qtbot, document: ProjectDocument) -> None:
    """Seen in the dialogs walk: docked at 300 px the panel showed shot, backend and model, and no state."""
    panel = JobsPanel(document, ShotSelection())
    qtbot.addWidget(panel)
    panel.resize(300, 400)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view
    for column in (SHOT, STATE):
        assert view.columnViewportPosition(column) + view.columnWidth(column) <= view.viewport().width(), column
    assert view.columnViewportPosition(PROGRESS) < view.viewport().width()  # at least begun on screen


def test_a_job_that_ended_unfinished_reads_as_its_card_does(qtbot, app_context: AppContext, project_path: Path) -> None:
    """A blocked prompt's card said "failed" while the jobs panel said "blocked" (seen in the ledger walk)."""
    ended = (dict(phase=JobPhase.FAILED), dict(phase=JobPhase.BLOCKED), dict(phase=JobPhase.UNCERTAIN))
    records = _journal_jobs(project_path, ended)
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    try:
        model = JobListModel(document)
        shot = document.project.shots[0]
        cards = [shot_status(shot, [record]).state.value for record in records]
        assert cards == ["failed", "blocked", "uncertain"]
        for record, card in zip(records, cards, strict=True):
            assert _cell(model, record.id, STATE).startswith(card)  # the panel says more, in the same word
    finally:
        document.close()
