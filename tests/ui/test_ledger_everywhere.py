"""One figure per job everywhere (services.ledger): a refused, a failed, a cancelled, a blocked and a billed Runway
job, run for real through the window against the fake Runway API, each read the same on the storyboard card, the
inspector, the jobs panel, the budget dialog, `shotline budget`, `shotline jobs` and `shotline info`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shotline.core import commands
from shotline.core.model import GenerationSettings, Size
from shotline.core.ports import JobPhase
from shotline.services.context import AppContext
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.budget import BudgetDialog
from shotline.ui.dialogs.preferences import PreferencesDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.jobs_panel import COST, JobsPanel
from shotline.ui.selection import ShotSelection
from shotline.ui.storyboard.model import ShotListModel, ShotRole
from shotline.ui.storyboard.panel import StoryboardPanel
from tests.cli.shotline_cli import ok
from tests.fakes.runway import KEY, FakeRunway

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

PAID = GenerationSettings(backend="runway", model="gen4.5", duration_us=5_000_000)  # 60 credits: $0.60
SHOTS = {
    # title: (prompt, the figure every surface must show)
    "Refused": ("A harbour at dusk", "$0.00 · not sent"),  # no key here: refused before anything was sent
    "Failed": ("FAILME a gull over the nets", "$0.00 billed"),  # Runway reports 0 credits for a failure
    "Cancelled": ("HOLDME a boat leaving", "≈ $0.60 · not reported"),  # Runway has it and gave no figure
    "Blocked": ("BLOCKME the storm", "$0.00 billed"),  # the safety filter; Runway reports 0 credits
    "Billed": ("A lighthouse at dawn", "$0.60 billed"),
}


class HoldingRunway(FakeRunway):
    """Keeps a HOLDME task running until it is cancelled, so the test cancels a job the provider has."""

    def _advance(self, task: dict[str, Any]) -> dict[str, Any]:
        if "HOLDME" in str(task["body"].get("promptText", "")) and task["status"] != "CANCELLED":
            task["status"] = "RUNNING"
            wire = {"id": task["id"], "createdAt": task["createdAt"], "status": "RUNNING", "progress": 0.5}
            return {**wire, "estimatedCost": {"credits": task["credits"]}}
        return super()._advance(task)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[HoldingRunway]:
    with HoldingRunway() as server:
        monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", server.url)
        monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "0.05")
        yield server


@pytest.fixture
def project(app_context: AppContext, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.shotline"
    with ProjectSession.create(path, title="Ledger", size=Size(320, 180)) as session:
        for title, (prompt, _figure) in SHOTS.items():
            add_shot(session, prompt, title=title, generation=PAID)
        session.save()
    return path


def _wait_for(qtbot: Any, document: ProjectDocument, shot_id: str, phase: JobPhase) -> str:
    def reached() -> bool:
        return any(j.shot_id == shot_id and j.phase is phase for j in document.jobs())

    qtbot.waitUntil(reached, timeout=30_000)
    return next(j.id for j in document.jobs() if j.shot_id == shot_id)


def test_each_job_shows_one_figure_on_every_surface(
    qtbot: Any, app_context: AppContext, fake: HoldingRunway, project: Path
) -> None:
    app_context.secrets.delete("runway")
    document = ProjectDocument(app_context, ProjectSession.open(project), Bridge())
    try:
        ids = {shot.title: shot.id for shot in document.project.shots}
        assert document.generate([ids["Refused"]])  # journaled, then refused at sending: there is no key
        _wait_for(qtbot, document, ids["Refused"], JobPhase.FAILED)

        app_context.secrets.set("runway", KEY)
        assert document.generate([ids["Failed"], ids["Cancelled"], ids["Blocked"], ids["Billed"]])
        held = _wait_for(qtbot, document, ids["Cancelled"], JobPhase.SUBMITTED)
        qtbot.waitUntil(lambda: document.job(held).progress > 0, timeout=30_000)  # running at Runway
        document.cancel_job(held)
        _wait_for(qtbot, document, ids["Cancelled"], JobPhase.CANCELLED)
        _wait_for(qtbot, document, ids["Failed"], JobPhase.FAILED)
        _wait_for(qtbot, document, ids["Blocked"], JobPhase.BLOCKED)
        _wait_for(qtbot, document, ids["Billed"], JobPhase.ATTACHED)
        qtbot.waitUntil(lambda: not any(document.is_running(j.id) for j in document.jobs()), timeout=30_000)
        assert len(fake.creates()) == 4 and fake.cancelled  # the refused one never reached Runway
        jobs = {j.shot_id: j.id for j in document.jobs()}

        cards = ShotListModel(document)
        selection = ShotSelection()
        inspector = InspectorPanel(document, selection)
        qtbot.addWidget(inspector)
        panel = JobsPanel(document, ShotSelection())
        qtbot.addWidget(panel)
        budget = BudgetDialog(document)
        qtbot.addWidget(budget)
        for number, (title, (_prompt, figure)) in enumerate(SHOTS.items(), start=1):
            shot_id = ids[title]
            assert cards.data(cards.index_of(shot_id), ShotRole.COST) == figure, title
            selection.select([shot_id])
            assert inspector.cost_label.text() == f"This shot so far: {figure}", title
            row = panel.model.row_of(jobs[shot_id])
            assert panel.model.index(row, COST).data() == figure, title
            assert f"Shot {number} · {title}: {figure}" in budget.shots.text().splitlines(), title
        assert budget.spent.text() == "$1.20 spent or committed; no budget set."  # the held job's $0.60 + $0.60
    finally:
        document.close()

    said = ok("budget", project).splitlines()
    assert said[0] == "$1.20 spent or committed; no budget set"
    listed = json.loads(ok("jobs", project, "--json"))
    shown = json.loads(ok("info", project, "--json"))["shots"]
    for number, (title, (_prompt, figure)) in enumerate(SHOTS.items(), start=1):
        assert f"  Shot {number} · {title}: {figure}" in said, title
        assert [row["cost"] for row in listed if row["shot"] == number] == [figure], title
        assert shown[number - 1]["cost"] == figure, title


def test_the_take_count_belongs_to_its_shot_and_a_paid_generate_asks_once(
    qtbot: Any, app_context: AppContext, fake: HoldingRunway, project: Path
) -> None:
    app_context.secrets.set("runway", KEY)
    document = ProjectDocument(app_context, ProjectSession.open(project), Bridge())
    try:
        first, second = document.project.shots[4], document.project.shots[0]
        selection = ShotSelection()
        inspector = InspectorPanel(document, selection)
        qtbot.addWidget(inspector)
        board = StoryboardPanel(document, selection)
        qtbot.addWidget(board)
        selection.select([second.id, first.id])
        assert board.generate_action.toolTip().startswith("Generate · ≈ $1.20 — one take of each selected shot")
        selection.select([first.id])
        assert inspector.generate_button.text() == "Generate · ≈ $0.60"
        inspector.takes_spin.setValue(2)
        assert inspector.generate_button.text() == "Generate · ≈ $1.20"  # the total, on the button
        selection.select([second.id])
        assert inspector.takes_spin.value() == 1  # another shot's × 2 does not follow the selection
        assert inspector.generate_button.text() == "Generate · ≈ $0.60"
        selection.select([first.id])
        assert inspector.takes_spin.value() == 2

        assert inspector.generate() == []  # a paid Generate asks first ("$0.00": ask before the first paid one)
        question = inspector.spend_question
        assert question is not None and question.isVisible()
        assert "about $1.20" in question.text() and "2 takes" in question.text()
        question.reject()  # No: nothing is journaled or sent
        assert document.jobs() == [] and fake.creates() == []

        inspector.generate()
        question = inspector.spend_question
        assert question is not None
        question.button(question.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: len(document.jobs()) == 2, timeout=10_000)
        assert inspector.generate() and inspector.spend_question is None  # asked once this session
    finally:
        document.close()


def test_no_question_at_or_below_the_threshold_and_none_for_free_work(
    qtbot: Any, app_context: AppContext, fake: HoldingRunway, project: Path
) -> None:
    app_context.secrets.set("runway", KEY)
    app_context.settings = replace(app_context.settings, ask_above_usd="0.60")
    document = ProjectDocument(app_context, ProjectSession.open(project), Bridge())
    try:
        shot = document.project.shots[4]
        selection = ShotSelection()
        inspector = InspectorPanel(document, selection)
        qtbot.addWidget(inspector)
        selection.select([shot.id])
        assert inspector.generate() and inspector.spend_question is None  # $0.60 is not above $0.60
        animatic = GenerationSettings(duration_us=1_000_000)
        assert document.execute(commands.set_generation(shot.id, animatic))
        assert inspector.generate_button.text() == "Generate"  # free: no figure, no question
        inspector.takes_spin.setValue(4)
        assert inspector.generate() and inspector.spend_question is None
    finally:
        document.close()


def test_the_threshold_is_set_in_preferences_and_kept_exact(qtbot: Any, app_context: AppContext) -> None:
    before = app_context.settings
    try:
        dialog = PreferencesDialog(app_context)
        qtbot.addWidget(dialog)
        assert dialog.ask_above.value() == 0.0  # by default the first paid Generate of a session asks
        dialog.ask_above.setValue(2.5)
        assert dialog.save()
        assert app_context.settings.ask_above_usd == "2.50"
        assert app_context.settings_store.load().ask_above_usd == "2.50"  # written as text, never a float
    finally:
        app_context.settings = before
        app_context.settings_store.save(before)
