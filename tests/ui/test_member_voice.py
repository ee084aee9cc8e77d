"""A cast member's voice in the window (issue 17): Cast & places → Choose voice… lists the backends that speak and
their voices, Preview speaks a sentence in the chosen one (offline here: free, no question) and plays it, Use this
voice sets it in one undo step and the panel names it; a paid preview is asked about before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QMessageBox

from shotline.core.model import VoiceChoice
from shotline.core.ports import JobPhase
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.cast_panel import CastPanel
from shotline.ui.dialogs.member_voice import MemberVoiceDialog
from shotline.ui.document import ProjectDocument
from shotline.ui.selection import ShotSelection

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def panel(document: ProjectDocument, qtbot: Any) -> CastPanel:
    selection = ShotSelection()
    selection.select([document.project.shots[0].id])
    widget = CastPanel(document, selection)
    qtbot.addWidget(widget)
    widget.resize(360, 700)
    widget.show()
    assert widget.add_member("Mara")
    return widget


def test_a_voice_is_previewed_offline_then_used_in_one_undo_step(
    qtbot: Any, panel: CastPanel, document: ProjectDocument
) -> None:
    assert panel.voice_label.text().startswith("This computer's default voice")
    dialog = panel.choose_voice()
    assert isinstance(dialog, MemberVoiceDialog)
    backends = [dialog.backend.itemData(i) for i in range(dialog.backend.count())]
    assert backends[0] == "animatic" and {"openai", "google"} <= set(backends)
    # this computer's espeak-ng voices, by name, its default one chosen
    assert dialog.voice.currentText() == "English (Great Britain)" and dialog.voice.count() > 20

    assert dialog.preview() is None  # free: no question
    qtbot.waitUntil(lambda: dialog.player.playbackState() is QMediaPlayer.PlaybackState.PlayingState or
                    dialog.note.text() == "Playing the preview.", timeout=60_000)  # fmt: skip
    record = document.job(dialog.preview_job or "")
    assert record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED) and record.media_path.endswith(".wav")
    assert document.project.audio == ()  # a preview is placed nowhere

    dialog.use_button.click()
    member = document.project.member("Mara")
    assert member.voice == VoiceChoice("animatic", "gmw/en", "system-voice")
    assert panel.voice_label.text() == "Animatic (offline) · This computer's voice · English (Great Britain)"
    document.undo()
    assert document.project.member("Mara").voice is None


def test_a_paid_preview_is_asked_about_first(panel: CastPanel, document: ProjectDocument) -> None:
    dialog = panel.choose_voice()
    assert dialog is not None
    dialog.backend.setCurrentIndex(dialog.backend.findData("openai"))
    dialog.backend.activated.emit(dialog.backend.currentIndex())
    dialog.model.setCurrentIndex(dialog.model.findData("tts-1"))
    dialog.model.activated.emit(dialog.model.currentIndex())
    assert dialog.voice.itemData(0) == "alloy"
    dialog.backend.setCurrentIndex(dialog.backend.findData("elevenlabs"))
    dialog.backend.activated.emit(dialog.backend.currentIndex())
    assert dialog.voice.findText("George") >= 0  # ElevenLabs' premade voices by name, kept by id
    assert dialog.voice.itemData(dialog.voice.findText("George")) == "JBFqnCBsd6RMkjVDRZzb"
    dialog.backend.setCurrentIndex(dialog.backend.findData("openai"))
    dialog.backend.activated.emit(dialog.backend.currentIndex())
    dialog.model.setCurrentIndex(dialog.model.findData("tts-1"))
    dialog.model.activated.emit(dialog.model.currentIndex())
    box = dialog.preview()
    assert box is not None and "Previewing this voice" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    assert dialog.preview_job is None
    assert [r for r in document.jobs() if r.request.get("kind") == "speech"] == []  # nothing sent
