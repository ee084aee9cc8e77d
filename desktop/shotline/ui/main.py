"""The window's composition root: one QApplication, one AppContext, one Bridge, one MainWindow.

The application also takes what the macOS Finder asks Shotline to open (a double-click, "Open With", a drop on the
Dock icon): those arrive as a QFileOpenEvent for the application, not in argv, and go the same way as File → Open….

Also the last line of defence: an exception nobody caught is logged with its traceback and shown as a calm
sentence in the window's message bar — never a traceback dialog, never a silent crash.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QEvent, QLoggingCategory, Qt
from PySide6.QtGui import QFileOpenEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from shotline import __version__
from shotline.core.errors import ToolMissing
from shotline.services.context import AppContext, open_context
from shotline.ui import heap, theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import describe
from shotline.ui.main_window import MainWindow

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install_excepthook(report: Callable[[str], object]) -> ExceptHook:
    """Route uncaught exceptions to the log and `report(sentence)`; returns the hook it replaced."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, trace)
            return
        log.error("Uncaught exception:\n%s", "".join(traceback.format_exception(kind, error, trace)))
        try:
            report(describe(error))
        except Exception:  # reporting must never raise from inside the hook
            log.exception("Could not show the error in the window")

    sys.excepthook = hook
    return previous


class ShotlineApplication(QApplication):
    """A QApplication that hands files the system asks it to open to the window, or keeps them until there is one.

    A subclass rather than an event filter: a filter on the application would be called for every event of every
    widget, this only for events sent to the application itself."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self._waiting: list[Path] = []
        self._open: Callable[[Path], object] | None = None

    def open_files_with(self, open_path: Callable[[Path], object]) -> None:
        """From now on files to open go to `open_path`, starting with any that arrived before the window."""
        self._open = open_path
        waiting, self._waiting = self._waiting, []
        for path in waiting:
            open_path(path)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            self._file_to_open(event.file() or event.url().toLocalFile())
            return True
        return super().event(event)

    def _file_to_open(self, name: str) -> None:
        if not name:
            return
        log.info("Asked by the system to open %s", name)
        if self._open is None:
            self._waiting.append(Path(name))
        else:
            self._open(Path(name))


def quiet_media_engine() -> None:
    """Settings for Qt Multimedia's own FFmpeg, which plays the viewer and the sound lanes.

    It printed each clip's "Input #0 …" stream table to the terminal whenever the viewer opened one, and eight
    lines about the optional video-acceleration libraries (VA-API) this computer lacks, which playback does
    without; its other warnings stay. It may open local files only (no http, no pipe): a take is a file in the
    project, and a player never fetches what a hostile file names. The creator's QT_LOGGING_RULES and environment
    still win.
    """
    QLoggingCategory.setFilterRules(
        "qt.multimedia.ffmpeg.mediadataholder.info=false\nqt.multimedia.symbolsresolver.warning=false"
    )
    os.environ.setdefault("QT_FFMPEG_PROTOCOL_WHITELIST", "file")


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    quiet_media_engine()
    QCoreApplication.setApplicationName("Shotline")
    QCoreApplication.setOrganizationName("Shotline")
    QCoreApplication.setApplicationVersion(__version__)
    # Fractional scale factors (150 %) stay fractional, so icons and text are crisp on HiDPI screens.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = ShotlineApplication(argv if argv is not None else sys.argv[:1])
    app.setDesktopFileName("shotline")
    app.setWindowIcon(theme.icon("shotline"))
    theme.apply(app)
    heap.collect_on_gui_thread(app)
    return app


def ask_for_ffmpeg(problem: str, parent: QWidget | None = None) -> Path | None:
    """Say why Shotline cannot start and let the creator choose the ffmpeg program; None when they quit."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Shotline needs ffmpeg", problem, parent=parent)
    box.setInformativeText("Choose the ffmpeg program to use, or quit and install ffmpeg.")
    choose = box.addButton("Choose ffmpeg…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(choose)
    box.exec()
    if box.clickedButton() is not choose:
        return None
    name, _ = QFileDialog.getOpenFileName(parent, "Choose the ffmpeg program")
    return Path(name) if name else None


def open_context_asking_for_ffmpeg(
    ask: Callable[[str], Path | None] = ask_for_ffmpeg,
) -> AppContext | None:
    """The app's context; when no ffmpeg is found (or a chosen one is not a program), ask until one works or the
    creator quits (None)."""
    chosen: Path | None = None
    while True:
        try:
            return open_context(ffmpeg_path=chosen)
        except ToolMissing as problem:
            log.warning("Cannot start without ffmpeg: %s", problem)
            chosen = ask(describe(problem))
            if chosen is None:
                return None


def cannot_start(reason: str) -> None:
    """Say that the window could not start, and why (the details are in the log)."""
    QMessageBox.critical(None, "Shotline could not start", f"Shotline could not open its window. {reason}")


def start_window(ctx: AppContext, bridge: Bridge, path: Path | str | None = None) -> MainWindow:
    """The window as a creator starts it: shown, with `path` open, and on a first start the getting-started guide.

    Tests build a MainWindow directly and so never meet the guide unless they start the window this way.
    """
    window = MainWindow(ctx, bridge)
    window.show()
    if path is not None:
        window.open_path(Path(path))
    window.offer_getting_started()
    return window


def main(path: Path | str | None = None) -> int:
    """Show the window (with the project at `path`, or the welcome page) and run until it closes."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_application()
    ctx = open_context_asking_for_ffmpeg()
    if ctx is None:
        return 1
    try:
        window = start_window(ctx, Bridge(), path)
    except Exception as error:
        log.exception("The window could not start")
        ctx.close()  # its runner's thread would otherwise keep the process alive, with no window to quit from
        cannot_start(describe(error))
        return 1
    if isinstance(app, ShotlineApplication):
        app.open_files_with(window.open_path)
    previous = install_excepthook(window.message_bar.show_message)

    def shut_down() -> None:
        window.shutdown()  # jobs detach (not cancelled) and resume on the next open
        ctx.close()

    app.aboutToQuit.connect(shut_down)
    try:
        return app.exec()
    finally:
        sys.excepthook = previous


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
