"""The window's composition root: one QApplication, one AppContext, one Bridge, one MainWindow.

Also the last line of defence: an exception nobody caught is logged with its traceback and shown as a calm
sentence in the window's message bar — never a traceback dialog, never a silent crash.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from shotline import __version__
from shotline.services.context import open_context
from shotline.ui import theme
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


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setApplicationName("Shotline")
    QCoreApplication.setOrganizationName("Shotline")
    QCoreApplication.setApplicationVersion(__version__)
    # Fractional scale factors (150 %) stay fractional, so icons and text are crisp on HiDPI screens.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setDesktopFileName("shotline")
    app.setWindowIcon(theme.icon("shotline"))
    theme.apply(app)
    return app


def main(path: Path | str | None = None) -> int:
    """Show the window (with the project at `path`, or the welcome page) and run until it closes."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_application()
    ctx = open_context()
    bridge = Bridge()
    window = MainWindow(ctx, bridge)
    previous = install_excepthook(window.message_bar.show_message)

    def shut_down() -> None:
        window.shutdown()  # jobs detach (not cancelled) and resume on the next open
        ctx.close()

    app.aboutToQuit.connect(shut_down)
    window.show()
    if path is not None:
        window.open_project(Path(path))
    try:
        return app.exec()
    finally:
        sys.excepthook = previous


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
