"""The Qt binding we run on must not leak: PySide6 6.12.0 lost a reference to True on every signal emit, and
Python aborted ("bool_dealloc") after a few hundred — pyproject.toml excludes it; this keeps it excluded."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    said = Signal(str)


def test_emitting_a_signal_keeps_the_reference_to_true() -> None:
    emitter = _Emitter()
    heard: list[str] = []
    emitter.said.connect(heard.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.said.emit("x")
    assert len(heard) == 200
    assert before - sys.getrefcount(True) < 10
