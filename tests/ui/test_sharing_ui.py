"""Sharing from the window and opening what was shared: File → Share as archive…, Open shared archive…, File →
Open… and drops, on a real window with real projects, real archives and the real async runner.

The window's questions (where to save, which archive, which folder) are answered by replacing them, the way
`ask_unsaved` is answered in the other shell tests; everything after the answer is the real flow.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QListView

from shotline.core import commands
from shotline.services.context import AppContext, open_context
from shotline.services.session import ProjectSession
from shotline.services.sharing import Shared, SharingCancelled, share
from shotline.storage import bundle, schema
from shotline.storage import sharing as storage_sharing
from shotline.storage.secrets import MemorySecretStore
from shotline.ui import sharing as ui_sharing
from shotline.ui.dialogs.open_project import OpenDialog
from shotline.ui.main_window import MainWindow
from shotline.ui.sharing import ARCHIVE_SUFFIX, PROJECT_SUFFIX, archive_path
from shotline.ui.storyboard import StoryboardPanel
from tests.storage import zips
from tests.ui.shell_fixtures import shown_window, visible_dialogs

WAIT_MS = 30_000


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


@pytest.fixture
def shared(project_path: Path, tmp_path: Path) -> Path:
    """The test project shared by the service itself, in a folder of its own."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    return share(project_path, outbox / f"film{ARCHIVE_SUFFIX}").archive


def file_action(win: MainWindow, text: str) -> QAction:
    [file_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"]
    return next(a for a in file_menu.actions() if a.text() == text)


def shown(win: MainWindow) -> str:
    return "\n".join(text for text, _count in win.message_bar.messages())


def manifest(archive: Path) -> dict[str, object]:
    with zipfile.ZipFile(archive) as zipped:
        loaded: dict[str, object] = json.loads(zipped.read(storage_sharing.MANIFEST))
        return loaded


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def storyboard_titles(win: MainWindow) -> list[str]:
    panel = win.panels["storyboard"]
    assert isinstance(panel, StoryboardPanel)
    return [panel.model.shot_at(row).title for row in range(panel.model.rowCount())]


def answer_folder(win: MainWindow, folder: Path) -> list[Path]:
    """Answer "where should the shared project go?" with `folder`; returns the defaults the window proposed."""
    proposed: list[Path] = []
    win.sharing.ask_folder = lambda start: proposed.append(start) or folder
    return proposed


def drop(win: MainWindow, *files: Path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    entering = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, buttons, keys)
    win.dragEnterEvent(entering)
    assert entering.isAccepted(), "the window refused the drag"
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, buttons, keys)
    win.dropEvent(event)
    return event


# ---------------------------------------------------------------------------------------------- share


def test_share_saves_unsaved_edits_and_writes_what_the_service_writes(
    qtbot, window: MainWindow, project_path: Path, tmp_path: Path
) -> None:
    share_action = file_action(window, "Share as archive…")
    assert not share_action.isEnabled()  # nothing to share on the welcome page
    assert window.open_project(project_path)
    assert share_action.isEnabled()
    document = window.document
    assert document is not None
    first = document.project.shots[0]
    assert document.execute(commands.set_title(first.id, "Harbour at dawn"))
    assert document.is_dirty

    out = tmp_path / "out"
    out.mkdir()
    proposed: list[Path] = []
    window.sharing.ask_archive_to_write = lambda default: proposed.append(default) or out / "For Ana"
    share_action.trigger()
    assert window.sharing.working_on == "Sharing film…"  # the packing runs on the runner, not in this call
    assert window.sharing.indicator.isVisible()
    qtbot.waitUntil(lambda: "Shared as" in shown(window), timeout=WAIT_MS)

    assert proposed == [project_path.parent / f"film{ARCHIVE_SUFFIX}"]
    archive = out / f"For Ana{ARCHIVE_SUFFIX}"
    assert archive.is_file()
    assert not window.sharing.indicator.isVisible() and window.sharing.working_on == ""
    assert not document.is_dirty
    media = len(storage_sharing.archive_media(archive))
    assert f"Shared as {archive.name} ({media} media files, " in shown(window)
    assert "unsaved edits were saved first" in shown(window)
    with zipfile.ZipFile(archive) as zipped:
        shared_project = schema.loads(zipped.read("project.json"))
    assert shared_project.shots[0].title == "Harbour at dawn"

    by_service = share(project_path, tmp_path / f"service{ARCHIVE_SUFFIX}").archive
    assert manifest(archive) == manifest(by_service)
    assert media == len(document.project.shots) > 0
    assert visible_dialogs() == []


