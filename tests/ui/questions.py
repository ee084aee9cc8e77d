"""Answering the window's yes/no questions in a test, and keeping what was asked."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


def answer_questions(monkeypatch: pytest.MonkeyPatch, *answers: QMessageBox.StandardButton) -> list[str]:
    """Make `QMessageBox.question` give `answers` in turn (the last one again once they run out, so a test that
    expects one question is not stopped by a second), and return the list its questions' texts are added to."""
    asked: list[str] = []

    def answer(parent: object, title: str, text: str, *more: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers[min(len(asked), len(answers)) - 1]

    monkeypatch.setattr(QMessageBox, "question", answer)
    return asked
