"""Restore take…: the takes deleted from a shot, and those whose shot has gone since, to put one back on it.

Deleting a take keeps it and its clip in the project (a generated take may have been paid for); restoring one is an
ordinary edit, one undo step. Asked in a window-modal dialog that does not block (`open`), like the other dialogs.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from shotline.core.model import Project, RemovedTake
from shotline.core.ports import JobRecord
from shotline.services.context import AppContext
from shotline.services.take_caption import take_caption
from shotline.ui.document import ProjectDocument

TAKE_ID_ROLE = Qt.ItemDataRole.UserRole
THUMB_WIDTH = 96


def shot_name(project: Project, shot_id: str) -> str:
    """ "shot 3 ('Harbour')", as the creator numbers shots."""
    shot = project.shot(shot_id)
    number = project.index_of(shot_id) + 1
    return f"shot {number}" + (f" ({shot.title!r})" if shot.title else "")


def describe_deleted(ctx: AppContext, removed: RemovedTake, job: JobRecord | None, *, shot_gone: bool = False) -> str:
    """One line a creator can choose by, worded as the compare grid labels takes: what made it (backend and model by
    name, or the file it came from), what it cost and took, its length, whether it was picked, and, for a take whose
    shot is gone, that first."""
    take = removed.take
    caption = take_caption(ctx, take, 0, job)
    made = caption.title.partition(" · ")[2]  # without "Take 0": it has no number while deleted
    parts = ["From a deleted shot"] if shot_gone else []
    parts += [made[:1].upper() + made[1:], caption.facts, f"{take.duration_us / 1_000_000:.1f} s"]
    if removed.picked:
        parts.append("was picked")
    return " · ".join(parts)


def _intro(name: str, own: bool, orphans: bool) -> str:
    if not (own or orphans):
        return f"No take has been deleted from {name}."
    listed = (
        f"Takes deleted from {name}, and takes of shots deleted since"
        if own and orphans
        else f"Takes deleted from {name}"
        if own
        else f"No take has been deleted from {name}; these are takes of shots deleted since"
    )
    return (
        f"{listed}, newest first. Their clips are kept in the project; the take you restore goes on {name} "
        "(Undo takes it out again)."
    )


class RestoreTakeDialog(QDialog):
    def __init__(self, document: ProjectDocument, shot_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.shot_id = shot_id
        project = document.project
        self.setWindowTitle("Restore a deleted take")
        own = document.deleted_takes(shot_id)
        orphans = [r for r in document.deleted_takes() if not project.has_shot(r.shot_id)]
        name = shot_name(project, shot_id)
        self.intro = QLabel(_intro(name, bool(own), bool(orphans)), self)
        self.intro.setWordWrap(True)
        self.takes = QListWidget(self)
        self.takes.setIconSize(QSize(THUMB_WIDTH, THUMB_WIDTH * 9 // 16))
        self.takes.setWordWrap(True)  # a long line wraps rather than hiding its end behind a scroll bar
        self.takes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for removed in reversed(own):
            self._add(removed, shot_gone=False)
        for removed in reversed(orphans):
            self._add(removed, shot_gone=True)
        if self.takes.count():
            self.takes.setCurrentRow(0)
        self.takes.itemDoubleClicked.connect(lambda _item: self.restore())
        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton("Restore take", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button.setDefault(True)
        self.restore_button.setEnabled(self.takes.count() > 0)
        self.buttons.accepted.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.takes, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 320)

    def _add(self, removed: RemovedTake, *, shot_gone: bool) -> None:
        take = removed.take
        job_id = take.generation.job_id if take.generation else None
        job = next((j for j in self.document.jobs() if j.id == job_id), None)
        item = QListWidgetItem(describe_deleted(self.document.ctx, removed, job, shot_gone=shot_gone), self.takes)
        item.setData(TAKE_ID_ROLE, take.id)
        item.setToolTip(take.source_name or take.media)
        # its picture, as the take list shows one, so a creator knows which take it was
        middle = take.trim.in_us + take.trim.duration_us // 2
        self.document.thumbnail(take, middle, THUMB_WIDTH, partial(self._picture, item))

    def _picture(self, item: QListWidgetItem, picture: QImage) -> None:
        if self.takes.row(item) >= 0:  # the dialog may have been rebuilt or closed meanwhile
            item.setIcon(QIcon(QPixmap.fromImage(picture)))

    def restore(self) -> None:
        """Put the chosen take back on this dialog's shot; a refusal is said by the document's `failed`."""
        item = self.takes.currentItem()
        if item is None:
            return
        if self.document.restore_take(str(item.data(TAKE_ID_ROLE)), self.shot_id):
            self.accept()


def ask_to_restore_take(document: ProjectDocument, shot_id: str, parent: QWidget | None = None) -> RestoreTakeDialog:
    """Open Restore take… for `shot_id` (window-modal, not blocking): for a take list's button or a context menu."""
    dialog = RestoreTakeDialog(document, shot_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
