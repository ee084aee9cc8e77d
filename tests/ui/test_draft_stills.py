"""Draft stills… in the window (issue 16, stills first): from a shot's right-click menu, the Film menu or the
inspector, N stills by a chosen backend/model, priced and asked about before paying; a grid that fills as each lands
(a failed cell says why in the provider's words) beside the shot's earlier stills; picking one (arrows, Enter) makes
it the shot's first frame in one undo step, a right-click adds it to a cast member; from Cast & places, a member's
pictures drafted from its description. A grid closed while its stills are made only hides, and opens again with them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from shotline.core import commands
from shotline.core.model import CastKind, CastMember, GenerationSettings, Size
from shotline.services.context import AppContext
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from shotline.services.shots import ShotState, shot_status
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.draft_stills import DraftStillsDialog, show_draft_stills
from shotline.ui.document import ProjectDocument
from shotline.ui.jobs_panel import JobsPanel
from shotline.ui.main_window import MainWindow
from shotline.ui.timeline import geometry
from tests.fakes.openai import KEY as OPENAI_KEY
from tests.fakes.openai_images import FakeOpenAIImages
from tests.ui.shell_fixtures import shown_window
from tests.ui.test_context_menus import Menus

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

WAIT_MS = 60_000
PAID = GenerationSettings(backend="openai", model="sora-2", duration_us=4_000_000, audio=False)


@pytest.fixture
def window(qtbot: Any, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(1600, 1000)
        assert win.open_project(project_path)
        QApplication.processEvents()
        yield win


def _dialog(window: MainWindow) -> DraftStillsDialog:
    (dialog,) = [d for d in window.findChildren(DraftStillsDialog) if d.isVisible()]
    return dialog


def _landed(dialog: DraftStillsDialog, count: int) -> bool:
    cells = dialog.grid.cells
    return len(cells) >= count and all(c.state.landed and not c.picture.pixmap().isNull() for c in cells[:count])


def _key(dialog: DraftStillsDialog, key: Qt.Key) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    QApplication.sendEvent(focused, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))


def test_free_stills_from_the_card_menu_fill_the_grid_and_enter_makes_one_the_first_frame(
    qtbot: Any, window: MainWindow
) -> None:
    document = window.document
    assert document is not None
    view = window.panels["storyboard"].view  # type: ignore[attr-defined]
    entries = Menus(window).right_click(view.viewport(), view.visualRect(view.model().index(1, 0)).center())
    entries["Draft stills…"].trigger()
    dialog = _dialog(window)
    shot = document.project.shots[1]
    assert dialog.heading.text() == "Draft stills of shot 2 · Shot 2"
    # the shot's own backend makes stills: it is chosen, free, and nothing has been drafted yet
    assert (dialog.backend.currentData(), dialog.model.currentData()) == ("animatic", "still-card")
    dialog.choose("animatic", "still-card", count=3)
    assert dialog.estimate.text().startswith("3 stills with Animatic (offline) · ")
    assert ": free. Project: " in dialog.estimate.text()
    assert dialog.draft_button.text() == "Draft 3 · free"
    assert dialog.cast.isHidden()  # the shot mentions no one
    assert dialog.empty.text() == "No stills yet: choose how many and Draft."

    qtbot.mouseClick(dialog.draft_button, Qt.MouseButton.LeftButton)  # free: no question, sent at once
    assert dialog.spend_question is None
    assert len(dialog.grid.cells) == 3  # a cell per still at once, each following its job
    qtbot.waitUntil(lambda: _landed(dialog, 3), timeout=WAIT_MS)
    assert shot.takes == document.project.shot(shot.id).takes  # stills are pictures, never takes

    # the keys: the first new still has focus; → moves to the second, Enter picks it
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.grid.cells[0].hasFocus(), timeout=WAIT_MS)
    _key(dialog, Qt.Key.Key_Right)
    assert dialog.grid.cells[1].hasFocus()
    _key(dialog, Qt.Key.Key_Return)
    second = dialog.grid.cells[1].state.media
    assert document.project.shot(shot.id).generation.first_frame == second
    assert dialog.isVisible()  # Enter picked the still; it did not close the grid
    assert dialog.grid.cells[1].state.badge == "✓ First frame"
    assert dialog.outcome.text().startswith("Still 2 is now shot 2's first frame (Edit → Undo takes it back).")
    document.undo()  # one undo step
    assert document.project.shot(shot.id).generation.first_frame is None
    assert dialog.grid.cells[1].state.badge == ""

    _key(dialog, Qt.Key.Key_Escape)
    assert not window.findChildren(DraftStillsDialog) or not _visible(window)


def _visible(window: MainWindow) -> list[DraftStillsDialog]:
    return [d for d in window.findChildren(DraftStillsDialog) if d.isVisible()]


def test_a_grid_closed_while_its_stills_are_made_opens_again_with_them_beside_the_earlier_ones(
    qtbot: Any, window: MainWindow
) -> None:
    document = window.document
    assert document is not None
    shot_id = document.project.shots[0].id
    window.selection.select([shot_id])
    window.menus.draft_stills.trigger()
    dialog = _dialog(window)
    dialog.choose("animatic", "still-card", count=2)
    dialog.send()
    first = list(dialog.job_ids)
    assert dialog.running()
    dialog.reject()  # Esc / Close while the stills are made: only hidden, the jobs go on
    assert dialog.isHidden()
    assert all(document.is_running(job_id) for job_id in first)
    # a still in the making is no clip in the making: the shot's card stays as it was (seen in the walk)
    assert shot_status(document.project.shot(shot_id), document.jobs()).state is ShotState.READY
    jobs = window.panels["jobs"]
    assert all(jobs.model.has(job_id) for job_id in first)  # type: ignore[attr-defined]  # the jobs panel shows them
    # the inspector's button opens the same dialog again, its stills where they are
    inspector = window.panels["inspector"]
    qtbot.mouseClick(inspector.draft_stills_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert _dialog(window) is dialog
    qtbot.waitUntil(lambda: _landed(dialog, 2), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=WAIT_MS)
    dialog.reject()  # nothing at work: it goes
    qtbot.waitUntil(lambda: not window.findChildren(DraftStillsDialog), timeout=WAIT_MS)

    # opened afresh, the earlier stills come from the journal; new ones come first, beside them
    window.menus.draft_stills.trigger()
    again = _dialog(window)
    qtbot.waitUntil(lambda: _landed(again, 2), timeout=WAIT_MS)
    assert {c.state.key for c in again.grid.cells} == set(first)
    again.activateWindow()  # opened on stills, the keys are the grid's at once (not the backend list's)
    qtbot.waitUntil(lambda: again.grid.cells[0].hasFocus(), timeout=WAIT_MS)
    assert all(c.caption.text().count(" · ") == 2 for c in again.grid.cells)  # "Still card · free · 18:02"
    again.choose("animatic", "still-card", count=2)
    again.send()
    keys = [c.state.key for c in again.grid.cells]
    assert keys[:2] == again.job_ids and set(keys[2:]) == set(first)
    qtbot.waitUntil(lambda: _landed(again, 4), timeout=WAIT_MS)


def test_the_clip_menu_and_film_menu_offer_it_and_ask_for_a_shot_first(qtbot: Any, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    canvas = window.panels["timeline"].canvas  # type: ignore[attr-defined]
    box = canvas.geometry_.boxes[0]
    entries = Menus(window).right_click(canvas, QPoint(round(box.x0 + box.width / 3), geometry.CLIP_TOP + 20))
    assert "Draft stills…" in entries
    said: list[str] = []
    document.failed.connect(said.append)
    window.selection.select([])
    window.menus.draft_stills.trigger()
    assert said == ["Select a shot to draft stills of it."] and not _visible(window)


def test_a_still_is_added_to_a_cast_member_from_its_right_click_menu(qtbot: Any, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    document.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, "a keeper in yellow")))
    dialog = show_draft_stills(document, document.project.shots[0].id, window)
    dialog.choose("animatic", "still-card", count=2)
    dialog.send()
    qtbot.waitUntil(lambda: _landed(dialog, 2), timeout=WAIT_MS)
    cell = dialog.grid.cells[1]
    menu = dialog.cell_menu(cell.state.key)
    assert menu is not None
    entries = {a.text(): a for a in menu.actions()}
    assert list(entries) == ["Use as first frame", "Add to cast member"]
    cast_menu = entries["Add to cast member"].menu()
    assert cast_menu is not None
    (mara,) = cast_menu.actions()
    assert mara.text() == "@Mara"
    mara.trigger()
    assert document.project.member("m1").images == (cell.state.media,)
    assert cell.state.badge == "✓ @Mara"
    assert dialog.outcome.text() == "Still 2 is one of @Mara's pictures now, number 1 of 1 (Edit → Undo takes it back)."
    assert document.project.shots[0].generation.first_frame is None  # the shot is as it was


def test_draft_pictures_of_a_cast_member_from_its_description_adds_the_one_picked(
    qtbot: Any, window: MainWindow
) -> None:
    document = window.document
    assert document is not None
    document.execute(
        commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, "A lighthouse keeper in a yellow coat"))
    )
    cast = window.panels["cast"]
    qtbot.mouseClick(cast.draft_pictures, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog = _dialog(window)
    assert dialog.heading.text() == "Draft pictures of @Mara"
    assert dialog.cast.isHidden()
    assert dialog.prompt.text() == "“A lighthouse keeper in a yellow coat”"
    dialog.choose("animatic", "still-card", count=2)
    assert dialog.estimate.text().startswith("2 pictures with Animatic (offline) · Still card: free.")
    dialog.send()
    qtbot.waitUntil(lambda: _landed(dialog, 2), timeout=WAIT_MS)
    jobs = [document.job(job_id) for job_id in dialog.job_ids]
    assert {job.shot_id for job in jobs} == {"m1"}  # journaled under the member: its pictures, not a shot's
    panel = window.panels["jobs"]
    rows = {panel.model.index(panel.model.row_of(job.id), 0).data() for job in jobs}  # type: ignore[attr-defined]
    assert rows == {"@Mara"}  # the jobs panel names whose they are (not "deleted shot", seen in the walk)
    assert {job.request["prompt"] for job in jobs} == {"A lighthouse keeper in a yellow coat"}
    assert all(shot.generation.first_frame is None for shot in document.project.shots)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.grid.cells[0].hasFocus(), timeout=WAIT_MS)
    _key(dialog, Qt.Key.Key_Enter)
    assert document.project.member("m1").images == (dialog.grid.cells[0].state.media,)
    assert dialog.outcome.text().startswith("Picture 1 is one of @Mara's pictures now, number 1 of 1")
    document.undo()
    assert document.project.member("m1").images == ()


@pytest.fixture
def paid_project(tmp_path: Path) -> Path:
    path = tmp_path / "paid.shotline"
    with ProjectSession.create(path, title="Paid", size=Size(320, 180)) as session:
        session.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, "a keeper in yellow")))
        add_shot(session, "@Mara at the lighthouse at dawn, waves on the rocks", title="Dawn", generation=PAID)
        add_shot(session, "BLOCKNOW a lighthouse", title="Refused", generation=PAID)
        session.save()
    return path


@pytest.fixture
def openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIImages]:
    with FakeOpenAIImages() as fake:
        monkeypatch.setenv("SHOTLINE_OPENAI_BASE_URL", fake.api_url)
        monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "0.05")
        yield fake


def test_paid_stills_are_priced_asked_about_and_a_refusal_is_said_on_each_cell(
    qtbot: Any, app_context: AppContext, paid_project: Path, openai: FakeOpenAIImages
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(paid_project), Bridge())
    first, refused = (shot.id for shot in document.project.shots)
    dialog = DraftStillsDialog(document, first)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        assert (dialog.backend.currentData(), dialog.model.currentData()) == ("openai", "gpt-image-1")
        # no key on this computer: priced, to choose by, and refused before anything is sent
        assert dialog.problem.text() == (
            "OpenAI-compatible (Sora 2) needs an API key first: add it in Edit → API keys…, or choose another backend."
        )
        assert not dialog.draft_button.isEnabled()
        app_context.secrets.set("openai", OPENAI_KEY)
        dialog.choose("openai", "gpt-image-1", count=2)
        assert dialog.estimate.text().startswith(
            "2 stills with OpenAI-compatible (Sora 2) · GPT Image 1: ≈ $0.13 (≈ $0.06 each)."
        )
        assert dialog.draft_button.text() == "Draft 2 · ≈ $0.13" and dialog.draft_button.isEnabled()
        # what the still model is sent of the cast the prompt mentions, as the inspector says it for the clip
        assert dialog.cast.heading.text() == "Cast sent to GPT Image 1:"
        assert dialog.cast.texts() == ["@Mara — described in words (no picture)"]

        dialog.send()
        question = dialog.spend_question
        assert question is not None and "Drafting 2 stills is estimated at about $0.13." in question.text()
        assert question.windowTitle() == "These stills cost money"
        question.button(QMessageBox.StandardButton.No).click()
        assert openai.generated == [] and document.jobs() == []  # a no sends nothing

        dialog.send()
        question = dialog.spend_question
        assert question is not None
        question.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: _landed(dialog, 2), timeout=WAIT_MS)
        assert openai.made == 2  # each still made once
        assert all(c.caption.text().startswith("GPT Image 1 · ") for c in dialog.grid.cells)

        # a prompt the provider refuses: every cell says why, in its words
        other = DraftStillsDialog(document, refused)
        qtbot.addWidget(other)
        other.choose("openai", "gpt-image-1", count=2)
        other.send()  # agreed once this session: not asked again
        assert other.spend_question is None
        qtbot.waitUntil(lambda: not other.running(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: all(c.state.problem for c in other.grid.cells), timeout=WAIT_MS)
        problems = {c.state.problem for c in other.grid.cells}
        assert len(problems) == 1 and len(other.grid.cells) == 2
        (problem,) = problems
        assert problem.startswith(("Failed: ", "Blocked: ")) and "safety" in problem.lower(), problem
        assert other.grid.cells[0].picture.text() == problem
        # and once in full under the grid, where a long reason has the room to be read and copied
        assert other.failures.text() == f"2 of 2 stills not made: {problem}" and not other.failures.isHidden()
        # the jobs panel does not offer to "Generate again" a failed still: that would make the shot's clip
        panel = JobsPanel(document)
        qtbot.addWidget(panel)
        panel.select_job(other.job_ids[0])
        assert panel.current_record() is not None and not panel.retry_action.isEnabled()
    finally:
        document.close()


def test_a_project_closed_while_its_stills_are_made_lets_the_hidden_grid_go(
    qtbot: Any, app_context: AppContext, project_path: Path
) -> None:
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    dialog = DraftStillsDialog(document, document.project.shots[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose("animatic", "still-card", count=2)
    dialog.send()
    dialog.reject()
    assert dialog.isHidden() and dialog.running()
    document.close()  # the stills resume when the project is next opened; this grid has nothing left to follow
    assert dialog.closing and dialog.job_ids == []
    QApplication.processEvents()
    assert dialog.isHidden()
