"""Choose a cast member's voice (Cast & places → Choose voice…), with a preview: the backend, its voice model and
one of its voices; Preview speaks a sentence in it (free on this computer, asked about first when paid) and plays
it; Use this voice sets it in one undo step, so every line of the member's is spoken with it in every shot."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.backends.system_voice import default_voice
from shotline.core import cast_voice
from shotline.core.errors import ShotlineError
from shotline.core.model import VoiceChoice
from shotline.core.ports import JobPhase
from shotline.services.ledger import FREE, estimate_cost, kinds
from shotline.services.voices import OFFLINE_VOICE, voice_names, voices_of
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.spend_question import ask_then


def voice_words(document: ProjectDocument, choice: VoiceChoice | None) -> str:
    """How the panel names a member's voice: "OpenAI-compatible (Sora 2) · TTS-1 · nova"."""
    if choice is None:
        return "This computer's default voice (choose one so the character sounds its own)"
    try:
        info = document.ctx.registry.info(choice.backend)
    except ShotlineError:
        return f"{choice.backend} · {choice.voice} (a backend this Shotline does not have)"
    model = info.voice_model(choice.model)
    voice = voice_names(choice.backend).get(choice.voice, choice.voice)
    return " · ".join(part for part in (info.name, model.label if model else choice.model, voice) if part)


class MemberVoiceDialog(QDialog):
    def __init__(self, document: ProjectDocument, member_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.member_id = member_id
        member = document.project.member(member_id)
        self.setWindowTitle(f"Voice of @{member.name}")
        self.backend = QComboBox(self)
        self.model = QComboBox(self)
        self.voice = QComboBox(self)
        self.voice.setEditable(False)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.preview_button = QPushButton("Preview", self)
        self.preview_button.setToolTip("Speak a sentence in this voice and play it")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.use_button = self.buttons.addButton("Use this voice", QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_job: str | None = None
        self.question: QMessageBox | None = None
        self._audio = QAudioOutput(self)
        self.player = QMediaPlayer(self)
        self.player.setAudioOutput(self._audio)

        form = QFormLayout()
        form.addRow("Backend", self.backend)
        form.addRow("Model", self.model)
        form.addRow("Voice", self.voice)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.note)
        column.addWidget(self.preview_button)
        column.addWidget(self.buttons)

        for info in document.ctx.registry.all_infos():
            if info.voice_models:
                self.backend.addItem(info.name, info.id)
        chosen = member.voice or OFFLINE_VOICE
        self.backend.setCurrentIndex(max(0, self.backend.findData(chosen.backend)))
        self._fill_models(chosen.model)
        wanted = chosen.voice or (default_voice() if chosen.backend == OFFLINE_VOICE.backend else "")
        self.voice.setCurrentIndex(max(0, self.voice.findData(wanted)))
        self.backend.activated.connect(lambda _i: self._fill_models(""))
        self.model.activated.connect(lambda _i: self._fill_voices())
        self.preview_button.clicked.connect(self.preview)
        self.buttons.accepted.connect(self.use)
        self.buttons.rejected.connect(self.reject)
        document.job_changed.connect(self._job_changed)

    def choice(self) -> VoiceChoice:
        return VoiceChoice(
            str(self.backend.currentData()), str(self.voice.currentData() or ""), str(self.model.currentData() or "")
        )

    def _fill_models(self, model_id: str) -> None:
        self.model.clear()
        info = self.document.ctx.registry.info(str(self.backend.currentData()))
        for model in info.voice_models:
            if not model.retired:
                self.model.addItem(model.label, model.id)
        self.model.setCurrentIndex(max(0, self.model.findData(model_id)))
        self._fill_voices()

    def _fill_voices(self) -> None:
        self.voice.clear()
        try:
            offered = voices_of(self.document.ctx, str(self.backend.currentData()), str(self.model.currentData() or ""))
        except ShotlineError as error:
            offered = ()
            self.note.setText(describe(error))
        names = voice_names(str(self.backend.currentData()))
        for voice in offered:
            self.voice.addItem(names.get(voice, voice), voice)
        self.note.setText("" if offered else "This backend offers no voices here.")
        self.use_button.setEnabled(bool(offered))
        self.preview_button.setEnabled(bool(offered))

    def preview(self) -> QMessageBox | None:
        """Speak the preview sentence in the chosen voice (asked about first when it is paid), then play it."""
        try:
            records = self.document.preview_voice(self.member_id, self.choice())
        except ShotlineError as error:
            self.note.setText(describe(error))
            return None
        kind_of = kinds(self.document.ctx.registry)
        planned = sum((estimate_cost(r.estimated_cost, kind_of(r.backend)) for r in records), FREE)

        def start() -> None:
            (self.preview_job,) = self.document.speak(records)
            self.note.setText("Speaking the preview…")

        self.question = ask_then(
            self, self.document, planned, 1, start, doing="Previewing this voice", title="This preview costs money"
        )
        return self.question

    def _job_changed(self, job_id: str) -> None:
        if job_id != self.preview_job:
            return
        record = self.document.job(job_id)
        if record.phase in (JobPhase.FAILED, JobPhase.BLOCKED, JobPhase.UNCERTAIN, JobPhase.CANCELLED):
            self.note.setText(f"The preview was not spoken: {record.message or record.phase.value}")
        elif record.media_path and record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED):
            self.note.setText("Playing the preview.")
            self.player.setSource(QUrl.fromLocalFile(str(self.document.session.bundle.path / record.media_path)))
            self.player.play()

    def use(self) -> None:
        choice = self.choice()
        if not choice.voice:
            self.note.setText("Choose a voice first.")
            return
        if self.document.execute(cast_voice.choose_voice(self.member_id, choice)):
            self.accept()

    def done(self, result: int) -> None:
        self.player.stop()
        self.document.job_changed.disconnect(self._job_changed)
        super().done(result)
