"""Speak its lines, in the window (issue 17): from a shot's right-click menu, the shot's dialogue lines spoken offline
by this computer's voice land on the voice-over lane at the shot, one undo step each; a paid voice is asked about
before anything is sent; a shot without lines says so."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from shotline.core import commands, dialogue
from shotline.core.commands import Command
from shotline.core.model import VOICE_LANE, CastKind, CastMember, DialogueLine, VoiceChoice
from shotline.core.timeline import start_of
from shotline.core.voice_takes import voice_clip
from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from shotline.ui.speak_lines import speak_lines
from tests.ui.shell_fixtures import shown_window
from tests.ui.test_context_menus import Menus

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot: Any, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(1600, 1000)
        assert win.open_project(project_path)
        QApplication.processEvents()
        yield win


def _lines(window: MainWindow, shot_index: int, *lines: DialogueLine) -> str:
    document = window.document
    assert document is not None
    shot = document.project.shots[shot_index].id
    for line in lines:
        document.execute(Command("Add line", partial(dialogue.add_line, shot_id=shot, line=line)))
    return shot


def test_a_shots_lines_are_spoken_from_its_card_menu_onto_the_voice_lane(qtbot: Any, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    shot = _lines(window, 1, DialogueLine("l1", "The boats are late.", "Tom"), DialogueLine("l2", "Again."))
    view = window.panels["storyboard"].view  # type: ignore[attr-defined]
    entries = Menus(window).right_click(view.viewport(), view.visualRect(view.model().index(1, 0)).center())
    entries["Speak its lines"].trigger()  # free (this computer's voice): no question

    qtbot.waitUntil(lambda: all(voice_clip(document.project, line) for line in ("l1", "l2")), timeout=WAIT_MS)
    first, second = voice_clip(document.project, "l1"), voice_clip(document.project, "l2")
    assert first is not None and second is not None
    assert first.lane == second.lane == VOICE_LANE
    assert first.start_us == start_of(document.project, shot)
    assert (document.session.bundle.path / first.media).is_file()
    document.undo()
    document.undo()
    assert voice_clip(document.project, "l1") is None  # undone, but the takes stay in the journal
    assert len([r for r in document.jobs() if r.request.get("kind") == "speech"]) == 2


def test_a_paid_voice_is_asked_about_and_a_shot_without_lines_says_so(qtbot: Any, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    messages: list[str] = []
    document.failed.connect(messages.append)
    window.selection.select([document.project.shots[0].id])
    assert speak_lines(window) is None
    assert messages and "has no dialogue lines with words to speak" in messages[-1]

    voice = VoiceChoice("openai", "nova", "tts-1")
    document.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, voice=voice)))
    shot = _lines(window, 2, DialogueLine("l3", "x" * 100, member_id="m1"))
    window.selection.select([shot])
    box = speak_lines(window)
    assert box is not None and "Speaking 1 line" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    QApplication.processEvents()
    assert [r for r in document.jobs() if r.request.get("kind") == "speech"] == []  # nothing sent


def test_a_voice_clips_takes_are_picked_and_spoken_again_in_the_sound_inspector(qtbot: Any, window: MainWindow) -> None:
    from shotline.core.voice_takes import voice_clip_id
    from shotline.ui.sound_inspector import AudioClipSection

    document = window.document
    assert document is not None
    _lines(window, 0, DialogueLine("l9", "Hold the line.", "Tom"))
    window.selection.select([document.project.shots[0].id])
    speak_lines(window)
    qtbot.waitUntil(lambda: voice_clip(document.project, "l9") is not None, timeout=WAIT_MS)
    first = voice_clip(document.project, "l9")
    assert first is not None

    section = AudioClipSection(document)
    qtbot.addWidget(section)
    section.show()
    section.show_clip(voice_clip_id("l9"))
    assert section.voice_row.isVisibleTo(section) and section.voice_takes.count() == 1
    section.speak_again.click()  # free: no question
    qtbot.waitUntil(lambda: voice_clip(document.project, "l9").media != first.media, timeout=WAIT_MS)  # type: ignore[union-attr]
    section.refresh()
    assert section.voice_takes.count() == 2 and section.voice_takes.currentIndex() == 1
    section.voice_takes.activated.emit(0)  # pick the first take back
    assert voice_clip(document.project, "l9").media == first.media  # type: ignore[union-attr]
    assert [c.id for c in document.project.audio if c.lane == VOICE_LANE] == [voice_clip_id("l9")]
