"""InspectorPanel: the current shot's prompt, generation settings and takes.

The settings shown are built from the chosen model's declared capabilities (core.ports.ModelInfo): what the model
cannot do is hidden, not disabled. Every edit goes through document.execute; typing in one field is one undo step.
Editors are only rewritten when the project says something different from what they hold, so the cursor stays put.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QIcon, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.model import GenerationSettings, Shot, Take
from shotline.core.ports import ModelInfo
from shotline.core.timeline import format_length
from shotline.services.shots import estimate, fit_to_model, import_image, is_offline, last_frame_image, model_info
from shotline.ui import theme
from shotline.ui.dialogs.restore_take import ask_to_restore_take
from shotline.ui.dialogs.take_details import TakeDetailsDialog, details_text
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.inspector_fields import ImageField, fill, image_dialog, narrow_combo, set_line, set_text
from shotline.ui.selection import ShotSelection
from shotline.ui.shot_trim import ShotTrimRow
from shotline.ui.sound_inspector import AudioClipPanel, ShotSoundSection

log = logging.getLogger(__name__)

T = TypeVar("T")
TAKE_ID = Qt.ItemDataRole.UserRole + 1
THUMB_WIDTH = 192
RANDOM_SEED = -1


class InspectorPanel(QWidget):
    compare_requested = Signal(list)
    """Takes (core.model.Take) to compare side by side; the main window opens the compare grid on them."""

    def __init__(self, document: ProjectDocument, selection: ShotSelection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.shot_id: str | None = None
        self._updating = False
        self._last_control = ""
        self._takes_key: tuple[Any, ...] = ()
        self._take_items: dict[str, QListWidgetItem] = {}
        self._take_icons: dict[tuple[str, int], QIcon] = {}
        """The shown shot's take thumbnails, kept so a refreshed list shows them at once."""
        self.details_dialog: QDialog | None = None
        self._build()
        selection.changed.connect(self._on_selection)
        document.changed.connect(self._on_changed)
        self._on_selection()

    # ------------------------------------------------------------------------------------------ building

    def _build(self) -> None:
        self.empty = QLabel("Select a shot to see its prompt, settings and takes, or a sound clip to mix it.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.header = QLabel(self)
        self.header.setStyleSheet("font-weight: bold")
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("Title")
        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setPlaceholderText("What the shot shows: subject, action, camera, light…")
        self.negative_edit = QPlainTextEdit(self)
        self.negative_edit.setPlaceholderText("What to avoid")
        self.negative_edit.setMaximumHeight(64)
        self.backend_combo = narrow_combo(self)
        self.model_combo = narrow_combo(self)
        self.duration_spin = QDoubleSpinBox(self)
        self.duration_spin.setSuffix(" s")
        self.duration_spin.setDecimals(1)
        self.duration_spin.setSingleStep(0.5)
        self.duration_spin.setToolTip("How long a take generated from now on is asked to be")
        self.duration_combo = narrow_combo(self)
        self.aspect_combo = narrow_combo(self)
        self.resolution_combo = narrow_combo(self)
        self.audio_check = QCheckBox("Generate sound", self)
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setRange(RANDOM_SEED, 2**31 - 1)
        self.seed_spin.setSpecialValueText("Random")
        self.first_frame = ImageField("first frame", self)
        self.last_frame = ImageField("last frame", self)
        self.references = QListWidget(self)
        self.references.setMaximumHeight(72)
        self.add_reference = QPushButton("Add reference image…", self)
        self.continue_button = QPushButton(theme.icon("last-frame"), "Start from the previous shot's last frame", self)
        self.cost_label = QLabel(self)
        self.cost_label.setWordWrap(True)
        self.cost_label.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.takes_spin = QSpinBox(self)
        self.takes_spin.setRange(1, 4)
        self.takes_spin.setPrefix("× ")
        self.takes_spin.setToolTip("How many takes to generate")
        self.generate_button = QPushButton(theme.icon("generate"), "Generate", self)
        self.trim_row = ShotTrimRow(self.document, self)
        self.takes_list = QListWidget(self)
        self.takes_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.takes_list.setIconSize(QPixmap(96, 54).size())
        self.takes_list.setAccessibleName("Takes")
        self.takes_list.setTextElideMode(Qt.TextElideMode.ElideRight)  # a narrow panel cuts rows with "…"
        # rows as wide as the list: a row wider than the list was clipped mid-word behind a scroll bar, never elided
        self.takes_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrowed dock puts fields under labels
        form.addRow(self.header)
        form.addRow("Title", self.title_edit)
        form.addRow("Prompt", self.prompt_edit)
        form.addRow("Avoid", self.negative_edit)
        form.addRow("Trim", self.trim_row)
        form.addRow("Length", self.trim_row.length_label)
        form.addRow("Backend", self.backend_combo)
        form.addRow("Model", self.model_combo)
        # What a new take is asked to last; the shot's own length is the trim row's, as everywhere else.
        form.addRow("Generate", self.duration_spin)
        form.addRow("Generate ", self.duration_combo)
        form.addRow("Aspect", self.aspect_combo)
        form.addRow("Resolution", self.resolution_combo)
        form.addRow("Sound", self.audio_check)
        form.addRow("Seed", self.seed_spin)
        form.addRow("First frame", self.first_frame)
        form.addRow("Last frame", self.last_frame)
        form.addRow("References", self.references)
        # full-width rows: beside the label column the long button texts would not fit a narrow dock
        form.addRow(self.add_reference)
        form.addRow(self.continue_button)
        self.form = form
        generate_row = QHBoxLayout()
        generate_row.addWidget(self.cost_label, 1)
        generate_row.addWidget(self.takes_spin)
        generate_row.addWidget(self.generate_button)

        self.pick_action = self._action("pick", "Pick take", self.pick_selected_take, "Return", self.takes_list)
        self.compare_action = self._action("compare", "Compare takes", self.compare_takes, "C", self.takes_list)
        self.delete_take_action = self._action(
            "delete", "Delete take", self.delete_selected_takes, "Del", self.takes_list
        )
        self.restore_take_action = self._action(
            "restore-take", "Restore take…", self.restore_deleted_take, "Ctrl+Shift+T", self
        )
        self.reveal_action = self._action("folder", "Reveal in file manager", self.reveal_take, "Ctrl+Shift+R", self)
        self.details_action = self._action("details", "Generation details", self.show_details, "Ctrl+I", self)
        self.generate_action = self._action("generate", "Generate", self.generate, "Ctrl+G", self)
        self.generate_button.setToolTip(self.generate_action.toolTip())
        take_buttons = QHBoxLayout()
        for action in (
            self.pick_action,
            self.compare_action,
            self.delete_take_action,
            self.restore_take_action,
            self.reveal_action,
            self.details_action,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            take_buttons.addWidget(button)
        take_buttons.addStretch(1)

        content = QWidget(self)
        column = QVBoxLayout(content)
        column.addLayout(form)
        column.addLayout(generate_row)
        self.sound = ShotSoundSection(self.document, content)
        column.addWidget(self.sound)
        column.addWidget(QLabel("Takes", content))
        column.addWidget(self.takes_list, 1)
        column.addLayout(take_buttons)
        self.content = content
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        self.scroller = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.empty)
        outer.addWidget(scroll, 1)
        self.audio_clip_panel = AudioClipPanel(self.document, self)
        outer.addWidget(self.audio_clip_panel, 1)

        self.title_edit.textEdited.connect(self._title_edited)
        self.prompt_edit.textChanged.connect(self._prompt_edited)
        self.negative_edit.textChanged.connect(self._negative_edited)
        for editor in (self.title_edit, self.prompt_edit, self.negative_edit):
            editor.installEventFilter(self)
        self.backend_combo.activated.connect(self._backend_chosen)
        self.model_combo.activated.connect(self._model_chosen)
        self.duration_spin.valueChanged.connect(lambda s: self._change("duration", duration_us=round(s * 1e6)))
        self.duration_combo.activated.connect(
            lambda i: self._change("duration", duration_us=int(self.duration_combo.itemData(i)))
        )
        self.aspect_combo.activated.connect(lambda i: self._change("aspect", aspect=self.aspect_combo.itemText(i)))
        self.resolution_combo.activated.connect(
            lambda i: self._change("resolution", resolution=str(self.resolution_combo.itemData(i)))
        )
        self.audio_check.toggled.connect(lambda on: self._change("audio", audio=on))
        self.seed_spin.valueChanged.connect(lambda v: self._change("seed", seed=None if v == RANDOM_SEED else int(v)))
        self.first_frame.chosen.connect(lambda path: self.set_frame_image("first_frame", path))
        self.first_frame.cleared.connect(lambda: self._change("first_frame", first_frame=None))
        self.last_frame.chosen.connect(lambda path: self.set_frame_image("last_frame", path))
        self.last_frame.cleared.connect(lambda: self._change("last_frame", last_frame=None))
        self.add_reference.clicked.connect(self._choose_reference)
        self.continue_button.clicked.connect(self.start_from_previous_last_frame)
        self.generate_button.clicked.connect(self.generate)
        self.takes_spin.valueChanged.connect(lambda _: self._show_cost())
        self.takes_list.itemDoubleClicked.connect(lambda _: self.pick_selected_take())
        self.takes_list.itemSelectionChanged.connect(self._update_take_actions)

    def _action(self, icon: str, text: str, slot: Callable[[], Any], key: str, owner: QWidget) -> QAction:
        action = QAction(theme.icon(icon), text, owner)
        action.setShortcut(QKeySequence(key))
        # the takes list owns its keys (Delete, Return), so they never reach a text field's cursor
        context = (
            Qt.ShortcutContext.WidgetShortcut
            if owner is self.takes_list
            else Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        action.setShortcutContext(context)
        action.setToolTip(f"{text} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        owner.addAction(action)
        return action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.document.seal()  # leaving a field ends its undo step
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------------------------------ showing

    @property
    def shot(self) -> Shot | None:
        project = self.document.project
        return project.shot(self.shot_id) if self.shot_id and project.has_shot(self.shot_id) else None

    def _on_selection(self) -> None:
        current = self.selection.current
        if current != self.shot_id:
            self.document.seal()
            self._last_control = ""
            self.shot_id = current
            self._takes_key = ()
        self.sound.show_shot(current)
        self.audio_clip_panel.show_clip(self.selection.audio_clip)
        self._refresh()

    def _on_changed(self, change: ProjectChange) -> None:
        if self.shot_id is None:
            self.empty.setVisible(self.audio_clip_panel.isHidden())  # the shown sound clip may have gone
            return
        if self.shot_id in change.updated or self.shot_id in change.added or change.reordered or change.removed:
            self._refresh()
        elif change.settings:
            self._show_cost()

    def _refresh(self) -> None:
        shot = self.shot
        self.empty.setVisible(shot is None and self.audio_clip_panel.isHidden())
        self.scroller.setVisible(shot is not None)
        if shot is None:
            return
        self._updating = True
        try:
            number = self.document.project.index_of(shot.id) + 1
            self.header.setText(f"Shot {number}")
            set_line(self.title_edit, shot.title)
            set_text(self.prompt_edit, shot.prompt)
            set_text(self.negative_edit, shot.negative_prompt)
            self.trim_row.show_shot(shot)
            model = self._show_backend(shot.generation)
            self._show_settings(shot, model)
        finally:
            self._updating = False
        self._show_cost()
        self._show_takes(shot)

    def _show_backend(self, settings: GenerationSettings) -> ModelInfo | None:
        registry = self.document.ctx.registry
        infos = registry.infos()
        self.backend_combo.clear()
        for info in infos:
            self.backend_combo.addItem(info.name, info.id)
        found = self.backend_combo.findData(settings.backend)
        if found < 0:
            self.backend_combo.addItem(f"{settings.backend} (not installed)", settings.backend)
            found = self.backend_combo.count() - 1
        self.backend_combo.setCurrentIndex(found)
        model = model_info(registry, settings)
        self.model_combo.clear()
        if model is not None:
            for option in registry.info(settings.backend).models:
                self.model_combo.addItem(option.label, option.id)
            self.model_combo.setCurrentIndex(self.model_combo.findData(model.id))
        return model

    def _show_settings(self, shot: Shot, model: ModelInfo | None) -> None:
        settings = shot.generation
        caps = model or ModelInfo(id="", label="", aspects=())
        listed = bool(caps.durations_us)
        self.form.setRowVisible(self.duration_spin, model is not None and not listed)
        self.form.setRowVisible(self.duration_combo, listed)
        self.duration_spin.setRange(caps.min_duration_us / 1e6, caps.max_duration_us / 1e6)
        self.duration_spin.setValue(settings.duration_us / 1e6)
        self.duration_combo.clear()
        for duration in caps.durations_us:
            self.duration_combo.addItem(f"{duration / 1e6:g} s", duration)
        self.duration_combo.setCurrentIndex(self.duration_combo.findData(settings.duration_us))
        fill(self.aspect_combo, [(a, a) for a in caps.aspects], settings.aspect)
        self.form.setRowVisible(self.aspect_combo, bool(caps.aspects))
        fill(self.resolution_combo, [("Default", ""), *((r, r) for r in caps.resolutions)], settings.resolution)
        self.form.setRowVisible(self.resolution_combo, bool(caps.resolutions))
        self.audio_check.setChecked(settings.audio)
        self.form.setRowVisible(self.audio_check, caps.audio)
        self.seed_spin.setValue(RANDOM_SEED if settings.seed is None else settings.seed)
        self.form.setRowVisible(self.seed_spin, caps.seed)
        self.form.setRowVisible(self.negative_edit, caps.negative_prompt)
        self.first_frame.show_path(settings.first_frame)
        self.form.setRowVisible(self.first_frame, caps.image_to_video or caps.first_last_frame)
        self.last_frame.show_path(settings.last_frame)
        self.form.setRowVisible(self.last_frame, caps.first_last_frame)
        self.references.clear()
        self.references.addItems(list(settings.reference_images))
        self.form.setRowVisible(self.references, caps.reference_images > 0)
        self.form.setRowVisible(self.add_reference, caps.reference_images > 0)
        self.add_reference.setEnabled(len(settings.reference_images) < caps.reference_images)
        self.form.setRowVisible(self.continue_button, caps.image_to_video)
        self.continue_button.setEnabled(self._previous_take(shot) is not None)
        self.generate_button.setEnabled(model is not None)

    def _show_cost(self) -> None:
        shot = self.shot
        if shot is None:
            return
        registry = self.document.ctx.registry
        cost = estimate(registry, self.document.project, shot)
        if cost is None:
            offline = is_offline(registry, shot.generation.backend)
            self.cost_label.setText("Free (offline)" if offline else "Cost unknown")
        else:
            takes = self.takes_spin.value()
            total = cost * takes
            each = f" (${cost:.2f} each)" if takes > 1 else ""
            self.cost_label.setText(f"About ${total:.2f}{each}")

    # ------------------------------------------------------------------------------------------ editing

    def _title_edited(self, text: str) -> None:
        if self.shot_id and not self._updating:
            self.document.execute(commands.set_title(self.shot_id, text))

    def _prompt_edited(self) -> None:
        if self.shot_id and not self._updating:
            self.document.execute(commands.set_prompt(self.shot_id, self.prompt_edit.toPlainText()))

    def _negative_edited(self) -> None:
        shot = self.shot
        if shot is None or self._updating:
            return
        command = commands.set_prompt(shot.id, shot.prompt, self.negative_edit.toPlainText())
        # its own merge key: typing in the prompt and then here are two undo steps
        self.document.execute(
            dataclasses.replace(command, label="Edit negative prompt", merge_key=("negative", shot.id))
        )

    def _change(self, control: str, **changes: Any) -> None:
        """One generation setting changed; repeats on the same control (spinning) merge into one step."""
        shot = self.shot
        if shot is None or self._updating:
            return
        if control != self._last_control:
            self.document.seal()
            self._last_control = control
        self.document.execute(commands.set_generation(shot.id, dataclasses.replace(shot.generation, **changes)))

    def _choose_model(self, settings: GenerationSettings) -> None:
        shot = self.shot
        model = model_info(self.document.ctx.registry, settings)
        if shot is None or model is None:
            return
        self.document.seal()
        self._last_control = ""
        self.document.execute(commands.set_generation(shot.id, fit_to_model(settings, model)))
        self.document.seal()

    def _backend_chosen(self, index: int) -> None:
        shot = self.shot
        if shot is not None and not self._updating:
            backend = str(self.backend_combo.itemData(index))
            if backend != shot.generation.backend:
                self._choose_model(dataclasses.replace(shot.generation, backend=backend, model=""))

    def _model_chosen(self, index: int) -> None:
        shot = self.shot
        if shot is not None and not self._updating:
            self._choose_model(dataclasses.replace(shot.generation, model=str(self.model_combo.itemData(index))))

    def _off_thread(self, work: Callable[[], T], done: Callable[[T], Any]) -> None:
        """Run slow file work on the runner; `done` gets its result on the GUI thread, errors go to `failed`."""

        async def run() -> T:
            return await asyncio.to_thread(work)

        self.document.bridge.watch(
            self.document.ctx.runner.submit(run()), done, lambda error: self.document.failed.emit(describe(error))
        )

    def set_frame_image(self, field: str, path: Path) -> None:
        """Copy a picked image into the project (off the GUI thread), then use it as the shot's first/last frame."""
        shot_id = self.shot_id
        bundle = self.document.session.bundle
        self._off_thread(lambda: import_image(bundle, path), lambda rel: self._set_field(shot_id, field, rel))

    def _set_field(self, shot_id: str | None, field: str, value: Any) -> None:
        project = self.document.project
        if shot_id is None or not project.has_shot(shot_id):
            return
        shot = project.shot(shot_id)
        if field == "reference_images":
            value = (*shot.generation.reference_images, value)
        self.document.seal()
        self.document.execute(commands.set_generation(shot_id, dataclasses.replace(shot.generation, **{field: value})))
        self.document.seal()

    def _choose_reference(self) -> None:
        dialog = image_dialog(self, "Choose a reference image")
        dialog.fileSelected.connect(lambda name: self.add_reference_image(Path(name)))
        dialog.open()

    def add_reference_image(self, path: Path) -> None:
        """Copy an image into the project (off the GUI thread) and add it to the shot's references."""
        shot_id = self.shot_id
        bundle = self.document.session.bundle
        self._off_thread(
            lambda: import_image(bundle, path), lambda rel: self._set_field(shot_id, "reference_images", rel)
        )

    def _previous_take(self, shot: Shot) -> Take | None:
        project = self.document.project
        index = project.index_of(shot.id)
        return project.shots[index - 1].picked_take if index > 0 else None

    def start_from_previous_last_frame(self) -> None:
        """Continuity: the previous shot's last frame, saved as an image, becomes this shot's first frame."""
        shot = self.shot
        if shot is None:
            return
        take = self._previous_take(shot)
        if take is None:
            self.document.failed.emit("The previous shot has no take yet; generate or import one first.")
            return
        bundle = self.document.session.bundle
        self._off_thread(
            lambda: last_frame_image(bundle, take), lambda rel: self._set_field(shot.id, "first_frame", rel)
        )

    def generate(self) -> list[str]:
        if self.shot_id is None:
            return []
        return self.document.generate([self.shot_id], takes=self.takes_spin.value())

    # ------------------------------------------------------------------------------------------ takes

    def _show_takes(self, shot: Shot) -> None:
        key = (shot.id, shot.picked_take_id, tuple((t.id, t.trim) for t in shot.takes))
        if key == self._takes_key:
            return
        if self._takes_key[:1] != (shot.id,):
            self._take_icons = {}  # another shot: its takes' pictures are asked for afresh
        self._takes_key = key
        chosen = set(self.selected_take_ids())
        self.takes_list.clear()
        self._take_items = {}
        for number, take in enumerate(shot.takes, start=1):
            picked = take.id == shot.picked_take_id
            created = take.generation.created_at[:16].replace("T", " ") if take.generation else ""
            parts = [
                f"Take {number}{'  ★ picked' if picked else ''}",
                format_length(take.duration_us, self.document.project.settings.fps),
                take.origin,
            ]
            text = " · ".join(p for p in (*parts, created) if p)
            item = QListWidgetItem(text)
            item.setData(TAKE_ID, take.id)
            item.setToolTip(f"{text}\n{take.source_name or take.media}")  # the row may be cut short with "…"
            item.setSizeHint(QSize(1, self.takes_list.iconSize().height() + 6))  # the list's width, not the text's
            self.takes_list.addItem(item)
            self._take_items[take.id] = item
            item.setSelected(take.id in chosen)
            frame = (take.media, take.trim.in_us + take.trim.duration_us // 2)
            if (icon := self._take_icons.get(frame)) is not None:
                item.setIcon(icon)
            else:
                # a trim moves the picture's time: show the take's earlier picture until the new one comes
                earlier = next((i for (media, _), i in self._take_icons.items() if media == take.media), None)
                if earlier is not None:
                    item.setIcon(earlier)
                arrived = functools.partial(self._take_thumb, take.id, frame)
                self.document.thumbnail(take, frame[1], THUMB_WIDTH, arrived)
        self._update_take_actions()

    def _take_thumb(self, take_id: str, frame: tuple[str, int], picture: QImage) -> None:
        icon = QIcon(QPixmap.fromImage(picture))
        self._take_icons[frame] = icon
        if (item := self._take_items.get(take_id)) is not None:
            item.setIcon(icon)

    def selected_take_ids(self) -> list[str]:
        return [str(item.data(TAKE_ID)) for item in self.takes_list.selectedItems()]

    def _selected_takes(self) -> list[Take]:
        shot = self.shot
        chosen = set(self.selected_take_ids())
        return [t for t in shot.takes if t.id in chosen] if shot else []

    def _update_take_actions(self) -> None:
        count = len(self.selected_take_ids())
        for action in (self.pick_action, self.reveal_action, self.details_action):
            action.setEnabled(count == 1)
        self.delete_take_action.setEnabled(count > 0)
        shot = self.shot
        self.compare_action.setEnabled(shot is not None and len(shot.takes) > 1)
        project = self.document.project
        deleted = shot is not None and any(
            r.shot_id == shot.id or not project.has_shot(r.shot_id) for r in project.removed_takes
        )
        self.restore_take_action.setEnabled(deleted)

    def pick_selected_take(self) -> None:
        takes = self._selected_takes()
        if self.shot_id and len(takes) == 1:
            self.document.execute(commands.pick_take(self.shot_id, takes[0].id))

    def compare_takes(self) -> None:
        """Ask for the selected takes (or all of them) side by side, to choose between them."""
        shot = self.shot
        if shot is None:
            return
        takes = self._selected_takes()
        self.compare_requested.emit(takes if len(takes) > 1 else list(shot.takes))

    def delete_selected_takes(self) -> None:
        """A deliberate delete, one undo step: the takes keep their clips among the deleted takes (Restore take…)."""
        takes = self._selected_takes()
        if self.shot_id and takes:
            self.document.delete_takes(self.shot_id, [take.id for take in takes])

    def restore_deleted_take(self) -> None:
        if self.shot_id:
            ask_to_restore_take(self.document, self.shot_id, self)

    def reveal_take(self) -> None:
        takes = self._selected_takes()
        if takes:
            folder = self.document.session.bundle.resolve(takes[0].media).parent
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
                self.document.failed.emit(f"Could not open a file manager at {folder}.")

    def take_details(self, take: Take) -> str:
        return details_text(self.document.ctx, take)

    def show_details(self) -> QDialog | None:
        """A read-only window with how the selected take was made (not modal)."""
        takes = self._selected_takes()
        if len(takes) != 1:
            return None
        dialog = TakeDetailsDialog(self.document.ctx, takes[0], self)  # labelled fields, not the raw record
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog = dialog
        dialog.show()
        return dialog
