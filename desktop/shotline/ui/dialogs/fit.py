"""Dialogs that grow to show every wrapped line whole.

A word-wrapped label whose text changes after the dialog is shown (a route line, a test's answer) asks for more
height, but a top-level window is not resized by Qt for a height-for-width layout: the extra lines were cut off.
A dialog calls `grow_to_fit` on each layout request; it only ever grows, and only in height (its width stays the
creator's).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget


def grow_to_fit(window: QWidget, event: QEvent) -> None:
    """After `event` has been handled: on a layout request, make `window` tall enough for all its wrapped text."""
    if event.type() != QEvent.Type.LayoutRequest:
        return
    layout = window.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    needed = layout.totalHeightForWidth(window.width())
    if needed > window.height():
        window.resize(window.width(), needed)
