"""StoryboardPanel: the shot cards with add, duplicate, delete, generate, paste script and the project's style line.

Each toolbar action is one undo step, however many cards are selected. The card selection and the window's
ShotSelection follow each other both ways.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.model import Shot, new_id
from shotline.services.script import shots_from_script
from shotline.services.shots import follow_on_settings, insert_index, new_shots
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.growing_text import GrowingTextEdit
from shotline.ui.selection import ShotSelection
from shotline.ui.spend_question import ask_then, button_text, planned_cost
from shotline.ui.storyboard.delegate import ShotCardDelegate
from shotline.ui.storyboard.model import ShotListModel, ShotRole
from shotline.ui.storyboard.view import ShotListView

log = logging.getLogger(__name__)

STYLE_MERGE_KEY = ("style",)


class ScriptDialog(QDialog):
    """A text box for a script: one shot per paragraph, blank lines between them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Paste script")
        self.editor = QPlainTextEdit(self)
        self.editor.setPlaceholderText(
            "Shot 1: A lighthouse on a cliff at dawn, waves below.\n\n"
            "Shot 2: The keeper climbs the spiral stairs, lamp in hand."
        )
        self.count = QLabel(self)
        self.count.setStyleSheet(f"color: {theme.MUTED.name()}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add shots")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("One shot per paragraph; leave a blank line between shots.", self))
        layout.addWidget(self.editor)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.editor.textChanged.connect(self._count)
        self.resize(560, 420)
        self._count()

    def _count(self) -> None:
        found = len(shots_from_script(self.editor.toPlainText()))
        self.count.setText(f"{found} shot{'s' if found != 1 else ''}")
        self.ok.setEnabled(found > 0)


