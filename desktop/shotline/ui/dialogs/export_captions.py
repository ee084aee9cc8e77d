"""The export dialog's caption choices: which forms of the film's captions to write, and how burned-in ones look.

Offered only when the film has captions (otherwise the row says where they are made), and for a sound-only export
only as files beside it: there is no picture to draw them into or to carry a track beside.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from shotline.core.caption_style import CaptionPlace
from shotline.core.model import Project
from shotline.ui import theme
from shotline.ui.dialogs.export_choices import CAPTION_FORMS, CAPTION_PLACES, CAPTION_SIZES, ExportChoices

NO_CAPTIONS_YET = "No captions yet: make them from the dialogue lines in the timeline's Captions lane."
PICTURE_ONLY = {"burn", "track"}


class CaptionChoices(QWidget):
    """Three boxes (burned in, subtitle track, files beside) and the burned-in style (letter size, place)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        forms = QHBoxLayout()
        forms.setContentsMargins(0, 0, 0, 0)
        for form, label, tip in CAPTION_FORMS:
            box = QCheckBox(label, self)
            box.setToolTip(tip)
            box.toggled.connect(self._toggled)
            self.boxes[form] = box
            forms.addWidget(box)
        forms.addStretch(1)
        self.size_combo = QComboBox(self)
        self.size_combo.setToolTip("How tall burned-in letters are, the same share of the frame at every preset")
        for label, key, _ in CAPTION_SIZES:
            self.size_combo.addItem(label, key)
        self.place_combo = QComboBox(self)
        self.place_combo.setToolTip("Where burned-in captions sit; always inside the frame's safe area")
        for label, place in CAPTION_PLACES:
            self.place_combo.addItem(label, place)
        for combo in (self.size_combo, self.place_combo):
            combo.currentIndexChanged.connect(self.changed)
        style = QHBoxLayout()
        style.setContentsMargins(0, 0, 0, 0)
        style.addWidget(self.size_combo)
        style.addWidget(self.place_combo)
        style.addStretch(1)
        self.note = QLabel(NO_CAPTIONS_YET, self)
        self.note.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.note.setVisible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(forms)
        column.addLayout(style)
        column.addWidget(self.note)

    def show_choices(self, choices: ExportChoices) -> None:
        for form, box in self.boxes.items():
            box.setChecked(form in choices.captions)
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(choices.caption_size)))
        self.place_combo.setCurrentIndex(max(0, self.place_combo.findData(choices.caption_place)))

    def forms(self) -> tuple[str, ...]:
        """The forms ticked and offered now."""
        return tuple(form for form, box in self.boxes.items() if box.isChecked() and box.isEnabled())

    def wished(self) -> tuple[str, ...]:
        """The forms ticked, offered or not (kept for the next export)."""
        return tuple(form for form, box in self.boxes.items() if box.isChecked())

    @property
    def letter_size(self) -> str:
        return str(self.size_combo.currentData())

    @property
    def place(self) -> CaptionPlace:
        return CaptionPlace(self.place_combo.currentData())

    def offer(self, project: Project, *, audio_only: bool, exporting: bool) -> None:
        """Offer what this film and format can take: nothing before the film has captions, files only for sound."""
        has_captions = bool(project.captions)
        self.note.setVisible(not has_captions)
        for form, box in self.boxes.items():
            box.setEnabled(has_captions and not exporting and not (audio_only and form in PICTURE_ONLY))
        burning = self.boxes["burn"].isChecked() and self.boxes["burn"].isEnabled()
        for combo in (self.size_combo, self.place_combo):
            combo.setEnabled(burning and not exporting)

    def _toggled(self) -> None:
        burning = self.boxes["burn"].isChecked() and self.boxes["burn"].isEnabled()
        for combo in (self.size_combo, self.place_combo):
            combo.setEnabled(burning)
        self.changed.emit()
