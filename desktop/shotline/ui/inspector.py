"""InspectorPanel: the current shot's prompt, generation settings and takes (the takes in `ui.take_list`).

The settings shown are built from the chosen model's declared capabilities (core.ports.ModelInfo): what the model
cannot do is hidden, not disabled. Every edit goes through document.execute; typing in one field is one undo step.
Editors are only rewritten when the project says something different from what they hold, so the cursor stays put.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.model import GenerationSettings, Shot
from shotline.core.ports import ModelInfo
from shotline.core.references import How
from shotline.services.ledger import kinds, shot_cost
from shotline.services.shots import fit_to_model, model_info
from shotline.ui import cast_mentions, theme
from shotline.ui.cast_sent import CastSent
from shotline.ui.dialogue_inspector import DialogueSection
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector_fields import fill, narrow_combo, set_line, set_text
from shotline.ui.model_notice import ModelNotice
from shotline.ui.selection import ShotSelection
from shotline.ui.shot_pictures import ShotPictures
from shotline.ui.shot_trim import ShotTrimRow
from shotline.ui.sound_inspector import AudioClipPanel, ShotSoundSection
from shotline.ui.spend_question import ask_then, button_text, planned_cost
from shotline.ui.take_list import TakeList, panel_action

log = logging.getLogger(__name__)

T = TypeVar("T")
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
        self.mention_marks = [
            cast_mentions.attach(edit, self.document) for edit in (self.prompt_edit, self.negative_edit)
        ]
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
        self.pictures = ShotPictures(self.document, lambda: self.shot, self)
        pictures = self.pictures
        self.first_frame, self.last_frame, self.references = (
            pictures.first_frame,
            pictures.last_frame,
            pictures.references,
        )
        self.add_reference, self.continue_button = pictures.add_reference, pictures.continue_button
        self.draft_stills_button = pictures.draft_stills_button
        self.set_frame_image, self.add_reference_image = pictures.set_frame_image, pictures.add_reference_image
        self.draft_stills, self.start_from_previous_last_frame = (
            pictures.draft_stills,
            pictures.start_from_previous_last_frame,
        )
        self.cost_label = QLabel(self)
        self.cost_label.setWordWrap(True)
        self.cost_label.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.takes_spin = QSpinBox(self)
        self.takes_spin.setRange(1, 4)
        self.takes_spin.setPrefix("× ")
        self.takes_spin.setToolTip("How many takes of this shot to generate")
        self._take_counts: dict[str, int] = {}
        """Each shot's × N, kept for the shot it was set on (a count never follows the selection to another)."""
        self.spend_question: QMessageBox | None = None
        """The open question of a paid Generate, until it is answered (ui.spend_question)."""
        self.generate_button = QPushButton(theme.icon("generate"), "Generate", self)
        self.trim_row = ShotTrimRow(self.document, self)
        self.model_notice = ModelNotice(self.document, self, after=self.model_combo)
        self.cast_sent = CastSent(self)

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
        form.addRow(self.model_notice)  # full width: a retired model, or settings the model cannot take
        form.addRow(self.cast_sent)  # full width: what the model is sent of each cast member the prompt mentions
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
        form.addRow(self.draft_stills_button)  # under the first frame a still becomes (ui.dialogs.draft_stills)
        self.form = form
        generate_row = QHBoxLayout()
        generate_row.addStretch(1)
        generate_row.addWidget(self.takes_spin)
        generate_row.addWidget(self.generate_button)

        self.generate_action = self._action("generate", "Generate", self.generate, "Ctrl+G", self)
        self.generate_button.setToolTip(self.generate_action.toolTip())

        content = QWidget(self)
        column = QVBoxLayout(content)
        column.addLayout(form)
        self.dialogue = DialogueSection(self.document, content)  # what is said: sent with the prompt
        column.addWidget(self.dialogue)
        column.addWidget(self.cost_label)  # its own line: "$0.00 · not sent" beside the button wrapped in two
        column.addLayout(generate_row)
        self.sound = ShotSoundSection(self.document, content)
        column.addWidget(self.sound)
        column.addWidget(QLabel("Takes", content))
        self.takes = TakeList(self.document, owner=self, parent=content)
        column.addWidget(self.takes, 1)
        self.content = content
        # what the window's menus, context menus and tests reach through the inspector
        self.takes_list = self.takes.list
        self.pick_action, self.compare_action = self.takes.pick_action, self.takes.compare_action
        self.delete_take_action, self.restore_take_action = self.takes.delete_action, self.takes.restore_action
        self.reveal_action, self.details_action = self.takes.reveal_action, self.takes.details_action
        self.compare_takes, self.show_details = self.takes.compare, self.takes.show_details
        self.take_details, self.selected_take_ids = self.takes.take_details, self.takes.selected_take_ids
        self.takes.compare_requested.connect(self.compare_requested)
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
        self.first_frame.cleared.connect(lambda: self._change("first_frame", first_frame=None, continues=False))
        self.last_frame.cleared.connect(lambda: self._change("last_frame", last_frame=None))
        self.generate_button.clicked.connect(self.generate)
        self.takes_spin.valueChanged.connect(self._takes_chosen)
        self.document.job_changed.connect(self._job_changed)

    def _action(self, icon: str, text: str, slot: Callable[[], Any], key: str, owner: QWidget) -> QAction:
        return panel_action(icon, text, slot, key, owner)

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
            self.takes.forget()
        self.sound.show_shot(current)
        self.dialogue.show_shot(current)
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
        if change.cast:  # a member's pictures, description or kind: where it goes may have changed
            shot = self.shot
            model = model_info(self.document.ctx.registry, shot.generation) if shot is not None else None
            self._show_cast(shot, model)

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
            self.takes_spin.setValue(self._take_counts.get(shot.id, 1))
            model = self._show_backend(shot.generation)
            self._show_settings(shot, model)
        finally:
            self._updating = False
        self._show_cost()
        self.takes.show_shot(shot)

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
                if option.retired and option.id != model.id:
                    continue  # a retired model is offered to no other shot
                self.model_combo.addItem(f"{option.label} (retired)" if option.retired else option.label, option.id)
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
        self.pictures.show(self.form, shot, caps)
        self.generate_button.setEnabled(model is not None)
        self.model_notice.show_shot(shot)
        self._show_cast(shot, model)

    def _show_cast(self, shot: Shot | None, model: ModelInfo | None) -> None:
        """What the model is sent of the cast the prompt mentions; a place's picture that opens the clip shows in
        the First frame row too, where it said "None" beside "@Harbour — first frame"."""
        self.cast_sent.show_shot(self.document.project, shot, model)
        opens = next((placed for placed in self.cast_sent.placed if placed.how is How.FIRST_FRAME), None)
        own = shot.generation.first_frame if shot is not None else None
        self.first_frame.show_path(own, f"@{opens.name}'s picture (from the cast)" if opens else "")

    def _show_cost(self) -> None:
        """The shot's spending as the ledger says it everywhere, and the next Generate's figure on its button."""
        shot = self.shot
        if shot is None:
            return
        spent = shot_cost(shot.id, self.document.jobs(), kinds(self.document.ctx.registry))
        self.cost_label.setText("Nothing generated yet" if spent is None else f"This shot so far: {spent.text()}")
        self.cost_label.setToolTip("" if spent is None else spent.explain())
        takes = self.takes_spin.value()
        planned = planned_cost(self.document, [shot], takes)
        self.generate_button.setText(button_text(planned))
        each = planned_cost(self.document, [shot])
        self.generate_button.setToolTip(
            f"{self.generate_action.toolTip()}: {takes} take{'s' if takes != 1 else ''}, each {each.text()}"
        )

    def _takes_chosen(self, takes: int) -> None:
        if self.shot_id is not None and not self._updating:
            self._take_counts[self.shot_id] = takes
        self._show_cost()

    def _job_changed(self, job_id: str) -> None:
        shot = self.shot
        try:
            ours = shot is not None and self.document.job(job_id).shot_id == shot.id
        except KeyError:  # a job the window no longer holds (the project is closing)
            return
        if ours:
            self._show_cost()

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

    def generate(self) -> list[str]:
        """Generate the shot's × N takes; a paid Generate above the creator's threshold asks first (once per
        session), and then returns no job ids until it is answered."""
        shot = self.shot
        if shot is None:
            return []
        takes = self.takes_spin.value()
        started: list[str] = []
        self.spend_question = ask_then(
            self,
            self.document,
            planned_cost(self.document, [shot], takes),
            takes,
            lambda: started.extend(self.document.generate([shot.id], takes=takes)),
        )
        return started
