"""With no ffmpeg anywhere the window does not die with a traceback: it says why and lets the creator choose the
program, which is checked, used and remembered; Quit ends calmly."""

from __future__ import annotations

import json
from pathlib import Path

import imageio_ffmpeg
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from shotline.media import locate
from shotline.ui.main import ask_for_ffmpeg, open_context_asking_for_ffmpeg

REAL_FFMPEG = Path(imageio_ffmpeg.get_ffmpeg_exe())


@pytest.fixture
def no_ffmpeg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A machine with no ffmpeg on PATH or in imageio-ffmpeg, and fresh settings; returns the settings folder."""
    monkeypatch.setattr(locate.shutil, "which", lambda name: None)

    def nothing_bundled() -> str:
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", nothing_bundled)
    config = tmp_path / "config"
    monkeypatch.setenv("SHOTLINE_CONFIG_DIR", str(config))
    return config


def test_a_chosen_ffmpeg_is_checked_used_and_remembered(no_ffmpeg: Path, tmp_path: Path) -> None:
    not_a_program = tmp_path / "ffmpeg.txt"
    not_a_program.write_text("not ffmpeg")
    answers = [not_a_program, REAL_FFMPEG]
    problems: list[str] = []

    def ask(problem: str) -> Path | None:
        problems.append(problem)
        return answers.pop(0)

    ctx = open_context_asking_for_ffmpeg(ask)
    assert ctx is not None
    try:
        assert ctx.ffmpeg == REAL_FFMPEG
        assert "could not find ffmpeg" in problems[0]
        assert str(not_a_program) in problems[1] and "not a program" in problems[1]
        assert json.loads((no_ffmpeg / "settings.json").read_text())["ffmpeg_path"] == str(REAL_FFMPEG)
    finally:
        ctx.close()


def test_quitting_instead_of_choosing_starts_nothing(no_ffmpeg: Path) -> None:
    asked: list[str] = []
    assert open_context_asking_for_ffmpeg(lambda problem: asked.append(problem)) is None
    assert len(asked) == 1 and not (no_ffmpeg / "settings.json").exists()


def test_the_question_names_the_problem_and_quit_answers_none(qtbot: QtBot) -> None:
    seen: list[str] = []

    def press_quit() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        seen.extend(button.text() for button in box.buttons())
        next(button for button in box.buttons() if button.text() == "Quit").click()

    QTimer.singleShot(0, press_quit)
    assert ask_for_ffmpeg("Shotline could not find ffmpeg.") is None
    assert seen[0] == "Shotline could not find ffmpeg." and sorted(seen[1:]) == ["Choose ffmpeg…", "Quit"]
