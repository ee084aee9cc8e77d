"""The "Cast & places" panel: the project's characters, places, props and looks, each with its pictures.

Above, the members as a list (first picture, @Name, kind and the shots that mention it); below, the chosen one's
name, kind, description and pictures. Every change is one undo step through the document. Pictures are checked and
copied into the project off the GUI thread (`services.cast`), and read back as small pictures off it too; a picture
is read only from inside the project (`ProjectBundle.resolve`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.model import CastKind, CastMember, new_id
from shotline.services import cast as cast_service
from shotline.services.intake import NewMedia
from shotline.ui import theme
from shotline.ui.dialogs.draft_stills import show_draft_stills
from shotline.ui.dialogs.member_voice import MemberVoiceDialog, voice_words
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.growing_text import GrowingTextEdit
from shotline.ui.selection import ShotSelection

log = logging.getLogger(__name__)

TITLE = "Cast && places"
"""The panel's name as Qt shows it ("&&" is one "&": a single one would underline the next letter)."""
ICON_PX = 48
LIST_ROWS = 3
"""Members the list shows at the least, however short the dock: the details below must not squeeze it to one."""
KIND_WORDS = {
    CastKind.CHARACTER: "Character",
    CastKind.PLACE: "Place",
    CastKind.PROP: "Prop",
    CastKind.LOOK: "Look",
}


