"""File → Export for another editor… shows how far the stems are mixed in the status bar, as sharing does, and its
Cancel (the button or Esc) stops the mixing, leaves the folder as it was and says so. A real window, runner and mix
of `tests.services.handoff_film`; the film mixes in milliseconds, so the mixing is held after each sound until the
test lets it on (as a long film's would take its time), and Cancel lands mid-stem every time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from shotline.media.mix import AudioMix, Sound
from shotline.media.mixdown import SoundMixed
from shotline.services import handoff
from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from tests.services.handoff_film import make_film
from tests.services.test_handoff_cancel import listing
from tests.ui.shell_fixtures import shown_window

pytestmark = pytest.mark.ffmpeg

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-progress-ui"))


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path, built: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        assert win.open_project(built)
        yield win


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The hand-off's mixing, held after each sound until the event is set (then it runs on unheld), its progress
    unthrottled."""
    release = threading.Event()
    mix_for_real = handoff.write_wav

    def write_wav(mix: AudioMix, path: Path, mixed: SoundMixed | None = None) -> Path:
        def then_wait(sound: Sound, fraction: float) -> None:
            if mixed is not None:
                mixed(sound, fraction)
            if fraction >= 1.0:  # the sound is in the mix
                release.wait(WAIT_MS / 1000)

        return mix_for_real(mix, path, then_wait)

    monkeypatch.setattr(handoff, "write_wav", write_wav)
    # every report reaches the window: a report the throttle holds back waits for the next one, which never comes
    # while the mixing is held
    monkeypatch.setattr(handoff, "throttled", lambda sink: sink)
    yield release
    release.set()  # a failed test never leaves the mixing thread waiting


def export_action(win: MainWindow) -> QAction:
    [file_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"]
    return next(a for a in file_menu.actions() if a.text() == "Export for another editor…")


def shown(win: MainWindow) -> str:
    return "\n".join(text for text, _count in win.message_bar.messages())


def test_progress_in_the_status_bar_and_cancel_leaves_the_folder_as_it_was(
    qtbot, window: MainWindow, tmp_path: Path, held: threading.Event
) -> None:
    folder = tmp_path / "for Resolve"
    folder.mkdir()
    cut = folder / "Harbour.fcpxml"
    cut.write_text("the editor's own cut")  # the save dialog asked, and replacing it was agreed to
    before = listing(folder)
    window.menus.handoff.ask_cut_to_write = lambda default: cut
    writing = window.menus.handoff.writing
    indicator = writing.indicator

    export_action(window).trigger()
    qtbot.waitUntil(lambda: indicator.bar.value() > 0, timeout=WAIT_MS)
    assert indicator.isVisible() and indicator.cancel_button.isEnabled()
    assert 0 < indicator.bar.value() < indicator.bar.maximum()
    assert indicator.bar.text().endswith("%")  # the percentage on the bar, as the export dialog shows it
    label = indicator.label.text()
    assert label.startswith("Writing Harbour.fcpxml for another editor… ") and "left" in label and "%" not in label

    qtbot.mouseClick(indicator.cancel_button, Qt.MouseButton.LeftButton)
    assert indicator.label.text() == "Writing Harbour.fcpxml for another editor: cancelling…"
    assert not indicator.cancel_button.isEnabled()
    held.set()
    qtbot.waitUntil(lambda: "cancelled" in shown(window), timeout=WAIT_MS)

    assert shown(window) == (
        "Export for another editor was cancelled: Harbour.fcpxml and its stems were not written, and the files "
        "already there were left as they were."
    )
    assert listing(folder) == before  # no stem, no partial file; the editor's own cut untouched
    assert not indicator.isVisible() and writing.working_on == ""

    window.message_bar.clear()
    export_action(window).trigger()  # and left alone it runs to the end
    qtbot.waitUntil(lambda: "Wrote Harbour.fcpxml" in shown(window), timeout=WAIT_MS)
    assert "<fcpxml" in cut.read_text() and not indicator.isVisible()


def test_esc_cancels_a_handoff_into_a_new_folder_and_removes_it(
    qtbot, window: MainWindow, tmp_path: Path, held: threading.Event
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    window.menus.handoff.ask_cut_to_write = lambda default: exports / "for Kdenlive" / "Harbour.mlt"
    indicator = window.menus.handoff.writing.indicator
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    export_action(window).trigger()
    qtbot.waitUntil(lambda: indicator.bar.value() > 0, timeout=WAIT_MS)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    held.set()
    qtbot.waitUntil(lambda: "cancelled" in shown(window), timeout=WAIT_MS)

    assert listing(exports) == {}  # the folder it made is gone too
    assert not indicator.isVisible()
