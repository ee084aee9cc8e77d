"""Shared by the shell tests: a real main window on a real AppContext, answering the unsaved prompt as told."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from shotline.services.context import AppContext
from shotline.storage.settings import SettingsStore
from shotline.ui.bridge import Bridge
from shotline.ui.main_window import MainWindow, Unsaved


@contextmanager
def shown_window(qtbot, app_context: AppContext, settings_folder: Path) -> Iterator[MainWindow]:
    """A shown window that discards unsaved edits when closed, released (project closed) afterwards.

    Its settings (recent projects…) go to `settings_folder`, so tests never share them.
    """
    private_settings(app_context, settings_folder)
    win = MainWindow(app_context, Bridge())
    win.ask_unsaved = lambda: Unsaved.DISCARD
    qtbot.addWidget(win)
    win.show()
    try:
        yield win
    finally:
        win.shutdown()


def private_settings(app_context: AppContext, folder: Path) -> None:
    app_context.settings_store = SettingsStore(folder)
    app_context.settings = app_context.settings_store.load()


def visible_dialogs() -> list[QDialog]:
    """Every dialog or message box on screen (the shell must show errors without any)."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog | QMessageBox) and w.isVisible()]
