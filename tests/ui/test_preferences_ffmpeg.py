"""Preferences → ffmpeg: choose the program with Browse…, see it checked (`-version`, off the GUI thread), save it.

Real programs throughout: the ffmpeg imageio-ffmpeg ships (reached through a link of our own, so choosing it is a
change), shell scripts that are not ffmpeg, a folder, a file that may not be run, and one that never answers.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.media.locate import configure_pydub, find_ffmpeg
from shotline.services.context import AppContext
from shotline.ui import theme
from shotline.ui.dialogs.preferences import PreferencesDialog
from tests.ui.shell_fixtures import private_settings


def script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def dialog(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[PreferencesDialog]:
    private_settings(app_context, tmp_path / "settings")
    found = app_context.ffmpeg
    shown = PreferencesDialog(app_context)
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    configure_pydub(found)  # pydub's converter is process-wide: put back the one the other tests expect


@pytest.fixture
def linked_ffmpeg(ffmpeg_exe: Path, tmp_path: Path) -> Path:
    link = tmp_path / "tools" / "ffmpeg"
    link.parent.mkdir()
    link.symlink_to(ffmpeg_exe)
    return link


def browse_to(dialog: PreferencesDialog, path: Path) -> None:
    dialog.ask_ffmpeg_path = lambda: str(path)
    dialog.browse_ffmpeg.click()


def wait_for_answer(qtbot, dialog: PreferencesDialog) -> str:
    qtbot.waitUntil(lambda: not dialog.ffmpeg_status.text().startswith("Checking"), timeout=15_000)
    return dialog.ffmpeg_status.text()


def test_a_real_ffmpeg_is_checked_saved_and_used_from_now_on(
    qtbot, dialog: PreferencesDialog, app_context: AppContext, linked_ffmpeg: Path
) -> None:
    assert str(app_context.ffmpeg) in dialog.ffmpeg_status.text()  # what is in use before anything is chosen
    browse_to(dialog, linked_ffmpeg)
    assert dialog.ffmpeg.text() == str(linked_ffmpeg)
    assert dialog.ffmpeg_status.text().startswith("Checking")  # the answer comes later, from the runner
    answer = wait_for_answer(qtbot, dialog)
    assert answer.startswith("Works: ffmpeg version"), answer
    assert theme.SUCCESS.name() in dialog.ffmpeg_status.styleSheet()
    assert dialog.save()
    assert app_context.settings_store.load().ffmpeg_path == str(linked_ffmpeg)
    assert app_context.ffmpeg == linked_ffmpeg
    from pydub import AudioSegment

    assert AudioSegment.converter == str(linked_ffmpeg)


def test_a_program_that_is_not_ffmpeg_is_named_and_not_saved(
    qtbot, dialog: PreferencesDialog, app_context: AppContext, tmp_path: Path
) -> None:
    before = app_context.settings_store.load()
    impostor = script(tmp_path / "ffmpeg", "echo 'GNU sed version 4.9'")
    browse_to(dialog, impostor)
    answer = wait_for_answer(qtbot, dialog)
    assert "is not ffmpeg" in answer and "GNU sed version 4.9" in answer
    assert theme.DANGER.name() in dialog.ffmpeg_status.styleSheet()
    assert not dialog.save()
    assert "is not ffmpeg" in dialog.error.text()
    assert app_context.settings_store.load() == before


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda folder: folder / "nowhere" / "ffmpeg", "There is no file at"),
        (lambda folder: folder, "is a folder; choose the ffmpeg program inside it"),
        (lambda folder: Path("bin/ffmpeg"), "must be given as a full path"),
    ],
)
def test_a_path_that_cannot_be_run_is_refused_on_save_with_the_reason(
    dialog: PreferencesDialog, app_context: AppContext, tmp_path: Path, make, says: str
) -> None:
    before = app_context.settings_store.load()
    dialog.ffmpeg.setText(str(make(tmp_path)))
    assert not dialog.save()
    assert says in dialog.error.text()
    assert app_context.settings_store.load() == before


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions that bind this user")
def test_a_file_without_execute_permission_is_refused(
    dialog: PreferencesDialog, app_context: AppContext, tmp_path: Path
) -> None:
    plain = tmp_path / "ffmpeg"
    plain.write_text("not a program")
    dialog.ffmpeg.setText(str(plain))
    assert not dialog.save()
    assert "lacks execute permission" in dialog.error.text()


def test_empty_means_found_automatically(
    qtbot, dialog: PreferencesDialog, app_context: AppContext, linked_ffmpeg: Path
) -> None:
    browse_to(dialog, linked_ffmpeg)
    wait_for_answer(qtbot, dialog)
    assert dialog.save()
    again = PreferencesDialog(app_context)
    qtbot.addWidget(again)
    assert again.ffmpeg.text() == str(linked_ffmpeg)
    again.ffmpeg.clear()
    again.check_ffmpeg()
    assert wait_for_answer(qtbot, again).startswith("Works: ffmpeg version")
    assert again.save()
    assert app_context.settings_store.load().ffmpeg_path == ""
    assert app_context.ffmpeg == find_ffmpeg(None)


def test_closing_the_dialog_stops_a_check_that_never_answers(qtbot, dialog: PreferencesDialog, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    stuck = script(tmp_path / "ffmpeg", f"echo $$ > '{pid_file}'\nexec sleep 60")
    browse_to(dialog, stuck)
    assert dialog.ffmpeg_status.text().startswith("Checking")
    qtbot.waitUntil(lambda: pid_file.is_file() and pid_file.read_text().strip() != "", timeout=10_000)
    pid = int(pid_file.read_text())
    assert running(pid)
    dialog.reject()
    qtbot.waitUntil(lambda: not running(pid), timeout=5000)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