class StoryboardPanel(QWidget):
    def __init__(self, document: ProjectDocument, selection: ShotSelection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self._syncing = False
        self.script_dialog: ScriptDialog | None = None
        self.spend_question: QMessageBox | None = None
        """The open question of a paid Generate, until it is answered (ui.spend_question)."""

        self.model = ShotListModel(document, self)
        self.view = ShotListView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(ShotCardDelegate(self.view))
        self.view.setAccessibleName("Storyboard")

        self.add_action = self._action("add-shot", "Add shot", self.add_shot, "Ctrl+Shift+N", "Ins")
        self.duplicate_action = self._action("duplicate", "Duplicate", self.duplicate_selected, "Ctrl+D")
        self.delete_action = self._action("delete", "Delete", self.delete_selected, "Del")
        self.generate_action = self._action("generate", "Generate", self.generate_selected, "Ctrl+G")
        self._generate_keys = self.generate_action.toolTip().removeprefix("Generate (").removesuffix(")")
        self.script_action = self._action("script", "Paste script…", self.open_script_dialog, "Ctrl+Shift+V")

        self.style_edit = GrowingTextEdit(self)  # wraps and grows: a long style is read whole, not by its tail
        self.style_edit.setPlaceholderText("Style for every shot, e.g. 35 mm film, warm grade")
        self.style_edit.setToolTip("Added to every shot's prompt when it is generated, so the shots share one look.")
        self.style_edit.setText(document.project.settings.style)
        self.style_edit.textEdited.connect(self._style_edited)
        self.style_edit.editingFinished.connect(document.seal)

        toolbar = QToolBar("Storyboard", self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action in (self.add_action, self.duplicate_action, self.delete_action, self.generate_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.script_action)
        style_row = QHBoxLayout()
        style_row.setContentsMargins(6, 0, 6, 0)
        style_label = QLabel("Style", self)
        style_label.setBuddy(self.style_edit)
        style_row.addWidget(style_label, 0, Qt.AlignmentFlag.AlignTop)
        style_row.addWidget(self.style_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(toolbar)
        layout.addLayout(style_row)
        layout.addWidget(self.view, 1)

        self.view.selectionModel().selectionChanged.connect(self._push_selection)
        self.view.selectionModel().currentChanged.connect(self._push_selection)
        self.model.rowsRemoved.connect(self._push_selection)
        selection.changed.connect(self._pull_selection)
        document.changed.connect(self._on_changed)
        self._pull_selection()
        self._update_actions()

    def _action(self, icon: str, text: str, slot: object, *keys: str) -> QAction:
        action = QAction(theme.icon(icon), text, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = ", ".join(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) for key in keys)
        action.setToolTip(f"{text.rstrip('…')} ({shown})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # ------------------------------------------------------------------------------------------ selection

    def selected_ids(self) -> list[str]:
        """Selected shots in storyboard order."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedIndexes()})
        return [self.model.shot_at(row).id for row in rows]

    def _push_selection(self, *_: object) -> None:
        if self._syncing:
            return
        ids = self.selected_ids()
        current = self.view.currentIndex()
        if current.isValid():
            current_id = str(current.data(ShotRole.ID))
            if current_id in ids:  # the card with focus is the one the inspector shows
                ids = [i for i in ids if i != current_id] + [current_id]
        self._syncing = True
        try:
            self.selection.select(ids)
        finally:
            self._syncing = False
        self._update_actions()

    def _pull_selection(self) -> None:
        if self._syncing:
            return
        wanted = [sid for sid in self.selection.ids if self.model.row_of(sid) >= 0]
        if sorted(wanted) == sorted(self.selected_ids()) and (
            not wanted or self.view.currentIndex().data(ShotRole.ID) == wanted[-1]
        ):
            return
        self._syncing = True
        try:
            chosen = QItemSelection()
            for shot_id in wanted:
                index = self.model.index_of(shot_id)
                chosen.select(index, index)
            flag = QItemSelectionModel.SelectionFlag
            self.view.selectionModel().select(chosen, flag.ClearAndSelect)
            if wanted:
                current = self.model.index_of(wanted[-1])
                self.view.selectionModel().setCurrentIndex(current, flag.NoUpdate)
                self.view.scrollTo(current)
        finally:
            self._syncing = False
        self._update_actions()

    def select_shots(self, ids: list[str]) -> None:
        self.selection.select(ids)

    def _update_actions(self) -> None:
        has = bool(self.view.selectionModel().selectedIndexes())
        for action in (self.duplicate_action, self.delete_action, self.generate_action):
            action.setEnabled(has)
        # the toolbar's Generate names what a paid one will cost, as the inspector's button does
        project = self.document.project
        shots = [project.shot(shot_id) for shot_id in self.selected_ids() if project.has_shot(shot_id)]
        label = button_text(planned_cost(self.document, shots)) if shots else "Generate"
        self.generate_action.setToolTip(f"{label} — one take of each selected shot ({self._generate_keys})")

    def _on_changed(self, change: ProjectChange) -> None:
        if change.settings and self.style_edit.text() != self.document.project.settings.style:
            position = self.style_edit.cursorPosition()
            self.style_edit.setText(self.document.project.settings.style)
            self.style_edit.setCursorPosition(min(position, len(self.style_edit.text())))
        self.view.viewport().update()  # the empty hint comes and goes with the first and last shot

    # ------------------------------------------------------------------------------------------ edits

    def add_shot(self) -> None:
        """A new empty shot after the current one, with its look; selected so the inspector shows it."""
        project = self.document.project
        after = self.selection.current
        settings = follow_on_settings(project, after, self.document.ctx.settings.default_backend)
        shot = Shot(id=new_id(), prompt="", generation=settings)
        if self.document.execute(commands.add_shot(shot, insert_index(project, after))):
            self.select_shots([shot.id])
            self.view.setFocus()

    def duplicate_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        before = {shot.id for shot in self.document.project.shots}
        if len(ids) == 1:
            self.document.execute(commands.duplicate_shot(ids[0]))
        else:
            with self.document.transaction("Duplicate shots"):
                for shot_id in ids:
                    if not self.document.execute(commands.duplicate_shot(shot_id)):
                        break
        self.select_shots([shot.id for shot in self.document.project.shots if shot.id not in before])

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        rows = [self.model.row_of(shot_id) for shot_id in ids]
        if len(ids) == 1:
            self.document.execute(commands.remove_shot(ids[0]))
        else:
            with self.document.transaction("Delete shots"):
                for shot_id in ids:
                    if not self.document.execute(commands.remove_shot(shot_id)):
                        break
        # keep the keyboard in the storyboard: the card that took the first deleted card's place is next
        if self.model.rowCount():
            neighbour = self.model.shot_at(min(min(rows), self.model.rowCount() - 1)).id
            self.select_shots([neighbour])
        else:
            self.select_shots([])

    def generate_selected(self) -> None:
        """One take of each selected shot; a paid Generate above the creator's threshold asks first (once per
        session, ui.spend_question)."""
        ids = self.selected_ids()
        if ids:
            shots = [self.document.project.shot(shot_id) for shot_id in ids]
            planned = planned_cost(self.document, shots)
            self.spend_question = ask_then(self, self.document, planned, len(ids), lambda: self.document.generate(ids))

    def open_script_dialog(self) -> ScriptDialog:
        """Show the paste-script box (not modal); accepting it adds the shots."""
        dialog = ScriptDialog(self)
        dialog.accepted.connect(lambda: self.paste_script(dialog.editor.toPlainText()))
        dialog.finished.connect(dialog.deleteLater)
        self.script_dialog = dialog
        dialog.open()
        return dialog

    def paste_script(self, text: str) -> list[str]:
        """One shot per paragraph after the current shot, as one undo step; returns the new shots' ids."""
        pairs = shots_from_script(text)
        if not pairs:
            self.document.failed.emit("The script has no text to make shots from; write one paragraph per shot.")
            return []
        shots, index = new_shots(
            self.document.project, self.selection.current, pairs, self.document.ctx.settings.default_backend
        )
        with self.document.transaction("Paste script"):
            for offset, shot in enumerate(shots):
                if not self.document.execute(commands.add_shot(shot, index + offset)):
                    break
        added = [shot.id for shot in shots if self.document.project.has_shot(shot.id)]
        self.select_shots(added)
        return added

    def _style_edited(self, text: str) -> None:
        settings = dataclasses.replace(self.document.project.settings, style=text)
        command = dataclasses.replace(commands.set_project_settings(settings), label="Change style")
        # one merge key for the whole field: typing a phrase is one undo step, until the field loses focus
        self.document.execute(dataclasses.replace(command, merge_key=STYLE_MERGE_KEY))
