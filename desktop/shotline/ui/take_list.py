"""TakeList: a shot's takes in the inspector, with their pictures and what can be done to them.

Pick (Return or a double click), compare side by side (C), delete (Delete: the take keeps its clip among the
deleted takes), restore a deleted one, reveal its file, see how it was made. Every change goes through the
document, one undo step each.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QIcon, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.model import Shot, Take
from shotline.core.ports import JobRecord
from shotline.core.timeline import format_length
from shotline.services.take_caption import take_caption
from shotline.ui import theme
from shotline.ui.dialogs.restore_take import ask_to_restore_take
from shotline.ui.dialogs.take_details import TakeDetailsDialog, details_text
from shotline.ui.document import ProjectDocument

TAKE_ID = Qt.ItemDataRole.UserRole + 1
THUMB_WIDTH = 192


def panel_action(icon: str, text: str, slot: Callable[[], Any], key: str, owner: QWidget) -> QAction:
    """An action with its key shown in its tooltip, answering while `owner` (or, for a list, only it) has focus."""
    action = QAction(theme.icon(icon), text, owner)
    action.setShortcut(QKeySequence(key))
    # a list owns its keys (Delete, Return), so they never reach a text field's cursor
    context = (
        Qt.ShortcutContext.WidgetShortcut
        if isinstance(owner, QListWidget)
        else Qt.ShortcutContext.WidgetWithChildrenShortcut
    )
    action.setShortcutContext(context)
    action.setToolTip(f"{text} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


class TakeList(QWidget):
    compare_requested = Signal(list)
    """Takes (core.model.Take) to compare side by side."""

    def __init__(self, document: ProjectDocument, *, owner: QWidget, parent: QWidget | None = None) -> None:
        """`owner` is the panel whose focus the panel-wide keys (restore, reveal, details) answer in."""
        super().__init__(parent)
        self.document = document
        self.shot_id: str | None = None
        self._shown_key: tuple[Any, ...] = ()
        self._items: dict[str, QListWidgetItem] = {}
        self._icons: dict[tuple[str, int], QIcon] = {}
        """The shown shot's take thumbnails, kept so a refreshed list shows them at once."""
        self.details_dialog: QDialog | None = None

        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setIconSize(QPixmap(96, 54).size())
        self.list.setAccessibleName("Takes")
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)  # a narrow panel cuts rows with "…"
        # rows as wide as the list: a row wider than the list was clipped mid-word behind a scroll bar, never elided
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.pick_action = panel_action("pick", "Pick take", self.pick_selected, "Return", self.list)
        self.compare_action = panel_action("compare", "Compare takes", self.compare, "C", self.list)
        # C compares the selected shot's takes wherever the focus is (a card, the timeline), as S and M split and
        # mark; a text field still types the letter. The id keeps the key a creator may have changed.
        self.compare_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.compare_action.setObjectName("inspector: Compare takes")
        self.delete_action = panel_action("delete", "Delete take", self.delete_selected, "Del", self.list)
        self.restore_action = panel_action("restore-take", "Restore take…", self.restore, "Ctrl+Shift+T", owner)
        self.reveal_action = panel_action("folder", "Reveal in file manager", self.reveal, "Ctrl+Shift+R", owner)
        self.details_action = panel_action("details", "Generation details", self.show_details, "Ctrl+I", owner)
        buttons = QHBoxLayout()
        for action in (
            self.pick_action,
            self.compare_action,
            self.delete_action,
            self.restore_action,
            self.reveal_action,
            self.details_action,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list, 1)
        column.addLayout(buttons)

        self.list.itemDoubleClicked.connect(lambda _: self.pick_selected())
        self.list.itemSelectionChanged.connect(self._update_actions)

    # ------------------------------------------------------------------------------------------ showing

    def forget(self) -> None:
        """Another shot is shown: its list is built afresh."""
        self._shown_key = ()

    def show_shot(self, shot: Shot) -> None:
        self.shot_id = shot.id
        key = (shot.id, shot.picked_take_id, tuple((t.id, t.trim) for t in shot.takes))
        if key == self._shown_key:
            return
        if self._shown_key[:1] != (shot.id,):
            self._icons = {}  # another shot: its takes' pictures are asked for afresh
        self._shown_key = key
        chosen = set(self.selected_take_ids())
        self.list.clear()
        self._items = {}
        for number, take in enumerate(shot.takes, start=1):
            picked = take.id == shot.picked_take_id
            created = take.generation.created_at[:16].replace("T", " ") if take.generation else ""
            # the take says what made it, what it cost and how long it took, as the comparison's caption does: takes
            # of one shot tried on several models are told apart here too
            caption = take_caption(self.document.ctx, take, number, self._job_of(take))
            parts = [
                f"Take {number}{'  ★ picked' if picked else ''}",
                format_length(take.duration_us, self.document.project.settings.fps),
                caption.title.partition(" · ")[2],
            ]
            text = " · ".join(p for p in parts if p) + f"\n{caption.facts}"
            item = QListWidgetItem(text)
            item.setData(TAKE_ID, take.id)
            made = f"{text}\n{created}" if created else text
            item.setToolTip(f"{made}\n{take.source_name or take.media}")  # the row may be cut short with "…"
            item.setSizeHint(QSize(1, self.list.iconSize().height() + 6))  # the list's width, not the text's
            self.list.addItem(item)
            self._items[take.id] = item
            item.setSelected(take.id in chosen)
            frame = (take.media, take.trim.in_us + take.trim.duration_us // 2)
            if (icon := self._icons.get(frame)) is not None:
                item.setIcon(icon)
            else:
                # a trim moves the picture's time: show the take's earlier picture until the new one comes
                earlier = next((i for (media, _), i in self._icons.items() if media == take.media), None)
                if earlier is not None:
                    item.setIcon(earlier)
                arrived = functools.partial(self._thumb, take.id, frame)
                self.document.thumbnail(take, frame[1], THUMB_WIDTH, arrived)
        self._update_actions()

    def _job_of(self, take: Take) -> JobRecord | None:
        """The job that made `take`, when the journal still has it (its billed cost and time taken)."""
        if take.generation is None:
            return None
        try:
            return self.document.job(take.generation.job_id)
        except KeyError:
            return None

    def _thumb(self, take_id: str, frame: tuple[str, int], picture: QImage) -> None:
        icon = QIcon(QPixmap.fromImage(picture))
        self._icons[frame] = icon
        if (item := self._items.get(take_id)) is not None:
            item.setIcon(icon)

    @property
    def shot(self) -> Shot | None:
        project = self.document.project
        return project.shot(self.shot_id) if self.shot_id and project.has_shot(self.shot_id) else None

    def selected_take_ids(self) -> list[str]:
        return [str(item.data(TAKE_ID)) for item in self.list.selectedItems()]

    def _selected(self) -> list[Take]:
        shot = self.shot
        chosen = set(self.selected_take_ids())
        return [t for t in shot.takes if t.id in chosen] if shot else []

    def _update_actions(self) -> None:
        count = len(self.selected_take_ids())
        for action in (self.pick_action, self.reveal_action, self.details_action):
            action.setEnabled(count == 1)
        self.delete_action.setEnabled(count > 0)
        shot = self.shot
        self.compare_action.setEnabled(shot is not None and len(shot.takes) > 1)
        project = self.document.project
        deleted = shot is not None and any(
            r.shot_id == shot.id or not project.has_shot(r.shot_id) for r in project.removed_takes
        )
        self.restore_action.setEnabled(deleted)

    # ------------------------------------------------------------------------------------------ doing

    def pick_selected(self) -> None:
        takes = self._selected()
        if self.shot_id and len(takes) == 1:
            self.document.execute(commands.pick_take(self.shot_id, takes[0].id))

    def compare(self) -> None:
        """Ask for the selected takes (or all of them) side by side, to choose between them."""
        shot = self.shot
        if shot is None:
            return
        takes = self._selected()
        self.compare_requested.emit(takes if len(takes) > 1 else list(shot.takes))

    def delete_selected(self) -> None:
        """A deliberate delete, one undo step: the takes keep their clips among the deleted takes (Restore take…)."""
        takes = self._selected()
        if self.shot_id and takes:
            self.document.delete_takes(self.shot_id, [take.id for take in takes])

    def restore(self) -> None:
        if self.shot_id:
            ask_to_restore_take(self.document, self.shot_id, self)

    def reveal(self) -> None:
        takes = self._selected()
        if takes:
            folder = self.document.session.bundle.resolve(takes[0].media).parent
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
                self.document.failed.emit(f"Could not open a file manager at {folder}.")

    def take_details(self, take: Take) -> str:
        return details_text(self.document.ctx, take)

    def show_details(self) -> QDialog | None:
        """A read-only window with how the selected take was made (not modal)."""
        takes = self._selected()
        if len(takes) != 1:
            return None
        dialog = TakeDetailsDialog(self.document.ctx, takes[0], self)  # labelled fields, not the raw record
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog = dialog
        dialog.show()
        return dialog