def test_a_project_that_cannot_be_shared_says_why(
    qtbot, window: MainWindow, project_path: Path, tmp_path: Path
) -> None:
    assert window.open_project(project_path)
    document = window.document
    assert document is not None
    take = document.project.shots[0].picked_take
    assert take is not None
    document.session.bundle.resolve(take.media).unlink()
    window.sharing.ask_archive_to_write = lambda default: tmp_path / "film"
    window.share()
    qtbot.waitUntil(lambda: "relink" in shown(window), timeout=WAIT_MS)
    assert "media file(s) the project uses are not in its folder" in shown(window)
    assert not (tmp_path / f"film{ARCHIVE_SUFFIX}").exists()
    assert window.sharing.working_on == ""


# ---------------------------------------------------------------------------------------------- open


def test_open_shared_archive_unpacks_under_a_free_name_and_shows_its_shots(
    qtbot, window: MainWindow, shared: Path, project_path: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / f"film{PROJECT_SUFFIX}").mkdir(parents=True)  # taken: the archive must not land on it
    window.sharing.ask_archive_to_open = lambda start: shared
    proposed = answer_folder(window, inbox)
    file_action(window, "Open shared archive…").trigger()
    assert window.sharing.working_on == f"Opening {shared.name}…"
    opened = inbox / f"film 2{PROJECT_SUFFIX}"
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == opened, timeout=WAIT_MS)

    assert len(proposed) == 1  # it asked, proposing a folder
    assert listing(inbox)[:1] == ["film 2.shotline"] and not (inbox / "film.shotline" / "project.json").exists()
    assert not [p for p in inbox.iterdir() if p.name.startswith(".")]  # the staging folder is gone
    original = schema.loads((project_path / "project.json").read_bytes())
    assert storyboard_titles(window) == [shot.title for shot in original.shots]
    assert window.document is not None and window.document.project == original
    assert f"Opened {shared.name} as a new project: {opened}." in shown(window)


def test_a_hostile_archive_is_refused_with_its_message_and_nothing_is_written(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    evil = tmp_path / f"Evil{ARCHIVE_SUFFIX}"
    with zipfile.ZipFile(evil, "w") as zipped:
        zipped.writestr(storage_sharing.MANIFEST, '{"archive_version": 1, "format_version": 1, "media": {}}')
        zipped.writestr("project.json", "{}")
        zipped.writestr("../escaped.txt", "owned")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    around = sorted(p.name for p in tmp_path.iterdir())
    answer_folder(window, inbox)
    window.open_path(evil)
    qtbot.waitUntil(lambda: "was not opened" in shown(window), timeout=WAIT_MS)

    assert f"{evil.name} was not opened: the entry '../escaped.txt' climbs out" in shown(window)
    assert "Nothing was written" in shown(window) and "Traceback" not in shown(window)
    assert listing(inbox) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == around
    assert window.document is None and window.sharing.working_on == ""
    assert visible_dialogs() == []


def _damaged_archive(case: str) -> bytes:
    shared = zips.shared_archive()
    if case == "no media list":
        shared.manifest = json.dumps({"archive_version": 1, "format_version": 1})
    entries = shared.entries()
    if case == "corrupt deflate":
        clip = zips.entry(entries[0].name, entries[0].data)
        entries[0] = replace(clip, data=b"\xff\xff\xff" + clip.data[3:])
    return zips.zip_bytes(entries)


@pytest.mark.parametrize(
    ("case", "why"),
    [
        ("no media list", "its shotline-archive.json is damaged (it has no list of media)"),
        ("corrupt deflate", "the entry 'media/clip0.mp4' is damaged (Error -3 while decompressing data"),
    ],
)
def test_a_damaged_archive_is_refused_with_its_name_and_why(
    qtbot, window: MainWindow, tmp_path: Path, case: str, why: str
) -> None:
    damaged = tmp_path / f"Damaged{ARCHIVE_SUFFIX}"
    damaged.write_bytes(_damaged_archive(case))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    answer_folder(window, inbox)
    window.open_path(damaged)
    qtbot.waitUntil(lambda: damaged.name in shown(window), timeout=WAIT_MS)
    assert f"{damaged.name} was not opened: {why}" in shown(window)
    assert "failed" not in shown(window) and listing(inbox) == []
    assert window.document is None and window.sharing.working_on == ""


def test_a_zip_that_share_did_not_make_is_refused_plainly(qtbot, window: MainWindow, tmp_path: Path) -> None:
    holiday = tmp_path / "holiday.zip"
    with zipfile.ZipFile(holiday, "w") as zipped:
        zipped.writestr("beach.jpg", b"\xff\xd8")
    answer_folder(window, tmp_path)
    before = listing(tmp_path)
    window.open_path(holiday)
    qtbot.waitUntil(lambda: "was not opened" in shown(window), timeout=WAIT_MS)
    assert "so it was not made by Shotline's Share" in shown(window)
    assert listing(tmp_path) == before


def test_cancelling_the_folder_question_unpacks_nothing(window: MainWindow, shared: Path, tmp_path: Path) -> None:
    window.sharing.ask_folder = lambda start: None
    before = listing(tmp_path)
    window.open_path(shared)
    assert window.sharing.working_on == "" and listing(tmp_path) == before and window.message_bar.messages() == []


# ---------------------------------------------------------------------------------------------- every way in


def test_dropping_an_archive_on_an_open_project_opens_it_instead_of_importing(
    qtbot, window: MainWindow, shared: Path, project_path: Path, tmp_path: Path
) -> None:
    assert window.open_project(project_path)
    before = window.document
    assert before is not None
    shots_before = len(before.project.shots)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    answer_folder(window, inbox)
    event = drop(window, shared)
    assert event.isAccepted()
    opened = inbox / f"film{PROJECT_SUFFIX}"
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == opened, timeout=WAIT_MS)
    assert len(window.document.project.shots) == shots_before
    assert len(schema.loads((project_path / "project.json").read_bytes()).shots) == shots_before  # not imported


