"""The dialogs the window's menus open (export, continuity, try-on, preferences, keys, budget, shortcuts, about) and the
question asked before unsaved edits would be lost. Each takes the window it belongs to; none keeps state of its own."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shotline import __version__
from shotline.services.retirement import Retirement
from shotline.ui.compare_grid import compare_takes
from shotline.ui.dialogs.budget import BudgetDialog
from shotline.ui.dialogs.continuity import ContinuityDialog, check_before_export, show_check
from shotline.ui.dialogs.draft_stills import DraftStillsDialog, show_draft_stills
from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.dialogs.keys import KeysDialog
from shotline.ui.dialogs.preferences import PreferencesDialog
from shotline.ui.dialogs.replace_model import ReplaceModelDialog, show_moves
from shotline.ui.dialogs.shortcuts import ShortcutsDialog
from shotline.ui.dialogs.try_on import TryOnDialog, show_try_on
from shotline.ui.player import PlayerPanel

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow


class Unsaved(StrEnum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved(window: MainWindow) -> Unsaved:
    title = window.document.project.title if window.document is not None else "This project"
    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes", f"Save the changes to “{title}”?", parent=window)
    box.setInformativeText("Your edits are autosaved, but only Save updates the project file.")
    buttons = {
        box.addButton(QMessageBox.StandardButton.Save): Unsaved.SAVE,
        box.addButton(QMessageBox.StandardButton.Discard): Unsaved.DISCARD,
        box.addButton(QMessageBox.StandardButton.Cancel): Unsaved.CANCEL,
    }
    box.exec()
    clicked = box.clickedButton()
    return next((choice for button, choice in buttons.items() if button is clicked), Unsaved.CANCEL)


def export(window: MainWindow) -> None:
    """The export dialog, after the continuity check's one question when it finds something new."""
    if window.document is not None:
        check_before_export(window.document, window, partial(open_export, window), partial(check_continuity, window))


def open_export(window: MainWindow) -> None:
    if window.document is None:
        return
    dialog = ExportDialog(window.document, window, selected_shot=window.selection.current)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


def check_continuity(window: MainWindow) -> ContinuityDialog | None:
    """Film → Check continuity…: each finding's "Show shot" selects it in the storyboard and the inspector."""
    if window.document is None:
        return None
    return show_check(window.document, lambda shot_id: window.selection.select([shot_id]), window)


def try_on(window: MainWindow) -> TryOnDialog | None:
    """Film → Try on other models… (and a shot's right-click menu): the selected shot on 2–4 models at once; the
    takes open in the comparison, as the inspector's Compare opens it (the player paused first)."""
    document = window.document
    if document is None:
        return None
    shot_id = window.selection.current
    if shot_id is None or not document.project.has_shot(shot_id):
        document.failed.emit("Select a shot to try it on other models.")
        return None
    player = window.panels.get("player")
    pause = player.pause if isinstance(player, PlayerPanel) else None
    return show_try_on(document, shot_id, lambda takes: compare_takes(document, takes, window, pause=pause), window)


def draft_stills(window: MainWindow) -> DraftStillsDialog | None:
    """Film → Draft stills… (and a shot's right-click menu, and the inspector): cheap pictures of the selected shot,
    one of which becomes its first frame."""
    document = window.document
    if document is None:
        return None
    shot_id = window.selection.current
    if shot_id is None or not document.project.has_shot(shot_id):
        document.failed.emit("Select a shot to draft stills of it.")
        return None
    return show_draft_stills(document, shot_id, window)


def show_preferences(window: MainWindow) -> None:
    PreferencesDialog(window.ctx, window).exec()


def show_keys(window: MainWindow) -> None:
    KeysDialog(window.ctx, window).exec()


def show_budget(window: MainWindow) -> None:
    if window.document is not None:
        BudgetDialog(window.document, window).exec()


def replace_retired(window: MainWindow, retired: Retirement | None = None) -> ReplaceModelDialog | None:
    """Every retired model the project's shots use (or `retired`), each moved to its replacement: shown first, then
    one edit."""
    return show_moves(window.document, window, retired) if window.document is not None else None


def show_shortcuts(window: MainWindow) -> None:
    ShortcutsDialog(window).exec()


def about(window: MainWindow) -> None:
    QMessageBox.about(
        window,
        "About Shotline",
        f"<b>Shotline {__version__}</b><p>Write a film as a shot list, generate takes with the backend you "
        "choose, edit and export offline.</p><p>Free software under the GNU GPL v3 or later.</p>",
    )
