"""Film → Make music…: a bed for the film from a prompt (issue 17), by a backend that makes music, onto the music lane.

The creator picks the backend and its music model, says what the music is like and how long (the film's length
unless changed), and sees the estimate before anything is sent; OK asks the spend question when it is due (as
every paid job does, ui.spend_question) and sends one job. The bed lands on the music lane at the film's start,
fitted to the film, when the job finishes (ProjectDocument._job_done → services.music).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from shotline.core.errors import ShotlineError
from shotline.core.ports import JobRecord
from shotline.core.timeline import film_length_us
from shotline.services.ledger import estimate_cost, kinds
from shotline.services.music import MusicChoice, music_makers
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.spend_question import ask_then


class MakeMusicDialog(QDialog):
    """Backend, model, prompt and length for a bed, with its estimate; `start` sends it."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make music")
        self.document = document
        self.question: QMessageBox | None = None
        self._makers = music_makers(document.ctx)
        self.backend_box = QComboBox(self)
        for backend_id, _ in self._makers:
            self.backend_box.addItem(document.ctx.registry.info(backend_id).name, backend_id)
        self.model_box = QComboBox(self)
        self.prompt_edit = QLineEdit(self)
        self.prompt_edit.setPlaceholderText("Its mood, instruments and tempo: calm strings at dawn, 70 bpm")
        self.seconds_spin = QDoubleSpinBox(self)
        self.seconds_spin.setDecimals(1)
        self.seconds_spin.setRange(1.0, 600.0)
        self.seconds_spin.setSuffix(" s")
        self.seconds_spin.setValue(max(1.0, round(film_length_us(document.project) / 1e6, 1)))
        self.seconds_spin.setToolTip("The film's length; a model that makes shorter music makes its longest, looped")
        self.estimate_label = QLabel(self)
        self.estimate_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.make_button = self.buttons.addButton("Make music", QDialogButtonBox.ButtonRole.AcceptRole)
        form = QFormLayout(self)
        form.addRow("Backend", self.backend_box)
        form.addRow("Model", self.model_box)
        form.addRow("Music like", self.prompt_edit)
        form.addRow("Length", self.seconds_spin)
        form.addRow("", self.estimate_label)
        form.addRow(self.buttons)
        self.backend_box.currentIndexChanged.connect(self._fill_models)
        self.model_box.currentIndexChanged.connect(self._estimate)
        self.prompt_edit.textChanged.connect(self._estimate)
        self.seconds_spin.valueChanged.connect(self._estimate)
        self.buttons.rejected.connect(self.reject)
        self.make_button.clicked.connect(self.start)
        self._fill_models()

    def choice(self) -> MusicChoice:
        backend = str(self.backend_box.currentData() or "")
        model = str(self.model_box.currentData() or "")
        return MusicChoice(self.prompt_edit.text(), backend, model, round(self.seconds_spin.value() * 1_000_000))

    def _fill_models(self) -> None:
        self.model_box.blockSignals(True)
        self.model_box.clear()
        models = next((found for backend, found in self._makers if backend == self.backend_box.currentData()), ())
        for model in models:
            self.model_box.addItem(model.label, model.id)
        self.model_box.blockSignals(False)
        self._estimate()

    def _plan(self) -> JobRecord:
        choice = self.choice()
        film = film_length_us(self.document.project)
        if abs(choice.duration_us - film) < 50_000:
            choice = replace(choice, duration_us=0)  # the film's own length, held to what the model makes
        return self.document.plan_music(choice)

    def _estimate(self) -> None:
        if not self.prompt_edit.text().strip():
            self.estimate_label.setText("Say what the music is like to see what it costs.")
            self.make_button.setEnabled(False)
            return
        try:
            record = self._plan()
        except ShotlineError as error:
            self.estimate_label.setText(describe(error))
            self.make_button.setEnabled(False)
            return
        kind = self.document.ctx.registry.info(record.backend).kind
        seconds = record.request["duration_us"] / 1e6
        self.estimate_label.setText(f"{seconds:g} s of music: {estimate_cost(record.estimated_cost, kind).text()}")
        self.make_button.setEnabled(True)

    def start(self) -> None:
        """Plan the bed again (the budget may have moved) and send it, after the spend question when it is due."""
        try:
            record = self._plan()
        except ShotlineError as error:
            self.estimate_label.setText(describe(error))
            return
        planned = estimate_cost(record.estimated_cost, kinds(self.document.ctx.registry)(record.backend))
        self.question = ask_then(
            self,
            self.document,
            planned,
            1,
            partial(self._send, record),
            doing="Making music",
            title="This music costs money",
        )

    def _send(self, record: JobRecord) -> None:
        self.document.speak([record])  # the one path a planned job is journaled and sent by, a voice's or a bed's
        self.accept()


def make_music(window: QWidget, document: ProjectDocument | None) -> MakeMusicDialog | None:
    """Open the dialog (Film → Make music…); None without a project."""
    if document is None:
        return None
    dialog = MakeMusicDialog(document, window)
    dialog.open()
    return dialog
