"""The continuity check in the window: Film → Check continuity… lists each finding naming its shot with its fixes as
buttons (a re-pick mends it, undoably; Show shot selects it); an export asks one question first when something is
found — Export anyway goes on, and is not asked again for the same findings — and asks nothing of a clean film; the
inspector's "Start from the previous shot's last frame" is what marks a shot as continuing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from shotline.core import commands
from shotline.core.model import Origin, Take, Trim, new_id
from shotline.media.probe import probe
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import window_dialogs
from shotline.ui.dialogs.continuity import ContinuityDialog
from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.inspector import InspectorPanel
from shotline.ui.shot_pictures import CONTINUE, CONTINUES_AGAIN
from tests.clips import make_clip
from tests.ui.shell_fixtures import shown_window


def _tall_take_on_shot_2(project_path: Path, tmp_path: Path) -> None:
    """Shot 2 gets a 9:16 phone clip, picked, beside its animatic take (which is at the film's 16:9)."""
    clip = make_clip(tmp_path / "phone.mp4", seconds=1, size=(180, 320), fps="24")
    with ProjectSession.open(project_path) as session:
        info = probe(clip)
        take = Take(new_id(), session.bundle.import_media(clip), Origin.IMPORTED, info, Trim(0, info.duration_us))
        session.execute(commands.attach_take(session.project.shots[1].id, take, pick=True))
        session.save()


def _open_dialogs(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def _question() -> QMessageBox | None:
    return next((w for w in _open_dialogs(QMessageBox) if w.objectName() == "continuity-question"), None)


def _button(box: QMessageBox, text: str) -> QPushButton:
    return next(b for b in box.findChildren(QPushButton) if b.text() == text)


def test_the_film_menu_lists_each_finding_with_its_fixes_and_a_repick_mends_it(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    _tall_take_on_shot_2(project_path, tmp_path)
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(project_path)
        assert window.menus.check_continuity in window.menus.film.actions()
        window.menus.check_continuity.trigger()
        dialog = _the_dialog(qtbot)
        qtbot.waitUntil(lambda: dialog.again.isEnabled(), timeout=20_000)
        assert dialog.summary.text() == "1 thing to look at before you export:"
        [finding] = dialog.findings
        assert finding.text.startswith("Shot 2: its take is 180×320 (9:16), in a 16:9 film")
        labels = [b.text() for b in dialog.findChildren(QPushButton) if b.objectName().startswith("fix-")]
        assert labels == ["Pick take 1 (2 s)", "Generate a take"]

        show = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Show shot 2")
        show.click()
        assert window.selection.current == window.document.project.shots[1].id

        repick = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Pick take 1 (2 s)")
        repick.click()
        assert window.document.project.shots[1].picked_take_id == window.document.project.shots[1].takes[0].id
        qtbot.waitUntil(lambda: dialog.again.isEnabled() and not dialog.findings, timeout=20_000)
        assert dialog.summary.text().startswith("Nothing to fix")
        window.document.undo()  # the re-pick was one edit, undone as one
        assert window.document.project.shots[1].picked_take_id == window.document.project.shots[1].takes[1].id
        dialog.close()


def _the_dialog(qtbot) -> ContinuityDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: bool(_open_dialogs(ContinuityDialog)), timeout=5000)
    [dialog] = _open_dialogs(ContinuityDialog)
    return dialog


def test_an_export_asks_once_when_something_is_found_and_export_anyway_goes_on(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    _tall_take_on_shot_2(project_path, tmp_path)
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(project_path)
        window_dialogs.export(window)
        qtbot.waitUntil(lambda: _question() is not None, timeout=20_000)
        box = _question()
        assert box is not None
        assert box.text() == "The continuity check found something to look at before you export."
        assert box.informativeText().startswith("Shot 2: its take is 180×320 (9:16), in a 16:9 film")
        assert not _open_dialogs(ExportDialog)  # asked first
        _button(box, "Check continuity…").click()
        dialog = _the_dialog(qtbot)
        assert not _open_dialogs(ExportDialog)
        dialog.close()

        window_dialogs.export(window)
        qtbot.waitUntil(lambda: _question() is not None, timeout=20_000)
        box = _question()
        assert box is not None
        _button(box, "Export anyway").click()
        qtbot.waitUntil(lambda: bool(_open_dialogs(ExportDialog)), timeout=5000)
        for export in _open_dialogs(ExportDialog):
            export.close()

        window_dialogs.export(window)  # the same finding, passed once: no question this time
        qtbot.waitUntil(lambda: bool(_open_dialogs(ExportDialog)), timeout=20_000)
        assert _question() is None
        for export in _open_dialogs(ExportDialog):
            export.close()


def test_a_clean_film_exports_without_a_question(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(project_path)
        window.menus.export.trigger()
        qtbot.waitUntil(lambda: bool(_open_dialogs(ExportDialog)), timeout=20_000)
        assert _question() is None
        for export in _open_dialogs(ExportDialog):
            export.close()


def test_starting_from_the_previous_shots_last_frame_marks_the_shot_as_continuing(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(project_path)
        document = window.document
        assert document is not None
        second = document.project.shots[1].id
        window.selection.select([second])
        inspector = window.panels["inspector"]
        assert isinstance(inspector, InspectorPanel)
        inspector.start_from_previous_last_frame()
        qtbot.waitUntil(lambda: document.project.shot(second).generation.continues, timeout=20_000)
        assert document.project.shot(second).generation.first_frame
        qtbot.waitUntil(lambda: inspector.continue_button.text() == CONTINUES_AGAIN, timeout=5000)
        inspector.first_frame.cleared.emit()  # the creator takes the picture away: a cut again
        assert not document.project.shot(second).generation.continues
        assert document.project.shot(second).generation.first_frame is None
        qtbot.waitUntil(lambda: inspector.continue_button.text() == CONTINUE, timeout=5000)


def test_a_take_a_fix_generates_is_checked_when_it_lands_and_offered_to_pick(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    _tall_take_on_shot_2(project_path, tmp_path)
    with shown_window(qtbot, app_context, tmp_path / "settings") as window:
        assert window.open_project(project_path)
        dialog = window_dialogs.check_continuity(window)
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.again.isEnabled(), timeout=20_000)
        generate = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Generate a take")
        generate.click()  # the animatic: free, so no spending question
        assert generate.text() == "Generating… (checked again when it lands)" and not generate.isEnabled()

        def offered() -> list[str]:
            return [action.label for finding in dialog.findings for action in finding.actions]

        qtbot.waitUntil(lambda: "Pick take 3 (2 s)" in offered(), timeout=60_000)
        assert offered() == ["Pick take 1 (2 s)", "Pick take 3 (2 s)", "Generate a take"]
        assert window.document is not None and len(window.document.project.shots[1].takes) == 3
        dialog.close()