def _small_picture(path: Path, side: int) -> QImage:
    """The picture at `path` scaled to fit `side`, read at that size (a large picture is never decoded whole), centred
    on a clear square, so portraits and landscapes line the names up alike."""
    reader = QImageReader(str(path))
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > side:
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    picture = reader.read()
    if picture.isNull():
        return picture
    square = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    square.fill(Qt.GlobalColor.transparent)
    painter = QPainter(square)
    painter.drawImage((side - picture.width()) // 2, (side - picture.height()) // 2, picture)
    painter.end()
    return square


class CastPanel(QWidget):
    def __init__(self, document: ProjectDocument, selection: ShotSelection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self._shown_name = ""
        self._pictures: dict[str, QIcon] = {}
        """Small pictures by media path, read once (the files under media/ never change)."""
        self._build()
        document.changed.connect(self._project_changed)
        selection.changed.connect(self._update_buttons)
        self.refresh()

    # ------------------------------------------------------------------------------------------ building

    def _build(self) -> None:
        self.members = QListWidget(self)
        self.members.setIconSize(QSize(ICON_PX, ICON_PX))
        self.members.setMinimumHeight((ICON_PX + 8) * LIST_ROWS)
        self.members.setAccessibleName("Cast & places")
        self.empty = QLabel(
            "No cast or places yet. Add the characters, places, props and looks your film keeps coming back to, "
            "with a few pictures each; then write @Name in a shot's prompt.",
            self,
        )
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.add_button = QPushButton("Add…", self)
        self.add_button.setToolTip("Add a character, place, prop or look")
        self.remove_button = QPushButton(theme.icon("delete"), "Remove", self)
        self.name_edit = QLineEdit(self)
        self.name_edit.setToolTip("One word: a prompt mentions it as @Name. Renaming rewrites every mention.")
        self.kind_combo = QComboBox(self)
        for kind, words in KIND_WORDS.items():
            self.kind_combo.addItem(words, kind)
        self.description_edit = GrowingTextEdit(self)
        self.description_edit.setPlaceholderText(
            "A short description, written into prompts for models without pictures"
        )
        self.pictures = QListWidget(self)
        self.pictures.setViewMode(QListView.ViewMode.IconMode)
        self.pictures.setIconSize(QSize(ICON_PX * 3 // 2, ICON_PX * 3 // 2))
        self.pictures.setMovement(QListView.Movement.Static)
        self.pictures.setFixedHeight(ICON_PX * 3 // 2 + 26)
        self.pictures.setFlow(QListView.Flow.LeftToRight)
        self.pictures.setWrapping(False)
        self.add_pictures = QPushButton(theme.icon("image"), "Add pictures…", self)
        self.add_frame = QPushButton(theme.icon("last-frame"), "Use shot's frame", self)
        self.remove_picture = QPushButton("Remove picture", self)
        self.draft_pictures = QPushButton(theme.icon("generate"), "Draft pictures…", self)
        self.draft_pictures.setToolTip("Draft pictures of this member from its description, and keep the ones you pick")
        self.voice_label = QLabel(self)
        self.voice_label.setWordWrap(True)
        self.voice_button = QPushButton("Choose voice…", self)
        self.voice_button.setToolTip("The voice every line of this member's is spoken with, in every shot")
        self.mentions = QLabel(self)
        self.mentions.setWordWrap(True)
        self.mentions.setStyleSheet(f"color: {theme.MUTED.name()}")

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        picture_buttons = QHBoxLayout()
        for button in (self.add_pictures, self.add_frame, self.draft_pictures, self.remove_picture):
            picture_buttons.addWidget(button)
        picture_buttons.addStretch(1)
        self.details = QWidget(self)
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Name", self.name_edit)
        form.addRow("Kind", self.kind_combo)
        form.addRow("About", self.description_edit)
        form.addRow(self.pictures)
        form.addRow(picture_buttons)
        voice_row = QHBoxLayout()
        voice_row.addWidget(self.voice_label, 1)
        voice_row.addWidget(self.voice_button)
        form.addRow("Voice", voice_row)
        form.addRow(self.mentions)
        column = QVBoxLayout(self)
        column.addWidget(self.members, 1)
        column.addWidget(self.empty)
        column.addLayout(buttons)
        column.addWidget(self.details)

        self.members.currentRowChanged.connect(lambda _row: self._show_member())
        self.add_button.clicked.connect(self.ask_new_member)
        self.remove_button.clicked.connect(self._remove_member)
        self.name_edit.editingFinished.connect(self._rename)
        self.kind_combo.activated.connect(lambda _index: self._set_kind())
        self.description_edit.textEdited.connect(self._describe)
        self.description_edit.editingFinished.connect(self.document.seal)
        self.add_pictures.clicked.connect(self._choose_pictures)
        self.add_frame.clicked.connect(self.add_frame_of_selected_shot)
        self.remove_picture.clicked.connect(self._remove_picture)
        self.draft_pictures.clicked.connect(self.draft_member_pictures)
        self.voice_button.clicked.connect(self.choose_voice)
        self.pictures.currentRowChanged.connect(lambda _row: self._update_buttons())

    # ------------------------------------------------------------------------------------------ showing

    @property
    def member(self) -> CastMember | None:
        item = self.members.currentItem()
        if item is None:
            return None
        member_id = item.data(Qt.ItemDataRole.UserRole)
        return next((m for m in self.document.project.cast if m.id == member_id), None)

    def _project_changed(self, change: object) -> None:
        if getattr(change, "cast", False) or getattr(change, "updated", ()) or getattr(change, "removed", ()):
            self.refresh()

    def refresh(self) -> None:
        """Show the cast as the project now has it, keeping the chosen member chosen."""
        chosen = self.member.id if self.member else None
        project = self.document.project
        self.members.blockSignals(True)
        self.members.clear()
        for member in project.cast:
            shots = cast_service.shots_mentioning(project, member)
            where = f"shot{'s' if len(shots) > 1 else ''} {', '.join(map(str, shots))}" if shots else "in no prompt"
            item = QListWidgetItem(f"@{member.name}\n{KIND_WORDS[member.kind]} · {where}", self.members)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setToolTip(member.description or member.name)
            item.setIcon(self._icon(member.images[0]) if member.images else theme.icon("image"))
            if member.id == chosen:
                self.members.setCurrentItem(item)
        if self.members.currentRow() < 0 and self.members.count():
            self.members.setCurrentRow(0)
        self.members.blockSignals(False)
        self.empty.setVisible(not project.cast)
        self.members.setVisible(bool(project.cast))
        self._show_member()

    def _show_member(self) -> None:
        member = self.member
        self.details.setVisible(member is not None)
        self.remove_button.setEnabled(member is not None)
        if member is None:
            return
        # a name being typed is kept while nothing else renames the member; an undo or a rename shows at once, even
        # in the focused field (a stale name there would be applied again when the field is left)
        if member.name != self._shown_name or not self.name_edit.isModified():
            self.name_edit.setText(member.name)
            self._shown_name = member.name
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(member.kind))
        if member.description != self.description_edit.text().strip():  # typing keeps them equal but for spaces
            self.description_edit.setText(member.description)
        row = self.pictures.currentRow()
        self.pictures.clear()
        for number, image in enumerate(member.images, start=1):
            item = QListWidgetItem(self._icon(image), str(number), self.pictures)
            item.setData(Qt.ItemDataRole.UserRole, image)
            item.setToolTip(f"Picture {number} of @{member.name}: models with fewer reference slots get the first ones")
        self.pictures.setCurrentRow(min(row, self.pictures.count() - 1))
        self.pictures.setToolTip("" if member.images else "No pictures yet: add some, or a frame of a shot")
        self.voice_label.setText(voice_words(self.document, member.voice))
        shots = cast_service.shots_mentioning(self.document.project, member)
        self.mentions.setText(
            f"Mentioned as @{member.name} in shot{'s' if len(shots) > 1 else ''} {', '.join(map(str, shots))}."
            if shots
            else f"No prompt mentions @{member.name} yet: type @ in a shot's prompt to pick it."
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        member = self.member
        self.remove_picture.setEnabled(member is not None and self.pictures.currentRow() >= 0)
        shot_id = self.selection.current
        shot = self.document.project.shot(shot_id) if shot_id and self.document.project.has_shot(shot_id) else None
        self.add_frame.setEnabled(member is not None and shot is not None and shot.picked_take is not None)
        self.add_frame.setToolTip(
            "Add a frame from the middle of the selected shot's picked take"
            if self.add_frame.isEnabled()
            else "Select a shot with a take to use one of its frames"
        )

    def _icon(self, image: str) -> QIcon:
        """The small picture of `image`, read off the GUI thread the first time (a blank one until it arrives)."""
        if image in self._pictures:
            return self._pictures[image]
        blank = QPixmap(ICON_PX, ICON_PX)
        blank.fill(theme.PANEL)
        self._pictures[image] = QIcon(blank)
        bundle = self.document.session.bundle

        async def read() -> QImage:
            return await asyncio.to_thread(
                lambda: _small_picture(cast_service.shown_picture(bundle, image), ICON_PX * 2)
            )

        def show(picture: QImage) -> None:
            if not picture.isNull():
                self._pictures[image] = QIcon(QPixmap.fromImage(picture))
                self.refresh()

        def not_shown(error: BaseException) -> None:
            log.warning("Not showing %s, a picture of the cast: %s", image, error)  # it stays blank

        self.document.bridge.watch(self.document.ctx.runner.submit(read()), show, not_shown, owner=self)
        return self._pictures[image]

    # ------------------------------------------------------------------------------------------ editing

    def ask_new_member(self) -> None:
        name, ok = QInputDialog.getText(self, "Add to the cast", "Name (one word, mentioned as @Name):")
        if ok and name.strip():
            self.add_member(name)

    def add_member(self, name: str, kind: CastKind = CastKind.CHARACTER) -> bool:
        member = CastMember(new_id(), name, kind)
        if not self.document.execute(commands.add_cast_member(member)):
            return False
        self._choose(member.id)
        return True

    def _choose(self, member_id: str) -> None:
        for row in range(self.members.count()):
            item = self.members.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == member_id:
                self.members.setCurrentRow(row)

    def _rename(self) -> None:
        member = self.member
        if member is None or self.name_edit.text().strip() == member.name:
            return
        if not self.document.execute(commands.rename_cast_member(member.id, self.name_edit.text())):
            self.name_edit.setText(member.name)  # refused (the message bar says why): show the name it keeps

    def _set_kind(self) -> None:
        member = self.member
        kind = self.kind_combo.currentData()
        if member is not None and kind != member.kind:
            self.document.execute(commands.set_cast_kind(member.id, kind))

    def _describe(self, text: str) -> None:
        member = self.member
        if member is not None:
            self.document.execute(commands.describe_cast_member(member.id, text))

    def _remove_member(self) -> None:
        member = self.member
        if member is not None:
            self.document.execute(commands.remove_cast_member(member.id))

    def draft_member_pictures(self) -> None:
        """Draft pictures of the chosen member, its description as the prompt; picking one adds it to its pictures."""
        member = self.member
        if member is not None:
            show_draft_stills(self.document, member.id, self.window())

    def choose_voice(self) -> MemberVoiceDialog | None:
        """Open the member's voice dialog (ui.dialogs.member_voice): a voice to choose, with a preview."""
        member = self.member
        if member is None:
            return None
        dialog = MemberVoiceDialog(self.document, member.id, self.window())
        dialog.open()
        return dialog

    def _remove_picture(self) -> None:
        member, item = self.member, self.pictures.currentItem()
        if member is not None and item is not None:
            self.document.execute(commands.remove_cast_image(member.id, item.data(Qt.ItemDataRole.UserRole)))

    def _choose_pictures(self) -> None:
        dialog = QFileDialog(self, "Choose pictures")
        dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.webp)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda names: self.add_picture_files([Path(name) for name in names]))
        dialog.open()

    def add_picture_files(self, files: list[Path]) -> None:
        """Check and copy `files` off the GUI thread, then add them to the chosen member as one undo step."""
        member = self.member
        if member is None:
            return
        bundle = self.document.session.bundle
        new_media = NewMedia(bundle)

        async def copy() -> list[str]:
            return await asyncio.to_thread(cast_service.import_pictures, bundle, files, new_media)

        self._land(
            member.id, copy(), new_media, "Add reference picture" if len(files) == 1 else "Add reference pictures"
        )

    def add_frame_of_selected_shot(self) -> None:
        member, shot_id = self.member, self.selection.current
        if member is None or shot_id is None or not self.document.project.has_shot(shot_id):
            return
        take = self.document.project.shot(shot_id).picked_take
        if take is None:
            return
        bundle = self.document.session.bundle
        new_media = NewMedia(bundle)

        async def frame() -> list[str]:
            return [new_media.add(await asyncio.to_thread(cast_service.frame_picture, bundle, take))]

        self._land(member.id, frame(), new_media, "Add reference picture")

    def _land(self, member_id: str, work: Coroutine[Any, Any, list[str]], new_media: NewMedia, label: str) -> None:
        def add(images: list[str]) -> None:
            if not self.document.project.cast or member_id not in {m.id for m in self.document.project.cast}:
                new_media.remove()  # the member went meanwhile (an undo): nothing to add the pictures to
                return
            with self.document.transaction(label):
                for image in images:
                    self.document.execute(commands.add_cast_image(member_id, image))

        def fail(error: BaseException) -> None:
            new_media.remove()
            self.document.failed.emit(describe(error))

        self.document.bridge.watch(self.document.ctx.runner.submit(work), add, fail, owner=self)
