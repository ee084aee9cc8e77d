"""File → Export for another editor… and File → Open a cut from another editor…, on a real window with the film of
`tests.services.handoff_film`, the real runner and OpenTimelineIO reading back what was written. The file dialogs
are answered by replacing the flow's questions; everything after the answer is the real flow."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import opentimelineio as otio
import pytest
from PySide6.QtGui import QAction

from shotline.core import commands
from shotline.core.model import Shot, new_id
from shotline.services.context import AppContext
from shotline.services.handoff import write_handoff
from shotline.services.session import ProjectSession
from shotline.ui.main_window import MainWindow
from tests.services.handoff_film import make_film
from tests.ui.shell_fixtures import shown_window, visible_dialogs

pytestmark = pytest.mark.ffmpeg

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-ui"))


@pytest.fixture
def film(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "projects" / "Harbour film.shotline"  # spaces, written into file URLs and read back
    shutil.copytree(built, copy)
    return copy


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def file_action(win: MainWindow, text: str) -> QAction:
    [file_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"]
    return next(a for a in file_menu.actions() if a.text() == text)


def shown(win: MainWindow) -> str:
    return "\n".join(text for text, _count in win.message_bar.messages())


def test_export_for_another_editor_writes_the_cut_as_the_creator_sees_it(
    qtbot, window: MainWindow, film: Path, tmp_path: Path
) -> None:
    action = file_action(window, "Export for another editor…")
    assert not action.isEnabled()  # nothing to hand off on the welcome page
    assert window.open_project(film)
    assert action.isEnabled()
    document = window.document
    assert document is not None
    assert document.execute(commands.set_title(document.project.shots[1].id, "Quay at low tide"))  # not saved
    proposed: list[Path] = []
    cut = tmp_path / "for Resolve" / "Harbour.fcpxml"
    window.menus.handoff.ask_cut_to_write = lambda default: proposed.append(default) or cut
    action.trigger()
    qtbot.waitUntil(lambda: "Wrote Harbour.fcpxml" in shown(window), timeout=WAIT_MS)
    assert proposed == [film.parent / "Harbour film.otio"]
    assert "(FCPXML (Final Cut Pro, DaVinci Resolve), 3 shots)" in shown(window)
    assert "Harbour.clip-sound.wav, Harbour.music.wav, Harbour.dialogue.wav" in shown(window)
    names = [clip.name for clip in otio.adapters.read_from_file(str(cut)).find_clips() if clip.name.startswith("Shot")]
    assert names[:3] == ["Shot 1 – Dawn", "Shot 2 – Quay at low tide", "Shot 3 – Gulls"]
    assert document.is_dirty  # written from what the window shows; the project itself is left as it was
    assert visible_dialogs() == []


def test_a_cut_that_cannot_be_handed_off_says_why(qtbot, window: MainWindow, film: Path, tmp_path: Path) -> None:
    assert window.open_project(film)
    document = window.document
    assert document is not None
    assert document.execute(commands.add_shot(Shot(id=new_id(), prompt="Night falls", title="Night")))  # no take
    window.menus.handoff.ask_cut_to_write = lambda default: tmp_path / "Harbour.otio"
    file_action(window, "Export for another editor…").trigger()
    qtbot.waitUntil(lambda: "no take" in shown(window), timeout=WAIT_MS)
    assert "Shot 4 (Night) has no take yet" in shown(window)
    assert "Traceback" not in shown(window) and not (tmp_path / "Harbour.otio").exists()


def test_open_a_cut_from_another_editor_makes_a_project_and_opens_it(
    qtbot, window: MainWindow, film: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "from Premiere" / "Harbour recut.xml"
    with ProjectSession.open(film, read_only=True) as session:
        write_handoff(session.project, session.bundle, cut)
    window.menus.handoff.ask_cut_to_open = lambda start: cut
    file_action(window, "Open a cut from another editor…").trigger()
    made = cut.with_name("Harbour recut.shotline")
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == made, timeout=WAIT_MS)
    assert window.document is not None
    assert [shot.title for shot in window.document.project.shots] == ["Dawn", "Quay", "Gulls"]
    assert f"Opened Harbour recut.xml as a new project: {made}." in shown(window)


def test_the_next_handoff_is_offered_where_and_as_the_last_one_went(
    qtbot, window: MainWindow, film: Path, tmp_path: Path
) -> None:
    """The save dialog opens in the folder of the last hand-off, with its format: a creator handing off to the same
    editor again should not have to find the folder and pick the format each time."""
    assert window.open_project(film)
    flow = window.menus.handoff
    proposed: list[Path] = []
    exports = tmp_path / "for Resolve"
    exports.mkdir()
    flow.ask_cut_to_write = lambda default: proposed.append(default) or exports / "Take one.fcpxml"
    file_action(window, "Export for another editor…").trigger()
    qtbot.waitUntil(lambda: "Wrote Take one.fcpxml" in shown(window), timeout=WAIT_MS)
    flow.ask_cut_to_write = lambda default: proposed.append(default) or None
    file_action(window, "Export for another editor…").trigger()
    assert proposed == [film.parent / "Harbour film.otio", exports / "Harbour film.fcpxml"]

    shutil.rmtree(exports)  # a folder that is gone is not offered
    file_action(window, "Export for another editor…").trigger()
    assert proposed[-1] == film.parent / "Harbour film.fcpxml"