def test_dropping_an_archive_on_the_welcome_page_opens_it(
    qtbot, window: MainWindow, shared: Path, tmp_path: Path
) -> None:
    assert window.document is None
    answer_folder(window, tmp_path)
    drop(window, shared)
    opened = tmp_path / f"film 2{PROJECT_SUFFIX}"  # the project it was shared from is film.shotline, in tmp_path
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == opened, timeout=WAIT_MS)
    assert window.stack.currentWidget() is window.editor


def test_file_open_takes_a_project_folder_or_an_archive(
    qtbot, window: MainWindow, shared: Path, project_path: Path, tmp_path: Path
) -> None:
    window.ask_open_path = lambda: project_path / "project.json"
    file_action(window, "Open…").trigger()
    assert window.document is not None and window.document.path == project_path

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    answer_folder(window, inbox)
    window.ask_open_path = lambda: shared
    file_action(window, "Open…").trigger()
    opened = inbox / f"film{PROJECT_SUFFIX}"
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == opened, timeout=WAIT_MS)


def test_the_open_dialog_takes_a_project_folder_when_it_is_entered(qtbot, project_path: Path) -> None:
    dialog = OpenDialog(None, project_path.parent)
    qtbot.addWidget(dialog)
    dialog.open()
    view = dialog.findChild(QListView, "listView")
    assert view is not None
    qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) > 0, timeout=5_000)
    rows = [view.model().index(r, 0, view.rootIndex()) for r in range(view.model().rowCount(view.rootIndex()))]
    [entry] = [index for index in rows if index.data() == project_path.name]
    view.activated.emit(entry)  # what a double-click on the folder does
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.chosen() == project_path


# ---------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("Film.shotline.zip", "Film.shotline.zip"),
        ("Film.SHOTLINE.ZIP", "Film.SHOTLINE.ZIP"),
        ("Film", "Film.shotline.zip"),
        ("Film.zip", "Film.shotline.zip"),
        ("Film.shotline", "Film.shotline.zip"),
        ("Cut v2.final", "Cut v2.final.shotline.zip"),
    ],
)
def test_an_archive_name_always_ends_in_shotline_zip(typed: str, written: str, tmp_path: Path) -> None:
    assert archive_path(tmp_path / typed) == tmp_path / written


def test_the_window_names_projects_and_archives_as_storage_does() -> None:
    assert PROJECT_SUFFIX == bundle.SUFFIX
    assert ARCHIVE_SUFFIX == storage_sharing.ARCHIVE_SUFFIX


# ---------------------------------------------------------------------------------------------- progress and cancel


REFERENCE = "media/reference.png"
REFERENCE_MB = 96
"""Enough that packing or unpacking takes a few hundred milliseconds, long after the first progress is shown."""


@pytest.fixture
def large_project(project_path: Path) -> Path:
    """The test project with a large reference image on its first shot: random bytes, since sharing copies media
    without decoding them and the window only lists a reference's name."""
    with (project_path / REFERENCE).open("wb") as file:
        for _ in range(REFERENCE_MB):
            file.write(os.urandom(1 << 20))
    with ProjectSession.open(project_path) as session:
        shot = session.project.shots[0]
        session.execute(commands.set_generation(shot.id, replace(shot.generation, reference_images=(REFERENCE,))))
        session.save()
    return project_path


