"""Speak its lines (a shot's right-click menu, Film menu): the selected shot's dialogue lines spoken by their
speakers' cast voices and placed on the voice-over lane at the shot (services.voices), asked about before paying."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from shotline.core.errors import ShotlineError
from shotline.services.ledger import FREE, estimate_cost, kinds
from shotline.ui.document import describe
from shotline.ui.spend_question import ask_then

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow


def speak_lines(window: MainWindow) -> QMessageBox | None:
    """Plan the selected shot's lines and send them (after the spend question when it is due); returns the open
    question, if one was asked. What cannot be spoken (no lines with words, a voice gone) is said in the message bar."""
    document = window.document
    if document is None:
        return None
    shot_id = window.selection.current
    if shot_id is None or not document.project.has_shot(shot_id):
        document.failed.emit("Select a shot to speak its lines.")
        return None
    try:
        records = document.plan_voices(shot_id)
    except ShotlineError as error:
        document.failed.emit(describe(error))
        return None
    kind_of = kinds(document.ctx.registry)
    planned = sum((estimate_cost(r.estimated_cost, kind_of(r.backend)) for r in records), FREE)
    count = len(records)
    return ask_then(
        window,
        document,
        planned,
        count,
        lambda: document.speak(records),
        doing=f"Speaking {count} line{'s' if count != 1 else ''}",
        title="These voices cost money",
    )
