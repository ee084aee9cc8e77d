"""The inspector's pictures a shot's generation starts from: its first and last frame, its reference images, the
previous shot's last frame to continue from, and drafted stills to pick a first frame among.

Each row is shown only where the chosen model takes it (core.ports.ModelInfo). A picture the creator picks is copied
into the project off the GUI thread, then set as one undo step. A picture of the creator's own as the first frame
means the shot no longer continues the one before (services.continuity compares only a continuing shot).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFormLayout, QListWidget, QPushButton, QWidget

from shotline.core import commands
from shotline.core.model import Shot, Take
from shotline.core.ports import ModelInfo
from shotline.services.shots import import_image, last_frame_image
from shotline.ui import theme
from shotline.ui.dialogs.draft_stills import show_draft_stills
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.inspector_fields import ImageField, image_dialog

T = TypeVar("T")

CONTINUE = "Start from the previous shot's last frame"
CONTINUES_AGAIN = "Take the previous shot's last frame again"
"""For a shot that continues the previous one; no longer than CONTINUE, which the inspector's width is made for."""


class ShotPictures(QObject):
    """The rows' widgets (placed in the inspector's form by the inspector) and what they do to the shot it shows."""

    def __init__(self, document: ProjectDocument, shown: Callable[[], Shot | None], inspector: QWidget) -> None:
        super().__init__(inspector)
        self.document = document
        self._shown = shown
        self._inspector = inspector
        self.first_frame = ImageField("first frame", inspector)
        self.last_frame = ImageField("last frame", inspector)
        self.references = QListWidget(inspector)
        self.references.setMaximumHeight(72)
        self.add_reference = QPushButton("Add reference image…", inspector)
        self.continue_button = QPushButton(theme.icon("last-frame"), CONTINUE, inspector)
        self.draft_stills_button = QPushButton(theme.icon("image"), "Draft stills…", inspector)
        self.draft_stills_button.setToolTip("Draft cheap pictures of this shot and pick one as its first frame")

        # clearing is a setting change like any other: the inspector's (one undo step per control)
        self.first_frame.chosen.connect(lambda path: self.set_frame_image("first_frame", path))
        self.last_frame.chosen.connect(lambda path: self.set_frame_image("last_frame", path))
        self.add_reference.clicked.connect(self._choose_reference)
        self.continue_button.clicked.connect(self.start_from_previous_last_frame)
        self.draft_stills_button.clicked.connect(self.draft_stills)

    def show(self, form: QFormLayout, shot: Shot, caps: ModelInfo) -> None:
        """The shot's pictures, in the rows the model takes."""
        settings = shot.generation
        self.first_frame.show_path(settings.first_frame)
        form.setRowVisible(self.first_frame, caps.image_to_video or caps.first_last_frame)
        self.last_frame.show_path(settings.last_frame)
        form.setRowVisible(self.last_frame, caps.first_last_frame)
        self.references.clear()
        self.references.addItems(list(settings.reference_images))
        form.setRowVisible(self.references, caps.reference_images > 0)
        form.setRowVisible(self.add_reference, caps.reference_images > 0)
        self.add_reference.setEnabled(len(settings.reference_images) < caps.reference_images)
        form.setRowVisible(self.continue_button, caps.image_to_video)
        # a continuing shot says so: the continuity check compares it with the shot before (services.continuity)
        self.continue_button.setText(CONTINUES_AGAIN if settings.continues else CONTINUE)
        self.continue_button.setToolTip(
            "This shot continues the previous one: Check continuity compares its first frame with that shot's last."
            if settings.continues
            else "Use the previous shot's last frame as this shot's first, so it picks up where that one ends."
        )
        self.continue_button.setEnabled(self._previous_take(shot) is not None)

    # ------------------------------------------------------------------------------------------ editing

    def set_frame_image(self, field: str, path: Path) -> None:
        """Copy a picked image into the project (off the GUI thread), then use it as the shot's first/last frame."""
        shot = self._shown()
        bundle = self.document.session.bundle
        shot_id = shot.id if shot is not None else None
        self._off_thread(lambda: import_image(bundle, path), lambda rel: self._set_field(shot_id, field, rel))

    def add_reference_image(self, path: Path) -> None:
        """Copy an image into the project (off the GUI thread) and add it to the shot's references."""
        shot = self._shown()
        bundle = self.document.session.bundle
        shot_id = shot.id if shot is not None else None
        self._off_thread(
            lambda: import_image(bundle, path), lambda rel: self._set_field(shot_id, "reference_images", rel)
        )

    def draft_stills(self) -> None:
        """Draft stills of this shot (ui.dialogs.draft_stills), one of which becomes its first frame."""
        shot = self._shown()
        if shot is not None:
            show_draft_stills(self.document, shot.id, self._inspector.window())

    def start_from_previous_last_frame(self) -> None:
        """Continuity: the previous shot's last frame, saved as an image, becomes this shot's first frame."""
        shot = self._shown()
        if shot is None:
            return
        take = self._previous_take(shot)
        if take is None:
            self.document.failed.emit("The previous shot has no take yet; generate or import one first.")
            return
        bundle = self.document.session.bundle
        self._off_thread(
            lambda: last_frame_image(bundle, take),
            # the continuity check then compares this shot's first frame with that shot's last (services.continuity)
            lambda rel: self._set_field(shot.id, "first_frame", rel, continuing=True),
        )

    def _set_field(self, shot_id: str | None, field: str, value: Any, *, continuing: bool = False) -> None:
        project = self.document.project
        if shot_id is None or not project.has_shot(shot_id):
            return
        shot = project.shot(shot_id)
        if field == "reference_images":
            value = (*shot.generation.reference_images, value)
        changes: dict[str, Any] = {field: value}
        if field == "first_frame":  # a picture of the creator's own: the shot no longer continues the one before
            changes["continues"] = continuing
        self.document.seal()
        self.document.execute(commands.set_generation(shot_id, dataclasses.replace(shot.generation, **changes)))
        self.document.seal()

    def _choose_reference(self) -> None:
        dialog = image_dialog(self._inspector, "Choose a reference image")
        dialog.fileSelected.connect(lambda name: self.add_reference_image(Path(name)))
        dialog.open()

    def _previous_take(self, shot: Shot) -> Take | None:
        project = self.document.project
        index = project.index_of(shot.id)
        return project.shots[index - 1].picked_take if index > 0 else None

    def _off_thread(self, work: Callable[[], T], done: Callable[[T], Any]) -> None:
        """Run slow file work on the runner; `done` gets its result on the GUI thread, errors go to `failed`."""

        async def run() -> T:
            return await asyncio.to_thread(work)

        self.document.bridge.watch(
            self.document.ctx.runner.submit(run()), done, lambda error: self.document.failed.emit(describe(error))
        )