def on_first_progress(win: MainWindow, act: Callable[[], object]) -> list[tuple[int, str]]:
    """Do `act` as soon as the status bar shows the first progress; returns each (bar value, label) shown."""
    seen: list[tuple[int, str]] = []
    indicator = win.sharing.indicator

    def shown_value(value: int) -> None:
        if value <= 0:
            return
        seen.append((value, indicator.label.text()))
        if len(seen) == 1:
            act()

    indicator.bar.valueChanged.connect(shown_value)
    return seen


def test_sharing_shows_progress_and_its_cancel_button_leaves_no_archive(
    qtbot, window: MainWindow, large_project: Path, tmp_path: Path
) -> None:
    assert window.open_project(large_project)
    out = tmp_path / "out"
    out.mkdir()
    window.sharing.ask_archive_to_write = lambda default: out / "For Ana"
    button = window.sharing.indicator.cancel_button
    seen = on_first_progress(window, lambda: qtbot.mouseClick(button, Qt.MouseButton.LeftButton))

    file_action(window, "Share as archive…").trigger()
    assert button.isVisible() and button.isEnabled()
    qtbot.waitUntil(lambda: "was cancelled" in shown(window), timeout=WAIT_MS)

    assert shown(window) == f"Sharing was cancelled; For Ana{ARCHIVE_SUFFIX} was not written."
    assert listing(out) == []  # no archive, no partial file
    [(value, label)] = seen  # nothing moved after Cancel
    assert 0 < value < window.sharing.indicator.bar.maximum()
    # the percentage is on the bar only (one number); the label says what runs and the time left
    assert label.startswith("Sharing film… ") and "%" not in label and "left" in label
    assert not window.sharing.indicator.isVisible() and window.sharing.working_on == ""

    seen.clear()
    window.sharing.indicator.bar.valueChanged.disconnect()
    values: list[int] = []
    window.sharing.indicator.bar.valueChanged.connect(values.append)
    window.share()  # and without cancelling it runs to the end
    qtbot.waitUntil(lambda: "Shared as" in shown(window), timeout=WAIT_MS)
    assert (out / f"For Ana{ARCHIVE_SUFFIX}").is_file()
    assert values == sorted(values) and values[-1] == window.sharing.indicator.bar.maximum()


def test_esc_cancels_opening_a_shared_archive_and_leaves_no_folder(
    qtbot, window: MainWindow, large_project: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    archive = share(large_project, outbox / f"film{ARCHIVE_SUFFIX}").archive
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    around = listing(tmp_path)
    answer_folder(window, inbox)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    seen = on_first_progress(window, lambda: QTest.keyClick(window, Qt.Key.Key_Escape))

    window.open_path(archive)
    qtbot.waitUntil(lambda: "was cancelled" in shown(window), timeout=WAIT_MS)

    assert shown(window) == f"Opening {archive.name} was cancelled; nothing was unpacked."
    assert len(seen) == 1
    assert listing(inbox) == [] and listing(tmp_path) == around
    assert window.document is None and window.sharing.working_on == ""


def test_quitting_while_sharing_stops_it_and_leaves_no_archive(
    qtbot, large_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = open_context(secrets=MemorySecretStore())  # closed by the test, as the application closes it on quitting
    out = tmp_path / "out"
    out.mkdir()
    reported: list[float] = []
    ended: list[object] = []  # what the packing returned or raised, once it is over
    real_share = ui_sharing.share

    def watched_share(project: Path, target: Path, **kwargs: Any) -> Shared:
        progress = kwargs.pop("progress")
        try:
            result = real_share(project, target, progress=lambda f: (reported.append(f), progress(f)), **kwargs)
        except BaseException as error:
            ended.append(error)
            raise
        ended.append(result)
        return result

    monkeypatch.setattr(ui_sharing, "share", watched_share)
    quit_done = False
    with shown_window(qtbot, ctx, tmp_path / "settings") as win:
        assert win.open_project(large_project)
        win.sharing.ask_archive_to_write = lambda default: out / "film"

        def quit_app() -> None:  # what ui/main.py does when the application quits
            nonlocal quit_done
            win.shutdown()
            ctx.close()
            quit_done = True

        on_first_progress(win, quit_app)
        win.share()
        qtbot.waitUntil(lambda: quit_done, timeout=WAIT_MS)
        assert not ctx.runner.thread.is_alive()
        # the packing was stopped by its cancel flag before quitting ended, not waited for to the end
        assert ended, "quitting ended with the packing still running"
        assert isinstance(ended[0], SharingCancelled), ended
        assert reported and max(reported) < 1.0
        assert listing(out) == []
