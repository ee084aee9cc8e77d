"""Files the system asks Shotline to open: the macOS Finder's QFileOpenEvent and a lone path on the command line.

The Finder sends a QFileOpenEvent to the application object, which only Shotline's own QApplication subclass
handles; the tests' shared QApplication is pytest-qt's plain one. So the window runs in a child process, started
the way `shotline` starts it (launcher.main), and real QFileOpenEvents are sent to its application with
QCoreApplication.sendEvent: one before the window exists, one while it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shotline.launcher import WINDOW_SUFFIXES, Route, route
from shotline.services.sharing import share
from shotline.storage import bundle, sharing

# Runs in the child. argv: archive, project, inbox. Answers "where should the shared project go?" with the inbox.
CHILD = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QFileOpenEvent
from shotline import launcher
from shotline.ui import main as ui_main
from shotline.ui.main_window import MainWindow
from shotline.ui.sharing import SharingFlow

archive, project, inbox = (Path(arg) for arg in sys.argv[1:4])
SharingFlow._ask_folder = lambda self, start: inbox
app = ui_main.make_application()
QCoreApplication.sendEvent(app, QFileOpenEvent(str(project)))  # before the window: it must wait for one
report = {"application": type(app).__name__}

def window():
    return next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))

def opened():
    document = window().document
    return document.path if document is not None else None

def step():
    unpacked = inbox / "film.shotline"
    if "unpacked" not in report and opened() == unpacked:
        report["unpacked"] = str(unpacked)
        report["recent"] = [str(p) for p in window().ctx.settings.recent_projects]
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(project)))  # the window is there: opens at once
        report["after_event"] = str(opened())
        report["shots"] = len(window().document.project.shots)
        print(json.dumps(report), flush=True)
        window().close()
        return
    QTimer.singleShot(20, step)

QTimer.singleShot(0, step)
QTimer.singleShot(60_000, app.quit)
launcher.main([str(archive)])  # `shotline film.shotline.zip`
"""


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["film.shotline.zip"], Route(window=True, path=Path("film.shotline.zip"))),
        (["Film.SHOTLINE.ZIP"], Route(window=True, path=Path("Film.SHOTLINE.ZIP"))),
        (["film.shotline"], Route(window=True, path=Path("film.shotline"))),
        (["film.shotline/"], Route(window=True, path=Path("film.shotline"))),
        (["open", "film.shotline.zip"], Route(window=True, path=Path("film.shotline.zip"))),
        (["info"], Route(window=False)),
        (["holiday.zip"], Route(window=False)),
        (["info", "film.shotline"], Route(window=False)),
    ],
)
def test_a_lone_project_or_archive_opens_the_window(argv: list[str], expected: Route) -> None:
    assert route(argv) == expected


def test_the_launcher_knows_the_names_storage_writes() -> None:
    assert set(WINDOW_SUFFIXES) == {bundle.SUFFIX, sharing.ARCHIVE_SUFFIX}


def test_file_open_events_and_a_lone_archive_argument_open_projects(project_path: Path, tmp_path: Path) -> None:
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    outbox.mkdir()
    inbox.mkdir()
    archive = share(project_path, outbox / "film.shotline.zip").archive
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SHOTLINE_CONFIG_DIR=str(tmp_path / "config"))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(archive), str(project_path), str(inbox)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    report = json.loads(lines[-1])
    assert report["application"] == "ShotlineApplication"
    unpacked = inbox / "film.shotline"
    assert report["unpacked"] == str(unpacked)
    # Opened in order: the project from the early event, then the archive given on the command line once unpacked.
    assert report["recent"] == [str(unpacked.resolve()), str(project_path.resolve())]
    assert report["after_event"] == str(project_path)
    assert report["shots"] == 3
    assert "Traceback" not in done.stderr
