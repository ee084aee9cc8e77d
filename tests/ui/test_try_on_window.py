"""Try on other models… in the window (issue 16): a shot sent to 2–4 backend/model pairs from its right-click menu
or the Film menu, each pair's estimate and the total shown before sending, the spend question when it is paid, the
takes landing captioned by model, cost and time taken, and opening side by side to pick from."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from shotline.core import commands
from shotline.core.model import GenerationSettings, Size, Take
from shotline.services.context import AppContext
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.compare_grid import CompareGrid
from shotline.ui.dialogs.try_on import TryOnDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.main_window import MainWindow
from shotline.ui.timeline import geometry
from tests.fakes.fal import KEY as FAL_KEY
from tests.fakes.fal import FakeFal
from tests.fakes.runway import KEY as RUNWAY_KEY
from tests.fakes.runway import FakeRunway
from tests.ui.shell_fixtures import shown_window
from tests.ui.test_context_menus import Menus

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

WAIT_MS = 60_000
PAID = GenerationSettings(backend="runway", model="gen4.5", duration_us=5_000_000, audio=False)


@pytest.fixture
def window(qtbot: Any, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(1600, 1000)
        assert win.open_project(project_path)
        QApplication.processEvents()
        yield win


def _dialog(window: MainWindow) -> TryOnDialog:
    (dialog,) = [d for d in window.findChildren(TryOnDialog) if d.isVisible()]
    return dialog


def test_a_shot_tried_on_two_models_from_its_card_opens_their_takes_side_by_side(
    qtbot: Any, window: MainWindow
) -> None:
    document = window.document
    assert document is not None
    view = window.panels["storyboard"].view  # type: ignore[attr-defined]
    entries = Menus(window).right_click(view.viewport(), view.visualRect(view.model().index(1, 0)).center())
    assert "Try on other models…" in entries
    entries["Try on other models…"].trigger()
    dialog = _dialog(window)
    shot = document.project.shots[1]

    # no key set anywhere: the second pair is another model of the shot's own backend, free on this computer
    assert [pair.model for pair in dialog.pairs()] == ["card", "silent-card"]
    assert dialog.heading.text() == "Try shot 2 · Shot 2 on other models"
    assert [row.text for row in dialog.rows[:2]] == [
        "a 2 s clip at 16:9 · free",
        # what a model cannot take is said per pair before sending, as the inspector says it
        "a 2 s clip at 16:9 · free\nTitle card, no sound cannot take this shot's sound: it will not be sent.",
    ]
    assert dialog.total.text().startswith("Total for 2 takes: free. Project: ")
    assert dialog.try_button.text() == "Try on 2 models · free" and dialog.try_button.isEnabled()

    qtbot.mouseClick(dialog.try_button, Qt.MouseButton.LeftButton)  # free: no question, sent at once
    assert dialog.spend_question is None
    qtbot.waitUntil(lambda: bool(window.findChildren(CompareGrid)), timeout=WAIT_MS)
    (grid,) = window.findChildren(CompareGrid)
    # numbered as they landed, each captioned by the model that made it, its cost and its time
    titles = sorted(cell.title.text().partition(" · ")[2] for cell in grid.cells)
    assert titles == ["Animatic (offline) · Title card", "Animatic (offline) · Title card, no sound"]
    assert all(cell.facts.text().startswith("free · made in 0:") for cell in grid.cells)
    assert [t.id for t in grid.takes] == [t.id for t in document.project.shot(shot.id).takes[1:]]
    grid.close()
    # and the shot's list of takes tells them apart the same way
    takes = window.panels["inspector"].takes_list  # type: ignore[attr-defined]
    rows = [takes.item(row).text() for row in range(takes.count())]
    assert re.fullmatch(
        r"Take 2 · 2 s · Animatic \(offline\) · Title card(, no sound)?\nfree · made in 0:\d\d", rows[1]
    )


def test_the_film_menu_asks_for_a_shot_first(qtbot: Any, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    said: list[str] = []
    document.failed.connect(said.append)
    window.selection.select([])
    window.menus.try_on.trigger()
    assert said == ["Select a shot to try it on other models."]
    assert not window.findChildren(TryOnDialog)

    window.selection.select([document.project.shots[0].id])
    window.menus.try_on.trigger()
    assert _dialog(window).heading.text() == "Try shot 1 · Shot 1 on other models"


@pytest.fixture
def paid_project(tmp_path: Path) -> Path:
    path = tmp_path / "paid.shotline"
    with ProjectSession.create(path, title="Paid", size=Size(320, 180)) as session:
        add_shot(session, "A lighthouse at dawn, waves on the rocks", title="Dawn", generation=PAID)
        session.save()
    return path


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, app_context: AppContext) -> Iterator[tuple[FakeRunway, FakeFal]]:
    with FakeRunway() as runway, FakeFal() as fal:
        monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", runway.url)
        monkeypatch.setenv("SHOTLINE_FAL_BASE_URL", fal.url)
        monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "0.05")
        app_context.secrets.set("runway", RUNWAY_KEY)
        app_context.secrets.set("fal", FAL_KEY)
        yield runway, fal


def test_a_paid_try_on_asks_first_then_its_takes_land_captioned_by_model_cost_and_time(
    qtbot: Any, app_context: AppContext, paid_project: Path, fakes: tuple[FakeRunway, FakeFal]
) -> None:
    runway, fal = fakes
    document = ProjectDocument(app_context, ProjectSession.open(paid_project), Bridge())
    compared: list[list[Take]] = []
    shot_id = document.project.shots[0].id
    dialog = TryOnDialog(document, shot_id, compared.append)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        dialog.choose(2, "fal", "kling-3-standard")
        assert dialog.rows[0].text == "a 5 s clip at 16:9 · ≈ $0.60"
        assert dialog.rows[1].text == "a 5 s clip at 16:9 · ≈ $0.42"  # without sound, as the shot asks
        assert dialog.total.text().startswith("Total for 2 takes: ≈ $1.02. Project: ")
        assert dialog.try_button.text() == "Try on 2 models · ≈ $1.02"

        dialog.send()
        question = dialog.spend_question
        assert question is not None and "Trying this shot on 2 models is estimated at about $1.02." in question.text()
        assert question.windowTitle() == "This try-on costs money"
        question.button(QMessageBox.StandardButton.No).click()
        assert runway.creates() == [] and fal.submits() == [] and document.jobs() == []  # a no sends nothing
        assert dialog.job_ids == [] and dialog.try_button.isEnabled()  # and it can still be sent

        dialog.send()
        question = dialog.spend_question
        assert question is not None
        question.button(QMessageBox.StandardButton.Yes).click()
        assert dialog.running()
        dialog.reject()  # closed while the models work: only hidden, the takes still open side by side
        assert dialog.isHidden()
        qtbot.waitUntil(lambda: bool(compared), timeout=WAIT_MS)

        (takes,) = compared
        assert [(t.generation.backend, t.generation.model) for t in takes if t.generation] == [
            ("runway", "gen4.5"),
            ("fal", "kling-3-standard"),
        ]
        assert len(runway.creates()) == len(fal.submits()) == 1  # each pair sent once
        # each pair's row says which take it made (numbered as they landed), its cost and the time it took
        first, second = (row.text for row in dialog.rows[:2])
        assert re.fullmatch(r"Take [12] landed · \$0\.60 billed · made in 0:\d\d", first), first
        assert re.fullmatch(r"Take [12] landed · ≈ \$0\.42 · not reported · made in 0:\d\d", second), second
        assert not dialog.isVisible()
    finally:
        document.close()


def test_a_pair_given_twice_or_a_provider_without_a_key_is_refused_before_sending(
    qtbot: Any, app_context: AppContext, paid_project: Path
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(paid_project), Bridge())
    dialog = TryOnDialog(document, document.project.shots[0].id, lambda _takes: None)
    qtbot.addWidget(dialog)
    try:
        dialog.choose(3, "runway", "gen4.5")
        # said on the pair the creator set, in the names they see; the others stay priced
        assert dialog.rows[2].text == "The same model as pair 1: choose another."
        assert dialog.problem.text() == "Each model is tried once: choose another for the pair marked, or leave it out."
        assert dialog.rows[0].text == "a 5 s clip at 16:9 · ≈ $0.60"
        assert not dialog.try_button.isEnabled()
        dialog.choose(3, "")
        dialog.choose(2, "runway", "gen4.5")
        assert dialog.problem.text() == "Choose two different models at least, to compare them."
        assert not dialog.try_button.isEnabled()
        dialog.choose(3, "runway")  # a backend chosen again starts on a model no other pair has
        assert [pair.model for pair in dialog.pairs()] == ["gen4.5", "gen4.5", "veo3.1"]
        dialog.choose(3, "")

        dialog.choose(2, "animatic", "card")
        assert dialog.problem.text() == (
            "Runway needs an API key first: add it in Edit → API keys…, or choose another model."
        )
        assert not dialog.try_button.isEnabled()
        assert dialog.rows[0].text == "a 5 s clip at 16:9 · ≈ $0.60"  # still priced, to choose by

        # the creator goes to Edit → API keys… (another window), sets the key, and comes back to the dialog
        dialog.show()
        keys = QWidget()
        qtbot.addWidget(keys)
        keys.show()
        keys.activateWindow()
        qtbot.waitUntil(keys.isActiveWindow)
        app_context.secrets.set("runway", RUNWAY_KEY)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: dialog.try_button.isEnabled())  # checked again on coming back
        assert dialog.problem.isHidden()
        dialog.choose(3, "animatic", "silent-card")
        assert dialog.problem.isHidden() and dialog.try_button.isEnabled()
        assert dialog.try_button.text() == "Try on 3 models · ≈ $0.60"
        dialog.choose(3, "")  # an optional pair left out again
        assert dialog.try_button.text() == "Try on 2 models · ≈ $0.60"
    finally:
        document.close()


def test_the_card_and_the_clip_menus_offer_it(qtbot: Any, window: MainWindow) -> None:
    menus = Menus(window)
    canvas = window.panels["timeline"].canvas  # type: ignore[attr-defined]
    box = canvas.geometry_.boxes[0]
    entries = menus.right_click(canvas, QPoint(round(box.x0 + box.width / 3), geometry.CLIP_TOP + 20))
    assert "Try on other models…" in entries


def test_a_try_on_the_budget_cannot_afford_is_refused_before_sending(
    qtbot: Any, app_context: AppContext, paid_project: Path, fakes: tuple[FakeRunway, FakeFal]
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(paid_project), Bridge())
    settings = dataclasses.replace(document.project.settings, budget=Decimal("1.00"))
    document.execute(commands.set_project_settings(settings))
    dialog = TryOnDialog(document, document.project.shots[0].id, lambda _takes: None)
    qtbot.addWidget(dialog)
    try:
        dialog.choose(2, "fal", "kling-3-standard")  # ≈ $1.02 together: over the $1.00 budget
        assert "budget" in dialog.problem.text() and "$1.00" in dialog.problem.text()
        assert not dialog.try_button.isEnabled()
        dialog.send()
        assert document.jobs() == []
    finally:
        document.close()


def test_a_pair_whose_provider_refuses_says_why_on_its_row_and_nothing_opens_to_compare(
    qtbot: Any, app_context: AppContext, paid_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeRunway() as runway, FakeFal(exhausted=True) as fal:
        monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", runway.url)
        monkeypatch.setenv("SHOTLINE_FAL_BASE_URL", fal.url)
        monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "0.05")
        app_context.secrets.set("runway", RUNWAY_KEY)
        app_context.secrets.set("fal", FAL_KEY)
        app_context.settings = dataclasses.replace(app_context.settings, ask_above_usd="5.00")  # asks above $5
        document = ProjectDocument(app_context, ProjectSession.open(paid_project), Bridge())
        compared: list[list[Take]] = []
        dialog = TryOnDialog(document, document.project.shots[0].id, compared.append)
        qtbot.addWidget(dialog)
        try:
            dialog.choose(2, "fal", "kling-3-standard")
            dialog.send()
            assert dialog.spend_question is None  # under the creator's threshold: sent at once
            qtbot.waitUntil(lambda: bool(dialog.job_ids) and not dialog.running(), timeout=WAIT_MS)
            qtbot.waitUntil(lambda: "landed" in dialog.rows[0].text, timeout=WAIT_MS)

            assert compared == []
            assert dialog.isVisible()  # said, not lost
            assert dialog.problem.text() == (
                "Only one take landed: there is nothing to compare it with. It is on the shot's list of takes."
            )
            # the provider's reason, in its own words and case
            assert dialog.rows[1].text.startswith("Failed: Your fal.ai account has run out of credit"), dialog.rows[
                1
            ].text
            assert "Top it up at fal.ai/dashboard/billing" in dialog.rows[1].text
        finally:
            document.close()


def test_a_project_closed_while_its_models_work_leaves_the_dialog_quietly(
    qtbot: Any,
    app_context: AppContext,
    paid_project: Path,
    fakes: tuple[FakeRunway, FakeFal],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "30")  # the jobs stay at their providers while the project closes
    document = ProjectDocument(app_context, ProjectSession.open(paid_project), Bridge())
    compared: list[list[Take]] = []
    dialog = TryOnDialog(document, document.project.shots[0].id, compared.append)
    qtbot.addWidget(dialog)
    dialog.show()
    document.paid_generate_agreed = True
    dialog.choose(2, "fal", "kling-3-standard")
    dialog.send()
    qtbot.waitUntil(lambda: len(fakes[0].creates()) == len(fakes[1].submits()) == 1, timeout=WAIT_MS)
    dialog.reject()  # hidden while the models work
    assert dialog.isHidden() and dialog.running()

    document.close()  # the creator closes the project: the jobs resume next time it opens
    qtbot.wait(300)  # the stopped jobs' last word reaches the window
    assert dialog.isHidden(), "a closing project's try-on popped up saying no take landed"
    assert compared == []
